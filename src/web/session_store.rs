//! Server-side session stores for actix-session: one in memory (a single process) and one in
//! Redis (several replicas).
//!
//! Both enforce the absolute timeout themselves (actix-session has none), and neither ever
//! brings back a session that sign-out deleted: `update` and `update_ttl` only touch a key
//! that still exists. Each Redis operation, taking a pooled connection included, has one
//! deadline (`session.redis_timeout_ms`), so an outage fails requests fast instead of hanging
//! them; while the last operation failed (the request's own load, typically) the idle
//! timeout is not extended, so a hung Redis costs a request one deadline, not two.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration as CookieDuration;
use deadpool_redis::redis::AsyncCommands;

use super::crypto::random_token;

type State = HashMap<String, String>;

/// The reserved state key holding the absolute deadline (Unix ms).
const DEADLINE_KEY: &str = "_absolute_deadline_ms";

/// The reserved state key that marks a session the store could not read: the request gets a
/// clear "session store unavailable" page instead of an empty 500 or a hang.
pub const UNAVAILABLE_KEY: &str = "_store_unavailable";

fn now_ms() -> i64 {
    crate::clock::now_ms()
}

fn new_key() -> SessionKey {
    SessionKey::try_from(random_token(32)).expect("a 43-character key is valid")
}

fn to_std(ttl: &CookieDuration) -> Duration {
    Duration::from_secs(ttl.whole_seconds().max(1) as u64)
}

fn expired(state: &State) -> bool {
    state
        .get(DEADLINE_KEY)
        .and_then(|v| v.parse::<i64>().ok())
        .is_some_and(|deadline| deadline <= now_ms())
}

/// The in-memory store. Only for one console process: replicas do not share it.
#[derive(Clone)]
pub struct MemoryStore {
    inner: Arc<Mutex<HashMap<String, (State, Instant)>>>,
    absolute: Duration,
}

impl MemoryStore {
    /// A store whose sessions end `absolute` after sign-in at the latest.
    pub fn new(absolute: Duration) -> Self {
        Self {
            inner: Arc::new(Mutex::new(HashMap::new())),
            absolute,
        }
    }

    /// The number of live sessions (expired ones are dropped first).
    pub fn active(&self) -> usize {
        let mut map = self.inner.lock().expect("session map lock");
        let now = Instant::now();
        map.retain(|_, (state, idle_deadline)| *idle_deadline > now && !expired(state));
        map.len()
    }
}

impl SessionStore for MemoryStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        let mut map = self.inner.lock().expect("session map lock");
        match map.get(key.as_ref()) {
            Some((state, idle_deadline)) if *idle_deadline > Instant::now() && !expired(state) => {
                Ok(Some(state.clone()))
            }
            Some(_) => {
                map.remove(key.as_ref());
                Ok(None)
            }
            None => Ok(None),
        }
    }

    async fn save(&self, mut state: State, ttl: &CookieDuration) -> Result<SessionKey, SaveError> {
        let key = new_key();
        state.insert(
            DEADLINE_KEY.to_owned(),
            (now_ms() + self.absolute.as_millis() as i64).to_string(),
        );
        self.inner.lock().expect("session map lock").insert(
            key.as_ref().to_owned(),
            (state, Instant::now() + to_std(ttl)),
        );
        Ok(key)
    }

    async fn update(
        &self,
        key: SessionKey,
        mut state: State,
        ttl: &CookieDuration,
    ) -> Result<SessionKey, UpdateError> {
        let mut map = self.inner.lock().expect("session map lock");
        if let Some((old, idle_deadline)) = map.get_mut(key.as_ref()) {
            if let Some(deadline) = old.get(DEADLINE_KEY).cloned() {
                state.insert(DEADLINE_KEY.to_owned(), deadline);
            }
            *old = state;
            *idle_deadline = Instant::now() + to_std(ttl);
        }
        // A key that is gone (signed out, expired) stays gone.
        Ok(key)
    }

    async fn update_ttl(
        &self,
        key: &SessionKey,
        ttl: &CookieDuration,
    ) -> Result<(), anyhow::Error> {
        if let Some((_, idle_deadline)) = self
            .inner
            .lock()
            .expect("session map lock")
            .get_mut(key.as_ref())
        {
            *idle_deadline = Instant::now() + to_std(ttl);
        }
        Ok(())
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        self.inner
            .lock()
            .expect("session map lock")
            .remove(key.as_ref());
        Ok(())
    }
}

/// The Redis store. Keys are `dms-console:session:<key>`; values are the JSON state.
#[derive(Clone)]
pub struct RedisStore {
    pool: deadpool_redis::Pool,
    absolute: Duration,
    timeout: Duration,
    health: Arc<Health>,
}

/// What the Redis store knows about Redis's recent answers.
#[derive(Default)]
struct Health {
    /// Whether the last operation failed.
    failing: AtomicBool,
    /// Why the last operation failed.
    last_failure: Mutex<Option<String>>,
    /// Failed operations by name, for `/metrics`.
    failures: Mutex<BTreeMap<&'static str, u64>>,
}

