//! The audit log: one record per mutating action, written as an *intent* before the DMS call
//! and completed with its *outcome* after it. If the intent cannot be written the action is
//! refused, so nothing happens that the log does not know about.
//!
//! Records go to SQLite by default (`audit.url = "sqlite:PATH"`), or to PostgreSQL with
//! `audit.url = "postgres://USER:PASSWORD@HOST:PORT/DB"` (the `postgres` module); both keep the same
//! columns and answer the same searches. Parameters are stored without secrets: callers pass
//! only what is safe to keep. A database password is never shown: every message that names
//! the URL goes through [`redact_url`].

mod postgres;

use std::sync::{Arc, Mutex};

use rusqlite::{Connection, params};
use serde::Serialize;

/// The outcome of an audited action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// DMS accepted it.
    Ok {
        /// The DMS request id.
        request_id: Option<String>,
    },
    /// DMS refused it (or it failed before reaching DMS).
    Failed {
        /// The DMS error code (or a console code).
        code: String,
        /// The DMS request id.
        request_id: Option<String>,
    },
    /// No answer arrived: it may or may not have happened.
    Unknown {
        /// Why.
        reason: String,
    },
}

/// A new record: who did what to what, from where.
#[derive(Debug, Clone)]
pub struct Intent {
    /// Console user or access key id.
    pub actor: String,
    /// Role.
    pub role: String,
    /// Client address.
    pub client: String,
    /// The IAM action (e.g. `dms:instance:modify`).
    pub action: String,
    /// The console operation (e.g. `RestartInstance`).
    pub operation: String,
    /// What it acts on (e.g. `instance/<id>`).
    pub target: String,
    /// Parameters as JSON, without secrets.
    pub params: serde_json::Value,
    /// A hash of the session id.
    pub session: String,
}

/// A stored record.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// Id.
    pub id: i64,
    /// Time (Unix ms).
    pub at_ms: i64,
    /// Actor.
    pub actor: String,
    /// Role.
    pub role: String,
    /// Client address.
    pub client: String,
    /// IAM action.
    pub action: String,
    /// Console operation.
    pub operation: String,
    /// Target.
    pub target: String,
    /// Parameters (JSON text).
    pub params: String,
    /// `pending`, `ok`, `failed` or `unknown`.
    pub outcome: String,
    /// Error code of a failure, or the reason of an unknown outcome.
    pub detail: String,
    /// DMS request id.
    pub request_id: String,
}

/// Filters of the audit page.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct Filter {
    /// Actor contains.
    pub user: String,
    /// Action or operation contains.
    pub action: String,
    /// Target contains.
    pub target: String,
    /// From (Unix ms).
    pub from_ms: Option<i64>,
    /// To (Unix ms).
    pub to_ms: Option<i64>,
}

/// Why the audit log failed.
#[derive(Debug, thiserror::Error)]
#[error("audit log: {0}")]
pub struct AuditError(pub String);

/// The audit log.
#[derive(Clone)]
pub struct Audit {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Sqlite(Arc<Mutex<Connection>>),
    Postgres(Arc<postgres::Postgres>),
}

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
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

impl Audit {
    /// Opens the log at `url` (`sqlite:PATH`, `sqlite::memory:`, or a `postgres://` or
    /// `postgresql://` URL) and creates its table when missing. PostgreSQL must answer within a
    /// few seconds.
    pub fn open(url: &str) -> Result<Self, AuditError> {
        let scheme = url
            .split_once("://")
            .map(|(scheme, _)| scheme.to_ascii_lowercase());
        if matches!(scheme.as_deref(), Some("postgres" | "postgresql")) {
            return Ok(Self {
                backend: Backend::Postgres(postgres::Postgres::open(url)?),
            });
        }
        let path = url.strip_prefix("sqlite:").ok_or_else(|| {
            AuditError(format!(
                "`{}` is not supported; use sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE",
                redact_url(url)
            ))
        })?;
        let connection = if path == ":memory:" {
            Connection::open_in_memory()
        } else {
            Connection::open(path)
        }
        .map_err(|e| AuditError(format!("cannot open `{path}`: {e}")))?;
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .and_then(|_| connection.execute_batch(SCHEMA))
            .map_err(|e| AuditError(e.to_string()))?;
        Ok(Self {
            backend: Backend::Sqlite(Arc::new(Mutex::new(connection))),
        })
    }

