//! §5.6 metadata migration operations over real HTTP against the mock DMS.

use std::collections::BTreeMap;

use dms_console::api::models::migration::{
    CreateMigrationTaskQuery, ListMigrationTasksQuery, MigrationMetadata, MigrationType,
    RabbitBinding, RabbitExchange, RabbitQueue, RabbitVhost, ShowMigrationTaskQuery,
    SubscriptionGroup, TopicConfig,
};
use serde_json::json;

use crate::support::mock_dms::{MockDms, MockResponse};

const INSTANCE: &str = "11c45539-0000-4000-8000-812c41f61f30";
const TASK: &str = "6cf4dcd3-8471-4139-8b5b-8a3a71f704c7";

fn fixture(body: &str) -> MockResponse {
    MockResponse::raw(200, body)
}

#[tokio::test]
async fn create_migration_task_sends_the_query_and_the_rocketmq_tables_in_camel_case() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.6.1-create-migration-task.json"
    )));
    let topic = TopicConfig {
        topic_name: Some("topic-test1".into()),
        order: Some(false),
        perm: Some(6),
        read_queue_nums: Some(3),
        write_queue_nums: Some(3),
        topic_filter_type: Some("SINGLE_TAG".into()),
        topic_sys_flag: Some(0),
    };
    let group = SubscriptionGroup {
        group_name: Some("group-test1".into()),
        consume_broadcast_enable: Some(true),
        consume_enable: Some(true),
        consume_from_min_enable: Some(true),
        notify_consumer_ids_changed_enable: Some(true),
        retry_max_times: Some(2),
        retry_queue_nums: Some(1),
        which_broker_when_consume_slow: Some(1),
    };
    let body = MigrationMetadata {
        topic_config_table: Some(BTreeMap::from([("topic-test1".to_owned(), topic)])),
        subscription_group_table: Some(BTreeMap::from([("group-test1".to_owned(), group)])),
        ..Default::default()
    };
    let query = CreateMigrationTaskQuery {
        overwrite: true,
        name: "task-123".into(),
        task_type: MigrationType::Rocketmq,
    };
    let reply = mock
        .client()
        .create_migration_task(INSTANCE, &query, &body)
        .await
        .unwrap();
    assert_eq!(reply.task_id, TASK);
    mock.single().assert(
        "POST",
        &format!("/v2/{{project_id}}/instances/{INSTANCE}/metadata"),
        &[("overwrite", "true"), ("name", "task-123"), ("type", "rocketmq")],
        Some(json!({
            "topicConfigTable": {
                "topic-test1": {"order": false, "perm": 6, "readQueueNums": 3, "topicFilterType": "SINGLE_TAG",
                                "topicName": "topic-test1", "topicSysFlag": 0, "writeQueueNums": 3}
            },
            "subscriptionGroupTable": {
                "group-test1": {"consumeBroadcastEnable": true, "consumeEnable": true, "consumeFromMinEnable": true,
                                "groupName": "group-test1", "notifyConsumerIdsChangedEnable": true,
                                "retryMaxTimes": 2, "retryQueueNums": 1, "whichBrokerWhenConsumeSlow": 1}
            }
        })),
    );
}

#[tokio::test]
async fn create_migration_task_sends_rabbitmq_definitions_for_rabbit_to_rocket() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.6.1-create-migration-task.json"
    )));
    let body = MigrationMetadata {
        vhosts: Some(vec![RabbitVhost {
            name: "DeleteVhost123".into(),
        }]),
        queues: Some(vec![RabbitQueue {
            vhost: "/".into(),
            name: "test-001".into(),
            durable: false,
        }]),
        exchanges: Some(vec![RabbitExchange {
            vhost: "/".into(),
            name: "direct".into(),
            exchange_type: "topic".into(),
            durable: false,
        }]),
        bindings: Some(vec![RabbitBinding {
            vhost: "/".into(),
            source: "direct".into(),
            destination: "test-001".into(),
            destination_type: "queue".into(),
            routing_key: "test-001".into(),
        }]),
        ..Default::default()
    };
    let query = CreateMigrationTaskQuery {
        overwrite: false,
        name: "task-123".into(),
        task_type: MigrationType::RabbitToRocket,
    };
    let reply = mock
        .client()
        .create_migration_task(INSTANCE, &query, &body)
        .await
        .unwrap();
    assert_eq!(reply.task_id, TASK);
    mock.single().assert(
        "POST",
        &format!("/v2/{{project_id}}/instances/{INSTANCE}/metadata"),
        &[
            ("overwrite", "false"),
            ("name", "task-123"),
            ("type", "rabbitToRocket"),
        ],
        Some(json!({
            "vhosts": [{"name": "DeleteVhost123"}],
            "queues": [{"name": "test-001", "vhost": "/", "durable": false}],
            "exchanges": [{"name": "direct", "vhost": "/", "type": "topic", "durable": false}],
            "bindings": [{"source": "direct", "vhost": "/", "destination": "test-001",
                          "destination_type": "queue", "routing_key": "test-001"}]
        })),
    );
}

