//! The client's transport: signing on the wire, error mapping, retry policy, timeouts, caps.

use std::time::Duration;

use dms_console::api::models::instances::ListInstancesQuery;
use dms_console::api::{ErrorKind, Timeouts};
use serde_json::json;

use crate::support::mock_dms::{MockDms, MockResponse, PROJECT};

#[tokio::test]
async fn list_instances_sends_a_signed_get_with_sorted_query() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::json(200, json!({"instances": [{"name": "a", "instance_id": "i-1", "status": "RUNNING"}], "instance_num": "1"})));
    let query = ListInstancesQuery {
        engine: Some("reliability".into()),
        limit: Some(10),
        offset: Some(0),
        ..Default::default()
    };
    let reply = mock.client().list_instances(&query).await.unwrap();
    assert_eq!(reply.instance_num, 1);
    assert_eq!(reply.instances[0].name, "a");
    assert_eq!(reply.request_id.as_deref(), Some("mock-1"));
    let request = mock.single();
    request.assert(
        "GET",
        "/v2/{project_id}/instances",
        &[("engine", "reliability"), ("limit", "10"), ("offset", "0")],
        None,
    );
    assert_eq!(
        request.raw_query, "engine=reliability&limit=10&offset=0",
        "the wire query is the canonical one"
    );
    assert_eq!(request.header("x-project-id"), Some(PROJECT));
    assert_eq!(request.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn error_responses_keep_status_code_message_and_request_id() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::error(
        404,
        "DMS.00404022",
        "This instance does not exist.",
    ));
    let error = mock.client().show_instance("i-missing").await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotFound);
    assert_eq!(error.status, Some(404));
    assert_eq!(error.code.as_deref(), Some("DMS.00404022"));
    assert_eq!(error.message, "This instance does not exist.");
    assert_eq!(error.request_id.as_deref(), Some("mock-1"));
    assert_eq!(error.attempts, 1);
}

#[tokio::test]
async fn reads_retry_on_gateway_errors_and_flow_control_then_succeed() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::error(502, "APIGW.0202", "bad gateway"));
    mock.push(MockResponse::error(
        404,
        "DMS.10240407",
        "too frequent, flow control",
    ));
    mock.push(MockResponse::json(
        200,
        json!({"name": "x", "instance_id": "i-1"}),
    ));
    let reply = mock.client().show_instance("i-1").await.unwrap();
    assert_eq!(reply.name, "x");
    assert_eq!(mock.requests().len(), 3);
}

#[tokio::test]
async fn reads_give_up_after_the_configured_retries() {
    let mock = MockDms::start().await;
    for _ in 0..5 {
        mock.push(MockResponse::error(504, "APIGW.0201", "backend timeout"));
    }
    let error = mock.client().show_instance("i-1").await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Server);
    assert_eq!(error.attempts, 3);
    assert_eq!(mock.requests().len(), 3);
}

#[tokio::test]
async fn reads_do_not_retry_client_errors_or_500() {
    for (status, code) in [
        (400, "DMS.00400030"),
        (500, "DMS.00500000"),
        (503, "APIGW.0203"),
        (401, "APIGW.0301"),
    ] {
        let mock = MockDms::start().await;
        mock.push(MockResponse::error(status, code, "no"));
        let error = mock.client().show_instance("i-1").await.unwrap_err();
        assert_eq!(error.status, Some(status));
        assert_eq!(mock.requests().len(), 1, "{status} must not be retried");
    }
}

#[tokio::test]
async fn retry_after_is_honoured_within_the_cap_and_reported_beyond_it() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::error(429, "APIGW.0308", "throttled").header("Retry-After", "1"));
    mock.push(MockResponse::json(200, json!({"instance_id": "i-1"})));
    let started = std::time::Instant::now();
    mock.client().show_instance("i-1").await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited for Retry-After"
    );
    assert_eq!(mock.requests().len(), 2);

    let mock = MockDms::start().await;
    mock.push(MockResponse::error(429, "APIGW.0308", "throttled").header("Retry-After", "60"));
    let error = mock.client().show_instance("i-1").await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Throttled);
    assert_eq!(error.retry_after, Some(Duration::from_secs(60)));
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn a_mutation_is_never_repeated_and_an_unanswered_one_has_an_unknown_outcome() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::error(502, "APIGW.0202", "bad gateway"));
    let error = mock.client().delete_instance("i-1").await.unwrap_err();
    assert_eq!(error.status, Some(502));
    assert!(
        !error.outcome_unknown,
        "an answered request has a known outcome"
    );
    assert_eq!(
        mock.requests().len(),
        1,
        "a delete that reached DMS is not repeated"
    );

    let mock = MockDms::start().await;
    mock.push(MockResponse::hang_up());
    let error = mock.client().delete_instance("i-1").await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Transport);
    assert!(error.outcome_unknown, "the delete may have happened");
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn connect_errors_are_retried_for_reads_and_reported_as_transport() {
    // A port that was open a moment ago and is closed now refuses connections.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mock = MockDms::start().await;
    let mut config = mock.client_config();
    config.endpoint = format!("http://{addr}").parse().unwrap();
    let client = dms_console::api::DmsClient::new(config).unwrap();
    let error = client.show_instance("i-1").await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Transport);
    assert_eq!(error.attempts, 3);
    assert!(!error.outcome_unknown);
    let error = client.delete_instance("i-1").await.unwrap_err();
    assert_eq!(
        error.attempts, 2,
        "a delete whose connection never opened is tried once more"
    );
    assert!(!error.outcome_unknown);
}

#[tokio::test]
async fn slow_reads_time_out() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::json(200, json!({})).delayed(Duration::from_millis(800)));
    let mut config = mock.client_config();
    config.timeouts = Timeouts {
        connect: Duration::from_secs(1),
        read: Duration::from_millis(200),
        mutation: Duration::from_secs(1),
    };
    let error = dms_console::api::DmsClient::new(config)
        .unwrap()
        .show_instance("i-1")
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Transport);
    assert!(
        error.message.contains("no answer within"),
        "{}",
        error.message
    );
    assert_eq!(mock.requests().len(), 1, "timeouts are not retried");
}

#[tokio::test]
async fn oversized_responses_are_refused() {
    let mock = MockDms::start().await;
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(4096));
    mock.push(MockResponse::raw(200, &big));
    let mut config = mock.client_config();
    config.max_response_bytes = 1024;
    let error = dms_console::api::DmsClient::new(config)
        .unwrap()
        .show_instance("i-1")
        .await
        .unwrap_err();
    assert!(
        error.message.contains("1024-byte limit"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn undecodable_bodies_are_decode_errors_with_the_request_id() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::raw(200, "{\"instance_num\": \"many\"}"));
    let error = mock
        .client()
        .list_instances(&ListInstancesQuery::default())
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Decode);
    assert_eq!(error.request_id.as_deref(), Some("mock-1"));
}
