//! §5.4 message operations and the SDK-only `SendMessage` over real HTTP against the mock DMS.

use dms_console::api::ErrorKind;
use dms_console::api::models::messages::{
    DlqResendRequest, ExportDlqMessagesRequest, ListMessageTraceQuery, ListMessagesQuery,
    MessageProperty, SendMessageRequest, VerifyConsumptionRequest,
};
use serde_json::json;

use crate::support::mock_dms::{MockDms, MockResponse};

const INSTANCE: &str = "11c45539-0000-4000-8000-812c41f61f30";

fn fixture(body: &str) -> MockResponse {
    MockResponse::raw(200, body)
}

#[tokio::test]
async fn list_messages_sends_topic_time_range_and_paging_and_decodes_the_messages() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.4.1-list-messages.json"
    )));
    let query = ListMessagesQuery {
        topic: "topic-test".into(),
        key: Some("order-1".into()),
        start_time: Some(1_648_888_000_000),
        end_time: Some(1_648_889_000_000),
        limit: Some(10),
        offset: Some(0),
        ..Default::default()
    };
    let reply = mock.client().list_messages(INSTANCE, &query).await.unwrap();
    assert_eq!(reply.total, 1);
    let message = &reply.messages[0];
    assert_eq!(message.msg_id, "C0A807C90000277400000000000000030");
    assert_eq!(message.store_timestamp, 1_648_888_166_319);
    assert_eq!(message.body, "xxxx");
    assert_eq!(message.queue_id, 2);
    assert_eq!(
        message.property("UNIQ_KEY"),
        Some("7F00000123DC6E0BE85808B037820000")
    );
    mock.single().assert(
        "GET",
        &format!("/v2/rocketmq/{{project_id}}/instances/{INSTANCE}/messages"),
        &[
            ("topic", "topic-test"),
            ("key", "order-1"),
            ("start_time", "1648888000000"),
            ("end_time", "1648889000000"),
            ("limit", "10"),
            ("offset", "0"),
        ],
        None,
    );
}

#[tokio::test]
async fn a_dlq_topic_and_a_message_id_travel_percent_encoded_in_the_query() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::json(200, json!({"messages": [], "total": 0})));
    let query = ListMessagesQuery {
        topic: "%DLQ%group1".into(),
        msg_id: Some("C0A8011700002774000000000013B19D".into()),
        ..Default::default()
    };
    let reply = mock.client().list_messages(INSTANCE, &query).await.unwrap();
    assert!(reply.messages.is_empty());
    let request = mock.single();
    request.assert(
        "GET",
        &format!("/v2/rocketmq/{{project_id}}/instances/{INSTANCE}/messages"),
        &[
            ("topic", "%DLQ%group1"),
            ("msg_id", "C0A8011700002774000000000013B19D"),
        ],
        None,
    );
    assert_eq!(
        request.raw_query,
        "msg_id=C0A8011700002774000000000013B19D&topic=%25DLQ%25group1"
    );
}

#[tokio::test]
async fn list_message_trace_reads_the_seeds_bare_array() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.4.2-message-trace-bare-array.json"
    )));
    let query = ListMessageTraceQuery {
        msg_id: "7F000001561018B4AAC26B9A0D1D0004".into(),
        ..Default::default()
    };
    let reply = mock
        .client()
        .list_message_trace(INSTANCE, &query)
        .await
        .unwrap();
    assert_eq!(reply.trace.len(), 1);
    assert_eq!(reply.trace[0].trace_type, "Pub");
    assert_eq!(reply.trace[0].cost_time, 47.0);
    assert_eq!(reply.trace[0].transaction_state, None);
    assert_eq!(reply.total, None);
    mock.single().assert(
        "GET",
        &format!("/v2/rocketmq/{{project_id}}/instances/{INSTANCE}/trace"),
        &[("msg_id", "7F000001561018B4AAC26B9A0D1D0004")],
        None,
    );
}

#[tokio::test]
async fn list_message_trace_reads_the_sdk_envelope_and_sends_its_paging() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.4.2-message-trace.json"
    )));
    let query = ListMessageTraceQuery {
        msg_id: "7F000001561018B4AAC26B9A0D1D0004".into(),
        limit: Some(20),
        offset: Some(0),
    };
    let reply = mock
        .client()
        .list_message_trace(INSTANCE, &query)
        .await
        .unwrap();
    assert_eq!(reply.trace[0].group_name, "ProducerGroupName");
    assert_eq!(reply.trace[0].store_host, "192.168.0.1:10101");
    assert_eq!(reply.total, Some(1));
    assert_eq!(reply.next_offset, Some(-1));
    mock.single().assert(
        "GET",
        &format!("/v2/rocketmq/{{project_id}}/instances/{INSTANCE}/trace"),
        &[
            ("msg_id", "7F000001561018B4AAC26B9A0D1D0004"),
            ("limit", "20"),
            ("offset", "0"),
        ],
        None,
    );
}

fn export_request() -> ExportDlqMessagesRequest {
    ExportDlqMessagesRequest {
        topic: Some("%DLQ%group1".into()),
        msg_id_list: Some(vec![
            "C0A8011700002774000000000013B19D".into(),
            "C0A8011700002774000000000013B30F".into(),
        ]),
        uniq_key_list: Some(vec!["7F000001001C18B4AAC26B8AED170010".into()]),
    }
}

fn export_body() -> serde_json::Value {
    json!({
        "topic": "%DLQ%group1",
        "msg_id_list": ["C0A8011700002774000000000013B19D", "C0A8011700002774000000000013B30F"],
        "uniq_key_list": ["7F000001001C18B4AAC26B8AED170010"]
    })
}