#[tokio::test]
async fn list_migration_tasks_sends_the_page_number_as_offset() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.6.2-list-migration-tasks.json"
    )));
    let query = ListMigrationTasksQuery {
        page: Some(1),
        limit: Some(10),
    };
    let reply = mock
        .client()
        .list_migration_tasks(INSTANCE, &query)
        .await
        .unwrap();
    assert_eq!(reply.total, 1);
    assert_eq!(reply.tasks[0].name, "task-932331847");
    assert_eq!(reply.tasks[0].status, "finished");
    assert_eq!(reply.tasks[0].task_type, "rabbitToRocket");
    mock.single().assert(
        "GET",
        &format!("/v2/{{project_id}}/instances/{INSTANCE}/metadata"),
        &[("offset", "1"), ("limit", "10")],
        None,
    );
}

#[tokio::test]
async fn show_migration_task_selects_the_task_by_id_and_finds_it_in_the_envelope() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.6.2-list-migration-tasks.json"
    )));
    let query = ShowMigrationTaskQuery {
        metadata_type: Some("exchange".into()),
        name: Some("vhost1".into()),
        ..Default::default()
    };
    let reply = mock
        .client()
        .show_migration_task(INSTANCE, TASK, &query)
        .await
        .unwrap();
    let task = reply.find(TASK).expect("the task is listed");
    assert_eq!(task.start_date, "2023-03-13 19:43:32.12");
    mock.single().assert(
        "GET",
        &format!("/v2/{{project_id}}/instances/{INSTANCE}/metadata"),
        &[("id", TASK), ("type", "exchange"), ("name", "vhost1")],
        None,
    );
}

#[tokio::test]
async fn delete_migration_tasks_sends_a_delete_with_a_json_body_and_accepts_no_answer() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::empty(200));
    let reply = mock
        .client()
        .delete_migration_tasks(INSTANCE, &[TASK.to_owned()])
        .await
        .unwrap();
    assert_eq!(reply.status, 200);
    assert!(reply.success_task_list.is_empty());
    mock.single().assert(
        "DELETE",
        &format!("/v2/{{project_id}}/instances/{INSTANCE}/metadata"),
        &[],
        Some(json!({"task_ids": [TASK]})),
    );

    mock.clear();
    mock.push(fixture(include_str!(
        "../fixtures/dms/sdk-batch-delete-migration-tasks.json"
    )));
    let reply = mock
        .client()
        .delete_migration_tasks(INSTANCE, &[TASK.to_owned()])
        .await
        .unwrap();
    assert_eq!(reply.success_task_list, vec![TASK.to_owned()]);
}

#[tokio::test]
async fn batch_delete_migration_tasks_posts_to_the_sdk_route_and_lists_the_deleted_ids() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/sdk-batch-delete-migration-tasks.json"
    )));
    let reply = mock
        .client()
        .batch_delete_migration_tasks(INSTANCE, &[TASK.to_owned(), "unknown".to_owned()])
        .await
        .unwrap();
    assert_eq!(reply.success_task_list, vec![TASK.to_owned()]);
    mock.single().assert(
        "POST",
        &format!("/v2/{{project_id}}/instances/{INSTANCE}/metadata/batch-delete"),
        &[],
        Some(json!({"task_ids": [TASK, "unknown"]})),
    );
}

#[tokio::test]
async fn migration_mutations_are_not_repeated_after_a_gateway_error() {
    let mock = MockDms::start().await;
    let client = mock.client();
    mock.push(MockResponse::error(502, "APIGW.0202", "bad gateway"));
    let query = CreateMigrationTaskQuery {
        overwrite: false,
        name: "task-1".into(),
        task_type: MigrationType::Rocketmq,
    };
    client
        .create_migration_task(INSTANCE, &query, &MigrationMetadata::default())
        .await
        .unwrap_err();
    assert_eq!(mock.requests().len(), 1);

    mock.clear();
    mock.push(MockResponse::error(502, "APIGW.0202", "bad gateway"));
    client
        .batch_delete_migration_tasks(INSTANCE, &[TASK.to_owned()])
        .await
        .unwrap_err();
    assert_eq!(mock.requests().len(), 1);

    mock.clear();
    mock.push(MockResponse::error(502, "APIGW.0202", "bad gateway"));
    let error = client
        .delete_migration_tasks(INSTANCE, &[TASK.to_owned()])
        .await
        .unwrap_err();
    assert_eq!(error.status, Some(502));
    assert_eq!(mock.requests().len(), 1);
}
