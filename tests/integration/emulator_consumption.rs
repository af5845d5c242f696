//! Consumption in the emulator's message plane: offsets and lag (5.2.7), resets (5.2.8),
//! clients (5.2.9), groups of a topic (5.3.6), topic status (5.3.7), retries and dead letters
//! (5.4.3, 5.4.4), consumption verification (5.4.5), delivery traces, the plane's hooks and
//! the traffic simulator.

use dms_console::clock::now_ms;
use dms_console::emulator::plane::traffic::Simulator;
use dms_console::emulator::plane::{self, ClientInfo, ConsumeOutcome};
use serde_json::{Value, json};

use crate::support::calls::{column, pick, property};
use crate::support::plane::Plane;

impl Plane {
    fn consume(&self, group: &str, topic: &str, max: usize, fail: bool) -> ConsumeOutcome {
        let id = self.fixture.instance_id.clone();
        self.transact(|ctx| plane::consume(ctx, &id, group, topic, max, |_| fail))
    }

    fn register(&self, group: &str, ip: &str, pid: u32, topics: &[&str]) {
        let (id, client) = (
            self.fixture.instance_id.clone(),
            ClientInfo::java(ip, pid, topics),
        );
        self.transact(|ctx| plane::register_client(ctx, &id, group, &client));
    }

    /// 5.2.7 in detail mode.
    async fn progress(&self, group: &str, topic: &str) -> Value {
        let path = self.plain_path(&format!("groups/{group}/topics"));
        let reply = self.get(&path, &format!("topic={topic}")).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        reply.body
    }

    async fn send_many(&self, topic: &str, count: usize) {
        for i in 0..count {
            self.send(topic, &format!("m{i}"), &[]).await;
        }
    }

    /// The `msg_id` of the only message of `topic`.
    async fn only_id(&self, topic: &str) -> String {
        let found = self.messages(&format!("topic={topic}")).await;
        assert_eq!(found["total"], 1, "{found}");
        found["messages"][0]["msg_id"].as_str().unwrap().to_owned()
    }
}

const LAG: &str = "lag max_offset consumer_offset";
const QUEUE: &str = "id broker_offset consumer_offset lag";

#[tokio::test]
async fn consuming_advances_offsets_and_lag_follows() {
    let plane = Plane::start("4.8.0").await;
    plane.send_many("orders", 10).await;
    let before = plane.progress("GID_orders", "orders").await;
    let expected = json!({"lag": 10, "max_offset": 10, "consumer_offset": 0});
    assert_eq!(pick(&before, LAG), expected);

    let outcome = plane.consume("GID_orders", "orders", 4, false);
    assert_eq!((outcome.consumed.len(), outcome.failed.len()), (4, 0));
    let after = plane.progress("GID_orders", "orders").await;
    assert_eq!(
        pick(&after, LAG),
        json!({"lag": 6, "max_offset": 10, "consumer_offset": 4})
    );
    assert_eq!(
        column(&after["brokers"], "broker_name"),
        ["broker-0", "broker-1"]
    );
    let queue = &after["brokers"][0]["queues"][0];
    let expected = json!({"id": 0, "broker_offset": 2, "consumer_offset": 1, "lag": 1});
    assert_eq!(
        pick(queue, QUEUE),
        expected,
        "an even share of the budget per queue"
    );
    assert!(queue["last_message_time"].as_i64().unwrap() > 0);
    let untouched = &after["brokers"][1]["queues"][3];
    let expected = json!({"consumer_offset": 0, "last_message_time": 0});
    assert_eq!(
        pick(untouched, "consumer_offset last_message_time"),
        expected
    );

    let listed = plane
        .get(&plane.plain_path("groups/GID_orders/topics"), "")
        .await;
    assert_eq!(listed.body, json!({"topics": ["orders"], "total": 1}));
    assert_eq!(
        plane
            .consume("GID_orders", "orders", 100, false)
            .consumed
            .len(),
        6
    );
    assert_eq!(plane.progress("GID_orders", "orders").await["lag"], 0);
    let unknown = plane
        .get(&plane.plain_path("groups/GID_ghost/topics"), "")
        .await;
    assert_eq!(unknown.outcome(), (404, Some("DMS.10240405")));
}

