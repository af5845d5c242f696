//! The administrator's metadata pages: tags (and the list filtered by one), RocketMQ
//! parameters with their audited diff, metadata migration (upload, preview with created,
//! existing and conflicting rows, quotas, the task and its deletion), the export read back by
//! a migration, and two instances compared, also across connections.

use std::time::Duration;

use dms_console::api::DmsClient;
use dms_console::api::models::groups::CreateConsumerGroupReq;
use dms_console::api::models::topics::{CreateTopicReq, TopicQueues};
use dms_console::api::models::users::UserRequest;
use dms_console::config::web::ConnectionSettings;
use dms_console::emulator::instances::{InstanceSpec, create_instance_document};
use dms_console::secret::Secret;
use serde_json::{Value, json};

use crate::support::console::{Page, TestApp, password, spawn_app_on};
use crate::support::emulator::{OTHER_AK, OTHER_PROJECT, OTHER_SK, TestEmulator};

async fn admin_app_with(adjust: impl FnOnce(&mut dms_console::config::Settings)) -> TestApp {
    let emulator = TestEmulator::start_with(|s| s.migration_seconds = 1).await;
    let app = spawn_app_on(emulator, adjust).await;
    app.login_as("admin").await.assert_redirect("/instances");
    app
}

async fn admin_app() -> TestApp {
    admin_app_with(|_| {}).await
}

async fn topic(client: &DmsClient, id: &str, name: &str, queues: u32, permission: &str) {
    let body = CreateTopicReq {
        name: name.into(),
        brokers: Some(vec!["broker-0".into()]),
        permission: Some(permission.into()),
        queues: Some(vec![TopicQueues {
            broker: "broker-0".into(),
            queue_num: queues,
        }]),
        ..Default::default()
    };
    client.create_topic(id, &body).await.unwrap();
}

async fn group(client: &DmsClient, id: &str, name: &str, retries: u32) {
    let body = CreateConsumerGroupReq {
        name: name.into(),
        brokers: Some(vec!["broker-0".into()]),
        retry_max_time: Some(retries),
        enabled: Some(true),
        broadcast: Some(false),
        ..Default::default()
    };
    client.create_consumer_group(id, &body).await.unwrap();
}

/// The hidden fields of the form `css`, as the browser would send them (without the token,
/// which the test browser adds).
fn hidden_fields(page: &Page, css: &str) -> Vec<(String, String)> {
    let names = page.attrs(&format!("{css} input[type=hidden]"), "name");
    let values = page.attrs(&format!("{css} input[type=hidden]"), "value");
    names
        .into_iter()
        .zip(values)
        .filter(|(name, _)| name != "_csrf")
        .collect()
}

async fn post_pairs(app: &TestApp, path: &str, fields: &[(String, String)]) -> Page {
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    app.post_form(path, &borrowed).await
}

