//! Dead letters in the console: listed with their origin and expiry and counted; resent with a
//! preview, typed confirmation above the threshold, results per message and an audit record
//! with the exact ids; never sent twice (a repeated post, two tabs, two posts at once); an
//! unknown outcome reported as such; resends rate-limited; exported as JSON and CSV; and
//! bodies masked for viewers on pages and in exports, with an audited reveal.

use serde_json::Value;

use crate::support::console::Page;
use crate::support::messages::{MessagesApp, message, messages_app, messages_app_with};

fn dlq_path(app: &MessagesApp) -> String {
    format!("/instances/{}/dlq?group=GID_orders", app.id())
}

/// The selection form's operation id on the dead-letter page.
async fn selection_op(app: &MessagesApp) -> String {
    let page = app.get_page(&dlq_path(app)).await;
    page.attr("#dlq-selection input[name=op]", "value")
        .unwrap_or_else(|| panic!("no selection form:\n{}", page.body))
}

/// Posts a confirmed resend of `ids` with operation id `op`.
async fn confirm(app: &MessagesApp, op: &str, ids: &[String], typed: Option<&str>) -> Page {
    let mut fields: Vec<(&str, &str)> = vec![
        ("group", "GID_orders"),
        ("step", "confirm"),
        ("op", op),
        ("scope", "selected"),
    ];
    for id in ids {
        fields.push(("id", id));
    }
    if let Some(typed) = typed {
        fields.push(("confirm", typed));
    }
    app.post_form(&format!("/instances/{}/dlq/resend", app.id()), &fields)
        .await
}

fn outcomes(page: &Page) -> Vec<String> {
    page.attrs("#resend-results tbody tr", "data-outcome")
}

async fn resends(app: &MessagesApp) -> u64 {
    app.operation_counts()
        .await
        .get("SendDlqMessage")
        .copied()
        .unwrap_or(0)
}

/// The audit records of resends: (params, outcome).
fn resend_records(app: &MessagesApp) -> Vec<(String, String)> {
    let db = app.audit_db();
    let mut statement = db
        .prepare("SELECT params, outcome FROM audit WHERE operation = 'SendDlqMessage' ORDER BY id")
        .unwrap();
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test]
async fn dead_letters_are_listed_with_their_origin_and_expiry_and_counted_by_topic_and_tag() {
    let app = messages_app("operator").await;
    let ids = app.dead_letters(3).await;
    let page = app.get_page(&dlq_path(&app)).await;
    page.assert_status(200);
    let rows = page.attrs("#dlq-table tbody tr", "data-msg-id");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0], ids[2], "newest first");
    let origin = page.text("#dlq-table tbody tr td:nth-child(4)");
    assert!(origin.starts_with("orders"), "{origin}");
    assert_eq!(
        page.text("#dlq-table tbody tr td:nth-child(7)"),
        "3",
        "reconsume times"
    );
    assert!(
        page.has("#dlq-table tbody tr td:nth-child(8) time"),
        "expiry"
    );
    assert!(
        page.has("#dlq-counts[hx-get]"),
        "the counts panel loads itself"
    );
    let counts = app
        .get_fragment(
            &page
                .attr("#dlq-counts", "hx-get")
                .unwrap()
                .replace("&amp;", "&"),
        )
        .await;
    counts.assert_status(200);
    assert_eq!(
        counts.texts("#dlq-counts-table tbody td"),
        ["orders", "paid", "3"]
    );
    assert_eq!(counts.text("#dlq-counted"), "Counted 3 of 3 matches.");
    // Without a group the page asks for one.
    let chooser = app.get_page(&format!("/instances/{}/dlq", app.id())).await;
    assert!(chooser.has("#dlq-prompt"));
    assert!(
        chooser
            .texts("#dlq-group option")
            .contains(&"GID_orders".to_owned())
    );
}

