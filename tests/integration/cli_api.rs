//! The `dms-console api` command, run as the real binary against the loopback mock DMS.
//!
//! Configuration travels only through `DMS_CONSOLE__...` variables (or a `--config` file);
//! the binary runs in an empty temporary directory so no stray `dms-console.toml` is read.
//! Every signed request is checked twice: by the mock's verifier (the crate's own code) and
//! by Huawei's official Python SDK signer, which shares no code with the crate.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::support::mock_dms::{AK, MockDms, MockResponse, PROJECT, Recorded, SK};
use crate::support::python_sdk::{assert_official_signature, official_check};

/// What one run of the binary produced.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `dms-console ARGS` in `dir` with exactly the `DMS_CONSOLE__` variables in `env`.
/// The command runs on a blocking thread so the test's runtime keeps serving the mock.
async fn run_cli(dir: &Path, args: &[&str], env: &[(String, String)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dms-console"));
    command
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .env_remove("RUST_LOG");
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("DMS_CONSOLE__") {
            command.env_remove(name);
        }
    }
    for (name, value) in env {
        command.env(name, value);
    }
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("the runner thread")
        .expect("start dms-console");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

fn var(key: &str, value: impl Into<String>) -> (String, String) {
    (format!("DMS_CONSOLE__{key}"), value.into())
}

/// AK/SK configuration aimed at `mock`.
fn aksk_env(mock: &MockDms) -> Vec<(String, String)> {
    vec![
        var("DMS__ENDPOINT", mock.url()),
        var("DMS__PROJECT_ID", PROJECT),
        var("DMS__ACCESS_KEY", AK),
        var("DMS__SECRET_KEY", SK),
    ]
}

fn pretty(value: &Value) -> String {
    format!("{}\n", serde_json::to_string_pretty(value).unwrap())
}

fn signed_headers(request: &Recorded) -> Vec<String> {
    let authorization = request
        .header("authorization")
        .expect("an Authorization header");
    let list = authorization
        .split(", ")
        .find_map(|part| part.strip_prefix("SignedHeaders="))
        .expect("a SignedHeaders field");
    list.split(';').map(str::to_owned).collect()
}

#[tokio::test]
async fn get_with_query_prints_the_body_and_is_signed_as_the_official_sdk_signs() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockDms::start().await;
    let body = json!({
        "instances": [{"name": "orders", "instance_id": "i-1", "status": "RUNNING", "engine": "reliability"}],
        "instance_num": 1
    });
    mock.push(MockResponse::json(200, body.clone()));

    let run = run_cli(
        dir.path(),
        &[
            "api",
            "GET",
            "/v2/{project_id}/instances",
            "--query",
            "engine=reliability",
        ],
        &aksk_env(&mock),
    )
    .await;

    assert_eq!(run.code, Some(0), "{run:#?}");
    assert_eq!(run.stdout, pretty(&body));
    assert!(run.stderr.contains("HTTP 200"), "{}", run.stderr);
    assert!(run.stderr.contains("request_id=mock-1"), "{}", run.stderr);
    let request = mock.single();
    request.assert(
        "GET",
        "/v2/{project_id}/instances",
        &[("engine", "reliability")],
        None,
    );
    assert_eq!(request.raw_query, "engine=reliability");
    assert_eq!(request.header("x-project-id"), Some(PROJECT));
    assert_eq!(
        signed_headers(&request),
        [
            "content-type",
            "host",
            "user-agent",
            "x-project-id",
            "x-sdk-date"
        ]
    );
    assert_official_signature(&request, AK, SK);
}

#[tokio::test]
async fn several_query_parameters_go_out_sorted_and_encoded_and_verify_officially() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockDms::start().await;
    let run = run_cli(
        dir.path(),
        &[
            "api",
            "GET",
            "/v2/reliability/{project_id}/instances/i-1/messages",
            "-q",
            "topic=%RETRY%orders 1",
            "-q",
            "limit=10",
            "-q",
            "key=a+b/c=d*~",
            "-q",
            "offset=0",
        ],
        &aksk_env(&mock),
    )
    .await;
    assert_eq!(run.code, Some(0), "{run:#?}");
    assert_eq!(run.stdout, "{}\n");
    let request = mock.single();
    assert_eq!(
        request.raw_query,
        "key=a%2Bb%2Fc%3Dd%2A~&limit=10&offset=0&topic=%25RETRY%25orders%201"
    );
    assert_eq!(request.signature_ok, Some(true));
    assert_official_signature(&request, AK, SK);
}

