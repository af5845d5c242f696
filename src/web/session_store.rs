//! Server-side session stores for actix-session: one in memory (a single process) and one in
//! Redis (several replicas), and what the sessions page needs of them: every live session
//! with when it was last seen, ending one, and at most `session.max_per_user` sessions per
//! user (the oldest ended at sign-in).
//!
//! Both enforce the absolute timeout themselves (actix-session has none), and neither ever
//! brings back a session that sign-out deleted: `update` and `update_ttl` only touch a key
//! that still exists. The sign-in writes an index entry (user and sign-in id) into the state,
//! which the store files the session under; "last seen" is kept beside the session and set
//! where the idle timeout is extended, so ordinary requests never rewrite the state. In Redis
//! each operation has one deadline (`session.redis_timeout_ms`, see `shared`); while the last
//! operation failed (the request's own load, typically) the idle timeout is not extended, so
//! a hung Redis costs a request one deadline, not two.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration as CookieDuration;
use deadpool_redis::redis::{AsyncCommands, Script};
use serde::{Deserialize, Serialize};

use super::crypto::random_token;
use super::shared::{Redis, now_ms};

type State = HashMap<String, String>;

/// The reserved state key holding the absolute deadline (Unix ms).
const DEADLINE_KEY: &str = "_absolute_deadline_ms";

/// The reserved state key that marks a session the store could not read: the request gets a
/// clear "session store unavailable" page instead of an empty 500 or a hang.
pub const UNAVAILABLE_KEY: &str = "_store_unavailable";

/// The state key of a session's [`IndexEntry`], written at sign-in.
pub const INDEX_KEY: &str = "_index";

/// Who a session belongs to, as the store files it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// The user's name.
    pub user: String,
    /// The sign-in's random id (what the sessions page names a session by; never the key).
    pub sid: String,
}

/// A live session as the sessions page sees it.
#[derive(Debug, Clone)]
pub struct LiveSession {
    /// Its state (the sign-in's record among it).
    pub state: State,
    /// Who it belongs to.
    pub index: IndexEntry,
    /// When a request last extended its idle timeout (Unix ms).
    pub last_seen_ms: i64,
}

