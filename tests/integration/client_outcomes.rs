//! How the client classifies answers it cannot read, against the emulator's fault rules: a
//! change that DMS accepted (2xx) or that was sent before the connection broke has an unknown
//! outcome and is never repeated; a refusal stays a failure; a read is an error, never
//! "unknown"; and long error messages are capped.

use dms_console::api::models::instances::UpdateInstanceReq;
use dms_console::api::{ApiError, ErrorKind};
use serde_json::{Value, json};

use crate::support::emulator::TestEmulator;

/// The rule `base` extended with `effect`.
fn rule(base: Value, effect: &Value) -> Value {
    let mut rule = base;
    rule.as_object_mut()
        .unwrap()
        .extend(effect.as_object().unwrap().clone());
    rule
}

/// What the tests check of an error: kind, status, unknown outcome, attempts, request id.
fn shape(error: &ApiError) -> (ErrorKind, Option<u16>, bool, u32, bool) {
    (
        error.kind,
        error.status,
        error.outcome_unknown,
        error.attempts,
        error.request_id.is_some(),
    )
}

#[tokio::test]
async fn a_restart_whose_2xx_answer_cannot_be_read_has_an_unknown_outcome_and_is_sent_once() {
    let emulator = TestEmulator::start_with(|s| s.restart_seconds = 600).await;
    let client = emulator.client();
    let cases = [
        (
            json!({"connection": "truncate"}),
            ErrorKind::Transport,
            Some(200),
            true,
        ),
        (
            json!({"connection": "reset_after_headers"}),
            ErrorKind::Transport,
            Some(200),
            true,
        ),
        (
            json!({"connection": "reset"}),
            ErrorKind::Transport,
            None,
            false,
        ),
        (
            json!({"body": "malformed_json"}),
            ErrorKind::Decode,
            Some(200),
            true,
        ),
        (
            json!({"body": "html", "status": 200}),
            ErrorKind::Decode,
            Some(200),
            true,
        ),
        (json!({"body": "empty"}), ErrorKind::Decode, Some(200), true),
    ];
    for (index, (effect, kind, status, has_request_id)) in cases.into_iter().enumerate() {
        let id = emulator.create_instance(&format!("restarted-{index}"));
        let fault = emulator
            .add_fault(rule(
                json!({"operation": "RestartInstance", "phase": "after", "count": 1}),
                &effect,
            ))
            .await;
        emulator.reset_requests().await;

        let error = client.restart_instance(&id).await.unwrap_err();
        assert_eq!(
            shape(&error),
            (kind, status, true, 1, has_request_id),
            "{effect}: {error}"
        );
        assert!(
            error
                .to_string()
                .ends_with("the request may have been carried out"),
            "{error}"
        );
        assert_eq!(
            emulator.operation_counts().await["RestartInstance"],
            1,
            "{effect}: sent exactly once"
        );
        let instance = client.show_instance(&id).await.unwrap().into_inner();
        assert_eq!(instance.status, "RESTARTING", "{effect}: DMS did act");
        emulator.remove_fault(fault).await;
    }
}

#[tokio::test]
async fn a_change_without_a_body_answered_by_a_gateway_page_is_unknown_too() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let id = emulator.create_instance("renamed");
    let body = UpdateInstanceReq {
        name: Some("renamed-2".into()),
        ..Default::default()
    };
    emulator
        .add_fault(json!({
            "operation": "UpdateInstance", "phase": "after", "count": 1,
            "status": 200, "body": "html"
        }))
        .await;
    let error = client.update_instance(&id, &body).await.unwrap_err();
    assert_eq!(shape(&error), (ErrorKind::Decode, Some(200), true, 1, true));
    let instance = client.show_instance(&id).await.unwrap().into_inner();
    assert_eq!(instance.name, "renamed-2", "DMS did act");

    // Without the fault, the usual empty 204 is a success.
    let body = UpdateInstanceReq {
        name: Some("renamed-3".into()),
        ..Default::default()
    };
    let reply = client.update_instance(&id, &body).await.unwrap();
    assert_eq!(reply.status, 204);
}

#[tokio::test]
async fn a_refusal_whose_body_was_cut_is_a_failure_not_an_unknown() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let id = emulator.create_instance("refused");
    emulator
        .add_fault(json!({
            "operation": "RestartInstance", "count": 1, "status": 500,
            "connection": "truncate"
        }))
        .await;
    let error = client.restart_instance(&id).await.unwrap_err();
    assert_eq!(
        shape(&error),
        (ErrorKind::Transport, Some(500), false, 1, true)
    );
    let instance = client.show_instance(&id).await.unwrap().into_inner();
    assert_eq!(instance.status, "RUNNING");
}

#[tokio::test]
async fn a_read_that_cannot_be_read_is_an_error_never_an_unknown_outcome() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let query = Default::default();
    let cases = [
        (
            json!({"status": 200, "body": "malformed_json"}),
            ErrorKind::Decode,
            Some(200),
        ),
        (
            json!({"status": 200, "body": "html"}),
            ErrorKind::Decode,
            Some(200),
        ),
        (
            json!({"status": 200, "body": "not_json"}),
            ErrorKind::Decode,
            Some(200),
        ),
        (
            json!({"phase": "after", "connection": "truncate"}),
            ErrorKind::Transport,
            Some(200),
        ),
        (
            json!({"phase": "after", "connection": "reset"}),
            ErrorKind::Transport,
            None,
        ),
    ];
    for (effect, kind, status) in cases {
        let fault = emulator
            .add_fault(rule(
                json!({"operation": "ListInstances", "count": 1}),
                &effect,
            ))
            .await;
        let error = client.list_instances(&query).await.unwrap_err();
        assert_eq!(
            (error.kind, error.status, error.outcome_unknown),
            (kind, status, false),
            "{effect}: {error}"
        );
        emulator.remove_fault(fault).await;
    }
}

#[tokio::test]
async fn long_error_messages_are_capped_with_what_was_left_out() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let id = emulator.create_instance("capped");
    let long = format!("{}{}", "Refused. ".repeat(300), "END");
    emulator
        .add_fault(json!({
            "operation": "RestartInstance", "count": 1, "status": 400,
            "error_code": "DMS.00400026", "error_msg": long
        }))
        .await;
    let error = client.restart_instance(&id).await.unwrap_err();
    assert_eq!(error.code.as_deref(), Some("DMS.00400026"));
    let left_out = long.len() - 2048;
    assert_eq!(
        error.message,
        format!("{}… ({left_out} more bytes)", &long[..2048])
    );
    assert!(!error.to_string().contains("END"));
}
