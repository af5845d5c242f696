//! The emulator's instance life cycle (API reference §5.1, §8.1.1, §8.2.1): create, list,
//! show, update, delete, batch delete, timers and durability.

use std::time::Duration;

use dms_console::api::Method;
use dms_console::emulator::instances::{InitialState, InstanceSpec, create_instance_document};
use serde_json::{Value, json};

use crate::support::calls::{Reply, call};
use crate::support::emulator::{OTHER_AK, OTHER_PROJECT, OTHER_SK, PROJECT, TestEmulator};
use crate::support::instances::{create, create_body, running, show, wait_status};

#[tokio::test]
async fn a_created_instance_is_creating_then_running_after_the_configured_seconds() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let id = create(&client, create_body("orders-1")).await;
    let first = show(&client, &id).await;
    assert_eq!(first["status"], "CREATING");
    let instance = wait_status(&client, &id, "RUNNING").await;
    assert_eq!(instance["name"], "orders-1");
    assert_eq!(instance["engine"], "reliability");
    assert_eq!(instance["engine_version"], "4.8.0");
    assert_eq!(instance["type"], "cluster");
    assert_eq!(instance["specification"], "c6.4u8g.cluster * 1 broker");
    assert_eq!(instance["broker_num"], 1);
    assert_eq!(
        instance["node_num"], 5,
        "two name servers and three broker nodes"
    );
    assert_eq!(instance["total_storage_space"], 600);
    assert_eq!(instance["storage_space"], 558);
    assert_eq!(instance["used_storage_space"], 0);
    assert_eq!(instance["charging_mode"], 1);
    assert_eq!(instance["available_zone_names"], json!(["AZ3"]));
    assert!(
        instance["created_at"]
            .as_str()
            .unwrap()
            .parse::<i64>()
            .unwrap()
            > 1_600_000_000_000
    );
    assert!(
        instance.get("_emu").is_none(),
        "internals never leave the emulator"
    );
    let cross: Value = serde_json::from_str(instance["cross_vpc_info"].as_str().unwrap()).unwrap();
    assert_eq!(cross.as_object().unwrap().len(), 5);
    assert!(
        instance["namesrv_address"]
            .as_str()
            .unwrap()
            .ends_with(":8100")
    );
    assert!(instance.get("grpc_address").is_none(), "gRPC is 5.x only");
    assert_eq!(
        instance["support_features"],
        "rocketmq.acl,message_trace_enable,features.log.collection"
    );
}

#[tokio::test]
async fn a_5x_instance_has_grpc_addresses_and_no_broker_count() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let mut body = create_body("fivex-1");
    body["engine"] = json!("rocketmq");
    body["engine_version"] = json!("5.x");
    body["product_id"] = json!("rocketmq.p2.large.8");
    body["enable_publicip"] = json!(true);
    body["publicip_id"] = json!("83924171-7014-48f0-a6b2-c714e7a090dd");
    let id = create(&client, body).await;
    let instance = wait_status(&client, &id, "RUNNING").await;
    assert_eq!(instance["type"], "cluster.professional");
    assert_eq!(instance["specification"], "rocketmq.p2.large.8, 4000 tps");
    assert_eq!(instance["engine"], "rocketmq");
    assert!(instance.get("broker_num").is_none());
    assert!(
        instance["grpc_address"]
            .as_str()
            .unwrap()
            .ends_with(":8080")
    );
    assert!(
        instance["public_grpc_address"]
            .as_str()
            .unwrap()
            .starts_with("100.85.")
    );
    assert!(instance["subnet_cidr"].as_str().unwrap().ends_with(".0/24"));
    assert_eq!(instance["max_msg_process_tps"], 4000);
}