fn index_of(state: &State) -> Option<IndexEntry> {
    let text: String = serde_json::from_str(state.get(INDEX_KEY)?).ok()?;
    serde_json::from_str(&text).ok()
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

/// One session held in memory.
struct Held {
    state: State,
    idle_deadline: Instant,
    signed_in_ms: i64,
    last_seen_ms: i64,
    index: Option<IndexEntry>,
}

impl Held {
    fn live(&self, now: Instant) -> bool {
        self.idle_deadline > now && !expired(&self.state)
    }
}

/// The in-memory store. Only for one console process: replicas do not share it.
#[derive(Clone)]
pub struct MemoryStore {
    inner: Arc<Mutex<HashMap<String, Held>>>,
    absolute: Duration,
    max_per_user: usize,
}

impl MemoryStore {
    /// A store whose sessions end `absolute` after sign-in at the latest, holding at most
    /// `max_per_user` sessions of one user (0: no limit).
    pub fn new(absolute: Duration, max_per_user: usize) -> Self {
        Self {
            inner: Arc::new(Mutex::new(HashMap::new())),
            absolute,
            max_per_user,
        }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Held>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The number of live sessions (expired ones are dropped first).
    pub fn active(&self) -> usize {
        let mut map = self.map();
        let now = Instant::now();
        map.retain(|_, held| held.live(now));
        map.len()
    }

    /// Live sessions, of `user` only when given, oldest sign-in first.
    pub fn list(&self, user: Option<&str>) -> Vec<LiveSession> {
        let mut map = self.map();
        let now = Instant::now();
        map.retain(|_, held| held.live(now));
        let mut found: Vec<(i64, LiveSession)> = map
            .values()
            .filter_map(|held| {
                let index = held.index.clone()?;
                user.is_none_or(|u| u == index.user).then(|| {
                    (
                        held.signed_in_ms,
                        LiveSession {
                            state: held.state.clone(),
                            index,
                            last_seen_ms: held.last_seen_ms,
                        },
                    )
                })
            })
            .collect();
        found.sort_by_key(|(at, _)| *at);
        found.into_iter().map(|(_, s)| s).collect()
    }

    /// Ends the sessions matching `which`; returns how many.
    fn end_where(&self, which: impl Fn(&IndexEntry) -> bool) -> usize {
        let mut map = self.map();
        let before = map.len();
        map.retain(|_, held| !held.index.as_ref().is_some_and(&which));
        before - map.len()
    }
}

impl SessionStore for MemoryStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        let mut map = self.map();
        match map.get(key.as_ref()) {
            Some(held) if held.live(Instant::now()) => Ok(Some(held.state.clone())),
            Some(_) => {
                map.remove(key.as_ref());
                Ok(None)
            }
            None => Ok(None),
        }
    }

    async fn save(&self, mut state: State, ttl: &CookieDuration) -> Result<SessionKey, SaveError> {
        let key = new_key();
        let now = now_ms();
        state.insert(
            DEADLINE_KEY.to_owned(),
            (now + self.absolute.as_millis() as i64).to_string(),
        );
        let index = index_of(&state);
        let mut map = self.map();
        map.insert(
            key.as_ref().to_owned(),
            Held {
                state,
                idle_deadline: Instant::now() + to_std(ttl),
                signed_in_ms: now,
                last_seen_ms: now,
                index: index.clone(),
            },
        );
        if let Some(index) = index
            && self.max_per_user > 0
        {
            let moment = Instant::now();
            let mut theirs: Vec<(i64, String)> = map
                .iter()
                .filter(|(k, held)| {
                    k.as_str() != key.as_ref()
                        && held.live(moment)
                        && held.index.as_ref().is_some_and(|i| i.user == index.user)
                })
                .map(|(k, held)| (held.signed_in_ms, k.clone()))
                .collect();
            // The new session counts too: keep max - 1 of the others, the newest.
            if theirs.len() >= self.max_per_user {
                theirs.sort();
                let excess = theirs.len() + 1 - self.max_per_user;
                for (_, old) in theirs.into_iter().take(excess) {
                    map.remove(&old);
                }
            }
        }
        Ok(key)
    }

    async fn update(
        &self,
        key: SessionKey,
        mut state: State,
        ttl: &CookieDuration,
    ) -> Result<SessionKey, UpdateError> {
        let mut map = self.map();
        if let Some(held) = map.get_mut(key.as_ref()) {
            if let Some(deadline) = held.state.get(DEADLINE_KEY).cloned() {
                state.insert(DEADLINE_KEY.to_owned(), deadline);
            }
            held.index = index_of(&state).or(held.index.take());
            held.state = state;
            held.idle_deadline = Instant::now() + to_std(ttl);
            held.last_seen_ms = now_ms();
        }
        // A key that is gone (signed out, ended, expired) stays gone.
        Ok(key)
    }

    async fn update_ttl(
        &self,
        key: &SessionKey,
        ttl: &CookieDuration,
    ) -> Result<(), anyhow::Error> {
        if let Some(held) = self.map().get_mut(key.as_ref()) {
            held.idle_deadline = Instant::now() + to_std(ttl);
            held.last_seen_ms = now_ms();
        }
        Ok(())
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        self.map().remove(key.as_ref());
        Ok(())
    }
}

/// Saves a new session, files it under its user and ends the user's oldest sessions beyond
/// the limit, in one step (so two replicas signing the same user in at once cannot both
/// leave one too many).
///
/// KEYS: the session, its "last seen", the index of all sessions, the user's index.
/// ARGV: the state, its idle TTL in seconds, now (ms), the session's id, the limit (0: none),
/// the prefix of session keys, the prefix of "last seen" keys, how long (ms) an index is
/// kept after its last sign-in, whether the session has a user.
const SAVE_SCRIPT: &str = r#"
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return -1 end
redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[8])
local ended = 0
if ARGV[9] == '1' then
  redis.call('ZADD', KEYS[4], ARGV[3], ARGV[4])
  local members = redis.call('ZRANGE', KEYS[4], 0, -1)
  local live = {}
  for _, m in ipairs(members) do
    if redis.call('EXISTS', ARGV[6] .. m) == 0 then
      redis.call('ZREM', KEYS[4], m)
      redis.call('ZREM', KEYS[3], m)
    elseif m ~= ARGV[4] then
      table.insert(live, m)
    end
  end
  local limit = tonumber(ARGV[5])
  if limit > 0 and #live + 1 > limit then
    for i = 1, #live + 1 - limit do
      local m = live[i]
      redis.call('DEL', ARGV[6] .. m, ARGV[7] .. m)
      redis.call('ZREM', KEYS[4], m)
      redis.call('ZREM', KEYS[3], m)
      ended = ended + 1
    end
  end
  redis.call('PEXPIRE', KEYS[4], ARGV[8])
