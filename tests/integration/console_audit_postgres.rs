//! The audit log in PostgreSQL (`audit.url = "postgres://..."`): the same records as in SQLite
//! (who, role, client, action, target, outcome, DMS request id; failures with their code; the
//! intent on record before the call), the same filters and CSV export, the same answers to
//! the same searches as SQLite, actions refused with 503 (quickly, and before DMS) while
//! PostgreSQL stalls or is gone and resumed when it is back, and a console that will not start
//! against an unreachable database or a wrong password, never showing the password.
//!
//! PostgreSQL comes from `DMS_TEST_POSTGRES_URL` (`tests/run` starts a throwaway cluster and
//! sets it); each test works in a schema of its own, dropped afterwards. Under CI (`CI` set) a
//! missing URL fails these tests; elsewhere each test creates and starts a cluster of its own
//! when PostgreSQL's server binaries are installed.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dms_console::web::audit::{Audit, Filter, Intent, Outcome, Record};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinHandle;

use crate::console_audit::{assert_restarts_exported, audit_csv, date, four_audited_actions};
use crate::support::calls::is_request_id;
use crate::support::console::{Page, TestApp, spawn_app_with};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .unwrap()
        .port()
}

fn random_hex(bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}

/// `DMS_TEST_POSTGRES_URL`; under CI its absence fails the test (never a silent skip).
fn shared_postgres_url() -> Option<String> {
    match std::env::var("DMS_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => panic!(
            "DMS_TEST_POSTGRES_URL is not set: under CI the PostgreSQL audit tests need the PostgreSQL that `tests/run` starts"
        ),
        _ => None,
    }
}

/// The directory of `initdb` and `pg_ctl`: Debian's newest `/usr/lib/postgresql/*/bin`, else
/// the `PATH`.
fn postgres_bindir() -> Option<PathBuf> {
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    debian.sort();
    if let Some((_, bin)) = debian.pop() {
        return Some(bin);
    }
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
    })
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// A PostgreSQL cluster of the test's own, in a temporary directory, stopped on drop. As root
/// it runs as the `postgres` user (PostgreSQL refuses to run as root).
struct OwnCluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    as_postgres: bool,
    url: String,
}

impl OwnCluster {
    fn start() -> Self {
        let bin = postgres_bindir().unwrap_or_else(|| {
            panic!(
                "PostgreSQL is not installed: run `tests/run` (it installs PostgreSQL, starts a throwaway cluster and sets DMS_TEST_POSTGRES_URL), or set DMS_TEST_POSTGRES_URL"
            )
        });
        let dir = tempfile::tempdir().expect("temporary directory");
        let as_postgres = command_output("id", &["-u"]).as_deref() == Some("0");
        let password = random_hex(16);
        let pwfile = dir.path().join("pwfile");
        std::fs::write(&pwfile, format!("{password}\n")).unwrap();
        if as_postgres {
            let uid = command_output("id", &["-u", "postgres"])
                .and_then(|id| id.parse().ok())
                .expect("a `postgres` user to run PostgreSQL as (run `tests/run`)");
            let gid = command_output("id", &["-g", "postgres"])
                .and_then(|id| id.parse().ok())
                .unwrap();
            for path in [dir.path(), pwfile.as_path()] {
                std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
            }
        }
        let mut cluster = Self {
            bin,
            dir,
            as_postgres,
            url: String::new(),
        };
        let data = cluster.dir.path().join("data");
        let initdb = cluster
            .command("initdb")
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "dms_test",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--no-locale",
                "--no-instructions",
            ])
            .arg(format!("--pwfile={}", pwfile.display()))
            .output()
            .expect("initdb runs");
        assert!(
            initdb.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&initdb.stderr)
        );
        let port = free_port();
        let socket_dir = cluster.dir.path().display().to_string();
        let started = cluster
            .command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(cluster.dir.path().join("server.log"))
            .args(["-w", "-t", "60", "-o"])
            .arg(format!(
                "-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={socket_dir} -c fsync=off"
            ))
            .arg("start")
            .output()
            .expect("pg_ctl runs");
        assert!(
            started.status.success(),
            "PostgreSQL did not start: {}",
            std::fs::read_to_string(cluster.dir.path().join("server.log")).unwrap_or_default()
        );
        cluster.url = format!("postgres://dms_test:{password}@127.0.0.1:{port}/postgres");
        cluster
    }

    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

