//! The emulator's fault rules, one test per fault kind, observed on the wire (raw TCP where a
//! client library would hide what happened); the rule syntax and its refusals; adding and
//! removing one rule; the per-operation request log; the command-line help.

use std::process::Command;

use dms_console::api::ErrorKind;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::emulator::{PROJECT, TestEmulator};

/// What a raw HTTP/1.1 exchange received before the server ended the connection.
struct Received {
    /// Everything read.
    bytes: Vec<u8>,
    /// How reading ended: `None` for an orderly end of stream, else the error's kind.
    ended_by: Option<std::io::ErrorKind>,
}

impl Received {
    /// The status line and headers, if they arrived whole.
    fn head(&self) -> Option<String> {
        let end = self.bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
        Some(String::from_utf8_lossy(&self.bytes[..end]).into_owned())
    }

    /// The bytes after the headers.
    fn body(&self) -> &[u8] {
        let end = self
            .bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("headers");
        &self.bytes[end + 4..]
    }

    /// A header's value, any case.
    fn header(&self, name: &str) -> Option<String> {
        self.head()?.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    }
}

/// Sends `GET path` on a new connection and reads until the server ends it.
async fn raw_get(emulator: &TestEmulator, path: &str) -> Received {
    let mut stream = tokio::net::TcpStream::connect(emulator.running.addr)
        .await
        .expect("the emulator accepts");
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        emulator.running.addr
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 4096];
    let ended_by = loop {
        match stream.read(&mut buffer).await {
            Ok(0) => break None,
            Ok(n) => bytes.extend_from_slice(&buffer[..n]),
            Err(e) => break Some(e.kind()),
        }
    };
    Received { bytes, ended_by }
}

/// An unauthenticated path: rules firing before the handler answer it without a signature.
fn probe() -> String {
    format!("/v2/{PROJECT}/probe")
}

#[tokio::test]
async fn a_forced_answer_carries_status_code_message_request_id_and_retry_after() {
    let emulator = TestEmulator::start().await;
    emulator
        .add_fault(json!({
            "path": "/v2/*/probe", "count": 1, "status": 429,
            "error_code": "DMS.10240407", "error_msg": "Slow down, please.",
            "request_id": "fault-request-1", "retry_after": "3"
        }))
        .await;
    let url = format!("{}{}", emulator.url(), probe());
    let response = reqwest::get(&url).await.unwrap();
    assert_eq!(response.status().as_u16(), 429);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    assert_eq!(header("x-request-id").as_deref(), Some("fault-request-1"));
    assert_eq!(header("retry-after").as_deref(), Some("3"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"error_code": "DMS.10240407", "error_msg": "Slow down, please."})
    );
    // The count is spent: the next request reaches the emulator's own authentication.
    let next = reqwest::get(&url).await.unwrap();
    assert_eq!(next.status().as_u16(), 401);
}

#[tokio::test]
async fn bodies_can_be_empty_not_json_malformed_or_an_html_page() {
    let emulator = TestEmulator::start().await;
    let url = format!("{}{}", emulator.url(), probe());
    let cases = [
        ("empty", 503, "application/json"),
        ("not_json", 502, "text/plain"),
        ("malformed_json", 500, "application/json"),
        ("html", 200, "text/html"),
    ];
    for (body, status, content_type) in cases {
        emulator
            .add_fault(json!({"path": "/v2/*/probe", "count": 1, "status": status, "body": body}))
            .await;
        let response = reqwest::get(&url).await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{body}");
        let shown_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(shown_type.starts_with(content_type), "{body}: {shown_type}");
        let bytes = response.bytes().await.unwrap();
        let parsed = serde_json::from_slice::<Value>(&bytes);
        match body {
            "empty" => assert!(bytes.is_empty()),
            "not_json" | "malformed_json" => {
                assert!(!bytes.is_empty() && parsed.is_err(), "{body}: {bytes:?}")
            }
            _ => assert!(bytes.starts_with(b"<!DOCTYPE html>") && parsed.is_err()),
        }
    }
}

