//! The emulator's instance-level administration: restart and nodes (§5.11), resize (§5.10),
//! configuration (§5.7), tags (§5.8), AZs, products and cores (§5.9), quotas and the Cloud Eye
//! hierarchy (§8.1.2 and their V2 twins).

use dms_console::api::Method;
use serde_json::{Value, json};

use crate::support::calls::{Reply, call};
use crate::support::emulator::TestEmulator;
use crate::support::instances::{AZ, create, create_body, running, show, wait_status};

#[tokio::test]
async fn restart_moves_a_running_instance_through_restarting_back_to_running() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let id = running(&client, "restart-me").await;
    let creating = create(&client, create_body("restart-later")).await;
    let path = format!("/v2/{{project_id}}/reliability/instances/{creating}/restart");
    let Reply { status, code, .. } = call(&client, Method::Post, &path, &[], None).await;
    assert_eq!(
        (status, code.as_deref()),
        (400, Some("DMS.00400026")),
        "not while CREATING"
    );
    let path = format!("/v2/{{project_id}}/rocketmq/instances/{id}/restart");
    let Reply {
        status,
        body: reply,
        ..
    } = call(&client, Method::Post, &path, &[], None).await;
    assert_eq!(status, 200);
    assert_eq!(
        reply,
        json!({"instance_id": id, "nodes": ["broker-0"], "result": "success"})
    );
    assert_eq!(show(&client, &id).await["status"], "RESTARTING");
    let Reply { status, code, .. } = call(&client, Method::Post, &path, &[], None).await;
    assert_eq!(
        (status, code.as_deref()),
        (400, Some("DMS.00400017")),
        "a restart is running"
    );
    wait_status(&client, &id, "RUNNING").await;
}

#[tokio::test]
async fn nodes_and_brokers_follow_the_broker_count() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let mut body = create_body("two-brokers");
    body["broker_num"] = json!(2);
    body["storage_space"] = json!(1200);
    let id = create(&client, body).await;
    let Reply {
        status,
        body: nodes,
        ..
    } = call(
        &client,
        Method::Get,
        &format!("/v2/{{project_id}}/rocketmq/instances/{id}/nodes"),
        &[],
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(nodes["total"], 6);
    assert_eq!(nodes["nodes"].as_array().unwrap().len(), 6);
    let master = &nodes["nodes"][3];
    assert_eq!(
        (master["broker_name"].as_str(), master["broker_id"].as_i64()),
        (Some("broker-1"), Some(0))
    );
    assert!(master["address"].as_str().unwrap().starts_with("192.168."));
    assert_eq!(master["public_address"], "");
    let paged = call(
        &client,
        Method::Get,
        &format!("/v2/{{project_id}}/rocketmq/instances/{id}/nodes"),
        &[("limit", "2"), ("offset", "4")],
        None,
    )
    .await
    .body;
    assert_eq!(paged["nodes"][0]["broker_name"], "broker-1");
    let Reply {
        status,
        body: brokers,
        ..
    } = call(
        &client,
        Method::Get,
        &format!("/v2/{{project_id}}/instances/{id}/brokers"),
        &[],
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        brokers["brokers"],
        json!([{"broker_name": "broker-0", "ids": [0, 1, 2]}, {"broker_name": "broker-1", "ids": [0, 1, 2]}])
    );
    assert_eq!(
        (brokers["total"].as_i64(), brokers["next_offset"].as_i64()),
        (Some(2), Some(-1))
    );
    let Reply { status, code, .. } = call(
        &client,
        Method::Get,
        &format!("/v2/{{project_id}}/instances/{id}/brokers"),
        &[("limit", "0")],
        None,
    )
    .await;
    assert_eq!((status, code.as_deref()), (400, Some("DMS.10240042")));
    let Reply { status, code, .. } = call(
        &client,
        Method::Get,
        &format!("/v2/{{project_id}}/kafka/instances/{id}/nodes"),
        &[],
        None,
    )
    .await;
    assert_eq!(
        (status, code.as_deref()),
        (404, Some("DMS.00404001")),
        "only RocketMQ engines route"
    );
}

