//! The emulator's consumer groups (§5.2.1–§5.2.6, historical §8.2.2–§8.2.5) over real HTTP.

use dms_console::api::Method;
use serde_json::{Value, json};

use crate::support::calls::{Reply, assert_error};
use crate::support::seeded::Seeded;

async fn create_group(api: &Seeded, body: Value) -> Reply {
    api.call(Method::Post, &api.path("/groups"), &[], Some(body))
        .await
}

#[tokio::test]
async fn a_4_8_0_group_is_created_with_the_defaults_and_shown_with_its_online_state() {
    let api = Seeded::start("4.8.0", 2).await;
    let created = create_group(&api, json!({"name": "grp%|billing"})).await;
    assert_eq!(created, (200, json!({"name": "grp%|billing"})));
    let Reply {
        status,
        body: group,
        ..
    } = api
        .call(Method::Get, &api.path("/groups/grp%|billing"), &[], None)
        .await;
    assert_eq!(status, 200);
    let created_at = group["created_at"].as_i64().expect("created_at in ms");
    assert!(created_at > 1_600_000_000_000);
    assert_eq!(
        group,
        json!({"name": "grp%|billing", "enabled": true, "broadcast": false, "brokers": ["broker-0", "broker-1"],
               "group_desc": "", "retry_max_time": 16, "created_at": created_at, "permissions": [],
               "consume_orderly": false, "group_online": false})
    );

    let chosen = create_group(
        &api,
        json!({"name": "grp-chosen", "brokers": ["broker-1"], "broadcast": true, "retry_max_time": 3,
               "enabled": false, "group_desc": "night batch"}),
    )
    .await;
    assert_eq!(chosen.status, 200);
    let group = api
        .call(Method::Get, &api.path("/groups/grp-chosen"), &[], None)
        .await
        .body;
    assert_eq!(
        (
            &group["brokers"],
            &group["broadcast"],
            &group["retry_max_time"],
            &group["enabled"],
            &group["group_desc"]
        ),
        (
            &json!(["broker-1"]),
            &json!(true),
            &json!(3),
            &json!(false),
            &json!("night batch")
        )
    );
}

#[tokio::test]
async fn a_5x_group_takes_consume_orderly_and_refuses_brokers() {
    let api = Seeded::start("5.x", 1).await;
    let created = create_group(&api, json!({"name": "ordered", "consume_orderly": true})).await;
    assert_eq!(created.status, 200);
    let group = api
        .call(Method::Get, &api.path("/groups/ordered"), &[], None)
        .await
        .body;
    assert_eq!(
        (&group["consume_orderly"], &group["brokers"]),
        (&json!(true), &json!([]))
    );
    let with_brokers =
        create_group(&api, json!({"name": "brokered", "brokers": ["broker-0"]})).await;
    assert_error(&with_brokers, 400, "DMS.00400005");
}

#[tokio::test]
async fn group_fields_outside_the_rules_get_their_documented_codes() {
    let api = Seeded::start("4.8.0", 1).await;
    assert_error(
        &create_group(&api, json!({"name": "ab"})).await,
        400,
        "DMS.10240016",
    );
    assert_error(
        &create_group(&api, json!({"name": "a.b.c"})).await,
        400,
        "DMS.10240016",
    );
    assert_error(
        &create_group(&api, json!({"retry_max_time": 3})).await,
        400,
        "DMS.00400005",
    );
    assert_error(
        &create_group(&api, json!({"name": "abc", "retry_max_time": 17})).await,
        400,
        "DMS.00400005",
    );
    assert_error(
        &create_group(&api, json!({"name": "abc", "retry_max_time": 0})).await,
        400,
        "DMS.00400005",
    );
    assert_error(
        &create_group(&api, json!({"name": "abc", "group_desc": "x".repeat(201)})).await,
        400,
        "DMS.00400005",
    );
    assert_error(
        &create_group(&api, json!({"name": "abc", "consume_orderly": true})).await,
        400,
        "DMS.00400005",
    );
    assert_error(
        &create_group(&api, json!({"name": "abc", "brokers": ["broker-9"]})).await,
        400,
        "DMS.00400005",
    );
    assert_error(
        &create_group(&api, json!({"name": "abc", "enabled": "yes"})).await,
        400,
        "DMS.00400005",
    );
    assert_eq!(
        create_group(&api, json!({"name": "abc", "group_desc": "x".repeat(200)}))
            .await
            .status,
        200
    );
    assert_error(
        &create_group(&api, json!({"name": "abc"})).await,
        400,
        "DMS.10240018",
    );
}

