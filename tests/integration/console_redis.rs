//! Sessions in Redis (`session.backend = "redis"`): nothing secret in clear text, replicas
//! sharing sessions and sign-out, sign-out racing a slow request, and a clear 503 (fast, not a
//! hang) while Redis is down or hung, for signed-in requests and sign-in alike, then recovery.
//!
//! Redis comes from `DMS_TEST_REDIS_URL` (`tests/run` starts one). Under CI (`CI` set) a
//! missing URL fails these tests; elsewhere each test starts its own `redis-server` when the
//! binary is installed. The outage tests always run a `redis-server` child of their own, since
//! they kill or stop it.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use deadpool_redis::redis::AsyncCommands;
use serde_json::json;

use crate::support::console::{Console, SESSION_COOKIE, TestApp, spawn_app_with};
use crate::support::emulator::{AK, PROJECT, SK};

/// A `redis-server` child process on its own loopback port, killed on drop.
struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .unwrap()
        .port()
}

fn redis_server_binary() -> Option<String> {
    let output = Command::new("redis-server")
        .arg("--version")
        .output()
        .ok()?;
    output.status.success().then(|| "redis-server".to_owned())
}

impl RedisServer {
    /// Starts `redis-server` on a free port without persistence; panics with advice when the
    /// binary is missing.
    async fn start() -> Self {
        let port = free_port();
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut server = Self {
            child: None,
            port,
            dir,
        };
        server.spawn().await;
        server
    }

    async fn spawn(&mut self) {
        let binary = redis_server_binary().unwrap_or_else(|| {
            panic!(
                "redis-server is not installed: run `tests/run` (it installs and starts Redis and sets DMS_TEST_REDIS_URL), or install redis-server"
            )
        });
        let child = Command::new(binary)
            .args([
                "--bind",
                "127.0.0.1",
                "--port",
                &self.port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
            ])
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "redis-server did not listen");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Sends `signal` (`STOP`, `CONT`) to the server: a stopped Redis keeps its connections
    /// open and answers nothing, as a hung one does.
    fn signal(&self, signal: &str) {
        let child = self.child.as_ref().expect("a running redis-server");
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{signal}");
    }

    /// Kills the server (SIGKILL) and waits for it.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The Redis of a test: the shared one of `DMS_TEST_REDIS_URL`, or one of its own.
pub(crate) struct TestRedis {
    pub(crate) url: String,
    _own: Option<RedisServer>,
}

/// `DMS_TEST_REDIS_URL`; under CI its absence fails the test (never a silent skip).
fn shared_redis_url() -> Option<String> {
    match std::env::var("DMS_TEST_REDIS_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => panic!(
            "DMS_TEST_REDIS_URL is not set: under CI the Redis tests need the Redis that `tests/run` starts"
        ),
        _ => None,
    }
}

pub(crate) async fn test_redis() -> TestRedis {
    if let Some(url) = shared_redis_url() {
        return TestRedis { url, _own: None };
    }
    let own = RedisServer::start().await;
    TestRedis {
        url: own.url(),
        _own: Some(own),
    }
}

pub(crate) fn redis_pool(url: &str) -> deadpool_redis::Pool {
    deadpool_redis::Config::from_url(url)
        .create_pool(Some(deadpool_redis::Runtime::Tokio1))
        .expect("a Redis pool")
}

/// Every session key in Redis with its value.
async fn session_entries(url: &str) -> Vec<(String, String)> {
    let mut connection = redis_pool(url).get().await.expect("Redis answers");
    let keys: Vec<String> = connection
        .keys("dms-console:session:*")
        .await
        .expect("KEYS");
    let mut entries = Vec::new();
    for key in keys {
        if let Some(value) = connection
            .get::<_, Option<String>>(&key)
            .await
            .expect("GET")
        {
            entries.push((key, value));
        }
    }
    entries
}

async fn redis_app(url: &str) -> TestApp {
    let url = url.to_owned();
    spawn_app_with(move |s| {
        s.session.backend = "redis".to_owned();
        s.session.redis_url = Some(url);
    })
    .await
}

/// A second console (another replica) with the same settings but its own audit file.
async fn replica(app: &TestApp, dir: &tempfile::TempDir) -> Console {
    let mut settings = app.console.settings.clone();
    settings.audit.url = format!("sqlite:{}", dir.path().join("replica.sqlite3").display());
    Console::start(settings).await
}