#[tokio::test]
async fn post_with_a_body_file_sends_the_file_bytes_and_verifies_officially() {
    let dir = tempfile::tempdir().unwrap();
    let body_text = "{\"topic\": \"%DLQ%group1\", \"msg_id_list\": [\"C0A8149E00002776000000000000B683\"], \"note\": \"订单 1\"}\n";
    std::fs::write(dir.path().join("body.json"), body_text).unwrap();
    let mock = MockDms::start().await;
    mock.push(MockResponse::json(
        200,
        json!({"resend_results": [{"msg_id": "C0A8149E00002776000000000000B683", "error_code": "", "error_message": ""}]}),
    ));

    let run = run_cli(
        dir.path(),
        &[
            "api",
            "POST",
            "/v2/reliability/{project_id}/instances/i-1/messages/deadletter-resend",
            "--body",
            "@body.json",
        ],
        &aksk_env(&mock),
    )
    .await;

    assert_eq!(run.code, Some(0), "{run:#?}");
    assert!(run.stdout.contains("\"resend_results\""), "{}", run.stdout);
    let request = mock.single();
    request.assert(
        "POST",
        "/v2/reliability/{project_id}/instances/i-1/messages/deadletter-resend",
        &[],
        Some(serde_json::from_str(body_text).unwrap()),
    );
    assert_eq!(
        request.body,
        body_text.as_bytes(),
        "the file's exact bytes are sent"
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_official_signature(&request, AK, SK);
}

#[tokio::test]
async fn raw_and_percent_encoded_paths_go_out_identically_and_verify_officially() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockDms::start().await;
    for path in [
        "/v2/{project_id}/instances/i-1/groups/%DLQ%group 1",
        "/v2/{project_id}/instances/i-1/groups/%25DLQ%25group%201",
    ] {
        let run = run_cli(dir.path(), &["api", "GET", path], &aksk_env(&mock)).await;
        assert_eq!(run.code, Some(0), "{path}: {run:#?}");
    }
    let requests = mock.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(
            request.raw_path,
            format!("/v2/{PROJECT}/instances/i-1/groups/%25DLQ%25group%201")
        );
        assert_eq!(request.signature_ok, Some(true));
        assert_official_signature(request, AK, SK);
    }
}

#[tokio::test]
async fn temporary_credentials_send_and_sign_the_security_token() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockDms::start().await;
    let token = "sts-token-0123456789/abc+def==";
    let mut env = aksk_env(&mock);
    env.push(var("DMS__SECURITY_TOKEN", token));

    let run = run_cli(
        dir.path(),
        &["api", "GET", "/v2/{project_id}/instances"],
        &env,
    )
    .await;

    assert_eq!(run.code, Some(0), "{run:#?}");
    let request = mock.single();
    assert_eq!(request.header("x-security-token"), Some(token));
    assert!(
        signed_headers(&request).contains(&"x-security-token".to_owned()),
        "X-Security-Token must be signed: {:?}",
        signed_headers(&request)
    );
    assert_eq!(request.signature_ok, Some(true));
    assert_official_signature(&request, AK, SK);
    assert!(
        !run.stderr.contains(token) && !run.stdout.contains(token),
        "the token is never printed"
    );
}

#[tokio::test]
async fn the_official_signer_rejects_a_tampered_request() {
    // The judge must be able to say no: change the signed query after the fact.
    let dir = tempfile::tempdir().unwrap();
    let mock = MockDms::start().await;
    let run = run_cli(
        dir.path(),
        &["api", "GET", "/v2/{project_id}/instances", "-q", "limit=10"],
        &aksk_env(&mock),
    )
    .await;
    assert_eq!(run.code, Some(0), "{run:#?}");
    let mut request = mock.single();
    assert!(official_check(&request, AK, SK).matches);
    request.raw_query = "limit=11".to_owned();
    let check = official_check(&request, AK, SK);
    assert!(!check.matches, "{check:#?}");
    assert!(check.canonical_request.contains("\nlimit=11\n"));
    let check = official_check(&mock.single(), AK, "another-secret");
    assert!(!check.matches, "{check:#?}");
}

#[tokio::test]
async fn an_error_answer_exits_1_with_code_and_request_id() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockDms::start().await;
    mock.push(MockResponse::error(
        404,
        "DMS.00404022",
        "This instance does not exist.",
    ));

    let run = run_cli(
        dir.path(),
        &["api", "GET", "/v2/{project_id}/instances/i-missing"],
        &aksk_env(&mock),
    )
    .await;

    assert_eq!(run.code, Some(1), "{run:#?}");
    assert!(run.stderr.contains("HTTP 404"), "{}", run.stderr);
    assert!(run.stderr.contains("DMS.00404022"), "{}", run.stderr);
    assert!(run.stderr.contains("mock-1"), "{}", run.stderr);
    assert_eq!(
        run.stdout,
        pretty(
            &json!({"error_code": "DMS.00404022", "error_msg": "This instance does not exist."})
        )
    );
}

