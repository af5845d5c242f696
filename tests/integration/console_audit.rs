//! Audited instance changes (restart, edit, delete): one record each with who, from where,
//! what, on what, the outcome and the DMS request id; the intent written before the call and
//! the action refused when it cannot be; the audit page's filters and CSV export.

use std::time::Duration;

use serde_json::json;

use crate::support::calls::is_request_id;
use crate::support::console::{TestApp, spawn_app};

/// The audit log as CSV records (header → value maps), fetched by `app`'s browser.
pub(crate) async fn audit_csv(
    app: &TestApp,
    query: &str,
) -> Vec<std::collections::BTreeMap<String, String>> {
    let query = match query.strip_prefix('?') {
        Some(rest) => format!("?{rest}&format=csv"),
        None => format!("?format=csv{query}"),
    };
    let page = app.get_page(&format!("/audit{query}")).await;
    page.assert_status(200);
    assert_eq!(page.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(
        page.header("content-disposition"),
        Some("attachment; filename=\"dms-console-audit.csv\"")
    );
    let mut rows = crate::support::csv::rows(&page.body).into_iter();
    let header = rows.next().expect("a header line");
    assert_eq!(
        header,
        [
            "id",
            "time_utc",
            "actor",
            "role",
            "client",
            "action",
            "operation",
            "target",
            "params",
            "outcome",
            "detail",
            "request_id"
        ]
    );
    rows.map(|row| header.iter().cloned().zip(row).collect())
        .collect()
}

async fn admin_with_instance() -> (TestApp, String) {
    let app = spawn_app().await;
    let id = app.create_instance("orders-prod");
    app.login_as("admin").await.assert_redirect("/instances");
    (app, id)
}

/// `YYYY-MM-DD` of now plus `days`, UTC.
pub(crate) fn date(days: i64) -> String {
    let now = dms_console::signing::SdkDate::now().unix_seconds();
    let text = dms_console::signing::SdkDate::from_unix(now + days * 86_400).to_string();
    format!("{}-{}-{}", &text[0..4], &text[4..6], &text[6..8])
}

#[tokio::test]
async fn a_restart_writes_one_record_with_the_outcome_and_the_dms_request_id() {
    let (app, id) = admin_with_instance().await;
    app.submit(&format!("/instances/{id}/restart"), &[])
        .await
        .assert_redirect(&format!("/instances/{id}"));
    let records = audit_csv(&app, "").await;
    assert_eq!(records.len(), 1, "{records:?}");
    let r = &records[0];
    assert_eq!(r["actor"], "admin");
    assert_eq!(r["role"], "admin");
    assert_eq!(r["client"], "127.0.0.1");
    assert_eq!(r["action"], "dms:instance:modify");
    assert_eq!(r["operation"], "RestartInstance");
    assert_eq!(r["target"], format!("instance/{id}"));
    assert_eq!(r["outcome"], "ok");
    assert_eq!(r["detail"], "");
    assert!(is_request_id(&r["request_id"]), "{r:?}");
    assert!(r["time_utc"].ends_with('Z'), "{r:?}");

    // The page shows the same record.
    let page = app.get_page("/audit").await;
    page.assert_status(200);
    assert_eq!(page.count("#audit-table tbody tr"), 1);
    assert_eq!(page.text("#audit-table tbody tr td:nth-child(2)"), "admin");
    assert_eq!(page.text(".outcome"), "ok");
    assert_eq!(
        page.text("#audit-table tbody tr td:nth-child(8)"),
        r["request_id"]
    );

    // The emulator did restart it.
    let dashboard = app.get_page(&format!("/instances/{id}")).await;
    assert!(["RESTARTING", "RUNNING"].contains(&dashboard.text("#instance-status").as_str()));
}

#[tokio::test]
async fn a_restart_that_dms_refuses_is_recorded_as_failed_with_the_code() {
    let (app, id) = admin_with_instance().await;
    app.set_faults(json!([{
        "method": "POST",
        "path": "/v2/*/*/instances/*/restart",
        "error_rate": 1.0,
        "status": 400,
        "error_code": "DMS.00400026"
    }]))
    .await;
    let page = app.submit(&format!("/instances/{id}/restart"), &[]).await;
    assert!(page.status >= 400, "{}", page.status);
    assert_eq!(
        page.text(".error-card .title"),
        "Restarting the instance failed"
    );
    assert_eq!(page.text(".error-card .error-code"), "DMS.00400026");
    let shown_request_id = page.text(".error-card .request-id");

    let records = audit_csv(&app, "").await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["outcome"], "failed");
    assert_eq!(records[0]["detail"], "DMS.00400026");
    assert_eq!(records[0]["request_id"], shown_request_id);

    // The page offers the form again with a new operation id: a retry is a new change.
    let retry_op = page
        .attr("input[name=op]", "value")
        .expect("a new operation id");
    let htmx = app
        .post_fragment(&format!("/instances/{id}/restart"), &[("op", &retry_op)])
        .await;
    // htmx swaps the form with its error card in place: 200, the real status in a header.
    htmx.assert_status(200);
    assert_eq!(htmx.header("x-console-error-status"), Some("422"));
    assert_eq!(htmx.text(".error-card .error-code"), "DMS.00400026");
    assert_eq!(audit_csv(&app, "").await.len(), 2);
}

