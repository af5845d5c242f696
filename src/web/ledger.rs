//! "Never sent twice": every change form carries a one-time operation id (`op`), and the
//! ledger lets each id reach DMS at most once per session.
//!
//! A form gets a fresh id when it is shown ([`new_op_id`]). When it is posted, [`Ledger::claim`]
//! records the id before anything is sent; a second post of the same id (a double click, a
//! retried request, the same form submitted from two tabs or to two replicas) finds it and is
//! answered with what became of the first, without calling DMS again. A form shown again after
//! a failure gets a new id, so the user can retry on purpose.
//!
//! An id is remembered for a day. With the memory backend the ledger is bounded (the oldest
//! ids go first beyond 100,000); with Redis every replica shares it (`<prefix>:op:<sid>:<op>`,
//! expiring after a day) and it survives restarts. When Redis does not answer, a claim fails
//! and nothing is sent.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use deadpool_redis::redis::{AsyncCommands, Script};

use super::crypto::random_token;
use super::shared::Redis;

/// How long an operation id is remembered.
const KEEP: Duration = Duration::from_secs(24 * 3600);
/// How many operation ids the memory backend remembers at most.
const CAPACITY: usize = 100_000;

/// A fresh operation id for a form.
pub fn new_op_id() -> String {
    random_token(16)
}

/// Whether an operation id looks like one the console issued.
pub fn is_op_id(text: &str) -> bool {
    (16..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What became of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpState {
    /// Sent and not answered yet.
    InFlight,
    /// DMS accepted it.
    Done,
    /// DMS refused it.
    Failed,
    /// No readable answer arrived: it may or may not have happened.
    Unknown,
}

impl OpState {
    /// The catalogue key that says so.
    pub fn message_key(self) -> &'static str {
        match self {
            Self::InFlight => "op-already-in-flight",
            Self::Done => "op-already-done",
            Self::Failed => "op-already-failed",
            Self::Unknown => "op-already-unknown",
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::InFlight => "in_flight",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Unknown => "unknown",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "done" => Self::Done,
            "failed" => Self::Failed,
            "in_flight" => Self::InFlight,
            // Anything else cannot be trusted either way.
            _ => Self::Unknown,
        }
    }
}

/// The answer to a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// First time: go ahead.
    Fresh,
    /// Seen before: what became of it.
    Seen(OpState),
}

/// Why a claim could not be made: the shared ledger does not answer.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the ledger of submitted changes does not answer: {0}")]
pub struct LedgerError(pub String);

/// Operation ids by session, with what became of each.
pub struct Ledger {
    backend: Backend,
}

enum Backend {
    Memory(Mutex<Inner>),
    Redis(Redis),
}

#[derive(Default)]
struct Inner {
    states: HashMap<String, OpState>,
    order: VecDeque<(Instant, String)>,
}

impl Inner {
    /// Forgets the operations older than [`KEEP`], and the oldest while it is full.
    fn expire(&mut self, now: Instant) {
        while let Some((at, _)) = self.order.front()
            && (now.duration_since(*at) > KEEP || self.order.len() >= CAPACITY)
        {
            if let Some((_, old)) = self.order.pop_front() {
                self.states.remove(&old);
            }
        }
    }
}

impl Default for Ledger {
    fn default() -> Self {
        Self::in_memory()
    }
}

/// Claims an operation id: sets it "in flight" unless it exists, else answers its state.
/// KEYS: the id's key. ARGV: how long it is kept (seconds).
const CLAIM_SCRIPT: &str = r#"
if redis.call('SET', KEYS[1], 'in_flight', 'NX', 'EX', ARGV[1]) then return '' end
return redis.call('GET', KEYS[1]) or 'unknown'
"#;

/// Claims every key at once (a script runs alone in Redis): for each, `''` when this call
/// claimed it, else what became of it.
const CLAIM_ALL_SCRIPT: &str = r#"
local seen = {}
for i, key in ipairs(KEYS) do
  if redis.call('SET', key, 'in_flight', 'NX', 'EX', ARGV[1]) then
    seen[i] = ''
  else
    seen[i] = redis.call('GET', key) or 'unknown'
  end
end
return seen
"#;

impl Ledger {
    /// A ledger in this process's memory.
    pub fn in_memory() -> Self {
        Self {
            backend: Backend::Memory(Mutex::default()),
        }
    }

    /// A ledger every replica shares, in `redis`.
    pub fn in_redis(redis: Redis) -> Self {
        Self {
            backend: Backend::Redis(redis),
        }
    }

    fn key(sid: &str, op: &str) -> String {
        format!("{sid}:{op}")
    }

    fn inner(mutex: &Mutex<Inner>) -> std::sync::MutexGuard<'_, Inner> {
        mutex.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Claims `op` for the session `sid`: `Fresh` exactly once, across replicas too.
    pub async fn claim(&self, sid: &str, op: &str) -> Result<Claim, LedgerError> {
        let key = Self::key(sid, op);
        match &self.backend {
            Backend::Memory(mutex) => {
                let mut inner = Self::inner(mutex);
                let now = Instant::now();
                inner.expire(now);
                if let Some(state) = inner.states.get(&key) {
                    return Ok(Claim::Seen(*state));
                }
                inner.states.insert(key.clone(), OpState::InFlight);
                inner.order.push_back((now, key));
                Ok(Claim::Fresh)
            }
            Backend::Redis(redis) => {
                static CLAIM: OnceLock<Script> = OnceLock::new();
                let script = CLAIM.get_or_init(|| Script::new(CLAIM_SCRIPT));
                let mut invocation = script.prepare_invoke();
                invocation.key(redis.key("op", &key)).arg(KEEP.as_secs());
                let seen: String = redis
                    .run("ledger", async |c| invocation.invoke_async(c).await)
                    .await
                    .map_err(|e| LedgerError(e.to_string()))?;
                Ok(if seen.is_empty() {
                    Claim::Fresh
                } else {
                    Claim::Seen(OpState::parse(&seen))
                })
            }
        }
    }

