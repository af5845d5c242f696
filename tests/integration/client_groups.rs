//! §5.2 consumer group operations over real HTTP against the loopback mock: method, raw path
//! (group names percent-encoded), query, body and signature as sent, and the catalogue's
//! example responses as decoded.

use dms_console::api::models::common::Paging;
use dms_console::api::models::groups::{
    BatchUpdateConsumerGroupsReq, ConsumerGroupChange, CreateConsumerGroupReq,
    ListConsumerClientsQuery, ListConsumerGroupsQuery, ResetConsumeOffsetReq,
    UpdateConsumerGroupReq,
};
use dms_console::api::{DmsClient, Engine};
use serde_json::json;

use crate::support::mock_dms::{MockDms, MockResponse};

fn fixture(text: &str) -> MockResponse {
    MockResponse::raw(200, text)
}

#[tokio::test]
async fn listing_consumer_groups_sends_the_name_filter_and_reads_the_camel_case_creation_time() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.2.1-list-consumer-groups.json"
    )));
    let query = ListConsumerGroupsQuery {
        group: Some("group".into()),
        limit: Some(10),
        offset: Some(0),
    };
    let reply = mock
        .client()
        .list_consumer_groups("i-1", &query)
        .await
        .unwrap();
    assert_eq!(reply.total, 1);
    assert_eq!(reply.max, 4000);
    assert_eq!(reply.remaining, 3999);
    assert_eq!(reply.next_offset, -1);
    let group = &reply.groups[0];
    assert_eq!(group.name, "group-1");
    assert!(group.enabled);
    assert!(!group.broadcast);
    assert_eq!(group.brokers, vec!["broker-0".to_owned()]);
    assert_eq!(group.created_at, Some(1_709_087_952_686));
    assert_eq!(group.retry_max_time, 16);
    mock.single().assert(
        "GET",
        "/v2/{project_id}/instances/i-1/groups",
        &[("group", "group"), ("limit", "10"), ("offset", "0")],
        None,
    );
}

#[tokio::test]
async fn creating_a_consumer_group_posts_its_name_brokers_and_retries_without_an_action() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.2.2-create-consumer-group.json"
    )));
    let body = CreateConsumerGroupReq {
        name: "consumer-group-test".into(),
        group_desc: Some("group_description".into()),
        brokers: Some(vec!["broker-0".into()]),
        broadcast: Some(false),
        retry_max_time: Some(16),
        ..Default::default()
    };
    let reply = mock
        .client()
        .create_consumer_group("i-1", &body)
        .await
        .unwrap();
    assert_eq!(reply.name, "consumer-group-test");
    mock.single().assert(
        "POST",
        "/v2/{project_id}/instances/i-1/groups",
        &[],
        Some(json!({
            "name": "consumer-group-test", "group_desc": "group_description",
            "brokers": ["broker-0"], "broadcast": false, "retry_max_time": 16
        })),
    );
}

#[tokio::test]
async fn a_failed_consumer_group_create_is_never_repeated() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::error(502, "APIGW.0202", "bad gateway"));
    let body = CreateConsumerGroupReq {
        name: "g-1".into(),
        ..Default::default()
    };
    let error = mock
        .client()
        .create_consumer_group("i-1", &body)
        .await
        .unwrap_err();
    assert_eq!(error.status, Some(502));
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn batch_deleting_consumer_groups_posts_action_delete_with_the_names() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.2.2-batch-delete-consumer-groups.json"
    )));
    let reply = mock
        .client()
        .batch_delete_consumer_groups("i-1", &["consumer-group-test".into(), "%RETRY%g|1".into()])
        .await
        .unwrap();
    assert_eq!(reply.job_id, "8abfa7b27da211df017da340427b0a10");
    mock.single().assert(
        "POST",
        "/v2/{project_id}/instances/i-1/groups",
        &[("action", "delete")],
        Some(json!({"groups": ["consumer-group-test", "%RETRY%g|1"]})),
    );
}

