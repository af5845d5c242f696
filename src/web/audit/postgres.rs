//! The PostgreSQL backend of the audit log (`audit.url = "postgres://USER:PASSWORD@HOST:PORT/DB"`).
//!
//! One client serves every request (tokio-postgres pipelines concurrent queries on one
//! connection); an operation that finds it closed, or whose predecessor stalled, connects
//! afresh. The client and its connection live on a small runtime of their own, on a thread of
//! their own, so the log depends on no actix worker and [`Postgres::open`] can create the
//! schema synchronously at start-up. Every operation has a deadline: an unreachable database
//! refuses actions within seconds instead of hanging them. (A server that is slow rather than
//! gone may still commit an intent after its deadline passed: that record stays `pending`,
//! for an action the console refused.)
//!
//! There is no TLS yet (`sslmode=require` is refused): connect over loopback or a private
//! network. Messages never show the password: URLs go through [`redact_url`] and every error
//! text is scrubbed of the password.

use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, oneshot};
use tokio_postgres::config::SslMode;
use tokio_postgres::{Client, Config, NoTls};

use super::{AuditError, Filter, Intent, Record, redact_url};

/// Deadline of writing an intent or an outcome, connecting included.
const WRITE_TIMEOUT: Duration = Duration::from_secs(2);
/// Deadline of a search (an export reads up to 100,000 records).
const SEARCH_TIMEOUT: Duration = Duration::from_secs(10);
/// Deadline of connecting and creating the schema at start-up.
const OPEN_TIMEOUT: Duration = Duration::from_secs(5);
/// Deadline of the TCP connection itself (unless the URL sets `connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Unacknowledged data for this long closes the connection (unless the URL sets
/// `tcp_user_timeout`).
const TCP_USER_TIMEOUT: Duration = Duration::from_secs(10);
/// The advisory lock that serialises schema creation by replicas starting together
/// (concurrent `CREATE TABLE IF NOT EXISTS` can otherwise fail).
const SCHEMA_LOCK: i64 = 0x646d_735f_6175_6469;

/// The same table as SQLite's, in PostgreSQL types.
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS audit (
    id BIGSERIAL PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    client TEXT NOT NULL,
    action TEXT NOT NULL,
    operation TEXT NOT NULL,
    target TEXT NOT NULL,
    params TEXT NOT NULL,
    session TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    request_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at_ms);";

/// Strings never to show (the password in its encoded and decoded forms).
#[derive(Clone, Default)]
struct Scrubber(Arc<Vec<String>>);

impl Scrubber {
    fn scrub(&self, text: String) -> String {
        self.0.iter().fold(text, |text, secret| {
            if text.contains(secret.as_str()) {
                text.replace(secret.as_str(), "***")
            } else {
                text
            }
        })
    }
}

/// An error and its causes on one line (tokio-postgres puts the server's message in the
/// source, not in the error's own text).
fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text.replace('\n', " ")
}

/// The log in PostgreSQL.
pub(super) struct Postgres {
    config: Config,
    /// The URL with its password replaced, for messages.
    shown: String,
    scrubber: Scrubber,
    /// The shared client; `None` until connected and after it stalled.
    client: Mutex<Option<Arc<Client>>>,
    /// The runtime the client and its connection run on.
    runtime: tokio::runtime::Handle,
    /// Dropped with the log, which stops the runtime's thread.
    _stop: oneshot::Sender<()>,
}