#[tokio::test]
async fn a_resend_is_previewed_confirmed_audited_with_its_ids_and_never_sent_twice() {
    let app = messages_app("operator").await;
    let ids = app.dead_letters(4).await;
    let selected = vec![ids[0].clone(), ids[1].clone()];
    let op = selection_op(&app).await;

    // The preview says how many and where, and sends nothing.
    app.reset_requests().await;
    let mut fields: Vec<(&str, &str)> =
        vec![("group", "GID_orders"), ("op", &op), ("scope", "selected")];
    fields.extend(selected.iter().map(|id| ("id", id.as_str())));
    let preview = app
        .post_form(&format!("/instances/{}/dlq/resend", app.id()), &fields)
        .await;
    preview.assert_status(200);
    assert_eq!(
        preview.text("#resend-preview"),
        "Resend 2 messages of %DLQ%GID_orders?"
    );
    assert_eq!(
        preview.attrs("#resend-form input[name=id]", "value"),
        selected
    );
    assert!(
        !preview.has("#f-confirm"),
        "two messages need no typed confirmation"
    );
    assert_eq!(resends(&app).await, 0);

    let done = confirm(&app, &op, &selected, None).await;
    done.assert_status(200);
    assert_eq!(outcomes(&done), ["resent", "resent"]);
    assert_eq!(resends(&app).await, 1);
    let records = resend_records(&app);
    assert_eq!(records.len(), 1);
    let params: Value = serde_json::from_str(&records[0].0).unwrap();
    assert_eq!(params["msg_ids"], serde_json::json!(selected));
    assert_eq!(params["topic"], "%DLQ%GID_orders");
    assert_eq!(records[0].1, "ok");
    // The copies went to the group's retry topic.
    assert_eq!(
        app.listed("%RETRY%GID_orders", |_| {})
            .await
            .iter()
            .filter(|m| m.reconsume_times == 0)
            .count(),
        2
    );

    // The same form posted again (a double click, a retried request): nothing sent.
    let again = confirm(&app, &op, &selected, None).await;
    assert_eq!(outcomes(&again), ["already-resent", "already-resent"]);
    // A second tab with its own form and the same selection: nothing sent either.
    let other_tab = selection_op(&app).await;
    assert_ne!(other_tab, op);
    let second = confirm(&app, &other_tab, &selected, None).await;
    assert_eq!(outcomes(&second), ["already-resent", "already-resent"]);
    assert_eq!(resends(&app).await, 1);

    // Two tabs submitting the same new selection at the same moment: one call.
    let fresh = vec![ids[2].clone(), ids[3].clone()];
    let (tab_a, tab_b) = (selection_op(&app).await, selection_op(&app).await);
    let (a, b) = tokio::join!(
        confirm(&app, &tab_a, &fresh, None),
        confirm(&app, &tab_b, &fresh, None)
    );
    assert_eq!(resends(&app).await, 2);
    let mut both = [outcomes(&a), outcomes(&b)];
    both.sort();
    assert!(
        both.iter().any(|o| o == &["resent", "resent"]),
        "one of them resent: {both:?}"
    );
    assert_eq!(resend_records(&app).len(), 2);
}

#[tokio::test]
async fn a_large_resend_needs_its_number_typed_and_resending_is_rate_limited() {
    let app = messages_app_with("operator", |settings| {
        settings.messages.confirm_above = 3;
        settings.messages.resends_per_minute = 2;
    })
    .await;
    let ids = app.dead_letters(6).await;
    let op = selection_op(&app).await;
    let selected: Vec<String> = ids[..5].to_vec();
    app.reset_requests().await;

    // Every match of the page's search, previewed: typed confirmation is asked for.
    let preview = app
        .post_form(
            &format!("/instances/{}/dlq/resend", app.id()),
            &[
                ("group", "GID_orders"),
                ("op", &op),
                ("scope", "all"),
                ("range", "1h"),
            ],
        )
        .await;
    preview.assert_status(200);
    assert_eq!(
        preview.attrs("#resend-form input[name=id]", "value").len(),
        6
    );
    assert_eq!(
        preview.attr("#f-confirm", "data-confirm").as_deref(),
        Some("6")
    );

    let wrong = confirm(&app, &op, &selected, Some("6")).await;
    wrong.assert_status(422);
    assert!(wrong.has("#error-confirm"));
    assert_eq!(resends(&app).await, 0);
    let done = confirm(&app, &op, &selected, Some("5")).await;
    assert_eq!(outcomes(&done), vec!["resent"; 5]);

    // The second resend within the minute goes through, the third is refused unsent.
    let second = confirm(&app, &selection_op(&app).await, &ids[5..], None).await;
    assert_eq!(outcomes(&second), ["resent"]);
    let third = confirm(&app, &selection_op(&app).await, &ids[..1], None).await;
    third.assert_status(429);
    assert!(
        third.text(".error-card .message").contains("retry in"),
        "{}",
        third.body
    );
    assert_eq!(resends(&app).await, 2);
}