/// `url` with `options` set so that unqualified names resolve in `schema`.
fn with_search_path(url: &str, schema: &str) -> String {
    // tokio-postgres percent-decodes option values (no `+` for space).
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}options=-c%20search_path%3D{schema}")
}

/// `url` aimed at `127.0.0.1:port` instead of its own host and port.
fn via(url: &str, port: u16) -> String {
    let mut url = url::Url::parse(url).unwrap();
    url.set_host(Some("127.0.0.1")).unwrap();
    url.set_port(Some(port)).unwrap();
    url.to_string()
}

/// A schema of the test's own in the test PostgreSQL, dropped on drop.
pub(crate) struct TestDatabase {
    /// The server's URL (shared or own cluster).
    server_url: String,
    schema: String,
    admin: tokio_postgres::Client,
    // Dropped after the schema is.
    _own: Option<OwnCluster>,
}

impl TestDatabase {
    pub(crate) async fn new() -> Self {
        let (server_url, own) = match shared_postgres_url() {
            Some(url) => (url, None),
            None => {
                let own = OwnCluster::start();
                (own.url.clone(), Some(own))
            }
        };
        let schema = format!("dms_test_{}_{}", std::process::id(), random_hex(6));
        let (admin, connection) = tokio_postgres::connect(&server_url, tokio_postgres::NoTls)
            .await
            .expect("the test PostgreSQL answers");
        tokio::spawn(connection);
        admin
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .await
            .expect("a schema of the test's own");
        Self {
            server_url,
            schema,
            admin,
            _own: own,
        }
    }

    /// The console's `audit.url`: the server, in this test's schema.
    pub(crate) fn url(&self) -> String {
        with_search_path(&self.server_url, &self.schema)
    }

    /// The server's TCP address.
    async fn server_addr(&self) -> SocketAddr {
        let url = url::Url::parse(&self.server_url).unwrap();
        let host = url
            .host_str()
            .expect("a TCP host in the test URL")
            .to_owned();
        let port = url.port().unwrap_or(5432);
        tokio::net::lookup_host((host.trim_matches(['[', ']']), port))
            .await
            .unwrap()
            .next()
            .unwrap()
    }

    /// `(operation, outcome)` of every record in this test's table, oldest first.
    pub(crate) async fn operations_and_outcomes(&self) -> Vec<(String, String)> {
        self.admin
            .query(
                &format!(
                    "SELECT operation, outcome FROM {}.audit ORDER BY id",
                    self.schema
                ),
                &[],
            )
            .await
            .unwrap()
            .iter()
            .map(|row| (row.get(0), row.get(1)))
            .collect()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let url = self.server_url.clone();
        let schema = self.schema.clone();
        // Drop runs inside the test's runtime: clean up on a thread with a runtime of its own.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                if let Ok((client, connection)) =
                    tokio_postgres::connect(&url, tokio_postgres::NoTls).await
                {
                    tokio::spawn(connection);
                    let _ = client
                        .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                        .await;
                }
            });
        })
        .join();
    }
}

/// The proxy's connections: each with its `frozen` flag and its task.
type Connections = Arc<Mutex<Vec<(Arc<AtomicBool>, JoinHandle<()>)>>>;

/// A TCP proxy in front of PostgreSQL, on a thread and runtime of its own (the console's
/// start-up blocks the test's thread while it connects through it). It can stall (accept and
/// hold connections, pass nothing on either way), close (drop every connection and stop
/// listening) and open again on the same port.
struct Proxy {
    port: u16,
    target: SocketAddr,
    runtime: tokio::runtime::Handle,
    stalled: Arc<AtomicBool>,
    connections: Connections,
    listener: Option<JoinHandle<()>>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Copies `from` to `to` until either ends; once `frozen`, holds what it read forever.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    frozen: Arc<AtomicBool>,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if frozen.load(Ordering::SeqCst) {
            std::future::pending::<()>().await;
        }
        if to.write_all(&buffer[..n]).await.is_err() {
            return;
        }
    }
}