impl RedisStore {
    /// A store on `url` whose operations each give up after `timeout`; fails when the URL is
    /// malformed (not when Redis is down).
    pub fn new(url: &str, absolute: Duration, timeout: Duration) -> Result<Self, String> {
        let mut config = deadpool_redis::Config::from_url(url);
        config.pool = Some(deadpool_redis::PoolConfig {
            max_size: 16,
            timeouts: deadpool_redis::Timeouts {
                wait: Some(timeout),
                create: Some(timeout),
                recycle: Some(timeout),
            },
            ..Default::default()
        });
        let pool = config
            .create_pool(Some(deadpool_redis::Runtime::Tokio1))
            .map_err(|e| format!("session.redis_url `{url}`: {e}"))?;
        Ok(Self {
            pool,
            absolute,
            timeout,
            health: Arc::default(),
        })
    }

    fn key(key: &str) -> String {
        format!("dms-console:session:{key}")
    }

    /// Runs `work` on a pooled connection within one deadline for both (a hung Redis would
    /// otherwise cost one timeout to recycle the connection and another for the command),
    /// recording the outcome under `operation`.
    async fn run<T>(
        &self,
        operation: &'static str,
        work: impl AsyncFnOnce(
            &mut deadpool_redis::Connection,
        ) -> Result<T, deadpool_redis::redis::RedisError>,
    ) -> Result<T, anyhow::Error> {
        let attempt = async {
            let mut connection = self.pool.get().await?;
            Ok::<T, anyhow::Error>(work(&mut connection).await?)
        };
        let result = match tokio::time::timeout(self.timeout, attempt).await {
            Ok(result) => result,
            Err(_) => Err(anyhow::anyhow!(
                "Redis did not answer within {} ms",
                self.timeout.as_millis()
            )),
        };
        match &result {
            Ok(_) => self.health.failing.store(false, Ordering::Relaxed),
            Err(error) => {
                self.health.failing.store(true, Ordering::Relaxed);
                *self.health.last_failure.lock().expect("health lock") = Some(error.to_string());
                *self
                    .health
                    .failures
                    .lock()
                    .expect("health lock")
                    .entry(operation)
                    .or_default() += 1;
            }
        }
        result
    }

    /// Why the last Redis operation failed, when it did.
    pub fn last_failure(&self) -> Option<String> {
        if self.health.failing.load(Ordering::Relaxed) {
            self.health
                .last_failure
                .lock()
                .expect("health lock")
                .clone()
        } else {
            None
        }
    }

    /// Failed operations so far, by name (`load`, `save`, `update`, `extend`, `delete`,
    /// `ping`, `count`).
    pub fn failures(&self) -> Vec<(&'static str, u64)> {
        self.health
            .failures
            .lock()
            .expect("health lock")
            .iter()
            .map(|(operation, count)| (*operation, *count))
            .collect()
    }

    /// Whether Redis answers a PING (readiness).
    pub async fn ping(&self) -> bool {
        self.run("ping", async |c| {
            deadpool_redis::redis::cmd("PING")
                .query_async::<String>(c)
                .await
        })
        .await
        .is_ok()
    }

    /// The number of sessions in Redis.
    pub async fn active(&self) -> Option<usize> {
        // SCAN in batches rather than KEYS, which blocks Redis while it walks every key.
        self.run("count", async |c| {
            let mut cursor: u64 = 0;
            let mut count = 0;
            loop {
                let (next, keys): (u64, Vec<String>) = deadpool_redis::redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg("dms-console:session:*")
                    .arg("COUNT")
                    .arg(500)
                    .query_async(c)
                    .await?;
                count += keys.len();
                if next == 0 {
                    return Ok(count);
                }
                cursor = next;
            }
        })
        .await
        .ok()
    }
}

