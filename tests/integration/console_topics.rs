//! The topics tab and a topic's page against the emulator: paging, search across every topic
//! (the per-credential cache, its age, refresh, and partial lists past the deadline), counts
//! and quota, export; create, edit and delete with previews, validation next to the field and
//! DMS refusals too; 5.x against 4.8.0; batch delete and batch create from a file with a
//! result per topic; the test message; unknown outcomes; what a viewer sees.

use std::collections::BTreeSet;

use dms_console::api::DmsClient;
use dms_console::api::models::groups::CreateConsumerGroupReq;
use dms_console::api::models::messages::SendMessageRequest;
use dms_console::api::models::topics::CreateTopicReq;
use dms_console::api::models::users::{Permission as Perm, UserRequest};
use dms_console::emulator::instances::{InitialState, InstanceSpec, create_instance_document};
use dms_console::emulator::plane::{self, ClientInfo};
use dms_console::secret::Secret;
use serde_json::json;

use crate::support::console::{Page, TestApp, spawn_app};
use crate::support::emulator::{IAM_USER, OTHER_AK, OTHER_PROJECT, OTHER_SK, PROJECT};

/// An app with a RUNNING 4.8.0 instance and `role` signed in.
async fn app_as(role: &str) -> (TestApp, String) {
    let app = spawn_app().await;
    let id = app.create_instance("orders-prod");
    app.login_as(role).await.assert_redirect("/instances");
    (app, id)
}

/// Creates a RUNNING 5.x instance named `name`; returns its id.
pub fn create_5x(app: &TestApp, name: &str) -> String {
    let doc = app
        .emulator
        .running
        .emulator
        .transact(PROJECT, |ctx| {
            let spec = InstanceSpec {
                initial: InitialState::Running,
                ..InstanceSpec::new(name, "rocketmq.b2.large.4")
            };
            create_instance_document(ctx, PROJECT, &spec)
        })
        .expect("the 5.x instance is created");
    doc["instance_id"].as_str().unwrap().to_owned()
}

async fn create_topic(dms: &DmsClient, id: &str, name: &str, permission: Option<&str>) {
    dms.create_topic(
        id,
        &CreateTopicReq {
            name: name.to_owned(),
            permission: permission.map(str::to_owned),
            ..CreateTopicReq::default()
        },
    )
    .await
    .unwrap_or_else(|e| panic!("topic {name}: {e}"));
}

/// `count` topics `t-000`, `t-001`, …; every tenth publish-only.
async fn many_topics(app: &TestApp, id: &str, count: usize) {
    let dms = app.emulator.client();
    for n in 0..count {
        let permission = (n % 10 == 0).then_some("pub");
        create_topic(&dms, id, &format!("t-{n:03}"), permission).await;
    }
}

fn names(page: &Page) -> Vec<String> {
    page.attrs("#topic-table tbody tr", "data-topic")
}

async fn list_calls(app: &TestApp) -> u64 {
    app.operation_counts()
        .await
        .get("ListRocketInstanceTopics")
        .copied()
        .unwrap_or(0)
}

fn audit_rows(app: &TestApp, operation: &str) -> Vec<(String, String, String)> {
    app.audit_records(operation)
        .into_iter()
        .map(|r| (r.target, r.outcome, r.params))
        .collect()
}