#[tokio::test]
async fn a_truncated_answer_announces_more_than_it_sends() {
    let emulator = TestEmulator::start().await;
    emulator
        .add_fault(
            json!({"path": "/v2/*/probe", "count": 1, "status": 500, "connection": "truncate"}),
        )
        .await;
    let received = raw_get(&emulator, &probe()).await;
    let head = received.head().expect("the headers arrive");
    assert!(head.starts_with("HTTP/1.1 500"), "{head}");
    let announced: usize = received.header("content-length").unwrap().parse().unwrap();
    let body = received.body();
    assert!(
        !body.is_empty() && body.len() < announced,
        "{} of {announced} bytes",
        body.len()
    );
    assert!(body.starts_with(b"{\"error_code\""));
}

#[tokio::test]
async fn a_reset_before_the_headers_sends_nothing() {
    let emulator = TestEmulator::start().await;
    emulator
        .add_fault(json!({"path": "/v2/*/probe", "count": 1, "connection": "reset"}))
        .await;
    let received = raw_get(&emulator, &probe()).await;
    assert!(received.bytes.is_empty(), "{:?}", received.bytes);
    assert!(
        matches!(
            received.ended_by,
            None | Some(std::io::ErrorKind::ConnectionReset)
        ),
        "{:?}",
        received.ended_by
    );
    let log = emulator.requests().await;
    assert_eq!(log["log"][0]["status"], Value::Null);
    assert_eq!(log["log"][0]["handled"], false);
}

#[tokio::test]
async fn a_reset_after_the_headers_sends_the_headers_only() {
    let emulator = TestEmulator::start().await;
    emulator
        .add_fault(json!({"path": "/v2/*/probe", "count": 1, "status": 200, "connection": "reset_after_headers"}))
        .await;
    let received = raw_get(&emulator, &probe()).await;
    let head = received.head().expect("the headers arrive");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let announced: usize = received.header("content-length").unwrap().parse().unwrap();
    assert!(announced > 0);
    assert!(received.body().is_empty(), "{:?}", received.body());
}

#[tokio::test]
async fn a_stall_sends_the_headers_then_withholds_the_body() {
    let emulator = TestEmulator::start().await;
    emulator
        .add_fault(json!({
            "path": "/v2/*/probe", "count": 1, "status": 200,
            "connection": "stall", "stall_ms": 60_000
        }))
        .await;
    // A client that gives up long before the stall ends: the headers came, the body did not.
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_millis(500))
        .build()
        .unwrap();
    let response = client
        .get(format!("{}{}", emulator.url(), probe()))
        .send()
        .await
        .expect("the headers arrive");
    assert_eq!(response.status().as_u16(), 200);
    let error = response.bytes().await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
}

#[tokio::test]
async fn acted_then_lost_the_change_is_committed_before_the_answer_breaks() {
    // Restarts last long enough to be seen.
    let emulator = TestEmulator::start_with(|s| s.restart_seconds = 600).await;
    let client = emulator.client();
    let cases = [
        json!({"connection": "reset"}),
        json!({"connection": "truncate"}),
        json!({"body": "malformed_json"}),
        json!({"latency_ms": 60_000}),
    ];
    for (index, effect) in cases.into_iter().enumerate() {
        let id = emulator.create_instance(&format!("lost-answer-{index}"));
        let mut rule = json!({"operation": "RestartInstance", "phase": "after", "count": 1});
        rule.as_object_mut()
            .unwrap()
            .extend(effect.as_object().unwrap().clone());
        let fault = emulator.add_fault(rule.clone()).await;
        emulator.reset_requests().await;
        let restart = client.restart_instance(&id);
        // The answer that never comes (latency) is given up on by the test, not the client.
        let outcome = if rule["latency_ms"].is_u64() {
            tokio::time::timeout(std::time::Duration::from_millis(500), restart)
                .await
                .err()
                .map(|_| "no answer")
        } else {
            restart.await.err().map(|_| "error")
        };
        assert!(outcome.is_some(), "{rule}: the answer was lost");

        let shown = client.show_instance(&id).await.unwrap();
        assert_eq!(
            shown.value.status, "RESTARTING",
            "{rule}: the restart was carried out"
        );
        let log = emulator.requests().await;
        assert_eq!(log["operations"]["RestartInstance"], 1, "{rule}");
        let entry = &log["log"][0];
        assert_eq!(entry["operation"], "RestartInstance");
        assert_eq!(
            (&entry["faults"], &entry["handled"]),
            (&json!([fault]), &json!(true))
        );
        emulator.remove_fault(fault).await;
    }
}

