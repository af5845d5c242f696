//! Instances through the API, as the instance life-cycle tests create and watch them.

use std::time::{Duration, Instant};

use dms_console::api::{DmsClient, Method};
use serde_json::{Value, json};

use super::calls::call;

/// The AZ the examples use (the default AZ).
pub const AZ: &str = "9f1c5806706d4c1fb0eb72f0a9b18c77";
/// A network id of UUID shape.
pub const NET: &str = "3db8490c-4d6d-4d8f-8d3f-047b0de4c5cf";

/// A valid 4.8.0 create body (5.1.2 example).
pub fn create_body(name: &str) -> Value {
    json!({
        "name": name, "description": "", "engine": "reliability", "engine_version": "4.8.0",
        "storage_space": 600, "vpc_id": NET, "subnet_id": "0a0f1fcb-f019-458d-b9e5-301867394d50",
        "security_group_id": "23c5977f-ff33-4b95-a73e-08d8a0bc4e6c", "available_zones": [AZ],
        "product_id": "c6.4u8g.cluster", "enterprise_project_id": "0", "ssl_enable": false,
        "storage_spec_code": "dms.physical.storage.ultra.v2", "ipv6_enable": false,
        "enable_publicip": false, "publicip_id": "", "broker_num": 1
    })
}

/// Creates an instance with `body` and returns its id.
pub async fn create(client: &DmsClient, body: Value) -> String {
    let reply = call(
        client,
        Method::Post,
        "/v2/reliability/{project_id}/instances",
        &[],
        Some(body),
    )
    .await;
    assert_eq!(reply.outcome(), (200, None), "{}", reply.body);
    reply.body["instance_id"].as_str().unwrap().to_owned()
}

/// The instance as shown by 5.1.3.
pub async fn show(client: &DmsClient, id: &str) -> Value {
    let reply = call(
        client,
        Method::Get,
        &format!("/v2/{{project_id}}/instances/{id}"),
        &[],
        None,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

/// Polls until the instance has `status` (at most `within`).
pub async fn wait_status_within(
    client: &DmsClient,
    id: &str,
    status: &str,
    within: Duration,
) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let instance = show(client, id).await;
        if instance["status"] == status {
            return instance;
        }
        assert!(
            Instant::now() < deadline,
            "still {} instead of {status}",
            instance["status"]
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls until the instance has `status` (at most 5 s).
pub async fn wait_status(client: &DmsClient, id: &str, status: &str) -> Value {
    wait_status_within(client, id, status, Duration::from_secs(5)).await
}

/// A RUNNING 4.8.0 instance called `name`.
pub async fn running(client: &DmsClient, name: &str) -> String {
    let id = create(client, create_body(name)).await;
    wait_status(client, &id, "RUNNING").await;
    id
}