#[tokio::test]
async fn export_dlq_messages_posts_to_the_engine_less_path_and_is_retried_like_a_read() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::error(502, "APIGW.0202", "bad gateway"));
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.4.3-export-dlq-messages.json"
    )));
    let reply = mock
        .client()
        .export_dlq_messages(INSTANCE, &export_request())
        .await
        .unwrap();
    assert_eq!(reply.messages.len(), 1);
    assert_eq!(reply.messages[0].reconsume_times, 5);
    assert_eq!(
        reply.messages[0].property("ORIGIN_MESSAGE_ID"),
        Some("C0A8005B000027750000000000000EBAE")
    );
    let requests = mock.requests();
    assert_eq!(requests.len(), 2, "the export is a read and was repeated");
    for request in requests {
        request.assert(
            "POST",
            &format!("/v2/{{project_id}}/instances/{INSTANCE}/messages/export"),
            &[],
            Some(export_body()),
        );
    }
}

#[tokio::test]
async fn export_dlq_messages_accepts_the_seeds_single_object() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.4.3-export-dlq-messages-single-object.json"
    )));
    let reply = mock
        .client()
        .export_dlq_messages(INSTANCE, &export_request())
        .await
        .unwrap();
    assert_eq!(reply.messages.len(), 1);
    assert_eq!(reply.messages[0].body, "Hello world");
    assert_eq!(reply.messages[0].property_list.len(), 1);
    mock.single().assert(
        "POST",
        &format!("/v2/{{project_id}}/instances/{INSTANCE}/messages/export"),
        &[],
        Some(export_body()),
    );
}

#[tokio::test]
async fn resend_dlq_messages_posts_the_dlq_topic_and_reports_per_message_results() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.4.4-deadletter-resend.json"
    )));
    let body = DlqResendRequest {
        topic: Some("%DLQ%group1".into()),
        msg_id_list: Some(vec!["id1".into()]),
    };
    let reply = mock
        .client()
        .resend_dlq_messages(INSTANCE, &body)
        .await
        .unwrap();
    assert_eq!(reply.resend_results.len(), 1);
    assert_eq!(
        reply.resend_results[0].msg_id,
        "C0A8149E00002776000000000000B6835"
    );
    assert!(reply.resend_results[0].is_success());
    assert_eq!(reply.resend_results[0].error_message, "Success.");
    mock.single().assert(
        "POST",
        &format!("/v2/rocketmq/{{project_id}}/instances/{INSTANCE}/messages/deadletter-resend"),
        &[],
        Some(json!({"topic": "%DLQ%group1", "msg_id_list": ["id1"]})),
    );
}

#[tokio::test]
async fn verify_consumption_posts_group_and_client_without_the_absent_topic() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.4.5-verify-consumption.json"
    )));
    let body = VerifyConsumptionRequest {
        group: "GID_test".into(),
        client_id: "192.168.0.1".into(),
        msg_id_list: Some(vec!["id1".into()]),
        topic: None,
    };
    let reply = mock
        .client()
        .verify_consumption(INSTANCE, &body)
        .await
        .unwrap();
    assert_eq!(reply.resend_results[0].error_code, "DMS.00000000");
    assert!(reply.resend_results[0].is_success());
    mock.single().assert(
        "POST",
        &format!("/v2/rocketmq/{{project_id}}/instances/{INSTANCE}/messages/resend"),
        &[],
        Some(json!({"group": "GID_test", "client_id": "192.168.0.1", "msg_id_list": ["id1"]})),
    );
}

#[tokio::test]
async fn send_message_posts_topic_body_and_properties_and_decodes_the_stored_message() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/sdk-send-message.json"
    )));
    let body = SendMessageRequest {
        topic: "topic-test".into(),
        body: "hello".into(),
        property_list: Some(vec![
            MessageProperty::new("KEYS", "order-1"),
            MessageProperty::new("TAGS", "TagA"),
        ]),
    };
    let reply = mock.client().send_message(INSTANCE, &body).await.unwrap();
    assert_eq!(reply.msg_id, "C0A807C9000027740000000000000031");
    assert_eq!(reply.queue_offset, 42);
    assert_eq!(reply.broker_name, "broker-0");
    mock.single().assert(
        "POST",
        &format!("/v2/rocketmq/{{project_id}}/instances/{INSTANCE}/messages"),
        &[],
        Some(json!({
            "topic": "topic-test",
            "body": "hello",
            "property_list": [{"name": "KEYS", "value": "order-1"}, {"name": "TAGS", "value": "TagA"}]
        })),
    );
}

#[tokio::test]
async fn message_mutations_are_sent_once_even_after_a_gateway_error() {
    let mock = MockDms::start().await;
    let client = mock.client();
    let resend = DlqResendRequest {
        topic: Some("%DLQ%g".into()),
        msg_id_list: Some(vec!["id1".into()]),
    };
    let verify = VerifyConsumptionRequest {
        group: "g".into(),
        client_id: "c".into(),
        ..Default::default()
    };
    let send = SendMessageRequest {
        topic: "t".into(),
        body: "b".into(),
        property_list: None,
    };
    for attempt in 0..3 {
        mock.clear();
        mock.push(MockResponse::error(502, "APIGW.0202", "bad gateway"));
        let error = match attempt {
            0 => client
                .resend_dlq_messages(INSTANCE, &resend)
                .await
                .map(|_| ()),
            1 => client
                .verify_consumption(INSTANCE, &verify)
                .await
                .map(|_| ()),
            _ => client.send_message(INSTANCE, &send).await.map(|_| ()),
        }
        .unwrap_err();
        assert_eq!(error.kind, ErrorKind::Server);
        assert_eq!(error.status, Some(502));
        assert_eq!(mock.requests().len(), 1, "operation {attempt} was repeated");
    }
}