#[tokio::test]
async fn resize_moves_through_extending_to_running_with_the_new_spec() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let id = running(&client, "grow-me").await;
    let path = format!("/v2/reliability/{{project_id}}/instances/{id}/extend");
    let Reply {
        status,
        body: reply,
        ..
    } = call(
        &client,
        Method::Post,
        &path,
        &[],
        Some(json!({"oper_type": "horizontal", "new_broker_num": 3})),
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["job_id"].as_str().unwrap().len(), 36);
    assert_eq!(show(&client, &id).await["status"], "EXTENDING");
    let Reply { status, code, .. } = call(
        &client,
        Method::Post,
        &path,
        &[],
        Some(json!({"oper_type": "storage", "new_storage_space": 3000})),
    )
    .await;
    assert_eq!(
        (status, code.as_deref()),
        (400, Some("DMS.00400017")),
        "one resize at a time"
    );
    let instance = wait_status(&client, &id, "RUNNING").await;
    assert_eq!(instance["broker_num"], 3);
    assert_eq!(
        instance["total_storage_space"], 1800,
        "per-broker storage is kept"
    );
    assert_eq!(instance["specification"], "c6.4u8g.cluster * 3 broker");
    assert_eq!(instance["node_num"], 11);

    let twin = format!("/v2/{{project_id}}/rocketmq/instances/{id}/extend");
    let Reply { status, .. } = call(
        &client,
        Method::Post,
        &twin,
        &[],
        Some(json!({"oper_type": "storage", "new_storage_space": 2400})),
    )
    .await;
    assert_eq!(status, 200);
    let instance = wait_status(&client, &id, "RUNNING").await;
    assert_eq!(
        (
            instance["total_storage_space"].as_i64(),
            instance["storage_space"].as_i64()
        ),
        (Some(2400), Some(2232))
    );
    assert_eq!(instance["extend_times"], 1);

    let Reply { status, .. } = call(
        &client,
        Method::Post,
        &path,
        &[],
        Some(json!({"oper_type": "vertical", "new_product_id": "c6.8u16g.cluster"})),
    )
    .await;
    assert_eq!(status, 200);
    let instance = wait_status(&client, &id, "RUNNING").await;
    assert_eq!(
        (
            instance["product_id"].as_str(),
            instance["broker_num"].as_i64()
        ),
        (Some("c6.8u16g.cluster"), Some(3))
    );
}

#[tokio::test]
async fn resize_refuses_invalid_changes_with_their_codes() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let id = running(&client, "resize-errors").await;
    let path = format!("/v2/rocketmq/{{project_id}}/instances/{id}/extend");
    for (body, code) in [
        (json!({}), "DMS.00400005"),
        (json!({"oper_type": "sideways"}), "DMS.00400005"),
        (
            json!({"oper_type": "storage", "new_storage_space": 650}),
            "DMS.00400500",
        ),
        (
            json!({"oper_type": "storage", "new_storage_space": 600}),
            "DMS.00400500",
        ),
        (json!({"oper_type": "horizontal"}), "DMS.00400005"),
        (
            json!({"oper_type": "horizontal", "new_broker_num": 11}),
            "DMS.00400005",
        ),
        (
            json!({"oper_type": "vertical", "new_product_id": "c6.4u8g.cluster.small"}),
            "DMS.00400005",
        ),
        (
            json!({"oper_type": "vertical", "new_product_id": "rocketmq.p2.large.8"}),
            "DMS.00400022",
        ),
        (
            json!({"oper_type": "vertical", "new_product_id": "c9.huge"}),
            "DMS.00400009",
        ),
    ] {
        let Reply {
            status,
            code: got,
            body: reply,
            ..
        } = call(&client, Method::Post, &path, &[], Some(body.clone())).await;
        assert_eq!(
            (status, got.as_deref()),
            (400, Some(code)),
            "{body}: {reply}"
        );
    }
    assert_eq!(
        show(&client, &id).await["status"],
        "RUNNING",
        "nothing started"
    );
}