#[tokio::test]
async fn a_redis_session_holds_no_secret_in_clear_text() {
    let redis = test_redis().await;
    let app = redis_app(&redis.url).await;
    app.login_access_key(AK, SK, PROJECT)
        .await
        .assert_redirect("/instances");
    app.get_page("/instances").await.assert_status(200);

    let entries = session_entries(&redis.url).await;
    let ours: Vec<&(String, String)> = entries
        .iter()
        .filter(|(_, value)| value.contains(&format!("\\\"user\\\":\\\"{AK}\\\"")))
        .collect();
    assert!(
        !ours.is_empty(),
        "the access-key session is in Redis: {entries:?}"
    );
    for (key, value) in &entries {
        assert!(!value.contains(SK), "{key} holds the secret key: {value}");
        assert!(
            !value.contains("emulator-test-secret"),
            "{key} holds part of the secret key"
        );
    }
    // The record is there, with its credentials sealed.
    let (_, value) = ours[0];
    assert!(value.contains("sealed"), "{value}");
}

#[tokio::test]
async fn two_replicas_share_sessions_and_sign_out() {
    let redis = test_redis().await;
    let app = redis_app(&redis.url).await;
    let dir = tempfile::tempdir().unwrap();
    let second = replica(&app, &dir).await;

    app.login_as("operator").await.assert_redirect("/instances");
    let on_second = app.browser.aimed_at(&second.url);
    let page = on_second.get_page("/instances").await;
    page.assert_status(200);
    assert_eq!(page.text("#whoami .user"), "operator");
    assert_eq!(page.text("#whoami .role"), "operator");

    // The CSRF token of the session works on either replica; sign out on the second.
    let token = app.csrf().await;
    on_second
        .post_raw("/logout", &[], Some(&token), &[("Origin", &second.url)])
        .await
        .assert_redirect("/login");
    // The cookie is worthless on the first.
    app.get_page("/instances").await.assert_redirect("/login");
    let fragment = app.get_fragment("/instances").await;
    fragment.assert_status(200);
    assert_eq!(fragment.header("hx-redirect"), Some("/login"));
}

#[tokio::test]
async fn a_request_running_during_sign_out_cannot_bring_a_redis_session_back() {
    let redis = test_redis().await;
    let app = redis_app(&redis.url).await;
    app.login_as("admin").await.assert_redirect("/instances");
    let old = app.session_cookie().unwrap();
    app.csrf().await;
    let before: usize = session_entries(&redis.url)
        .await
        .iter()
        .filter(|(_, v)| v.contains("\\\"user\\\":\\\"admin\\\""))
        .count();
    assert!(before >= 1);
    app.set_faults(json!([{"method": "GET", "path": "/v2/*/instances", "latency_ms": 1500}]))
        .await;
    let slow_browser = app.browser.aimed_at(&app.base);
    let slow = tokio::spawn(async move { slow_browser.get_page("/instances").await });
    tokio::time::sleep(Duration::from_millis(400)).await;
    app.logout().await.assert_redirect("/login");
    let slow = slow.await.unwrap();
    slow.assert_status(200);
    app.clear_faults().await;

    let replay = app.new_browser();
    replay.set_cookie(SESSION_COOKIE, Some(&old));
    replay
        .get_page("/instances")
        .await
        .assert_redirect("/login");
    if let Some(set) = slow.set_cookie(SESSION_COOKIE) {
        let value = set.split(';').next().unwrap().split_once('=').unwrap().1;
        if !value.is_empty() {
            replay.set_cookie(SESSION_COOKIE, Some(value));
            replay
                .get_page("/instances")
                .await
                .assert_redirect("/login");
        }
    }
}