#[tokio::test]
async fn create_refuses_each_invalid_field_with_its_documented_code() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    running(&client, "taken-name").await;
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        ("name", json!("1starts-with-digit"), 400, "DMS.00400010"),
        ("name", json!("abc"), 400, "DMS.00400010"),
        ("name", json!("taken-name"), 400, "DMS.00400060"),
        ("description", json!("x".repeat(1025)), 400, "DMS.00400011"),
        ("engine", json!("kafka"), 400, "DMS.00400007"),
        ("engine_version", json!("4.9.9"), 400, "DMS.00400008"),
        ("product_id", json!("c6.2u4g.cluster"), 400, "DMS.00400009"),
        (
            "product_id",
            json!("rocketmq.b1.large.1"),
            400,
            "DMS.00400022",
        ),
        ("available_zones", json!(["0000"]), 400, "DMS.00400042"),
        ("available_zones", json!([]), 400, "DMS.00400067"),
        ("ipv6_enable", json!(true), 400, "DMS.00400049"),
        ("storage_space", json!(200), 400, "DMS.00400500"),
        ("storage_space", json!(650), 400, "DMS.00400500"),
        (
            "storage_spec_code",
            json!("dms.physical.storage.normal"),
            400,
            "DMS.00400125",
        ),
        ("vpc_id", json!(""), 400, "DMS.00400013"),
        ("subnet_id", json!(""), 400, "DMS.00400016"),
        ("security_group_id", json!(""), 400, "DMS.00400014"),
        ("vpc_id", json!("not-a-vpc"), 400, "DMS.00400068"),
        ("enable_publicip", json!(true), 400, "DMS.00400128"),
        ("broker_num", json!(11), 400, "DMS.00400005"),
        ("broker_num", json!("one"), 400, "DMS.00400005"),
    ];
    for (field, value, status, code) in cases {
        let mut body = create_body("valid-name");
        body[field] = value.clone();
        let Reply {
            status: got_status,
            code: got_code,
            body: reply,
            ..
        } = call(
            &client,
            Method::Post,
            "/v2/reliability/{project_id}/instances",
            &[],
            Some(body),
        )
        .await;
        assert_eq!(
            (got_status, got_code.as_deref()),
            (status, Some(code)),
            "{field} = {value}: {reply}"
        );
        assert!(!reply["error_msg"].as_str().unwrap().is_empty());
    }
    let Reply { status, code, .. } = call(
        &client,
        Method::Post,
        "/v2/reliability/{project_id}/instances",
        &[],
        None,
    )
    .await;
    assert_eq!((status, code.as_deref()), (400, Some("DMS.00400004")));
}

#[tokio::test]
async fn yearly_billing_gives_charging_mode_0_and_bad_periods_are_refused() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let mut body = create_body("prepaid-1");
    body["bss_param"] =
        json!({"charging_mode": "prePaid", "period_type": "month", "period_num": 3});
    let id = create(&client, body).await;
    assert_eq!(show(&client, &id).await["charging_mode"], 0);
    let mut body = create_body("prepaid-2");
    body["bss_param"] = json!({"charging_mode": "prePaid", "period_type": "year", "period_num": 4});
    let Reply { status, code, .. } = call(
        &client,
        Method::Post,
        "/v2/{project_id}/instances",
        &[],
        Some(body),
    )
    .await;
    assert_eq!((status, code.as_deref()), (400, Some("DMS.00400126")));
}

#[tokio::test]
async fn the_sdk_create_aliases_and_the_v1_path_create_instances_too() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    for (index, path) in [
        "/v2/{project_id}/instances",
        "/v2/{project_id}/rocketmq/instances",
        "/v2/rocketmq/{project_id}/instances",
        "/v1.0/{project_id}/instances",
        "/v1.0/dms/{project_id}/instances",
    ]
    .into_iter()
    .enumerate()
    {
        let Reply {
            status,
            body: reply,
            ..
        } = call(
            &client,
            Method::Post,
            path,
            &[],
            Some(create_body(&format!("alias-{index}"))),
        )
        .await;
        assert_eq!(status, 200, "{path}: {reply}");
        assert_eq!(
            show(&client, reply["instance_id"].as_str().unwrap()).await["name"],
            format!("alias-{index}")
        );
    }
    let Reply { status, code, .. } = call(
        &client,
        Method::Put,
        "/v2/{project_id}/rocketmq/instances",
        &[],
        None,
    )
    .await;
    assert_eq!((status, code.as_deref()), (405, Some("DMS.00405001")));
}