impl Postgres {
    /// Parses `url`, connects and creates the table when missing.
    pub(super) fn open(url: &str) -> Result<Arc<Self>, AuditError> {
        let shown = redact_url(url);
        let mut secrets = Vec::new();
        if let Ok(parsed) = url::Url::parse(url) {
            if let Some(password) = parsed.password() {
                secrets.push(password.to_owned());
            }
            for (name, value) in parsed.query_pairs() {
                if name.eq_ignore_ascii_case("password") {
                    secrets.push(value.into_owned());
                }
            }
        }
        let parsed = Config::from_str(url);
        if let Ok(config) = &parsed
            && let Some(password) = config.get_password()
        {
            secrets.push(String::from_utf8_lossy(password).into_owned());
        }
        secrets.retain(|s| !s.is_empty());
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        let scrubber = Scrubber(Arc::new(secrets));

        let mut config = parsed.map_err(|e| {
            AuditError(scrubber.scrub(format!(
                "`{shown}` is not a usable PostgreSQL URL: {}",
                describe(&e)
            )))
        })?;
        match config.get_ssl_mode() {
            SslMode::Disable | SslMode::Prefer => {}
            _ => {
                return Err(AuditError(format!(
                    "`{shown}` asks for TLS, which the audit log does not support yet: connect over loopback or a private network, without sslmode=require"
                )));
            }
        }
        config.ssl_mode(SslMode::Disable);
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_tcp_user_timeout().is_none() {
            config.tcp_user_timeout(TCP_USER_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("dms-console");
        }

        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| AuditError(format!("cannot start the PostgreSQL runtime: {e}")))?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("audit-postgres".to_owned())
            .spawn(move || {
                runtime.block_on(async {
                    let _ = stopped.await;
                });
            })
            .map_err(|e| AuditError(format!("cannot start the PostgreSQL thread: {e}")))?;
        let log = Arc::new(Self {
            config,
            shown,
            scrubber,
            client: Mutex::new(None),
            runtime: handle,
            _stop: stop,
        });

        // Wait here, on whatever thread opens the log, for the runtime's thread to answer.
        let (done, result) = std::sync::mpsc::sync_channel(1);
        let task = log.clone();
        log.runtime.spawn(async move {
            let schema =
                format!("BEGIN; SELECT pg_advisory_xact_lock({SCHEMA_LOCK}); {SCHEMA} COMMIT;");
            let outcome = task
                .attempt(OPEN_TIMEOUT, move |client| async move {
                    client.batch_execute(&schema).await
                })
                .await;
            if outcome.is_err() {
                // A failed batch may leave the connection inside a transaction.
                *task.client.lock().await = None;
            }
            let _ = done.send(outcome);
        });
        match result.recv() {
            Ok(Ok(())) => Ok(log),
            Ok(Err(error)) => Err(AuditError(format!(
                "cannot prepare the audit table in `{}`: {}",
                log.shown, error.0
            ))),
            Err(_) => Err(AuditError(format!(
                "the PostgreSQL thread stopped while preparing `{}`",
                log.shown
            ))),
        }
    }