impl Proxy {
    async fn start(target: SocketAddr) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let handle = runtime.handle().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            runtime.block_on(async {
                let _ = stopped.await;
            })
        });
        let mut proxy = Self {
            port: 0,
            target,
            runtime: handle,
            stalled: Arc::new(AtomicBool::new(false)),
            connections: Arc::default(),
            listener: None,
            _stop: stop,
        };
        proxy.open().await;
        proxy
    }

    /// Listens (again) on the proxy's port and passes connections on.
    async fn open(&mut self) {
        self.stalled.store(false, Ordering::SeqCst);
        let (bound, port) = tokio::sync::oneshot::channel();
        let requested = self.port;
        let target = self.target;
        let stalled = self.stalled.clone();
        let connections = self.connections.clone();
        self.listener = Some(self.runtime.spawn(async move {
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.set_reuseaddr(true).unwrap();
            socket
                .bind(SocketAddr::from(([127, 0, 0, 1], requested)))
                .expect("the proxy's port is free");
            let listener = socket.listen(64).unwrap();
            let _ = bound.send(listener.local_addr().unwrap().port());
            loop {
                let Ok((inbound, _)) = listener.accept().await else {
                    continue;
                };
                let frozen = Arc::new(AtomicBool::new(stalled.load(Ordering::SeqCst)));
                let held = frozen.clone();
                let task = tokio::spawn(async move {
                    if held.load(Ordering::SeqCst) {
                        // Accepted (the task keeps the socket open), never answered.
                        std::future::pending::<()>().await;
                    }
                    let Ok(outbound) = tokio::net::TcpStream::connect(target).await else {
                        return;
                    };
                    let (in_read, in_write) = inbound.into_split();
                    let (out_read, out_write) = outbound.into_split();
                    tokio::select! {
                        _ = pump(in_read, out_write, held.clone()) => {}
                        _ = pump(out_read, in_write, held) => {}
                    }
                });
                connections.lock().unwrap().push((frozen, task));
            }
        }));
        self.port = port.await.expect("the proxy listens");
    }

    /// From now on nothing passes, on open connections or new ones (which are accepted).
    fn stall(&self) {
        self.stalled.store(true, Ordering::SeqCst);
        for (frozen, _) in self.connections.lock().unwrap().iter() {
            frozen.store(true, Ordering::SeqCst);
        }
    }

    /// Drops every connection and stops listening: connections are refused.
    async fn close(&mut self) {
        let mut tasks: Vec<JoinHandle<()>> = self
            .connections
            .lock()
            .unwrap()
            .drain(..)
            .map(|(_, task)| task)
            .collect();
        tasks.extend(self.listener.take());
        for task in &tasks {
            task.abort();
        }
        for task in tasks {
            let _ = task.await;
        }
    }
}

/// An emulator and a console whose audit log is in `url`, signed in as admin, with a RUNNING
/// instance `orders-prod`.
async fn admin_with_instance(url: String) -> (TestApp, String) {
    let app = spawn_app_with(|settings| settings.audit.url = url).await;
    let id = app.create_instance("orders-prod");
    app.login_as("admin").await.assert_redirect("/instances");
    (app, id)
}

#[tokio::test]
async fn a_restart_writes_one_postgres_record_with_the_outcome_and_the_dms_request_id() {
    let db = TestDatabase::new().await;
    let (app, id) = admin_with_instance(db.url()).await;
    app.submit(&format!("/instances/{id}/restart"), &[])
        .await
        .assert_redirect(&format!("/instances/{id}"));

    // The record is in PostgreSQL, and no SQLite file was made.
    assert_eq!(
        db.operations_and_outcomes().await,
        [("RestartInstance".to_owned(), "ok".to_owned())]
    );
    assert!(!app.audit_path.exists());

    let records = audit_csv(&app, "").await;
    assert_eq!(records.len(), 1, "{records:?}");
    let r = &records[0];
    assert_eq!(r["id"], "1");
    assert_eq!(r["actor"], "admin");
    assert_eq!(r["role"], "admin");
    assert_eq!(r["client"], "127.0.0.1");
    assert_eq!(r["action"], "dms:instance:modify");
    assert_eq!(r["operation"], "RestartInstance");
    assert_eq!(r["target"], format!("instance/{id}"));
    assert_eq!(r["outcome"], "ok");
    assert_eq!(r["detail"], "");
    assert!(is_request_id(&r["request_id"]), "{r:?}");
    assert!(r["time_utc"].ends_with('Z'), "{r:?}");

    let page = app.get_page("/audit").await;
    page.assert_status(200);
    assert_eq!(page.count("#audit-table tbody tr"), 1);
    assert_eq!(page.text(".outcome"), "ok");
    assert_eq!(
        page.text("#audit-table tbody tr td:nth-child(8)"),
        r["request_id"]
    );
}

