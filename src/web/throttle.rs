//! Failed sign-in throttling per account and per client address: after `max_failures`
//! failures within the window, further attempts are refused until the window has passed.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The throttle.
pub struct Throttle {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Throttle {
    /// A throttle allowing `max_failures` per `window`.
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn recent(&self, map: &mut HashMap<String, Vec<Instant>>, key: &str) -> usize {
        let now = Instant::now();
        match map.get_mut(key) {
            Some(times) => {
                times.retain(|t| now.duration_since(*t) < self.window);
                times.len()
            }
            None => 0,
        }
    }

    /// How long the caller must wait, if any of `keys` is over the limit.
    pub fn blocked(&self, keys: &[String]) -> Option<Duration> {
        let mut map = self.failures.lock().expect("throttle lock");
        let mut wait = None;
        for key in keys {
            if self.recent(&mut map, key) >= self.max_failures as usize {
                let oldest = map[key].first().copied().unwrap_or_else(Instant::now);
                let left = self.window.saturating_sub(oldest.elapsed());
                wait = Some(wait.map_or(left, |w: Duration| w.max(left)));
            }
        }
        wait
    }

    /// Records a failure for each of `keys`.
    pub fn failed(&self, keys: &[String]) {
        let mut map = self.failures.lock().expect("throttle lock");
        if map.len() > 100_000 {
            // Bound memory under a flood of distinct names: forget the oldest state.
            map.clear();
        }
        for key in keys {
            map.entry(key.clone()).or_default().push(Instant::now());
        }
    }

    /// Forgets the failures of `keys` after a success.
    pub fn succeeded(&self, keys: &[String]) {
        let mut map = self.failures.lock().expect("throttle lock");
        for key in keys {
            map.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_blocks_until_success_or_the_window_passes() {
        let throttle = Throttle::new(2, Duration::from_secs(60));
        let keys = vec!["account:a".to_owned(), "ip:1".to_owned()];
        assert!(throttle.blocked(&keys).is_none());
        throttle.failed(&keys);
        assert!(throttle.blocked(&keys).is_none());
        throttle.failed(&keys);
        assert!(throttle.blocked(&keys).is_some());
        assert!(
            throttle.blocked(&["ip:1".to_owned()]).is_some(),
            "the address is blocked for any account"
        );
        throttle.succeeded(&keys);
        assert!(throttle.blocked(&keys).is_none());
        let quick = Throttle::new(1, Duration::from_millis(1));
        quick.failed(&keys);
        std::thread::sleep(Duration::from_millis(5));
        assert!(quick.blocked(&keys).is_none());
    }
}
