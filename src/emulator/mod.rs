//! The built-in DMS for RocketMQ emulator: the same REST API and wire contract as the real
//! service, with durable state, instance life cycles, a message plane, demo data and fault
//! injection, so the console (and Huawei's own SDKs) run without a cloud account.
//!
//! `http` receives requests and answers; `auth` verifies signatures and issues IAM tokens;
//! `router` hands a request to the chapter module that owns its path; `store` is the SQLite
//! database; `faults`, `operations`, `request_log` and `admin` are the test instruments (fault
//! rules, SDK operation names, the per-operation request log and the `/_emulator` endpoint).
//! The emulator knows nothing of the web console.
//!
//! Writes are serialised: each runs in one transaction on the one writer connection, under
//! [`Emulator::transact`]'s lock, and commits before its answer. Reads (`GET`) run on a pool of
//! read-only connections ([`Emulator::read`]) and wait for neither the writer nor each other;
//! a read that finds a timer due (an instance or migration task to move on) goes through the
//! writer instead, so that it answers with the state the timer leads to.

pub mod admin;
pub mod auth;
pub mod context;
pub mod demo_data;
pub mod error;
pub mod faults;
pub mod http;
pub mod operations;
pub mod request_log;
pub mod router;
pub mod settings;
pub mod store;

pub mod groups;
pub mod instances;
pub mod migration;
pub mod names;
pub mod plane;
pub mod topics;
pub mod users;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use rand::SeedableRng;
use rand::rngs::StdRng;
use rusqlite::{Connection, TransactionBehavior};

use crate::clock::now_ms;

pub use error::DmsError;
pub use settings::{EmulatorCredential, EmulatorIamUser, EmulatorSettings};

use context::{Ctx, Req, Resp};
use faults::{ActiveRule, Decision, FaultRule, FaultTable, RequestFacts};
use request_log::RequestLog;
use store::Docs;

/// The schemas of the modules that keep tables, in the order the database applies them when
/// it opens: the document store's, then the message plane's.
const SCHEMAS: &[&str] = &[store::SCHEMA, plane::SCHEMA];

/// Read-only connections beside the writer: enough for the HTTP workers and the console's
/// parallel reads on a small machine.
const READERS: usize = 4;

/// The emulator's state, shared by every worker.
pub struct Emulator {
    settings: EmulatorSettings,
    /// The writer connection and the random source of writes.
    state: Mutex<State>,
    /// Read-only connections (none for an in-memory database, whose reads use the writer).
    readers: Option<store::Readers>,
    faults: Mutex<FaultTable>,
    /// API requests received (see [`Emulator::requests_served`]).
    requests: std::sync::atomic::AtomicU64,
    /// The per-operation request log.
    request_log: RequestLog,
}

struct State {
    connection: Connection,
    rng: StdRng,
}

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The settings are incomplete or inconsistent.
    #[error("{0}")]
    Settings(String),
    /// The database could not be opened.
    #[error("cannot open the emulator database in `{dir}`: {source}")]
    Store {
        /// The data directory.
        dir: String,
        /// The cause.
        source: rusqlite::Error,
    },
    /// The listen address could not be bound.
    #[error("cannot listen on `{addr}`: {source}")]
    Listen {
        /// The address.
        addr: String,
        /// The cause.
        source: std::io::Error,
    },
}

impl Emulator {
    /// Opens the database under `settings.data_dir` and prepares the emulator.
    pub fn open(settings: EmulatorSettings) -> Result<Arc<Self>, StartError> {
        settings.validate().map_err(StartError::Settings)?;
        let connection =
            store::open(&settings.data_dir, SCHEMAS).map_err(|source| StartError::Store {
                dir: settings.data_dir.display().to_string(),
                source,
            })?;
        let readers = store::Readers::new(&settings.data_dir, READERS);
        let emulator = Self::with_connection(settings, connection, Some(readers));
        if emulator.settings.demo_data {
            demo_data::seed(&emulator)
                .map_err(|e| StartError::Settings(format!("cannot create the demo data: {e}")))?;
        }
        if emulator.settings.demo_scale {
            demo_data::scale::seed(&emulator).map_err(|e| {
                StartError::Settings(format!("cannot create the scale data set: {e}"))
            })?;
        }
        Ok(emulator)
    }

    /// An emulator on an in-memory database (benchmarks; no durability).
    pub fn in_memory(settings: EmulatorSettings) -> Result<Arc<Self>, StartError> {
        settings.validate().map_err(StartError::Settings)?;
        let connection = store::open_in_memory(SCHEMAS).map_err(|source| StartError::Store {
            dir: ":memory:".into(),
            source,
        })?;
        Ok(Self::with_connection(settings, connection, None))
    }

    fn with_connection(
        settings: EmulatorSettings,
        connection: Connection,
        readers: Option<store::Readers>,
    ) -> Arc<Self> {
        let rng = StdRng::seed_from_u64(settings.seed ^ now_ms() as u64);
        let faults = FaultTable::new(settings.faults.clone())
            .expect("fault rules are checked with the settings");
        Arc::new(Self {
            settings,
            state: Mutex::new(State { connection, rng }),
            readers,
            faults: Mutex::new(faults),
            requests: std::sync::atomic::AtomicU64::new(0),
            request_log: RequestLog::default(),
        })
    }

    /// The settings.
    pub fn settings(&self) -> &EmulatorSettings {
        &self.settings
    }

    fn fault_table(&self) -> std::sync::MutexGuard<'_, FaultTable> {
        self.faults.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The fault rules in force.
    pub fn faults(&self) -> Vec<ActiveRule> {
        self.fault_table().list()
    }

    /// Replaces the fault rules; nothing changes when one is refused.
    pub fn set_faults(&self, rules: Vec<FaultRule>) -> Result<Vec<ActiveRule>, String> {
        self.fault_table().replace(rules)
    }