#[tokio::test]
async fn the_group_list_filters_by_name_pages_and_reports_the_quota() {
    let api = Seeded::start("4.8.0", 1).await;
    for name in ["orders-a", "orders-b", "billing"] {
        assert_eq!(create_group(&api, json!({"name": name})).await.status, 200);
    }
    let Reply {
        status,
        body: listed,
        ..
    } = api
        .call(
            Method::Get,
            &api.path("/groups"),
            &[("group", "orders"), ("limit", "1")],
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            &listed["total"],
            &listed["max"],
            &listed["remaining"],
            &listed["next_offset"],
            &listed["previous_offset"]
        ),
        (&json!(2), &json!(4000), &json!(3997), &json!(1), &json!(-1))
    );
    let item = &listed["groups"][0];
    assert_eq!(item["name"], "orders-a");
    assert_eq!(
        (&item["group_online"], &item["topic_subscription_count"]),
        (&json!(false), &json!(0))
    );
    assert!(item["created_at"].is_i64());

    let all = api
        .call(Method::Get, &api.path("/groups"), &[], None)
        .await
        .body;
    assert_eq!(all["total"], 3);
    let bad_limit = api
        .call(Method::Get, &api.path("/groups"), &[("limit", "0")], None)
        .await;
    assert_error(&bad_limit, 400, "DMS.10240042");
}

#[tokio::test]
async fn batch_delete_answers_a_job_and_removes_every_listed_group_or_none() {
    let api = Seeded::start("4.8.0", 1).await;
    for name in ["gone-1", "gone-2", "stays"] {
        assert_eq!(create_group(&api, json!({"name": name})).await.status, 200);
    }
    let delete = |groups: Value| {
        let api = &api;
        async move {
            api.call(
                Method::Post,
                &api.path("/groups"),
                &[("action", "delete")],
                Some(json!({"groups": groups})),
            )
            .await
        }
    };
    assert_error(
        &delete(json!(["gone-1", "never"])).await,
        404,
        "DMS.10240405",
    );
    assert_error(&delete(json!("gone-1")).await, 400, "DMS.00400005");
    let Reply {
        status, body: job, ..
    } = delete(json!(["gone-1", "gone-2"])).await;
    assert_eq!(status, 200);
    assert_eq!(job["job_id"].as_str().unwrap().len(), 32);
    let left = api
        .call(Method::Get, &api.path("/groups"), &[], None)
        .await
        .body;
    assert_eq!(
        (&left["total"], &left["groups"][0]["name"]),
        (&json!(1), &json!("stays"))
    );
}

#[tokio::test]
async fn batch_update_changes_each_listed_group_after_checking_them_all() {
    let api = Seeded::start("4.8.0", 1).await;
    for name in ["first", "second"] {
        assert_eq!(create_group(&api, json!({"name": name})).await.status, 200);
    }
    let update = |groups: Value| {
        let api = &api;
        async move {
            api.call(
                Method::Put,
                &api.path("/groups"),
                &[],
                Some(json!({"groups": groups})),
            )
            .await
        }
    };
    let Reply {
        status, body: job, ..
    } = update(json!([
        {"name": "first", "enabled": false, "retry_max_time": 3},
        {"name": "second", "group_desc": "updated", "broadcast": true}
    ]))
    .await;
    assert_eq!(status, 200);
    assert_eq!(job["job_id"].as_str().unwrap().len(), 32);
    let first = api
        .call(Method::Get, &api.path("/groups/first"), &[], None)
        .await
        .body;
    assert_eq!(
        (&first["enabled"], &first["retry_max_time"]),
        (&json!(false), &json!(3))
    );
    let second = api
        .call(Method::Get, &api.path("/groups/second"), &[], None)
        .await
        .body;
    assert_eq!(
        (&second["group_desc"], &second["broadcast"]),
        (&json!("updated"), &json!(true))
    );

    assert_error(
        &update(json!([{"enabled": true}])).await,
        400,
        "DMS.00400005",
    );
    assert_error(&update(json!([])).await, 400, "DMS.00400005");
    let unknown =
        update(json!([{"name": "first", "retry_max_time": 9}, {"name": "ghost", "enabled": true}]))
            .await;
    assert_error(&unknown, 404, "DMS.10240405");
    let first = api
        .call(Method::Get, &api.path("/groups/first"), &[], None)
        .await
        .body;
    assert_eq!(first["retry_max_time"], 3, "a failed batch changes nothing");
}

