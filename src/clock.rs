//! The wall clock, read in the unit the program stores times in: Unix milliseconds. The
//! console (session deadlines, audit records, sign-in times) and the emulator (timers, message
//! store times, token expiry) both read it here, so neither depends on the other for "now".
//!
//! Code that must be testable at a chosen time takes "now" as a parameter instead (the signer,
//! the emulator's request context); only the edges call [`now_ms`].

/// The current time in Unix milliseconds (0 if the system clock is before 1970).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn now_is_after_2024_and_moves_forward() {
        let first = super::now_ms();
        assert!(first > 1_704_067_200_000, "{first}");
        assert!(super::now_ms() >= first);
    }
}