#[tokio::test]
async fn rules_match_by_operation_fire_on_the_next_n_and_are_added_and_removed_one_by_one() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let id = emulator.create_instance("counted");
    let listing = emulator
        .add_fault(json!({"operation": "ListInstances", "count": 2, "status": 503, "error_code": "DMS.00500000"}))
        .await;
    let showing = emulator
        .add_fault(json!({"operation": "ShowInstance", "probability": 1.0, "status": 500}))
        .await;
    assert_ne!(listing, showing);
    let listed = emulator.faults().await;
    assert_eq!(
        listed
            .iter()
            .map(|r| (r["id"].as_u64().unwrap(), r["remaining"].clone()))
            .collect::<Vec<_>>(),
        [(listing, json!(2)), (showing, Value::Null)]
    );

    let query = Default::default();
    for _ in 0..2 {
        let error = client.list_instances(&query).await.unwrap_err();
        assert_eq!(error.status, Some(503));
    }
    assert!(
        client.list_instances(&query).await.is_ok(),
        "the count is spent"
    );
    assert_eq!(
        client.show_instance(&id).await.unwrap_err().status,
        Some(500)
    );

    emulator.remove_fault(showing).await;
    assert!(client.show_instance(&id).await.is_ok());
    let missing = reqwest::Client::new()
        .delete(format!("{}/_emulator/faults/{showing}", emulator.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);

    // Replacing and clearing still work, and ids are never reused.
    let replaced = emulator
        .set_faults(json!([{"operation": "ShowInstance", "count": 1, "status": 502}]))
        .await;
    assert!(replaced["faults"][0]["id"].as_u64().unwrap() > showing);
    assert_eq!(emulator.faults().await.len(), 1);
    emulator.clear_faults().await;
    assert!(emulator.faults().await.is_empty());
    assert!(client.show_instance(&id).await.is_ok());
}