#[tokio::test]
async fn a_message_failing_past_retry_max_time_lands_in_the_dead_letter_topic() {
    let plane = Plane::start("4.8.0").await;
    let sent = plane.send("orders", "poison", &[]).await;
    let original = sent["msg_id"].as_str().unwrap().to_owned();
    let uniq = property(&sent, "UNIQ_KEY").unwrap().to_owned();

    // GID_orders allows two redeliveries: the third failure sends it to %DLQ%GID_orders.
    let first = plane.consume("GID_orders", "orders", 10, true);
    assert_eq!(first.failed, std::slice::from_ref(&original));
    let counts = |o: &ConsumeOutcome| (o.failed.len(), o.retried.len(), o.dead_lettered.len());
    assert_eq!(counts(&first), (1, 1, 0));
    assert_eq!(
        counts(&plane.consume("GID_orders", "orders", 10, true)),
        (1, 1, 0)
    );
    assert_eq!(
        counts(&plane.consume("GID_orders", "orders", 10, true)),
        (1, 0, 1)
    );
    assert_eq!(
        plane.consume("GID_orders", "orders", 10, true).delivered(),
        0
    );

    assert_eq!(plane.messages("topic=%RETRY%GID_orders").await["total"], 2);
    let dead = plane.messages("topic=%DLQ%GID_orders").await;
    assert_eq!(dead["total"], 1);
    let letter = &dead["messages"][0];
    let expected = json!({"topic": "%DLQ%GID_orders", "body": "poison", "reconsume_times": 3});
    assert_eq!(pick(letter, "topic body reconsume_times"), expected);
    assert_eq!(property(letter, "RETRY_TOPIC"), Some("orders"));
    assert_eq!(
        property(letter, "ORIGIN_MESSAGE_ID"),
        Some(original.as_str())
    );
    assert_eq!(property(letter, "UNIQ_KEY"), Some(uniq.as_str()));
    let dlq_id = letter["msg_id"].as_str().unwrap().to_owned();
    assert_ne!(dlq_id, original);

    let export = plane.plain_path("messages/export");
    let both =
        json!({"topic": "%DLQ%GID_orders", "msg_id_list": [dlq_id], "uniq_key_list": [uniq]});
    let exported = plane.post(&export, both).await;
    assert_eq!(exported.status, 200);
    assert_eq!(
        column(&exported.body, "msg_id"),
        [json!(dlq_id)],
        "exported once"
    );
    assert_eq!(
        exported.body[0]["instance_id"],
        plane.fixture.instance_id.as_str()
    );
    let nothing = plane
        .post(&export, json!({"msg_id_list": [original]}))
        .await;
    assert_eq!(nothing.body, json!([]), "the original is not a dead letter");
    let not_dlq = plane.post(&export, json!({"topic": "orders"})).await;
    assert_eq!(not_dlq.outcome(), (400, Some("DMS.00400800")));

    let trace = plane
        .get(
            &plane.engine_path("trace"),
            &format!("msg_id={uniq}&limit=50"),
        )
        .await;
    let records = trace.body["trace"].as_array().unwrap();
    assert_eq!(
        records.len(),
        7,
        "Pub, then a SubBefore/SubAfter pair per delivery"
    );
    assert_eq!(
        pick(&records[0], "trace_type success"),
        json!({"trace_type": "Pub", "success": true})
    );
    let after: Vec<&Value> = records
        .iter()
        .filter(|r| r["trace_type"] == "SubAfter")
        .collect();
    let expected = json!({"group_name": "GID_orders", "success": false, "consume_status": 5});
    assert!(
        after
            .iter()
            .all(|r| pick(r, "group_name success consume_status") == expected)
    );
    let mut retries: Vec<i64> = after
        .iter()
        .map(|r| r["retry_times"].as_i64().unwrap())
        .collect();
    retries.sort_unstable();
    assert_eq!(retries, [0, 1, 2]);
}

