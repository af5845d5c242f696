//! "Never sent twice": every change form carries a one-time operation id (`op`), and the
//! ledger lets each id reach DMS at most once per session.
//!
//! A form gets a fresh id when it is shown ([`new_op_id`]). When it is posted, [`Ledger::claim`]
//! records the id before anything is sent; a second post of the same id (a double click, a
//! retried request, the same form submitted from two tabs) finds it and is answered with what
//! became of the first, without calling DMS again. A form shown again after a failure gets a
//! new id, so the user can retry on purpose.
//!
//! The ledger is in memory, bounded in size and age: an id is remembered for a day or until
//! 100,000 newer ones push it out.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::crypto::random_token;

/// How long an operation id is remembered.
const KEEP: Duration = Duration::from_secs(24 * 3600);
/// How many operation ids are remembered at most.
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
}

/// The answer to a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// First time: go ahead.
    Fresh,
    /// Seen before: what became of it.
    Seen(OpState),
}

/// Operation ids by session, with what became of each.
#[derive(Default)]
pub struct Ledger {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    states: HashMap<String, OpState>,
    order: VecDeque<(Instant, String)>,
}

impl Ledger {
    /// Claims `op` for the session `sid`: `Fresh` exactly once.
    pub fn claim(&self, sid: &str, op: &str) -> Claim {
        let key = format!("{sid}:{op}");
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        while let Some((at, _)) = inner.order.front()
            && (now.duration_since(*at) > KEEP || inner.order.len() >= CAPACITY)
        {
            let (_, old) = inner.order.pop_front().expect("a front");
            inner.states.remove(&old);
        }
        if let Some(state) = inner.states.get(&key) {
            return Claim::Seen(*state);
        }
        inner.states.insert(key.clone(), OpState::InFlight);
        inner.order.push_back((now, key));
        Claim::Fresh
    }

    /// Claims every one of `ops` for `sid` at once, under one lock: two submissions of
    /// overlapping sets never split them between each other.
    pub fn claim_all(&self, sid: &str, ops: &[String]) -> Vec<Claim> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        while let Some((at, _)) = inner.order.front()
            && (now.duration_since(*at) > KEEP || inner.order.len() >= CAPACITY)
        {
            let (_, old) = inner.order.pop_front().expect("a front");
            inner.states.remove(&old);
        }
        ops.iter()
            .map(|op| {
                let key = format!("{sid}:{op}");
                if let Some(state) = inner.states.get(&key) {
                    return Claim::Seen(*state);
                }
                inner.states.insert(key.clone(), OpState::InFlight);
                inner.order.push_back((now, key));
                Claim::Fresh
            })
            .collect()
    }

    /// Records what became of `op`.
    pub fn finish(&self, sid: &str, op: &str, state: OpState) {
        let key = format!("{sid}:{op}");
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = inner.states.get_mut(&key) {
            *entry = state;
        }
    }

    /// Forgets `op`: nothing was sent, so the same form may be submitted again.
    pub fn release(&self, sid: &str, op: &str) {
        let key = format!("{sid}:{op}");
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.states.remove(&key);
    }

    /// How many operations are remembered.
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .states
            .len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operation_is_fresh_once_per_session() {
        let ledger = Ledger::default();
        let op = new_op_id();
        assert!(is_op_id(&op));
        assert_eq!(ledger.claim("s1", &op), Claim::Fresh);
        assert_eq!(ledger.claim("s1", &op), Claim::Seen(OpState::InFlight));
        ledger.finish("s1", &op, OpState::Done);
        assert_eq!(ledger.claim("s1", &op), Claim::Seen(OpState::Done));
        assert_eq!(ledger.claim("s2", &op), Claim::Fresh);
        ledger.release("s2", &op);
        assert_eq!(ledger.claim("s2", &op), Claim::Fresh);
        let both = vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(ledger.claim_all("s3", &both), [Claim::Fresh, Claim::Fresh]);
        let overlap = vec!["b".to_owned(), "c".to_owned()];
        assert_eq!(
            ledger.claim_all("s3", &overlap),
            [Claim::Seen(OpState::InFlight), Claim::Fresh]
        );
        assert!(!is_op_id("short"));
        assert!(!is_op_id("has spaces in it, sixteen+"));
    }
}