impl SessionStore for RedisStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        let redis_key = Self::key(key.as_ref());
        let value: Option<String> = match self.run("load", async |c| c.get(&redis_key).await).await
        {
            Ok(value) => value,
            Err(error) => {
                tracing::error!(error = %error, "the Redis session store does not answer");
                return Ok(Some(State::from([(
                    UNAVAILABLE_KEY.to_owned(),
                    serde_json::to_string(&error.to_string()).unwrap_or_default(),
                )])));
            }
        };
        let Some(value) = value else { return Ok(None) };
        let state: State =
            serde_json::from_str(&value).map_err(|e| LoadError::Deserialization(e.into()))?;
        if expired(&state) {
            let _ = self
                .run("delete", async |c| c.del::<_, ()>(&redis_key).await)
                .await;
            return Ok(None);
        }
        Ok(Some(state))
    }

    async fn save(&self, mut state: State, ttl: &CookieDuration) -> Result<SessionKey, SaveError> {
        state.insert(
            DEADLINE_KEY.to_owned(),
            (now_ms() + self.absolute.as_millis() as i64).to_string(),
        );
        let value =
            serde_json::to_string(&state).map_err(|e| SaveError::Serialization(e.into()))?;
        let key = new_key();
        let redis_key = Self::key(key.as_ref());
        let seconds = to_std(ttl).as_secs();
        let stored: Option<String> = self
            .run("save", async |c| {
                deadpool_redis::redis::cmd("SET")
                    .arg(&redis_key)
                    .arg(&value)
                    .arg("NX")
                    .arg("EX")
                    .arg(seconds)
                    .query_async(c)
                    .await
            })
            .await
            .map_err(SaveError::Other)?;
        if stored.is_none() {
            return Err(SaveError::Other(anyhow::anyhow!("session key collision")));
        }
        Ok(key)
    }

    async fn update(
        &self,
        key: SessionKey,
        mut state: State,
        ttl: &CookieDuration,
    ) -> Result<SessionKey, UpdateError> {
        let redis_key = Self::key(key.as_ref());
        let old: Option<String> = self
            .run("update", async |c| c.get(&redis_key).await)
            .await
            .map_err(UpdateError::Other)?;
        let Some(old) = old else {
            // Signed out or expired meanwhile: never recreate it.
            return Ok(key);
        };
        if let Ok(old) = serde_json::from_str::<State>(&old)
            && let Some(deadline) = old.get(DEADLINE_KEY)
        {
            state.insert(DEADLINE_KEY.to_owned(), deadline.clone());
        }
        let value =
            serde_json::to_string(&state).map_err(|e| UpdateError::Serialization(e.into()))?;
        let seconds = to_std(ttl).as_secs();
        // XX: only if the key still exists, so a concurrent sign-out wins.
        let _: Option<String> = self
            .run("update", async |c| {
                deadpool_redis::redis::cmd("SET")
                    .arg(&redis_key)
                    .arg(&value)
                    .arg("XX")
                    .arg("EX")
                    .arg(seconds)
                    .query_async(c)
                    .await
            })
            .await
            .map_err(UpdateError::Other)?;
        Ok(key)
    }

    async fn update_ttl(
        &self,
        key: &SessionKey,
        ttl: &CookieDuration,
    ) -> Result<(), anyhow::Error> {
        // Redis failed the last operation, which for this request is its own load: the page
        // already says sessions are unavailable, and waiting for a second timeout would only
        // double the wait for it.
        if self.health.failing.load(Ordering::Relaxed) {
            return Ok(());
        }
        let redis_key = Self::key(key.as_ref());
        let seconds = to_std(ttl).as_secs() as i64;
        // EXPIRE on a missing key does nothing. A failure only means the idle timeout was not
        // extended this time, so it is logged rather than failing the request.
        if let Err(error) = self
            .run("extend", async |c| {
                c.expire::<_, ()>(&redis_key, seconds).await
            })
            .await
        {
            tracing::warn!(error = %error, "could not extend a session's idle timeout");
        }
        Ok(())
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        let redis_key = Self::key(key.as_ref());
        self.run("delete", async |c| c.del::<_, ()>(&redis_key).await)
            .await
    }
}

/// The configured store.
#[derive(Clone)]
pub enum Store {
    /// In memory.
    Memory(MemoryStore),
    /// In Redis.
    Redis(RedisStore),
}

impl Store {
    /// The number of live sessions, when it can be counted.
    pub async fn active(&self) -> Option<usize> {
        match self {
            Self::Memory(store) => Some(store.active()),
            Self::Redis(store) => store.active().await,
        }
    }

    /// Why the store's last operation failed, when it did (the memory store never fails).
    pub fn last_failure(&self) -> Option<String> {
        match self {
            Self::Memory(_) => None,
            Self::Redis(store) => store.last_failure(),
        }
    }

    /// Failed operations by name (none for the memory store).
    pub fn failures(&self) -> Vec<(&'static str, u64)> {
        match self {
            Self::Memory(_) => Vec::new(),
            Self::Redis(store) => store.failures(),
        }
    }
}

impl SessionStore for Store {
    async fn load(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        match self {
            Self::Memory(s) => s.load(key).await,
            Self::Redis(s) => s.load(key).await,
        }
    }
    async fn save(&self, state: State, ttl: &CookieDuration) -> Result<SessionKey, SaveError> {
        match self {
            Self::Memory(s) => s.save(state, ttl).await,
            Self::Redis(s) => s.save(state, ttl).await,
        }
    }
    async fn update(
        &self,
        key: SessionKey,
        state: State,
        ttl: &CookieDuration,
    ) -> Result<SessionKey, UpdateError> {
        match self {
            Self::Memory(s) => s.update(key, state, ttl).await,
            Self::Redis(s) => s.update(key, state, ttl).await,
        }
    }
    async fn update_ttl(
        &self,
        key: &SessionKey,
        ttl: &CookieDuration,
    ) -> Result<(), anyhow::Error> {
        match self {
            Self::Memory(s) => s.update_ttl(key, ttl).await,
            Self::Redis(s) => s.update_ttl(key, ttl).await,
        }
    }
    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        match self {
            Self::Memory(s) => s.delete(key).await,
            Self::Redis(s) => s.delete(key).await,
        }
    }
}