#[tokio::test]
async fn resending_a_dead_letter_delivers_it_again_with_per_message_results() {
    let plane = Plane::start("4.8.0").await;
    plane.send("orders", "second chance", &[]).await;
    for _ in 0..3 {
        plane.consume("GID_orders", "orders", 10, true);
    }
    let dlq_id = plane.only_id("%DLQ%GID_orders").await;
    let missing = "C0A8011700002774000000000FFFFFFF";
    let body = json!({"topic": "%DLQ%GID_orders", "msg_id_list": [dlq_id, missing]});
    let reply = plane
        .post(&plane.engine_path("messages/deadletter-resend"), body)
        .await;
    assert_eq!(reply.status, 200);
    let results = &reply.body["resend_results"];
    let success =
        json!({"msg_id": dlq_id, "error_code": "DMS.00000000", "error_message": "Success."});
    assert_eq!(results[0], success);
    let expected = json!({"msg_id": missing, "error_code": "DMS.00400800"});
    assert_eq!(pick(&results[1], "msg_id error_code"), expected);

    let again = plane.consume("GID_orders", "orders", 10, false);
    assert_eq!(
        again.consumed.len(),
        1,
        "the resent message is delivered to the group again"
    );
    let query = format!("topic=%RETRY%GID_orders&msg_id={}", again.consumed[0]);
    let redelivered = &plane.messages(&query).await["messages"][0];
    let expected = json!({"body": "second chance", "reconsume_times": 0});
    assert_eq!(pick(redelivered, "body reconsume_times"), expected);

    let twin = plane.twin_path("messages/deadletter-resend");
    let twin = plane.post(&twin, json!({"msg_id_list": [dlq_id]})).await;
    assert_eq!(twin.body["resend_results"][0]["error_code"], "DMS.00000000");
    let body = json!({"topic": "orders", "msg_id_list": [dlq_id]});
    let wrong = plane
        .post(&plane.engine_path("messages/deadletter-resend"), body)
        .await;
    assert_eq!(wrong.outcome(), (400, Some("DMS.00400800")));
}

#[tokio::test]
async fn resetting_offsets_by_timestamp_changes_lag() {
    let plane = Plane::start("4.8.0").await;
    let now = now_ms();
    plane.seed_messages("payments", 6, now - 600_000, 1000);
    plane.seed_messages("payments", 4, now, 1000);
    assert_eq!(
        plane
            .consume("GID_payments", "payments", 100, false)
            .consumed
            .len(),
        10
    );
    assert_eq!(plane.progress("GID_payments", "payments").await["lag"], 0);

    let path = plane.engine_path("groups/GID_payments/reset-message-offset");
    let middle = (now - 300_000).to_string();
    let reply = plane
        .post(&path, json!({"topic": "payments", "timestamp": middle}))
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    let queue = |id| json!({"broker_name": "broker-0", "queue_id": id, "timestamp_offset": 3});
    assert_eq!(reply.body, json!({"queues": [queue(0), queue(1)]}));
    assert_eq!(plane.progress("GID_payments", "payments").await["lag"], 4);

    let twin = plane.twin_path("groups/GID_payments/reset-message-offset");
    plane
        .post(&twin, json!({"topic": "payments", "timestamp": 0}))
        .await;
    assert_eq!(plane.progress("GID_payments", "payments").await["lag"], 10);
    plane
        .post(
            &path,
            json!({"topic": "payments", "timestamp": now + 60_000}),
        )
        .await;
    assert_eq!(plane.progress("GID_payments", "payments").await["lag"], 0);

    for (body, code) in [
        (
            json!({"topic": "payments", "timestamp": "soon"}),
            "DMS.00400142",
        ),
        (json!({"topic": "payments"}), "DMS.00400800"),
        (json!({"topic": "ghost", "timestamp": 0}), "DMS.00400876"),
    ] {
        assert_eq!(plane.post(&path, body).await.outcome(), (400, Some(code)));
    }
    let ghost = plane.engine_path("groups/GID_ghost/reset-message-offset");
    let ghost = plane
        .post(&ghost, json!({"topic": "payments", "timestamp": 0}))
        .await;
    assert_eq!(ghost.outcome(), (404, Some("DMS.10240405")));
}

#[tokio::test]
async fn topic_status_reports_queue_offsets_per_broker() {
    let plane = Plane::start("4.8.0").await;
    plane.send_many("orders", 10).await;
    let status = plane
        .get(&plane.plain_path("topics/orders/status"), "")
        .await;
    assert_eq!(status.status, 200);
    let body = &status.body;
    assert_eq!(
        pick(body, "max_offset min_offset"),
        json!({"max_offset": 10, "min_offset": 0})
    );
    assert_eq!(
        column(&body["brokers"], "broker_name"),
        ["broker-0", "broker-1"]
    );
    let maxima: Vec<Vec<Value>> = column(&body["brokers"], "queues")
        .iter()
        .map(|q| column(q, "max_offset"))
        .collect();
    assert_eq!(
        maxima,
        [[2, 2, 1, 1], [1, 1, 1, 1]].map(|q| q.map(|n| json!(n)).to_vec())
    );
    let last = body["brokers"][0]["queues"][0]["last_message_time"]
        .as_i64()
        .unwrap();
    assert!(last >= now_ms() - 60_000);

    let five = Plane::start("5.x").await;
    five.send("payments", "x", &[]).await;
    let status = five
        .get(&five.plain_path("topics/payments/status"), "")
        .await
        .body;
    assert_eq!(column(&status["brokers"], "broker_name"), ["broker-0"]);
    assert_eq!(
        column(&status["brokers"][0]["queues"], "max_offset"),
        [1, 0]
    );
    let missing = plane
        .get(&plane.plain_path("topics/ghost/status"), "")
        .await;
    assert_eq!(missing.outcome(), (400, Some("DMS.00400876")));
}