#[tokio::test]
async fn while_redis_is_down_requests_get_a_prompt_503_and_recover_after() {
    // This test kills its Redis, so it always runs one of its own; under CI it still insists
    // on the environment `tests/run` prepares.
    shared_redis_url();
    let mut redis = RedisServer::start().await;
    let app = redis_app(&redis.url()).await;
    app.login_as("viewer").await.assert_redirect("/instances");
    app.get_page("/instances").await.assert_status(200);

    redis.kill();
    let started = Instant::now();
    let page = app.get_page("/instances").await;
    let elapsed = started.elapsed();
    page.assert_status(503);
    assert_eq!(page.text(".error-card h1"), "Sessions are unavailable");
    assert!(
        page.text(".error-card .message")
            .contains("cannot reach its session store")
    );
    // A hang detector, not a performance claim: the store gives up within its 2 s timeouts.
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    // htmx gets the same message as a toast, and changes are refused without a hang too.
    let fragment = app.get_fragment("/instances").await;
    assert_eq!(fragment.header("x-console-error-status"), Some("503"));
    assert!(fragment.body.contains("Sessions are unavailable"));
    // Pages without a session still answer.
    app.new_browser()
        .get_page("/login")
        .await
        .assert_status(200);
    app.get_page("/healthz").await.assert_status(200);
    let not_ready = app.get_page("/readyz").await;
    not_ready.assert_status(503);
    assert!(not_ready.body.contains("Redis session store"));

    redis.spawn().await;
    // Redis kept nothing, so the old session is gone: sign in again and carry on.
    app.get_page("/instances").await.assert_redirect("/login");
    app.login_as("viewer").await.assert_redirect("/instances");
    app.get_page("/instances").await.assert_status(200);
    app.get_page("/readyz").await.assert_status(200);
}

/// The `dms_console_session_store_failures_total` counter of `operation`.
fn store_failures(metrics: &str, operation: &str) -> u64 {
    let prefix = format!("dms_console_session_store_failures_total{{operation=\"{operation}\"}} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map_or(0, |v| v.trim().parse().expect("a count"))
}

#[tokio::test]
async fn while_redis_hangs_a_request_waits_for_its_load_only_and_sign_in_gets_the_503_page() {
    // This test stops its Redis, so it always runs one of its own.
    shared_redis_url();
    let redis = RedisServer::start().await;
    let url = redis.url();
    let app = spawn_app_with(move |s| {
        s.session.backend = "redis".to_owned();
        s.session.redis_url = Some(url);
        s.session.redis_timeout_ms = 300;
    })
    .await;
    app.login_as("viewer").await.assert_redirect("/instances");
    app.get_page("/instances").await.assert_status(200);
    let metrics = app.new_browser().get_page("/metrics").await.body;
    assert!(
        metrics.contains("# TYPE dms_console_session_store_failures_total counter"),
        "{metrics}"
    );
    assert_eq!(store_failures(&metrics, "load"), 0);

    redis.signal("STOP");
    let page = app.get_page("/instances").await;
    page.assert_status(503);
    assert_eq!(page.text(".error-card h1"), "Sessions are unavailable");
    assert!(
        page.text(".error-card .message")
            .contains("Redis did not answer within 300 ms"),
        "{}",
        page.text(".error-card .message")
    );
    // The load timed out; extending the idle timeout was not even tried.
    let metrics = app.new_browser().get_page("/metrics").await.body;
    assert_eq!(store_failures(&metrics, "load"), 1, "{metrics}");
    assert_eq!(store_failures(&metrics, "extend"), 0, "{metrics}");

    // Signing in needs Redis too (the throttle's slot is taken there before any credential
    // is checked): the same page, not an empty 500.
    let newcomer = app.new_browser();
    let page = newcomer.login_as("operator").await;
    page.assert_status(503);
    assert_eq!(page.text(".error-card h1"), "Sessions are unavailable");
    assert!(page.header("content-security-policy").is_some());
    assert!(newcomer.session_cookie().is_none());
    let metrics = app.new_browser().get_page("/metrics").await.body;
    assert_eq!(store_failures(&metrics, "throttle"), 1, "{metrics}");
    assert_eq!(store_failures(&metrics, "save"), 0, "{metrics}");

    // Redis wakes up with the session intact.
    redis.signal("CONT");
    app.get_page("/instances").await.assert_status(200);
    newcomer
        .login_as("operator")
        .await
        .assert_redirect("/instances");
}

#[tokio::test]
async fn metrics_count_the_sessions_held_in_redis() {
    let redis = test_redis().await;
    let app = redis_app(&redis.url).await;
    app.login_as("viewer").await.assert_redirect("/instances");
    let metrics = app.new_browser().get_page("/metrics").await;
    metrics.assert_status(200);
    let active: usize = metrics
        .body
        .lines()
        .find_map(|l| l.strip_prefix("dms_console_active_sessions "))
        .and_then(|v| v.trim().parse().ok())
        .expect("the active-sessions gauge");
    // The Redis may be shared with other tests running now: at least this session is there.
    assert!(active >= 1, "{}", metrics.body);
}