#[tokio::test]
async fn the_tab_pages_live_and_searches_every_topic_from_the_cache_with_counts_and_quota() {
    let (app, id) = app_as("viewer").await;
    many_topics(&app, &id, 60).await;
    let base = format!("/instances/{id}/topics");

    let first = app.get_page(&base).await;
    first.assert_status(200);
    assert_eq!(names(&first).len(), 20);
    assert_eq!(first.text("#list-count"), "Showing 1–20 of 60");
    assert!(!first.has("#list-source"), "a live page has no cache label");
    assert_eq!(
        first.attr("#topic-summary", "hx-get").as_deref(),
        Some(format!("{base}?panel=summary").as_str())
    );
    let last = app.get_page(&format!("{base}?limit=20&offset=40")).await;
    assert_eq!(names(&last).first().map(String::as_str), Some("t-040"));

    let summary = app.get_fragment(&format!("{base}?panel=summary")).await;
    summary.assert_status(200);
    assert!(!summary.body.contains("<html"));
    assert_eq!(summary.text("#topic-total"), "60");
    assert!(summary.text("#topic-quota").contains("more can be created"));
    let permissions = summary.text("#topic-counts-permission");
    assert!(
        permissions.contains("Publish and subscribe 54"),
        "{permissions}"
    );
    assert!(permissions.contains("Publish only 6"), "{permissions}");

    // Search is across every topic, ignoring case, from the credential's cached list.
    app.reset_requests().await;
    let found = app.get_page(&format!("{base}?name=T-05")).await;
    found.assert_status(200);
    assert_eq!(
        names(&found),
        (50..60).map(|n| format!("t-0{n}")).collect::<Vec<_>>()
    );
    assert!(found.text("#list-source").contains("As of"));
    assert!(found.has("#list-refresh"));
    assert_eq!(
        list_calls(&app).await,
        0,
        "the summary's read served the search"
    );
    let again = app.get_page(&format!("{base}?name=t-04")).await;
    assert_eq!(names(&again).len(), 10);
    assert_eq!(list_calls(&app).await, 0, "still the cached list");
    let refreshed = app.get_page(&format!("{base}?name=t-04&refresh=1")).await;
    assert_eq!(names(&refreshed).len(), 10);
    assert_eq!(list_calls(&app).await, 2, "60 topics are two pages");
    // The refresh link is not part of the list's other links.
    assert!(
        !refreshed
            .attrs("a[rel=next], th a", "href")
            .iter()
            .any(|h| h.contains("refresh"))
    );

    let publish_only = app.get_page(&format!("{base}?perm=pub")).await;
    assert_eq!(names(&publish_only).len(), 6);
    let sorted = app.get_page(&format!("{base}?sort=name&dir=desc")).await;
    assert_eq!(names(&sorted)[0], "t-059");
    let nothing = app.get_page(&format!("{base}?name=zzz")).await;
    assert_eq!(nothing.text("#list-empty"), "No topic matches this search.");

    let csv = app.get_page(&format!("{base}?name=t-05&format=csv")).await;
    csv.assert_status(200);
    let lines: Vec<&str> = csv.body.trim_end().split("\r\n").collect();
    assert!(lines[0].starts_with("name,message_type,permission"));
    assert_eq!(lines.len(), 11);
    let everything = app.get_page(&format!("{base}?format=json")).await;
    let rows: serde_json::Value = serde_json::from_str(&everything.body).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 60);
}

