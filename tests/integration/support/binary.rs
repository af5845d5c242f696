//! Runs the real `dms-console emulator` binary as a child process on a free loopback port
//! (`--listen 127.0.0.1:0`; the bound address is read from the line it prints), with the test
//! credentials, and kills it with SIGKILL when asked or when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use dms_console::api::{ClientConfig, Credentials, DmsClient, RetrySettings};
use dms_console::secret::Secret;

use super::emulator::{AK, IAM_USER, PROJECT, SK};

/// Writes an `[emulator]` configuration with one-second life cycles and no simulated traffic
/// into `dir`, and returns its path.
pub fn fast_config(dir: &Path) -> PathBuf {
    let path = dir.join("emulator.toml");
    std::fs::write(
        &path,
        "[emulator]\ncreate_seconds = 1\nrestart_seconds = 1\nextend_seconds = 1\nmigration_seconds = 1\ntraffic_per_second = 0.0\n",
    )
    .expect("write the emulator configuration");
    path
}

/// The `--iam-user` value of the test IAM user.
pub fn iam_user_flag() -> String {
    format!("{}/{}:{}", IAM_USER.0, IAM_USER.1, IAM_USER.2)
}

/// A running `dms-console emulator` process.
pub struct EmulatorProcess {
    child: Option<Child>,
    /// The base URL, e.g. `http://127.0.0.1:40123`.
    pub url: String,
    stderr: Arc<Mutex<String>>,
}

impl EmulatorProcess {
    /// Starts the binary on `data_dir` with `config`, the test AK/SK/project and IAM user, and
    /// `extra` flags; returns once it listens.
    pub fn start(data_dir: &Path, config: &Path, extra: &[&str]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dms-console"));
        command
            .arg("--config")
            .arg(config)
            .arg("emulator")
            .args(["--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args([
                "--access-key",
                AK,
                "--secret-key",
                SK,
                "--project-id",
                PROJECT,
            ])
            .args(["--iam-user", &iam_user_flag()])
            .args(extra)
            .current_dir(config.parent().unwrap_or(Path::new(".")))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        // The configuration must come from the file and the flags only.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("DMS_") {
                command.env_remove(name);
            }
        }
        let mut child = command.spawn().expect("start dms-console emulator");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (sender, receiver) = mpsc::channel();
        let pipe = child.stderr.take().expect("stderr is piped");
        let log = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let url = rest
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    let _ = sender.send(url);
                }
                let mut log = log.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let url = match receiver.recv_timeout(Duration::from_secs(60)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                let status = child.wait().ok();
                panic!(
                    "the emulator did not start (exit {status:?}); its output:\n{}",
                    stderr.lock().unwrap()
                );
            }
        };
        Self {
            child: Some(child),
            url,
            stderr,
        }
    }

    /// What the process printed on standard error so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// `kill -9`: SIGKILL (what `Child::kill` sends on Unix), then reap the process.
    pub fn kill(mut self) {
        self.kill_now();
    }

    fn kill_now(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// A client signing with the test credential, without read retries.
    pub fn client(&self) -> DmsClient {
        let credentials = Credentials::AccessKey {
            access_key: AK.into(),
            secret_key: Secret::new(SK),
            security_token: None,
        };
        let mut config = ClientConfig::new(
            self.url.parse().expect("emulator URL"),
            Some(PROJECT.to_owned()),
            credentials,
        );
        config.retry = RetrySettings {
            max_read_retries: 0,
            base_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(1),
        };
        DmsClient::new(config).expect("client")
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        self.kill_now();
    }
}