/// Posts `fields` and an optional file as `multipart/form-data`, the token among the fields,
/// as a browser's upload form does.
async fn upload(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &str)>,
) -> Page {
    let token = app.csrf().await;
    let boundary = "----dms-console-test-7f3a";
    let mut body = String::new();
    for (name, value) in fields.iter().chain([("_csrf", token.as_str())].iter()) {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    if let Some((filename, content)) = file {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/json\r\n\r\n{content}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let request = client
        .post(format!("{}{path}", app.base))
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("Origin", app.base.clone())
        .body(body);
    app.send(request).await
}

fn audited(app: &TestApp, operation: &str) -> Vec<(String, Value)> {
    app.audit_records(operation)
        .into_iter()
        .map(|r| {
            let params = r.params_json();
            (r.outcome, params)
        })
        .collect()
}

#[tokio::test]
async fn tags_follow_the_rules_are_previewed_and_filter_the_instance_list() {
    let app = admin_app().await;
    let id = app.create_instance("orders-prod");
    let other = app.create_instance("billing-prod");
    let client = app.emulator.client();
    client
        .add_instance_tags(
            &other,
            &[dms_console::api::models::common::Tag {
                key: "team".into(),
                value: "payments".into(),
            }],
        )
        .await
        .unwrap();
    app.reset_requests().await;
    let path = format!("/instances/{id}/tags");
    let page = app.get_page(&path).await;
    page.assert_status(200);
    assert!(page.has("#list-empty"));
    assert_eq!(
        page.attr("#instance-tabs a[aria-current=page]", "href"),
        Some(path.clone())
    );
    let tabs = page.texts("#instance-tabs a");
    assert!(
        tabs.ends_with(&["Configuration".into(), "Migration".into(), "Tags".into()]),
        "{tabs:?}"
    );
    // The project's tags are suggested.
    assert_eq!(page.attrs("#tag-keys option", "value"), ["team"]);
    assert_eq!(page.attrs("#tag-values option", "value"), ["payments"]);
    let op = page.attr("#tag-add input[name=op]", "value").unwrap();

    let bad = app
        .post_form(
            &path,
            &[
                ("action", "add"),
                ("key", "bad/key"),
                ("value", "x"),
                ("op", &op),
            ],
        )
        .await;
    bad.assert_status(422);
    assert!(
        bad.text("[data-field=key] .field-error")
            .contains("is not allowed")
    );

    let preview = app
        .post_form(
            &path,
            &[
                ("action", "add"),
                ("key", "env"),
                ("value", "staging"),
                ("op", &op),
            ],
        )
        .await;
    preview.assert_status(200);
    assert_eq!(preview.texts("#change-preview td"), ["not set", "staging"]);
    assert!(
        !app.operation_counts()
            .await
            .contains_key("BatchCreateOrDeleteRocketmqTag")
    );
    let saved = post_pairs(&app, &path, &hidden_fields(&preview, "#tag-change")).await;
    saved.assert_redirect(&path);
    let page = app.get_page(&path).await;
    assert_eq!(page.texts("#tag-table td:first-child"), ["env"]);
    let filter = page.attr("#tag-table a.tag-filter", "href").unwrap();
    assert_eq!(filter, "/instances?tag=env%3Dstaging");

    // The list filtered by the tag shows only the tagged instance.
    let list = app.get_page(&filter).await;
    list.assert_status(200);
    assert_eq!(list.texts("#instance-table tbody tr td a"), ["orders-prod"]);
    let by_key = app.get_page("/instances?tag=team").await;
    assert_eq!(
        by_key.texts("#instance-table tbody tr td a"),
        ["billing-prod"]
    );
    let none = app.get_page("/instances?tag=env%3Dprod").await;
    assert!(none.has("#list-empty"));

    // Removing it is previewed too.
    let op = page.attr("#tag-table input[name=op]", "value").unwrap();
    let preview = app
        .post_form(&path, &[("action", "remove"), ("key", "env"), ("op", &op)])
        .await;
    preview.assert_status(200);
    assert_eq!(preview.texts("#change-preview td"), ["staging", "removed"]);
    post_pairs(&app, &path, &hidden_fields(&preview, "#tag-change"))
        .await
        .assert_redirect(&path);
    assert!(app.get_page(&path).await.has("#list-empty"));
    let records = audited(&app, "BatchCreateOrDeleteRocketmqTag");
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].1["action"], "create");
    assert_eq!(records[1].1["action"], "delete");
    assert_eq!(records[1].1["before"], "staging");
}

#[tokio::test]
async fn a_parameter_change_is_checked_previewed_and_its_diff_audited() {
    let app = admin_app().await;
    let id = app.create_instance("orders-prod");
    let path = format!("/instances/{id}/config");
    let page = app.get_page(&path).await;
    page.assert_status(200);
    let row = "#config-table tr[data-param=fileReservedTime]";
    let cells = page.texts(&format!("{row} td"));
    assert!(
        cells[0].contains("How long message files are kept"),
        "{cells:?}"
    );
    assert_eq!(cells[2], "48");
    assert_eq!(cells[3], "1 to 720");
    assert_eq!(cells[4], "no");
    assert_eq!(
        page.attr("input[name='p:fileReservedTime']", "value")
            .as_deref(),
        Some("48")
    );
    let op = page.attr("#config-form input[name=op]", "value").unwrap();

    let bad = app
        .post_form(&path, &[("p:fileReservedTime", "721"), ("op", &op)])
        .await;
    bad.assert_status(422);
    assert_eq!(
        bad.text(&format!("{row} .field-error")),
        "Enter a whole number from 1 to 720."
    );
    let unchanged = app
        .post_form(&path, &[("p:fileReservedTime", "48"), ("op", &op)])
        .await;
    unchanged.assert_status(422);
    assert_eq!(
        unchanged.text("#error-form"),
        "Change at least one value first."
    );

    let preview = app
        .post_form(&path, &[("p:fileReservedTime", "72"), ("op", &op)])
        .await;
    preview.assert_status(200);
    assert_eq!(
        preview.texts("#change-preview tr[data-param=fileReservedTime] td"),
        ["48", "72"]
    );
    assert!(
        !app.operation_counts()
            .await
            .contains_key("UpdateRocketMqConfigs")
    );
    post_pairs(&app, &path, &hidden_fields(&preview, "#config-confirm"))
        .await
        .assert_redirect(&path);
    let page = app.get_page(&path).await;
    assert_eq!(
        page.attr("input[name='p:fileReservedTime']", "value")
            .as_deref(),
        Some("72")
    );
    let records = audited(&app, "UpdateRocketMqConfigs");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].0, "ok");
    assert_eq!(
        records[0].1,
        json!({"fileReservedTime": {"before": "48", "after": "72"}})
    );
    // The audit log shows the diff.
    let log = app.get_page("/audit?action=UpdateRocketMqConfigs").await;
    assert!(
        log.text("#audit-table .params")
            .contains("\"after\":\"72\"")
    );
}