#[tokio::test]
async fn batch_updating_consumer_groups_puts_each_change_and_returns_the_task() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.2.3-batch-update-consumer-groups.json"
    )));
    let body = BatchUpdateConsumerGroupsReq {
        groups: vec![ConsumerGroupChange {
            name: "consumer-group-test".into(),
            enabled: Some(true),
            broadcast: Some(false),
            consume_orderly: Some(false),
            retry_max_time: Some(16),
            ..Default::default()
        }],
    };
    let reply = mock
        .client()
        .batch_update_consumer_groups("i-1", &body)
        .await
        .unwrap();
    assert_eq!(reply.job_id, "8abfa7b27da211df017da340427b0979");
    mock.single().assert(
        "PUT",
        "/v2/{project_id}/instances/i-1/groups",
        &[],
        Some(json!({"groups": [{
            "name": "consumer-group-test", "enabled": true, "broadcast": false,
            "consume_orderly": false, "retry_max_time": 16
        }]})),
    );
}

#[tokio::test]
async fn deleting_a_consumer_group_percent_encodes_percent_and_pipe_in_its_name() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::empty(204));
    let reply = mock
        .client()
        .delete_consumer_group("i-1", "%DLQ%group|a")
        .await
        .unwrap();
    assert_eq!(reply.status, 204);
    mock.single().assert(
        "DELETE",
        "/v2/{project_id}/instances/i-1/groups/%25DLQ%25group%7Ca",
        &[],
        None,
    );
}

#[tokio::test]
async fn showing_a_consumer_group_tolerates_null_application_fields() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.2.5-show-consumer-group.json"
    )));
    let reply = mock
        .client()
        .show_consumer_group("i-1", "test")
        .await
        .unwrap();
    assert_eq!(reply.name, "test");
    assert!(reply.broadcast);
    assert_eq!(reply.retry_max_time, 10);
    assert_eq!(reply.app_id, None);
    assert_eq!(reply.created_at, None);
    assert!(reply.permissions.is_empty());
    mock.single().assert(
        "GET",
        "/v2/{project_id}/instances/i-1/groups/test",
        &[],
        None,
    );
}

#[tokio::test]
async fn updating_a_consumer_group_puts_the_mandatory_flags() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::empty(204));
    let body = UpdateConsumerGroupReq {
        name: Some("consumer-group-test".into()),
        enabled: true,
        retry_max_time: 16,
        broadcast: true,
        ..Default::default()
    };
    let reply = mock
        .client()
        .update_consumer_group("i-1", "consumer-group-test", &body)
        .await
        .unwrap();
    assert_eq!(reply.status, 204);
    mock.single().assert(
        "PUT",
        "/v2/{project_id}/instances/i-1/groups/consumer-group-test",
        &[],
        Some(json!({
            "name": "consumer-group-test", "enabled": true, "retry_max_time": 16, "broadcast": true
        })),
    );
}

#[tokio::test]
async fn an_update_is_repeated_once_after_a_bad_gateway() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::error(502, "APIGW.0202", "bad gateway"));
    mock.push(MockResponse::error(502, "APIGW.0202", "bad gateway"));
    let body = UpdateConsumerGroupReq {
        enabled: true,
        broadcast: false,
        retry_max_time: 3,
        ..Default::default()
    };
    let error = mock
        .client()
        .update_consumer_group("i-1", "g-1", &body)
        .await
        .unwrap_err();
    assert_eq!(error.attempts, 2);
    assert_eq!(mock.requests().len(), 2);
}

#[tokio::test]
async fn listing_the_topics_of_a_group_sends_no_topic_parameter() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.2.7-group-topics-list.json"
    )));
    let reply = mock
        .client()
        .list_group_topics("i-1", "group-1", &Paging::new(10, 0))
        .await
        .unwrap();
    assert_eq!(reply.topics, vec!["topic-test".to_owned()]);
    assert_eq!(reply.total, 1);
    mock.single().assert(
        "GET",
        "/v2/{project_id}/instances/i-1/groups/group-1/topics",
        &[("limit", "10"), ("offset", "0")],
        None,
    );
}