#[tokio::test]
async fn instances_are_listed_newest_first_with_filters_and_paging() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    for name in ["shop-orders", "shop-payments", "audit-log"] {
        create(&client, create_body(name)).await;
    }
    let list = |query: Vec<(&'static str, &'static str)>| {
        let client = client.clone();
        async move {
            call(
                &client,
                Method::Get,
                "/v2/{project_id}/instances",
                &query,
                None,
            )
            .await
        }
    };
    let Reply {
        status, body: all, ..
    } = list(vec![("engine", "reliability")]).await;
    assert_eq!(status, 200);
    assert_eq!(all["instance_num"], 3);
    let names: Vec<&str> = all["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["audit-log", "shop-payments", "shop-orders"]);
    let fuzzy = list(vec![("engine", "rocketmq"), ("name", "shop")])
        .await
        .body;
    assert_eq!(fuzzy["instance_num"], 2);
    let exact = list(vec![
        ("engine", "rocketmq"),
        ("name", "shop"),
        ("exact_match_name", "true"),
    ])
    .await
    .body;
    assert_eq!(exact["instance_num"], 0);
    let paged = list(vec![
        ("engine", "reliability"),
        ("limit", "1"),
        ("offset", "1"),
    ])
    .await
    .body;
    assert_eq!(paged["instance_num"], 3, "instance_num counts every match");
    assert_eq!(paged["instances"][0]["name"], "shop-payments");
    let creating = list(vec![("engine", "reliability"), ("status", "CREATING")])
        .await
        .body;
    assert_eq!(creating["instance_num"], 3);
    for limit in ["0", "51"] {
        let Reply { status, code, .. } =
            list(vec![("engine", "reliability"), ("limit", limit)]).await;
        assert_eq!(
            (status, code.as_deref()),
            (400, Some("DMS.10240042")),
            "limit {limit}"
        );
    }
    let Reply { status, code, .. } = list(vec![("engine", "reliability"), ("offset", "-1")]).await;
    assert_eq!((status, code.as_deref()), (400, Some("DMS.10240043")));
    let Reply { status, code, .. } = list(vec![]).await;
    assert_eq!(
        (status, code.as_deref()),
        (400, Some("DMS.00400800")),
        "engine is required"
    );
    let Reply { status, code, .. } = list(vec![("engine", "kafka")]).await;
    assert_eq!((status, code.as_deref()), (400, Some("DMS.00400007")));
}

#[tokio::test]
async fn unknown_instances_are_404_and_malformed_ids_are_400() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let Reply { status, code, .. } = call(
        &client,
        Method::Get,
        "/v2/{project_id}/instances/11c45539-0000-4000-8000-812c41f61f30",
        &[],
        None,
    )
    .await;
    assert_eq!((status, code.as_deref()), (404, Some("DMS.00404022")));
    let Reply { status, code, .. } = call(
        &client,
        Method::Get,
        "/v2/{project_id}/instances/not-a-uuid",
        &[],
        None,
    )
    .await;
    assert_eq!((status, code.as_deref()), (400, Some("DMS.00400030")));
    let Reply { status, code, .. } = call(
        &client,
        Method::Delete,
        "/v2/{project_id}/instances/not-a-uuid",
        &[],
        None,
    )
    .await;
    assert_eq!((status, code.as_deref()), (400, Some("DMS.00400030")));
}

#[tokio::test]
async fn another_projects_credential_can_neither_read_nor_delete_an_instance() {
    let emulator = TestEmulator::start().await;
    let id = create(&emulator.client(), create_body("private-1")).await;
    let other = emulator.client_with(OTHER_AK, OTHER_SK, OTHER_PROJECT);
    for method in [Method::Get, Method::Delete] {
        let Reply { status, code, .. } = call(
            &other,
            method,
            &format!("/v2/{PROJECT}/instances/{id}"),
            &[],
            None,
        )
        .await;
        assert_eq!((status, code.as_deref()), (401, Some("DMS.10240104")));
    }
    let own = call(
        &other,
        Method::Get,
        "/v2/{project_id}/instances",
        &[("engine", "reliability")],
        None,
    )
    .await
    .body;
    assert_eq!(
        own["instance_num"], 0,
        "projects do not see each other's instances"
    );
}

#[tokio::test]
async fn an_instance_cannot_be_deleted_while_creating_and_is_gone_after_a_delete() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let id = create(&client, create_body("short-lived")).await;
    let path = format!("/v2/{{project_id}}/instances/{id}");
    let Reply {
        status, code, body, ..
    } = call(&client, Method::Delete, &path, &[], None).await;
    assert_eq!(
        (status, code.as_deref()),
        (400, Some("DMS.0040009")),
        "{body}"
    );
    wait_status(&client, &id, "RUNNING").await;
    let Reply { status, body, .. } = call(&client, Method::Delete, &path, &[], None).await;
    assert_eq!((status, body), (204, Value::Null));
    let Reply { status, code, .. } = call(&client, Method::Get, &path, &[], None).await;
    assert_eq!((status, code.as_deref()), (404, Some("DMS.00404022")));
}

