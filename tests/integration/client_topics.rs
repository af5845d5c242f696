//! §5.3 topic operations over real HTTP against the loopback mock: method, raw path (topic
//! names percent-encoded), query, body and signature as sent, and the catalogue's example
//! responses as decoded.

use dms_console::api::models::common::Paging;
use dms_console::api::models::topics::{CreateTopicReq, TopicQueues, UpdateTopicReq};
use serde_json::json;

use crate::support::mock_dms::{MockDms, MockResponse};

fn fixture(text: &str) -> MockResponse {
    MockResponse::raw(200, text)
}

#[tokio::test]
async fn creating_a_topic_posts_its_name_queues_and_permission() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.3.1-create-topic.json"
    )));
    let body = CreateTopicReq {
        name: "topic-test".into(),
        brokers: Some(vec!["broker-0".into()]),
        permission: Some("all".into()),
        queues: Some(vec![TopicQueues {
            broker: "broker-0".into(),
            queue_num: 3,
        }]),
        ..Default::default()
    };
    let reply = mock.client().create_topic("i-1", &body).await.unwrap();
    assert_eq!(reply.id, "topic-test");
    mock.single().assert(
        "POST",
        "/v2/{project_id}/instances/i-1/topics",
        &[],
        Some(json!({
            "name": "topic-test", "brokers": ["broker-0"], "permission": "all",
            "queues": [{"broker": "broker-0", "queue_num": 3}]
        })),
    );
}

#[tokio::test]
async fn creating_a_5x_topic_sends_only_its_name_and_message_type() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.3.1-create-topic.json"
    )));
    let body = CreateTopicReq {
        name: "topic-test".into(),
        message_type: Some("NORMAL".into()),
        ..Default::default()
    };
    mock.client().create_topic("i-1", &body).await.unwrap();
    mock.single().assert(
        "POST",
        "/v2/{project_id}/instances/i-1/topics",
        &[],
        Some(json!({"name": "topic-test", "message_type": "NORMAL"})),
    );
}

#[tokio::test]
async fn a_topic_create_whose_connection_dropped_is_never_repeated_and_has_an_unknown_outcome() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::hang_up());
    let body = CreateTopicReq {
        name: "topic-test".into(),
        ..Default::default()
    };
    let error = mock.client().create_topic("i-1", &body).await.unwrap_err();
    assert!(error.outcome_unknown);
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn batch_deleting_topics_posts_action_delete_with_the_names() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.3.1-batch-delete-topics.json"
    )));
    let reply = mock
        .client()
        .batch_delete_topics("i-1", &["topic-test".into()])
        .await
        .unwrap();
    assert_eq!(reply.job_id, "8abfa7b27da211df017da340427b0b21");
    mock.single().assert(
        "POST",
        "/v2/{project_id}/instances/i-1/topics",
        &[("action", "delete")],
        Some(json!({"topics": ["topic-test"]})),
    );
}

#[tokio::test]
async fn listing_topics_sends_paging_and_reads_the_quota_and_queues() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.3.2-list-topics.json"
    )));
    let reply = mock
        .client()
        .list_topics("i-1", &Paging::new(10, 0))
        .await
        .unwrap();
    assert_eq!(reply.total, 3);
    assert_eq!(reply.max, 2000);
    assert_eq!(reply.remaining, 1997);
    assert_eq!(reply.previous_offset, -1);
    assert_eq!(reply.topics.len(), 2);
    assert_eq!(reply.topics[1].name, "topic-2");
    assert_eq!(reply.topics[0].total_write_queue_num, 3);
    assert_eq!(reply.topics[0].brokers[0].read_queue_num, 3);
    assert_eq!(reply.topics[0].message_type, "NORMAL");
    mock.single().assert(
        "GET",
        "/v2/{project_id}/instances/i-1/topics",
        &[("limit", "10"), ("offset", "0")],
        None,
    );
}