#[tokio::test]
async fn creating_a_topic_checks_the_name_twice_previews_and_shows_it_at_once() {
    let (app, id) = app_as("operator").await;
    let form = format!("/instances/{id}/new-topic");
    let page = app.get_page(&form).await;
    page.assert_status(200);
    assert!(
        page.attr("#f-name", "pattern").is_some(),
        "the browser checks the rule too"
    );
    assert!(
        page.has("input[name=broker][value=broker-0]"),
        "4.8.0 picks brokers"
    );
    assert!(page.has("#f-permission") && !page.has("#f-message_type"));

    // The cached list, read before the create, must not hide the new topic afterwards.
    let before = app
        .get_page(&format!("/instances/{id}/topics?name=orders"))
        .await;
    assert!(names(&before).is_empty());

    app.reset_requests().await;
    let bad = app
        .post_form(
            &form,
            &[
                ("name", "a b"),
                ("permission", "all"),
                ("broker", "broker-0"),
            ],
        )
        .await;
    bad.assert_status(422);
    assert!(
        bad.text("[data-field=name] .field-error")
            .contains("is not allowed")
    );
    let preview = app
        .post_form(
            &form,
            &[
                ("name", "orders"),
                ("permission", "pub"),
                ("queue_num", "4"),
                ("broker", "broker-0"),
            ],
        )
        .await;
    preview.assert_status(200);
    assert!(preview.has("#change-preview"));
    assert!(
        !app.operation_counts()
            .await
            .contains_key("CreateTopicOrBatchDeleteTopic")
    );

    let created = app
        .submit(
            &form,
            &[
                ("name", "orders"),
                ("permission", "pub"),
                ("queue_num", "4"),
                ("brokers", "broker-0"),
            ],
        )
        .await;
    created.assert_redirect(&format!("/instances/{id}/topics/orders"));
    let listed = app
        .get_page(&format!("/instances/{id}/topics?name=orders"))
        .await;
    assert_eq!(names(&listed), ["orders"]);
    let shown = app
        .get_page(&format!("/instances/{id}/topics/orders"))
        .await;
    assert_eq!(shown.text("#topic-permission"), "Publish only");
    assert_eq!(audit_rows(&app, "CreateTopicOrBatchDeleteTopic").len(), 1);
    assert_eq!(audit_rows(&app, "CreateTopicOrBatchDeleteTopic")[0].1, "ok");

    // DMS refuses a second topic of that name, next to the name.
    let twice = app
        .submit(
            &form,
            &[
                ("name", "orders"),
                ("permission", "all"),
                ("brokers", "broker-0"),
            ],
        )
        .await;
    twice.assert_status(422);
    let message = twice.text("[data-field=name] .field-error");
    assert!(message.contains("DMS.10240017"), "{message}");
    assert!(twice.has(".error-card"));
}

#[tokio::test]
async fn a_5x_instance_creates_typed_topics_and_edits_only_their_description() {
    let app = spawn_app().await;
    let id = create_5x(&app, "payments-5x");
    app.login_as("admin").await.assert_redirect("/instances");
    let form = format!("/instances/{id}/new-topic");
    let page = app.get_page(&form).await;
    assert!(
        page.has("#f-message_type")
            && !page.has("input[name=broker]")
            && !page.has("#f-permission")
    );
    let bad = app
        .submit(&form, &[("name", "ledger"), ("message_type", "SLOW")])
        .await;
    bad.assert_status(422);
    assert!(bad.has("[data-field=message_type] .field-error"));
    let created = app
        .submit(
            &form,
            &[
                ("name", "ledger"),
                ("message_type", "FIFO"),
                ("queue_num", "2"),
                ("description", "Ledger entries"),
            ],
        )
        .await;
    created.assert_redirect(&format!("/instances/{id}/topics/ledger"));
    let shown = app
        .get_page(&format!("/instances/{id}/topics/ledger"))
        .await;
    assert_eq!(shown.text("#topic-type"), "Ordered (FIFO)");
    assert_eq!(shown.text("#topic-description"), "Ledger entries");
    let list = app
        .get_page(&format!("/instances/{id}/topics?type=FIFO"))
        .await;
    assert_eq!(names(&list), ["ledger"]);

    let edit = format!("/instances/{id}/topics/ledger/edit");
    let form_page = app.get_page(&edit).await;
    assert!(form_page.has("#five-note") && !form_page.has("#f-read_queue_num"));
    // Queue counts posted anyway are not sent: a 5.x topic changes only its description.
    let saved = app
        .submit(
            &edit,
            &[
                ("description", "All ledger entries"),
                ("read_queue_num", "9"),
            ],
        )
        .await;
    saved.assert_redirect(&format!("/instances/{id}/topics/ledger"));
    let shown = app
        .get_page(&format!("/instances/{id}/topics/ledger"))
        .await;
    assert_eq!(shown.text("#topic-description"), "All ledger entries");
    let updates = audit_rows(&app, "UpdateTopic");
    let params = &updates.last().unwrap().2;
    assert!(!params.contains("read_queue_num"), "{params}");
}