#[tokio::test]
async fn updating_a_group_requires_enabled_broadcast_and_retry_max_time() {
    let api = Seeded::start("4.8.0", 1).await;
    assert_eq!(
        create_group(&api, json!({"name": "editable"})).await.status,
        200
    );
    let path = api.path("/groups/editable");
    let partial = api
        .call(
            Method::Put,
            &path,
            &[],
            Some(json!({"enabled": false, "retry_max_time": 2})),
        )
        .await;
    assert_error(&partial, 400, "DMS.00400005");
    assert!(
        partial.body["error_msg"]
            .as_str()
            .unwrap()
            .contains("broadcast")
    );
    let renamed = api
        .call(
            Method::Put,
            &path,
            &[],
            Some(json!({"name": "other", "enabled": true, "broadcast": true, "retry_max_time": 2})),
        )
        .await;
    assert_error(&renamed, 400, "DMS.00400005");

    let updated = api
        .call(
            Method::Put,
            &path,
            &[],
            Some(
                json!({"name": "editable", "enabled": false, "broadcast": true, "retry_max_time": 2,
                        "group_desc": "paused"}),
            ),
        )
        .await;
    assert_eq!(updated, (204, Value::Null));
    let group = api.call(Method::Get, &path, &[], None).await.body;
    assert_eq!(
        (
            &group["enabled"],
            &group["broadcast"],
            &group["retry_max_time"],
            &group["group_desc"]
        ),
        (&json!(false), &json!(true), &json!(2), &json!("paused"))
    );
}

#[tokio::test]
async fn deleting_a_group_answers_204_and_unknown_groups_404() {
    let api = Seeded::start("4.8.0", 1).await;
    assert_eq!(
        create_group(&api, json!({"name": "temporary"}))
            .await
            .status,
        200
    );
    let path = api.path("/groups/temporary");
    assert_eq!(
        api.call(Method::Delete, &path, &[], None).await,
        (204, Value::Null)
    );
    assert_error(
        &api.call(Method::Get, &path, &[], None).await,
        404,
        "DMS.10240405",
    );
    assert_error(
        &api.call(Method::Delete, &path, &[], None).await,
        404,
        "DMS.10240405",
    );
}

#[tokio::test]
async fn the_historical_engine_prefixed_group_calls_answer_200() {
    let api = Seeded::start("4.8.0", 1).await;
    assert_eq!(
        create_group(&api, json!({"name": "legacy"})).await.status,
        200
    );
    let base = format!(
        "/v2/reliability/{{project_id}}/instances/{}/groups",
        api.instance
    );
    let Reply {
        status,
        body: listed,
        ..
    } = api
        .call(Method::Get, &base, &[("group", "leg")], None)
        .await;
    assert_eq!((status, &listed["total"]), (200, &json!(1)));
    let by_topic = api
        .call(
            Method::Get,
            &base,
            &[("topic", "nobody-consumes-this")],
            None,
        )
        .await
        .body;
    assert_eq!(by_topic["total"], 0, "no group consumes the topic");

    let rocketmq = format!(
        "/v2/rocketmq/{{project_id}}/instances/{}/groups",
        api.instance
    );
    let batch = api
        .call(
            Method::Put,
            &rocketmq,
            &[],
            Some(json!({"groups": [{"name": "legacy", "retry_max_time": 4}]})),
        )
        .await;
    assert_eq!(batch.status, 200);
    assert!(batch.body["job_id"].is_string());
    let one = api
        .call(
            Method::Put,
            &format!("{rocketmq}/legacy"),
            &[],
            Some(json!({"enabled": true, "broadcast": false, "retry_max_time": 6})),
        )
        .await;
    assert_eq!(one, (200, Value::Null));
    let group = api
        .call(Method::Get, &api.path("/groups/legacy"), &[], None)
        .await
        .body;
    assert_eq!(group["retry_max_time"], 6);
    let missing = api
        .call(
            Method::Put,
            &format!("{rocketmq}/legacy"),
            &[],
            Some(json!({"enabled": true})),
        )
        .await;
    assert_error(&missing, 400, "DMS.00400005");
    assert_eq!(
        api.call(Method::Delete, &format!("{base}/legacy"), &[], None)
            .await,
        (200, Value::Null)
    );
    assert_error(
        &api.call(Method::Delete, &format!("{base}/legacy"), &[], None)
            .await,
        404,
        "DMS.10240405",
    );
    let other_engine = api
        .call(
            Method::Get,
            &format!("/v2/kafka/{{project_id}}/instances/{}/groups", api.instance),
            &[],
            None,
        )
        .await;
    assert_error(&other_engine, 404, "DMS.00404001");
}