#[tokio::test]
async fn consumer_clients_are_listed_with_subscriptions_in_detail_mode() {
    let plane = Plane::start("4.8.0").await;
    let id = &plane.fixture.instance_id;
    let clients = format!("/v2/rocketmq/{{project_id}}/instances/{id}/groups/GID_orders/clients");
    let offline = plane.get(&clients, "").await.body;
    assert_eq!(
        pick(&offline, "online total"),
        json!({"online": false, "total": 0})
    );

    plane.register("GID_orders", "192.168.0.11", 4001, &["orders"]);
    plane.register("GID_orders", "192.168.0.12", 4002, &["orders"]);
    let detail = plane.get(&clients, "is_detail=true").await.body;
    let expected = json!({"group_name": "GID_orders", "online": true, "total": 2,
        "subscription_consistency": true});
    assert_eq!(
        pick(&detail, "group_name online total subscription_consistency"),
        expected
    );
    let first = &detail["clients"][0];
    let expected = json!({"client_id": "192.168.0.11@4001", "language": "JAVA", "version": "V4_8_0",
        "subscriptions": [{"topic": "orders", "type": "TAG", "expression": "*"}]});
    assert_eq!(
        pick(first, "client_id language version subscriptions"),
        expected
    );

    plane.register("GID_orders", "192.168.0.13", 4003, &["orders", "payments"]);
    let twin = plane.twin_path("groups/GID_orders/clients");
    let simple = plane.get(&twin, "limit=1&offset=1").await.body;
    let expected = json!({"total": 3, "subscription_consistency": false, "next_offset": 2,
        "previous_offset": 0});
    assert_eq!(
        pick(
            &simple,
            "total subscription_consistency next_offset previous_offset"
        ),
        expected
    );
    assert_eq!(
        column(&simple["clients"], "client_id"),
        ["192.168.0.12@4002"]
    );
    assert!(
        simple["clients"][0].get("subscriptions").is_none(),
        "only in detail mode"
    );

    // Queues are shared out among subscribing clients as RocketMQ's average allocation does.
    let brokers = plane.progress("GID_orders", "orders").await["brokers"].clone();
    assert_eq!(brokers[0]["queues"][0]["client_id"], "192.168.0.11@4001");
    assert_eq!(brokers[1]["queues"][3]["client_id"], "192.168.0.13@4003");

    let groups = plane.plain_path("topics/payments/groups");
    let subscribed = plane.get(&groups, "").await.body;
    assert_eq!(subscribed, json!({"groups": ["GID_orders"], "total": 1}));
    plane.send("payments", "p", &[]).await;
    plane.consume("GID_payments", "payments", 1, false);
    let second_page = plane.get(&groups, "limit=1&offset=1").await.body;
    assert_eq!(second_page, json!({"groups": ["GID_payments"], "total": 2}));
    let missing = plane
        .get(&plane.twin_path("groups/GID_ghost/clients"), "")
        .await;
    assert_eq!(missing.outcome(), (404, Some("DMS.10240405")));
}