#[tokio::test]
async fn extend_products_list_the_flavours_of_the_instance_version() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let id = running(&client, "extend-list").await;
    let Reply {
        status,
        body: reply,
        ..
    } = call(
        &client,
        Method::Get,
        &format!("/v2/reliability/{{project_id}}/instances/{id}/extend"),
        &[],
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(reply["versions"], json!(["4.8.0"]));
    assert_eq!(reply["total"], 5);
    let first = &reply["products"][0];
    assert_eq!(first["product_id"], "c6.4u8g.cluster.small");
    assert_eq!(first["type"], "cluster.small");
    assert_eq!(
        first["properties"]["max_broker"], "2",
        "properties are strings"
    );
    assert_eq!(
        first["properties"]["product_alias"],
        "rocketmq.4u8g.cluster.small"
    );
    assert_eq!(first["support_features"][0]["name"], "rocketmq.acl");
    let Reply {
        status, body: twin, ..
    } = call(
        &client,
        Method::Get,
        &format!("/v2/{{project_id}}/rocketmq/instances/{id}/extend"),
        &[("type", "advanced")],
        None,
    )
    .await;
    assert_eq!((status, twin["total"].as_i64()), (200, Some(5)));
    let Reply {
        status,
        body: check,
        ..
    } = call(
        &client,
        Method::Get,
        &format!("/v2/{{project_id}}/rocketmq/instances/{id}/extend-check"),
        &[],
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (check["success"].as_bool(), check["risk"].as_str()),
        (Some(true), Some("low"))
    );
    let creating = create(&client, create_body("extend-check-2")).await;
    let check = call(
        &client,
        Method::Get,
        &format!("/v2/{{project_id}}/rocketmq/instances/{creating}/extend-check"),
        &[],
        None,
    )
    .await
    .body;
    assert_eq!(check["success"], false);
    let Reply { status, code, .. } = call(
        &client,
        Method::Get,
        "/v2/reliability/{project_id}/instances/not-a-uuid/extend",
        &[],
        None,
    )
    .await;
    assert_eq!((status, code.as_deref()), (400, Some("DMS.00400030")));
}

#[tokio::test]
async fn file_reserved_time_can_be_read_and_changed_within_its_range() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let id = running(&client, "configs-1").await;
    let path = format!("/v2/{{project_id}}/rocketmq/instances/{id}/configs");
    let Reply {
        status,
        body: reply,
        ..
    } = call(&client, Method::Get, &path, &[], None).await;
    assert_eq!(status, 200);
    assert_eq!(
        reply["rocketmq_configs"],
        json!([{"name": "fileReservedTime", "value": "48", "config_type": "dynamic", "default_value": "48", "valid_values": "1~720", "value_type": "integer"}])
    );
    let Reply { status, body, .. } = call(
        &client,
        Method::Put,
        &path,
        &[],
        Some(json!({"rocketmq_configs": [{"name": "fileReservedTime", "value": 72}]})),
    )
    .await;
    assert_eq!((status, body), (204, Value::Null));
    let reply = call(&client, Method::Get, &path, &[], None).await.body;
    assert_eq!(reply["rocketmq_configs"][0]["value"], "72");
    let Reply { status, .. } = call(
        &client,
        Method::Put,
        &path,
        &[],
        Some(json!({"rocketmq_configs": [{"name": "fileReservedTime", "value": "96"}]})),
    )
    .await;
    assert_eq!(status, 204);
    for item in [
        json!({"name": "fileReservedTime", "value": 721}),
        json!({"name": "fileReservedTime", "value": "two days"}),
        json!({"name": "brokerRole", "value": "1"}),
    ] {
        let Reply {
            status,
            code,
            body: reply,
            ..
        } = call(
            &client,
            Method::Put,
            &path,
            &[],
            Some(json!({"rocketmq_configs": [item.clone()]})),
        )
        .await;
        assert_eq!(
            (status, code.as_deref()),
            (400, Some("DMS.00400063")),
            "{item}"
        );
        assert!(
            reply["error_msg"]
                .as_str()
                .unwrap()
                .starts_with("Invalid configuration parameter "),
            "{reply}"
        );
        assert!(!reply["error_msg"].as_str().unwrap().contains("{0}"));
    }
    let reply = call(&client, Method::Get, &path, &[], None).await.body;
    assert_eq!(
        reply["rocketmq_configs"][0]["value"], "96",
        "refused changes change nothing"
    );
    let Reply { status, code, .. } = call(&client, Method::Put, &path, &[], Some(json!({}))).await;
    assert_eq!((status, code.as_deref()), (400, Some("DMS.00400005")));
}

