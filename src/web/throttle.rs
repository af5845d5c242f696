//! Sign-in throttling per account and per client address.
//!
//! Every attempt takes a slot under each of its keys *before* its password or upstream
//! credentials are checked, and the slot stays taken while the check runs. Counting only
//! failures that have already happened let a burst of parallel guesses through: all of them
//! passed the "too many failures?" test before the first one failed. Now at most
//! `max_failures` attempts per key are in flight or failed within the window; the rest are
//! refused at once. A success frees the key; an attempt abandoned before any check (a form
//! with empty fields) gives its slot back.
//!
//! The bookkeeping sits behind [`AttemptLedger`]: one process keeps it in memory
//! ([`MemoryLedger`], bounded in keys), replicas share it in Redis ([`RedisLedger`]), so N
//! replicas allow the same number of attempts as one.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use deadpool_redis::redis::Script;
use futures_util::future::BoxFuture;
use sha2::{Digest, Sha256};

use super::shared::{Redis, now_ms};

/// Why an attempt may not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Too many attempts: a slot frees up after this long.
    Wait(Duration),
    /// The shared ledger does not answer (Redis is down): nothing is checked.
    Unavailable(String),
}

/// What became of a reserved attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The credentials were wrong: the slot stays taken until the window has passed.
    Failed,
    /// The credentials were right: the keys' failures are forgotten.
    Succeeded,
    /// Nothing was checked (the form was incomplete): the slot is given back.
    Withdrawn,
}

/// Where attempts are counted. Implementations must reserve atomically over all keys (all
/// or none), so two concurrent attempts can never both take the last slot.
pub trait AttemptLedger: Send + Sync + 'static {
    /// Takes one slot under every key and returns a ticket for [`AttemptLedger::settle`], or
    /// says how long until a slot frees up.
    fn reserve<'a>(&'a self, keys: &'a [String]) -> BoxFuture<'a, Result<u64, Refusal>>;

    /// Settles the reservation `ticket` under `keys`. It runs from `Drop`, so it must not
    /// block: a ledger that talks to a server sends the update in the background.
    fn settle(&self, keys: &[String], ticket: u64, verdict: Verdict);
}

/// The sign-in throttle the handlers use.
#[derive(Clone)]
pub struct Throttle {
    ledger: Arc<dyn AttemptLedger>,
}

impl Throttle {
    /// A throttle over `ledger`.
    pub fn new(ledger: impl AttemptLedger) -> Self {
        Self {
            ledger: Arc::new(ledger),
        }
    }

    /// A throttle in this process's memory allowing `max_failures` per `window` per key.
    pub fn in_memory(max_failures: u32, window: Duration) -> Self {
        Self::new(MemoryLedger::new(max_failures, window))
    }

    /// A throttle shared by every replica through `redis`.
    pub fn in_redis(redis: Redis, max_failures: u32, window: Duration) -> Self {
        Self::new(RedisLedger::new(redis, max_failures, window))
    }

    /// Starts an attempt under `keys`, or says why the caller must wait.
    pub async fn begin(&self, keys: Vec<String>) -> Result<Attempt, Refusal> {
        let ticket = self.ledger.reserve(&keys).await?;
        Ok(Attempt {
            ledger: self.ledger.clone(),
            keys,
            ticket,
            settled: false,
        })
    }
}

/// A reserved attempt. Dropping it without a verdict gives the slot back.
pub struct Attempt {
    ledger: Arc<dyn AttemptLedger>,
    keys: Vec<String>,
    ticket: u64,
    settled: bool,
}

impl Attempt {
    /// The credentials were wrong.
    pub fn failed(mut self) {
        self.settle(Verdict::Failed);
    }

    /// The credentials were right.
    pub fn succeeded(mut self) {
        self.settle(Verdict::Succeeded);
    }

    fn settle(&mut self, verdict: Verdict) {
        if !self.settled {
            self.settled = true;
            self.ledger.settle(&self.keys, self.ticket, verdict);
        }
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        self.settle(Verdict::Withdrawn);
    }
}