#[tokio::test]
async fn editing_a_48_topic_previews_queues_and_permission_and_refusals_land_on_the_field() {
    let (app, id) = app_as("operator").await;
    create_topic(&app.emulator.client(), &id, "orders", None).await;
    let edit = format!("/instances/{id}/topics/orders/edit");
    let page = app.get_page(&edit).await;
    assert_eq!(
        page.attr("#f-write_queue_num", "value").as_deref(),
        Some("3")
    );
    let op = page.attr("input[name=op]", "value").unwrap();
    let fields = [
        ("read_queue_num", "3"),
        ("write_queue_num", "8"),
        ("permission", "sub"),
        ("description", ""),
        ("op", op.as_str()),
    ];
    let preview = app.post_form(&edit, &fields).await;
    preview.assert_status(200);
    let changed = preview.texts("#change-preview tr.changed th");
    assert_eq!(changed, ["Write queues", "Permission"]);
    let bad = app
        .submit(
            &edit,
            &[
                ("read_queue_num", "99"),
                ("write_queue_num", "3"),
                ("permission", "all"),
            ],
        )
        .await;
    bad.assert_status(422);
    assert!(bad.has("[data-field=read_queue_num] .field-error"));

    let mut confirmed = fields.to_vec();
    confirmed.push(("step", "confirm"));
    app.post_form(&edit, &confirmed)
        .await
        .assert_redirect(&format!("/instances/{id}/topics/orders"));
    let topic = app
        .emulator
        .client()
        .show_topic(&id, "orders")
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (topic.total_write_queue_num, topic.permission.as_str()),
        (8, "sub")
    );

    app.add_fault(json!({
        "operation": "UpdateTopic", "count": 1, "status": 400,
        "error_code": "DMS.00400005", "error_msg": "`permission` cannot change now."
    }))
    .await;
    let refused = app
        .submit(
            &edit,
            &[
                ("read_queue_num", "3"),
                ("write_queue_num", "8"),
                ("permission", "all"),
            ],
        )
        .await;
    refused.assert_status(422);
    assert!(
        refused
            .text("[data-field=permission] .field-error")
            .contains("cannot change now")
    );
    assert_eq!(audit_rows(&app, "UpdateTopic").last().unwrap().1, "failed");
}

/// A group `group` consuming `topic` with one online client.
async fn consumer(app: &TestApp, id: &str, group: &str, topic: &str) {
    app.emulator
        .client()
        .create_consumer_group(
            id,
            &CreateConsumerGroupReq {
                name: group.to_owned(),
                ..CreateConsumerGroupReq::default()
            },
        )
        .await
        .unwrap();
    let (id, group, topic) = (id.to_owned(), group.to_owned(), topic.to_owned());
    app.emulator
        .running
        .emulator
        .transact(PROJECT, move |ctx| {
            plane::register_client(
                ctx,
                &id,
                &group,
                &ClientInfo::java("10.0.0.7", 4242, &[&topic]),
            )
        })
        .unwrap();
}