#[tokio::test]
async fn tags_are_added_listed_aggregated_and_deleted() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let one = create(&client, create_body("tagged-1")).await;
    let two = create(&client, create_body("tagged-2")).await;
    let action = |id: &str| format!("/v2/{{project_id}}/rocketmq/{id}/tags/action");
    let Reply { status, body, .. } = call(&client, Method::Post, &action(&one), &[], Some(json!({"action": "create", "tags": [{"key": "env", "value": "prod"}, {"key": "owner", "value": "payments team"}]}))).await;
    assert_eq!((status, body), (204, Value::Null));
    call(
        &client,
        Method::Post,
        &action(&two),
        &[],
        Some(json!({"action": "create", "tags": [{"key": "env", "value": "test"}]})),
    )
    .await;
    let Reply {
        status, body: tags, ..
    } = call(
        &client,
        Method::Get,
        &format!("/v2/{{project_id}}/rocketmq/{one}/tags"),
        &[],
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        tags["tags"],
        json!([{"key": "env", "value": "prod"}, {"key": "owner", "value": "payments team"}])
    );
    assert_eq!(
        show(&client, &one).await["tags"],
        tags["tags"],
        "the instance shows its tags"
    );
    let project = call(
        &client,
        Method::Get,
        "/v2/{project_id}/rocketmq/tags",
        &[],
        None,
    )
    .await
    .body;
    assert_eq!(
        project["tags"],
        json!([{"key": "env", "values": ["prod", "test"]}, {"key": "owner", "values": ["payments team"]}])
    );
    let Reply { status, .. } = call(&client, Method::Post, &action(&one), &[], Some(json!({"action": "delete", "tags": [{"key": "env"}, {"key": "owner", "value": "someone else"}]}))).await;
    assert_eq!(status, 204);
    let tags = call(
        &client,
        Method::Get,
        &format!("/v2/{{project_id}}/rocketmq/{one}/tags"),
        &[],
        None,
    )
    .await
    .body;
    assert_eq!(
        tags["tags"],
        json!([{"key": "owner", "value": "payments team"}]),
        "a value that differs keeps the tag"
    );
    let too_many: Vec<Value> = (0..21)
        .map(|i| json!({"key": format!("k{i}"), "value": "v"}))
        .collect();
    for (body, code) in [
        (
            json!({"action": "create", "tags": [{"key": "bad/key", "value": "v"}]}),
            "DMS.10240036",
        ),
        (
            json!({"action": "create", "tags": [{"key": " padded", "value": "v"}]}),
            "DMS.10240036",
        ),
        (
            json!({"action": "create", "tags": [{"key": "", "value": "v"}]}),
            "DMS.10240035",
        ),
        (
            json!({"action": "create", "tags": [{"key": "k".repeat(129), "value": "v"}]}),
            "DMS.10240035",
        ),
        (
            json!({"action": "create", "tags": [{"key": "k", "value": "v".repeat(256)}]}),
            "DMS.10240038",
        ),
        (
            json!({"action": "create", "tags": [{"key": "k", "value": "a#b"}]}),
            "DMS.10240039",
        ),
        (
            json!({"action": "CREATE", "tags": [{"key": "k", "value": "v"}]}),
            "DMS.10240040",
        ),
        (
            json!({"action": "create", "tags": too_many}),
            "DMS.10240044",
        ),
    ] {
        let Reply {
            status,
            code: got,
            body: reply,
            ..
        } = call(
            &client,
            Method::Post,
            &action(&one),
            &[],
            Some(body.clone()),
        )
        .await;
        assert_eq!(
            (status, got.as_deref()),
            (400, Some(code)),
            "{body}: {reply}"
        );
    }
    let Reply { status, .. } = call(
        &client,
        Method::Post,
        &action(&one),
        &[],
        Some(json!({"action": "create", "tags": [{"key": "区域", "value": "华北 4"}]})),
    )
    .await;
    assert_eq!(status, 204, "letters of any language are allowed");
}