/// The attempts of one key.
#[derive(Default)]
struct Entry {
    /// Tickets of attempts whose check is running.
    pending: Vec<u64>,
    /// When recent failures happened, oldest first.
    failures: VecDeque<Instant>,
    /// The last reservation or verdict, for eviction.
    touched: Option<Instant>,
}

impl Entry {
    fn forget_expired(&mut self, now: Instant, window: Duration) {
        while self
            .failures
            .front()
            .is_some_and(|at| now.duration_since(*at) >= window)
        {
            self.failures.pop_front();
        }
    }

    fn taken(&self) -> usize {
        self.pending.len() + self.failures.len()
    }

    fn idle(&self) -> bool {
        self.pending.is_empty() && self.failures.is_empty()
    }
}

struct Book {
    entries: HashMap<String, Entry>,
    next_ticket: u64,
    last_sweep: Instant,
}

/// The ledger of one process. It holds at most `capacity` keys: keys with nothing recent are
/// swept once per window, and when a flood of distinct names or addresses still fills it, the
/// keys touched longest ago go first (never one with an attempt in flight).
pub struct MemoryLedger {
    max: usize,
    window: Duration,
    capacity: usize,
    book: Mutex<Book>,
}

/// Keys a [`MemoryLedger`] holds at most by default: with at most `max_failures` instants
/// per key, about 10 MiB.
pub const DEFAULT_CAPACITY: usize = 65_536;

