//! Consumer groups in the console: the groups tab (paging, the API's filter, figures filled in
//! as they are read, sorting once complete, export), the group page, create, edit, delete,
//! batch changes with one item failing upstream, offset resets by time, earliest and latest,
//! 5.x against 4.8.0, unknown outcomes, the per-view deadline, throttling, the attention panel
//! sharing the groups tab's lag figures, and what a viewer sees.

use std::time::Duration;

use dms_console::emulator::plane::{self, ClientInfo, NewMessage, PlaneFixture};
use dms_console::web::time::Zone;
use serde_json::json;

use crate::support::console::{Page, TestApp, spawn_app};
use crate::support::emulator::PROJECT;

/// Messages stored in `orders`, one a minute, the last a minute ago (on a minute boundary).
const ORDERS: usize = 40;
/// Of which `GID_orders` has consumed this many.
const CONSUMED: usize = 30;

/// An emulator with a plane fixture of `version` and figures to show: `GID_orders` lags by 10
/// on `orders` and has two clients that agree; `GID_payments` consumed everything of
/// `payments` and has two clients that disagree; `GID_audit` never consumed and is offline.
/// Returns the app, the fixture and the store time of the first `orders` message.
async fn groups_app(version: &str, role: &str) -> (TestApp, PlaneFixture, i64) {
    let app = spawn_app().await;
    let emulator = &app.emulator.running.emulator;
    let fixture = emulator.seed_plane_fixture(PROJECT, version);
    let id = fixture.instance_id.clone();
    let now = dms_console::clock::now_ms();
    let first = (now / 60_000 - ORDERS as i64) * 60_000;
    emulator
        .transact(PROJECT, |ctx| {
            let messages = |count: usize, key: &str| -> Vec<NewMessage> {
                (0..count)
                    .map(|i| NewMessage {
                        body: format!("{key} {i}").into_bytes(),
                        keys: format!("{key}-{i}"),
                        store_ms: Some(first + i as i64 * 60_000),
                        ..NewMessage::default()
                    })
                    .collect()
            };
            plane::produce_batch(ctx, &id, "orders", messages(ORDERS, "order"))?;
            plane::produce_batch(ctx, &id, "payments", messages(10, "payment"))?;
            plane::consume(ctx, &id, "GID_orders", "orders", CONSUMED, |_| false)?;
            plane::consume(ctx, &id, "GID_payments", "payments", 100, |_| false)?;
            for (group, client) in [
                ("GID_orders", ClientInfo::java("10.0.0.1", 101, &["orders"])),
                ("GID_orders", ClientInfo::java("10.0.0.2", 102, &["orders"])),
                ("GID_payments", ClientInfo::java("10.0.1.1", 201, &["payments"])),
                ("GID_payments", ClientInfo::java("10.0.1.2", 202, &["payments", "audit"])),
            ] {
                plane::register_client(ctx, &id, group, &client)?;
            }
            let user = json!({
                "access_key": "reader-app", "secret_key": "Reader_secret1", "white_remote_address": "",
                "admin": false, "default_topic_perm": "DENY", "default_group_perm": "DENY",
                "topic_perms": [], "group_perms": [{"name": "GID_orders", "perm": "SUB"}],
            });
            ctx.docs.put("user", &id, "reader-app", &user)?;
            Ok(())
        })
        .expect("the fixture's figures are written");
    app.login_as(role).await.assert_redirect("/instances");
    (app, fixture, first)
}

