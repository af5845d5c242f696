//! The wall clock, in the units the rest of the program speaks (Unix milliseconds). Both the
//! console and the emulator read time here, so neither imports the other for it.

/// The current time in Unix milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