#[tokio::test]
async fn the_intent_is_recorded_before_the_call_and_completed_after_it() {
    let (app, id) = admin_with_instance().await;
    app.set_faults(json!([{
        "method": "POST",
        "path": "/v2/*/*/instances/*/restart",
        "latency_ms": 1500
    }]))
    .await;
    let browser = app.browser.clone();
    let path = format!("/instances/{id}/restart");
    browser.csrf().await;
    let op = browser.op_id(&path).await;
    let restart = tokio::spawn(async move { browser.post_form(&path, &[("op", &op)]).await });
    tokio::time::sleep(Duration::from_millis(600)).await;
    let pending: Vec<(String, String)> = {
        let db = app.audit_db();
        let mut statement = db
            .prepare("SELECT operation, outcome FROM audit ORDER BY id")
            .unwrap();
        statement
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(
        pending,
        [("RestartInstance".to_owned(), "pending".to_owned())],
        "the intent is on record while DMS is still working"
    );
    restart
        .await
        .unwrap()
        .assert_redirect(&format!("/instances/{id}"));
    let records = audit_csv(&app, "").await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["outcome"], "ok");
}

#[tokio::test]
async fn when_the_audit_log_cannot_record_the_action_is_refused_before_dms() {
    let (app, id) = admin_with_instance().await;
    app.csrf().await;
    let path = format!("/instances/{id}/restart");
    let op = app.op_id(&path).await;
    app.audit_db().execute_batch("DROP TABLE audit").unwrap();
    let before = app.emulator_requests();
    let page = app.post_form(&path, &[("op", &op)]).await;
    page.assert_status(503);
    assert!(
        page.text(".error-card .message")
            .contains("the audit log is unavailable"),
        "{}",
        page.body
    );
    assert!(
        page.text(".error-card .message")
            .contains("not carried out")
    );
    assert_eq!(app.emulator_requests(), before, "nothing reached DMS");
    let dashboard = app.get_page(&format!("/instances/{id}")).await;
    assert_eq!(dashboard.text("#instance-status"), "RUNNING");
}