/// Gets `path` until the groups tab says every figure is read (at most 30 s).
async fn until_complete(app: &TestApp, path: &str) -> Page {
    for _ in 0..600 {
        let page = app.get_page(path).await;
        page.assert_status(200);
        if page.attr("#figures-status", "data-complete").as_deref() == Some("true") {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the figures of {path} never completed");
}

/// The cell `class` of the row of `group`.
fn cell(page: &Page, group: &str, class: &str) -> String {
    page.text(&format!("tr[data-group=\"{group}\"] td.{class}"))
}

/// The hidden `op` of a page's form.
fn op_of(page: &Page) -> String {
    page.attr("input[name=op]", "value")
        .unwrap_or_else(|| panic!("no operation id:\n{}", page.body))
}

/// The audit records of `operation` as (target, outcome).
fn audited(app: &TestApp, operation: &str) -> Vec<(String, String)> {
    app.audit_records(operation)
        .into_iter()
        .map(|r| (r.target, r.outcome))
        .collect()
}

#[tokio::test]
async fn the_groups_tab_answers_at_once_and_fills_in_every_groups_figures() {
    let (app, fixture, _) = groups_app("4.8.0", "operator").await;
    let id = &fixture.instance_id;
    // Every lag read takes a while: the page must not wait for them.
    app.add_fault(json!({"operation": "ShowConsumerListOrDetails", "latency_ms": 700}))
        .await;
    let path = format!("/instances/{id}/groups");
    let first = app.get_page(&path).await;
    first.assert_status(200);
    assert_eq!(
        first.texts("#group-table tbody tr td:nth-child(2) a"),
        ["GID_orders", "GID_payments", "GID_audit"]
    );
    assert_eq!(
        first.attr("#figures-status", "data-complete").as_deref(),
        Some("false")
    );
    assert!(first.has("#group-table td.lag.pending"), "{}", first.body);
    assert!(first.has("#figures-partial"));
    assert_eq!(
        first.attr("#group-list", "hx-trigger").as_deref(),
        Some("every 1s")
    );
    // Sorting by lag waits for every figure.
    assert!(!first.has("#sort-lag a"));

    let page = until_complete(&app, &path).await;
    assert!(!page.has("#group-list[hx-trigger]"), "complete: no polling");
    assert!(!page.has("#figures-partial"));
    assert!(
        page.text("#figures-status")
            .starts_with("Lag figures as of")
    );
    assert_eq!(cell(&page, "GID_orders", "lag"), "10");
    assert!(!page.attrs("tr[data-group=\"GID_orders\"] td.behind", "data-behind")[0].is_empty());
    assert_eq!(cell(&page, "GID_orders", "clients"), "online 2");
    assert_eq!(cell(&page, "GID_orders", "consistency"), "consistent");
    assert_eq!(cell(&page, "GID_payments", "lag"), "0");
    assert_eq!(cell(&page, "GID_payments", "behind"), "up to date");
    assert_eq!(cell(&page, "GID_payments", "consistency"), "inconsistent");
    assert_eq!(cell(&page, "GID_audit", "clients"), "offline");
    assert_eq!(
        page.attr("tr[data-group=\"GID_orders\"] td:nth-child(2) a", "href"),
        Some(format!("/instances/{id}/groups/GID_orders"))
    );
    assert!(page.text("#group-quota").contains("can still be created"));

    // The API's name filter, and its paging.
    let filtered = app.get_page(&format!("{path}?group=pay")).await;
    assert_eq!(
        filtered.texts("#group-table tbody tr td:nth-child(2) a"),
        ["GID_payments"]
    );
    assert_eq!(cell(&filtered, "GID_payments", "lag"), "0");
    let paged = app.get_page(&format!("{path}?limit=1&offset=1")).await;
    assert_eq!(
        paged.texts("#group-table tbody tr td:nth-child(2) a"),
        ["GID_payments"]
    );
    assert_eq!(paged.text("#list-count"), "Showing 2–2 of 3");
    let none = app.get_page(&format!("{path}?group=nothing-like-it")).await;
    assert_eq!(
        none.text("#list-empty"),
        "No consumer group matches this filter. Clear it to see every group."
    );
}

#[tokio::test]
async fn once_complete_the_list_sorts_by_lag_and_by_behind() {
    let (app, fixture, _) = groups_app("4.8.0", "operator").await;
    let id = &fixture.instance_id;
    app.add_fault(json!({"operation": "ShowConsumerListOrDetails", "latency_ms": 500}))
        .await;
    // Asked before the figures are in: DMS's order meanwhile, and the page polls.
    let early = app
        .get_page(&format!("/instances/{id}/groups?sort=lag&dir=asc"))
        .await;
    assert!(early.has("#sort-waiting"), "{}", early.body);
    assert!(early.has("#group-list[hx-trigger]"));
    let sorted = until_complete(&app, &format!("/instances/{id}/groups?sort=lag&dir=desc")).await;
    assert!(!sorted.has("#sort-waiting"));
    assert_eq!(
        sorted.texts("#group-table tbody tr td:nth-child(2) a")[0],
        "GID_orders"
    );
    assert_eq!(
        sorted.attr("#sort-lag", "aria-sort").as_deref(),
        Some("descending")
    );
    let lags: Vec<i64> = sorted
        .attrs("#group-table td.lag", "data-lag")
        .iter()
        .map(|l| l.parse().unwrap())
        .collect();
    assert!(lags.windows(2).all(|w| w[0] >= w[1]), "{lags:?}");
    let behind = app
        .get_page(&format!("/instances/{id}/groups?sort=behind&dir=desc"))
        .await;
    assert_eq!(
        behind.texts("#group-table tbody tr td:nth-child(2) a")[0],
        "GID_orders"
    );
    // The whole list exports with its figures.
    let csv = app
        .get_page(&format!(
            "/instances/{id}/groups?sort=lag&dir=desc&format=csv"
        ))
        .await;
    csv.assert_status(200);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert!(
        lines[0].starts_with("name,description,enabled"),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("GID_orders,"), "{}", lines[1]);
    assert!(lines[1].contains(",10,"), "{}", lines[1]);
    assert_eq!(lines.len(), 4);
}

#[tokio::test]
async fn the_group_page_shows_offsets_per_topic_and_queue_clients_and_users() {
    let (app, fixture, _) = groups_app("4.8.0", "viewer").await;
    let id = &fixture.instance_id;
    let page = app
        .get_page(&format!("/instances/{id}/groups/GID_orders"))
        .await;
    page.assert_status(200);
    assert_eq!(page.text("#group h1"), "GID_orders");
    assert_eq!(page.text("#group-retries"), "2");
    assert_eq!(page.text("#group-brokers"), "broker-0broker-1");
    assert_eq!(
        page.text("tr[data-topic=orders] td.lag"),
        (ORDERS - CONSUMED).to_string()
    );
    assert_eq!(page.text("#total-lag"), "10");
    assert_eq!(page.text("#total-consumer-offset"), CONSUMED.to_string());
    assert_eq!(page.text("#total-broker-offset"), ORDERS.to_string());
    assert_eq!(
        page.count(".queue-table tbody tr"),
        8,
        "four queues on two brokers"
    );
    assert_eq!(
        page.text("#group-online"),
        "online 2 clients · subscriptions agree"
    );
    assert_eq!(page.count("#client-table tbody tr"), 2);
    assert!(page.text("#client-table").contains("10.0.0.1@101"));
    assert!(page.text("#client-table").contains("V4_8_0"));
    assert!(page.text("#client-table").contains("orders: *"));
    assert_eq!(page.text("tr[data-user=reader-app] td:nth-child(2)"), "SUB");
    assert_eq!(
        page.attr("#group-dlq", "href"),
        Some(format!("/instances/{id}/dlq?group=GID_orders"))
    );
    assert!(!page.has("#group-partial"));
    // Subscriptions that differ are said so; a group without topics says how to start one.
    let payments = app
        .get_page(&format!("/instances/{id}/groups/GID_payments"))
        .await;
    assert!(
        payments
            .text("#group-consistency")
            .contains("subscriptions differ")
    );
    let audit = app
        .get_page(&format!("/instances/{id}/groups/GID_audit"))
        .await;
    assert!(audit.has("#group-no-topics"));
    assert_eq!(audit.text("#group-online"), "offline");
    // No such group: the console's 404.
    let missing = app
        .get_page(&format!("/instances/{id}/groups/GID_missing"))
        .await;
    missing.assert_status(404);
    assert!(missing.text(".error-card .message").contains("GID_missing"));
}

#[tokio::test]
async fn a_page_that_waits_past_its_deadline_shows_what_it_has_marked_partial() {
    let (app, fixture, _) = groups_app("4.8.0", "viewer").await;
    let id = &fixture.instance_id;
    app.add_fault(json!({
        "operation": "ShowConsumerListOrDetails", "path": "/v2/*/instances/*/groups/GID_orders/topics",
        "latency_ms": 6000, "count": 2
    }))
    .await;
    let page = app
        .get_page(&format!("/instances/{id}/groups/GID_orders"))
        .await;
    page.assert_status(200);
    assert!(page.has("#group-partial"), "{}", page.body);
    // The rest of the page is there.
    assert_eq!(page.count("#client-table tbody tr"), 2);
    assert_eq!(page.text("#group h1"), "GID_orders");
}

#[tokio::test]
async fn creating_a_group_differs_between_4_8_0_and_5_x_and_is_sent_once() {
    let (app, fixture, _) = groups_app("4.8.0", "operator").await;
    let id = &fixture.instance_id;
    let form_path = format!("/instances/{id}/new-group");
    let form = app.get_page(&form_path).await;
    form.assert_status(200);
    assert_eq!(
        form.attrs("input[name=brokers]", "value"),
        ["broker-0", "broker-1"]
    );
    assert!(!form.has("input[name=consume_orderly]"));
    // The first post previews; nothing is sent.
    let op = op_of(&form);
    app.reset_requests().await;
    let preview = app
        .post_form(
            &form_path,
            &[
                ("name", "GID_billing"),
                ("group_desc", "Billing"),
                ("retry_max_time", "5"),
                ("enabled", "on"),
                ("brokers", "broker-1"),
                ("op", &op),
                ("step", "preview"),
            ],
        )
        .await;
    preview.assert_status(200);
    assert!(preview.has("#change-preview"));
    assert!(
        !app.operation_counts()
            .await
            .contains_key("CreateConsumerGroupOrBatchDeleteConsumerGroup")
    );
    let fields = [
        ("name", "GID_billing"),
        ("group_desc", "Billing"),
        ("retry_max_time", "5"),
        ("enabled", "on"),
        ("brokers", "broker-1"),
        ("op", op.as_str()),
        ("step", "confirm"),
    ];
    let created = app.post_form(&form_path, &fields).await;
    created.assert_redirect(&format!("/instances/{id}/groups/GID_billing"));
    let again = app.post_form(&form_path, &fields).await;
    again.assert_status(409);
    assert_eq!(
        app.operation_counts().await["CreateConsumerGroupOrBatchDeleteConsumerGroup"],
        1,
        "sent once"
    );
    let group = app
        .emulator
        .client()
        .show_consumer_group(id, "GID_billing")
        .await
        .unwrap()
        .into_inner();
    assert_eq!(group.brokers, ["broker-1"]);
    assert_eq!(group.retry_max_time, 5);
    assert_eq!(
        audited(&app, "CreateConsumerGroup"),
        [(format!("instance/{id}/group/GID_billing"), "ok".to_owned())]
    );
    // The new group is on the list at once (the console's change dropped the cached lists).
    let list = app.get_page(&format!("/instances/{id}/groups")).await;
    assert!(list.has("tr[data-group=GID_billing]"));

    // On 5.x: orderly consumption instead of brokers.
    let five = app
        .emulator
        .running
        .emulator
        .seed_plane_fixture(PROJECT, "5.x");
    let five_form = format!("/instances/{}/new-group", five.instance_id);
    let form = app.get_page(&five_form).await;
    assert!(form.has("input[name=consume_orderly]"));
    assert!(!form.has("input[name=brokers]"));
    app.submit(
        &five_form,
        &[
            ("name", "GID_ordered"),
            ("retry_max_time", "16"),
            ("enabled", "on"),
            ("consume_orderly", "on"),
        ],
    )
    .await
    .assert_redirect(&format!(
        "/instances/{}/groups/GID_ordered",
        five.instance_id
    ));
    let ordered = app
        .emulator
        .client()
        .show_consumer_group(&five.instance_id, "GID_ordered")
        .await
        .unwrap()
        .into_inner();
    assert!(ordered.consume_orderly);
    assert!(ordered.brokers.is_empty());
    let page = app
        .get_page(&format!(
            "/instances/{}/groups/GID_ordered",
            five.instance_id
        ))
        .await;
    assert_eq!(page.text("#group-orderly"), "yes");
    assert!(!page.has("#group-brokers"));
}

#[tokio::test]
async fn validation_errors_show_next_to_the_field_that_caused_them() {
    let (app, fixture, _) = groups_app("4.8.0", "operator").await;
    let id = &fixture.instance_id;
    let path = format!("/instances/{id}/new-group");
    app.reset_requests().await;
    let local = app
        .submit(
            &path,
            &[
                ("name", "x"),
                ("retry_max_time", "20"),
                ("brokers", "broker-0"),
            ],
        )
        .await;
    local.assert_status(422);
    assert!(local.text("#error-name").contains("is not allowed"));
    assert_eq!(
        local.text("#error-retry_max_time"),
        "Enter a whole number from 1 to 16."
    );
    let no_broker = app
        .submit(&path, &[("name", "GID_new"), ("retry_max_time", "3")])
        .await;
    assert_eq!(
        no_broker.text("#error-brokers"),
        "Choose at least one broker."
    );
    assert!(
        !app.operation_counts()
            .await
            .contains_key("CreateConsumerGroupOrBatchDeleteConsumerGroup"),
        "nothing invalid reached DMS"
    );
    // DMS's own refusal: a group that exists already.
    let taken = app
        .submit(
            &path,
            &[
                ("name", "GID_orders"),
                ("retry_max_time", "3"),
                ("brokers", "broker-0"),
            ],
        )
        .await;
    taken.assert_status(422);
    assert!(
        taken
            .text("#error-name")
            .contains("(error code DMS.10240018)"),
        "{}",
        taken.body
    );
    assert_eq!(taken.text(".error-card .error-code"), "DMS.10240018");
    assert_eq!(
        taken.attr("#f-name", "value").as_deref(),
        Some("GID_orders")
    );
    assert_eq!(
        audited(&app, "CreateConsumerGroup"),
        [(
            format!("instance/{id}/group/GID_orders"),
            "failed".to_owned()
        )]
    );
}

#[tokio::test]
async fn editing_a_group_previews_its_impact_and_saves_once() {
    let (app, fixture, _) = groups_app("4.8.0", "operator").await;
    let id = &fixture.instance_id;
    let path = format!("/instances/{id}/groups/GID_payments/edit");
    let form = app.get_page(&path).await;
    form.assert_status(200);
    assert_eq!(
        form.attr("#f-retry_max_time", "value").as_deref(),
        Some("16")
    );
    let op = op_of(&form);
    let preview = app
        .post_form(
            &path,
            &[
                ("retry_max_time", "4"),
                ("enabled", "on"),
                ("broadcast", "on"),
                ("brokers", "broker-0"),
                ("brokers", "broker-1"),
                ("op", &op),
                ("step", "preview"),
            ],
        )
        .await;
    preview.assert_status(200);
    assert_eq!(preview.text("#impact-clients"), "2 clients");
    assert_eq!(preview.text("#impact-lag"), "0");
    let changed: Vec<String> = preview.texts("#change-preview tr.changed th");
    assert_eq!(changed, ["Maximum retries", "Broadcast consumption"]);
    app.submit(
        &path,
        &[
            ("retry_max_time", "4"),
            ("enabled", "on"),
            ("broadcast", "on"),
            ("brokers", "broker-0,broker-1"),
        ],
    )
    .await
    .assert_redirect(&format!("/instances/{id}/groups/GID_payments"));
    let group = app
        .emulator
        .client()
        .show_consumer_group(id, "GID_payments")
        .await
        .unwrap()
        .into_inner();
    assert!(group.broadcast);
    assert_eq!(group.retry_max_time, 4);
    assert_eq!(audited(&app, "UpdateConsumerGroup").len(), 1);
}

#[tokio::test]
async fn deleting_a_group_shows_its_impact_and_needs_its_name_typed() {
    let (app, fixture, _) = groups_app("4.8.0", "operator").await;
    let id = &fixture.instance_id;
    let path = format!("/instances/{id}/groups/GID_orders/delete");
    let page = app.get_page(&path).await;
    page.assert_status(200);
    assert_eq!(page.text("#impact-clients"), "2 clients");
    assert_eq!(page.text("#impact-lag"), "10");
    assert!(page.has("#impact-online-warning"));
    app.reset_requests().await;
    let wrong = app.submit(&path, &[("confirm", "GID_order")]).await;
    wrong.assert_status(422);
    assert!(wrong.has("#error-confirm"));
    assert!(
        !app.operation_counts()
            .await
            .contains_key("DeleteConsumerGroup")
    );
    app.submit(&path, &[("confirm", "GID_orders")])
        .await
        .assert_redirect(&format!("/instances/{id}/groups"));
    app.get_page(&format!("/instances/{id}/groups/GID_orders"))
        .await
        .assert_status(404);
    assert_eq!(
        audited(&app, "DeleteConsumerGroup"),
        [(format!("instance/{id}/group/GID_orders"), "ok".to_owned())]
    );
}

#[tokio::test]
async fn a_batch_delete_reports_every_group_when_one_fails_upstream() {
    let (app, fixture, _) = groups_app("4.8.0", "operator").await;
    let id = &fixture.instance_id;
    let groups = format!("/instances/{id}/groups");
    let selection = [
        ("action", "delete"),
        ("groups", "GID_orders"),
        ("groups", "GID_payments"),
        ("groups", "GID_audit"),
    ];
    let preview = app.post_form(&groups, &selection).await;
    preview.assert_status(200);
    assert_eq!(preview.count("#batch-preview tbody tr"), 3);
    assert_eq!(
        preview.text("#batch-preview tr[data-group=GID_orders] td.clients"),
        "2 clients"
    );
    assert_eq!(
        preview.text("#batch-preview tr[data-group=GID_orders] td.lag"),
        "10"
    );
    assert_eq!(
        preview
            .attr("input[data-confirm]", "data-confirm")
            .as_deref(),
        Some("3")
    );
    let op = op_of(&preview);
    app.add_fault(json!({
        "operation": "DeleteConsumerGroup", "path": "/v2/*/instances/*/groups/GID_payments",
        "count": 1, "status": 500, "error_code": "DMS.00500000"
    }))
    .await;
    app.reset_requests().await;
    let mut fields = selection.to_vec();
    fields.extend([("op", op.as_str()), ("step", "confirm"), ("confirm", "3")]);
    let results = app.post_form(&groups, &fields).await;
    results.assert_status(502);
    assert_eq!(
        results.attrs("#batch-results tr", "data-outcome"),
        ["done", "failed", "done"]
    );
    assert_eq!(
        results.text("#batch-results tr[data-group=GID_payments] .error-code"),
        "DMS.00500000"
    );
    assert!(results.has("#batch-results tr[data-group=GID_payments] .request-id"));
    assert_eq!(results.text("#batch-summary"), "Done for 2 of 3.");
    assert_eq!(app.operation_counts().await["DeleteConsumerGroup"], 3);
    assert_eq!(
        audited(&app, "DeleteConsumerGroup")
            .into_iter()
            .map(|(_, outcome)| outcome)
            .collect::<Vec<_>>(),
        ["ok", "failed", "ok"]
    );
    let left = app
        .emulator
        .client()
        .show_consumer_group(id, "GID_payments")
        .await;
    assert!(left.is_ok(), "the failed group is still there");
    // The same form again sends nothing.
    app.reset_requests().await;
    let again = app.post_form(&groups, &fields).await;
    assert_eq!(
        again.attrs("#batch-results tr", "data-outcome"),
        ["not-sent", "not-sent", "not-sent"]
    );
    assert!(
        !app.operation_counts()
            .await
            .contains_key("DeleteConsumerGroup")
    );
}

#[tokio::test]
async fn a_batch_edit_previews_each_group_and_reports_an_unknown_outcome_as_such() {
    let (app, fixture, _) = groups_app("4.8.0", "operator").await;
    let id = &fixture.instance_id;
    let groups = format!("/instances/{id}/groups");
    let selection = [
        ("action", "edit"),
        ("groups", "GID_orders"),
        ("groups", "GID_audit"),
    ];
    let form = app.post_form(&groups, &selection).await;
    form.assert_status(200);
    assert!(form.has("select[name=enabled]"));
    let op = op_of(&form);
    let mut fields = selection.to_vec();
    fields.extend([
        ("op", op.as_str()),
        ("step", "preview"),
        ("enabled", "keep"),
    ]);
    let nothing = app.post_form(&groups, &fields).await;
    nothing.assert_status(422);
    assert_eq!(
        nothing.text("#error-form"),
        "Choose at least one setting to change."
    );
    let mut fields = selection.to_vec();
    fields.extend([
        ("op", op.as_str()),
        ("step", "preview"),
        ("enabled", "off"),
        ("retry_max_time", "7"),
    ]);
    let preview = app.post_form(&groups, &fields).await;
    preview.assert_status(200);
    assert!(
        preview
            .text("#batch-preview tr[data-group=GID_orders]")
            .contains("Maximum retries: 2 → 7"),
        "{}",
        preview.body
    );
    assert_eq!(
        preview.text("#batch-preview tr[data-group=GID_orders] td.clients"),
        "2 clients"
    );
    app.add_fault(json!({
        "operation": "UpdateConsumerGroup", "path": "/v2/*/instances/*/groups/GID_audit",
        "count": 1, "phase": "after", "connection": "truncate"
    }))
    .await;
    app.reset_requests().await;
    let mut fields = selection.to_vec();
    fields.extend([
        ("op", op.as_str()),
        ("step", "confirm"),
        ("enabled", "off"),
        ("retry_max_time", "7"),
    ]);
    let results = app.post_form(&groups, &fields).await;
    assert_eq!(
        results.attrs("#batch-results tr", "data-outcome"),
        ["done", "unknown"]
    );
    assert_eq!(
        results.attr(
            "#batch-results tr[data-group=GID_audit] a.check-state",
            "href"
        ),
        Some(format!("/instances/{id}/groups/GID_audit"))
    );
    assert_eq!(
        app.operation_counts().await["UpdateConsumerGroup"],
        2,
        "never repeated"
    );
    for name in ["GID_orders", "GID_audit"] {
        let group = app
            .emulator
            .client()
            .show_consumer_group(id, name)
            .await
            .unwrap()
            .into_inner();
        assert!(!group.enabled, "{name}");
        assert_eq!(group.retry_max_time, 7, "{name}");
    }
    assert_eq!(
        audited(&app, "UpdateConsumerGroup")
            .into_iter()
            .map(|(_, outcome)| outcome)
            .collect::<Vec<_>>(),
        ["ok", "unknown"]
    );
}

/// Previews and then carries out a reset of `GID_orders` on `orders` with `fields`; returns
/// the preview and the results.
async fn reset(app: &TestApp, id: &str, fields: &[(&str, &str)]) -> (Page, Page) {
    let path = format!("/instances/{id}/groups/GID_orders/reset");
    let op = app.op_id(&path).await;
    let mut all = fields.to_vec();
    all.extend([("op", op.as_str()), ("step", "preview")]);
    let preview = app.post_form(&path, &all).await;
    preview.assert_status(200);
    let mut all = fields.to_vec();
    all.extend([
        ("op", op.as_str()),
        ("step", "confirm"),
        ("confirm", "GID_orders"),
    ]);
    let results = app.post_form(&path, &all).await;
    (preview, results)
}

async fn orders_lag(app: &TestApp, id: &str) -> String {
    app.get_page(&format!("/instances/{id}/groups/GID_orders"))
        .await
        .text("tr[data-topic=orders] td.lag")
}

#[tokio::test]
async fn resetting_offsets_to_the_latest_the_earliest_or_a_time_changes_the_lag() {
    let (app, fixture, first) = groups_app("4.8.0", "operator").await;
    let id = &fixture.instance_id;
    app.set_cookie("dms-console-tz", Some("UTC"));
    let form = app
        .get_page(&format!("/instances/{id}/groups/GID_orders/reset"))
        .await;
    form.assert_status(200);
    assert_eq!(form.text("label[for=f-time]"), "Time, in UTC");
    assert_eq!(form.attrs("#f-topic option", "value"), ["*", "orders"]);

    let (preview, results) = reset(&app, id, &[("topic", "orders"), ("to", "latest")]).await;
    assert_eq!(
        preview
            .attr(".reset-plan .lag-change", "data-lag-before")
            .as_deref(),
        Some("10")
    );
    assert_eq!(
        preview
            .attr(".reset-plan .lag-change", "data-lag-after")
            .as_deref(),
        Some("0")
    );
    assert!(
        preview
            .text(".reset-plan .lag-change")
            .contains("(10 messages will be skipped)")
    );
    assert_eq!(
        preview.texts(".plan-queues td.offset-before").len(),
        8,
        "the offsets before, per queue"
    );
    results.assert_status(200);
    assert_eq!(
        results.attr(".reset-result", "data-outcome").as_deref(),
        Some("done")
    );
    assert_eq!(orders_lag(&app, id).await, "0");

    let (preview, _) = reset(&app, id, &[("topic", "*"), ("to", "earliest")]).await;
    assert_eq!(
        preview
            .attr(".reset-plan .lag-change", "data-lag-after")
            .as_deref(),
        Some(ORDERS.to_string().as_str())
    );
    assert!(
        preview
            .text(".reset-plan .lag-change")
            .contains("(40 messages will be consumed again)")
    );
    assert_eq!(orders_lag(&app, id).await, ORDERS.to_string());

    // A time, read in the reader's zone: the 26th message on.
    let at = first + 25 * 60_000;
    let local = Zone::utc().local_input(at);
    let (preview, _) = reset(
        &app,
        id,
        &[("topic", "orders"), ("to", "time"), ("time", &local)],
    )
    .await;
    assert!(
        preview
            .text("#reset-target")
            .contains(&Zone::utc().at(at).utc),
        "{}",
        preview.text("#reset-target")
    );
    assert_eq!(
        preview
            .attr(".reset-plan .lag-change", "data-lag-after")
            .as_deref(),
        Some((ORDERS - 25).to_string().as_str())
    );
    assert_eq!(orders_lag(&app, id).await, (ORDERS - 25).to_string());
    assert_eq!(
        audited(&app, "ResetConsumeOffset")
            .into_iter()
            .map(|(_, outcome)| outcome)
            .collect::<Vec<_>>(),
        ["ok", "ok", "ok"]
    );
    // The confirmation must be typed.
    let path = format!("/instances/{id}/groups/GID_orders/reset");
    let op = app.op_id(&path).await;
    let untyped = app
        .post_form(
            &path,
            &[
                ("topic", "orders"),
                ("to", "latest"),
                ("op", &op),
                ("step", "confirm"),
                ("confirm", "nope"),
            ],
        )
        .await;
    untyped.assert_status(422);
    assert!(untyped.has("#error-confirm"));
    assert_eq!(audited(&app, "ResetConsumeOffset").len(), 3);
}

#[tokio::test]
async fn a_reset_with_an_unknown_outcome_is_not_repeated_and_shows_the_current_offsets() {
    let (app, fixture, _) = groups_app("4.8.0", "operator").await;
    let id = &fixture.instance_id;
    app.add_fault(json!({
        "operation": "ResetConsumeOffset", "count": 1, "phase": "after", "connection": "truncate"
    }))
    .await;
    app.reset_requests().await;
    let (_, results) = reset(&app, id, &[("topic", "orders"), ("to", "latest")]).await;
    assert_eq!(
        results.attr(".reset-result", "data-outcome").as_deref(),
        Some("unknown")
    );
    assert!(results.has(".reset-result .error-card.outcome-unknown"));
    // What happened is read back: the offsets moved to the latest.
    let current = results.texts(".current-queues tbody tr td:nth-child(5)");
    assert_eq!(current.len(), 8);
    assert!(current.iter().all(|lag| lag == "0"), "{current:?}");
    assert_eq!(app.operation_counts().await["ResetConsumeOffset"], 1);
    assert_eq!(audited(&app, "ResetConsumeOffset")[0].1, "unknown");
}

#[tokio::test]
async fn a_reset_refused_for_its_topic_shows_the_refusal_next_to_the_field() {
    let (app, fixture, _) = groups_app("4.8.0", "operator").await;
    let id = &fixture.instance_id;
    let path = format!("/instances/{id}/groups/GID_audit/reset");
    let form = app.get_page(&path).await;
    assert_eq!(form.attrs("#f-topic option", "value"), ["*"]);
    let none = app
        .submit(
            &path,
            &[("topic", "*"), ("to", "latest"), ("confirm", "GID_audit")],
        )
        .await;
    none.assert_status(422);
    assert_eq!(
        none.text("#error-topic"),
        "The group consumes no topic yet: name another topic of the instance."
    );
    let refused = app
        .submit(
            &path,
            &[
                ("other_topic", "no-such-topic"),
                ("to", "earliest"),
                ("confirm", "GID_audit"),
            ],
        )
        .await;
    refused.assert_status(422);
    assert!(
        refused
            .text("#error-other_topic")
            .contains("(error code DMS.00400876)"),
        "{}",
        refused.body
    );
    // A new group starts on another topic of the instance.
    let started = app
        .submit(
            &path,
            &[
                ("other_topic", "orders"),
                ("to", "earliest"),
                ("confirm", "GID_audit"),
            ],
        )
        .await;
    started.assert_status(200);
    let page = app
        .get_page(&format!("/instances/{id}/groups/GID_audit"))
        .await;
    assert_eq!(
        page.text("tr[data-topic=orders] td.lag"),
        ORDERS.to_string()
    );
}

#[tokio::test]
async fn throttling_shrinks_the_budget_instead_of_failing_the_page() {
    let (app, fixture, _) = groups_app("4.8.0", "operator").await;
    let id = &fixture.instance_id;
    app.add_fault(json!({
        "operation": "ShowConsumerListOrDetails", "count": 3, "status": 429, "retry_after": "0"
    }))
    .await;
    let page = until_complete(&app, &format!("/instances/{id}/groups")).await;
    assert!(!page.has("td.failed"), "{}", page.body);
    assert_eq!(cell(&page, "GID_orders", "lag"), "10");
    let window: usize = page
        .attr("#budget-note", "data-window")
        .expect("the page says the console slowed down")
        .parse()
        .unwrap();
    assert!(window < dms_console::web::budget::INITIAL, "{window}");
    let faults = app.emulator.faults().await;
    assert_eq!(faults[0]["fired"], 3, "DMS throttled three calls");
}

#[tokio::test]
async fn the_attention_panel_shares_the_groups_tabs_figures_for_every_group() {
    let (app, fixture, _) = groups_app("4.8.0", "operator").await;
    let id = &fixture.instance_id;
    // More groups than the panel used to check; the last one lags most.
    let client = app.emulator.client();
    for n in 0..22 {
        client
            .create_consumer_group(
                id,
                &dms_console::api::models::groups::CreateConsumerGroupReq {
                    name: format!("GID_extra-{n:02}"),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }
    app.emulator
        .running
        .emulator
        .transact(PROJECT, |ctx| {
            plane::consume(ctx, id, "GID_extra-21", "orders", 5, |_| false).map(drop)
        })
        .unwrap();
    let panel = app
        .get_fragment(&format!("/instances/{id}/panels/attention?refresh=1"))
        .await;
    panel.assert_status(200);
    let panel = if panel.has("#panel-attention[aria-busy]") {
        let mut last = panel;
        for _ in 0..600 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            last = app
                .get_fragment(&format!("/instances/{id}/panels/attention"))
                .await;
            if !last.has("#panel-attention[aria-busy]") {
                break;
            }
        }
        last
    } else {
        panel
    };
    assert_eq!(
        panel
            .text("#attention-checked")
            .split(" · ")
            .next()
            .unwrap(),
        "Checked 25 of 25 consumer groups."
    );
    assert_eq!(
        panel.texts("#lagging-groups td:first-child"),
        ["GID_extra-21", "GID_orders"]
    );
    assert_eq!(
        panel.attr("#lagging-groups tr[data-group=GID_extra-21] a", "href"),
        Some(format!("/instances/{id}/groups/GID_extra-21"))
    );
    // The groups tab and the next panel read the same figures: no lag is read again.
    app.reset_requests().await;
    let tab = app
        .get_page(&format!("/instances/{id}/groups?sort=lag&dir=desc"))
        .await;
    assert_eq!(
        tab.attr("#figures-status", "data-complete").as_deref(),
        Some("true")
    );
    assert_eq!(
        tab.texts("#group-table tbody tr td:nth-child(2) a")[0],
        "GID_extra-21"
    );
    app.get_fragment(&format!("/instances/{id}/panels/attention"))
        .await
        .assert_status(200);
    let counts = app.operation_counts().await;
    assert!(
        !counts.contains_key("ShowConsumerListOrDetails"),
        "{counts:?}"
    );
    assert!(
        !counts.contains_key("ShowConsumerConnections"),
        "{counts:?}"
    );
    // Another credential never sees these figures: it reads its own.
    let other = app.new_browser();
    other
        .login_access_key(
            crate::support::emulator::AK,
            crate::support::emulator::SK,
            PROJECT,
        )
        .await
        .assert_redirect("/instances");
    other
        .get_fragment(&format!("/instances/{id}/panels/attention"))
        .await
        .assert_status(200);
    assert!(
        app.operation_counts()
            .await
            .contains_key("ShowConsumerListOrDetails")
    );
    // The console's own change drops the figures: the next view reads them again.
    app.reset_requests().await;
    app.submit(
        &format!("/instances/{id}/groups/GID_orders/reset"),
        &[
            ("topic", "orders"),
            ("to", "latest"),
            ("confirm", "GID_orders"),
        ],
    )
    .await
    .assert_status(200);
    let after = until_complete(&app, &format!("/instances/{id}/groups")).await;
    assert_eq!(cell(&after, "GID_orders", "lag"), "0");
}

#[tokio::test]
async fn a_group_whose_name_holds_percent_and_bar_has_its_own_page() {
    let (app, fixture, _) = groups_app("4.8.0", "viewer").await;
    let id = &fixture.instance_id;
    app.emulator
        .client()
        .create_consumer_group(
            id,
            &dms_console::api::models::groups::CreateConsumerGroupReq {
                name: "GID%odd|name".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let list = until_complete(&app, &format!("/instances/{id}/groups")).await;
    let href = list
        .attr("tr[data-group=\"GID%odd|name\"] td:nth-child(1) a", "href")
        .expect("a link");
    assert_eq!(href, format!("/instances/{id}/groups/GID%25odd%7Cname"));
    let page = app.get_page(&href).await;
    page.assert_status(200);
    assert_eq!(page.text("#group h1"), "GID%odd|name");
    assert_eq!(
        page.attr("#group-dlq", "href"),
        Some(format!("/instances/{id}/dlq?group=GID%25odd%7Cname"))
    );
}

#[tokio::test]
async fn a_viewer_sees_no_change_controls_and_cannot_change_anything() {
    let (app, fixture, _) = groups_app("4.8.0", "viewer").await;
    let id = &fixture.instance_id;
    let list = until_complete(&app, &format!("/instances/{id}/groups")).await;
    assert!(!list.has("#new-group"));
    assert!(!list.has("input[name=groups]"));
    assert!(!list.has("#batch-edit") && !list.has("#batch-delete"));
    let page = app
        .get_page(&format!("/instances/{id}/groups/GID_orders"))
        .await;
    assert!(!page.has("#group-edit") && !page.has("#group-delete") && !page.has("#group-reset"));
    assert!(
        page.has("#group-dlq"),
        "reading dead letters is not a change"
    );
    app.csrf().await;
    let before = app.emulator_requests();
    for path in [
        format!("/instances/{id}/new-group"),
        format!("/instances/{id}/groups/GID_orders/edit"),
        format!("/instances/{id}/groups/GID_orders/delete"),
        format!("/instances/{id}/groups/GID_orders/reset"),
    ] {
        app.get_page(&path).await.assert_status(403);
        app.post_form(&path, &[("confirm", "GID_orders")])
            .await
            .assert_status(403);
    }
    app.post_form(
        &format!("/instances/{id}/groups"),
        &[("action", "delete"), ("groups", "GID_orders")],
    )
    .await
    .assert_status(403);
    assert_eq!(app.emulator_requests(), before, "nothing reached DMS");
}