    async fn with<T: Send + 'static>(
        connection: &Arc<Mutex<Connection>>,
        work: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, AuditError> {
        let connection = connection.clone();
        tokio::task::spawn_blocking(move || {
            let connection = connection
                .lock()
                .map_err(|_| AuditError("the log is poisoned".into()))?;
            work(&connection).map_err(|e| AuditError(e.to_string()))
        })
        .await
        .map_err(|e| AuditError(e.to_string()))?
    }

    /// Writes an intent; the action may proceed only if this succeeds.
    pub async fn intent(&self, intent: Intent) -> Result<i64, AuditError> {
        let now = crate::clock::now_ms();
        let connection = match &self.backend {
            Backend::Sqlite(connection) => connection,
            Backend::Postgres(postgres) => return postgres.intent(now, intent).await,
        };
        Self::with(connection, move |c| {
            c.execute(
                "INSERT INTO audit (at_ms, actor, role, client, action, operation, target, params, session, outcome)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending')",
                params![now, intent.actor, intent.role, intent.client, intent.action, intent.operation, intent.target, intent.params.to_string(), intent.session],
            )?;
            Ok(c.last_insert_rowid())
        })
        .await
    }

    /// Completes record `id` with `outcome`.
    pub async fn outcome(&self, id: i64, outcome: Outcome) -> Result<(), AuditError> {
        let (name, detail, request_id) = match outcome {
            Outcome::Ok { request_id } => ("ok", String::new(), request_id.unwrap_or_default()),
            Outcome::Failed { code, request_id } => {
                ("failed", code, request_id.unwrap_or_default())
            }
            Outcome::Unknown { reason } => ("unknown", reason, String::new()),
        };
        let connection = match &self.backend {
            Backend::Sqlite(connection) => connection,
            Backend::Postgres(postgres) => {
                return postgres.outcome(id, name, detail, request_id).await;
            }
        };
        Self::with(connection, move |c| {
            c.execute(
                "UPDATE audit SET outcome = ?2, detail = ?3, request_id = ?4 WHERE id = ?1",
                params![id, name, detail, request_id],
            )
            .map(|_| ())
        })
        .await
    }

    /// Records matching `filter`, newest first, at most `limit`.
    pub async fn search(&self, filter: Filter, limit: u32) -> Result<Vec<Record>, AuditError> {
        let connection = match &self.backend {
            Backend::Sqlite(connection) => connection,
            Backend::Postgres(postgres) => return postgres.search(filter, limit).await,
        };
        Self::with(connection, move |c| {
            let mut statement = c.prepare(
                "SELECT id, at_ms, actor, role, client, action, operation, target, params, outcome, detail, request_id FROM audit
                 WHERE instr(lower(actor), lower(?1)) > 0
                   AND (instr(lower(action), lower(?2)) > 0 OR instr(lower(operation), lower(?2)) > 0)
                   AND instr(lower(target), lower(?3)) > 0
                   AND at_ms >= ?4 AND at_ms <= ?5
                 ORDER BY id DESC LIMIT ?6",
            )?;
            let rows = statement.query_map(
                params![filter.user, filter.action, filter.target, filter.from_ms.unwrap_or(0), filter.to_ms.unwrap_or(i64::MAX), limit],
                |row| {
                    Ok(Record {
                        id: row.get(0)?,
                        at_ms: row.get(1)?,
                        actor: row.get(2)?,
                        role: row.get(3)?,
                        client: row.get(4)?,
                        action: row.get(5)?,
                        operation: row.get(6)?,
                        target: row.get(7)?,
                        params: row.get(8)?,
                        outcome: row.get(9)?,
                        detail: row.get(10)?,
                        request_id: row.get(11)?,
                    })
                },
            )?;
            rows.collect()
        })
        .await
    }
}