    /// Runs `work` with a connected client on the log's runtime, within `deadline`.
    async fn run<T, F, Fut>(self: &Arc<Self>, deadline: Duration, work: F) -> Result<T, AuditError>
    where
        T: Send + 'static,
        F: FnOnce(Arc<Client>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, tokio_postgres::Error>> + Send + 'static,
    {
        let log = self.clone();
        self.runtime
            .spawn(async move { log.attempt(deadline, work).await })
            .await
            .map_err(|e| AuditError(format!("the PostgreSQL task failed: {e}")))?
    }

    /// Like [`Postgres::run`], on the log's runtime already.
    async fn attempt<T, F, Fut>(&self, deadline: Duration, work: F) -> Result<T, AuditError>
    where
        F: FnOnce(Arc<Client>) -> Fut,
        Fut: Future<Output = Result<T, tokio_postgres::Error>>,
    {
        let outcome = tokio::time::timeout(deadline, async {
            let client = self.client().await?;
            work(client).await.map_err(|e| {
                AuditError(self.scrubber.scrub(format!("PostgreSQL: {}", describe(&e))))
            })
        })
        .await;
        match outcome {
            Ok(result) => result,
            Err(_) => {
                // A stalled connection is dropped so that the next operation starts afresh (a
                // reconnection under way holds the lock and replaces it anyway).
                if let Ok(mut client) = self.client.try_lock() {
                    *client = None;
                }
                Err(AuditError(format!(
                    "PostgreSQL did not answer within {} s",
                    deadline.as_secs()
                )))
            }
        }
    }

    /// The shared client, connected first when needed.
    async fn client(&self) -> Result<Arc<Client>, AuditError> {
        let mut slot = self.client.lock().await;
        if let Some(client) = slot.as_ref().filter(|c| !c.is_closed()) {
            return Ok(client.clone());
        }
        *slot = None;
        let (client, connection) = self.config.connect(NoTls).await.map_err(|e| {
            AuditError(
                self.scrubber
                    .scrub(format!("cannot connect to PostgreSQL: {}", describe(&e))),
            )
        })?;
        let shown = self.shown.clone();
        let scrubber = self.scrubber.clone();
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::warn!(
                    audit.url = %shown,
                    error = %scrubber.scrub(describe(&error)),
                    "the audit log's PostgreSQL connection ended"
                );
            }
        });
        let client = Arc::new(client);
        *slot = Some(client.clone());
        Ok(client)
    }

    /// Writes an intent (outcome `pending`) at `at_ms`; returns its id.
    pub(super) async fn intent(
        self: &Arc<Self>,
        at_ms: i64,
        intent: Intent,
    ) -> Result<i64, AuditError> {
        self.run(WRITE_TIMEOUT, move |client| async move {
            let params = intent.params_json();
            let row = client
                .query_one(
                    "INSERT INTO audit (at_ms, actor, role, client, action, operation, target, params, session, outcome)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending') RETURNING id",
                    &[
                        &at_ms,
                        &intent.actor,
                        &intent.role,
                        &intent.client,
                        &intent.action,
                        &intent.operation,
                        &intent.target,
                        &params,
                        &intent.session,
                    ],
                )
                .await?;
            row.try_get::<_, i64>(0)
        })
        .await
    }

    /// Completes record `id`.
    pub(super) async fn outcome(
        self: &Arc<Self>,
        id: i64,
        outcome: &'static str,
        detail: String,
        request_id: String,
    ) -> Result<(), AuditError> {
        self.run(WRITE_TIMEOUT, move |client| async move {
            client
                .execute(
                    "UPDATE audit SET outcome = $2, detail = $3, request_id = $4 WHERE id = $1",
                    &[&id, &outcome, &detail, &request_id],
                )
                .await
                .map(|_| ())
        })
        .await
    }

    /// How many records match `filter`.
    pub(super) async fn count(self: &Arc<Self>, filter: Filter) -> Result<u64, AuditError> {
        self.run(SEARCH_TIMEOUT, move |client| async move {
            let from = filter.from_ms.unwrap_or(0);
            let to = filter.to_ms.unwrap_or(i64::MAX);
            let row = client
                .query_one(
                    "SELECT count(*) FROM audit
                     WHERE strpos(lower(actor), lower($1)) > 0
                       AND (strpos(lower(action), lower($2)) > 0 OR strpos(lower(operation), lower($2)) > 0)
                       AND strpos(lower(target), lower($3)) > 0
                       AND at_ms >= $4 AND at_ms <= $5",
                    &[&filter.user, &filter.action, &filter.target, &from, &to],
                )
                .await?;
            let count: i64 = row.try_get(0)?;
            Ok(count.max(0) as u64)
        })
        .await
    }

    /// Records matching `filter`, newest first, skipping `offset`, at most `limit` (as
    /// SQLite's search: `strpos` is `instr`).
    pub(super) async fn search(
        self: &Arc<Self>,
        filter: Filter,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<Record>, AuditError> {
        self.run(SEARCH_TIMEOUT, move |client| async move {
            let from = filter.from_ms.unwrap_or(0);
            let to = filter.to_ms.unwrap_or(i64::MAX);
            let limit = i64::from(limit);
            let offset = offset.min(i64::MAX as u64) as i64;
            let rows = client
                .query(
                    "SELECT id, at_ms, actor, role, client, action, operation, target, params, outcome, detail, request_id FROM audit
                     WHERE strpos(lower(actor), lower($1)) > 0
                       AND (strpos(lower(action), lower($2)) > 0 OR strpos(lower(operation), lower($2)) > 0)
                       AND strpos(lower(target), lower($3)) > 0
                       AND at_ms >= $4 AND at_ms <= $5
                     ORDER BY id DESC LIMIT $6 OFFSET $7",
                    &[&filter.user, &filter.action, &filter.target, &from, &to, &limit, &offset],
                )
                .await?;
            rows.iter()
                .map(|row| {
                    Ok(Record {
                        id: row.try_get(0)?,
                        at_ms: row.try_get(1)?,
                        actor: row.try_get(2)?,
                        role: row.try_get(3)?,
                        client: row.try_get(4)?,
                        action: row.try_get(5)?,
                        operation: row.try_get(6)?,
                        target: row.try_get(7)?,
                        params: row.try_get(8)?,
                        outcome: row.try_get(9)?,
                        detail: row.try_get(10)?,
                        request_id: row.try_get(11)?,
                    })
                })
                .collect()
        })
        .await
    }
}
