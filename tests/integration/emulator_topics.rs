//! The emulator's topics (§5.3.1–§5.3.5) over real HTTP, and the restart test of all the
//! metadata (topics, groups, users).

use dms_console::api::Method;
use dms_console::emulator;
use serde_json::{Value, json};

use crate::support::calls::{Reply, assert_error};
use crate::support::emulator::{TestEmulator, test_settings};
use crate::support::seeded::Seeded;

async fn create_topic(api: &Seeded, body: Value) -> Reply {
    api.call(Method::Post, &api.path("/topics"), &[], Some(body))
        .await
}

#[tokio::test]
async fn a_4_8_0_topic_is_created_with_per_broker_queues_and_shown_without_internal_fields() {
    let api = Seeded::start("4.8.0", 2).await;
    let created = create_topic(
        &api,
        json!({"name": "pay%|orders", "brokers": ["broker-0", "broker-1"], "permission": "sub",
               "queue_num": 2, "queues": [{"broker": "broker-0", "queue_num": 5}]}),
    )
    .await;
    assert_eq!(created, (200, json!({"id": "pay%|orders"})));

    let Reply {
        status,
        body: topic,
        ..
    } = api
        .call(Method::Get, &api.path("/topics/pay%|orders"), &[], None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(topic["name"], "pay%|orders");
    assert_eq!(topic["permission"], "sub");
    assert_eq!(
        topic["brokers"],
        json!([{"broker_name": "broker-0", "read_queue_num": 5, "write_queue_num": 5},
               {"broker_name": "broker-1", "read_queue_num": 2, "write_queue_num": 2}])
    );
    assert_eq!(
        (
            topic["total_read_queue_num"].as_i64(),
            topic["total_write_queue_num"].as_i64()
        ),
        (Some(7), Some(7))
    );
    assert!(topic["created_at"].as_i64().unwrap() > 1_600_000_000_000);
    assert!(topic.get("_emu").is_none(), "{topic}");
    assert!(
        topic.get("message_type").is_none(),
        "4.8.0 topics have no message type"
    );

    let defaults = create_topic(&api, json!({"name": "plain"})).await;
    assert_eq!(defaults.status, 200);
    let topic = api
        .call(Method::Get, &api.path("/topics/plain"), &[], None)
        .await
        .body;
    assert_eq!(topic["permission"], "all");
    assert_eq!(
        topic["total_write_queue_num"], 6,
        "3 queues on each of 2 brokers"
    );
}

#[tokio::test]
async fn a_5x_topic_takes_a_message_type_and_refuses_4_8_0_fields() {
    let api = Seeded::start("5.x", 1).await;
    let created = create_topic(&api, json!({"name": "fifo-orders", "message_type": "FIFO"})).await;
    assert_eq!(created, (200, json!({"id": "fifo-orders"})));
    let topic = api
        .call(Method::Get, &api.path("/topics/fifo-orders"), &[], None)
        .await
        .body;
    assert_eq!(
        (topic["message_type"].as_str(), topic["permission"].as_str()),
        (Some("FIFO"), Some("all"))
    );
    assert_eq!(topic["brokers"][0]["write_queue_num"], 3);

    let normal = create_topic(&api, json!({"name": "normal-orders"})).await;
    assert_eq!(normal.status, 200);
    let topic = api
        .call(Method::Get, &api.path("/topics/normal-orders"), &[], None)
        .await
        .body;
    assert_eq!(topic["message_type"], "NORMAL");

    let with_brokers =
        create_topic(&api, json!({"name": "t-brokers", "brokers": ["broker-0"]})).await;
    assert_error(&with_brokers, 400, "DMS.00400005");
    let bad_type = create_topic(&api, json!({"name": "t-batch", "message_type": "BATCH"})).await;
    assert_error(&bad_type, 400, "DMS.00400005");
    assert!(
        bad_type.body["error_msg"]
            .as_str()
            .unwrap()
            .contains("BATCH")
    );
}

#[tokio::test]
async fn topic_create_requests_outside_the_rules_get_their_documented_codes() {
    let api = Seeded::start("4.8.0", 1).await;
    assert_error(
        &create_topic(&api, json!({"name": "a#b"})).await,
        400,
        "DMS.10240007",
    );
    assert_error(
        &create_topic(&api, json!({"name": "ab"})).await,
        400,
        "DMS.00400800",
    );
    assert_error(
        &create_topic(&api, json!({"brokers": ["broker-0"]})).await,
        400,
        "DMS.00400005",
    );
    assert_error(
        &create_topic(&api, json!({"name": "abc", "queue_num": 51})).await,
        400,
        "DMS.00400005",
    );
    assert_error(
        &create_topic(
            &api,
            json!({"name": "abc", "queues": [{"broker": "broker-0", "queue_num": 0}]}),
        )
        .await,
        400,
        "DMS.00400005",
    );
    assert_error(
        &create_topic(&api, json!({"name": "abc", "brokers": ["broker-7"]})).await,
        400,
        "DMS.00400005",
    );
    assert_error(
        &create_topic(&api, json!({"name": "abc", "permission": "rw"})).await,
        400,
        "DMS.00400005",
    );
    assert_error(
        &create_topic(&api, json!({"name": "abc", "message_type": "NORMAL"})).await,
        400,
        "DMS.00400005",
    );
    let empty = api
        .call(Method::Post, &api.path("/topics"), &[], None)
        .await;
    assert_error(&empty, 400, "DMS.00400004");

    assert_eq!(create_topic(&api, json!({"name": "abc"})).await.status, 200);
    let duplicate = create_topic(&api, json!({"name": "abc"})).await;
    assert_error(&duplicate, 400, "DMS.10240017");
}

#[tokio::test]
async fn the_topic_list_pages_and_reports_a_shrinking_quota() {
    let api = Seeded::start("4.8.0", 1).await;
    for name in ["topic-a", "topic-b", "topic-c"] {
        assert_eq!(create_topic(&api, json!({"name": name})).await.status, 200);
    }
    let Reply {
        status,
        body: first,
        ..
    } = api
        .call(
            Method::Get,
            &api.path("/topics"),
            &[("limit", "2"), ("offset", "0")],
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            &first["total"],
            &first["max"],
            &first["remaining"],
            &first["next_offset"],
            &first["previous_offset"]
        ),
        (&json!(3), &json!(4000), &json!(3997), &json!(2), &json!(-1))
    );
    let names: Vec<&str> = first["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["topic-a", "topic-b"]);
    assert!(first["topics"][0].get("_emu").is_none());

    let second = api
        .call(
            Method::Get,
            &api.path("/topics"),
            &[("limit", "2"), ("offset", "2")],
            None,
        )
        .await
        .body;
    assert_eq!(second["topics"].as_array().unwrap().len(), 1);
    assert_eq!(
        (&second["next_offset"], &second["previous_offset"]),
        (&json!(-1), &json!(0))
    );

    assert_eq!(
        create_topic(&api, json!({"name": "topic-d"})).await.status,
        200
    );
    let after = api
        .call(Method::Get, &api.path("/topics"), &[], None)
        .await
        .body;
    assert_eq!(
        (&after["total"], &after["remaining"]),
        (&json!(4), &json!(3996))
    );

    let too_big = api
        .call(Method::Get, &api.path("/topics"), &[("limit", "51")], None)
        .await;
    assert_error(&too_big, 400, "DMS.10240042");
    let negative = api
        .call(Method::Get, &api.path("/topics"), &[("offset", "-1")], None)
        .await;
    assert_error(&negative, 400, "DMS.10240043");
}

#[tokio::test]
async fn batch_delete_removes_every_listed_topic_or_none() {
    let api = Seeded::start("4.8.0", 1).await;
    for name in ["old-1", "old-2", "keep"] {
        assert_eq!(create_topic(&api, json!({"name": name})).await.status, 200);
    }
    let delete = |topics: Value| {
        let api = &api;
        async move {
            api.call(
                Method::Post,
                &api.path("/topics"),
                &[("action", "delete")],
                Some(json!({"topics": topics})),
            )
            .await
        }
    };
    assert_error(
        &delete(json!(["old-1", "missing"])).await,
        400,
        "DMS.00400876",
    );
    assert_error(&delete(json!([])).await, 400, "DMS.00400005");
    let unchanged = api
        .call(Method::Get, &api.path("/topics"), &[], None)
        .await
        .body;
    assert_eq!(unchanged["total"], 3, "a failed batch deletes nothing");

    let Reply {
        status, body: job, ..
    } = delete(json!(["old-1", "old-2"])).await;
    assert_eq!(status, 200);
    let job_id = job["job_id"].as_str().unwrap();
    assert_eq!(job_id.len(), 32);
    assert!(job_id.bytes().all(|b| b.is_ascii_hexdigit()));
    let left = api
        .call(Method::Get, &api.path("/topics"), &[], None)
        .await
        .body;
    assert_eq!(
        (&left["total"], &left["topics"][0]["name"]),
        (&json!(1), &json!("keep"))
    );

    let other_action = api
        .call(
            Method::Post,
            &api.path("/topics"),
            &[("action", "purge")],
            Some(json!({"topics": ["keep"]})),
        )
        .await;
    assert_error(&other_action, 400, "DMS.00400064");
}

#[tokio::test]
async fn a_4_8_0_topic_update_changes_queues_permission_and_description() {
    let api = Seeded::start("4.8.0", 2).await;
    assert_eq!(
        create_topic(&api, json!({"name": "orders"})).await.status,
        200
    );
    let path = api.path("/topics/orders");
    let updated = api
        .call(
            Method::Put,
            &path,
            &[],
            Some(json!({"read_queue_num": 4, "write_queue_num": 2, "permission": "pub", "topic_desc": "order events",
                        "queues": [{"broker": "broker-1", "write_queue_num": 1}]})),
        )
        .await;
    assert_eq!(updated, (204, Value::Null));
    let topic = api.call(Method::Get, &path, &[], None).await.body;
    assert_eq!(
        topic["brokers"],
        json!([{"broker_name": "broker-0", "read_queue_num": 4, "write_queue_num": 2},
               {"broker_name": "broker-1", "read_queue_num": 4, "write_queue_num": 1}])
    );
    assert_eq!(
        (
            &topic["total_read_queue_num"],
            &topic["total_write_queue_num"]
        ),
        (&json!(8), &json!(3))
    );
    assert_eq!(
        (&topic["permission"], &topic["topic_desc"]),
        (&json!("pub"), &json!("order events"))
    );

    let bad = api
        .call(
            Method::Put,
            &path,
            &[],
            Some(json!({"write_queue_num": 60})),
        )
        .await;
    assert_error(&bad, 400, "DMS.00400005");
    let stranger = api
        .call(
            Method::Put,
            &path,
            &[],
            Some(json!({"queues": [{"broker": "broker-5", "read_queue_num": 1}]})),
        )
        .await;
    assert_error(&stranger, 400, "DMS.00400005");
    let missing = api
        .call(
            Method::Put,
            &api.path("/topics/nothing"),
            &[],
            Some(json!({"permission": "all"})),
        )
        .await;
    assert_error(&missing, 400, "DMS.00400876");
}

#[tokio::test]
async fn a_5x_topic_update_accepts_only_a_description() {
    let api = Seeded::start("5.x", 1).await;
    assert_eq!(
        create_topic(&api, json!({"name": "events"})).await.status,
        200
    );
    let path = api.path("/topics/events");
    let described = api
        .call(
            Method::Put,
            &path,
            &[],
            Some(json!({"topic_desc": "all events"})),
        )
        .await;
    assert_eq!(described.status, 204);
    let topic = api.call(Method::Get, &path, &[], None).await.body;
    assert_eq!(topic["topic_desc"], "all events");
    let queues = api
        .call(Method::Put, &path, &[], Some(json!({"read_queue_num": 4})))
        .await;
    assert_error(&queues, 400, "DMS.00400005");
}

#[tokio::test]
async fn deleting_a_topic_answers_204_and_then_it_is_gone() {
    let api = Seeded::start("4.8.0", 1).await;
    assert_eq!(
        create_topic(&api, json!({"name": "short-lived"}))
            .await
            .status,
        200
    );
    let path = api.path("/topics/short-lived");
    assert_eq!(
        api.call(Method::Delete, &path, &[], None).await,
        (204, Value::Null)
    );
    assert_error(
        &api.call(Method::Get, &path, &[], None).await,
        400,
        "DMS.00400876",
    );
    assert_error(
        &api.call(Method::Delete, &path, &[], None).await,
        400,
        "DMS.00400876",
    );
}

#[tokio::test]
async fn topic_calls_check_the_instance_and_the_method() {
    let api = Seeded::start("4.8.0", 1).await;
    let malformed = api
        .call(
            Method::Get,
            "/v2/{project_id}/instances/not-a-uuid/topics",
            &[],
            None,
        )
        .await;
    assert_error(&malformed, 400, "DMS.00400030");
    let unknown = api
        .call(
            Method::Get,
            "/v2/{project_id}/instances/6cf4dcd3-8471-4139-8b5b-8a3a71f704c7/topics",
            &[],
            None,
        )
        .await;
    assert_error(&unknown, 404, "DMS.00404022");
    let wrong_method = api
        .call(Method::Put, &api.path("/topics"), &[], Some(json!({})))
        .await;
    assert_error(&wrong_method, 405, "DMS.00405001");

    api.set_instance_status("RESTARTING");
    let not_running = create_topic(&api, json!({"name": "while-restarting"})).await;
    assert_error(&not_running, 400, "DMS.00400026");
    let Reply { status, .. } = api.call(Method::Get, &api.path("/topics"), &[], None).await;
    assert_eq!(status, 200, "reads do not need a running instance");
}

#[tokio::test]
async fn topics_groups_and_users_survive_an_emulator_restart() {
    let api = Seeded::start("4.8.0", 1).await;
    assert_eq!(
        create_topic(&api, json!({"name": "durable%|topic"}))
            .await
            .status,
        200
    );
    let group = api
        .call(
            Method::Post,
            &api.path("/groups"),
            &[],
            Some(json!({"name": "durable-group", "retry_max_time": 5})),
        )
        .await;
    assert_eq!(group.status, 200);
    let user = api
        .call(
            Method::Post,
            &api.path("/users"),
            &[],
            Some(json!({"access_key": "durable_user", "secret_key": "Durable_123"})),
        )
        .await;
    assert_eq!(user.status, 200);

    let Seeded {
        emulator, instance, ..
    } = api;
    let TestEmulator { running, data_dir } = emulator;
    running.stop().await;
    let running = emulator::spawn(test_settings(data_dir.path()))
        .await
        .unwrap();
    let restarted = TestEmulator { running, data_dir };
    let client = restarted.client();
    let api = Seeded {
        emulator: restarted,
        client,
        instance,
    };

    let Reply {
        status,
        body: topic,
        ..
    } = api
        .call(Method::Get, &api.path("/topics/durable%|topic"), &[], None)
        .await;
    assert_eq!(
        (status, topic["name"].as_str()),
        (200, Some("durable%|topic"))
    );
    let group = api
        .call(Method::Get, &api.path("/groups/durable-group"), &[], None)
        .await
        .body;
    assert_eq!(group["retry_max_time"], 5);
    let user = api
        .call(Method::Get, &api.path("/users/durable_user"), &[], None)
        .await
        .body;
    assert_eq!(user["access_key"], "durable_user");
}
