//! The emulator's message plane over HTTP: sending (Appendix A), querying (5.4.1), traces
//! (5.4.2), validation and retention.

use dms_console::api::Method;
use dms_console::clock::now_ms;
use dms_console::emulator::plane;
use serde_json::{Value, json};

use crate::support::calls::{column, pick, property};
use crate::support::plane::Plane;

fn is_upper_hex(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
}

#[tokio::test]
async fn a_sent_message_is_found_by_time_range_by_key_and_by_either_id() {
    let plane = Plane::start("4.8.0").await;
    let before = now_ms();
    let properties = [
        ("KEYS", "order-1 customer-9"),
        ("TAGS", "created"),
        ("source", "web"),
    ];
    let sent = plane.send("orders", "hello", &properties).await;
    let expected = json!({"topic": "orders", "body": "hello", "broker_name": "broker-0",
        "queue_id": 0, "queue_offset": 0});
    assert_eq!(
        pick(&sent, "topic body broker_name queue_id queue_offset"),
        expected
    );
    let msg_id = sent["msg_id"].as_str().unwrap().to_owned();
    assert!(msg_id.len() == 32 && is_upper_hex(&msg_id), "{msg_id}");
    assert_eq!(&msg_id[8..16], "00002774", "port 10100");

    let end = now_ms() + 1000;
    let found = plane
        .messages(&format!("topic=orders&start_time={before}&end_time={end}"))
        .await;
    assert_eq!(found["total"], 1);
    let message = &found["messages"][0];
    let fields = "msg_id topic body body_crc reconsume_times queue_id queue_offset instance_id";
    let expected = json!({"msg_id": msg_id, "topic": "orders", "body": "hello",
        "body_crc": 907060870, "reconsume_times": 0, "queue_id": 0, "queue_offset": 0,
        "instance_id": plane.fixture.instance_id});
    assert_eq!(
        pick(message, fields),
        expected,
        "the CRC is CRC32 masked to 31 bits"
    );
    assert!(message["store_size"].as_i64().unwrap() > 100);
    let store = message["store_timestamp"].as_i64().unwrap();
    assert!(store >= before && message["born_timestamp"].as_i64().unwrap() <= store);
    let store_host = message["store_host"]
        .as_str()
        .unwrap()
        .trim_end_matches(":10100");
    let ip: Vec<u8> = store_host.split('.').map(|p| p.parse().unwrap()).collect();
    assert_eq!(
        &msg_id[..8],
        hex::encode_upper(&ip),
        "the id starts with the store address"
    );
    assert!(message["born_host"].as_str().unwrap().contains(':'));
    for (name, value) in properties.into_iter().chain([("CLUSTER", "DmsCluster")]) {
        assert_eq!(property(message, name), Some(value));
    }
    let uniq = property(message, "UNIQ_KEY").unwrap().to_owned();
    assert!(
        uniq.len() == 32 && is_upper_hex(&uniq) && uniq != msg_id,
        "{uniq}"
    );

    let now = now_ms();
    for (key, total) in [("customer-9", 1), ("order-1", 1), ("order-2", 0)] {
        let query = format!("topic=orders&key={key}&start_time=0&end_time={now}");
        assert_eq!(plane.messages(&query).await["total"], total, "{key}");
    }
    for id in [msg_id.clone(), msg_id.to_lowercase(), uniq.to_lowercase()] {
        let by_id = plane.messages(&format!("topic=orders&msg_id={id}")).await;
        assert_eq!(
            column(&by_id["messages"], "msg_id"),
            [json!(msg_id)],
            "{id}"
        );
    }
    let elsewhere = plane
        .messages(&format!("topic=payments&msg_id={msg_id}"))
        .await;
    assert_eq!(
        elsewhere["total"], 0,
        "the id is looked up in the named topic only"
    );

    let query = format!("topic=orders&msg_id={msg_id}");
    let twin = plane.get(&plane.twin_path("messages"), &query).await;
    assert_eq!((twin.status, &twin.body["total"]), (200, &json!(1)));
    let id = &plane.fixture.instance_id;
    let alias = format!("/v2/reliability/{{project_id}}/instances/{id}/messages");
    let alias = plane.get(&alias, "topic=orders").await;
    let outcome = (alias.status, &alias.body["total"]);
    assert_eq!(
        outcome,
        (200, &json!(1)),
        "topic-only queries search everything"
    );
}

#[tokio::test]
async fn sends_go_round_robin_over_the_write_queues_of_every_broker() {
    let plane = Plane::start("4.8.0").await;
    let mut places = Vec::new();
    for i in 0..10 {
        let body = json!({"topic": "orders", "body": format!("m{i}")});
        let sent = plane.post(&plane.twin_path("messages"), body).await.body;
        let broker = sent["broker_name"].as_str().unwrap();
        places.push(format!(
            "{broker}/{}/{}",
            sent["queue_id"], sent["queue_offset"]
        ));
    }
    let expected = "broker-0/0/0 broker-0/1/0 broker-0/2/0 broker-0/3/0 broker-1/0/0 \
                    broker-1/1/0 broker-1/2/0 broker-1/3/0 broker-0/0/1 broker-0/1/1";
    assert_eq!(places.join(" "), expected);
}