fn iam_token_response(token: &str, project_id: &str) -> MockResponse {
    MockResponse::json(
        201,
        json!({"token": {
            "expires_at": "2099-01-01T00:00:00.000000Z",
            "methods": ["password"],
            "project": {"id": project_id, "name": "cn-north-4"},
            "user": {"name": "ops", "domain": {"name": "acme"}}
        }}),
    )
    .header("X-Subject-Token", token)
}

fn iam_env(dms: &MockDms, iam: &MockDms) -> Vec<(String, String)> {
    vec![
        var("DMS__ENDPOINT", dms.url()),
        var("DMS__REGION", "cn-north-4"),
        var("IAM__ENDPOINT", iam.url()),
        var("IAM__DOMAIN", "acme"),
        var("IAM__USER", "ops"),
        var("IAM__PASSWORD", "correct horse battery staple"),
    ]
}

fn assert_password_token_request(request: &Recorded, project_name: &str) {
    assert_eq!(request.method, "POST");
    assert_eq!(request.raw_path, "/v3/auth/tokens");
    assert_eq!(request.header("authorization"), None);
    assert_eq!(
        request.json(),
        json!({"auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {
                    "name": "ops",
                    "password": "correct horse battery staple",
                    "domain": {"name": "acme"}
                }}
            },
            "scope": {"project": {"name": project_name}}
        }})
    );
}

#[tokio::test]
async fn iam_password_mode_uses_the_token_and_its_project() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockDms::start().await;
    let token_project = "fedcba9876543210fedcba9876543210";
    let token = "MIIPAgYJKoZIhvcNAQcCoIIO8zCCDu8CAQExDTALBglghkgBZQMEAgEwgg";
    mock.push(iam_token_response(token, token_project));
    mock.push(MockResponse::json(
        200,
        json!({"instances": [], "instance_num": 0}),
    ));

    let run = run_cli(
        dir.path(),
        &["api", "GET", "/v2/{project_id}/instances"],
        &iam_env(&mock, &mock),
    )
    .await;

    assert_eq!(run.code, Some(0), "{run:#?}");
    assert!(run.stderr.contains("request_id=mock-2"), "{}", run.stderr);
    let requests = mock.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    assert_password_token_request(&requests[0], "cn-north-4");
    let dms = &requests[1];
    assert_eq!(dms.method, "GET");
    assert_eq!(dms.raw_path, format!("/v2/{token_project}/instances"));
    assert_eq!(dms.header("x-auth-token"), Some(token));
    assert_eq!(dms.header("authorization"), None);
    assert_eq!(dms.header("x-sdk-date"), None);
    assert!(
        !run.stderr.contains(token) && !run.stderr.contains("correct horse"),
        "neither token nor password is printed: {}",
        run.stderr
    );
}

#[tokio::test]
async fn iam_on_its_own_endpoint_with_a_configured_project() {
    let dir = tempfile::tempdir().unwrap();
    let iam = MockDms::start().await;
    let dms = MockDms::start().await;
    iam.push(iam_token_response(
        "token-2",
        "fedcba9876543210fedcba9876543210",
    ));
    let mut env = iam_env(&dms, &iam);
    env.push(var("DMS__PROJECT_ID", PROJECT));
    env.push(var("IAM__PROJECT", "cn-north-4_sub"));

    let run = run_cli(
        dir.path(),
        &["api", "GET", "/v2/{project_id}/instances"],
        &env,
    )
    .await;

    assert_eq!(run.code, Some(0), "{run:#?}");
    assert_password_token_request(&iam.single(), "cn-north-4_sub");
    let request = dms.single();
    assert_eq!(request.raw_path, format!("/v2/{PROJECT}/instances"));
    assert_eq!(request.header("x-auth-token"), Some("token-2"));
    assert_eq!(request.header("authorization"), None);
}

#[tokio::test]
async fn an_iam_refusal_fails_with_its_code() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockDms::start().await;
    mock.push(MockResponse::error(
        401,
        "IAM.0101",
        "The username or password is wrong.",
    ));

    let run = run_cli(
        dir.path(),
        &["api", "GET", "/v2/{project_id}/instances"],
        &iam_env(&mock, &mock),
    )
    .await;

    assert_eq!(run.code, Some(1), "an answered refusal exits 1: {run:#?}");
    assert!(run.stderr.contains("IAM.0101"), "{}", run.stderr);
    assert_eq!(mock.requests().len(), 1, "no DMS call without a token");
}