#[tokio::test]
async fn an_edit_is_validated_then_audited_with_its_parameters() {
    let (app, id) = admin_with_instance().await;
    let form = app.get_page(&format!("/instances/{id}/edit")).await;
    form.assert_status(200);
    assert_eq!(
        form.attr("input[name=name]", "value").as_deref(),
        Some("orders-prod")
    );

    app.csrf().await;
    let invalid = app
        .post_form(
            &format!("/instances/{id}/edit"),
            &[("name", "x"), ("description", ""), ("step", "preview")],
        )
        .await;
    invalid.assert_status(422);
    assert_eq!(
        invalid.text("#error-name"),
        "1 character is not allowed: 4 to 64 characters, starting with a letter, then letters, digits and -."
    );
    // What was typed stays in the form.
    assert_eq!(
        invalid.attr("input[name=name]", "value").as_deref(),
        Some("x")
    );
    assert!(audit_csv(&app, "").await.is_empty());

    // The preview says what will change and sends nothing.
    let preview = app
        .post_form(
            &format!("/instances/{id}/edit"),
            &[
                ("name", "orders-main"),
                ("description", "nightly batch"),
                ("step", "preview"),
                ("op", &form.attr("input[name=op]", "value").unwrap()),
            ],
        )
        .await;
    preview.assert_status(200);
    assert_eq!(
        preview.texts("#change-preview tr.changed td"),
        ["orders-prod", "orders-main", "", "nightly batch"]
    );
    assert!(audit_csv(&app, "").await.is_empty());

    app.submit_change(
        &format!("/instances/{id}/edit"),
        &format!("/instances/{id}/edit"),
        &[("name", "orders-main"), ("description", "nightly batch")],
    )
    .await
    .assert_redirect(&format!("/instances/{id}"));
    let records = audit_csv(&app, "").await;
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(r["operation"], "UpdateInstance");
    assert_eq!(r["action"], "dms:instance:modify");
    assert_eq!(r["target"], format!("instance/{id}"));
    assert_eq!(r["outcome"], "ok");
    let params: serde_json::Value = serde_json::from_str(&r["params"]).unwrap();
    assert_eq!(
        params,
        json!({
            "name": {"before": "orders-prod", "after": "orders-main"},
            "description": {"before": "", "after": "nightly batch"}
        })
    );
    let dashboard = app.get_page(&format!("/instances/{id}")).await;
    assert_eq!(dashboard.text("#dashboard h1"), "orders-main");
}

#[tokio::test]
async fn a_delete_needs_the_name_typed_and_is_audited() {
    let (app, id) = admin_with_instance().await;
    let form = app.get_page(&format!("/instances/{id}/delete")).await;
    form.assert_status(200);
    assert_eq!(form.text("#delete-instance h1"), "Delete orders-prod");

    let delete = format!("/instances/{id}/delete");
    let wrong = app.submit(&delete, &[("confirm", "orders")]).await;
    wrong.assert_status(422);
    assert_eq!(
        wrong.text("#error-confirm"),
        "Type orders-prod exactly to confirm."
    );
    assert!(audit_csv(&app, "").await.is_empty());

    app.submit(&delete, &[("confirm", "orders-prod")])
        .await
        .assert_redirect("/instances");
    let records = audit_csv(&app, "").await;
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(r["operation"], "DeleteInstance");
    assert_eq!(r["action"], "dms:instance:delete");
    assert_eq!(r["target"], format!("instance/{id}"));
    assert_eq!(r["outcome"], "ok");
    assert!(is_request_id(&r["request_id"]));
}

/// Creates three instances and records four audited actions: the admin restarts the first two
/// and renames the first; another identity, an access key (admin by default), restarts the
/// third. Returns the three instance ids.
pub(crate) async fn four_audited_actions(app: &TestApp) -> [String; 3] {
    let a = app.create_instance("orders-prod");
    let b = app.create_instance("billing-prod");
    let c = app.create_instance("payments-prod");
    app.login_as("admin").await.assert_redirect("/instances");
    for id in [&a, &b] {
        app.submit(&format!("/instances/{id}/restart"), &[])
            .await
            .assert_status(303);
    }
    app.submit(
        &format!("/instances/{a}/edit"),
        &[("name", "orders-main"), ("description", "")],
    )
    .await
    .assert_status(303);
    let other = app.new_browser();
    other
        .login_access_key(
            crate::support::emulator::AK,
            crate::support::emulator::SK,
            crate::support::emulator::PROJECT,
        )
        .await
        .assert_status(303);
    other
        .submit(&format!("/instances/{c}/restart"), &[])
        .await
        .assert_status(303);
    [a, b, c]
}