#[tokio::test]
async fn pages_walk_through_more_messages_than_one_limit() {
    let plane = Plane::start("4.8.0").await;
    let now = now_ms();
    plane.seed_messages("payments", 23, now - 1000, 1000);
    let mut seen = Vec::new();
    for (offset, expected) in [(0, 10), (10, 10), (20, 3), (30, 0)] {
        let query = format!("topic=payments&start_time=0&end_time={now}&limit=10&offset={offset}");
        let page = plane.messages(&query).await;
        assert_eq!(page["total"], 23);
        let bodies = column(&page["messages"], "body");
        assert_eq!(bodies.len(), expected, "offset {offset}");
        seen.extend(bodies);
    }
    let wanted: Vec<Value> = (0..23).map(|i| json!(format!("message {i}"))).collect();
    assert_eq!(seen, wanted, "oldest first, each message once");

    let (start, end) = (now - 6000, now - 4000);
    let window = plane
        .messages(&format!("topic=payments&start_time={start}&end_time={end}"))
        .await;
    let bodies = column(&window["messages"], "body");
    assert_eq!(
        bodies,
        ["message 17", "message 18", "message 19"],
        "inclusive at both ends"
    );
    let one_queue = plane.messages("topic=payments&queue=1&limit=50").await;
    assert_eq!(one_queue["total"], 11);
    assert!(
        column(&one_queue["messages"], "queue_id")
            .iter()
            .all(|q| q == 1)
    );
}

#[tokio::test]
async fn queries_with_bad_parameters_are_refused_with_documented_codes() {
    let plane = Plane::start("4.8.0").await;
    let cases = [
        ("topic=orders&start_time=2000&end_time=1000", "DMS.00400142"),
        (
            "topic=orders&start_time=today&end_time=1000",
            "DMS.00400142",
        ),
        ("topic=orders&start_time=1000", "DMS.00400142"),
        ("topic=orders&limit=0", "DMS.10240042"),
        ("topic=orders&limit=51", "DMS.10240042"),
        ("topic=orders&offset=-1", "DMS.10240043"),
        ("start_time=0&end_time=1000", "DMS.00400800"),
        ("topic=no-such-topic", "DMS.00400876"),
        ("topic=%DLQ%GID_nobody", "DMS.00400876"),
        ("topic=orders&msg_id=", "DMS.00400800"),
        ("topic=orders&queue=first", "DMS.00400800"),
    ];
    for (query, code) in cases {
        let reply = plane.get(&plane.engine_path("messages"), query).await;
        assert_eq!(reply.outcome(), (400, Some(code)), "{query}");
        assert!(reply.body["error_msg"].as_str().unwrap().len() > 10);
    }
    let unknown =
        "/v2/rocketmq/{project_id}/instances/11c45539-0000-4000-8000-812c41f61f30/messages";
    let unknown = plane.get(unknown, "topic=orders").await;
    assert_eq!(unknown.outcome(), (404, Some("DMS.00404022")));
    let malformed = "/v2/rocketmq/{project_id}/instances/i-1/messages";
    let malformed = plane.get(malformed, "topic=orders").await;
    assert_eq!(malformed.outcome(), (400, Some("DMS.00400030")));
    let wrong_method = plane.get(&plane.plain_path("messages/export"), "").await;
    assert_eq!(wrong_method.outcome(), (405, Some("DMS.00405001")));
    let no_trace_id = plane.get(&plane.engine_path("trace"), "").await;
    assert_eq!(no_trace_id.outcome(), (400, Some("DMS.00400800")));
}

