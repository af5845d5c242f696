//! §5.1 instance operations over real HTTP against the loopback mock: method, raw path, query,
//! body and signature as sent, and the catalogue's example responses as decoded.

use dms_console::api::models::common::Paging;
use dms_console::api::models::instances::{
    BatchDeleteInstancesReq, CreateInstanceReq, ListInstancesQuery, UpdateInstanceReq,
};
use dms_console::api::{DmsClient, Engine, ErrorKind};
use serde_json::json;

use crate::support::mock_dms::{MockDms, MockResponse};

fn fixture(text: &str) -> MockResponse {
    MockResponse::raw(200, text)
}

#[tokio::test]
async fn listing_instances_sends_every_filter_and_the_clients_engine_by_default() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.1.1-list-instances.json"
    )));
    let query = ListInstancesQuery {
        name: Some("reliability".into()),
        status: Some("RUNNING".into()),
        include_failure: Some(true),
        exact_match_name: Some(false),
        enterprise_project_id: Some("0".into()),
        limit: Some(10),
        offset: Some(0),
        ..Default::default()
    };
    let reply = mock.client().list_instances(&query).await.unwrap();
    assert_eq!(reply.instance_num, 1);
    let instance = &reply.instances[0];
    assert_eq!(instance.name, "reliability-ztest");
    assert_eq!(instance.instance_type, "cluster");
    assert_eq!(instance.charging_mode, Some(1));
    assert_eq!(instance.created_at_millis(), Some(1_636_699_753_874));
    assert_eq!(instance.node_num, Some(5));
    assert_eq!(instance.broker_num, Some(1));
    assert_eq!(instance.storage_space, 558);
    assert_eq!(instance.available_zone_names, vec!["AZ3".to_owned()]);
    assert!(instance.features().any(|f| f == "rocketmq.acl"));
    mock.single().assert(
        "GET",
        "/v2/{project_id}/instances",
        &[
            ("engine", "rocketmq"),
            ("name", "reliability"),
            ("status", "RUNNING"),
            ("include_failure", "true"),
            ("exact_match_name", "false"),
            ("enterprise_project_id", "0"),
            ("limit", "10"),
            ("offset", "0"),
        ],
        None,
    );
}

fn create_request() -> CreateInstanceReq {
    CreateInstanceReq {
        name: "reliability-1751840557".into(),
        description: Some(String::new()),
        engine: "reliability".into(),
        engine_version: "4.8.0".into(),
        storage_space: 600,
        vpc_id: "3db8490c-4d6d-4d8f-8d3f-047b0de4c5cf".into(),
        subnet_id: "0a0f1fcb-f019-458d-b9e5-301867394d50".into(),
        security_group_id: "23c5977f-ff33-4b95-a73e-08d8a0bc4e6c".into(),
        available_zones: vec!["9f1c5806706d4c1fb0eb72f0a9b18c77".into()],
        product_id: "c6.4u8g.cluster".into(),
        enterprise_project_id: Some("0".into()),
        ssl_enable: Some(false),
        storage_spec_code: "dms.physical.storage.ultra.v2".into(),
        ipv6_enable: Some(false),
        enable_publicip: Some(false),
        publicip_id: Some(String::new()),
        broker_num: Some(1),
        ..Default::default()
    }
}

#[tokio::test]
async fn creating_an_instance_posts_the_reference_body_to_the_engine_prefixed_path() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.1.2-create-instance.json"
    )));
    let mut config = mock.client_config();
    config.engine = Engine::Reliability;
    let client = DmsClient::new(config).unwrap();
    let reply = client.create_instance(&create_request()).await.unwrap();
    assert_eq!(reply.instance_id, "8959ab1c-7n1a-yyb1-a05t-93dfc361b32d");
    mock.single().assert(
        "POST",
        "/v2/reliability/{project_id}/instances",
        &[],
        Some(json!({
            "name": "reliability-1751840557", "description": "", "engine": "reliability",
            "engine_version": "4.8.0", "storage_space": 600,
            "vpc_id": "3db8490c-4d6d-4d8f-8d3f-047b0de4c5cf",
            "subnet_id": "0a0f1fcb-f019-458d-b9e5-301867394d50",
            "security_group_id": "23c5977f-ff33-4b95-a73e-08d8a0bc4e6c",
            "available_zones": ["9f1c5806706d4c1fb0eb72f0a9b18c77"], "product_id": "c6.4u8g.cluster",
            "enterprise_project_id": "0", "ssl_enable": false,
            "storage_spec_code": "dms.physical.storage.ultra.v2",
            "ipv6_enable": false, "enable_publicip": false, "publicip_id": "", "broker_num": 1
        })),
    );
}

