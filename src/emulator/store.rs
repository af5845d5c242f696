//! Durable state: one SQLite database under `--data-dir`.
//!
//! Resources (instances, topics, groups, users, tasks, configs, tokens…) are JSON documents in
//! one `docs` table keyed by `(kind, scope, id)`; the message plane has its own indexed
//! tables (see `plane`). Every request runs in one transaction that commits before the answer
//! is sent, and the database runs in WAL mode, so an acknowledged write survives `kill -9`.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::Value;

/// The schema, applied at every start (idempotent).
const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS docs (
    kind  TEXT NOT NULL,
    scope TEXT NOT NULL,
    id    TEXT NOT NULL,
    seq   INTEGER NOT NULL,
    body  TEXT NOT NULL,
    PRIMARY KEY (kind, scope, id)
);
CREATE INDEX IF NOT EXISTS docs_by_seq ON docs (kind, scope, seq);
CREATE TABLE IF NOT EXISTS counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"#;

/// Opens (creating if needed) the database in `data_dir`.
pub fn open(data_dir: &Path) -> rusqlite::Result<Connection> {
    std::fs::create_dir_all(data_dir).map_err(|e| {
        rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
            Some(format!("cannot create {}: {e}", data_dir.display())),
        )
    })?;
    let connection = Connection::open(data_dir.join("dms-emulator.sqlite3"))?;
    configure(&connection)?;
    Ok(connection)
}

/// An in-memory database (tests and benchmarks that do not need durability).
pub fn open_in_memory() -> rusqlite::Result<Connection> {
    let connection = Connection::open_in_memory()?;
    configure(&connection)?;
    Ok(connection)
}

fn configure(connection: &Connection) -> rusqlite::Result<()> {
    // WAL with synchronous=NORMAL: a committed transaction is in the log before COMMIT
    // returns, so it survives the process being killed (not necessarily a power cut).
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    connection.execute_batch(SCHEMA)?;
    for extra in extra_schemas() {
        connection.execute_batch(extra)?;
    }
    Ok(())
}

/// Schemas of other emulator modules, applied after the document store's.
fn extra_schemas() -> &'static [&'static str] {
    &[super::plane::SCHEMA]
}

/// Document operations on a transaction.
pub struct Docs<'t> {
    tx: &'t Transaction<'t>,
}

impl<'t> Docs<'t> {
    /// Documents of `tx`.
    pub fn new(tx: &'t Transaction<'t>) -> Self {
        Self { tx }
    }

    /// The document, if it exists.
    pub fn get(&self, kind: &str, scope: &str, id: &str) -> rusqlite::Result<Option<Value>> {
        let text: Option<String> = self
            .tx
            .query_row(
                "SELECT body FROM docs WHERE kind = ?1 AND scope = ?2 AND id = ?3",
                params![kind, scope, id],
                |row| row.get(0),
            )
            .optional()?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    /// Inserts or replaces a document; a new one goes to the end of the creation order.
    pub fn put(&self, kind: &str, scope: &str, id: &str, body: &Value) -> rusqlite::Result<()> {
        let text = body.to_string();
        let updated = self.tx.execute(
            "UPDATE docs SET body = ?4 WHERE kind = ?1 AND scope = ?2 AND id = ?3",
            params![kind, scope, id, text],
        )?;
        if updated == 0 {
            let seq = self.next("docs")?;
            self.tx.execute(
                "INSERT INTO docs (kind, scope, id, seq, body) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![kind, scope, id, seq, text],
            )?;
        }
        Ok(())
    }

    /// Deletes a document; whether it existed.
    pub fn delete(&self, kind: &str, scope: &str, id: &str) -> rusqlite::Result<bool> {
        Ok(self.tx.execute(
            "DELETE FROM docs WHERE kind = ?1 AND scope = ?2 AND id = ?3",
            params![kind, scope, id],
        )? > 0)
    }

    /// Deletes every document of `kind` in `scope`.
    pub fn delete_scope(&self, kind: &str, scope: &str) -> rusqlite::Result<usize> {
        self.tx.execute(
            "DELETE FROM docs WHERE kind = ?1 AND scope = ?2",
            params![kind, scope],
        )
    }

    /// Every document of `kind` in `scope`, in creation order, with its id.
    pub fn list(&self, kind: &str, scope: &str) -> rusqlite::Result<Vec<(String, Value)>> {
        let mut statement = self.tx.prepare_cached(
            "SELECT id, body FROM docs WHERE kind = ?1 AND scope = ?2 ORDER BY seq",
        )?;
        let rows = statement.query_map(params![kind, scope], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, text) = row?;
            if let Ok(value) = serde_json::from_str(&text) {
                out.push((id, value));
            }
        }
        Ok(out)
    }

    /// Every document of `kind` in any scope, with scope and id.
    pub fn list_all(&self, kind: &str) -> rusqlite::Result<Vec<(String, String, Value)>> {
        let mut statement = self
            .tx
            .prepare_cached("SELECT scope, id, body FROM docs WHERE kind = ?1 ORDER BY seq")?;
        let rows = statement.query_map(params![kind], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (scope, id, text) = row?;
            if let Ok(value) = serde_json::from_str(&text) {
                out.push((scope, id, value));
            }
        }
        Ok(out)
    }

    /// The number of documents of `kind` in `scope`.
    pub fn count(&self, kind: &str, scope: &str) -> rusqlite::Result<i64> {
        self.tx.query_row(
            "SELECT COUNT(*) FROM docs WHERE kind = ?1 AND scope = ?2",
            params![kind, scope],
            |row| row.get(0),
        )
    }

    /// Increments and returns the counter `name` (1 on first use).
    pub fn next(&self, name: &str) -> rusqlite::Result<i64> {
        self.tx.execute(
            "INSERT INTO counters (name, value) VALUES (?1, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1",
            params![name],
        )?;
        self.tx.query_row(
            "SELECT value FROM counters WHERE name = ?1",
            params![name],
            |row| row.get(0),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_round_trip_in_creation_order() {
        let mut connection = open_in_memory().unwrap();
        let tx = connection.transaction().unwrap();
        let docs = Docs::new(&tx);
        docs.put("topic", "i-1", "b", &serde_json::json!({"name": "b"}))
            .unwrap();
        docs.put("topic", "i-1", "a", &serde_json::json!({"name": "a"}))
            .unwrap();
        docs.put(
            "topic",
            "i-1",
            "b",
            &serde_json::json!({"name": "b", "v": 2}),
        )
        .unwrap();
        let ids: Vec<String> = docs
            .list("topic", "i-1")
            .unwrap()
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(ids, ["b", "a"]);
        assert_eq!(docs.get("topic", "i-1", "b").unwrap().unwrap()["v"], 2);
        assert!(docs.delete("topic", "i-1", "a").unwrap());
        assert!(!docs.delete("topic", "i-1", "a").unwrap());
        assert_eq!(docs.count("topic", "i-1").unwrap(), 1);
    }

    #[test]
    fn committed_documents_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut connection = open(dir.path()).unwrap();
            let tx = connection.transaction().unwrap();
            Docs::new(&tx)
                .put("instance", "p", "i-1", &serde_json::json!({"name": "kept"}))
                .unwrap();
            tx.commit().unwrap();
        }
        let mut connection = open(dir.path()).unwrap();
        let tx = connection.transaction().unwrap();
        assert_eq!(
            Docs::new(&tx).get("instance", "p", "i-1").unwrap().unwrap()["name"],
            "kept"
        );
    }
}