#[tokio::test]
async fn a_restart_that_dms_refuses_is_recorded_in_postgres_as_failed_with_the_code() {
    let db = TestDatabase::new().await;
    let (app, id) = admin_with_instance(db.url()).await;
    app.set_faults(json!([{
        "method": "POST",
        "path": "/v2/*/*/instances/*/restart",
        "error_rate": 1.0,
        "status": 400,
        "error_code": "DMS.00400026"
    }]))
    .await;
    let page = app.submit(&format!("/instances/{id}/restart"), &[]).await;
    assert!(page.status >= 400, "{}", page.status);
    assert_eq!(page.text(".error-card .error-code"), "DMS.00400026");
    let shown_request_id = page.text(".error-card .request-id");

    let records = audit_csv(&app, "").await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["outcome"], "failed");
    assert_eq!(records[0]["detail"], "DMS.00400026");
    assert_eq!(records[0]["request_id"], shown_request_id);
    assert_eq!(
        db.operations_and_outcomes().await,
        [("RestartInstance".to_owned(), "failed".to_owned())]
    );
}

#[tokio::test]
async fn the_intent_is_in_postgres_before_the_call_and_completed_after_it() {
    let db = TestDatabase::new().await;
    let (app, id) = admin_with_instance(db.url()).await;
    app.set_faults(json!([{
        "method": "POST",
        "path": "/v2/*/*/instances/*/restart",
        "latency_ms": 1500
    }]))
    .await;
    let browser = app.browser.clone();
    let path = format!("/instances/{id}/restart");
    browser.csrf().await;
    let op = browser.op_id(&path).await;
    let restart = tokio::spawn(async move { browser.post_form(&path, &[("op", &op)]).await });
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        db.operations_and_outcomes().await,
        [("RestartInstance".to_owned(), "pending".to_owned())],
        "the intent is on record while DMS is still working"
    );
    restart
        .await
        .unwrap()
        .assert_redirect(&format!("/instances/{id}"));
    assert_eq!(
        db.operations_and_outcomes().await,
        [("RestartInstance".to_owned(), "ok".to_owned())]
    );
}

#[tokio::test]
async fn the_audit_page_filters_and_exports_records_from_postgres() {
    let db = TestDatabase::new().await;
    let app = spawn_app_with(|settings| settings.audit.url = db.url()).await;
    let ids = four_audited_actions(&app).await;
    let [a, b, _] = &ids;

    let rows = |page: &Page| page.count("#audit-table tbody tr");
    let all = app.get_page("/audit").await;
    assert_eq!(rows(&all), 4);
    // Newest first.
    assert_eq!(
        all.texts("#audit-table tbody tr td:nth-child(2)"),
        [crate::support::emulator::AK, "admin", "admin", "admin"]
    );
    assert_eq!(rows(&app.get_page("/audit?user=ADMIN").await), 3);
    assert_eq!(rows(&app.get_page("/audit?action=restart").await), 3);
    assert_eq!(
        rows(&app.get_page("/audit?action=dms:instance:modify").await),
        4
    );
    assert_eq!(rows(&app.get_page("/audit?action=UpdateInstance").await), 1);
    assert_eq!(
        rows(
            &app.get_page(&format!("/audit?target={}", b.to_uppercase()))
                .await
        ),
        1
    );
    assert_eq!(
        rows(
            &app.get_page(&format!("/audit?user=admin&action=restart&target={a}"))
                .await
        ),
        1
    );
    let nobody = app.get_page("/audit?user=nobody").await;
    nobody.assert_status(200);
    assert_eq!(
        nobody.text("#list-empty"),
        "No audit record matches these filters."
    );

    let today = date(0);
    assert_eq!(
        rows(
            &app.get_page(&format!("/audit?from={today}&to={today}"))
                .await
        ),
        4
    );
    assert_eq!(
        rows(&app.get_page(&format!("/audit?from={}", date(1))).await),
        0
    );
    assert_eq!(
        rows(&app.get_page(&format!("/audit?to={}", date(-1))).await),
        0
    );

    assert_restarts_exported(&app, &ids, &today).await;
    let edit = audit_csv(&app, "?action=UpdateInstance").await;
    assert_eq!(edit.len(), 1);
    let params: serde_json::Value = serde_json::from_str(&edit[0]["params"]).unwrap();
    assert_eq!(
        params,
        json!({
            "name": {"before": "orders-prod", "after": "orders-main"},
            "description": {"before": "", "after": ""}
        })
    );
    assert_eq!(audit_csv(&app, "?user=nobody").await.len(), 0);
}