#[tokio::test]
async fn a_resend_whose_answer_is_lost_is_unknown_keeps_its_claim_and_says_how_to_check() {
    let app = messages_app("operator").await;
    let ids = app.dead_letters(1).await;
    let op = selection_op(&app).await;
    app.add_fault(serde_json::json!({
        "operation": "SendDlqMessage",
        "phase": "after",
        "connection": "reset",
        "count": 1,
    }))
    .await;
    app.reset_requests().await;
    let page = confirm(&app, &op, &ids, None).await;
    assert_eq!(outcomes(&page), ["unknown"]);
    assert!(page.text(".error-card .title").contains("outcome unknown"));
    let check = page.attr("#resend-results a.check-state", "href").unwrap();
    assert!(check.contains("/trace"), "{check}");
    assert_eq!(resend_records(&app)[0].1, "unknown");
    // Trying again does not send it again: whether it happened must be checked first.
    let again = confirm(&app, &selection_op(&app).await, &ids, None).await;
    assert_eq!(outcomes(&again), ["already-unknown"]);
    assert_eq!(resends(&app).await, 1);
}

#[tokio::test]
async fn a_refused_resend_can_be_tried_again() {
    let app = messages_app("operator").await;
    let ids = app.dead_letters(1).await;
    app.add_fault(serde_json::json!({
        "operation": "SendDlqMessage",
        "status": 400,
        "error_code": "DMS.00400800",
        "count": 1,
    }))
    .await;
    let refused = confirm(&app, &selection_op(&app).await, &ids, None).await;
    assert_eq!(outcomes(&refused), ["failed"]);
    assert_eq!(refused.text(".error-card .error-code"), "DMS.00400800");
    let retried = confirm(&app, &selection_op(&app).await, &ids, None).await;
    assert_eq!(outcomes(&retried), ["resent"]);
}

#[tokio::test]
async fn dead_letters_export_as_json_and_csv_selected_or_all_matches() {
    let app = messages_app("operator").await;
    let ids = app.dead_letters(3).await;
    app.reset_requests().await;
    let exported = app
        .post_form(
            &format!("/instances/{}/dlq/export", app.id()),
            &[
                ("group", "GID_orders"),
                ("format", "json"),
                ("id", &ids[0]),
                ("id", &ids[2]),
            ],
        )
        .await;
    exported.assert_status(200);
    assert!(
        exported
            .header("content-disposition")
            .unwrap()
            .contains("dms-console-dead-letters.json")
    );
    let rows: Vec<Value> = serde_json::from_str(&exported.body).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["msg_id"], ids[0].as_str());
    assert_eq!(rows[1]["msg_id"], ids[2].as_str());
    assert_eq!(rows[0]["origin_topic"], "orders");
    assert_eq!(rows[0]["body"], "dead letter 0");
    assert_eq!(rows[0]["body_masked"], false);
    assert!(
        app.operation_counts()
            .await
            .get("ExportDlqMessage")
            .is_some_and(|n| *n >= 1)
    );

    let csv = app
        .get_page(&format!("{}&format=csv", dlq_path(&app)))
        .await;
    csv.assert_status(200);
    let lines: Vec<&str> = csv.body.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 4, "{}", csv.body);
    assert!(lines[1].starts_with(&ids[2]), "newest first: {}", lines[1]);
}