/// The CSV export of the restarts since `today` holds one row per instance of `ids`.
pub(crate) async fn assert_restarts_exported(app: &TestApp, ids: &[String; 3], today: &str) {
    let exported = audit_csv(app, &format!("?action=RestartInstance&from={today}")).await;
    assert_eq!(exported.len(), 3);
    assert!(exported.iter().all(|r| r["operation"] == "RestartInstance"));
    let mut targets: Vec<&str> = exported.iter().map(|r| r["target"].as_str()).collect();
    targets.sort();
    let mut expected: Vec<String> = ids.iter().map(|id| format!("instance/{id}")).collect();
    expected.sort();
    assert_eq!(targets, expected);
}

#[tokio::test]
async fn the_audit_page_filters_by_user_action_target_and_time_and_exports_them() {
    let app = spawn_app().await;
    let ids = four_audited_actions(&app).await;
    let [a, b, _] = &ids;

    let rows = |page: &crate::support::console::Page| page.count("#audit-table tbody tr");
    assert_eq!(rows(&app.get_page("/audit").await), 4);
    assert_eq!(rows(&app.get_page("/audit?user=admin").await), 3);
    assert_eq!(
        rows(
            &app.get_page(&format!("/audit?user={}", crate::support::emulator::AK))
                .await
        ),
        1
    );
    assert_eq!(
        rows(&app.get_page("/audit?action=RestartInstance").await),
        3
    );
    assert_eq!(
        rows(&app.get_page("/audit?action=dms:instance:modify").await),
        4
    );
    assert_eq!(rows(&app.get_page(&format!("/audit?target={b}")).await), 1);
    assert_eq!(rows(&app.get_page("/audit?action=UpdateInstance").await), 1);
    assert_eq!(
        rows(
            &app.get_page(&format!("/audit?user=admin&action=restart&target={a}"))
                .await
        ),
        1
    );
    let nobody = app.get_page("/audit?user=nobody").await;
    nobody.assert_status(200);
    assert_eq!(
        nobody.text("#list-empty"),
        "No audit record matches these filters."
    );
    assert!(!nobody.has("#audit-table"));

    // Time: today matches, tomorrow onwards and up to yesterday do not.
    let today = date(0);
    assert_eq!(
        rows(
            &app.get_page(&format!("/audit?from={today}&to={today}"))
                .await
        ),
        4
    );
    assert_eq!(
        rows(&app.get_page(&format!("/audit?from={}", date(1))).await),
        0
    );
    assert_eq!(
        rows(&app.get_page(&format!("/audit?to={}", date(-1))).await),
        0
    );
    let bad = app.get_page("/audit?from=yesterday").await;
    bad.assert_status(422);
    assert!(bad.text("#error-from").contains("is not a date"));

    // The export link carries the filters, and the export holds the filtered rows.
    let filtered = app
        .get_page(&format!("/audit?action=RestartInstance&from={today}"))
        .await;
    assert_eq!(
        filtered.attr(".export-csv", "href"),
        Some(format!(
            "/audit?action=RestartInstance&from={today}&format=csv"
        ))
    );
    assert_eq!(
        filtered.attr(".export-json", "href"),
        Some(format!(
            "/audit?action=RestartInstance&from={today}&format=json"
        ))
    );
    assert_restarts_exported(&app, &ids, &today).await;
    assert_eq!(audit_csv(&app, "?user=nobody").await.len(), 0);

    // A date that cannot be read exports nothing rather than everything.
    let refused = app.get_page("/audit?from=yesterday&format=csv").await;
    refused.assert_status(400);
    assert!(
        refused
            .text(".error-card .message")
            .starts_with("Nothing was exported: yesterday is not a date"),
        "{}",
        refused.body
    );
    assert!(!refused.body.contains("RestartInstance"));
}

#[tokio::test]
async fn viewers_and_operators_cannot_read_the_audit_log() {
    let app = spawn_app().await;
    for role in ["viewer", "operator"] {
        let browser = app.new_browser();
        browser.login_as(role).await.assert_redirect("/instances");
        for path in ["/audit", "/audit?format=csv", "/audit?user=admin"] {
            let page = browser.get_page(path).await;
            page.assert_status(403);
            assert!(
                page.text(".error-card .message")
                    .contains("console:audit:read")
            );
        }
        let instances = browser.get_page("/instances").await;
        assert!(
            !instances.has("a[href='/audit']"),
            "{role} has no audit link"
        );
    }
}