/// A record without its time, which differs between two logs written one after the other.
fn timeless(records: &[Record]) -> Vec<serde_json::Value> {
    records
        .iter()
        .map(|r| {
            let mut value = serde_json::to_value(r).unwrap();
            value.as_object_mut().unwrap().remove("at_ms");
            value
        })
        .collect()
}

/// Writes the same records to `audit`; returns their times.
async fn write_sample(audit: &Audit) -> Vec<i64> {
    let base = Intent {
        actor: "alice".into(),
        role: "admin".into(),
        client: "127.0.0.1".into(),
        action: "dms:instance:modify".into(),
        operation: "RestartInstance".into(),
        target: "instance/i-1".into(),
        params: json!({}),
        session: "h".into(),
    };
    let intents = [
        base.clone(),
        Intent {
            actor: "Bob".into(),
            role: "operator".into(),
            action: "dms:topic:modify".into(),
            operation: "UpdateTopic".into(),
            target: "topic/100%_done".into(),
            params: json!({"queue_num": 8, "note": "a \"quoted\", comma"}),
            ..base.clone()
        },
        Intent {
            actor: "ALINA".into(),
            action: "dms:instance:delete".into(),
            operation: "DeleteInstance".into(),
            target: "instance/I-2".into(),
            ..base.clone()
        },
        Intent {
            client: "::1".into(),
            target: "instance/i-22".into(),
            ..base.clone()
        },
        Intent {
            actor: "HPUAKEY".into(),
            ..base
        },
    ];
    let outcomes = [
        Some(Outcome::Ok {
            request_id: Some("r-1".into()),
        }),
        Some(Outcome::Failed {
            code: "DMS.00400026".into(),
            request_id: Some("r-2".into()),
        }),
        Some(Outcome::Unknown {
            reason: "no answer within 30 s".into(),
            request_id: None,
        }),
        None,
        Some(Outcome::Ok { request_id: None }),
    ];
    let mut times = Vec::new();
    for (intent, outcome) in intents.into_iter().zip(outcomes) {
        let id = audit.intent(intent).await.unwrap();
        if let Some(outcome) = outcome {
            audit.outcome(id, outcome).await.unwrap();
        }
        let newest = audit.search(Filter::default(), 0, 1).await.unwrap();
        times.push(newest[0].at_ms);
        // Distinct times, so that time filters split the records.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    times
}

/// A search: its name, its filter given the records' times, its limit, how many it finds.
type SearchCase = (&'static str, Box<dyn Fn(&[i64]) -> Filter>, u32, usize);

#[tokio::test]
async fn postgres_and_sqlite_answer_the_same_searches_alike() {
    let db = TestDatabase::new().await;
    let sqlite = Audit::open("sqlite::memory:").unwrap();
    let postgres = Audit::open(&db.url()).unwrap();
    let sqlite_times = write_sample(&sqlite).await;
    let postgres_times = write_sample(&postgres).await;

    let text = |user: &str, action: &str, target: &str| Filter {
        user: user.into(),
        action: action.into(),
        target: target.into(),
        ..Filter::default()
    };
    let cases: Vec<SearchCase> = vec![
        ("everything", Box::new(|_| Filter::default()), 100, 5),
        ("the newest two", Box::new(|_| Filter::default()), 2, 2),
        (
            "user, any case",
            Box::new(move |_| text("AL", "", "")),
            100,
            3,
        ),
        ("user bob", Box::new(move |_| text("bob", "", "")), 100, 1),
        (
            "the operation",
            Box::new(move |_| text("", "restart", "")),
            100,
            3,
        ),
        (
            "the IAM action",
            Box::new(move |_| text("", "INSTANCE:DELETE", "")),
            100,
            1,
        ),
        ("the target", Box::new(move |_| text("", "", "i-2")), 100, 2),
        (
            "wildcards are literal",
            Box::new(move |_| text("", "", "%_")),
            100,
            1,
        ),
        (
            "wildcards match nothing else",
            Box::new(move |_| text("", "", "_1")),
            100,
            0,
        ),
        (
            "all three",
            Box::new(move |_| text("a", "modify", "instance/")),
            100,
            3,
        ),
        ("nobody", Box::new(move |_| text("nobody", "", "")), 100, 0),
        (
            "from the third",
            Box::new(|t| Filter {
                from_ms: Some(t[2]),
                ..Filter::default()
            }),
            100,
            3,
        ),
        (
            "up to the second",
            Box::new(|t| Filter {
                to_ms: Some(t[1]),
                ..Filter::default()
            }),
            100,
            2,
        ),
        (
            "between, with a user",
            Box::new(|t| Filter {
                user: "ALI".into(),
                from_ms: Some(t[1]),
                to_ms: Some(t[3]),
                ..Filter::default()
            }),
            100,
            2,
        ),
    ];
    for (name, filter, limit, expected) in cases {
        let from_sqlite = sqlite
            .search(filter(&sqlite_times), 0, limit)
            .await
            .unwrap();
        let from_postgres = postgres
            .search(filter(&postgres_times), 0, limit)
            .await
            .unwrap();
        assert_eq!(from_postgres.len(), expected, "{name}: {from_postgres:?}");
        assert_eq!(timeless(&from_postgres), timeless(&from_sqlite), "{name}");
        // Newest first.
        let ids: Vec<i64> = from_postgres.iter().map(|r| r.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(ids, sorted, "{name}");
    }
    let all = postgres.search(Filter::default(), 0, 100).await.unwrap();
    assert_eq!(
        all.iter().map(|r| r.outcome.as_str()).collect::<Vec<_>>(),
        ["ok", "pending", "unknown", "failed", "ok"]
    );
    assert_eq!(all[2].detail, "no answer within 30 s");
    assert_eq!(all[3].detail, "DMS.00400026");
    assert_eq!(all[3].request_id, "r-2");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&all[3].params).unwrap(),
        json!({"queue_num": 8, "note": "a \"quoted\", comma"})
    );
}

/// Asserts that `page` is the audit log's refusal, without `password` in it.
fn assert_refused(page: &Page, password: &str) {
    page.assert_status(503);
    let message = page.text(".error-card .message");
    assert!(
        message.contains("the audit log is unavailable") && message.contains("not carried out"),
        "{}",
        page.body
    );
    assert!(!password.is_empty() && !page.body.contains(password));
}

#[tokio::test]
async fn while_postgres_stalls_or_is_gone_actions_are_refused_quickly_before_dms_then_resume() {
    let db = TestDatabase::new().await;
    let password = url::Url::parse(&db.server_url)
        .unwrap()
        .password()
        .unwrap_or("no-password-in-the-url")
        .to_owned();
    let mut proxy = Proxy::start(db.server_addr().await).await;
    let (app, id) = admin_with_instance(via(&db.url(), proxy.port)).await;
    app.csrf().await;
    let restart = format!("/instances/{id}/restart");
    // The form is read once; a refused attempt leaves its operation id free to use again.
    let op = app.op_id(&restart).await;
    let before = app.emulator_requests();

    // PostgreSQL stops answering: the connection is open but nothing comes back.
    proxy.stall();
    for attempt in ["on the open connection", "on a new connection"] {
        let started = Instant::now();
        let page = app.post_form(&restart, &[("op", &op)]).await;
        let elapsed = started.elapsed();
        assert_refused(&page, &password);
        assert!(
            page.text(".error-card .message").contains("did not answer"),
            "{attempt}: {}",
            page.body
        );
        assert!(
            elapsed >= Duration::from_millis(1500) && elapsed < Duration::from_secs(8),
            "{attempt}: refused after {elapsed:?}"
        );
    }

    // PostgreSQL is gone: connections are refused at once.
    proxy.close().await;
    let started = Instant::now();
    let page = app.post_form(&restart, &[("op", &op)]).await;
    assert_refused(&page, &password);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "refused after {:?}",
        started.elapsed()
    );

    assert_eq!(app.emulator_requests(), before, "nothing reached DMS");
    let dashboard = app.get_page(&format!("/instances/{id}")).await;
    assert_eq!(dashboard.text("#instance-status"), "RUNNING");

    // Back again: the console reconnects by itself, and the refused attempts left no record.
    proxy.open().await;
    app.post_form(&restart, &[("op", &op)])
        .await
        .assert_redirect(&format!("/instances/{id}"));
    let records = audit_csv(&app, "").await;
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["outcome"], "ok");
    assert!(is_request_id(&records[0]["request_id"]));
}