/// `url` with its password (user-info or `password=` parameter) replaced by `***`, for
/// messages and logs. Text that is not a URL shows only its scheme.
pub fn redact_url(text: &str) -> String {
    // `scheme:user:password@host` parses as a path: never shown.
    match url::Url::parse(text)
        .ok()
        .filter(|url| !(url.cannot_be_a_base() && text.contains('@')))
    {
        Some(mut url) => {
            let in_query = url
                .query_pairs()
                .any(|(name, _)| name.eq_ignore_ascii_case("password"));
            if url.password().is_none() && !in_query {
                return text.to_owned();
            }
            if url.password().is_some() {
                let _ = url.set_password(Some("***"));
            }
            if in_query {
                let pairs: Vec<(String, String)> = url
                    .query_pairs()
                    .map(|(name, value)| {
                        let value = if name.eq_ignore_ascii_case("password") {
                            "***".to_owned()
                        } else {
                            value.into_owned()
                        };
                        (name.into_owned(), value)
                    })
                    .collect();
                url.query_pairs_mut().clear().extend_pairs(pairs);
            }
            url.to_string()
        }
        None => match text.split_once(':') {
            Some((scheme, _))
                if !scheme.is_empty()
                    && scheme
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
            {
                format!("{scheme}:(unreadable URL)")
            }
            _ => "(unreadable URL)".to_owned(),
        },
    }
}

/// One CSV field, quoted when needed; cells that a spreadsheet would run as a formula are
/// prefixed with `'`.
pub fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn intents_get_outcomes_and_are_found_by_filters() {
        let audit = Audit::open("sqlite::memory:").unwrap();
        let intent = Intent {
            actor: "alice".into(),
            role: "admin".into(),
            client: "127.0.0.1".into(),
            action: "dms:instance:modify".into(),
            operation: "RestartInstance".into(),
            target: "instance/i-1".into(),
            params: serde_json::json!({}),
            session: "h".into(),
        };
        let id = audit.intent(intent.clone()).await.unwrap();
        audit
            .outcome(
                id,
                Outcome::Failed {
                    code: "DMS.00400026".into(),
                    request_id: Some("r-1".into()),
                },
            )
            .await
            .unwrap();
        audit
            .intent(Intent {
                actor: "bob".into(),
                target: "instance/i-2".into(),
                ..intent
            })
            .await
            .unwrap();
        let all = audit.search(Filter::default(), 10).await.unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].outcome, "failed");
        assert_eq!(all[1].detail, "DMS.00400026");
        assert_eq!(all[0].outcome, "pending");
        let alice = audit
            .search(
                Filter {
                    user: "ALI".into(),
                    ..Filter::default()
                },
                10,
            )
            .await
            .unwrap();
        assert_eq!(alice.len(), 1);
        assert_eq!(alice[0].request_id, "r-1");
    }

    #[test]
    fn urls_lose_their_passwords() {
        assert_eq!(
            redact_url("postgres://dms:s3cret@db.internal:5432/audit"),
            "postgres://dms:***@db.internal:5432/audit"
        );
        assert_eq!(
            redact_url("postgresql://dms@10.0.0.5/audit?password=s3cret&connect_timeout=3"),
            "postgresql://dms@10.0.0.5/audit?password=***&connect_timeout=3"
        );
        assert_eq!(
            redact_url("postgres://dms:p%40ss@[::1]:5433/audit"),
            "postgres://dms:***@[::1]:5433/audit"
        );
        assert_eq!(
            redact_url("sqlite:/var/lib/audit.sqlite3"),
            "sqlite:/var/lib/audit.sqlite3"
        );
        assert_eq!(redact_url("sqlite::memory:"), "sqlite::memory:");
        assert_eq!(
            redact_url("postgres://dms:s3cret@db:notaport/audit"),
            "postgres:(unreadable URL)"
        );
        assert_eq!(redact_url("dms:s3cret@db"), "dms:(unreadable URL)");
        let settings = crate::config::web::AuditSettings {
            url: "postgres://dms:s3cret@db/audit".into(),
        };
        assert!(!format!("{settings:?}").contains("s3cret"));
    }

    #[test]
    fn unsupported_urls_are_refused_without_their_passwords() {
        let error = Audit::open("mysql://dms:s3cret@db/audit").err().unwrap();
        assert!(error.0.contains("mysql://dms:***@db/audit"), "{error}");
        assert!(!error.0.contains("s3cret"));
        let error = Audit::open("postgres://dms:s3cret@db/audit?sslmode=require")
            .err()
            .unwrap();
        assert!(error.0.contains("TLS"), "{error}");
        assert!(!error.0.contains("s3cret"), "{error}");
        let error = Audit::open("postgres://dms:s3cret@db/audit?port=x&password=s3cret")
            .err()
            .unwrap();
        assert!(error.0.contains("not a usable PostgreSQL URL"), "{error}");
        assert!(!error.0.contains("s3cret"), "{error}");
    }

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
    }
}
