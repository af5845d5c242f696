//! What the console shows and audits when DMS's answer cannot be read: a restart that DMS
//! carried out but whose answer was cut, reset or garbled is "outcome unknown" with a way to
//! read the state back, audited `unknown` and sent once; a read shows an error card, never an
//! empty list; a huge error message is capped on the page.

use serde_json::{Value, json};

use crate::console_audit::audit_csv;
use crate::support::console::{TestApp, spawn_app_on};
use crate::support::emulator::TestEmulator;

/// The faults that lose the answer of a request DMS carried out: a truncated 2xx body, a
/// reset after the change was made, malformed JSON, a gateway's HTML page or no body on 200.
fn lost_answers() -> [(&'static str, Value); 5] {
    [
        ("truncated body", json!({"connection": "truncate"})),
        ("reset after acting", json!({"connection": "reset"})),
        (
            "malformed JSON",
            json!({"body": "malformed_json", "status": 200}),
        ),
        ("HTML page", json!({"body": "html", "status": 200})),
        ("empty body", json!({"body": "empty", "status": 200})),
    ]
}

fn rule(base: Value, effect: &Value) -> Value {
    let mut rule = base;
    rule.as_object_mut()
        .unwrap()
        .extend(effect.as_object().unwrap().clone());
    rule
}

async fn admin_app() -> TestApp {
    // Restarts last long enough to be read back.
    let emulator = TestEmulator::start_with(|s| s.restart_seconds = 600).await;
    let app = spawn_app_on(emulator, |_| {}).await;
    app.login_as("admin").await.assert_redirect("/instances");
    app
}

#[tokio::test]
async fn a_restart_whose_answer_was_lost_is_unknown_not_failed_audited_so_and_sent_once() {
    let app = admin_app().await;
    for (index, (what, effect)) in lost_answers().into_iter().enumerate() {
        let id = app.create_instance(&format!("orders-{index}"));
        let fault = app
            .add_fault(rule(
                json!({"operation": "RestartInstance", "phase": "after", "count": 1}),
                &effect,
            ))
            .await;
        app.reset_requests().await;

        let page = app.submit(&format!("/instances/{id}/restart"), &[]).await;
        page.assert_status(502);
        assert_eq!(
            page.text(".error-card .title"),
            "Restarting the instance: outcome unknown",
            "{what}"
        );
        let message = page.text(".error-card .message");
        assert!(
            message.contains("DMS may have carried out the change: check the current state"),
            "{what}: {message}"
        );
        let check = page.attr(".error-card a.check-state", "href");
        assert_eq!(check, Some(format!("/instances/{id}")), "{what}");

        // Exactly one restart reached DMS: the console did not try again.
        assert_eq!(
            app.operation_counts().await.get("RestartInstance"),
            Some(&1),
            "{what}"
        );
        let records = audit_csv(&app, &format!("?target=instance/{id}")).await;
        assert_eq!(records.len(), 1, "{what}: {records:?}");
        let record = &records[0];
        assert_eq!(record["operation"], "RestartInstance");
        assert_eq!(record["outcome"], "unknown", "{what}: {record:?}");
        assert!(!record["detail"].is_empty());

        // The link reads the state back: DMS did restart it.
        let dashboard = app.get_page(&check.unwrap()).await;
        dashboard.assert_status(200);
        assert_eq!(dashboard.text("#instance-status"), "RESTARTING", "{what}");
        app.remove_fault(fault).await;
    }

    // An htmx click gets the same news in the form it came from, with the same link.
    let id = app.create_instance("orders-htmx");
    let op = app.op_id(&format!("/instances/{id}/restart")).await;
    app.add_fault(json!({
        "operation": "RestartInstance", "phase": "after", "count": 1,
        "status": 200, "body": "html"
    }))
    .await;
    let fragment = app
        .post_fragment(&format!("/instances/{id}/restart"), &[("op", &op)])
        .await;
    fragment.assert_status(200);
    assert_eq!(fragment.header("x-console-error-status"), Some("502"));
    assert_eq!(
        fragment.text(".error-card .title"),
        "Restarting the instance: outcome unknown"
    );
    assert_eq!(
        fragment.attr(".error-card a.check-state", "href"),
        Some(format!("/instances/{id}"))
    );
}

#[tokio::test]
async fn an_instance_list_whose_answer_cannot_be_read_is_an_error_card_never_an_empty_list() {
    let app = admin_app().await;
    app.create_instance("orders-prod");
    for (what, effect) in lost_answers() {
        let fault = app
            .add_fault(rule(
                json!({"operation": "ListInstances", "phase": "after", "probability": 1.0}),
                &effect,
            ))
            .await;
        let page = app.get_page("/instances").await;
        assert_eq!(
            page.text("#instances .error-card .title"),
            "Listing instances failed",
            "{what}: {}",
            page.body
        );
        assert!(!page.has("#instances a.check-state"), "{what}");
        assert!(!page.has("#instance-table"), "{what}");
        assert!(!page.body.contains("No instances"), "{what}");
        app.remove_fault(fault).await;
    }
    let page = app.get_page("/instances").await;
    assert_eq!(page.count("#instance-table tbody tr"), 1);
}

#[tokio::test]
async fn a_huge_error_message_is_capped_on_the_page() {
    let app = admin_app().await;
    let id = app.create_instance("orders-prod");
    let huge = format!("{}END", "The instance cannot restart now. ".repeat(1000));
    app.add_fault(json!({
        "operation": "RestartInstance", "count": 1, "status": 400,
        "error_code": "DMS.00400026", "error_msg": huge
    }))
    .await;
    let page = app.submit(&format!("/instances/{id}/restart"), &[]).await;
    page.assert_status(422);
    assert_eq!(
        page.text(".error-card .title"),
        "Restarting the instance failed"
    );
    let message = page.text(".error-card .message");
    let left_out = huge.len() - 2048;
    assert!(
        message.ends_with(&format!("… ({left_out} more bytes)")),
        "{}",
        &message[message.len().saturating_sub(80)..]
    );
    assert!(message.len() < 2200, "{} bytes shown", message.len());
    assert!(!page.body.contains("END"));
    assert_eq!(audit_csv(&app, "").await[0]["outcome"], "failed");
}
