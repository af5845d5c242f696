//! `cargo bench --bench soak`: does the console's memory come back after a long load?
//!
//! It starts `dms-console emulator --demo-data` and `dms-console serve` as processes (the
//! optimised binary) on loopback, signs in `SOAK_SESSIONS` times (default 200), then keeps
//! one connection per session requesting the instance list for `SOAK_MINUTES` (default 10).
//! It prints the console's resident memory (RSS) idle after start and before the load (each
//! session's list loaded once, so the code the load runs is paged in), at the end of every
//! minute
//! with the pages served in it, and at rest after the load (the connections closed) at 5 s,
//! 30 s and `SOAK_REST_SECONDS` (default 60), then measures the goals:
//! * growth stops within 2 minutes (RSS at the last minute less than 1 MiB above minute 2);
//! * the plateau stays under 40 MiB;
//! * at rest RSS returns to within 20% of its value before the load.
//!
//! Nothing is asserted: the numbers are for reading. Everything listens on 127.0.0.1 only;
//! the load stops by itself after its minutes.

#[allow(dead_code)]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use support::{
    Proc, free_port, http, memory_kib, mib, sign_in, start_console, start_emulator, write_config,
};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Waits until `url` answers 200.
async fn wait_for(url: &str) {
    let client = http();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(answer) = client.get(url).send().await
            && answer.status().as_u16() == 200
        {
            return;
        }
        assert!(Instant::now() < deadline, "{url} did not answer");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The load: one task and one connection per session cookie, requesting `url` until `stop`.
fn start_load(
    url: &str,
    cookies: Vec<String>,
    stop: Arc<AtomicBool>,
    ok: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
) -> Vec<tokio::task::JoinHandle<()>> {
    cookies
        .into_iter()
        .map(|cookie| {
            let (url, stop, ok, failed) =
                (url.to_owned(), stop.clone(), ok.clone(), failed.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .pool_max_idle_per_host(1)
                    .build()
                    .expect("an HTTP client");
                while !stop.load(Ordering::Relaxed) {
                    let good = match client.get(&url).header("cookie", &cookie).send().await {
                        Ok(r) => r.status().as_u16() == 200 && r.bytes().await.is_ok(),
                        Err(_) => false,
                    };
                    if good { &ok } else { &failed }.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // `cargo test --benches` runs benches with no argument and must not spend minutes here.
    if !std::env::args().any(|a| a == "--bench") {
        println!("soak bench: run it with `cargo bench --bench soak`");
        return;
    }
    let minutes = setting("SOAK_MINUTES", 10).max(1);
    let sessions = setting("SOAK_SESSIONS", 200).max(1) as usize;
    let rest = setting("SOAK_REST_SECONDS", 60).max(30);

    let dir = tempfile::tempdir().expect("a temporary directory");
    let (_emulator, emulator_url): (Proc, String) = start_emulator(dir.path(), &["--demo-data"]);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let config = write_config(dir.path(), &emulator_url, port);
    let console = start_console(dir.path(), &config);
    let pid = console.0.id();
    wait_for(&format!("{base}/healthz")).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (started_rss, _) = memory_kib(pid);

    // Sign in and load the list once per session, so the code the load runs is paged in
    // (the binary's pages count in RSS), then rest as the console would before a load.
    let client = http();
    let mut cookies = Vec::with_capacity(sessions);
    for _ in 0..sessions {
        let cookie = sign_in(&client, &base).await;
        let page = client
            .get(format!("{base}/instances"))
            .header("cookie", &cookie)
            .send()
            .await
            .expect("GET /instances");
        assert_eq!(page.status().as_u16(), 200, "the instance list");
        cookies.push(cookie);
    }
    drop(client);
    tokio::time::sleep(Duration::from_secs(15)).await;
    let (before_rss, _) = memory_kib(pid);
    println!(
        "soak: {sessions} sessions requesting /instances for {minutes} min; console RSS idle after start {}, before the load (signed in, each session's list loaded once, 15 s rest) {}",
        mib(started_rss),
        mib(before_rss)
    );

    let stop = Arc::new(AtomicBool::new(false));
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let tasks = start_load(
        &format!("{base}/instances"),
        cookies,
        stop.clone(),
        ok.clone(),
        failed.clone(),
    );
    let mut per_minute = Vec::new();
    let mut served = 0;
    for minute in 1..=minutes {
        tokio::time::sleep(Duration::from_secs(60)).await;
        let (rss, peak) = memory_kib(pid);
        let total = ok.load(Ordering::Relaxed);
        println!(
            "minute {minute:>2}: RSS {} (peak {}), {:.0} pages/s, {} failed so far",
            mib(rss),
            mib(peak),
            (total - served) as f64 / 60.0,
            failed.load(Ordering::Relaxed)
        );
        served = total;
        per_minute.push(rss);
    }
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        let _ = task.await;
    }

    let mut at_rest = 0;
    let mut waited = 0;
    let mut marks = vec![5, 30];
    if rest > 30 {
        marks.push(rest);
    }
    for mark in marks {
        tokio::time::sleep(Duration::from_secs(mark - waited)).await;
        waited = mark;
        at_rest = memory_kib(pid).0;
        println!("at rest {mark:>3} s after the load: RSS {}", mib(at_rest));
    }

    let plateau = per_minute.iter().copied().max().unwrap_or(0);
    // Growth from minute 2 to the last minute (minute-to-minute wobble is printed above).
    let late_growth = match (per_minute.get(1), per_minute.last()) {
        (Some(second), Some(last)) => last.saturating_sub(*second),
        _ => 0,
    };
    let verdict = |met: bool| if met { "met" } else { "NOT met" };
    println!(
        "goals: growth after minute 2 {} ({}); plateau {} under 40 MiB ({}); at rest {} = {:+.0}% of {} before the load, within 20% ({}); {} pages, {} failed",
        mib(late_growth),
        verdict(late_growth < 1024),
        mib(plateau),
        verdict(plateau < 40 * 1024),
        mib(at_rest),
        (at_rest as f64 / before_rss as f64 - 1.0) * 100.0,
        mib(before_rss),
        verdict(at_rest as f64 <= before_rss as f64 * 1.2),
        ok.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed),
    );
}