#[tokio::test]
async fn updates_change_name_description_and_window_but_refuse_underscores() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let id = running(&client, "with_underscore").await;
    let other = create(&client, create_body("other-name")).await;
    let path = format!("/v2/{{project_id}}/instances/{id}");
    let update = json!({"name": "renamed-1", "description": "RocketMQ description", "maintain_begin": "22:00:00", "maintain_end": "02:00:00", "enable_acl": true});
    let Reply { status, body, .. } = call(&client, Method::Put, &path, &[], Some(update)).await;
    assert_eq!((status, body), (204, Value::Null));
    let instance = show(&client, &id).await;
    assert_eq!(instance["name"], "renamed-1");
    assert_eq!(instance["description"], "RocketMQ description");
    assert_eq!(
        (
            instance["maintain_begin"].as_str(),
            instance["maintain_end"].as_str()
        ),
        (Some("22:00:00"), Some("02:00:00"))
    );
    assert_eq!(instance["enable_acl"], true);
    for (body, code) in [
        (json!({"name": "with_underscore"}), "DMS.00400010"),
        (json!({"name": "other-name"}), "DMS.00400060"),
        (
            json!({"maintain_begin": "25:00:00", "maintain_end": "02:00:00"}),
            "DMS.00400106",
        ),
        (json!({"enable_publicip": true}), "DMS.00400128"),
        (json!({"description": 7}), "DMS.00400005"),
    ] {
        let Reply {
            status,
            code: got,
            body: reply,
            ..
        } = call(&client, Method::Put, &path, &[], Some(body.clone())).await;
        assert_eq!(
            (status, got.as_deref()),
            (400, Some(code)),
            "{body}: {reply}"
        );
    }
    let Reply { status, code, .. } = call(
        &client,
        Method::Put,
        &format!("/v2/{{project_id}}/instances/{other}"),
        &[],
        Some(json!({"enable_acl": true})),
    )
    .await;
    assert_eq!(
        (status, code.as_deref()),
        (400, Some("DMS.00400026")),
        "network changes need RUNNING"
    );
    let Reply { status, .. } = call(
        &client,
        Method::Put,
        &path,
        &[],
        Some(
            json!({"enable_publicip": true, "publicip_id": "83924171-7014-48f0-a6b2-c714e7a090dd"}),
        ),
    )
    .await;
    assert_eq!(status, 204);
    let instance = show(&client, &id).await;
    assert!(
        instance["public_namesrv_address"]
            .as_str()
            .unwrap()
            .ends_with(":8200")
    );
}

#[tokio::test]
async fn batch_delete_reports_each_instance_and_all_failure_removes_failed_creations() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let done = running(&client, "batch-done").await;
    let creating = create(&client, create_body("batch-creating")).await;
    let failed = emulator
        .running
        .emulator
        .transact(PROJECT, |ctx| {
            let spec = InstanceSpec {
                initial: InitialState::CreationFailed,
                ..InstanceSpec::new("batch-failed", "c6.4u8g.cluster")
            };
            create_instance_document(ctx, PROJECT, &spec)
        })
        .unwrap();
    let failed = failed["instance_id"].as_str().unwrap().to_owned();
    let path = "/v2/{project_id}/instances/action";
    let unknown = "11c45539-0000-4000-8000-812c41f61f30";
    let Reply {
        status,
        body: reply,
        ..
    } = call(
        &client,
        Method::Post,
        path,
        &[],
        Some(json!({"action": "delete", "instances": [done, creating, unknown]})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        reply,
        json!({"results": [
            {"result": "success", "instance": done},
            {"result": "failed", "instance": creating},
            {"result": "failed", "instance": unknown},
        ]})
    );
    let list = |include: &'static str| {
        let client = client.clone();
        async move {
            call(
                &client,
                Method::Get,
                "/v2/{project_id}/instances",
                &[("engine", "reliability"), ("include_failure", include)],
                None,
            )
            .await
            .body["instance_num"]
                .clone()
        }
    };
    assert_eq!(
        list("false").await,
        1,
        "failed creations are hidden by default"
    );
    assert_eq!(list("true").await, 2);
    let Reply { status, body, .. } = call(
        &client,
        Method::Post,
        path,
        &[],
        Some(json!({"action": "delete", "all_failure": "reliability"})),
    )
    .await;
    assert_eq!((status, body), (204, Value::Null));
    assert_eq!(list("true").await, 1);
    let Reply { status, code, .. } = call(
        &client,
        Method::Get,
        &format!("/v2/{{project_id}}/instances/{failed}"),
        &[],
        None,
    )
    .await;
    assert_eq!((status, code.as_deref()), (404, Some("DMS.00404022")));
    for (body, code) in [
        (
            json!({"action": "restart", "instances": [creating]}),
            "DMS.00400064",
        ),
        (json!({"action": "delete", "instances": []}), "DMS.00400065"),
        (
            json!({"action": "delete", "instances": [creating, creating]}),
            "DMS.00400082",
        ),
        (
            json!({"action": "delete", "instances": vec![unknown; 51]}),
            "DMS.0040010",
        ),
    ] {
        let Reply {
            status, code: got, ..
        } = call(&client, Method::Post, path, &[], Some(body.clone())).await;
        assert_eq!((status, got.as_deref()), (400, Some(code)), "{body}");
    }
}