#[tokio::test]
async fn consumption_verification_needs_an_online_client() {
    let plane = Plane::start("4.8.0").await;
    let sent = plane.send("payments", "verify me", &[]).await;
    let id = sent["msg_id"].as_str().unwrap().to_owned();
    let path = plane.engine_path("messages/resend");
    let client = "192.168.0.21@7";
    let body = json!({"group": "GID_payments", "client_id": client, "msg_id_list": [id]});
    let offline = plane.post(&path, body).await;
    assert_eq!(offline.status, 200);
    assert_eq!(
        offline.body["resend_results"][0]["error_code"],
        "DMS.50050004"
    );

    plane.register("GID_payments", "192.168.0.21", 7, &["payments"]);
    let body = json!({"group": "GID_payments", "topic": "payments", "client_id": client,
        "msg_id_list": [id, "nope"]});
    let reply = plane.post(&plane.twin_path("messages/resend"), body).await;
    let results = &reply.body["resend_results"];
    let success = json!({"msg_id": id, "error_code": "DMS.00000000", "error_message": "Success."});
    assert_eq!(
        (&results[0], &results[1]["error_code"]),
        (&success, &json!("DMS.00400800"))
    );
    let body = json!({"group": "GID_payments", "client_id": "10.0.0.1@1", "msg_id_list": [id]});
    let other_client = plane.post(&path, body).await;
    assert_eq!(
        other_client.body["resend_results"][0]["error_code"],
        "DMS.50050004"
    );

    let trace = plane
        .get(&plane.engine_path("trace"), &format!("msg_id={id}"))
        .await
        .body;
    assert_eq!(
        column(&trace["trace"], "trace_type"),
        ["Pub", "SubBefore", "SubAfter"]
    );
    assert_eq!(trace["trace"][2]["client_host"], "192.168.0.21");
    let lag = plane.progress("GID_payments", "payments").await["lag"].clone();
    assert_eq!(lag, 1, "verification leaves offsets alone");

    for (body, outcome) in [
        (
            json!({"group": "GID_payments", "msg_id_list": [id]}),
            (400, "DMS.00400800"),
        ),
        (
            json!({"client_id": "x", "msg_id_list": [id]}),
            (400, "DMS.00400800"),
        ),
        (
            json!({"group": "GID_ghost", "client_id": "x"}),
            (404, "DMS.10240405"),
        ),
    ] {
        assert_eq!(
            plane.post(&path, body).await.outcome(),
            (outcome.0, Some(outcome.1))
        );
    }
}

#[tokio::test]
async fn deleting_a_group_or_topic_drops_its_plane_data_and_storage_follows() {
    let plane = Plane::start("4.8.0").await;
    let id = plane.fixture.instance_id.clone();
    plane.send("orders", "x", &[]).await;
    plane.register("GID_orders", "192.168.0.31", 9, &["orders"]);
    for _ in 0..3 {
        plane.consume("GID_orders", "orders", 10, true);
    }
    let used = plane.transact(|ctx| plane::storage_used_gb(ctx, &id));
    let summary = plane.transact(|ctx| plane::group_summary(ctx, &id, "GID_orders"));
    assert_eq!(
        (used, summary),
        (1, (true, 1)),
        "a few bytes round up to 1 GB"
    );

    plane.transact(|ctx| plane::on_group_deleted(ctx, &id, "GID_orders"));
    assert_eq!(plane.messages("topic=%DLQ%GID_orders").await["total"], 0);
    let summary = plane.transact(|ctx| plane::group_summary(ctx, &id, "GID_orders"));
    assert_eq!(summary, (false, 0));
    plane.transact(|ctx| plane::on_topic_deleted(ctx, &id, "orders"));
    assert_eq!(plane.messages("topic=orders").await["total"], 0);
    assert_eq!(plane.transact(|ctx| plane::storage_used_gb(ctx, &id)), 0);
    plane.send("payments", "y", &[]).await;
    plane.transact(|ctx| plane::on_instance_deleted(ctx, &id));
    assert_eq!(plane.messages("topic=payments").await["total"], 0);
}

#[tokio::test]
async fn the_traffic_simulator_moves_lag_and_fills_dead_letters() {
    let plane = Plane::start("4.8.0").await;
    let mut simulator = Simulator::new(7, 30.0);
    let mut produced = 0;
    for _ in 0..40 {
        produced += simulator
            .step(&plane.emulator.running.emulator, 1.0)
            .unwrap();
    }
    assert_eq!(produced, 1200);
    let mut stored = 0;
    for topic in ["orders", "payments", "audit"] {
        let status = plane
            .get(&plane.plain_path(&format!("topics/{topic}/status")), "")
            .await;
        stored += status.body["max_offset"].as_i64().unwrap();
    }
    assert_eq!(stored, 1200);
    let mut dead_letters = 0;
    for group in ["GID_orders", "GID_payments", "GID_audit"] {
        let clients = plane
            .get(&plane.twin_path(&format!("groups/{group}/clients")), "")
            .await;
        assert_eq!(
            clients.body["online"], true,
            "{group} has a simulated consumer"
        );
        let found = plane.messages(&format!("topic=%DLQ%{group}")).await;
        dead_letters += found["total"].as_i64().unwrap();
    }
    assert!(
        dead_letters > 0,
        "one group fails some messages until they are dead letters"
    );
}