end
return ended
"#;

/// Extends a session's idle timeout and notes when it was seen, if it still exists.
/// KEYS: the session, its "last seen". ARGV: the idle TTL in seconds, now (ms).
const EXTEND_SCRIPT: &str = r#"
if redis.call('EXPIRE', KEYS[1], ARGV[1]) == 1 then
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[1])
end
return 0
"#;

fn script(cell: &'static OnceLock<Script>, source: &str) -> &'static Script {
    cell.get_or_init(|| Script::new(source))
}

/// The Redis store. A session is `<prefix>:session:<key>` (the JSON state), with
/// `<prefix>:seen:<key>` beside it; `<prefix>:sessions` and `<prefix>:user-sessions:<user>`
/// index them by sign-in time.
#[derive(Clone)]
pub struct RedisStore {
    redis: Redis,
    absolute: Duration,
    max_per_user: usize,
}

impl RedisStore {
    /// A store on `redis` whose sessions end `absolute` after sign-in at the latest, holding
    /// at most `max_per_user` sessions of one user (0: no limit).
    pub fn new(redis: Redis, absolute: Duration, max_per_user: usize) -> Self {
        Self {
            redis,
            absolute,
            max_per_user,
        }
    }

    /// The shared Redis.
    pub fn redis(&self) -> &Redis {
        &self.redis
    }

    fn session_key(&self, key: &str) -> String {
        self.redis.key("session", key)
    }

    fn seen_key(&self, key: &str) -> String {
        self.redis.key("seen", key)
    }

    fn all_index(&self) -> String {
        format!("{}:sessions", self.redis.prefix())
    }

    fn user_index(&self, user: &str) -> String {
        self.redis.key("user-sessions", user)
    }

    /// Why the last Redis operation failed, when it did.
    pub fn last_failure(&self) -> Option<String> {
        self.redis.last_failure()
    }

    /// Failed operations so far, by name (`load`, `save`, `update`, `extend`, `delete`,
    /// `ping`, `count`, `list`, `end`, and those of the other shared state).
    pub fn failures(&self) -> Vec<(&'static str, u64)> {
        self.redis.failures()
    }

    /// Whether Redis answers a PING (readiness).
    pub async fn ping(&self) -> bool {
        self.redis.ping().await
    }

    /// The number of sessions in Redis.
    pub async fn active(&self) -> Option<usize> {
        let pattern = format!("{}:session:*", self.redis.prefix());
        // SCAN in batches rather than KEYS, which blocks Redis while it walks every key.
        self.redis
            .run("count", async |c| {
                let mut cursor: u64 = 0;
                let mut count = 0;
                loop {
                    let (next, keys): (u64, Vec<String>) = deadpool_redis::redis::cmd("SCAN")
                        .arg(cursor)
                        .arg("MATCH")
                        .arg(&pattern)
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

    /// Live sessions, of `user` only when given, oldest sign-in first, with their Redis ids;
    /// index entries whose session has gone are removed on the way.
    async fn list_keyed(
        &self,
        user: Option<&str>,
    ) -> Result<Vec<(String, LiveSession)>, anyhow::Error> {
        let index = match user {
            Some(user) => self.user_index(user),
            None => self.all_index(),
        };
        let all = self.all_index();
        let oldest = now_ms() - self.absolute.as_millis() as i64;
        let ids: Vec<String> = self
            .redis
            .run("list", async |c| {
                // Nothing signed in before the absolute timeout can still be live.
                let _: () = c.zrembyscore(&index, "-inf", oldest).await?;
                c.zrange(&index, 0, -1).await
            })
            .await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let session_keys: Vec<String> = ids.iter().map(|id| self.session_key(id)).collect();
        let seen_keys: Vec<String> = ids.iter().map(|id| self.seen_key(id)).collect();
        let (values, seen): (Vec<Option<String>>, Vec<Option<i64>>) = self
            .redis
            .run("list", async |c| {
                let values = deadpool_redis::redis::cmd("MGET")
                    .arg(&session_keys)
                    .query_async(c)
                    .await?;
                let seen = deadpool_redis::redis::cmd("MGET")
                    .arg(&seen_keys)
                    .query_async(c)
                    .await?;
                Ok((values, seen))
            })
            .await?;
        let mut live = Vec::new();
        let mut gone = Vec::new();
        for ((id, value), seen) in ids.into_iter().zip(values).zip(seen) {
            let state = value.and_then(|v| serde_json::from_str::<State>(&v).ok());
            match state {
                Some(state) if !expired(&state) => {
                    if let Some(index) = index_of(&state) {
                        live.push((
                            id,
                            LiveSession {
                                last_seen_ms: seen.unwrap_or_default(),
                                state,
                                index,
                            },
                        ));
                    }
                }
                _ => gone.push(id),
            }
        }
        if !gone.is_empty() {
            let _ = self
                .redis
                .run("list", async |c| {
                    let _: () = c.zrem(&index, &gone).await?;
                    c.zrem::<_, _, ()>(&all, &gone).await
                })
                .await;
        }
        Ok(live)
    }

    /// Deletes the sessions with Redis ids `ids`.
    async fn end_ids(&self, ids: &[String]) -> Result<usize, anyhow::Error> {
        if ids.is_empty() {
            return Ok(0);
        }
        let mut keys: Vec<String> = ids.iter().map(|id| self.session_key(id)).collect();
        keys.extend(ids.iter().map(|id| self.seen_key(id)));
        let all = self.all_index();
        self.redis
            .run("end", async |c| {
                let _: () = c.del(&keys).await?;
                c.zrem::<_, _, ()>(&all, ids).await
            })
            .await?;
        Ok(ids.len())
    }
}

impl SessionStore for RedisStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        let redis_key = self.session_key(key.as_ref());
        let value: Option<String> = match self
            .redis
            .run("load", async |c| c.get(&redis_key).await)
            .await
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
                .redis
                .run("delete", async |c| c.del::<_, ()>(&redis_key).await)
                .await;
            return Ok(None);
        }
        Ok(Some(state))
    }

    async fn save(&self, mut state: State, ttl: &CookieDuration) -> Result<SessionKey, SaveError> {
        let now = now_ms();
        state.insert(
            DEADLINE_KEY.to_owned(),
            (now + self.absolute.as_millis() as i64).to_string(),
        );
        let value =
            serde_json::to_string(&state).map_err(|e| SaveError::Serialization(e.into()))?;
        let key = new_key();
        let id = key.as_ref().to_owned();
        let index = index_of(&state);
        let user_index = index
            .as_ref()
            .map(|i| self.user_index(&i.user))
            .unwrap_or_else(|| self.redis.key("user-sessions", ""));
        static SAVE: OnceLock<Script> = OnceLock::new();
        let mut invocation = script(&SAVE, SAVE_SCRIPT).prepare_invoke();
        invocation
            .key(self.session_key(&id))
            .key(self.seen_key(&id))
            .key(self.all_index())
            .key(user_index)
            .arg(&value)
            .arg(to_std(ttl).as_secs())
            .arg(now)
            .arg(&id)
            .arg(self.max_per_user)
            .arg(self.redis.key("session", ""))
            .arg(self.redis.key("seen", ""))
            .arg(self.absolute.as_millis() as u64)
            .arg(if index.is_some() { "1" } else { "0" });
        let ended: i64 = self
            .redis
            .run("save", async |c| invocation.invoke_async(c).await)
            .await
            .map_err(SaveError::Other)?;
        if ended < 0 {
            return Err(SaveError::Other(anyhow::anyhow!("session key collision")));
        }
        if ended > 0
            && let Some(index) = &index
        {
            tracing::info!(user = %index.user, ended, "ended the user's oldest sessions (session.max_per_user)");
        }
        Ok(key)
    }

    async fn update(
        &self,
        key: SessionKey,
        mut state: State,
        ttl: &CookieDuration,
    ) -> Result<SessionKey, UpdateError> {
        let redis_key = self.session_key(key.as_ref());
        let old: Option<String> = self
            .redis
            .run("update", async |c| c.get(&redis_key).await)
            .await
            .map_err(UpdateError::Other)?;
        let Some(old) = old else {
            // Signed out or ended meanwhile: never recreate it.
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
        let seen_key = self.seen_key(key.as_ref());
        // XX: only if the key still exists, so a concurrent sign-out wins.
        let _: Option<String> = self
            .redis
            .run("update", async |c| {
                let stored: Option<String> = deadpool_redis::redis::cmd("SET")
                    .arg(&redis_key)
                    .arg(&value)
                    .arg("XX")
                    .arg("EX")
                    .arg(seconds)
                    .query_async(c)
                    .await?;
                if stored.is_some() {
                    let _: () = c.set_ex(&seen_key, now_ms(), seconds).await?;
                }
                Ok(stored)
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
        if self.redis.failing() {
            return Ok(());
        }
        static EXTEND: OnceLock<Script> = OnceLock::new();
        let mut invocation = script(&EXTEND, EXTEND_SCRIPT).prepare_invoke();
        invocation
            .key(self.session_key(key.as_ref()))
            .key(self.seen_key(key.as_ref()))
            .arg(to_std(ttl).as_secs())
            .arg(now_ms());
        // A missing key is left alone. A failure only means the idle timeout was not extended
        // this time, so it is logged rather than failing the request.
        if let Err(error) = self
            .redis
            .run("extend", async |c| invocation.invoke_async::<i64>(c).await)
            .await
        {
            tracing::warn!(error = %error, "could not extend a session's idle timeout");
        }
        Ok(())
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        self.end_ids(&[key.as_ref().to_owned()]).await.map(|_| ())
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

    /// Live sessions, of `user` only when given, oldest sign-in first.
    pub async fn list(&self, user: Option<&str>) -> Result<Vec<LiveSession>, anyhow::Error> {
        match self {
            Self::Memory(store) => Ok(store.list(user)),
            Self::Redis(store) => Ok(store
                .list_keyed(user)
                .await?
                .into_iter()
                .map(|(_, s)| s)
                .collect()),
        }
    }

    /// Ends the session of sign-in `sid` (only if it is `user`'s, when given); returns how
    /// many sessions ended (0 or 1). Its next request, on any replica, is asked to sign in.
    pub async fn end(&self, user: Option<&str>, sid: &str) -> Result<usize, anyhow::Error> {
        let mine = |index: &IndexEntry| index.sid == sid && user.is_none_or(|u| u == index.user);
        match self {
            Self::Memory(store) => Ok(store.end_where(mine)),
            Self::Redis(store) => {
                let ids: Vec<String> = store
                    .list_keyed(user)
                    .await?
                    .into_iter()
                    .filter(|(_, s)| mine(&s.index))
                    .map(|(id, _)| id)
                    .collect();
                store.end_ids(&ids).await
            }
        }
    }

    /// Ends every session of `user`, except the sign-in `keep` when given; returns how many.
    pub async fn end_user(&self, user: &str, keep: Option<&str>) -> Result<usize, anyhow::Error> {
        let which = |index: &IndexEntry| index.user == user && Some(index.sid.as_str()) != keep;
        match self {
            Self::Memory(store) => Ok(store.end_where(which)),
            Self::Redis(store) => {
                let ids: Vec<String> = store
                    .list_keyed(Some(user))
                    .await?
                    .into_iter()
                    .filter(|(_, s)| which(&s.index))
                    .map(|(id, _)| id)
                    .collect();
                store.end_ids(&ids).await
            }
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
