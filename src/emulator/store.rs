//! Durable state: one SQLite database under `--data-dir`, and the connections to it.
//!
//! Resources (instances, topics, groups, users, tasks, configs, tokens…) are JSON documents in
//! one `docs` table keyed by `(kind, scope, id)`, with a creation order (`seq`). Lists are paged
//! and filtered in SQL over an index that holds the order and the id, so a page reads and
//! parses only its own documents. Modules with tables of their own (the message plane) own
//! their schemas; start-up hands every schema to [`open`], which applies them in order. This
//! module knows no other emulator module.
//!
//! There is one writer connection, used under the emulator's lock, and [`Readers`], a small
//! pool of read-only connections. The database runs in WAL mode: a write transaction commits
//! before the request's answer is sent, so an acknowledged write survives `kill -9`, and each
//! read transaction sees the last committed state without waiting for the writer.

use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Transaction, params, params_from_iter};
use serde_json::Value;

/// The document store's tables. Every statement is idempotent: schemas are applied at every
/// start, to new and existing databases alike.
pub const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS docs (
    kind  TEXT NOT NULL,
    scope TEXT NOT NULL,
    id    TEXT NOT NULL,
    seq   INTEGER NOT NULL,
    body  TEXT NOT NULL,
    PRIMARY KEY (kind, scope, id)
);
-- Pages in creation order, filtered by id, are read from this index alone; only the page's
-- own rows are then fetched from the table. It replaces the older (kind, scope, seq) index.
DROP INDEX IF EXISTS docs_by_seq;
CREATE INDEX IF NOT EXISTS docs_in_order ON docs (kind, scope, seq, id);
CREATE TABLE IF NOT EXISTS counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"#;

/// The database file's name inside the data directory.
const FILE: &str = "dms-emulator.sqlite3";

/// How long a connection waits for a lock before giving up (checkpoints and WAL recovery take
/// short exclusive locks even in WAL mode).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens (creating if needed) the database in `data_dir` as the writer, and applies `schemas`
/// in order.
pub fn open(data_dir: &Path, schemas: &[&str]) -> rusqlite::Result<Connection> {
    std::fs::create_dir_all(data_dir).map_err(|e| {
        rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
            Some(format!("cannot create {}: {e}", data_dir.display())),
        )
    })?;
    let connection = Connection::open(data_dir.join(FILE))?;
    configure(&connection, schemas)?;
    Ok(connection)
}

/// An in-memory database with `schemas` applied (tests and benchmarks that need no
/// durability). It has no [`Readers`]: an in-memory database is private to its connection.
pub fn open_in_memory(schemas: &[&str]) -> rusqlite::Result<Connection> {
    let connection = Connection::open_in_memory()?;
    configure(&connection, schemas)?;
    Ok(connection)
}

fn configure(connection: &Connection, schemas: &[&str]) -> rusqlite::Result<()> {
    // WAL with synchronous=NORMAL: a committed transaction is in the log before COMMIT
    // returns, so it survives the process being killed (not necessarily a power cut).
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    connection.busy_timeout(BUSY_TIMEOUT)?;
    for schema in schemas {
        connection.execute_batch(schema)?;
    }
    Ok(())
}

/// A pool of read-only connections to the database file, opened when first needed.
///
/// Each connection refuses writes (`query_only`), so a handler that writes by mistake fails
/// loudly instead of writing outside the writer's lock.
pub struct Readers {
    path: PathBuf,
    max: usize,
    pool: Mutex<Pool>,
    returned: Condvar,
}

#[derive(Default)]
struct Pool {
    idle: Vec<Connection>,
    opened: usize,
}

impl Readers {
    /// Up to `max` readers of the database in `data_dir` (opened by [`open`] first).
    pub fn new(data_dir: &Path, max: usize) -> Self {
        Self {
            path: data_dir.join(FILE),
            max: max.max(1),
            pool: Mutex::new(Pool::default()),
            returned: Condvar::new(),
        }
    }

    /// Runs `work` on a free reader, waiting for one when all are busy.
    pub fn with<T>(&self, work: impl FnOnce(&mut Connection) -> T) -> rusqlite::Result<T> {
        let mut connection = self.take()?;
        let result = work(&mut connection);
        self.put_back(connection);
        Ok(result)
    }

    fn take(&self) -> rusqlite::Result<Connection> {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(connection) = pool.idle.pop() {
                return Ok(connection);
            }
            if pool.opened < self.max {
                pool.opened += 1;
                drop(pool);
                return self.open_one().inspect_err(|_| {
                    self.pool.lock().unwrap_or_else(|p| p.into_inner()).opened -= 1;
                });
            }
            pool = self.returned.wait(pool).unwrap_or_else(|p| p.into_inner());
        }
    }

    fn put_back(&self, connection: Connection) {
        let mut pool = self.pool.lock().unwrap_or_else(|p| p.into_inner());
        pool.idle.push(connection);
        self.returned.notify_one();
    }

    fn open_one(&self) -> rusqlite::Result<Connection> {
        let connection = Connection::open(&self.path)?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        connection.pragma_update(None, "query_only", "ON")?;
        Ok(connection)
    }
}

