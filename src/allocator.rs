//! How the process gives memory back to the system.
//!
//! glibc's allocator keeps what the program frees for reuse, and returns it to the system
//! only from the top of a heap. After a burst of load (hundreds of connections, each with its
//! buffers and requests in flight) the freed memory is scattered between blocks still in use,
//! so the console measured 15 MiB before 200 sessions loaded pages for a minute and 35 MiB at
//! rest long after, of which `malloc_trim` gave back 12 MiB at once. Limiting glibc to one
//! arena changed nothing, so it is not the number of arenas. Two measures:
//! * allocations of 2 MiB and more get mappings of their own, returned when freed;
//! * a thread asks glibc every [`TRIM_EVERY`] to return the free pages of every arena.
//!
//! What stays (about 8 MiB) is fragmentation: `malloc_info` showed each worker's arena with
//! about 2 MiB in use spread over 11 MiB, in some 1,200 free pieces of 9 to 200 KiB whose
//! partial pages cannot be returned. mimalloc instead of glibc did worse (29 MiB before the
//! load, 48 MiB under it, 42 MiB at rest).

use std::time::Duration;

/// How often free memory is handed back. A trim walks each arena's free lists under its lock,
/// and pages used again afterwards fault back in: once every 10 s that is little next to
/// serving thousands of pages a second, and memory comes back within seconds of a load ending.
pub const TRIM_EVERY: Duration = Duration::from_secs(10);

/// Applies both measures; the trimming thread is started once per process.
pub fn tune() {
    release_large_allocations();
    static TRIMMER: std::sync::Once = std::sync::Once::new();
    TRIMMER.call_once(|| {
        let spawned = std::thread::Builder::new()
            .name("malloc-trim".to_owned())
            .spawn(|| {
                loop {
                    std::thread::sleep(TRIM_EVERY);
                    return_free_memory();
                }
            });
        if let Err(error) = spawned {
            tracing::warn!(%error, "cannot start the thread that returns free memory");
        }
    });
}

/// Makes glibc's allocator give allocations of 2 MiB and more their own mappings, returned
/// to the system when freed.
///
/// By default glibc raises that threshold to the size of the first large block freed, so from
/// then on the 19 MiB that every argon2 verification of a console account's password needs
/// came from the heap of whichever thread ran it and stayed resident: the console went from
/// 13 MiB idle to about 680 MiB after 100 sign-ins. With the threshold fixed it returns to
/// its idle size.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release_large_allocations() {
    use std::ffi::c_int;
    unsafe extern "C" {
        fn mallopt(param: c_int, value: c_int) -> c_int;
    }
    const M_MMAP_THRESHOLD: c_int = -3;
    // SAFETY: `mallopt` only tunes the allocator; glibc takes its own lock, so it may be
    // called at any time from any thread, and M_MMAP_THRESHOLD accepts any value up to 32 MiB.
    unsafe {
        mallopt(M_MMAP_THRESHOLD, 2 << 20);
    }
}

/// Returns the free pages of every glibc arena to the system.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_free_memory() {
    unsafe extern "C" {
        fn malloc_trim(pad: usize) -> std::ffi::c_int;
    }
    // SAFETY: `malloc_trim` takes each arena's lock itself, so it may run beside allocations
    // on other threads; it only releases pages that hold no allocation.
    unsafe {
        malloc_trim(0);
    }
}

/// Elsewhere the allocator is left as it is.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_large_allocations() {}

/// Elsewhere the allocator is left as it is.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_free_memory() {}