const EXPORT: &str = r#"{
  "topicConfigTable": {
    "new-topic": {"topicName": "new-topic", "readQueueNums": 8, "writeQueueNums": 8, "perm": 6},
    "same-topic": {"topicName": "same-topic", "readQueueNums": 8, "writeQueueNums": 8, "perm": 6},
    "other-topic": {"topicName": "other-topic", "readQueueNums": 4, "writeQueueNums": 4, "perm": 6},
    "%RETRY%billing": {"readQueueNums": 1, "writeQueueNums": 1, "perm": 6},
    "TBW102": {"readQueueNums": 8, "writeQueueNums": 8, "perm": 7}
  },
  "subscriptionGroupTable": {
    "billing": {"groupName": "billing", "consumeEnable": true, "retryMaxTimes": 16},
    "shipping": {"groupName": "shipping", "consumeEnable": true, "retryMaxTimes": 3},
    "TOOLS_CONSUMER": {"groupName": "TOOLS_CONSUMER"}
  }
}"#;

#[tokio::test]
async fn a_migration_file_is_previewed_as_created_existing_and_conflicting_then_run_and_deleted() {
    let app = admin_app().await;
    let id = app.create_instance("orders-prod");
    let client = app.emulator.client();
    topic(&client, &id, "same-topic", 8, "all").await;
    topic(&client, &id, "other-topic", 8, "all").await;
    group(&client, &id, "billing", 16).await;
    let path = format!("/instances/{id}/migrations");
    let page = app.get_page(&path).await;
    page.assert_status(200);
    assert_eq!(
        page.attr("#migration-upload", "enctype").as_deref(),
        Some("multipart/form-data")
    );
    let op = page
        .attr("#migration-upload input[name=op]", "value")
        .unwrap();

    // Uploaded as a file, with overwrite off: the existing items block the task.
    let fields = [
        ("name", "task-from-idc"),
        ("task_type", "rocketmq"),
        ("op", op.as_str()),
        ("step", "preview"),
    ];
    let preview = upload(&app, &path, &fields, Some(("metadata.json", EXPORT))).await;
    preview.assert_status(200);
    let state = |name: &str| {
        preview
            .attr(
                &format!("#migration-plan tr[data-name='{name}']"),
                "data-state",
            )
            .unwrap_or_else(|| panic!("no row {name}"))
    };
    assert_eq!(state("new-topic"), "create");
    assert_eq!(state("same-topic"), "exists");
    assert_eq!(state("other-topic"), "conflict");
    assert_eq!(state("%RETRY%billing"), "system");
    assert_eq!(state("TBW102"), "system");
    assert_eq!(state("billing"), "exists");
    assert_eq!(state("shipping"), "create");
    assert_eq!(state("TOOLS_CONSUMER"), "system");
    let differences = preview.texts("#migration-plan tr[data-name='other-topic'] .difference");
    assert_eq!(
        differences,
        [
            "Read queues per broker: 8 → 4",
            "Write queues per broker: 8 → 4"
        ]
    );
    assert!(preview.text("#migration-quotas").contains("more allowed"));
    assert!(
        preview
            .text("#migration-blockers")
            .contains("exist already: turn on overwrite")
    );
    assert!(!preview.has("#migration-confirm"));

    // With overwrite on it can go ahead; the confirmation carries what will be sent.
    let fields = [
        ("name", "task-from-idc"),
        ("task_type", "rocketmq"),
        ("overwrite", "on"),
        ("op", op.as_str()),
        ("step", "preview"),
    ];
    let preview = upload(&app, &path, &fields, Some(("metadata.json", EXPORT))).await;
    preview.assert_status(200);
    assert!(!preview.has("#migration-blockers"));
    let carried = hidden_fields(&preview, "#migration-confirm");
    let metadata = &carried.iter().find(|(n, _)| n == "metadata").unwrap().1;
    assert!(
        !metadata.contains("TBW102") && !metadata.contains("%RETRY%"),
        "{metadata}"
    );
    assert!(
        !app.operation_counts()
            .await
            .contains_key("CreateRocketMqMigrationTask")
    );
    let created = post_pairs(&app, &path, &carried).await;
    created.assert_status(303);
    let location = created.location().unwrap().to_owned();
    assert!(location.starts_with(&format!("{path}?task=")), "{location}");
    assert_eq!(
        app.operation_counts()
            .await
            .get("CreateRocketMqMigrationTask"),
        Some(&1)
    );
    let record = &audited(&app, "CreateRocketMqMigrationTask")[0];
    assert_eq!(record.1["create"], 2);
    assert_eq!(record.1["overwrite_existing"], 3);

    // The task runs; its details say when it finished.
    let mut detail = app.get_page(&location).await;
    for _ in 0..100 {
        if detail.attr("#detail-status", "data-status").as_deref() == Some("finished") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        detail = app.get_page(&location).await;
    }
    assert_eq!(detail.text("#migration-detail dd"), "task-from-idc");
    assert_eq!(
        detail.attr("#detail-status", "data-status").as_deref(),
        Some("finished")
    );
    let topics = client
        .show_topic(&id, "new-topic")
        .await
        .unwrap()
        .into_inner();
    assert_eq!(topics.brokers[0].read_queue_num, 8);

    // The task list exports like every list.
    let csv = app.get_page(&format!("{path}?format=csv")).await;
    csv.assert_status(200);
    assert!(
        csv.body.contains("id,name,type,status,start_date"),
        "{}",
        csv.body
    );
    assert!(
        csv.body.contains("task-from-idc,rocketmq,finished"),
        "{}",
        csv.body
    );

    // Deleting tasks asks first.
    let task = detail
        .attr("#migration-table tr[data-task]", "data-task")
        .unwrap();
    let op = detail
        .attr("#migration-delete input[name=op]", "value")
        .unwrap();
    let confirm = app
        .post_form(
            &format!("{path}/delete"),
            &[("task", &task), ("op", &op), ("step", "preview")],
        )
        .await;
    confirm.assert_status(200);
    let carried = hidden_fields(&confirm, "#migration-delete-confirm");
    post_pairs(&app, &format!("{path}/delete"), &carried)
        .await
        .assert_redirect(&path);
    assert!(
        app.get_page(&path)
            .await
            .has("#migration-tasks #list-empty")
    );
    assert_eq!(
        audited(&app, "DeleteRocketMqMigrationTask")[0].1["task_ids"],
        json!([task])
    );
}