#[tokio::test]
async fn rules_that_could_never_fire_are_refused_with_the_reason() {
    let emulator = TestEmulator::start().await;
    let http = reqwest::Client::new();
    let faults = format!("{}/_emulator/faults", emulator.url());
    let kept = emulator
        .add_fault(json!({"path": "/v2/**", "latency_ms": 1}))
        .await;
    let cases = [
        (json!({"path": "/v2/**", "status": 503}), "can never fire"),
        (
            json!({"path": "/v2/**", "status": 503, "probability": 0}),
            "can never fire",
        ),
        (
            json!({"operation": "RestartInstance", "method": "GET", "count": 1, "status": 500}),
            "sent with POST",
        ),
        (
            json!({"operation": "Reboot", "count": 1, "status": 500}),
            "unknown operation `Reboot`",
        ),
        (
            json!({"path": "/v2/**", "count": 1, "connection": "reset", "status": 500}),
            "never be seen",
        ),
        (
            json!({"path": "/v2/**", "count": 1, "colour": "red"}),
            "unknown field `colour`",
        ),
    ];
    for (rule, expected) in cases {
        let added = http.post(&faults).json(&rule).send().await.unwrap();
        assert_eq!(added.status().as_u16(), 400, "{rule}");
        let body: Value = added.json().await.unwrap();
        let message = body["error_msg"].as_str().unwrap();
        assert!(message.contains(expected), "{rule}: {message}");

        let replaced = http.put(&faults).json(&json!([rule])).send().await.unwrap();
        assert_eq!(replaced.status().as_u16(), 400, "{rule}");
    }
    let listed = emulator.faults().await;
    assert_eq!(listed.len(), 1, "refused rules change nothing");
    assert_eq!(listed[0]["id"], kept);

    // The flag form is refused at start-up, with the same reason.
    let data_dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_dms-console"))
        .args(["emulator", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir.path())
        .args([
            "--access-key",
            "AK",
            "--secret-key",
            "SK",
            "--project-id",
            PROJECT,
        ])
        .args(["--fault", "POST /v2/**;status=503"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("fault `POST /v2/**;status=503`: this rule can never fire"),
        "{stderr}"
    );
}

#[tokio::test]
async fn iam_token_requests_can_be_left_out_of_a_rule() {
    let emulator = TestEmulator::start().await;
    let query = Default::default();
    emulator
        .add_fault(json!({"path": "/**", "probability": 1.0, "status": 503, "exclude_iam": true}))
        .await;
    let error = emulator
        .iam_client()
        .list_instances(&query)
        .await
        .unwrap_err();
    assert_eq!(
        (error.operation, error.status),
        ("ListInstances", Some(503)),
        "the token was issued, the API call faulted"
    );
    let counts = emulator.operation_counts().await;
    assert_eq!(counts["KeystoneCreateUserTokenByPassword"], 1);

    emulator
        .set_faults(json!([{"path": "/**", "probability": 1.0, "status": 503}]))
        .await;
    let error = emulator
        .iam_client()
        .list_instances(&query)
        .await
        .unwrap_err();
    assert_eq!(error.status, Some(503));
    assert_ne!(
        error.operation, "ListInstances",
        "the token request faulted first"
    );
}

#[tokio::test]
async fn the_request_log_counts_each_operation_and_can_be_reset() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let id = emulator.create_instance("logged");
    let query = Default::default();
    client.list_instances(&query).await.unwrap();
    client.list_instances(&query).await.unwrap();
    client.show_instance(&id).await.unwrap();
    let missing = client
        .show_instance("11c45539-0000-4000-8000-812c41f61f30")
        .await;
    assert_eq!(missing.unwrap_err().kind, ErrorKind::NotFound);

    let log = emulator.requests().await;
    assert_eq!(log["total"], 4);
    assert_eq!(
        log["operations"],
        json!({"ListInstances": 2, "ShowInstance": 2})
    );
    let last = &log["log"][3];
    assert_eq!(last["seq"], 4);
    assert_eq!(last["method"], "GET");
    assert_eq!(last["status"], 404);
    assert_eq!(
        last["path"],
        format!("/v2/{PROJECT}/instances/11c45539-0000-4000-8000-812c41f61f30")
    );

    emulator.reset_requests().await;
    let log = emulator.requests().await;
    assert_eq!(
        (log["total"].clone(), log["log"].clone()),
        (json!(0), json!([]))
    );
    assert!(emulator.operation_counts().await.is_empty());
}

#[test]
fn every_fault_option_is_in_the_help_of_emulator_and_demo() {
    for command in ["emulator", "demo"] {
        let output = Command::new(env!("CARGO_BIN_EXE_dms-console"))
            .args([command, "--help"])
            .output()
            .unwrap();
        assert!(output.status.success());
        let help = String::from_utf8_lossy(&output.stdout);
        for expected in [
            "--fault <RULE>",
            "--fault-admin",
            "--create-seconds",
            "--restart-seconds",
            "--extend-seconds",
            "--migration-seconds",
            "operation=NAME",
            "exclude_iam=true",
            "count=N",
            "probability=F",
            "latency_ms=N",
            "status=N",
            "error_code=C",
            "error_msg=M",
            "request_id=ID",
            "retry_after=S",
            "body=empty|not_json|malformed_json|html",
            "connection=reset",
            "reset_after_headers",
            "truncate",
            "stall_ms=N",
            "phase=after",
            "/_emulator/requests",
        ] {
            assert!(
                help.contains(expected),
                "`{command} --help` lacks `{expected}`:\n{help}"
            );
        }
    }
}