#[tokio::test]
async fn a_failed_instance_create_is_never_repeated() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::error(502, "APIGW.0202", "bad gateway"));
    let error = mock
        .client()
        .create_instance(&create_request())
        .await
        .unwrap_err();
    assert_eq!(error.status, Some(502));
    assert_eq!(error.attempts, 1);
    assert_eq!(mock.requests().len(), 1);
    assert_eq!(mock.single().raw_path.split('/').nth(2), Some("rocketmq"));
}

#[tokio::test]
async fn showing_an_instance_decodes_the_5x_example_with_its_5x_only_fields() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.1.3-show-instance.json"
    )));
    let reply = mock
        .client()
        .show_instance("68fdc9a8-805e-439d-8dd9-25adc1c58bf6")
        .await
        .unwrap();
    assert_eq!(reply.engine_version, "5.x");
    assert_eq!(reply.instance_type, "single.basic");
    assert_eq!(reply.subnet_name, "subnet-test");
    assert_eq!(reply.subnet_cidr, "192.168.64.0/18");
    assert!(reply.enable_publicip);
    assert_eq!(reply.grpc_address, "192.168.93.114:8080");
    assert_eq!(reply.broker_num, None, "5.x instances have no broker count");
    mock.single().assert(
        "GET",
        "/v2/{project_id}/instances/68fdc9a8-805e-439d-8dd9-25adc1c58bf6",
        &[],
        None,
    );
}

#[tokio::test]
async fn deleting_an_instance_sends_a_bodiless_delete_and_accepts_204() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::empty(204));
    let reply = mock.client().delete_instance("i-1").await.unwrap();
    assert_eq!(reply.status, 204);
    mock.single()
        .assert("DELETE", "/v2/{project_id}/instances/i-1", &[], None);
}

#[tokio::test]
async fn updating_an_instance_puts_only_the_fields_given() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::empty(204));
    let body = UpdateInstanceReq {
        name: Some("rocketmq001".into()),
        description: Some("RocketMQ description".into()),
        ..Default::default()
    };
    let reply = mock.client().update_instance("i-1", &body).await.unwrap();
    assert_eq!(reply.status, 204);
    mock.single().assert(
        "PUT",
        "/v2/{project_id}/instances/i-1",
        &[],
        Some(json!({"name": "rocketmq001", "description": "RocketMQ description"})),
    );
}

#[tokio::test]
async fn batch_deleting_instances_posts_the_ids_and_reads_each_result() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.1.6-batch-delete-instances.json"
    )));
    let body = BatchDeleteInstancesReq::instances([
        "54602a9d-5e22-4239-9123-77e350df4a34",
        "7166cdea-dbad-4d79-9610-7163e6f8b640",
    ]);
    let reply = mock.client().batch_delete_instances(&body).await.unwrap();
    assert_eq!(reply.results.len(), 1);
    assert_eq!(reply.results[0].result, "success");
    assert_eq!(
        reply.results[0].instance,
        "019cacb7-4ff0-4d3c-9f33-f5f7b7fdc0e6"
    );
    mock.single().assert(
        "POST",
        "/v2/{project_id}/instances/action",
        &[],
        Some(json!({"action": "delete", "instances": [
            "54602a9d-5e22-4239-9123-77e350df4a34",
            "7166cdea-dbad-4d79-9610-7163e6f8b640"
        ]})),
    );
}

#[tokio::test]
async fn deleting_all_failed_instances_accepts_the_empty_204_answer() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::empty(204));
    let reply = mock
        .client()
        .batch_delete_instances(&BatchDeleteInstancesReq::all_failed())
        .await
        .unwrap();
    assert_eq!(reply.status, 204);
    assert!(reply.results.is_empty());
    mock.single().assert(
        "POST",
        "/v2/{project_id}/instances/action",
        &[],
        Some(json!({"action": "delete", "all_failure": "reliability"})),
    );
}

#[tokio::test]
async fn a_failed_batch_delete_is_never_repeated() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::error(504, "APIGW.0201", "backend timeout"));
    let error = mock
        .client()
        .batch_delete_instances(&BatchDeleteInstancesReq::instances(["i-1"]))
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Server);
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn listing_brokers_sends_paging_and_decodes_the_node_ids() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.1.7-list-brokers.json"
    )));
    let reply = mock
        .client()
        .list_brokers("i-1", &Paging::new(10, 0))
        .await
        .unwrap();
    assert_eq!(reply.brokers.len(), 1);
    assert_eq!(reply.brokers[0].broker_name, "broker-0");
    assert_eq!(reply.brokers[0].ids, vec![0, 1, 2]);
    assert_eq!(reply.total, None);
    mock.single().assert(
        "GET",
        "/v2/{project_id}/instances/i-1/brokers",
        &[("limit", "10"), ("offset", "0")],
        None,
    );
}
