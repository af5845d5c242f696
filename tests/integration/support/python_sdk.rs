//! Huawei's official Python SDK as an independent judge of signatures.
//!
//! [`python`] returns an interpreter that can import `huaweicloudsdkcore` and
//! `huaweicloudsdkrocketmq`: `DMS_TEST_PYTHON` when set, otherwise the venv at
//! `<target dir>/sdk-venv` (the one `tests/run` prepares), created from PyPI on first use when
//! it is missing or cannot import the SDK. Creation is guarded by a `OnceLock` within the
//! process and by an exclusive lock on `<target dir>/sdk-venv.lock` across processes, and the
//! venv is built in a temporary directory that is renamed into place only once the SDK
//! imports, so an interrupted creation never leaves a half-built venv behind. Any failure
//! panics with what failed: tests that need the SDK never skip silently.
//!
//! [`official_check`] feeds a recorded request to `tests/support/official_signer.py`, which
//! recomputes the signature with the SDK's own `Signer`.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde::Deserialize;

use super::mock_dms::Recorded;

/// The SDK packages installed into the venv (the same as `tests/run` installs).
pub const SDK_PACKAGES: &[&str] = &[
    "huaweicloudsdkcore==3.1.219",
    "huaweicloudsdkrocketmq==3.1.219",
];

/// The interpreter with the official SDK installed (see the module docs).
pub fn python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON
        .get_or_init(|| match std::env::var_os("DMS_TEST_PYTHON") {
            Some(path) if !path.is_empty() => {
                let path = PathBuf::from(path);
                check_imports(&path).unwrap_or_else(|e| {
                    panic!("DMS_TEST_PYTHON={} cannot be used: {e}", path.display())
                });
                path
            }
            _ => ensure_venv(&target_dir().join("sdk-venv"))
                .unwrap_or_else(|e| panic!("could not provide the official Python SDK: {e}")),
        })
        .clone()
}

/// The cargo target directory: `CARGO_TARGET_DIR` at run time, else `<manifest>/target`.
pub fn target_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => manifest.join(dir),
        _ => manifest.join("target"),
    }
}

fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

fn ensure_venv(venv: &Path) -> Result<PathBuf, String> {
    let parent = venv
        .parent()
        .ok_or_else(|| format!("{} has no parent directory", venv.display()))?;
    fs::create_dir_all(parent).map_err(|e| format!("creating {}: {e}", parent.display()))?;
    let lock_path = parent.join("sdk-venv.lock");
    let lock = File::create(&lock_path)
        .map_err(|e| format!("creating the lock file {}: {e}", lock_path.display()))?;
    // Held until `lock` is dropped at the end of this function; other test processes wait.
    lock.lock()
        .map_err(|e| format!("locking {}: {e}", lock_path.display()))?;

    let python = venv_python(venv);
    if python.exists() && check_imports(&python).is_ok() {
        return Ok(python);
    }

    // Absent or broken: build a new one beside it and swap it in.
    let partial = parent.join(format!("sdk-venv.partial-{}", std::process::id()));
    for stale in [&partial, &venv.to_path_buf()] {
        if stale.exists() {
            fs::remove_dir_all(stale).map_err(|e| format!("removing {}: {e}", stale.display()))?;
        }
    }
    let base = std::env::var_os("DMS_TEST_BASE_PYTHON").unwrap_or_else(|| "python3".into());
    run(
        Command::new(&base).arg("-m").arg("venv").arg(&partial),
        &format!("`{} -m venv {}`", base.to_string_lossy(), partial.display()),
    )?;
    run(
        Command::new(venv_python(&partial))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(SDK_PACKAGES),
        &format!(
            "`pip install {}` into {}",
            SDK_PACKAGES.join(" "),
            partial.display()
        ),
    )?;
    check_imports(&venv_python(&partial))?;
    // Only `bin/python` is used, and it finds its venv through `pyvenv.cfg` beside it, so the
    // venv works under its new name.
    fs::rename(&partial, venv)
        .map_err(|e| format!("renaming {} to {}: {e}", partial.display(), venv.display()))?;
    check_imports(&python)?;
    Ok(python)
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{what} could not start: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}):\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn check_imports(python: &Path) -> Result<(), String> {
    run(
        Command::new(python).args([
            "-c",
            "import huaweicloudsdkcore.signer.signer, huaweicloudsdkcore.sdk_request, huaweicloudsdkrocketmq",
        ]),
        &format!("importing the SDK with {}", python.display()),
    )
}

/// The path of the official-signer script.
pub fn signer_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/official_signer.py")
}

/// What the official signer said about a request.
#[derive(Debug, Clone, Deserialize)]
pub struct OfficialCheck {
    /// Whether the SDK computed the received signature.
    #[serde(rename = "match")]
    pub matches: bool,
    /// The SDK's signature.
    pub expected: String,
    /// The received signature.
    pub received: String,
    /// The SDK's canonical request.
    pub canonical_request: String,
    /// The SDK's `Authorization` value.
    pub expected_authorization: String,
    /// The URI (path and query) the SDK would send.
    pub expected_uri: String,
    /// The URI as received.
    pub received_uri: String,
    /// Whether the two URIs are equal.
    pub uri_match: bool,
}

/// Runs the official signer on `request`, signed with `ak`/`sk`.
pub fn official_check(request: &Recorded, ak: &str, sk: &str) -> OfficialCheck {
    let input = serde_json::json!({
        "method": request.method,
        "raw_path": request.raw_path,
        "raw_query": request.raw_query,
        "headers": request.headers,
        "body": String::from_utf8(request.body.clone()).expect("the request body is UTF-8"),
        "ak": ak,
        "sk": sk,
    });
    let mut child = Command::new(python())
        .arg(signer_script())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the official signer");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input.to_string().as_bytes())
        .expect("write to the official signer");
    let output = child.wait_with_output().expect("run the official signer");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let check: OfficialCheck = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "the official signer gave no result ({e}; exit {}):\nstdout: {stdout}\nstderr: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert_eq!(
        output.status.success(),
        check.matches,
        "exit status and verdict of the official signer disagree"
    );
    check
}

/// Asserts that the official SDK signer computes the same signature, and would have sent the
/// same path and query, as the request recorded.
#[track_caller]
pub fn assert_official_signature(request: &Recorded, ak: &str, sk: &str) {
    let check = official_check(request, ak, sk);
    assert!(
        check.matches,
        "the official SDK signer disagrees: expected {}, received {}\ncanonical request of the SDK:\n{}",
        check.expected, check.received, check.canonical_request
    );
    assert!(
        check.uri_match,
        "the SDK would send `{}`, the client sent `{}`",
        check.expected_uri, check.received_uri
    );
}