#[tokio::test]
async fn sending_checks_the_topic_the_body_the_properties_and_the_instance_status() {
    let plane = Plane::start("5.x").await;
    let path = plane.engine_path("messages");
    let reserved = json!([{"name": "RETRY_TOPIC", "value": "a"}]);
    let cases = [
        (json!({"body": "x"}), "DMS.00400800"),
        (json!({"topic": "ghost", "body": "x"}), "DMS.00400876"),
        (
            json!({"topic": "%DLQ%GID_orders", "body": "x"}),
            "DMS.00400800",
        ),
        (json!({"topic": "orders", "body": 5}), "DMS.00400005"),
        (json!({"topic": "orders", "body": ""}), "DMS.00400800"),
        (
            json!({"topic": "orders", "body": "x", "property_list": {"KEYS": "a"}}),
            "DMS.00400005",
        ),
        (
            json!({"topic": "orders", "body": "x", "property_list": reserved}),
            "DMS.00400800",
        ),
        (
            json!({"topic": "orders", "body": "a".repeat(4 * 1024 * 1024 + 1)}),
            "DMS.10540011",
        ),
    ];
    for (index, (body, code)) in cases.into_iter().enumerate() {
        let reply = plane.post(&path, body).await;
        assert_eq!(reply.outcome(), (400, Some(code)), "case {index}");
    }
    let empty = plane
        .client
        .raw(Method::Post, &path, &[], Some(b""))
        .await
        .unwrap();
    assert_eq!(empty.error_code.as_deref(), Some("DMS.00400004"));

    plane.edit_instance(|doc| doc["status"] = json!("RESTARTING"));
    let restarting = plane
        .post(&path, json!({"topic": "orders", "body": "x"}))
        .await;
    assert_eq!(restarting.outcome(), (400, Some("DMS.00400026")));
    let status = plane
        .get(&plane.plain_path("topics/orders/status"), "")
        .await;
    assert_eq!(status.body["max_offset"], 0, "nothing refused was stored");
}

#[tokio::test]
async fn traced_topics_record_the_send_and_untraced_ones_record_nothing() {
    let plane = Plane::start("4.8.0").await;
    let traced = plane
        .send("orders", "traced", &[("KEYS", "k1"), ("TAGS", "t1")])
        .await;
    let offset_id = traced["msg_id"].as_str().unwrap().to_owned();
    let uniq = property(&traced, "UNIQ_KEY").unwrap().to_owned();
    for id in [&offset_id, &uniq] {
        let trace = plane
            .get(&plane.engine_path("trace"), &format!("msg_id={id}"))
            .await;
        assert_eq!(
            (trace.status, &trace.body["total"]),
            (200, &json!(1)),
            "{id}"
        );
        let record = &trace.body["trace"][0];
        let fields = "trace_type success group_name msg_id offset_msg_id topic keys tags \
                      body_length msg_type transaction_state";
        let expected = json!({"trace_type": "Pub", "success": true, "group_name": "DEFAULT_PRODUCER",
            "msg_id": uniq, "offset_msg_id": offset_id, "topic": "orders", "keys": "k1",
            "tags": "t1", "body_length": 6, "msg_type": "Normal_Msg", "transaction_state": null});
        assert_eq!(pick(record, fields), expected);
        assert!(record["cost_time"].as_i64().unwrap() >= 1);
    }
    let quiet = plane.send("audit", "x", &[]).await;
    let query = format!("msg_id={}", quiet["msg_id"].as_str().unwrap());
    let trace = plane.get(&plane.twin_path("trace"), &query).await;
    let empty = json!({"trace": [], "total": 0, "next_offset": -1, "previous_offset": -1});
    assert_eq!(trace.body, empty, "the audit topic has tracing off");
    let switched_off = plane.send("orders", "x", &[("TRACE_ON", "false")]).await;
    let query = format!("msg_id={}", switched_off["msg_id"].as_str().unwrap());
    let trace = plane.get(&plane.engine_path("trace"), &query).await;
    assert_eq!(
        trace.body["total"], 0,
        "TRACE_ON=false switches a message's trace off"
    );
}

#[tokio::test]
async fn retention_removes_messages_older_than_file_reserved_time() {
    let plane = Plane::start("4.8.0").await;
    plane.edit_instance(|doc| doc["_emu"]["configs"]["fileReservedTime"] = json!("1"));
    let now = now_ms();
    plane.seed_messages("payments", 4, now - 3 * 3_600_000, 1000);
    plane.seed_messages("payments", 2, now, 1000);
    let query = plane::MessageQuery {
        topic: "payments".into(),
        msg_id: None,
        key: None,
        start_ms: 0,
        end_ms: i64::MAX,
        queue: None,
        limit: 10,
        offset: 0,
    };
    // `transact` runs no retention pass, so this sees everything that was stored.
    let id = plane.fixture.instance_id.clone();
    assert_eq!(
        plane.transact(|ctx| plane::list_messages(ctx, &id, &query))["total"],
        6
    );

    let mut kept = plane.messages("topic=payments").await;
    for _ in 0..40 {
        if kept["total"] == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        plane.emulator.running.emulator.tick().unwrap();
        kept = plane.messages("topic=payments").await;
    }
    let bodies = column(&kept["messages"], "body");
    assert_eq!(
        bodies,
        ["message 0", "message 1"],
        "three hours is past a one-hour retention"
    );
    let status = plane
        .get(&plane.plain_path("topics/payments/status"), "")
        .await
        .body;
    assert_eq!(
        pick(&status, "min_offset max_offset"),
        json!({"min_offset": 4, "max_offset": 6})
    );
    let queue = &status["brokers"][0]["queues"][0];
    assert_eq!(
        pick(queue, "min_offset max_offset"),
        json!({"min_offset": 2, "max_offset": 3})
    );
}
