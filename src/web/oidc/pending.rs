//! Sign-ins on their way through the identity provider, by their `state` parameter: the
//! nonce and PKCE verifier the callback needs, and which browser started them.
//!
//! Each is taken once: a second callback with the same `state` (a replay, a reload of the
//! callback page) finds nothing. In Redis they are shared by every replica, since the browser
//! may come back to another one (`<prefix>:oidc:<state>`, sealed with the server key, gone
//! after ten minutes); in memory they are bounded in number.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::web::crypto::ServerKey;
use crate::web::shared::Redis;

/// How long a sign-in may take at the provider.
pub const TTL: Duration = Duration::from_secs(600);
/// Pending sign-ins the memory backend holds at most (the oldest go first).
const CAPACITY: usize = 10_000;

/// What the callback needs to finish a sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier.
    pub pkce_verifier: String,
    /// A hash of the binding cookie of the browser that started it.
    pub browser: String,
}

/// Whether `state` can be a `state` the console issued (it becomes part of a Redis key).
pub fn is_state(state: &str) -> bool {
    (8..=128).contains(&state.len())
        && state
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The pending sign-ins.
pub struct PendingSignIns {
    backend: Backend,
}

enum Backend {
    Memory(Mutex<Held>),
    Redis(Redis, ServerKey),
}

#[derive(Default)]
struct Held {
    by_state: HashMap<String, (Instant, Pending)>,
    order: VecDeque<String>,
}

impl PendingSignIns {
    /// Pending sign-ins in this process's memory.
    pub fn in_memory() -> Self {
        Self {
            backend: Backend::Memory(Mutex::default()),
        }
    }

    /// Pending sign-ins every replica shares, sealed with `key`.
    pub fn in_redis(redis: Redis, key: ServerKey) -> Self {
        Self {
            backend: Backend::Redis(redis, key),
        }
    }

    /// Remembers `pending` under `state`.
    pub async fn put(&self, state: &str, pending: &Pending) -> Result<(), String> {
        match &self.backend {
            Backend::Memory(mutex) => {
                let mut held = mutex.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                while held.order.len() >= CAPACITY
                    || held.order.front().is_some_and(|oldest| {
                        held.by_state
                            .get(oldest)
                            .is_none_or(|(at, _)| now.duration_since(*at) > TTL)
                    })
                {
                    let Some(oldest) = held.order.pop_front() else {
                        break;
                    };
                    held.by_state.remove(&oldest);
                }
                held.by_state
                    .insert(state.to_owned(), (now, pending.clone()));
                held.order.push_back(state.to_owned());
                Ok(())
            }
            Backend::Redis(redis, key) => {
                let json = serde_json::to_vec(pending).expect("serialisable");
                let sealed = key.seal(&json, state);
                let redis_key = redis.key("oidc", state);
                redis
                    .run("oidc", async |c| {
                        deadpool_redis::redis::AsyncCommands::set_ex::<_, _, ()>(
                            c,
                            &redis_key,
                            &sealed,
                            TTL.as_secs(),
                        )
                        .await
                    })
                    .await
                    .map_err(|e| e.to_string())
            }
        }
    }

    /// Takes the sign-in pending under `state`: it is found once, and never after ten minutes.
    pub async fn take(&self, state: &str) -> Result<Option<Pending>, String> {
        if !is_state(state) {
            return Ok(None);
        }
        match &self.backend {
            Backend::Memory(mutex) => {
                let mut held = mutex.lock().unwrap_or_else(|e| e.into_inner());
                Ok(held
                    .by_state
                    .remove(state)
                    .filter(|(at, _)| at.elapsed() <= TTL)
                    .map(|(_, pending)| pending))
            }
            Backend::Redis(redis, key) => {
                let redis_key = redis.key("oidc", state);
                let sealed: Option<String> = redis
                    .run("oidc", async |c| {
                        deadpool_redis::redis::cmd("GETDEL")
                            .arg(&redis_key)
                            .query_async(c)
                            .await
                    })
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(sealed
                    .and_then(|sealed| key.open(&sealed, state).ok())
                    .and_then(|json| serde_json::from_slice(&json).ok()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now<T>(future: impl std::future::Future<Output = T>) -> T {
        futures_util::FutureExt::now_or_never(future).expect("memory is ready")
    }

    #[test]
    fn a_pending_sign_in_is_taken_once_and_the_memory_is_bounded() {
        let pending = PendingSignIns::in_memory();
        let one = Pending {
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            browser: "b".into(),
        };
        now(pending.put("state-0001", &one)).unwrap();
        assert_eq!(now(pending.take("state-0001")).unwrap(), Some(one.clone()));
        assert_eq!(now(pending.take("state-0001")).unwrap(), None);
        assert_eq!(now(pending.take("bad state!")).unwrap(), None);
        for n in 0..CAPACITY + 100 {
            now(pending.put(&format!("state-{n:06}"), &one)).unwrap();
        }
        let Backend::Memory(mutex) = &pending.backend else {
            unreachable!()
        };
        assert!(mutex.lock().unwrap().by_state.len() <= CAPACITY);
        assert_eq!(now(pending.take("state-000000")).unwrap(), None);
    }
}