#[tokio::test]
async fn deleting_a_topic_percent_encodes_its_name_and_accepts_204() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::empty(204));
    let reply = mock
        .client()
        .delete_topic("i-1", "orders|eu%1")
        .await
        .unwrap();
    assert_eq!(reply.status, 204);
    mock.single().assert(
        "DELETE",
        "/v2/{project_id}/instances/i-1/topics/orders%7Ceu%251",
        &[],
        None,
    );
}

#[tokio::test]
async fn showing_a_topic_tolerates_the_missing_name_of_the_example() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.3.4-show-topic.json"
    )));
    let reply = mock.client().show_topic("i-1", "topic-1").await.unwrap();
    assert_eq!(reply.name, "");
    assert_eq!(reply.total_read_queue_num, 3);
    assert_eq!(reply.permission, "all");
    assert_eq!(reply.brokers[0].broker_name, "broker-0");
    assert_eq!(reply.created_at, None);
    mock.single().assert(
        "GET",
        "/v2/{project_id}/instances/i-1/topics/topic-1",
        &[],
        None,
    );
}

#[tokio::test]
async fn updating_a_topic_puts_queue_counts_and_permission() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::empty(204));
    let body = UpdateTopicReq {
        read_queue_num: Some(3),
        write_queue_num: Some(3),
        permission: Some("all".into()),
        ..Default::default()
    };
    let reply = mock
        .client()
        .update_topic("i-1", "topic-1", &body)
        .await
        .unwrap();
    assert_eq!(reply.status, 204);
    mock.single().assert(
        "PUT",
        "/v2/{project_id}/instances/i-1/topics/topic-1",
        &[],
        Some(json!({"read_queue_num": 3, "write_queue_num": 3, "permission": "all"})),
    );
}

#[tokio::test]
async fn listing_the_groups_of_a_topic_sends_paging_and_reads_the_names() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.3.6-list-topic-groups.json"
    )));
    let reply = mock
        .client()
        .list_topic_groups("i-1", "topic-1", &Paging::new(50, 10))
        .await
        .unwrap();
    assert_eq!(
        reply.groups,
        vec!["CID_JODIE_1".to_owned(), "test_consumer".to_owned()]
    );
    assert_eq!(reply.total, None);
    mock.single().assert(
        "GET",
        "/v2/{project_id}/instances/i-1/topics/topic-1/groups",
        &[("limit", "50"), ("offset", "10")],
        None,
    );
}

#[tokio::test]
async fn showing_topic_status_reads_the_brokers_as_a_list() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.3.7-topic-status.json"
    )));
    let reply = mock
        .client()
        .show_topic_status("i-1", "topic-1")
        .await
        .unwrap();
    assert_eq!(reply.max_offset, Some(2));
    assert_eq!(reply.min_offset, Some(0));
    assert_eq!(reply.brokers[0].broker_name, "broker-0");
    assert_eq!(reply.brokers[0].queues[0].max_offset, 2);
    assert_eq!(
        reply.brokers[0].queues[0].last_message_time,
        1_662_689_877_152
    );
    mock.single().assert(
        "GET",
        "/v2/{project_id}/instances/i-1/topics/topic-1/status",
        &[],
        None,
    );
}

#[tokio::test]
async fn showing_topic_status_reads_the_single_broker_object_of_the_reference_example() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.3.7-topic-status-single-broker.json"
    )));
    let reply = mock
        .client()
        .show_topic_status("i-1", "topic-1")
        .await
        .unwrap();
    assert_eq!(reply.max_offset, None);
    assert_eq!(reply.brokers.len(), 1);
    assert_eq!(reply.brokers[0].broker_name, "broker-0");
    assert_eq!(reply.brokers[0].queues[0].id, 0);
    assert_eq!(reply.brokers[0].queues[0].max_offset, 2);
}

#[tokio::test]
async fn reads_of_topics_are_retried_after_a_bad_gateway() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::error(502, "APIGW.0202", "bad gateway"));
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.3.4-show-topic.json"
    )));
    let reply = mock.client().show_topic("i-1", "topic-1").await.unwrap();
    assert_eq!(reply.permission, "all");
    assert_eq!(mock.requests().len(), 2);
}
