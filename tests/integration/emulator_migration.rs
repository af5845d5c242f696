//! The emulator's metadata migration (§5.6.1–§5.6.3) over real HTTP.

use std::time::{Duration, Instant};

use dms_console::api::Method;
use serde_json::{Value, json};

use crate::support::calls::{Reply, assert_error};
use crate::support::emulator::TestEmulator;
use crate::support::seeded::Seeded;

async fn create_task(api: &Seeded, query: &[(&str, &str)], body: Value) -> Reply {
    api.call(Method::Post, &api.path("/metadata"), query, Some(body))
        .await
}

/// The task `id` as the one-task query shows it.
async fn task(api: &Seeded, id: &str) -> Value {
    let Reply { status, body, .. } = api
        .call(Method::Get, &api.path("/metadata"), &[("id", id)], None)
        .await;
    assert_eq!((status, &body["total"]), (200, &json!(1)), "{body}");
    body["task"][0].clone()
}

/// Polls the task until it ends; the statuses seen, in order, without repetitions.
async fn run_to_end(api: &Seeded, id: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen: Vec<String> = Vec::new();
    loop {
        let status = task(api, id).await["status"].as_str().unwrap().to_owned();
        if seen.last() != Some(&status) {
            seen.push(status.clone());
        }
        if status == "finished" || status == "failed" || Instant::now() > deadline {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn rocketmq_export() -> Value {
    json!({
        "topicConfigTable": {
            "topic-test1": {"order": false, "perm": 6, "readQueueNums": 3, "topicFilterType": "SINGLE_TAG",
                            "topicName": "topic-test1", "topicSysFlag": 0, "writeQueueNums": 3},
            "z-read-only": {"perm": 4},
            "%RETRY%group-test1": {"perm": 6}
        },
        "subscriptionGroupTable": {
            "group-test1": {"consumeBroadcastEnable": true, "consumeEnable": true, "consumeFromMinEnable": true,
                            "groupName": "group-test1", "notifyConsumerIdsChangedEnable": true,
                            "retryMaxTimes": 2, "retryQueueNums": 1, "whichBrokerWhenConsumeSlow": 1},
            "TOOLS_CONSUMER": {}
        }
    })
}

const ROCKETMQ: &[(&str, &str)] = &[
    ("overwrite", "true"),
    ("name", "task-123"),
    ("type", "rocketmq"),
];

#[tokio::test]
async fn a_rocketmq_migration_moves_through_its_statuses_and_then_the_metadata_exists() {
    let emulator = TestEmulator::start_with(|s| s.migration_seconds = 4).await;
    let api = Seeded::on(emulator, "4.8.0", 1);
    let Reply {
        status,
        body: created,
        ..
    } = create_task(&api, ROCKETMQ, rocketmq_export()).await;
    assert_eq!(status, 200);
    let id = created["task_id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 36);

    let first = task(&api, &id).await;
    assert_eq!(
        (&first["name"], &first["type"], &first["status"]),
        (&json!("task-123"), &json!("rocketmq"), &json!("creating"))
    );
    let start_date = first["start_date"].as_str().unwrap();
    assert_eq!(
        (
            start_date.len(),
            &start_date[4..5],
            &start_date[10..11],
            &start_date[19..20]
        ),
        (22, "-", " ", ".")
    );
    assert_eq!(
        first["topics"],
        json!(["topic-test1", "z-read-only"]),
        "system topics are skipped"
    );
    assert_eq!(first["groups"], json!(["group-test1"]));
    assert!(first.get("_emu").is_none());
    let before = api
        .call(Method::Get, &api.path("/topics"), &[], None)
        .await
        .body;
    assert_eq!(
        before["total"], 0,
        "nothing exists before the task finishes"
    );

    assert_eq!(
        run_to_end(&api, &id).await,
        ["creating", "starting", "finished"]
    );
    let topic = api
        .call(Method::Get, &api.path("/topics/topic-test1"), &[], None)
        .await
        .body;
    assert_eq!(
        (
            &topic["permission"],
            &topic["total_read_queue_num"],
            &topic["total_write_queue_num"]
        ),
        (&json!("all"), &json!(3), &json!(3))
    );
    let read_only = api
        .call(Method::Get, &api.path("/topics/z-read-only"), &[], None)
        .await
        .body;
    assert_eq!(
        (&read_only["permission"], &read_only["total_read_queue_num"]),
        (&json!("sub"), &json!(16))
    );
    let group = api
        .call(Method::Get, &api.path("/groups/group-test1"), &[], None)
        .await
        .body;
    assert_eq!(
        (
            &group["retry_max_time"],
            &group["broadcast"],
            &group["enabled"]
        ),
        (&json!(2), &json!(true), &json!(true))
    );
}

#[tokio::test]
async fn snake_case_exports_and_rabbitmq_definitions_become_topics_and_groups() {
    let api = Seeded::start("5.x", 1).await;
    let Reply { status, body: created, .. } = create_task(
        &api,
        &[("overwrite", "false"), ("name", "sdk_task"), ("type", "rocketmq")],
        json!({"topic_config_table": {"sdk-topic": {"topic_name": "sdk-topic", "order": true, "read_queue_nums": 2, "write_queue_nums": 2}},
               "subscription_group_table": {"sdk-group": {"group_name": "sdk-group", "retry_max_times": 5, "consume_enable": false}}}),
    )
    .await;
    assert_eq!(status, 200);
    let sdk = created["task_id"].as_str().unwrap().to_owned();
    assert_eq!(run_to_end(&api, &sdk).await.last().unwrap(), "finished");
    let topic = api
        .call(Method::Get, &api.path("/topics/sdk-topic"), &[], None)
        .await
        .body;
    assert_eq!(
        (&topic["message_type"], &topic["total_write_queue_num"]),
        (&json!("FIFO"), &json!(2))
    );
    let group = api
        .call(Method::Get, &api.path("/groups/sdk-group"), &[], None)
        .await
        .body;
    assert_eq!(
        (&group["retry_max_time"], &group["enabled"]),
        (&json!(5), &json!(false))
    );

    let Reply {
        status,
        body: created,
        ..
    } = create_task(
        &api,
        &[
            ("overwrite", "true"),
            ("name", "task-rabbit"),
            ("type", "rabbitToRocket"),
        ],
        json!({
            "vhosts": [{"name": "DeleteVhost123"}],
            "queues": [{"name": "test-001", "vhost": "/", "durable": false},
                       {"name": "audit", "vhost": "DeleteVhost123", "durable": true}],
            "exchanges": [{"name": "direct", "vhost": "/", "type": "topic", "durable": false},
                          {"name": "amq.direct", "vhost": "/", "type": "direct", "durable": true}],
            "bindings": [{"source": "direct", "vhost": "/", "destination": "test-001",
                          "destination_type": "queue", "routing_key": "test-001"}]
        }),
    )
    .await;
    assert_eq!(status, 200);
    let rabbit = created["task_id"].as_str().unwrap().to_owned();
    assert_eq!(run_to_end(&api, &rabbit).await.last().unwrap(), "finished");
    let Reply { status, .. } = api
        .call(Method::Get, &api.path("/topics/direct"), &[], None)
        .await;
    assert_eq!(status, 200, "an exchange becomes a topic");
    assert_error(
        &api.call(Method::Get, &api.path("/topics/amq.direct"), &[], None)
            .await,
        400,
        "DMS.00400876",
    );
    for group in ["test-001", "DeleteVhost123-audit"] {
        let Reply { status, .. } = api
            .call(
                Method::Get,
                &api.path(&format!("/groups/{group}")),
                &[],
                None,
            )
            .await;
        assert_eq!(status, 200, "queue {group} becomes a group");
    }

    let queues = api
        .call(
            Method::Get,
            &api.path("/metadata"),
            &[("id", &rabbit), ("type", "queue"), ("name", "/-direct")],
            None,
        )
        .await
        .body;
    assert_eq!(
        queues["task"][0]["queues"],
        json!([{"name": "test-001", "vhost": "/", "durable": false}])
    );
    let vhosts = api
        .call(
            Method::Get,
            &api.path("/metadata"),
            &[("id", &rabbit), ("type", "vhost")],
            None,
        )
        .await
        .body;
    assert_eq!(
        vhosts["task"][0]["vhosts"],
        json!([{"name": "DeleteVhost123"}])
    );
    let bad_kind = api
        .call(
            Method::Get,
            &api.path("/metadata"),
            &[("id", &rabbit), ("type", "binding")],
            None,
        )
        .await;
    assert_error(&bad_kind, 400, "DMS.00400007");
}

#[tokio::test]
async fn without_overwrite_an_existing_topic_fails_the_task_and_nothing_is_created() {
    let api = Seeded::start("4.8.0", 1).await;
    let existing = api
        .call(
            Method::Post,
            &api.path("/topics"),
            &[],
            Some(json!({"name": "topic-test1", "permission": "pub"})),
        )
        .await;
    assert_eq!(existing.status, 200);
    let query = [
        ("overwrite", "false"),
        ("name", "task-keep"),
        ("type", "rocketmq"),
    ];
    let created = create_task(&api, &query, rocketmq_export()).await.body;
    let id = created["task_id"].as_str().unwrap().to_owned();
    assert_eq!(run_to_end(&api, &id).await.last().unwrap(), "failed");
    assert_error(
        &api.call(Method::Get, &api.path("/groups/group-test1"), &[], None)
            .await,
        404,
        "DMS.10240405",
    );

    let created = create_task(&api, ROCKETMQ, rocketmq_export()).await.body;
    let id = created["task_id"].as_str().unwrap().to_owned();
    assert_eq!(run_to_end(&api, &id).await.last().unwrap(), "finished");
    let topic = api
        .call(Method::Get, &api.path("/topics/topic-test1"), &[], None)
        .await
        .body;
    assert_eq!(
        topic["permission"], "all",
        "overwrite applies the migrated permission"
    );
}

#[tokio::test]
async fn migration_requests_outside_the_rules_get_their_documented_codes() {
    let api = Seeded::start("4.8.0", 1).await;
    let export = rocketmq_export();
    let no_overwrite = [("name", "task-123"), ("type", "rocketmq")];
    assert_error(
        &create_task(&api, &no_overwrite, export.clone()).await,
        400,
        "DMS.00400800",
    );
    let bad_name = [
        ("overwrite", "true"),
        ("name", "1task"),
        ("type", "rocketmq"),
    ];
    assert_error(
        &create_task(&api, &bad_name, export.clone()).await,
        400,
        "DMS.00400800",
    );
    let bad_type = [
        ("overwrite", "true"),
        ("name", "task-123"),
        ("type", "kafka"),
    ];
    assert_error(
        &create_task(&api, &bad_type, export.clone()).await,
        400,
        "DMS.00400007",
    );
    assert_error(
        &create_task(&api, ROCKETMQ, json!({"vhosts": []})).await,
        400,
        "DMS.00400005",
    );
    assert_error(
        &create_task(
            &api,
            ROCKETMQ,
            json!({"topicConfigTable": {"big": {"readQueueNums": 100}}}),
        )
        .await,
        400,
        "DMS.00400005",
    );
    assert_error(
        &create_task(
            &api,
            ROCKETMQ,
            json!({"topicConfigTable": {"order.created": {}}}),
        )
        .await,
        400,
        "DMS.10240007",
    );
    assert_error(
        &create_task(
            &api,
            ROCKETMQ,
            json!({"topicConfigTable": {"topic-a": {"topicName": "topic-b"}}}),
        )
        .await,
        400,
        "DMS.00400005",
    );
    assert_error(
        &create_task(
            &api,
            ROCKETMQ,
            json!({"subscriptionGroupTable": {"group-a": {"retryMaxTimes": 17}}}),
        )
        .await,
        400,
        "DMS.00400005",
    );
    let rabbit = [
        ("overwrite", "true"),
        ("name", "task-123"),
        ("type", "rabbitToRocket"),
    ];
    assert_error(
        &create_task(
            &api,
            &rabbit,
            json!({"vhosts": [], "queues": [], "exchanges": []}),
        )
        .await,
        400,
        "DMS.00400005",
    );
    assert_error(
        &create_task(
            &api,
            &rabbit,
            json!({"vhosts": [], "queues": [], "bindings": [], "exchanges": [{"name": "x-ex", "type": "lookup"}]}),
        )
        .await,
        400,
        "DMS.00400005",
    );
    let tasks = api
        .call(Method::Get, &api.path("/metadata"), &[], None)
        .await
        .body;
    assert_eq!(tasks["total"], 0, "no refused request left a task");
}

#[tokio::test]
async fn tasks_are_listed_by_page_queried_by_id_and_deleted_by_both_routes() {
    let api = Seeded::start("4.8.0", 1).await;
    let mut ids = Vec::new();
    for name in ["task-one", "task-two", "task-three"] {
        let query = [("overwrite", "true"), ("name", name), ("type", "rocketmq")];
        let Reply {
            status,
            body: created,
            ..
        } = create_task(&api, &query, rocketmq_export()).await;
        assert_eq!(status, 200);
        ids.push(created["task_id"].as_str().unwrap().to_owned());
    }
    let Reply {
        status, body: all, ..
    } = api
        .call(Method::Get, &api.path("/metadata"), &[], None)
        .await;
    assert_eq!((status, &all["total"]), (200, &json!(3)));
    assert_eq!(all["task"][0]["id"], json!(ids[0]));
    assert!(
        all["task"][0].get("topics").is_none(),
        "the list shows MetadataTask fields only"
    );
    let second_page = api
        .call(
            Method::Get,
            &api.path("/metadata"),
            &[("offset", "2"), ("limit", "2")],
            None,
        )
        .await
        .body;
    assert_eq!(second_page["task"].as_array().unwrap().len(), 1);
    assert_eq!(second_page["task"][0]["name"], "task-three");

    let malformed = api
        .call(
            Method::Get,
            &api.path("/metadata"),
            &[("id", "task-one")],
            None,
        )
        .await;
    assert_error(&malformed, 400, "DMS.00400070");
    let unknown = api
        .call(
            Method::Get,
            &api.path("/metadata"),
            &[("id", "6cf4dcd3-8471-4139-8b5b-8a3a71f704c7")],
            None,
        )
        .await;
    assert_error(&unknown, 404, "DMS.10240406");

    let seed_route = api
        .call(
            Method::Delete,
            &api.path("/metadata"),
            &[],
            Some(json!({"task_ids": [ids[0], "6cf4dcd3-8471-4139-8b5b-8a3a71f704c7"]})),
        )
        .await;
    assert_eq!(seed_route, (200, json!({"success_task_list": [ids[0]]})));
    let sdk_route = api
        .call(
            Method::Post,
            &api.path("/metadata/batch-delete"),
            &[],
            Some(json!({"task_ids": [ids[1]]})),
        )
        .await;
    assert_eq!(sdk_route, (200, json!({"success_task_list": [ids[1]]})));
    let left = api
        .call(Method::Get, &api.path("/metadata"), &[], None)
        .await
        .body;
    assert_eq!(
        (&left["total"], &left["task"][0]["id"]),
        (&json!(1), &json!(ids[2]))
    );

    let empty = api
        .call(
            Method::Post,
            &api.path("/metadata/batch-delete"),
            &[],
            Some(json!({"task_ids": []})),
        )
        .await;
    assert_error(&empty, 400, "DMS.00400005");
    let not_ids = api
        .call(
            Method::Post,
            &api.path("/metadata/batch-delete"),
            &[],
            Some(json!({"task_ids": ["nope"]})),
        )
        .await;
    assert_error(&not_ids, 400, "DMS.00400070");
}