#[tokio::test]
async fn a_console_whose_postgres_cannot_be_used_does_not_start_and_never_shows_the_password() {
    let db = TestDatabase::new().await;
    let emulator_url = "http://127.0.0.1:9";
    let dir = tempfile::tempdir().unwrap();
    let start = |url: String| {
        let mut settings = crate::support::console::console_settings(
            emulator_url,
            &dir.path().join("unused.sqlite3"),
        );
        settings.audit.url = url;
        let key = dms_console::startup::server_key(&settings).unwrap();
        let started = Instant::now();
        let error = dms_console::startup::build_state(&settings, key)
            .err()
            .expect("refused");
        (error, started.elapsed())
    };

    // Nothing listens there.
    let secret = format!("Secret-{}", random_hex(8));
    let port = free_port();
    let (error, elapsed) = start(format!(
        "postgres://dms:{secret}@127.0.0.1:{port}/audit?connect_timeout=1"
    ));
    assert_eq!(error.key, "audit.url");
    let shown = error.to_string();
    assert!(
        shown.contains(&format!("postgres://dms:***@127.0.0.1:{port}/audit")),
        "{shown}"
    );
    assert!(shown.contains("cannot connect"), "{shown}");
    assert!(!shown.contains(&secret), "{shown}");
    assert!(elapsed < Duration::from_secs(6), "{elapsed:?}");

    // It accepts connections but never answers: start-up gives up after its deadline.
    let mut proxy = Proxy::start(db.server_addr().await).await;
    proxy.stall();
    let mut stalled = url::Url::parse(&via(&db.url(), proxy.port)).unwrap();
    stalled.set_password(Some(&secret)).unwrap();
    let (error, elapsed) = start(stalled.to_string());
    assert_eq!(error.key, "audit.url");
    let shown = error.to_string();
    assert!(shown.contains("did not answer"), "{shown}");
    assert!(!shown.contains(&secret), "{shown}");
    assert!(elapsed < Duration::from_secs(8), "{elapsed:?}");
    proxy.close().await;

    // The server is there, the password is wrong.
    let mut wrong = url::Url::parse(&db.url()).unwrap();
    if wrong.password().is_some() {
        wrong.set_password(Some(&secret)).unwrap();
        let (error, _) = start(wrong.to_string());
        assert_eq!(error.key, "audit.url");
        let shown = error.to_string();
        assert!(shown.contains("password authentication failed"), "{shown}");
        assert!(!shown.contains(&secret), "{shown}");
        assert!(shown.contains(":***@"), "{shown}");
    }

    // The right one works, and is not shown either in the settings' debug form.
    let mut settings =
        crate::support::console::console_settings(emulator_url, &dir.path().join("unused.sqlite3"));
    settings.audit.url = db.url();
    let key = dms_console::startup::server_key(&settings).unwrap();
    assert!(dms_console::startup::build_state(&settings, key).is_ok());
    if let Some(password) = url::Url::parse(&db.url()).unwrap().password() {
        assert!(!format!("{:?}", settings.audit).contains(password));
    }
}

#[test]
fn test_urls_are_built_as_postgres_reads_them() {
    assert_eq!(
        with_search_path("postgres://u:p@127.0.0.1:5432/db", "s1"),
        "postgres://u:p@127.0.0.1:5432/db?options=-c%20search_path%3Ds1"
    );
    assert_eq!(
        with_search_path("postgres://u:p@h/db?sslmode=disable", "s1"),
        "postgres://u:p@h/db?sslmode=disable&options=-c%20search_path%3Ds1"
    );
    assert_eq!(
        via("postgres://u:p@db.example:5432/db?x=1", 7000),
        "postgres://u:p@127.0.0.1:7000/db?x=1"
    );
}