/// One page of documents and how many match in all.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Documents matching the filter, in all.
    pub total: i64,
    /// The page's documents with their ids, in creation order.
    pub items: Vec<(String, Value)>,
}

/// The parameters of a count: `kind`, `scope`, and the id filter when there is one.
fn bind<'a>(kind: &'a str, scope: &'a str, id_contains: &'a str) -> Vec<&'a str> {
    let mut values = vec![kind, scope];
    if !id_contains.is_empty() {
        values.push(id_contains);
    }
    values
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
            .prepare_cached("SELECT body FROM docs WHERE kind = ?1 AND scope = ?2 AND id = ?3")?
            .query_row(params![kind, scope, id], |row| row.get(0))
            .optional()?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    /// Whether the document exists (without reading it).
    pub fn exists(&self, kind: &str, scope: &str, id: &str) -> rusqlite::Result<bool> {
        Ok(self
            .tx
            .prepare_cached("SELECT 1 FROM docs WHERE kind = ?1 AND scope = ?2 AND id = ?3")?
            .query_row(params![kind, scope, id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Inserts or replaces a document; a new one goes to the end of the creation order.
    pub fn put(&self, kind: &str, scope: &str, id: &str, body: &Value) -> rusqlite::Result<()> {
        let text = body.to_string();
        let updated = self
            .tx
            .prepare_cached("UPDATE docs SET body = ?4 WHERE kind = ?1 AND scope = ?2 AND id = ?3")?
            .execute(params![kind, scope, id, text])?;
        if updated == 0 {
            let seq = self.next("docs")?;
            self.tx
                .prepare_cached(
                    "INSERT INTO docs (kind, scope, id, seq, body) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![kind, scope, id, seq, text])?;
        }
        Ok(())
    }

    /// Deletes a document; whether it existed.
    pub fn delete(&self, kind: &str, scope: &str, id: &str) -> rusqlite::Result<bool> {
        Ok(self
            .tx
            .prepare_cached("DELETE FROM docs WHERE kind = ?1 AND scope = ?2 AND id = ?3")?
            .execute(params![kind, scope, id])?
            > 0)
    }

    /// Deletes every document of `kind` in `scope`.
    pub fn delete_scope(&self, kind: &str, scope: &str) -> rusqlite::Result<usize> {
        self.tx
            .prepare_cached("DELETE FROM docs WHERE kind = ?1 AND scope = ?2")?
            .execute(params![kind, scope])
    }

    /// Every document of `kind` in `scope`, in creation order, with its id. For kinds of which
    /// a scope holds few; page through the others with [`Docs::page`].
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

    /// The ids of every document of `kind` in `scope`, in creation order (read from the index
    /// alone; no document is parsed).
    pub fn ids(&self, kind: &str, scope: &str) -> rusqlite::Result<Vec<String>> {
        let mut statement = self
            .tx
            .prepare_cached("SELECT id FROM docs WHERE kind = ?1 AND scope = ?2 ORDER BY seq")?;
        let rows = statement.query_map(params![kind, scope], |row| row.get(0))?;
        rows.collect()
    }

    /// Documents `offset..offset + limit` of `kind` in `scope`, in creation order, among those
    /// whose id contains `id_contains` (case-sensitive; empty matches all), and how many match.
    pub fn page(
        &self,
        kind: &str,
        scope: &str,
        id_contains: &str,
        offset: u32,
        limit: u32,
    ) -> rusqlite::Result<Page> {
        // Both statements read the index alone until the page's first `seq` is found: the
        // offset is skipped there, and only the page's rows are fetched from the table. A
        // substring filter cannot use an index, but `instr` over one scope's ids in the index
        // is cheap next to reading every document.
        let filter = if id_contains.is_empty() {
            ""
        } else {
            "AND instr(id, ?3) > 0"
        };
        let total = self
            .tx
            .prepare_cached(&format!(
                "SELECT COUNT(*) FROM docs WHERE kind = ?1 AND scope = ?2 {filter}"
            ))?
            .query_row(params_from_iter(bind(kind, scope, id_contains)), |row| {
                row.get(0)
            })?;
        let mut statement = self.tx.prepare_cached(&format!(
            "SELECT id, body FROM docs WHERE kind = ?1 AND scope = ?2 {filter} AND seq >= \
             (SELECT seq FROM docs WHERE kind = ?1 AND scope = ?2 {filter} \
              ORDER BY seq LIMIT 1 OFFSET ?5) \
             ORDER BY seq LIMIT ?4"
        ))?;
        let rows = statement
            .query_map(params![kind, scope, id_contains, limit, offset], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })?;
        let mut items = Vec::with_capacity(limit as usize);
        for row in rows {
            let (id, text) = row?;
            if let Ok(value) = serde_json::from_str(&text) {
                items.push((id, value));
            }
        }
        Ok(Page { total, items })
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
        self.tx
            .prepare_cached("SELECT COUNT(*) FROM docs WHERE kind = ?1 AND scope = ?2")?
            .query_row(params![kind, scope], |row| row.get(0))
    }

    /// Increments and returns the counter `name` (1 on first use).
    pub fn next(&self, name: &str) -> rusqlite::Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO counters (name, value) VALUES (?1, 1) \
                 ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value",
            )?
            .query_row(params![name], |row| row.get(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(items: &[(String, Value)]) -> Vec<&str> {
        items.iter().map(|(id, _)| id.as_str()).collect()
    }

    #[test]
    fn documents_round_trip_in_creation_order() {
        let mut connection = open_in_memory(&[SCHEMA]).unwrap();
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
        assert_eq!(names(&docs.list("topic", "i-1").unwrap()), ["b", "a"]);
        assert_eq!(docs.ids("topic", "i-1").unwrap(), ["b", "a"]);
        assert_eq!(docs.get("topic", "i-1", "b").unwrap().unwrap()["v"], 2);
        assert!(docs.exists("topic", "i-1", "a").unwrap());
        assert!(docs.delete("topic", "i-1", "a").unwrap());
        assert!(!docs.delete("topic", "i-1", "a").unwrap());
        assert!(!docs.exists("topic", "i-1", "a").unwrap());
        assert_eq!(docs.count("topic", "i-1").unwrap(), 1);
    }

    #[test]
    fn pages_are_cut_and_filtered_in_creation_order() {
        let mut connection = open_in_memory(&[SCHEMA]).unwrap();
        let tx = connection.transaction().unwrap();
        let docs = Docs::new(&tx);
        for name in ["GID_b1", "GID_a1", "other", "GID_a2", "GID_b2"] {
            docs.put("group", "i-1", name, &serde_json::json!({"name": name}))
                .unwrap();
        }
        docs.put("group", "i-2", "GID_a3", &serde_json::json!({}))
            .unwrap();
        let page = docs.page("group", "i-1", "", 1, 2).unwrap();
        assert_eq!(
            (page.total, names(&page.items)),
            (5, vec!["GID_a1", "other"])
        );
        assert_eq!(page.items[0].1["name"], "GID_a1");
        let page = docs.page("group", "i-1", "_a", 0, 10).unwrap();
        assert_eq!(
            (page.total, names(&page.items)),
            (2, vec!["GID_a1", "GID_a2"])
        );
        let page = docs.page("group", "i-1", "GID_", 3, 10).unwrap();
        assert_eq!((page.total, names(&page.items)), (4, vec!["GID_b2"]));
        let page = docs.page("group", "i-1", "A", 0, 10).unwrap();
        assert_eq!(page.total, 0, "the filter is case-sensitive");
        let page = docs.page("group", "i-1", "", 9, 10).unwrap();
        assert_eq!((page.total, page.items.len()), (5, 0));
    }

    #[test]
    fn committed_documents_survive_reopening_and_readers_see_them() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut connection = open(dir.path(), &[SCHEMA]).unwrap();
            let tx = connection.transaction().unwrap();
            Docs::new(&tx)
                .put("instance", "p", "i-1", &serde_json::json!({"name": "kept"}))
                .unwrap();
            tx.commit().unwrap();
        }
        let mut writer = open(dir.path(), &[SCHEMA]).unwrap();
        let readers = Readers::new(dir.path(), 2);
        let read = |readers: &Readers| {
            readers
                .with(|connection| {
                    let tx = connection.transaction().unwrap();
                    Docs::new(&tx).get("instance", "p", "i-1").unwrap()
                })
                .unwrap()
        };
        assert_eq!(read(&readers).unwrap()["name"], "kept");
        let tx = writer.transaction().unwrap();
        Docs::new(&tx)
            .put(
                "instance",
                "p",
                "i-1",
                &serde_json::json!({"name": "changed"}),
            )
            .unwrap();
        assert_eq!(
            read(&readers).unwrap()["name"],
            "kept",
            "readers do not see uncommitted writes"
        );
        tx.commit().unwrap();
        assert_eq!(read(&readers).unwrap()["name"], "changed");
    }

    #[test]
    fn readers_refuse_to_write() {
        let dir = tempfile::tempdir().unwrap();
        open(dir.path(), &[SCHEMA]).unwrap();
        let readers = Readers::new(dir.path(), 1);
        let refused = readers
            .with(|connection| {
                let tx = connection.transaction().unwrap();
                Docs::new(&tx).put("instance", "p", "i-1", &serde_json::json!({}))
            })
            .unwrap();
        assert!(refused.is_err(), "a reader wrote");
    }
}