#[tokio::test]
async fn availability_zones_answer_in_the_v2_and_v1_shapes() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let Reply {
        status, body: v2, ..
    } = call(
        &client,
        Method::Get,
        "/v2/available-zones",
        &[("engine", "reliability")],
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(v2["region_id"], "emulator-region");
    let zones = v2["available_zones"].as_array().unwrap();
    assert_eq!(zones.len(), 3);
    let default: Vec<&Value> = zones.iter().filter(|z| z["default_az"] == true).collect();
    assert_eq!(default[0]["id"], AZ);
    assert_eq!(default[0]["soldOut"], false);
    assert_eq!(default[0]["resource_availability"], "true");
    assert_eq!(default[0]["remain_time"], i64::MAX);
    assert_eq!(default[0]["mode"], "center");
    let Reply {
        status, body: v1, ..
    } = call(&client, Method::Get, "/v1.0/availableZones", &[], None).await;
    assert_eq!(status, 200);
    assert_eq!(v1["available_zones"].as_array().unwrap().len(), 3);
    assert!(v1["available_zones"][0].get("mode").is_none());
    let Reply { status, code, .. } = call(
        &client,
        Method::Post,
        "/v2/available-zones",
        &[],
        Some(json!({})),
    )
    .await;
    assert_eq!((status, code.as_deref()), (405, Some("DMS.00405001")));
}

#[tokio::test]
async fn products_list_the_real_flavours_with_string_properties_and_paging() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let Reply {
        status,
        body: first,
        ..
    } = call(&client, Method::Get, "/v2/rocketmq/products", &[], None).await;
    assert_eq!(status, 200);
    assert_eq!(
        (first["total"].as_i64(), first["next_offset"].as_i64()),
        (Some(18), Some(10))
    );
    assert_eq!(first["versions"], json!(["4.8.0", "5.x"]));
    assert_eq!(first["products"].as_array().unwrap().len(), 10);
    let all = call(
        &client,
        Method::Get,
        "/v2/reliability/products",
        &[("limit", "50")],
        None,
    )
    .await
    .body;
    let ids: Vec<&str> = all["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["product_id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"c6.16u32g.cluster") && ids.contains(&"rocketmq.p2.large.300"),
        "{ids:?}"
    );
    let one = call(
        &client,
        Method::Get,
        "/v2/rocketmq/products",
        &[("product_id", "c6.8u16g.cluster")],
        None,
    )
    .await
    .body;
    let product = &one["products"][0];
    assert_eq!(one["total"], 1);
    assert_eq!(product["properties"]["max_topic_per_broker"], "8000");
    assert_eq!(product["properties"]["engine_versions"], "4.8.0");
    assert_eq!(product["ios"][0]["io_spec"], "dms.physical.storage.high.v2");
    assert_eq!(product["charging_mode"], json!(["monthly", "hourly"]));
    let basic = call(
        &client,
        Method::Get,
        "/v2/rocketmq/products",
        &[("type", "cluster.basic")],
        None,
    )
    .await
    .body;
    assert_eq!(basic["total"], 3);
    let Reply { status, code, .. } = call(
        &client,
        Method::Get,
        "/v2/rocketmq/products",
        &[("limit", "51")],
        None,
    )
    .await;
    assert_eq!((status, code.as_deref()), (400, Some("DMS.10240042")));
    let Reply {
        status, body: v1, ..
    } = call(&client, Method::Get, "/v1.0/products", &[], None).await;
    assert_eq!(
        (
            status,
            v1["engine"].as_str(),
            v1["products"].as_array().map(Vec::len)
        ),
        (200, Some("rocketmq"), Some(18))
    );
}

