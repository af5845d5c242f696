//! Per-user rate limits of dangerous changes (resending dead letters, resetting offsets...),
//! shared by every replica.
//!
//! Page code asks before it acts:
//! `user.state.limits.allow(&user.record.user, "dlq-resend", 10, Duration::from_secs(60)).await?`
//! lets at most 10 resends per user in any 60 seconds, counted across replicas when the
//! backend is Redis (a sliding window: one sorted set per user and action, expiring with its
//! window). In memory the counters are bounded in keys, so a flood of distinct users cannot
//! grow them without limit. A refusal converts into a 429 [`WebError`] saying how long to
//! wait; a Redis that does not answer refuses too (503), since an unchecked limit is no limit.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use deadpool_redis::redis::Script;
use sha2::{Digest, Sha256};

use super::crypto::random_token;
use super::error::WebError;
use super::i18n::Msg;
use super::shared::{Redis, now_ms};

/// Why an action is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Limited {
    /// The limit is reached: the next slot frees up after this long.
    Wait(Duration),
    /// The shared counters do not answer.
    Unavailable(String),
}

impl From<Limited> for WebError {
    fn from(limited: Limited) -> Self {
        match limited {
            Limited::Wait(wait) => WebError::TooManyRequests(
                Msg::new("rate-limited").arg("seconds", wait.as_secs().max(1)),
            ),
            Limited::Unavailable(why) => WebError::SessionStore(why),
        }
    }
}

/// Keys the memory backend holds at most.
const CAPACITY: usize = 65_536;

/// The recent actions of one user and action.
struct Window {
    at: VecDeque<Instant>,
    window: Duration,
}

/// Rate limits, in memory or in Redis.
pub struct RateLimiter {
    backend: Backend,
}

enum Backend {
    Memory(Mutex<HashMap<String, Window>>),
    Redis(Redis),
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::in_memory()
    }
}

/// Takes a slot in a sliding window, or answers how long (ms) until one frees up.
/// KEYS: the window's sorted set. ARGV: now (ms), the window (ms), the maximum, a unique member.
const ALLOW_SCRIPT: &str = r#"
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if n >= max then
  local first = redis.call('ZRANGE', KEYS[1], n - max, n - max, 'WITHSCORES')
  return tonumber(first[2]) + window - now
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return -1
"#;

impl RateLimiter {
    /// Limits kept in this process's memory.
    pub fn in_memory() -> Self {
        Self {
            backend: Backend::Memory(Mutex::default()),
        }
    }

    /// Limits every replica shares, in `redis`.
    pub fn in_redis(redis: Redis) -> Self {
        Self {
            backend: Backend::Redis(redis),
        }
    }

    /// Lets `who` do `action` if they did it fewer than `max` times in the last `window`
    /// (and counts this time); otherwise says how long until they may.
    pub async fn allow(
        &self,
        who: &str,
        action: &str,
        max: u32,
        window: Duration,
    ) -> Result<(), Limited> {
        let max = max.max(1);
        let key = format!(
            "{action}:{}",
            hex::encode(&Sha256::digest(who.as_bytes())[..16])
        );
        match &self.backend {
            Backend::Memory(mutex) => {
                let mut map = mutex.lock().unwrap_or_else(|e| e.into_inner());
                Self::allow_in_memory(&mut map, key, max as usize, window)
            }
            Backend::Redis(redis) => {
                static ALLOW: OnceLock<Script> = OnceLock::new();
                let script = ALLOW.get_or_init(|| Script::new(ALLOW_SCRIPT));
                let mut invocation = script.prepare_invoke();
                invocation
                    .key(redis.key("limit", &key))
                    .arg(now_ms())
                    .arg(window.as_millis().max(1) as u64)
                    .arg(max)
                    .arg(random_token(12));
                let wait: i64 = redis
                    .run("limit", async |c| invocation.invoke_async(c).await)
                    .await
                    .map_err(|e| Limited::Unavailable(e.to_string()))?;
                if wait < 0 {
                    Ok(())
                } else {
                    Err(Limited::Wait(Duration::from_millis(wait as u64)))
                }
            }
        }
    }

    fn allow_in_memory(
        map: &mut HashMap<String, Window>,
        key: String,
        max: usize,
        window: Duration,
    ) -> Result<(), Limited> {
        let now = Instant::now();
        if !map.contains_key(&key) && map.len() >= CAPACITY {
            // Forget windows that have passed; if that is not enough, the ones whose last
            // action is oldest (the price of bounded memory is forgetting them early).
            map.retain(|_, w| {
                w.at.back()
                    .is_some_and(|last| now.duration_since(*last) < w.window)
            });
            if map.len() >= CAPACITY {
                let mut by_age: Vec<(Instant, String)> = map
                    .iter()
                    .map(|(k, w)| (w.at.back().copied().unwrap_or(now), k.clone()))
                    .collect();
                let evict = (CAPACITY / 8).min(by_age.len());
                by_age.select_nth_unstable_by(evict.saturating_sub(1), |a, b| a.0.cmp(&b.0));
                for (_, old) in by_age.into_iter().take(evict) {
                    map.remove(&old);
                }
            }
        }
        let entry = map.entry(key).or_insert_with(|| Window {
            at: VecDeque::new(),
            window,
        });
        entry.window = window;
        while entry
            .at
            .front()
            .is_some_and(|at| now.duration_since(*at) >= window)
        {
            entry.at.pop_front();
        }
        if entry.at.len() >= max {
            let first = entry.at[entry.at.len() - max];
            return Err(Limited::Wait(
                window.saturating_sub(now.duration_since(first)),
            ));
        }
        entry.at.push_back(now);
        Ok(())
    }

    /// How many keys the memory backend holds (0 with Redis).
    pub fn len(&self) -> usize {
        match &self.backend {
            Backend::Memory(mutex) => mutex.lock().unwrap_or_else(|e| e.into_inner()).len(),
            Backend::Redis(_) => 0,
        }
    }

    /// Whether the memory backend holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allow(limits: &RateLimiter, who: &str, window: Duration) -> Result<(), Limited> {
        futures_util::FutureExt::now_or_never(limits.allow(who, "resend", 3, window))
            .expect("memory is ready")
    }

    #[test]
    fn a_user_gets_max_actions_per_window_and_others_are_apart() {
        let limits = RateLimiter::in_memory();
        let minute = Duration::from_secs(60);
        for _ in 0..3 {
            allow(&limits, "ana", minute).expect("within the limit");
        }
        match allow(&limits, "ana", minute) {
            Err(Limited::Wait(wait)) => assert!(wait > Duration::from_secs(55), "{wait:?}"),
            other => panic!("expected a wait, got {other:?}"),
        }
        allow(&limits, "ben", minute).expect("another user is counted apart");
        let short = Duration::from_millis(5);
        for _ in 0..3 {
            allow(&limits, "cleo", short).unwrap();
        }
        assert!(allow(&limits, "cleo", short).is_err());
        std::thread::sleep(Duration::from_millis(10));
        allow(&limits, "cleo", short).expect("the window has passed");
    }

    #[test]
    fn a_flood_of_users_stays_within_the_capacity() {
        let limits = RateLimiter::in_memory();
        for n in 0..CAPACITY + 5_000 {
            allow(&limits, &format!("user-{n}"), Duration::from_secs(600)).unwrap();
            assert!(limits.len() <= CAPACITY);
        }
    }
}