#[tokio::test]
async fn a_viewer_sees_masked_bodies_in_pages_and_exports_until_an_audited_reveal() {
    let app = messages_app("viewer").await;
    let ids = app.dead_letters(1).await;
    app.produce(
        "orders",
        vec![message(br#"{"card":"4111-1111"}"#, "CARD-1", "paid", None)],
    );
    let id = app
        .listed("orders", |q| q.key = Some("CARD-1".into()))
        .await[0]
        .msg_id
        .clone();
    let path = format!("/instances/{}/messages/{id}?topic=orders", app.id());

    let page = app.get_page(&path).await;
    page.assert_status(200);
    assert!(page.has("#body-masked"));
    assert!(!page.body.contains("4111"), "the body is not on the page");
    assert_eq!(page.text("#masked-hash").len(), 16);
    assert!(!page.has("#verify-link"), "viewers do not resend");
    // The download leads to the reveal form instead.
    let download = app.get_page(&path.replace("?topic", "/body?topic")).await;
    download.assert_status(303);
    assert!(
        download
            .location()
            .unwrap()
            .contains("/reveal?topic=orders")
    );
    // The search's preview column and the exports are masked too.
    let search = app
        .get_page(&format!(
            "/instances/{}/messages?topic=orders&range=1h",
            app.id()
        ))
        .await;
    assert!(!search.body.contains("4111"));
    assert!(search.has("#message-table .masked"));
    let export = app
        .get_page(&format!(
            "/instances/{}/messages?topic=orders&range=1h&format=json",
            app.id()
        ))
        .await;
    assert!(!export.body.contains("4111"), "{}", export.body);
    let rows: Vec<Value> = serde_json::from_str(&export.body).unwrap();
    assert!(
        rows.iter()
            .all(|r| r["body"].is_null() && r["body_masked"] == true)
    );
    let dlq_export = app
        .post_form(
            &format!("/instances/{}/dlq/export", app.id()),
            &[("group", "GID_orders"), ("format", "csv"), ("id", &ids[0])],
        )
        .await;
    dlq_export.assert_status(200);
    assert!(
        !dlq_export.body.contains("dead letter 0"),
        "{}",
        dlq_export.body
    );
    assert!(dlq_export.body.contains("true"), "body_masked");

    // A reveal needs a reason, is audited with the id and the reason, and shows the body.
    let reveal_path = format!("/instances/{}/messages/{id}/reveal?topic=orders", app.id());
    let form = app.get_page(&reveal_path).await;
    let op = form.attr("#reveal-form input[name=op]", "value").unwrap();
    let action = format!("/instances/{}/messages/{id}/reveal", app.id());
    let no_reason = app
        .post_form(&action, &[("topic", "orders"), ("reason", ""), ("op", &op)])
        .await;
    no_reason.assert_status(422);
    assert!(no_reason.has("#error-reason"));
    let revealed = app
        .post_form(
            &action,
            &[
                ("topic", "orders"),
                ("reason", "ticket SUP-42: card declined"),
                ("op", &op),
            ],
        )
        .await;
    revealed.assert_status(303);
    assert_eq!(revealed.location(), Some(path.as_str()));
    let (target, params, outcome): (String, String, String) = app
        .audit_db()
        .query_row(
            "SELECT target, params, outcome FROM audit WHERE operation = 'RevealMessageBody'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .unwrap();
    assert_eq!(target, format!("message/{}/{id}", app.id()));
    assert!(params.contains("ticket SUP-42: card declined"), "{params}");
    assert_eq!(outcome, "ok");
    let page = app.get_page(&path).await;
    assert!(page.text("#body-text").contains("4111-1111"));
    assert!(page.text("#revealed-note").contains("ticket SUP-42"));
    // The reveal is for this message only, and exports stay masked.
    let other = app
        .get_page(&format!(
            "/instances/{}/messages/{}?topic=%25DLQ%25GID_orders",
            app.id(),
            ids[0]
        ))
        .await;
    assert!(other.has("#body-masked"));
    let export = app
        .get_page(&format!(
            "/instances/{}/messages?topic=orders&range=1h&format=json",
            app.id()
        ))
        .await;
    assert!(!export.body.contains("4111"));

    // An operator sees bodies without revealing anything.
    let operator = app.new_browser();
    operator.login_as("operator").await;
    let open = operator.get_page(&path).await;
    assert!(open.text("#body-text").contains("4111-1111"));
}

#[tokio::test]
async fn exports_can_be_switched_off_for_a_role() {
    let app = messages_app_with("viewer", |settings| {
        settings.messages.export_roles = vec!["admin".into()];
    })
    .await;
    app.dead_letters(1).await;
    let page = app.get_page(&dlq_path(&app)).await;
    assert!(!page.has("#export-selected-json"));
    assert!(!page.has("a.export-csv"));
    let refused = app
        .get_page(&format!("{}&format=csv", dlq_path(&app)))
        .await;
    refused.assert_status(403);
    assert!(
        refused
            .text(".error-card .message")
            .contains("Exports are switched off")
    );
}
