//! The emulator speaks Huawei's dialect: the real `dms-console emulator` binary is driven by
//! Huawei's official Python SDK (`tests/sdk/conformance.py`), with AK/SK signing and with an
//! IAM token, through every SDK operation that has an endpoint in the API reference.
//!
//! The SDK comes from `support::python_sdk`: the virtual environment `tests/run` creates, made
//! on first use when it is missing.

use std::path::Path;
use std::process::Command;

use dms_console::api::Method;
use serde_json::Value;

use crate::support::binary::{EmulatorProcess, fast_config, iam_user_flag};
use crate::support::emulator::{AK, PROJECT, SK, TestEmulator};

/// A temporary credential (AK, SK, security token) of the test project.
const TEMPORARY_AK: &str = "TEMPORARYAK00000";
const TEMPORARY_SK: &str = "temporary-secret-key-0000000000000000000";
const SECURITY_TOKEN: &str = "emulator-security-token-0123456789";

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
    let python = crate::support::python_sdk::python();
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
    // The message plane is served too: an operation answering "no such URL" is a regression.
    assert_eq!(not_served, 0, "operations not served; {}", details());
    assert!(output.status.success(), "{}", details());
    // Both passes (AK/SK and token) over the whole API, message plane included, plus the
    // authentication checks.
    assert!(passed >= 170, "only {passed} checks passed; {}", details());
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
