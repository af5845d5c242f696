//! What the console benchmarks share: the console and the emulator started as processes
//! (the optimised binary cargo builds for benchmarks) on loopback, the configuration they
//! run with, sign-in through the form, and the resident memory of a process.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The binary under test.
pub const BINARY: &str = env!("CARGO_BIN_EXE_dms-console");
/// The emulator's access key.
pub const ACCESS_KEY: &str = "BENCHACCESSKEY0000001";
/// The emulator's secret key.
pub const SECRET_KEY: &str = "bench-secret-key-bench-secret-key-0001";
/// The emulator's project.
pub const PROJECT: &str = "0123456789abcdef0123456789abcdef";
/// The password of the console account `admin`.
pub const PASSWORD: &str = "bench-password-1";

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A child process that is killed when dropped.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `VmRSS` and `VmHWM` of a process, in KiB.
pub fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// Starts `dms-console emulator` and waits until it answers.
pub fn start_emulator(dir: &Path, extra: &[&str]) -> (Proc, String) {
    let port = free_port();
    let child = Command::new(BINARY)
        .current_dir(dir)
        .args(["emulator", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--data-dir", &dir.join("emulator").display().to_string()])
        .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
        .args(["--project-id", PROJECT, "--fault-admin"])
        .args(extra)
        .env("DMS_CONSOLE__EMULATOR__CREATE_SECONDS", "1")
        .env("DMS_CONSOLE__EMULATOR__TRAFFIC_PER_SECOND", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the emulator");
    let mut child = Proc(child);
    let stderr = child.0.stderr.take().expect("stderr");
    let mut line = String::new();
    BufReader::new(stderr)
        .read_line(&mut line)
        .expect("the emulator says where it listens");
    assert!(line.contains("listening"), "emulator: {line}");
    (child, format!("http://127.0.0.1:{port}"))
}

pub fn write_config(dir: &Path, emulator: &str, port: u16) -> std::path::PathBuf {
    let key = dms_console::web::crypto::ServerKey::generate().to_hex();
    let hash = dms_console::web::passwords::hash(PASSWORD);
    let text = format!(
        r#"[server]
listen = "127.0.0.1:{port}"

[session]
key = "{key}"

[audit]
url = "sqlite::memory:"

[auth]
# The bench signs in 1,000 times from one address.
max_failures = 1000000

[[connections]]
name = "bench"
[connections.dms]
endpoint = "{emulator}"
project_id = "{PROJECT}"
access_key = "{ACCESS_KEY}"
secret_key = "{SECRET_KEY}"

[[accounts]]
name = "admin"
password_hash = "{hash}"
role = "admin"
connection = "bench"
"#
    );
    let file = dir.join("console.toml");
    std::fs::write(&file, text).expect("write the console configuration");
    file
}

pub fn start_console(dir: &Path, config: &Path) -> Proc {
    Proc(
        Command::new(BINARY)
            .current_dir(dir)
            .args(["--config", &config.display().to_string(), "serve"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the console"),
    )
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(64)
        .build()
        .expect("an HTTP client")
}

pub fn cookie_value(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find_map(|pair| {
            pair.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix('='))
                .map(str::to_owned)
        })
}

/// The sign-in form of `mode`: its nonce cookie (named `nonce_cookie`) and CSRF token.
pub async fn login_form(
    client: &reqwest::Client,
    base: &str,
    mode: &str,
    nonce_cookie: &str,
) -> (String, String) {
    let form = client
        .get(format!("{base}/login?mode={mode}"))
        .send()
        .await
        .expect("GET /login");
    let nonce = cookie_value(&form, nonce_cookie).expect("the login nonce cookie");
    let page = form.text().await.expect("the sign-in page");
    let csrf = page
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the sign-in form's CSRF token")
        .to_owned();
    (nonce, csrf)
}

/// Signs in as `admin` through the form and returns the session cookie (`name=value`).
pub async fn sign_in(client: &reqwest::Client, base: &str) -> String {
    let (nonce, csrf) = login_form(client, base, "account", "dms-console-login").await;
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("_csrf", &csrf)
        .append_pair("mode", "account")
        .append_pair("account", "admin")
        .append_pair("password", PASSWORD)
        .finish();
    let answer = client
        .post(format!("{base}/login"))
        .header("cookie", format!("dms-console-login={nonce}"))
        .header("origin", base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("POST /login");
    assert_eq!(answer.status().as_u16(), 303, "sign-in succeeds");
    let session = cookie_value(&answer, "dms-console-session").expect("a session cookie");
    format!("dms-console-session={session}")
}

/// Whether `BENCH_QUICK` asks for a short run (fewer rounds, smaller data).
pub fn quick() -> bool {
    std::env::var_os("BENCH_QUICK").is_some()
}

/// The median of `values` (sorted in place).
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}