    /// Claims every one of `ops` for `sid` at once (under one lock in memory, in one script in
    /// Redis): two submissions of overlapping sets never split them between each other.
    pub async fn claim_all(&self, sid: &str, ops: &[String]) -> Result<Vec<Claim>, LedgerError> {
        match &self.backend {
            Backend::Memory(mutex) => {
                let mut inner = Self::inner(mutex);
                let now = Instant::now();
                inner.expire(now);
                Ok(ops
                    .iter()
                    .map(|op| {
                        let key = Self::key(sid, op);
                        if let Some(state) = inner.states.get(&key) {
                            return Claim::Seen(*state);
                        }
                        inner.states.insert(key.clone(), OpState::InFlight);
                        inner.order.push_back((now, key));
                        Claim::Fresh
                    })
                    .collect())
            }
            Backend::Redis(redis) => {
                if ops.is_empty() {
                    return Ok(Vec::new());
                }
                static CLAIM_ALL: OnceLock<Script> = OnceLock::new();
                let script = CLAIM_ALL.get_or_init(|| Script::new(CLAIM_ALL_SCRIPT));
                let mut invocation = script.prepare_invoke();
                for op in ops {
                    invocation.key(redis.key("op", &Self::key(sid, op)));
                }
                invocation.arg(KEEP.as_secs());
                let seen: Vec<String> = redis
                    .run("ledger", async |c| invocation.invoke_async(c).await)
                    .await
                    .map_err(|e| LedgerError(e.to_string()))?;
                Ok(seen
                    .iter()
                    .map(|s| {
                        if s.is_empty() {
                            Claim::Fresh
                        } else {
                            Claim::Seen(OpState::parse(s))
                        }
                    })
                    .collect())
            }
        }
    }

    /// Records what became of `op`. (With Redis, a failure to record is logged: the id stays
    /// "in flight", so it is still never sent again.)
    pub async fn finish(&self, sid: &str, op: &str, state: OpState) {
        let key = Self::key(sid, op);
        match &self.backend {
            Backend::Memory(mutex) => {
                if let Some(entry) = Self::inner(mutex).states.get_mut(&key) {
                    *entry = state;
                }
            }
            Backend::Redis(redis) => {
                let redis_key = redis.key("op", &key);
                let result = redis
                    .run("ledger", async |c| {
                        deadpool_redis::redis::cmd("SET")
                            .arg(&redis_key)
                            .arg(state.as_str())
                            .arg("XX")
                            .arg("KEEPTTL")
                            .query_async::<Option<String>>(c)
                            .await
                    })
                    .await;
                if let Err(error) = result {
                    tracing::warn!(error = %error, op, "could not record what became of a change");
                }
            }
        }
    }

    /// Forgets `op`: nothing was sent, so the same form may be submitted again.
    pub async fn release(&self, sid: &str, op: &str) {
        let key = Self::key(sid, op);
        match &self.backend {
            Backend::Memory(mutex) => {
                Self::inner(mutex).states.remove(&key);
            }
            Backend::Redis(redis) => {
                let redis_key = redis.key("op", &key);
                if let Err(error) = redis
                    .run("ledger", async |c| c.del::<_, ()>(&redis_key).await)
                    .await
                {
                    tracing::warn!(error = %error, op, "could not release a change that was not sent");
                }
            }
        }
    }

    /// How many operations the memory backend remembers (0 with Redis).
    pub fn len(&self) -> usize {
        match &self.backend {
            Backend::Memory(mutex) => Self::inner(mutex).states.len(),
            Backend::Redis(_) => 0,
        }
    }

    /// Whether nothing is remembered in memory.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now<T>(future: impl std::future::Future<Output = T>) -> T {
        futures_util::FutureExt::now_or_never(future).expect("memory is ready")
    }

    #[test]
    fn an_operation_is_fresh_once_per_session() {
        let ledger = Ledger::default();
        let op = new_op_id();
        assert!(is_op_id(&op));
        assert_eq!(now(ledger.claim("s1", &op)).unwrap(), Claim::Fresh);
        assert_eq!(
            now(ledger.claim("s1", &op)).unwrap(),
            Claim::Seen(OpState::InFlight)
        );
        now(ledger.finish("s1", &op, OpState::Done));
        assert_eq!(
            now(ledger.claim("s1", &op)).unwrap(),
            Claim::Seen(OpState::Done)
        );
        assert_eq!(now(ledger.claim("s2", &op)).unwrap(), Claim::Fresh);
        now(ledger.release("s2", &op));
        assert_eq!(now(ledger.claim("s2", &op)).unwrap(), Claim::Fresh);
        let both = vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(
            now(ledger.claim_all("s3", &both)).unwrap(),
            [Claim::Fresh, Claim::Fresh]
        );
        let overlap = vec!["b".to_owned(), "c".to_owned()];
        assert_eq!(
            now(ledger.claim_all("s3", &overlap)).unwrap(),
            [Claim::Seen(OpState::InFlight), Claim::Fresh]
        );
        assert!(!is_op_id("short"));
        assert!(!is_op_id("has spaces in it, sixteen+"));
    }

    #[test]
    fn the_memory_ledger_is_bounded() {
        let ledger = Ledger::default();
        for _ in 0..CAPACITY + 10 {
            assert_eq!(now(ledger.claim("s", &new_op_id())).unwrap(), Claim::Fresh);
        }
        assert!(ledger.len() <= CAPACITY);
    }
}
