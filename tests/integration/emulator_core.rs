//! The emulator's front door: authentication, IAM tokens, the error envelope, request ids,
//! fault injection and durability of acknowledged state.

use dms_console::api::Method;
use serde_json::json;

use crate::support::calls::is_request_id;
use crate::support::emulator::{AK, OTHER_AK, OTHER_PROJECT, OTHER_SK, PROJECT, SK, TestEmulator};

#[tokio::test]
async fn unknown_paths_answer_the_dms_error_envelope_with_a_request_id() {
    let emulator = TestEmulator::start().await;
    let reply = emulator
        .client()
        .raw(Method::Get, "/v2/{project_id}/nowhere", &[], None)
        .await
        .unwrap();
    assert_eq!(reply.status, 404);
    assert_eq!(reply.error_code.as_deref(), Some("DMS.00404001"));
    let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(
        body,
        json!({"error_code": "DMS.00404001", "error_msg": "The requested URL does not exist."})
    );
    let request_id = reply.request_id.expect("every answer has a request id");
    assert!(is_request_id(&request_id), "{request_id}");
}

#[tokio::test]
async fn requests_signed_with_a_wrong_secret_or_unknown_key_are_refused() {
    let emulator = TestEmulator::start().await;
    for client in [
        emulator.client_with(AK, "not-the-secret", PROJECT),
        emulator.client_with("UNKNOWNAK0000000", SK, PROJECT),
    ] {
        let reply = client
            .raw(Method::Get, "/v2/{project_id}/instances", &[], None)
            .await
            .unwrap();
        assert_eq!(reply.status, 401);
        assert_eq!(reply.error_code.as_deref(), Some("APIGW.0301"));
    }
}

#[tokio::test]
async fn unsigned_requests_and_stale_dates_are_refused() {
    let emulator = TestEmulator::start().await;
    let http = reqwest::Client::new();
    let unsigned = http
        .get(format!("{}/v2/{PROJECT}/instances", emulator.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status().as_u16(), 401);
    let body: serde_json::Value = unsigned.json().await.unwrap();
    assert_eq!(body["error_code"], "DMS.10240103");

    // A correct signature over a date 20 minutes old.
    let date = dms_console::signing::SdkDate::from_unix(
        dms_console::signing::SdkDate::now().unix_seconds() - 20 * 60,
    );
    let host = emulator.url().trim_start_matches("http://").to_owned();
    let path = format!("/v2/{PROJECT}/instances");
    let headers = vec![
        ("Content-Type".to_owned(), "application/json".to_owned()),
        ("Host".to_owned(), host),
        ("X-Sdk-Date".to_owned(), date.to_string()),
    ];
    let request = dms_console::signing::SignableRequest {
        method: "GET",
        path: &path,
        query: &[],
        headers: &headers,
        body: b"",
    };
    let signed = dms_console::signing::sign(&request, AK, SK.as_bytes()).unwrap();
    let stale = http
        .get(format!("{}{path}", emulator.url()))
        .header("Content-Type", "application/json")
        .header("X-Sdk-Date", date.to_string())
        .header("Authorization", signed.authorization)
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status().as_u16(), 401);
    let body: serde_json::Value = stale.json().await.unwrap();
    assert_eq!(body["error_code"], "APIGW.0303");
}

#[tokio::test]
async fn a_credential_cannot_reach_another_project() {
    let emulator = TestEmulator::start().await;
    let other = emulator.client_with(OTHER_AK, OTHER_SK, OTHER_PROJECT);
    let path = format!("/v2/{PROJECT}/instances");
    let reply = other.raw(Method::Get, &path, &[], None).await.unwrap();
    assert_eq!(reply.status, 401);
    assert_eq!(reply.error_code.as_deref(), Some("DMS.10240104"));
}

#[tokio::test]
async fn iam_tokens_are_issued_for_configured_users_and_accepted() {
    let emulator = TestEmulator::start().await;
    let http = reqwest::Client::new();
    let wrong = http
        .post(format!("{}/v3/auth/tokens", emulator.url()))
        .json(&json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "ops", "password": "wrong", "domain": {"name": "test-account"}}}}, "scope": {"project": {"name": "emulator-region"}}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);

    let client = emulator.iam_client();
    assert_eq!(
        client.project_id().await.unwrap(),
        PROJECT,
        "the project comes from the token"
    );
    let reply = client
        .raw(Method::Get, "/v2/{project_id}/nowhere", &[], None)
        .await
        .unwrap();
    assert_eq!(
        reply.error_code.as_deref(),
        Some("DMS.00404001"),
        "authenticated, then routed"
    );

    let forged = http
        .get(format!("{}/v2/{PROJECT}/instances", emulator.url()))
        .header("X-Auth-Token", "MIIforged")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 401);
    let body: serde_json::Value = forged.json().await.unwrap();
    assert_eq!(body["error_code"], "DMS.10240101");
}

#[tokio::test]
async fn fault_rules_force_errors_and_can_be_cleared() {
    let emulator = TestEmulator::start().await;
    let http = reqwest::Client::new();
    let set = http
        .put(format!("{}/_emulator/faults", emulator.url()))
        .json(&json!([{"path": "/v2/*/nowhere", "error_rate": 1.0, "status": 503, "error_code": "APIGW.0203"}]))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status().as_u16(), 200);
    let reply = emulator
        .client()
        .raw(Method::Get, "/v2/{project_id}/nowhere", &[], None)
        .await
        .unwrap();
    assert_eq!(
        (reply.status, reply.error_code.as_deref()),
        (503, Some("APIGW.0203"))
    );
    let cleared = http
        .delete(format!("{}/_emulator/faults", emulator.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status().as_u16(), 204);
    let reply = emulator
        .client()
        .raw(Method::Get, "/v2/{project_id}/nowhere", &[], None)
        .await
        .unwrap();
    assert_eq!(reply.status, 404);
}

#[tokio::test]
async fn the_fault_admin_endpoint_does_not_exist_unless_enabled() {
    let emulator = TestEmulator::start_with(|s| s.fault_admin = false).await;
    let response = reqwest::Client::new()
        .get(format!("{}/_emulator/faults", emulator.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
}