#[tokio::test]
async fn a_pasted_file_that_is_not_what_the_form_says_is_explained() {
    let app = admin_app().await;
    let id = app.create_instance("orders-prod");
    let path = format!("/instances/{id}/migrations");
    let op = app.op_id(&path).await;
    let post = |metadata: &'static str, kind: &'static str| {
        let op = op.clone();
        let path = path.clone();
        let app = &app;
        async move {
            app.post_form(
                &path,
                &[
                    ("name", "task-1"),
                    ("task_type", kind),
                    ("metadata", metadata),
                    ("op", &op),
                    ("step", "preview"),
                ],
            )
            .await
        }
    };
    let broken = post("{\"topicConfigTable\": {", "rocketmq").await;
    broken.assert_status(422);
    assert!(
        broken
            .text("[data-field=metadata] .field-error")
            .starts_with("This is not valid JSON (line 1")
    );
    let rabbit = post(
        r#"{"vhosts": [], "queues": [], "exchanges": [], "bindings": []}"#,
        "rocketmq",
    )
    .await;
    rabbit.assert_status(422);
    assert!(
        rabbit
            .text("[data-field=metadata] .field-error")
            .contains("looks like RabbitMQ definitions")
    );
    let empty = post("", "rocketmq").await;
    assert!(
        empty
            .text("[data-field=metadata] .field-error")
            .contains("Choose a file")
    );
    let nothing = post("{\"topicConfigTable\": {}}", "rocketmq").await;
    nothing.assert_status(200);
    assert!(
        nothing
            .text("#migration-blockers")
            .contains("no topic or group to migrate")
    );
    assert!(!nothing.has("#migration-confirm"));
    // RabbitMQ definitions: exchanges become topics, queues groups.
    let defs = r#"{"vhosts": [{"name": "/"}], "queues": [{"vhost": "/", "name": "billing", "durable": true}],
        "exchanges": [{"vhost": "/", "name": "orders", "type": "topic", "durable": true}], "bindings": []}"#;
    let rabbit = post(defs, "rabbitToRocket").await;
    rabbit.assert_status(200);
    assert_eq!(
        rabbit
            .attr("#migration-plan tr[data-name=orders]", "data-kind")
            .as_deref(),
        Some("topic")
    );
    assert_eq!(
        rabbit
            .attr("#migration-plan tr[data-name=billing]", "data-kind")
            .as_deref(),
        Some("group")
    );
    assert!(
        !app.operation_counts()
            .await
            .contains_key("CreateRocketMqMigrationTask")
    );
}

