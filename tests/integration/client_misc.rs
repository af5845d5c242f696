//! §5.7–§5.11 over real HTTP against the mock DMS: configuration, tags, AZs, products and
//! cores, specification change, nodes and restart.

use dms_console::api::models::common::Tag;
use dms_console::api::models::configs::{ConfigChange, UpdateConfigsRequest};
use dms_console::api::models::extend::{ExtendProductsQuery, ResizeRequest};
use dms_console::api::models::other::{ListProductsQuery, Paging, ProductCoresQuery};
use dms_console::api::{DmsClient, Engine};
use serde_json::json;

use crate::support::mock_dms::{MockDms, MockResponse, PROJECT};

const INSTANCE: &str = "11c45539-0000-4000-8000-812c41f61f30";

fn fixture(body: &str) -> MockResponse {
    MockResponse::raw(200, body)
}

fn tag(key: &str, value: &str) -> Tag {
    Tag {
        key: key.into(),
        value: value.into(),
    }
}

#[tokio::test]
async fn show_configs_reads_numeric_values_as_text() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.7.1-show-configs.json"
    )));
    let reply = mock
        .client()
        .show_configs(INSTANCE, &Paging::default())
        .await
        .unwrap();
    let config = reply.get("fileReservedTime").expect("documented parameter");
    assert_eq!(config.value, "48");
    assert_eq!(config.default_value, "48");
    assert_eq!(config.valid_values, "1~720");
    assert_eq!(config.config_type, "dynamic");
    mock.single().assert(
        "GET",
        &format!("/v2/{{project_id}}/rocketmq/instances/{INSTANCE}/configs"),
        &[],
        None,
    );
}

#[tokio::test]
async fn update_configs_puts_values_as_strings_and_accepts_204() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::empty(204));
    let body = UpdateConfigsRequest {
        rocketmq_configs: vec![ConfigChange::new("fileReservedTime", 72)],
    };
    let reply = mock.client().update_configs(INSTANCE, &body).await.unwrap();
    assert_eq!(reply.status, 204);
    mock.single().assert(
        "PUT",
        &format!("/v2/{{project_id}}/rocketmq/instances/{INSTANCE}/configs"),
        &[],
        Some(json!({"rocketmq_configs": [{"name": "fileReservedTime", "value": "72"}]})),
    );
}

#[tokio::test]
async fn add_instance_tags_posts_the_create_action_without_an_instances_segment() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::empty(204));
    let reply = mock
        .client()
        .add_instance_tags(INSTANCE, &[tag("key1", "value1"), tag("key2", "value2")])
        .await
        .unwrap();
    assert_eq!(reply.status, 204);
    mock.single().assert(
        "POST",
        &format!("/v2/{{project_id}}/rocketmq/{INSTANCE}/tags/action"),
        &[],
        Some(json!({"action": "create", "tags": [
            {"key": "key1", "value": "value1"}, {"key": "key2", "value": "value2"}
        ]})),
    );
}

#[tokio::test]
async fn delete_instance_tags_posts_the_delete_action_and_is_not_repeated() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::empty(204));
    mock.client()
        .delete_instance_tags(INSTANCE, &[tag("key1", "value1")])
        .await
        .unwrap();
    mock.single().assert(
        "POST",
        &format!("/v2/{{project_id}}/rocketmq/{INSTANCE}/tags/action"),
        &[],
        Some(json!({"action": "delete", "tags": [{"key": "key1", "value": "value1"}]})),
    );

    mock.clear();
    mock.push(MockResponse::error(502, "APIGW.0202", "bad gateway"));
    let error = mock
        .client()
        .delete_instance_tags(INSTANCE, &[tag("key1", "value1")])
        .await
        .unwrap_err();
    assert_eq!(error.status, Some(502));
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn show_instance_tags_sends_the_sdk_paging_and_decodes_the_tags() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.8.2-instance-tags.json"
    )));
    let reply = mock
        .client()
        .show_instance_tags(INSTANCE, &Paging::new(10, 0))
        .await
        .unwrap();
    assert_eq!(
        reply.tags,
        vec![tag("key1", "value1"), tag("key2", "value2")]
    );
    assert_eq!(reply.total, None);
    mock.single().assert(
        "GET",
        &format!("/v2/{{project_id}}/rocketmq/{INSTANCE}/tags"),
        &[("limit", "10"), ("offset", "0")],
        None,
    );
}

#[tokio::test]
async fn show_project_tags_lists_each_key_with_its_values() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.8.3-project-tags.json"
    )));
    let reply = mock
        .client()
        .show_project_tags(&Paging::default())
        .await
        .unwrap();
    assert_eq!(reply.tags.len(), 2);
    assert_eq!(reply.tags[0].key, "key1");
    assert_eq!(reply.tags[0].values, vec!["value-test", "value1"]);
    mock.single()
        .assert("GET", "/v2/{project_id}/rocketmq/tags", &[], None);
}

#[tokio::test]
async fn list_available_zones_is_not_project_scoped_but_still_names_the_project() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.9.1-available-zones.json"
    )));
    let reply = mock.client().list_available_zones().await.unwrap();
    assert_eq!(reply.region_id, "xxx");
    assert_eq!(reply.available_zones.len(), 3);
    let third = &reply.available_zones[2];
    assert_eq!(third.id, "9f1c5806706d4c1fb0eb72f0a9b18c77");
    assert!(third.default_az);
    assert_eq!(third.port, "443");
    assert_eq!(third.remain_time, i64::MAX);
    assert!(third.has_resources());
    let request = mock.single();
    request.assert("GET", "/v2/available-zones", &[], None);
    assert_eq!(request.header("x-project-id"), Some(PROJECT));
}

