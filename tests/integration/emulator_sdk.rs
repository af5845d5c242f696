//! The emulator speaks Huawei's dialect: the real `dms-console emulator` binary is driven by
//! Huawei's official Python SDK (`tests/sdk/conformance.py`), with AK/SK signing and with an
//! IAM token, through every SDK operation that has an endpoint in the API reference.
//!
//! The SDK lives in a virtual environment at `{target}/sdk-venv`, the one `tests/run` creates;
//! when it is missing this test creates it the same way (`python3 -m venv`, then `pip install
//! huaweicloudsdkcore huaweicloudsdkrocketmq`), under a file lock, in a temporary directory
//! renamed into place, so concurrent test runs never see a half-made environment.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use dms_console::api::Method;
use serde_json::Value;

use crate::support::binary::{EmulatorProcess, fast_config, iam_user_flag};
use crate::support::emulator::{AK, PROJECT, SK, TestEmulator};

/// A temporary credential (AK, SK, security token) of the test project.
const TEMPORARY_AK: &str = "TEMPORARYAK00000";
const TEMPORARY_SK: &str = "temporary-secret-key-0000000000000000000";
const SECURITY_TOKEN: &str = "emulator-security-token-0123456789";

/// The cargo target directory: `CARGO_TARGET_DIR` when set, else the one holding the binary
/// under test (`{target}/{profile}/dms-console`).
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        let dir = PathBuf::from(dir);
        return if dir.is_absolute() {
            dir
        } else {
            Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)
        };
    }
    Path::new(env!("CARGO_BIN_EXE_dms-console"))
        .parent()
        .and_then(Path::parent)
        .expect("the binary sits in {target}/{profile}")
        .to_path_buf()
}

fn run(command: &mut Command, what: &str) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The Python interpreter of the SDK's virtual environment, created when missing.
fn sdk_python() -> PathBuf {
    let target = target_dir();
    let venv = target.join("sdk-venv");
    let python = venv.join("bin").join("python");
    if python.exists() {
        return python;
    }
    std::fs::create_dir_all(&target).expect("create the target directory");
    let lock = File::create(target.join("sdk-venv.lock")).expect("create the venv lock file");
    lock.lock().expect("lock the venv lock file");
    if python.exists() {
        return python;
    }
    let temporary = target.join(format!("sdk-venv.tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&temporary);
    run(
        Command::new("python3").args(["-m", "venv"]).arg(&temporary),
        "creating the SDK's virtual environment (python3 with the venv module is needed)",
    );
    run(
        Command::new(temporary.join("bin").join("pip")).args([
            "install",
            "-q",
            "--disable-pip-version-check",
            "huaweicloudsdkcore",
            "huaweicloudsdkrocketmq",
        ]),
        "installing Huawei's Python SDK",
    );
    if std::fs::rename(&temporary, &venv).is_err() {
        // Someone else (tests/run) put one in place meanwhile.
        let _ = std::fs::remove_dir_all(&temporary);
    }
    assert!(python.exists(), "no {}", python.display());
    python
}

/// The numbers of `conformance: N passed, M failed, K not served yet`.
fn summary(stdout: &str) -> Option<(u32, u32, u32)> {
    let line = stdout
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("conformance: "))?;
    let numbers: Vec<u32> = line
        .split(", ")
        .map(|part| part.split_whitespace().next()?.parse().ok())
        .collect::<Option<_>>()?;
    match numbers[..] {
        [passed, failed, not_served] => Some((passed, failed, not_served)),
        _ => None,
    }
}

#[test]
fn the_official_python_sdk_drives_every_emulated_operation() {
    let python = sdk_python();
    let work = tempfile::tempdir().expect("temporary directory");
    let config = fast_config(work.path());
    // A temporary credential of the same project, valid only with its security token.
    let mut text = std::fs::read_to_string(&config).expect("read the configuration");
    text.push_str(&format!(
        "\n[[emulator.credentials]]\naccess_key = \"{TEMPORARY_AK}\"\nsecret_key = \"{TEMPORARY_SK}\"\nproject_id = \"{PROJECT}\"\nsecurity_token = \"{SECURITY_TOKEN}\"\n"
    ));
    std::fs::write(&config, text).expect("write the configuration");
    let emulator = EmulatorProcess::start(&work.path().join("data"), &config, &["--fault-admin"]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdk/conformance.py");
    let output = Command::new(&python)
        .arg(&script)
        .args(["--endpoint", &emulator.url, "--ak", AK, "--sk", SK])
        .args(["--project-id", PROJECT, "--iam-user", &iam_user_flag()])
        .args(["--project-name", "emulator-region", "--fault-admin"])
        .arg("--temporary-credential")
        .arg(format!("{TEMPORARY_AK}:{TEMPORARY_SK}:{SECURITY_TOKEN}"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONIOENCODING", "utf-8")
        .current_dir(work.path())
        .output()
        .expect("run the conformance script");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let details = || {
        format!(
            "exit {}\n--- conformance.py stdout\n{stdout}\n--- stderr\n{stderr}\n--- emulator\n{}",
            output.status,
            emulator.stderr()
        )
    };
    let Some((passed, failed, not_served)) = summary(&stdout) else {
        panic!("no summary line; {}", details());
    };
    assert_eq!(failed, 0, "{}", details());
    assert!(output.status.success(), "{}", details());
    // Both passes (AK/SK and token) over the whole API, plus the authentication checks.
    assert!(passed >= 120, "only {passed} checks passed; {}", details());
    println!("conformance: {passed} passed, {failed} failed, {not_served} not served yet");
}

#[test]
fn the_summary_line_is_parsed() {
    assert_eq!(
        summary("FAIL x\n\nconformance: 140 passed, 2 failed, 34 not served yet\n"),
        Some((140, 2, 34))
    );
    assert_eq!(summary("conformance: garbage\n"), None);
}

// What the SDK revealed, checked without it as well.

#[tokio::test]
async fn iam_lists_the_callers_project_as_the_sdk_asks_for_it() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let query = |name: &str| vec![("name".to_owned(), name.to_owned())];
    let reply = client
        .raw(Method::Get, "/v3/projects", &query("emulator-region"), None)
        .await
        .unwrap();
    assert_eq!(reply.status, 200);
    let body: Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(body["projects"][0]["id"], PROJECT);
    assert_eq!(body["projects"][0]["name"], "emulator-region");
    assert_eq!(body["projects"].as_array().unwrap().len(), 1);
    let other = client
        .raw(Method::Get, "/v3/projects", &query("cn-north-4"), None)
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&other.body).unwrap();
    assert_eq!(body["projects"], serde_json::json!([]));
    // Like every API call, it needs a signature or a token.
    let unsigned = reqwest::get(format!("{}/v3/projects", emulator.url()))
        .await
        .unwrap();
    assert_eq!(unsigned.status().as_u16(), 401);
}

#[tokio::test]
async fn the_feature_switches_use_the_sdks_wire_names() {
    let emulator = TestEmulator::start().await;
    let reply = emulator
        .client()
        .raw(Method::Get, "/v2/config/features", &[], None)
        .await
        .unwrap();
    assert_eq!(reply.status, 200);
    let body: Value = serde_json::from_slice(&reply.body).unwrap();
    let features = body["features"].as_array().unwrap();
    assert_eq!(body["totalRecord"], features.len());
    assert!(
        features
            .iter()
            .any(|f| f["featureId"] == "rocketmq.acl" && f["status"] == 1)
    );
}