impl MemoryLedger {
    /// A ledger allowing `max_failures` (at least 1) per `window` per key.
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self::with_capacity(max_failures, window, DEFAULT_CAPACITY)
    }

    /// Like [`MemoryLedger::new`], holding at most `capacity` keys.
    pub fn with_capacity(max_failures: u32, window: Duration, capacity: usize) -> Self {
        Self {
            max: max_failures.max(1) as usize,
            window,
            capacity: capacity.max(1),
            book: Mutex::new(Book {
                entries: HashMap::new(),
                next_ticket: 0,
                last_sweep: Instant::now(),
            }),
        }
    }

    /// The number of keys held.
    pub fn len(&self) -> usize {
        self.book.lock().expect("throttle lock").entries.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How long until `entry` has a free slot: when enough failures have aged out, or (when
    /// only attempts in flight hold it) about a second.
    fn wait(&self, entry: &Entry, now: Instant) -> Duration {
        let excess = entry.taken() + 1 - self.max;
        match entry.failures.get(excess - 1) {
            Some(at) => self.window.saturating_sub(now.duration_since(*at)),
            None => Duration::from_secs(1),
        }
    }

    /// Makes room for `incoming` new keys.
    fn make_room(&self, book: &mut Book, now: Instant, incoming: usize) {
        let window = self.window;
        if now.duration_since(book.last_sweep) >= window
            || book.entries.len() + incoming > self.capacity
        {
            book.last_sweep = now;
            book.entries.retain(|_, entry| {
                entry.forget_expired(now, window);
                !entry.idle()
            });
        }
        let over = (book.entries.len() + incoming).saturating_sub(self.capacity);
        if over == 0 {
            return;
        }
        // Still full of live keys: evict the longest-untouched eighth at once, so a flood
        // pays for one sort per many new keys rather than one per key.
        let mut candidates: Vec<(Instant, String)> = book
            .entries
            .iter()
            .filter(|(_, entry)| entry.pending.is_empty())
            .map(|(key, entry)| (entry.touched.unwrap_or(now), key.clone()))
            .collect();
        let evict = over.max(self.capacity / 8).min(candidates.len());
        if evict == 0 {
            return;
        }
        candidates.select_nth_unstable_by(evict - 1, |a, b| a.0.cmp(&b.0));
        for (_, key) in candidates.into_iter().take(evict) {
            book.entries.remove(&key);
        }
    }

    fn reserve_now(&self, keys: &[String]) -> Result<u64, Duration> {
        let now = Instant::now();
        let mut book = self.book.lock().expect("throttle lock");
        let mut wait: Option<Duration> = None;
        for key in keys {
            if let Some(entry) = book.entries.get_mut(key) {
                entry.forget_expired(now, self.window);
                if entry.taken() >= self.max {
                    let left = self.wait(entry, now);
                    wait = Some(wait.map_or(left, |w| w.max(left)));
                }
            }
        }
        if let Some(wait) = wait {
            return Err(wait);
        }
        let incoming = keys
            .iter()
            .filter(|key| !book.entries.contains_key(*key))
            .count();
        if incoming > 0 {
            self.make_room(&mut book, now, incoming);
        }
        book.next_ticket += 1;
        let ticket = book.next_ticket;
        for key in keys {
            let entry = book.entries.entry(key.clone()).or_default();
            entry.pending.push(ticket);
            entry.touched = Some(now);
        }
        Ok(ticket)
    }
}

impl AttemptLedger for MemoryLedger {
    fn reserve<'a>(&'a self, keys: &'a [String]) -> BoxFuture<'a, Result<u64, Refusal>> {
        Box::pin(std::future::ready(
            self.reserve_now(keys).map_err(Refusal::Wait),
        ))
    }

    fn settle(&self, keys: &[String], ticket: u64, verdict: Verdict) {
        let now = Instant::now();
        let mut book = self.book.lock().expect("throttle lock");
        for key in keys {
            // The key may have been evicted meanwhile (only when it had nothing in flight,
            // so not while this ticket was pending; a sweep keeps pending keys too).
            let Some(entry) = book.entries.get_mut(key) else {
                continue;
            };
            entry.pending.retain(|t| *t != ticket);
            entry.touched = Some(now);
            match verdict {
                Verdict::Failed => entry.failures.push_back(now),
                Verdict::Succeeded => entry.failures.clear(),
                Verdict::Withdrawn => {}
            }
            if entry.idle() {
                book.entries.remove(key);
            }
        }
    }
}

/// Attempts in flight whose replica never settled them (it crashed) stop counting after this.
const STALE_PENDING: Duration = Duration::from_secs(120);

/// Reserves a slot under every key, or says how long until one frees up (all or none).
/// KEYS: for each throttle key, its failures and its attempts in flight (sorted sets scored
/// by time). ARGV: now (ms), the window (ms), the maximum, how long (ms) an attempt in flight
/// counts, the ticket counter's key.
const RESERVE_SCRIPT: &str = r#"
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
local stale = tonumber(ARGV[4])
local wait = -1
for i = 1, #KEYS, 2 do
  local failures, pending = KEYS[i], KEYS[i + 1]
  redis.call('ZREMRANGEBYSCORE', failures, '-inf', now - window)
  redis.call('ZREMRANGEBYSCORE', pending, '-inf', now - stale)
  local nf = redis.call('ZCARD', failures)
  local np = redis.call('ZCARD', pending)
  if nf + np >= max then
    local excess = nf + np + 1 - max
    local left = 1000
    if excess <= nf then
      local at = redis.call('ZRANGE', failures, excess - 1, excess - 1, 'WITHSCORES')
      left = tonumber(at[2]) + window - now
    end
    if left > wait then wait = left end
  end
end
if wait >= 0 then return {0, wait} end
local ticket = redis.call('INCR', ARGV[5])
for i = 1, #KEYS, 2 do
  redis.call('ZADD', KEYS[i + 1], now, ticket)
  redis.call('PEXPIRE', KEYS[i + 1], stale)
end
return {1, ticket}
"#;

/// Settles a reservation. KEYS: as for reserving. ARGV: the ticket, the verdict (`failed`,
/// `succeeded`, `withdrawn`), now (ms), the window (ms).
const SETTLE_SCRIPT: &str = r#"
for i = 1, #KEYS, 2 do
  redis.call('ZREM', KEYS[i + 1], ARGV[1])
  if ARGV[2] == 'failed' then
    redis.call('ZADD', KEYS[i], ARGV[3], ARGV[1])
    redis.call('PEXPIRE', KEYS[i], ARGV[4])
  elseif ARGV[2] == 'succeeded' then
    redis.call('DEL', KEYS[i])
  end
end
return 0
"#;

/// The ledger every replica shares, in Redis. Each key is two sorted sets (failures and
/// attempts in flight) named by a hash of the key, so account names of any length or shape
/// make keys of one size; each expires a window after its last failure, so a flood of
/// distinct names leaves nothing behind once its window has passed.
pub struct RedisLedger {
    redis: Redis,
    max: u32,
    window: Duration,
}

impl RedisLedger {
    /// A ledger in `redis` allowing `max_failures` (at least 1) per `window` per key.
    pub fn new(redis: Redis, max_failures: u32, window: Duration) -> Self {
        Self {
            redis,
            max: max_failures.max(1),
            window,
        }
    }

    fn redis_keys(&self, keys: &[String]) -> Vec<String> {
        keys.iter()
            .flat_map(|key| {
                let hash = hex::encode(&Sha256::digest(key.as_bytes())[..16]);
                [
                    self.redis.key("throttle-failed", &hash),
                    self.redis.key("throttle-pending", &hash),
                ]
            })
            .collect()
    }

    async fn reserve_in_redis(&self, keys: &[String]) -> Result<u64, Refusal> {
        static RESERVE: OnceLock<Script> = OnceLock::new();
        let script = RESERVE.get_or_init(|| Script::new(RESERVE_SCRIPT));
        let mut invocation = script.prepare_invoke();
        for key in self.redis_keys(keys) {
            invocation.key(key);
        }
        invocation
            .arg(now_ms())
            .arg(self.window.as_millis() as u64)
            .arg(self.max)
            .arg(STALE_PENDING.as_millis() as u64)
            .arg(self.redis.key("throttle", "ticket"));
        let (reserved, value): (i64, i64) = self
            .redis
            .run("throttle", async |c| invocation.invoke_async(c).await)
            .await
            .map_err(|e| Refusal::Unavailable(e.to_string()))?;
        if reserved == 1 {
            Ok(value as u64)
        } else {
            Err(Refusal::Wait(Duration::from_millis(value.max(0) as u64)))
        }
    }
}

impl AttemptLedger for RedisLedger {
    fn reserve<'a>(&'a self, keys: &'a [String]) -> BoxFuture<'a, Result<u64, Refusal>> {
        Box::pin(self.reserve_in_redis(keys))
    }

    fn settle(&self, keys: &[String], ticket: u64, verdict: Verdict) {
        static SETTLE: OnceLock<Script> = OnceLock::new();
        let script = SETTLE.get_or_init(|| Script::new(SETTLE_SCRIPT));
        let mut invocation = script.prepare_invoke();
        for key in self.redis_keys(keys) {
            invocation.key(key);
        }
        invocation
            .arg(ticket)
            .arg(match verdict {
                Verdict::Failed => "failed",
                Verdict::Succeeded => "succeeded",
                Verdict::Withdrawn => "withdrawn",
            })
            .arg(now_ms())
            .arg(self.window.as_millis() as u64);
        let redis = self.redis.clone();
        let settle = async move {
            if let Err(error) = redis
                .run("throttle", async |c| {
                    invocation.invoke_async::<i64>(c).await
                })
                .await
            {
                // The slot stays taken until it goes stale: the safe side of a lost update.
                tracing::warn!(error = %error, "could not settle a sign-in attempt in Redis");
            }
        };
        // From `Drop`: never block; outside a runtime (only in tools) the update is dropped.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(settle);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(account: &str, address: &str) -> Vec<String> {
        vec![format!("account:{account}"), format!("address:{address}")]
    }

    fn begin(throttle: &Throttle, keys: Vec<String>) -> Result<Attempt, Duration> {
        futures_util::FutureExt::now_or_never(throttle.begin(keys))
            .expect("memory is ready")
            .map_err(|refusal| match refusal {
                Refusal::Wait(wait) => wait,
                Refusal::Unavailable(why) => panic!("memory is always available: {why}"),
            })
    }

    #[test]
    fn failures_block_until_a_success_or_the_window_passes() {
        let throttle = Throttle::in_memory(2, Duration::from_secs(60));
        begin(&throttle, keys("a", "1")).unwrap().failed();
        begin(&throttle, keys("a", "1")).unwrap().failed();
        let wait = begin(&throttle, keys("a", "1")).err().expect("blocked");
        assert!(wait > Duration::from_secs(55) && wait <= Duration::from_secs(60));
        assert!(
            begin(&throttle, keys("b", "1")).is_err(),
            "the address is blocked for any account"
        );
        assert!(
            begin(&throttle, keys("a", "2")).is_err(),
            "the account is blocked from any address"
        );
        assert!(begin(&throttle, keys("b", "2")).is_ok());

        let quick = Throttle::in_memory(1, Duration::from_millis(1));
        begin(&quick, keys("a", "1")).unwrap().failed();
        std::thread::sleep(Duration::from_millis(5));
        assert!(begin(&quick, keys("a", "1")).is_ok());
    }

    #[test]
    fn a_success_forgets_the_failures_of_its_keys() {
        let throttle = Throttle::in_memory(2, Duration::from_secs(60));
        begin(&throttle, keys("a", "1")).unwrap().failed();
        begin(&throttle, keys("a", "1")).unwrap().succeeded();
        begin(&throttle, keys("a", "1")).unwrap().failed();
        assert!(begin(&throttle, keys("a", "1")).is_ok());
    }

    #[test]
    fn attempts_in_flight_take_their_slots_before_any_has_failed() {
        let throttle = Throttle::in_memory(5, Duration::from_secs(60));
        let running: Vec<Attempt> = (0..5)
            .map(|_| begin(&throttle, keys("a", "1")).expect("a slot"))
            .collect();
        let wait = begin(&throttle, keys("a", "1"))
            .err()
            .expect("all slots taken");
        assert_eq!(wait, Duration::from_secs(1));
        assert!(begin(&throttle, keys("a", "2")).is_err(), "per account");
        assert!(begin(&throttle, keys("b", "1")).is_err(), "per address");

        // An attempt dropped without a verdict (nothing was checked) gives its slot back...
        let mut running = running.into_iter();
        drop(running.next());
        let sixth = begin(&throttle, keys("a", "1")).expect("the freed slot");
        // ...while a failure keeps it for the window.
        running.next().unwrap().failed();
        assert!(begin(&throttle, keys("a", "1")).is_err());
        drop(sixth);
        drop(running);
        assert!(
            begin(&throttle, keys("a", "1")).is_ok(),
            "only the one failure remains"
        );
    }

    #[test]
    fn a_flood_of_distinct_names_stays_within_the_capacity_and_keeps_recent_keys() {
        let ledger = Arc::new(MemoryLedger::with_capacity(
            3,
            Duration::from_secs(600),
            1_000,
        ));
        let throttle = Throttle {
            ledger: ledger.clone(),
        };
        for n in 0..20_000 {
            let attempt = begin(&throttle, vec![format!("account:flood-{n}")]).unwrap();
            attempt.failed();
            assert!(ledger.len() <= 1_000, "{} keys after {n}", ledger.len());
        }
        // The latest keys are still counted; the victim of the flood's start is not, which
        // is the price of bounded memory.
        for _ in 0..2 {
            begin(&throttle, vec!["account:flood-19999".to_owned()])
                .unwrap()
                .failed();
        }
        assert!(begin(&throttle, vec!["account:flood-19999".to_owned()]).is_err());

        // Keys whose failures have aged out are swept.
        let short = Arc::new(MemoryLedger::with_capacity(
            3,
            Duration::from_millis(5),
            1_000,
        ));
        let throttle = Throttle {
            ledger: short.clone(),
        };
        for n in 0..100 {
            begin(&throttle, vec![format!("k{n}")]).unwrap().failed();
        }
        std::thread::sleep(Duration::from_millis(10));
        begin(&throttle, vec!["fresh".to_owned()]).unwrap().failed();
        assert_eq!(short.len(), 1);
    }

    #[test]
    fn keys_with_attempts_in_flight_are_never_evicted() {
        let ledger = Arc::new(MemoryLedger::with_capacity(3, Duration::from_secs(600), 8));
        let throttle = Throttle {
            ledger: ledger.clone(),
        };
        let held: Vec<Attempt> = (0..3)
            .map(|_| begin(&throttle, vec!["account:target".to_owned()]).unwrap())
            .collect();
        for n in 0..100 {
            begin(&throttle, vec![format!("account:other-{n}")])
                .unwrap()
                .failed();
        }
        assert!(begin(&throttle, vec!["account:target".to_owned()]).is_err());
        drop(held);
        assert!(ledger.len() <= 8);
    }
}
