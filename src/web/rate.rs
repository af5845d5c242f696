//! A per-key rate limit for costly changes (dead-letter resends): at most `per_window` actions
//! per key within a sliding window, in this process's memory, bounded in keys.
//!
//! An action takes its slot before it starts and keeps it for the window whatever becomes of
//! it, so a burst of submissions from several tabs cannot slip past the limit.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most this many keys are remembered; idle keys go first.
const CAPACITY: usize = 10_000;

/// The limit and what it has seen.
pub struct RateLimit {
    per_window: usize,
    window: Duration,
    seen: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimit {
    /// At most `per_window` actions per key within `window`.
    pub fn new(per_window: u32, window: Duration) -> Self {
        Self {
            per_window: per_window.max(1) as usize,
            window,
            seen: Mutex::default(),
        }
    }

    /// Takes a slot for `key`, or says how long until one frees up.
    pub fn take(&self, key: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= CAPACITY && !seen.contains_key(key) {
            let window = self.window;
            seen.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < window)
            });
        }
        let times = seen.entry(key.to_owned()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            times.pop_front();
        }
        if times.len() >= self.per_window {
            let oldest = *times.front().expect("a full window has a first entry");
            return Err(self.window.saturating_sub(now.duration_since(oldest)));
        }
        times.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_its_slots_and_then_waits_while_others_are_free() {
        let limit = RateLimit::new(2, Duration::from_secs(60));
        assert!(limit.take("alice").is_ok());
        assert!(limit.take("alice").is_ok());
        let wait = limit.take("alice").unwrap_err();
        assert!(wait > Duration::from_secs(58) && wait <= Duration::from_secs(60));
        assert!(limit.take("bob").is_ok());
    }

    #[test]
    fn slots_come_back_after_the_window() {
        let limit = RateLimit::new(1, Duration::from_millis(30));
        assert!(limit.take("alice").is_ok());
        assert!(limit.take("alice").is_err());
        std::thread::sleep(Duration::from_millis(40));
        assert!(limit.take("alice").is_ok());
    }
}