#[tokio::test]
async fn list_products_puts_the_engine_in_the_path_and_the_filters_in_the_query() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.9.2-list-products.json"
    )));
    let query = ListProductsQuery {
        product_type: Some("advanced".into()),
        product_id: Some("c6.4u8g.cluster".into()),
        ..Default::default()
    };
    let reply = mock.client().list_products(&query).await.unwrap();
    assert_eq!(reply.engine, "rocketmq");
    assert!(reply.products.is_empty());
    assert!(reply.versions.is_empty());
    mock.single().assert(
        "GET",
        "/v2/rocketmq/products",
        &[("type", "advanced"), ("product_id", "c6.4u8g.cluster")],
        None,
    );
}

#[tokio::test]
async fn show_product_cores_sends_the_sdk_parameters() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.9.3-product-cores.json"
    )));
    let query = ProductCoresQuery {
        instance_id: None,
        product_id: Some("c6.4u8g.cluster".into()),
        broker_num: Some(3),
    };
    let reply = mock.client().show_product_cores(&query).await.unwrap();
    assert_eq!(reply.core_num, 100);
    assert_eq!(reply.total_extend_storage_space, None);
    mock.single().assert(
        "GET",
        "/v2/rocketmq/products/cores",
        &[("product_id", "c6.4u8g.cluster"), ("broker_num", "3")],
        None,
    );
}

#[tokio::test]
async fn show_extend_products_decodes_the_five_products_and_their_string_limits() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.10.1-extend-products.json"
    )));
    let query = ExtendProductsQuery {
        product_type: Some("advanced".into()),
        ..Default::default()
    };
    let reply = mock
        .client()
        .show_extend_products(INSTANCE, &query)
        .await
        .unwrap();
    assert_eq!(reply.versions, vec!["4.8.0"]);
    assert_eq!(reply.products.len(), 5);
    let first = &reply.products[0];
    assert_eq!(first.product_type, "cluster.small");
    assert_eq!(first.properties.max_broker, "2");
    assert_eq!(first.ios[1].io_spec, "dms.physical.storage.ultra.v2");
    assert!(first.ios[1].available_zones.is_empty());
    assert_eq!(
        reply.products[4].properties.product_alias,
        "rocketmq.16u32g.cluster"
    );
    mock.single().assert(
        "GET",
        &format!("/v2/rocketmq/{{project_id}}/instances/{INSTANCE}/extend"),
        &[("type", "advanced")],
        None,
    );
}

#[tokio::test]
async fn resize_instance_posts_the_seeds_horizontal_change_once() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.10.2-resize-instance.json"
    )));
    let reply = mock
        .client()
        .resize_instance(
            INSTANCE,
            &ResizeRequest::horizontal_product("c6.4u8g.cluster"),
        )
        .await
        .unwrap();
    assert_eq!(reply.job_id, "93b94287-728d-4bb1-a158-cb66cb0854e7");
    mock.single().assert(
        "POST",
        &format!("/v2/rocketmq/{{project_id}}/instances/{INSTANCE}/extend"),
        &[],
        Some(json!({"oper_type": "horizontal", "new_product_id": "c6.4u8g.cluster"})),
    );

    mock.clear();
    mock.push(MockResponse::error(504, "APIGW.0201", "backend timeout"));
    let error = mock
        .client()
        .resize_instance(INSTANCE, &ResizeRequest::storage(600))
        .await
        .unwrap_err();
    assert_eq!(error.status, Some(504));
    mock.single().assert(
        "POST",
        &format!("/v2/rocketmq/{{project_id}}/instances/{INSTANCE}/extend"),
        &[],
        Some(json!({"oper_type": "storage", "new_storage_space": 600})),
    );
}

#[tokio::test]
async fn list_nodes_puts_the_engine_after_the_project() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.11.1-list-nodes.json"
    )));
    let mut config = mock.client_config();
    config.engine = Engine::Reliability;
    let client = DmsClient::new(config).unwrap();
    let reply = client
        .list_nodes(INSTANCE, &Paging::new(10, 0))
        .await
        .unwrap();
    assert_eq!(reply.total, 2);
    assert_eq!(reply.nodes[0].broker_id, "broker-1");
    assert_eq!(reply.nodes[0].broker_id_number(), None);
    assert_eq!(reply.nodes[1].address, "0.0.0.1");
    mock.single().assert(
        "GET",
        &format!("/v2/{{project_id}}/reliability/instances/{INSTANCE}/nodes"),
        &[("limit", "10"), ("offset", "0")],
        None,
    );
}

#[tokio::test]
async fn restart_instance_posts_no_body_and_reads_node_objects_as_names() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.11.2-restart-instance.json"
    )));
    let reply = mock.client().restart_instance(INSTANCE).await.unwrap();
    assert_eq!(reply.result, "success");
    assert_eq!(reply.nodes, vec!["broker-0", "broker-1", "broker-2"]);
    assert_eq!(reply.instance_id, "68fdc9a8-805e-439d-8dd9-25adc1c58bf6");
    let request = mock.single();
    request.assert(
        "POST",
        &format!("/v2/{{project_id}}/rocketmq/instances/{INSTANCE}/restart"),
        &[],
        None,
    );
    assert_eq!(
        request.header("content-length"),
        Some("0"),
        "as the SDK sends it"
    );

    mock.clear();
    mock.push(MockResponse::error(502, "APIGW.0202", "bad gateway"));
    mock.client().restart_instance(INSTANCE).await.unwrap_err();
    assert_eq!(mock.requests().len(), 1, "a restart is never repeated");
}