#[tokio::test]
async fn a_config_file_in_the_working_directory_is_read_and_env_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockDms::start().await;
    std::fs::write(
        dir.path().join("dms-console.toml"),
        format!(
            "[dms]\nendpoint = \"{}\"\nproject_id = \"{PROJECT}\"\naccess_key = \"{AK}\"\nsecret_key = \"wrong-secret\"\n",
            mock.url()
        ),
    )
    .unwrap();

    let run = run_cli(
        dir.path(),
        &["api", "GET", "/v2/{project_id}/instances"],
        &[var("DMS__SECRET_KEY", SK)],
    )
    .await;

    assert_eq!(run.code, Some(0), "{run:#?}");
    let request = mock.single();
    assert_eq!(request.raw_path, format!("/v2/{PROJECT}/instances"));
    assert_eq!(
        request.signature_ok,
        Some(true),
        "signed with the secret key from the environment"
    );
}

/// Asserts that a run failed on configuration: exit 2 and `key` named on stderr.
#[track_caller]
fn assert_config_error(run: &Run, key: &str) {
    assert_eq!(run.code, Some(2), "{run:#?}");
    assert!(
        run.stderr.contains(&format!("`{key}`")),
        "the message names `{key}`: {}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[tokio::test]
async fn a_missing_secret_key_exits_2_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockDms::start().await;
    let env: Vec<_> = aksk_env(&mock)
        .into_iter()
        .filter(|(name, _)| !name.ends_with("SECRET_KEY"))
        .collect();
    let run = run_cli(
        dir.path(),
        &["api", "GET", "/v2/{project_id}/instances"],
        &env,
    )
    .await;
    assert_config_error(&run, "dms.secret_key");
    assert!(mock.requests().is_empty());
}

#[tokio::test]
async fn an_unknown_key_in_a_config_file_exits_2_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("custom.toml");
    std::fs::write(
        &file,
        "[dms]\nregion = \"cn-north-4\"\nacess_key = \"AK\"\nsecret_key = \"SK\"\n",
    )
    .unwrap();
    let run = run_cli(
        dir.path(),
        &[
            "--config",
            file.to_str().unwrap(),
            "api",
            "GET",
            "/v2/{project_id}/instances",
        ],
        &[],
    )
    .await;
    assert_config_error(&run, "dms.acess_key");
    assert!(
        run.stderr.contains("access_key"),
        "the allowed keys are listed: {}",
        run.stderr
    );
}

#[tokio::test]
async fn a_missing_config_file_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_cli(
        dir.path(),
        &[
            "--config",
            "absent.toml",
            "api",
            "GET",
            "/v2/{project_id}/instances",
        ],
        &[],
    )
    .await;
    assert_config_error(&run, "--config");
}

#[tokio::test]
async fn an_unknown_region_without_endpoint_exits_2_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_cli(
        dir.path(),
        &["api", "GET", "/v2/{project_id}/instances"],
        &[
            var("DMS__REGION", "xx-nowhere-1"),
            var("DMS__PROJECT_ID", PROJECT),
            var("DMS__ACCESS_KEY", AK),
            var("DMS__SECRET_KEY", SK),
        ],
    )
    .await;
    assert_config_error(&run, "dms.region");
    assert!(
        run.stderr.contains("xx-nowhere-1") && run.stderr.contains("cn-north-4"),
        "the message shows the value and the known regions: {}",
        run.stderr
    );
}

#[tokio::test]
async fn usage_errors_exit_2_without_a_request() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockDms::start().await;
    for (args, needle) in [
        (vec!["api", "FETCH", "/v2/{project_id}/instances"], "FETCH"),
        (
            vec!["api", "GET", "/v2/{project_id}/instances", "-q", "novalue"],
            "NAME=VALUE",
        ),
        (
            vec![
                "api",
                "POST",
                "/v2/{project_id}/instances",
                "--body",
                "{not json",
            ],
            "JSON",
        ),
        (
            vec![
                "api",
                "POST",
                "/v2/{project_id}/instances",
                "--body",
                "@missing.json",
            ],
            "missing.json",
        ),
    ] {
        let run = run_cli(dir.path(), &args, &aksk_env(&mock)).await;
        assert_eq!(run.code, Some(2), "{args:?}: {run:#?}");
        assert!(run.stderr.contains(needle), "{args:?}: {}", run.stderr);
    }
    assert!(mock.requests().is_empty());
}