async fn send(dms: &DmsClient, id: &str, topic: &str, count: usize) {
    for n in 0..count {
        dms.send_message(
            id,
            &SendMessageRequest {
                topic: topic.to_owned(),
                body: format!("message {n}"),
                property_list: None,
            },
        )
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn deleting_a_topic_previews_its_consumers_and_messages_and_needs_its_name() {
    let (app, id) = app_as("operator").await;
    create_topic(&app.emulator.client(), &id, "orders", None).await;
    consumer(&app, &id, "GID_orders", "orders").await;
    send(&app.emulator.client(), &id, "orders", 3).await;
    let path = format!("/instances/{id}/topics/orders/delete");
    let page = app.get_page(&path).await;
    page.assert_status(200);
    assert_eq!(page.text("#impact-table .impact-messages"), "3");
    assert!(
        page.text("#impact-table .impact-groups")
            .contains("GID_orders 1 online client")
    );
    assert!(page.has("#impact-table .in-use"));

    let wrong = app.submit(&path, &[("confirm", "order")]).await;
    wrong.assert_status(422);
    assert!(wrong.has("[data-field=confirm] .field-error"));
    assert!(
        app.emulator
            .client()
            .show_topic(&id, "orders")
            .await
            .is_ok()
    );

    app.submit(&path, &[("confirm", "orders")])
        .await
        .assert_redirect(&format!("/instances/{id}/topics"));
    assert!(
        app.emulator
            .client()
            .show_topic(&id, "orders")
            .await
            .is_err()
    );
    assert_eq!(audit_rows(&app, "DeleteTopic")[0].1, "ok");
    app.get_page(&format!("/instances/{id}/topics/orders"))
        .await
        .assert_status(404);
}

async fn confirm_batch(app: &TestApp, path: &str, typed: &str, op: String) -> Page {
    let fields = [
        ("topic", "old-a"),
        ("topic", "old-b"),
        ("step", "confirm"),
        ("confirm", typed),
        ("op", op.as_str()),
    ];
    app.post_form(path, &fields).await
}

#[tokio::test]
async fn batch_delete_previews_each_topic_and_reports_each_topic_even_when_dms_refuses() {
    let (app, id) = app_as("operator").await;
    let dms = app.emulator.client();
    for name in ["old-a", "old-b", "keep"] {
        create_topic(&dms, &id, name, None).await;
    }
    consumer(&app, &id, "GID_a", "old-a").await;
    let path = format!("/instances/{id}/delete-topics");
    let preview = app
        .post_form(&path, &[("topic", "old-a"), ("topic", "old-b")])
        .await;
    preview.assert_status(200);
    assert_eq!(
        preview.attrs("#impact-table tr.impact", "data-topic"),
        ["old-a", "old-b"]
    );
    assert!(preview.has("tr.impact[data-topic=old-a] .in-use"));
    assert!(!preview.has("tr.impact[data-topic=old-b] .in-use"));
    assert_eq!(
        preview
            .attr("input[data-confirm]", "data-confirm")
            .as_deref(),
        Some("delete 2")
    );
    let op = preview.attr("input[name=op]", "value").unwrap();
    let confirm = |typed: &'static str, op: String| confirm_batch(&app, &path, typed, op);
    confirm("delete 3", op.clone()).await.assert_status(422);

    app.add_fault(json!({
        "operation": "CreateTopicOrBatchDeleteTopic", "count": 1, "status": 500,
        "error_code": "DMS.00500000", "error_msg": "broker busy"
    }))
    .await;
    let page = confirm("delete 2", op.clone()).await;
    page.assert_status(502);
    assert!(page.has(".error-card"));
    assert_eq!(
        page.attrs("#batch-results tr", "data-topic"),
        ["old-a", "old-b"]
    );
    assert_eq!(
        page.attrs("#batch-results .outcome", "data-outcome"),
        ["failed", "failed"],
        "each topic is reported as still there"
    );
    assert_eq!(
        audit_rows(&app, "CreateTopicOrBatchDeleteTopic")[0].1,
        "failed"
    );

    let preview = app
        .post_form(&path, &[("topic", "old-a"), ("topic", "old-b")])
        .await;
    let op = preview.attr("input[name=op]", "value").unwrap();
    let page = confirm("delete 2", op.clone()).await;
    page.assert_status(200);
    assert_eq!(
        page.attrs("#batch-results .outcome", "data-outcome"),
        ["ok", "ok"]
    );
    let left = app
        .get_page(&format!("/instances/{id}/topics?sort=name"))
        .await;
    assert_eq!(names(&left), ["keep"]);

    let nothing = app.post_form(&path, &[]).await;
    nothing.assert_status(422);
    assert_eq!(nothing.text("#batch-refusal"), "No topic was selected.");
}

const CSV: &str = "name,permission,queues\r\nnew-a,all,3\r\nexisting,,\r\nbad name!,all,\r\nnew-b,pub,2\r\nnew-c,,\r\nnew-a,sub,\r\n";

#[tokio::test]
async fn batch_create_from_a_csv_file_previews_rows_and_reports_each_even_when_one_fails() {
    let (app, id) = app_as("operator").await;
    create_topic(&app.emulator.client(), &id, "existing", None).await;
    let path = format!("/instances/{id}/import-topics");
    let form = app.get_page(&path).await;
    form.assert_status(200);
    assert_eq!(
        form.attr("#import-form", "enctype").as_deref(),
        Some("multipart/form-data")
    );

    let preview = app
        .post_multipart(&path, &[("step", "preview")], ("file", "topics.csv", CSV))
        .await;
    preview.assert_status(200);
    let states: Vec<(String, String)> = preview
        .attrs("#import-preview tbody tr", "data-topic")
        .into_iter()
        .zip(preview.attrs("#import-preview tbody tr", "data-state"))
        .collect();
    let expected: Vec<(String, String)> = [
        ("new-a", "create"),
        ("existing", "exists"),
        ("bad name!", "invalid"),
        ("new-b", "create"),
        ("new-c", "create"),
        ("new-a", "invalid"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    assert_eq!(states, expected);
    assert!(
        preview
            .text("#import-preview tr[data-state=invalid] .field-error")
            .contains("is not allowed")
    );
    let op = preview
        .attr("#import-confirm-form input[name=op]", "value")
        .unwrap();
    let rows = preview
        .attr("#import-confirm-form input[name=rows]", "value")
        .unwrap();

    app.reset_requests().await;
    app.add_fault(json!({
        "operation": "CreateTopicOrBatchDeleteTopic", "count": 1, "status": 400,
        "error_code": "DMS.10240020", "error_msg": "The quota is insufficient."
    }))
    .await;
    let fields = [
        ("step", "confirm"),
        ("op", op.as_str()),
        ("rows", rows.as_str()),
    ];
    let done = app.post_form(&path, &fields).await;
    done.assert_status(207);
    let outcomes = done.attrs("#import-results tbody tr", "data-outcome");
    assert_eq!(outcomes.len(), 6, "every row is reported");
    let count = |state: &str| outcomes.iter().filter(|o| *o == state).count();
    assert_eq!((count("ok"), count("failed"), count("skipped")), (2, 1, 3));
    assert!(
        done.text("#import-results tr[data-outcome=failed] .error-code")
            .contains("DMS.10240020")
    );
    assert_eq!(
        app.operation_counts().await["CreateTopicOrBatchDeleteTopic"],
        3
    );
    let audited = audit_rows(&app, "CreateTopicOrBatchDeleteTopic");
    assert_eq!(audited.iter().filter(|r| r.1 == "ok").count(), 2);
    assert_eq!(audited.iter().filter(|r| r.1 == "failed").count(), 1);
    let listed: BTreeSet<String> = names(
        &app.get_page(&format!("/instances/{id}/topics?name=new"))
            .await,
    )
    .into_iter()
    .collect();
    assert_eq!(listed.len(), 2);

    // The same confirmation again sends nothing.
    app.reset_requests().await;
    let again = app.post_form(&path, &fields).await;
    assert!(
        again
            .attrs("#import-results tbody tr", "data-outcome")
            .iter()
            .all(|o| o == "skipped")
    );
    assert!(
        !app.operation_counts()
            .await
            .contains_key("CreateTopicOrBatchDeleteTopic")
    );

    // The reference's text format and pasted JSON work too; bad JSON is refused plainly.
    let pasted = app
        .post_form(
            &path,
            &[
                ("step", "preview"),
                (
                    "text",
                    "[\"from-json\", {\"name\": \"other\", \"permission\": \"sub\"}]",
                ),
            ],
        )
        .await;
    assert_eq!(
        pasted.attrs("#import-preview tbody tr", "data-state"),
        ["create", "create"]
    );
    let broken = app
        .post_form(&path, &[("step", "preview"), ("text", "[oops")])
        .await;
    broken.assert_status(422);
    assert!(
        broken
            .text("#import-refusal")
            .starts_with("The JSON cannot be read")
    );
}

#[tokio::test]
async fn the_topic_page_shows_offsets_lag_users_and_sends_a_test_message() {
    let (app, id) = app_as("operator").await;
    let dms = app.emulator.client();
    create_topic(&dms, &id, "orders", None).await;
    consumer(&app, &id, "GID_orders", "orders").await;
    send(&dms, &id, "orders", 3).await;
    let (instance, group) = (id.clone(), "GID_orders".to_owned());
    app.emulator
        .running
        .emulator
        .transact(PROJECT, move |ctx| {
            plane::consume(ctx, &instance, &group, "orders", 1, |_| false).map(drop)
        })
        .unwrap();
    dms.create_user(
        &id,
        &UserRequest {
            access_key: "producer1".into(),
            secret_key: Some(Secret::new("Producer-secret-1")),
            topic_perms: Some(vec![Perm::new("orders", "PUB")]),
            ..UserRequest::default()
        },
    )
    .await
    .unwrap();

    let path = format!("/instances/{id}/topics/orders");
    let page = app.get_page(&path).await;
    page.assert_status(200);
    assert_eq!(page.text("#message-total"), "3");
    assert!(page.count("#queue-table tbody tr") >= 1);
    assert_eq!(
        page.text("#group-table tr[data-group=GID_orders] td.num"),
        "2"
    );
    assert_eq!(
        page.text("#user-table tr[data-user=producer1] .perm"),
        "Publish"
    );
    assert!(page.has("#acl-off-note"));
    assert_eq!(
        page.attr("#search-messages", "href").as_deref(),
        Some(format!("/instances/{id}/messages?topic=orders").as_str())
    );

    let empty = app
        .submit_change(&path, &format!("{path}/send"), &[("body", "")])
        .await;
    empty.assert_status(422);
    assert!(empty.has("#send-form [data-field=body] .field-error"));
    let bad = app
        .submit_change(
            &path,
            &format!("{path}/send"),
            &[("body", "x"), ("properties", "no value here")],
        )
        .await;
    bad.assert_status(422);
    assert!(
        bad.text("[data-field=properties] .field-error")
            .contains("Line 1")
    );

    let sent = app
        .submit_change(
            &path,
            &format!("{path}/send"),
            &[
                ("body", "{\"order\": 7, \"secret\": \"do-not-audit\"}"),
                ("tags", "created"),
                ("keys", "order-7 customer-3"),
                ("properties", "source=console-test"),
            ],
        )
        .await;
    sent.assert_status(303);
    let location = sent.location().unwrap().to_owned();
    assert!(location.starts_with(&format!("{path}?sent=")), "{location}");
    let after = app.get_page(&location).await;
    let msg_id = after.text("#sent-id");
    assert!(!msg_id.is_empty());
    assert_eq!(after.text("#message-total"), "4");
    let stored = dms
        .list_messages(
            &id,
            &dms_console::api::models::messages::ListMessagesQuery {
                topic: "orders".into(),
                msg_id: Some(msg_id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .into_inner();
    let message = &stored.messages[0];
    assert_eq!(message.property("TAGS"), Some("created"));
    assert_eq!(message.property("KEYS"), Some("order-7 customer-3"));
    assert_eq!(message.property("source"), Some("console-test"));
    let audited = audit_rows(&app, "SendMessage");
    assert_eq!(audited.len(), 1);
    assert!(
        !audited[0].2.contains("do-not-audit"),
        "the body is not audited"
    );

    app.get_page(&format!("/instances/{id}/topics/nope-topic"))
        .await
        .assert_status(404);
}

#[tokio::test]
async fn cached_topic_lists_never_cross_credentials() {
    let (app, id) = app_as("viewer").await;
    let dms = app.emulator.client();
    for name in ["shared-1", "shared-2", "shared-3"] {
        create_topic(&dms, &id, name, None).await;
    }
    let search = format!("/instances/{id}/topics?name=shared");
    assert_eq!(names(&app.get_page(&search).await).len(), 3);

    // Another credential on the same project reads the list for itself.
    let iam = app.new_browser();
    iam.login_iam(IAM_USER.0, IAM_USER.1, IAM_USER.2)
        .await
        .assert_redirect("/instances");
    app.reset_requests().await;
    assert_eq!(names(&iam.get_page(&search).await).len(), 3);
    assert_eq!(list_calls(&app).await, 1, "the IAM user's own read");
    assert_eq!(names(&app.get_page(&search).await).len(), 3);
    assert_eq!(
        list_calls(&app).await,
        1,
        "the first session still has its own"
    );

    // A credential of another project is never shown the list it cannot read.
    let other = app.new_browser();
    other
        .login_access_key(OTHER_AK, OTHER_SK, OTHER_PROJECT)
        .await
        .assert_redirect("/instances");
    let refused = other.get_page(&search).await;
    refused.assert_status(404);
    assert!(!refused.has("#topic-table"));

    // A topic made outside the console shows after a refresh, not before.
    create_topic(&dms, &id, "shared-4", None).await;
    assert_eq!(names(&app.get_page(&search).await).len(), 3);
    assert_eq!(
        names(&app.get_page(&format!("{search}&refresh=1")).await).len(),
        4
    );
    assert_eq!(
        names(&iam.get_page(&search).await).len(),
        3,
        "its own cached list"
    );
}

#[tokio::test]
async fn a_list_read_past_the_deadline_is_shown_partial_and_whole_once_read() {
    let (app, id) = app_as("viewer").await;
    many_topics(&app, &id, 60).await;
    app.add_fault(json!({"operation": "ListRocketInstanceTopics", "latency_ms": 1500}))
        .await;
    let search = format!("/instances/{id}/topics?name=t-");
    let partial = app.get_page(&search).await;
    partial.assert_status(200);
    assert!(partial.has("#list-partial"), "{}", partial.body);
    assert!(
        partial
            .text("#list-source")
            .contains("topics read before the page's time limit")
    );
    assert!(
        partial.attr("#topics", "hx-trigger").is_some(),
        "it reloads itself"
    );
    assert!(!partial.body.contains("of 60</p>"), "not the whole list");
    app.clear_faults().await;
    // The walk goes on after the page was answered and fills the cache.
    let mut whole = None;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let page = app.get_page(&search).await;
        if !page.has("#list-partial") {
            whole = Some(page);
            break;
        }
    }
    let whole = whole.expect("the list is read whole");
    assert_eq!(whole.text("#list-count"), "Showing 1–20 of 60");
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_shown_unknown_with_a_way_to_check() {
    let (app, id) = app_as("operator").await;
    app.add_fault(json!({
        "operation": "CreateTopicOrBatchDeleteTopic", "phase": "after", "count": 1,
        "connection": "reset"
    }))
    .await;
    let page = app
        .submit(
            &format!("/instances/{id}/new-topic"),
            &[
                ("name", "ghost"),
                ("permission", "all"),
                ("brokers", "broker-0"),
            ],
        )
        .await;
    page.assert_status(502);
    assert!(page.has(".error-card.outcome-unknown"));
    assert_eq!(
        page.attr("a.check-state", "href").as_deref(),
        Some(format!("/instances/{id}/topics/ghost").as_str())
    );
    assert_eq!(
        audit_rows(&app, "CreateTopicOrBatchDeleteTopic")[0].1,
        "unknown"
    );
    app.get_page(&format!("/instances/{id}/topics/ghost"))
        .await
        .assert_status(200);
}

#[tokio::test]
async fn a_viewer_sees_topics_with_no_change_controls() {
    let (app, id) = app_as("viewer").await;
    create_topic(&app.emulator.client(), &id, "orders", None).await;
    let list = app.get_page(&format!("/instances/{id}/topics")).await;
    list.assert_status(200);
    assert_eq!(names(&list), ["orders"]);
    for control in [
        "#create-topic",
        "#import-topics",
        "#batch-delete-form",
        "input[name=topic]",
    ] {
        assert!(!list.has(control), "{control}");
    }
    let page = app
        .get_page(&format!("/instances/{id}/topics/orders"))
        .await;
    page.assert_status(200);
    for control in ["#edit-topic", "#delete-topic", "#send-form"] {
        assert!(!page.has(control), "{control}");
    }
    assert!(page.has("#search-messages"));
    app.get_page(&format!("/instances/{id}/new-topic"))
        .await
        .assert_status(403);
}