#[tokio::test]
async fn product_cores_count_the_flavour_times_the_brokers() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let path = "/v2/rocketmq/products/cores";
    let Reply {
        status,
        body: plain,
        ..
    } = call(&client, Method::Get, path, &[], None).await;
    assert_eq!((status, plain), (200, json!({"core_num": 4})));
    let id = running(&client, "cores-1").await;
    let reply = call(
        &client,
        Method::Get,
        path,
        &[
            ("product_id", "c6.8u16g.cluster"),
            ("broker_num", "3"),
            ("instance_id", &id),
        ],
        None,
    )
    .await
    .body;
    assert_eq!(
        reply,
        json!({"core_num": 24, "total_extend_storage_space": 1800})
    );
    let Reply { status, code, .. } = call(
        &client,
        Method::Get,
        path,
        &[("product_id", "c6.1u1g")],
        None,
    )
    .await;
    assert_eq!((status, code.as_deref()), (400, Some("DMS.00400009")));
    let Reply { status, code, .. } =
        call(&client, Method::Get, path, &[("broker_num", "zero")], None).await;
    assert_eq!((status, code.as_deref()), (400, Some("DMS.00400800")));
}

#[tokio::test]
async fn quotas_count_the_projects_instances_in_both_api_versions() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    create(&client, create_body("quota-1")).await;
    let Reply {
        status, body: v2, ..
    } = call(&client, Method::Get, "/v2/{project_id}/quotas", &[], None).await;
    assert_eq!(status, 200);
    let resources = v2["quotas"]["resources"].as_array().unwrap();
    let rocketmq = resources
        .iter()
        .find(|r| r["type"] == "rocketmqInstance")
        .unwrap();
    assert_eq!(
        (rocketmq["quota"].as_i64(), rocketmq["used"].as_i64()),
        (Some(100), Some(1))
    );
    assert!(
        resources
            .iter()
            .any(|r| r["type"] == "tags" && r["quota"] == 20)
    );
    let only = call(
        &client,
        Method::Get,
        "/v2/{project_id}/quotas",
        &[("onlyQuota", "reliability"), ("includeTagsQuota", "false")],
        None,
    )
    .await
    .body;
    assert_eq!(
        only["quotas"]["resources"],
        json!([{"type": "rocketmqInstance", "quota": 100, "used": 1}])
    );
    let Reply { status, code, .. } = call(
        &client,
        Method::Get,
        "/v2/{project_id}/quotas",
        &[("includeTagsQuota", "yes")],
        None,
    )
    .await;
    assert_eq!((status, code.as_deref()), (400, Some("DMS.00400800")));
    let Reply {
        status, body: v1, ..
    } = call(
        &client,
        Method::Get,
        "/v1.0/{project_id}/quotas/dms",
        &[],
        None,
    )
    .await;
    assert_eq!(
        (status, v1["quotas"]["resources"].as_array().map(Vec::len)),
        (200, Some(4))
    );
}

#[tokio::test]
async fn the_cloud_eye_hierarchy_names_the_instance_and_its_brokers() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let id = running(&client, "ces-1").await;
    let Reply {
        status, body: v2, ..
    } = call(
        &client,
        Method::Get,
        &format!("/v2/{{project_id}}/instances/{id}/ces-hierarchy"),
        &[],
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(v2["instance_ids"], json!([{"name": id}]));
    assert_eq!(
        v2["nodes"],
        json!([{"name": "broker-0", "available_zone": AZ}])
    );
    assert_eq!(v2["topics"], json!([]));
    assert_eq!(v2["dimensions"][0]["name"], "rocketmq_instance_id");
    let Reply {
        status, body: v1, ..
    } = call(
        &client,
        Method::Get,
        &format!("/v1.0/{{project_id}}/instances/{id}/ceshierarchy"),
        &[],
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(v1["nodes"], json!([{"name": "broker-0"}]));
    assert_eq!(v1["queues"], json!([]));
    let Reply { status, code, .. } = call(
        &client,
        Method::Get,
        "/v1.0/{project_id}/instances/11c45539-0000-4000-8000-812c41f61f30/ceshierarchy",
        &[],
        None,
    )
    .await;
    assert_eq!((status, code.as_deref()), (404, Some("DMS.00404022")));
}