    /// Adds one fault rule after the others.
    pub fn add_fault(&self, rule: FaultRule) -> Result<ActiveRule, String> {
        self.fault_table().add(rule)
    }

    /// Removes fault rule `id`; false when there is none.
    pub fn remove_fault(&self, id: u64) -> bool {
        self.fault_table().remove(id)
    }

    /// What the fault rules decide for one request (and spends their counts).
    pub fn decide_faults(&self, request: &RequestFacts<'_>) -> Decision {
        let mut table = self.fault_table();
        if table.is_empty() {
            return Decision::default();
        }
        table.decide(request, &mut rand::rng())
    }

    /// The per-operation request log.
    pub fn request_log(&self) -> &RequestLog {
        &self.request_log
    }

    /// Runs `work` in one transaction with a context for `project`; commits when it succeeds.
    pub fn transact<T>(
        &self,
        project: &str,
        work: impl FnOnce(&mut Ctx<'_>) -> Result<T, DmsError>,
    ) -> Result<T, DmsError> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let State { connection, rng } = &mut *state;
        let tx = connection.transaction()?;
        let result = {
            let mut ctx = Ctx {
                tx: &tx,
                docs: Docs::new(&tx),
                project: project.to_owned(),
                now_ms: now_ms(),
                settings: &self.settings,
                rng,
            };
            work(&mut ctx)
        };
        match result {
            Ok(value) => {
                tx.commit()?;
                Ok(value)
            }
            Err(error) => Err(error),
        }
    }

    /// Runs `work` in a read transaction with a context for `project`, on a read-only
    /// connection, without taking the writer's lock: it sees the last committed state, and any
    /// write it attempts fails. On an in-memory emulator it runs like [`Emulator::transact`].
    pub fn read<T>(
        &self,
        project: &str,
        work: impl FnOnce(&mut Ctx<'_>) -> Result<T, DmsError>,
    ) -> Result<T, DmsError> {
        let Some(readers) = &self.readers else {
            return self.transact(project, work);
        };
        readers.with(|connection| {
            // Deferred: the snapshot is taken at the first read, and no write lock is asked for.
            let tx = connection.transaction_with_behavior(TransactionBehavior::Deferred)?;
            let mut rng = StdRng::from_rng(&mut rand::rng());
            let mut ctx = Ctx {
                tx: &tx,
                docs: Docs::new(&tx),
                project: project.to_owned(),
                now_ms: now_ms(),
                settings: &self.settings,
                rng: &mut rng,
            };
            work(&mut ctx)
        })?
    }

    /// Advances everything that moves with time (instance life cycles, migration tasks,
    /// retention). Called before every write request and periodically.
    pub fn tick(&self) -> Result<(), DmsError> {
        self.transact("", router::advance)
    }

    /// Authenticates and handles one API request: a `GET` on a read connection unless a timer
    /// is due, anything else (and such a `GET`) in a write transaction after the due timers.
    pub fn handle(&self, raw: &auth::RawRequest<'_>, req: &Req) -> Result<Resp, DmsError> {
        if req.method == "GET" && self.readers.is_some() {
            let answered = self.read("", |ctx| {
                ctx.project = auth::authenticate(raw, &self.settings, &ctx.docs, ctx.now_ms)?;
                if router::due(ctx)? {
                    return Ok(None);
                }
                router::dispatch(ctx, req).map(Some)
            })?;
            if let Some(resp) = answered {
                return Ok(resp);
            }
        }
        self.transact("", |ctx| {
            ctx.project = auth::authenticate(raw, &self.settings, &ctx.docs, ctx.now_ms)?;
            router::advance(ctx)?;
            router::dispatch(ctx, req)
        })
    }
}

/// A running emulator.
pub struct RunningEmulator {
    /// The bound address.
    pub addr: SocketAddr,
    /// The shared state.
    pub emulator: Arc<Emulator>,
    handle: actix_web::dev::ServerHandle,
    background: Vec<tokio::task::JoinHandle<()>>,
}

impl RunningEmulator {
    /// The base URL, e.g. `http://127.0.0.1:9100`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server and background tasks.
    pub async fn stop(self) {
        for task in &self.background {
            task.abort();
        }
        self.handle.stop(true).await;
    }
}

/// Starts the emulator described by `settings` on a tokio runtime and returns once it listens.
pub async fn spawn(settings: EmulatorSettings) -> Result<RunningEmulator, StartError> {
    let emulator = Emulator::open(settings)?;
    spawn_with(emulator).await
}

/// Starts serving an opened emulator.
pub async fn spawn_with(emulator: Arc<Emulator>) -> Result<RunningEmulator, StartError> {
    let listen = emulator.settings.listen.clone();
    let listener = std::net::TcpListener::bind(&listen).map_err(|source| StartError::Listen {
        addr: listen.clone(),
        source,
    })?;
    let addr = listener.local_addr().map_err(|source| StartError::Listen {
        addr: listen.clone(),
        source,
    })?;
    let server = http::server(emulator.clone(), listener).map_err(|source| StartError::Listen {
        addr: listen,
        source,
    })?;
    let handle = server.handle();
    let mut background = vec![tokio::spawn(async move {
        let _ = server.await;
    })];
    let ticker = emulator.clone();
    background.push(tokio::spawn(async move {
        let mut interval = tokio::time::interval(std::time::Duration::from_millis(250));
        loop {
            interval.tick().await;
            let emulator = ticker.clone();
            let _ = tokio::task::spawn_blocking(move || emulator.tick()).await;
        }
    }));
    background.extend(router::background_tasks(&emulator));
    Ok(RunningEmulator {
        addr,
        emulator,
        handle,
        background,
    })
}