#[tokio::test]
async fn an_export_read_back_by_a_migration_makes_an_identical_instance() {
    let app = admin_app().await;
    let source = app.create_instance("orders-staging");
    let target = app.create_instance("orders-prod");
    let client = app.emulator.client();
    topic(&client, &source, "orders", 4, "all").await;
    topic(&client, &source, "audit-log", 2, "sub").await;
    group(&client, &source, "billing", 5).await;
    group(&client, &source, "shipping", 16).await;
    let user = UserRequest {
        access_key: "app_user1".into(),
        secret_key: Some(Secret::new("Zx9#secretValue")),
        default_topic_perm: Some("PUB".into()),
        ..Default::default()
    };
    client.create_user(&source, &user).await.unwrap();

    let page = app.get_page(&format!("/instances/{source}/export")).await;
    page.assert_status(200);
    assert_eq!(page.text("#export-topic-count"), "2");
    assert_eq!(page.text("#export-group-count"), "2");
    assert_eq!(page.text("#export-user-count"), "1");
    let file = app
        .get_page(&format!("/instances/{source}/export?format=json"))
        .await;
    file.assert_status(200);
    assert_eq!(file.header("content-type"), Some("application/json"));
    assert_eq!(
        file.header("content-disposition"),
        Some("attachment; filename=\"orders-staging-metadata.json\"")
    );
    assert!(!file.body.contains("secret"), "no secret in the export");
    assert!(!file.body.contains("Zx9#secretValue"));
    let document: Value = serde_json::from_str(&file.body).unwrap();
    assert_eq!(document["aclUsers"][0]["access_key"], "app_user1");
    assert_eq!(document["topicConfigTable"]["audit-log"]["perm"], 4);

    // Read back into the other instance.
    let path = format!("/instances/{target}/migrations");
    let op = app.op_id(&path).await;
    let preview = upload(
        &app,
        &path,
        &[
            ("name", "from-staging"),
            ("task_type", "rocketmq"),
            ("op", &op),
            ("step", "preview"),
        ],
        Some(("orders-staging-metadata.json", &file.body)),
    )
    .await;
    preview.assert_status(200);
    assert_eq!(
        preview.attrs("#migration-plan tr", "data-state"),
        ["create", "create", "create", "create"]
    );
    assert!(
        preview
            .text("#migration-users-note")
            .contains("1 ACL users")
    );
    let created = post_pairs(&app, &path, &hidden_fields(&preview, "#migration-confirm")).await;
    created.assert_status(303);
    let location = created.location().unwrap().to_owned();
    for _ in 0..100 {
        let detail = app.get_page(&location).await;
        if detail.attr("#detail-status", "data-status").as_deref() == Some("finished") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The two instances now hold the same topics and groups with the same settings.
    let compared = app
        .get_page(&format!("/compare?a={source}&b={target}"))
        .await;
    compared.assert_status(200);
    assert_eq!(
        compared.text("#compare-topic-summary"),
        "2 the same on both, 0 with other settings."
    );
    assert_eq!(
        compared.text("#compare-group-summary"),
        "2 the same on both, 0 with other settings."
    );
    assert!(!compared.has("#topics-only-a") && !compared.has("#topics-only-b"));
}

#[tokio::test]
async fn a_comparison_shows_what_only_one_has_and_what_differs() {
    let app = admin_app().await;
    let staging = app.create_instance("orders-staging");
    let production = app.create_instance("orders-prod");
    let client = app.emulator.client();
    topic(&client, &staging, "orders", 4, "all").await;
    topic(&client, &staging, "staging-only", 3, "all").await;
    topic(&client, &production, "orders", 8, "all").await;
    topic(&client, &production, "prod-only", 3, "all").await;
    group(&client, &staging, "billing", 5).await;
    group(&client, &production, "billing", 16).await;
    client
        .update_configs(
            &production,
            &dms_console::api::models::configs::UpdateConfigsRequest {
                rocketmq_configs: vec![dms_console::api::models::configs::ConfigChange::new(
                    "fileReservedTime",
                    72,
                )],
            },
        )
        .await
        .unwrap();

    let form = app.get_page("/compare").await;
    form.assert_status(200);
    assert!(form.attrs("#compare-a option", "value").contains(&staging));
    let page = app
        .get_page(&format!("/compare?a={staging}&b={production}"))
        .await;
    page.assert_status(200);
    assert_eq!(page.texts("#topics-only-a li"), ["staging-only"]);
    assert_eq!(page.texts("#topics-only-b li"), ["prod-only"]);
    assert_eq!(
        page.texts("#topics-differ tr[data-name=orders] td"),
        [
            "orders",
            "Read queues per broker",
            "4",
            "8",
            "orders",
            "Write queues per broker",
            "4",
            "8"
        ]
    );
    assert_eq!(
        page.texts("#groups-differ tr[data-name=billing] td"),
        ["billing", "Maximum retries", "5", "16"]
    );
    assert_eq!(
        page.texts("#compare-settings td"),
        ["fileReservedTime=48", "fileReservedTime=72"]
    );
    let bad = app.get_page("/compare?a=nope&b=nope").await;
    bad.assert_status(400);
}

#[tokio::test]
async fn instances_on_another_connection_the_account_may_read_are_compared() {
    let app = admin_app_with(|settings| {
        let mut other = ConnectionSettings {
            name: "other".to_owned(),
            dms: settings.connections[0].dms.clone(),
            iam: Default::default(),
            environment: Some("production".to_owned()),
            environment_colour: None,
        };
        other.dms.project_id = Some(OTHER_PROJECT.to_owned());
        other.dms.access_key = Some(OTHER_AK.to_owned());
        other.dms.secret_key = Some(Secret::new(OTHER_SK));
        settings.connections.push(other);
        // A second administrator who may read only the home connection.
        let mut home_only = settings
            .accounts
            .iter()
            .find(|a| a.name == "admin")
            .unwrap()
            .clone();
        home_only.name = "admin-home".to_owned();
        settings.accounts.push(home_only);
        for account in &mut settings.accounts {
            if account.name == "admin" {
                account.also_reads = vec!["other".to_owned()];
            }
        }
    })
    .await;
    let here = app.create_instance("orders-staging");
    let there = app
        .emulator
        .running
        .emulator
        .transact(OTHER_PROJECT, |ctx| {
            let spec = InstanceSpec {
                initial: dms_console::emulator::instances::InitialState::Running,
                ..InstanceSpec::new("orders-prod", "c6.4u8g.cluster")
            };
            create_instance_document(ctx, OTHER_PROJECT, &spec)
        })
        .unwrap()["instance_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other_client = app.emulator.client_with(OTHER_AK, OTHER_SK, OTHER_PROJECT);
    topic(&other_client, &there, "prod-only", 3, "all").await;

    let form = app.get_page("/compare").await;
    let options = form.attrs("#compare-b option", "value");
    assert!(options.contains(&format!("other:{there}")), "{options:?}");
    let page = app
        .get_page(&format!("/compare?a={here}&b=other:{there}"))
        .await;
    page.assert_status(200);
    assert!(page.text("#side-b").contains("other"));
    assert_eq!(page.texts("#topics-only-b li"), ["prod-only"]);

    // Another administrator, without `also_reads`, cannot.
    let home_only = app.new_browser();
    home_only
        .login_account("admin-home", &password("admin"))
        .await
        .assert_redirect("/instances");
    let refused = home_only
        .get_page(&format!("/compare?a={here}&b=other:{there}"))
        .await;
    refused.assert_status(404);
    assert!(
        !home_only
            .get_page("/compare")
            .await
            .attrs("#compare-b option", "value")
            .iter()
            .any(|v| v.starts_with("other:"))
    );
}
