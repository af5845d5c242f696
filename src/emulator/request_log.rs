//! The request log: every API and IAM request the emulator answered, counted per SDK
//! operation, with the latest ones kept in order. Tests read it through
//! `GET /_emulator/requests` to prove, for example, that a change reached the emulator exactly
//! once; `DELETE /_emulator/requests` starts it afresh.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use serde::Serialize;

/// How many entries are kept (the counters count everything).
const KEPT: usize = 1000;

/// One answered request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// Its number since the log was last reset, from 1.
    pub seq: u64,
    /// The method.
    pub method: String,
    /// The raw path.
    pub path: String,
    /// The SDK operation, when the path is one.
    pub operation: Option<&'static str>,
    /// The fault rules that fired (latency-only ones included).
    pub faults: Vec<u64>,
    /// Whether the handler ran (and its transaction committed when it succeeded).
    pub handled: bool,
    /// The status sent, or `None` when the connection was reset before any.
    pub status: Option<u16>,
}

/// What `GET /_emulator/requests` shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Snapshot {
    /// Requests since the last reset.
    pub total: u64,
    /// Requests per SDK operation since the last reset (requests of no operation are only
    /// in `total`).
    pub operations: BTreeMap<&'static str, u64>,
    /// The latest entries, oldest first.
    pub log: Vec<Entry>,
}

/// The log, shared by every worker.
#[derive(Debug, Default)]
pub struct RequestLog {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    total: u64,
    operations: BTreeMap<&'static str, u64>,
    entries: VecDeque<Entry>,
}

impl RequestLog {
    /// Records one request; `seq` is filled in.
    pub fn record(&self, mut entry: Entry) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.total += 1;
        entry.seq = state.total;
        if let Some(operation) = entry.operation {
            *state.operations.entry(operation).or_default() += 1;
        }
        if state.entries.len() == KEPT {
            state.entries.pop_front();
        }
        state.entries.push_back(entry);
    }

    /// The counters and the latest entries.
    pub fn snapshot(&self) -> Snapshot {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        Snapshot {
            total: state.total,
            operations: state.operations.clone(),
            log: state.entries.iter().cloned().collect(),
        }
    }

    /// Forgets everything.
    pub fn reset(&self) {
        *self.state.lock().unwrap_or_else(|p| p.into_inner()) = State::default();
    }
}