#[tokio::test]
async fn the_demo_helper_can_keep_an_instance_creating_for_a_chosen_time() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let doc = emulator
        .running
        .emulator
        .transact(PROJECT, |ctx| {
            let spec = InstanceSpec {
                initial: InitialState::Creating { seconds: Some(60) },
                tags: vec![("team".into(), "payments".into())],
                ..InstanceSpec::new("slow-creation", "rocketmq.b1.large.1")
            };
            create_instance_document(ctx, PROJECT, &spec)
        })
        .unwrap();
    let id = doc["instance_id"].as_str().unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let instance = show(&client, id).await;
    assert_eq!(
        instance["status"], "CREATING",
        "longer than the configured 1 s"
    );
    assert_eq!(instance["engine_version"], "5.x");
    assert_eq!(
        instance["tags"],
        json!([{"key": "team", "value": "payments"}])
    );
    let invalid = emulator.running.emulator.transact(PROJECT, |ctx| {
        create_instance_document(ctx, PROJECT, &InstanceSpec::new("x", "c6.4u8g.cluster"))
    });
    assert_eq!(invalid.unwrap_err().code, "DMS.00400010");
}

#[tokio::test]
async fn historical_instance_paths_answer_200_where_the_current_api_answers_204() {
    let emulator = TestEmulator::start().await;
    let client = emulator.client();
    let id = running(&client, "historical-1").await;
    for path in [
        format!("/v1.0/{{project_id}}/instances/{id}"),
        format!("/v1.0/dms/{{project_id}}/instances/{id}"),
        format!("/v2/reliability/{{project_id}}/instances/{id}"),
        format!("/v2/rocketmq/{{project_id}}/instances/{id}"),
    ] {
        let Reply { status, body, .. } = call(&client, Method::Get, &path, &[], None).await;
        assert_eq!(
            (status, body["name"].as_str()),
            (200, Some("historical-1")),
            "{path}"
        );
    }
    for path in [
        "/v1.0/{project_id}/instances",
        "/v1.0/dms/{project_id}/instances",
    ] {
        let Reply { status, body, .. } = call(&client, Method::Get, path, &[], None).await;
        assert_eq!(
            (status, body["instance_num"].as_i64()),
            (200, Some(1)),
            "{path}"
        );
    }
    let path = format!("/v1.0/dms/{{project_id}}/instances/{id}");
    let Reply { status, body, .. } = call(&client, Method::Put, &path, &[], None).await;
    assert_eq!(
        (status, body),
        (200, Value::Null),
        "V1 modify takes an empty body"
    );
    let Reply { status, .. } = call(
        &client,
        Method::Put,
        &path,
        &[],
        Some(json!({"description": "v1"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(show(&client, &id).await["description"], "v1");
    let Reply { status, code, .. } = call(
        &client,
        Method::Put,
        &path,
        &[],
        Some(json!({"name": "bad_name"})),
    )
    .await;
    assert_eq!((status, code.as_deref()), (400, Some("DMS.00400010")));
    let Reply { status, body, .. } = call(&client, Method::Delete, &path, &[], None).await;
    assert_eq!((status, body), (200, Value::Null));
    let Reply { status, code, .. } = call(&client, Method::Get, &path, &[], None).await;
    assert_eq!((status, code.as_deref()), (404, Some("DMS.00404022")));
}

#[tokio::test]
async fn instances_survive_restarting_the_emulator_on_the_same_data_directory() {
    let first = TestEmulator::start().await;
    let id = running(&first.client(), "durable-1").await;
    let creating = create(&first.client(), create_body("durable-2")).await;
    let TestEmulator { running, data_dir } = first;
    running.stop().await;
    let running =
        dms_console::emulator::spawn(crate::support::emulator::test_settings(data_dir.path()))
            .await
            .expect("the emulator starts again");
    let second = TestEmulator { running, data_dir };
    let client = second.client();
    let instance = show(&client, &id).await;
    assert_eq!(
        (instance["name"].as_str(), instance["status"].as_str()),
        (Some("durable-1"), Some("RUNNING"))
    );
    wait_status(&client, &creating, "RUNNING").await;
    let list = call(
        &client,
        Method::Get,
        "/v2/{project_id}/instances",
        &[("engine", "reliability")],
        None,
    )
    .await
    .body;
    assert_eq!(list["instance_num"], 2);
}