#[tokio::test]
async fn showing_a_groups_progress_on_a_topic_sends_the_topic_and_reads_every_queue() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.2.7-group-topics-detail.json"
    )));
    let reply = mock
        .client()
        .show_group_topic_detail("i-1", "group-1", "test0001", &Paging::default())
        .await
        .unwrap();
    assert_eq!(reply.max_offset, 1);
    assert_eq!(reply.consumer_offset, 1);
    assert_eq!(reply.brokers[0].broker_name, "broker-0");
    let queues = &reply.brokers[0].queues;
    assert_eq!(queues.len(), 3);
    assert_eq!(queues[1].broker_offset, 1);
    assert_eq!(queues[1].last_message_time, 1_679_398_537_088);
    assert_eq!(queues[2].id, 2);
    mock.single().assert(
        "GET",
        "/v2/{project_id}/instances/i-1/groups/group-1/topics",
        &[("topic", "test0001")],
        None,
    );
}

#[tokio::test]
async fn resetting_offsets_posts_topic_and_timestamp_to_the_engine_prefixed_path() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.2.8-reset-consume-offset.json"
    )));
    let mut config = mock.client_config();
    config.engine = Engine::Reliability;
    let client = DmsClient::new(config).unwrap();
    let body = ResetConsumeOffsetReq {
        topic: "topic_01".into(),
        timestamp: 1_662_652_800_000,
    };
    let reply = client
        .reset_consume_offset("i-1", "%RETRY%g|1", &body)
        .await
        .unwrap();
    assert_eq!(reply.queues.len(), 1);
    assert_eq!(reply.queues[0].broker_name, "broker-1");
    assert_eq!(reply.queues[0].queue_id, 0);
    assert_eq!(reply.queues[0].timestamp_offset, 0);
    mock.single().assert(
        "POST",
        "/v2/reliability/{project_id}/instances/i-1/groups/%25RETRY%25g%7C1/reset-message-offset",
        &[],
        Some(json!({"topic": "topic_01", "timestamp": 1662652800000_i64})),
    );
}

#[tokio::test]
async fn an_offset_reset_that_timed_out_at_the_gateway_is_never_repeated() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::error(504, "APIGW.0201", "backend timeout"));
    let body = ResetConsumeOffsetReq {
        topic: "t".into(),
        timestamp: 0,
    };
    mock.client()
        .reset_consume_offset("i-1", "g-1", &body)
        .await
        .unwrap_err();
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn listing_consumer_clients_keeps_the_literal_rocketmq_segment_whatever_the_engine() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.2.9-list-consumer-clients.json"
    )));
    let mut config = mock.client_config();
    config.engine = Engine::Reliability;
    let client = DmsClient::new(config).unwrap();
    let query = ListConsumerClientsQuery {
        limit: Some(10),
        offset: Some(0),
        is_detail: Some(true),
    };
    let reply = client
        .list_consumer_clients("i-1", "test", &query)
        .await
        .unwrap();
    assert_eq!(reply.group_name, "test");
    assert!(reply.online);
    assert!(reply.subscription_consistency);
    assert_eq!(reply.total, 1);
    let consumer = &reply.clients[0];
    assert_eq!(consumer.client_id, "192.168.0.1@consumer1");
    assert_eq!(consumer.client_addr, "192.168.0.1:65233");
    assert_eq!(consumer.subscriptions[0].topic, "topicA");
    assert_eq!(consumer.subscriptions[0].kind, "TAG");
    assert_eq!(consumer.subscriptions[0].expression, "tagA");
    mock.single().assert(
        "GET",
        "/v2/rocketmq/{project_id}/instances/i-1/groups/test/clients",
        &[("is_detail", "true"), ("limit", "10"), ("offset", "0")],
        None,
    );
}
