//! The emulator at scale and under concurrency: the scale data set (`Emulator::seed_scale`, at
//! a size the debug build creates quickly) paged, filtered and read for lag through the API;
//! the full-size set from `dms-console emulator --demo-scale`; reads that answer while a write
//! holds the writer's lock; and a read that finds a timer due answering with the state the
//! timer leads to.

use std::collections::BTreeSet;
use std::time::Duration;

use dms_console::api::Method;
use dms_console::emulator::auth::RawRequest;
use dms_console::emulator::context::Req;
use dms_console::emulator::demo_data::{ScaleInstance, ScaleSpec};
use dms_console::emulator::http::decode_segments;
use dms_console::emulator::instances::{InitialState, InstanceSpec, create_instance_document};
use dms_console::emulator::{Emulator, auth};
use serde_json::{Value, json};

use crate::support::binary::{EmulatorProcess, fast_config};
use crate::support::calls::{call, get_ok};
use crate::support::emulator::{IAM_USER, PROJECT, TestEmulator, test_settings};

const SPEC: ScaleSpec = ScaleSpec {
    name: "scale-test",
    topics: 600,
    groups: 120,
};

async fn scaled() -> (TestEmulator, ScaleInstance) {
    let emulator = TestEmulator::start().await;
    let scale = emulator
        .running
        .emulator
        .seed_scale(PROJECT, SPEC)
        .expect("the scale data set is created");
    (emulator, scale)
}

/// Every page of `path` (`limit` given), following `next_offset`: the `field` names in order,
/// and the first page.
async fn every_page(
    emulator: &TestEmulator,
    path: &str,
    query: &[(&str, &str)],
    limit: usize,
) -> (Vec<String>, Value) {
    let client = emulator.client();
    let limit_text = limit.to_string();
    let mut names = Vec::new();
    let mut first = Value::Null;
    let mut offset = 0i64;
    loop {
        let offset_text = offset.to_string();
        let mut pairs = query.to_vec();
        pairs.extend([
            ("limit", limit_text.as_str()),
            ("offset", offset_text.as_str()),
        ]);
        let page = get_ok(&client, path, &pairs).await;
        let field = if path.ends_with("topics") {
            "topics"
        } else {
            "groups"
        };
        let items = page[field].as_array().cloned().unwrap_or_default();
        assert!(items.len() <= limit, "{page}");
        names.extend(items.iter().map(|t| t["name"].as_str().unwrap().to_owned()));
        let next = page["next_offset"].as_i64().unwrap();
        if first.is_null() {
            first = page;
        }
        if next == -1 {
            return (names, first);
        }
        assert_eq!(next, offset + limit as i64, "pages follow each other");
        offset = next;
    }
}

#[tokio::test]
async fn the_scale_data_set_pages_in_creation_order_and_filters_groups_by_name() {
    let (emulator, scale) = scaled().await;
    assert_eq!(
        (scale.topics.len(), scale.groups.len()),
        (SPEC.topics, SPEC.groups)
    );
    let base = format!("/v2/{{project_id}}/instances/{}", scale.instance_id);

    let (topics, first) = every_page(&emulator, &format!("{base}/topics"), &[], 50).await;
    assert_eq!(topics, scale.topics, "every topic once, in creation order");
    assert_eq!(
        (&first["total"], &first["max"], &first["remaining"]),
        (&json!(600), &json!(16000), &json!(15400)),
        "two brokers of c6.8u16g.cluster"
    );
    assert_eq!(first["previous_offset"], -1);

    let (groups, first) = every_page(&emulator, &format!("{base}/groups"), &[], 7).await;
    assert_eq!(groups, scale.groups);
    assert_eq!(first["remaining"], json!(16000 - 120));

    for filter in ["billing", "ledger-000", "GID_", "no-such-group"] {
        let expected: Vec<String> = scale
            .groups
            .iter()
            .filter(|g| g.contains(filter))
            .cloned()
            .collect();
        let (found, first) = every_page(
            &emulator,
            &format!("{base}/groups"),
            &[("group", filter)],
            4,
        )
        .await;
        assert_eq!(found, expected, "filter `{filter}`");
        assert_eq!(first["total"], expected.len(), "filter `{filter}`");
        assert_eq!(
            first["remaining"],
            json!(16000 - 120),
            "the quota counts every group"
        );
    }
}

#[tokio::test]
async fn lag_in_the_scale_data_set_is_read_per_group() {
    let (emulator, scale) = scaled().await;
    let client = emulator.client();
    let base = format!("/v2/{{project_id}}/instances/{}", scale.instance_id);
    assert_eq!(scale.lagging.len(), SPEC.groups / 10);

    let mut lags = Vec::new();
    for group in &scale.lagging {
        let consumed = get_ok(&client, &format!("{base}/groups/{group}/topics"), &[]).await;
        let topics = consumed["topics"].as_array().unwrap().clone();
        assert!(!topics.is_empty(), "{group} consumes something");
        let mut lag = 0;
        for topic in &topics {
            let topic = topic.as_str().unwrap();
            let detail = get_ok(
                &client,
                &format!("{base}/groups/{group}/topics"),
                &[("topic", topic)],
            )
            .await;
            let queues: Vec<&Value> = detail["brokers"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|b| b["queues"].as_array().unwrap())
                .collect();
            assert_eq!(queues.len(), 6, "three queues on each of two brokers");
            let sum: i64 = queues.iter().map(|q| q["lag"].as_i64().unwrap()).sum();
            assert_eq!(detail["lag"], sum, "{detail}");
            lag += sum;

            let status = get_ok(&client, &format!("{base}/topics/{topic}/status"), &[]).await;
            let (min, max) = (
                status["min_offset"].as_i64().unwrap(),
                status["max_offset"].as_i64().unwrap(),
            );
            assert!(max - min >= sum, "the lag is in stored messages: {status}");
            assert!(max >= 500, "queues start where a long history left them");

            let consumers = get_ok(
                &client,
                &format!(
                    "/v2/reliability/{{project_id}}/instances/{}/groups",
                    scale.instance_id
                ),
                &[("topic", topic)],
            )
            .await;
            let names: Vec<&str> = consumers["groups"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["name"].as_str().unwrap())
                .collect();
            assert!(names.contains(&group.as_str()), "{topic}: {names:?}");
        }
        lags.push(lag);
    }
    assert!(lags.iter().all(|lag| *lag > 0), "{lags:?}");

    let lagging: BTreeSet<&String> = scale.lagging.iter().collect();
    let (mut online, mut idle, mut caught_up) = (0, 0, 0);
    for group in scale.groups.iter().filter(|g| !lagging.contains(g)) {
        let consumed = get_ok(&client, &format!("{base}/groups/{group}/topics"), &[]).await;
        let Some(topic) = consumed["topics"][0].as_str() else {
            idle += 1;
            continue;
        };
        let detail = get_ok(
            &client,
            &format!("{base}/groups/{group}/topics"),
            &[("topic", topic)],
        )
        .await;
        assert_eq!(detail["lag"], 0, "{group} keeps up: {detail}");
        caught_up += 1;
        let clients = get_ok(
            &client,
            &format!(
                "/v2/rocketmq/{{project_id}}/instances/{}/groups/{group}/clients",
                scale.instance_id
            ),
            &[],
        )
        .await;
        if clients["online"] == true {
            online += 1;
            assert!(clients["total"].as_i64().unwrap() >= 1, "{clients}");
        }
    }
    assert!(idle > 0 && caught_up > 0 && online > 0 && online < caught_up);

    let instance = get_ok(&client, &base, &[]).await;
    assert_eq!(instance["name"], "scale-test");
    assert!(instance["used_storage_space"].as_i64().unwrap() >= 1);
}

#[tokio::test]
async fn demo_scale_creates_the_benchmark_instance_once() {
    let work = tempfile::tempdir().unwrap();
    let config = fast_config(work.path());
    let data = work.path().join("data");
    let count = |client: dms_console::api::DmsClient| async move {
        let list = get_ok(
            &client,
            "/v2/{project_id}/instances",
            &[("engine", "reliability")],
        )
        .await;
        let scaled: Vec<Value> = list["instances"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["name"] == "scale-10k")
            .cloned()
            .collect();
        (client, scaled)
    };

    let emulator = EmulatorProcess::start(&data, &config, &["--demo-scale"]);
    let (client, scaled) = count(emulator.client()).await;
    assert_eq!(scaled.len(), 1, "{scaled:?}");
    let base = format!(
        "/v2/{{project_id}}/instances/{}",
        scaled[0]["instance_id"].as_str().unwrap()
    );
    let topics = get_ok(&client, &format!("{base}/topics"), &[("limit", "1")]).await;
    let groups = get_ok(&client, &format!("{base}/groups"), &[("limit", "1")]).await;
    assert_eq!(
        (&topics["total"], &groups["total"]),
        (&json!(10_000), &json!(2_000))
    );
    emulator.kill();

    let emulator = EmulatorProcess::start(&data, &config, &["--demo-scale"]);
    let (_, scaled) = count(emulator.client()).await;
    assert_eq!(scaled.len(), 1, "kept, not created again");
}

#[tokio::test]
async fn reads_answer_while_a_write_holds_the_writers_lock() {
    let emulator = TestEmulator::start().await;
    let instance = emulator
        .running
        .emulator
        .seed_instance_for_tests(PROJECT, "4.8.0", 1);
    let (held_tx, held_rx) = std::sync::mpsc::channel::<()>();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let shared = emulator.running.emulator.clone();
    let writer = std::thread::spawn(move || {
        shared
            .transact(PROJECT, |_| {
                held_tx.send(()).unwrap();
                release_rx.recv().unwrap();
                Ok(())
            })
            .unwrap();
    });
    tokio::task::spawn_blocking(move || held_rx.recv().unwrap())
        .await
        .unwrap();

    let client = emulator.client();
    // The timeout only turns a hang (a read waiting for the writer) into a failure.
    let read = tokio::time::timeout(
        Duration::from_secs(30),
        call(
            &client,
            Method::Get,
            &format!("/v2/{{project_id}}/instances/{instance}/topics"),
            &[],
            None,
        ),
    )
    .await
    .expect("a read does not wait for the writer");
    assert_eq!((read.status, &read.body["total"]), (200, &json!(0)));

    release_tx.send(()).unwrap();
    writer.join().unwrap();
    let created = call(
        &client,
        Method::Post,
        &format!("/v2/{{project_id}}/instances/{instance}/topics"),
        &[],
        Some(json!({"name": "after-the-write"})),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.body);
}

#[test]
fn a_read_that_finds_a_timer_due_answers_with_the_state_it_leads_to() {
    let data = tempfile::tempdir().unwrap();
    // Opened, not spawned: no ticker advances anything behind the test's back.
    let emulator = Emulator::open(test_settings(data.path())).unwrap();
    let token = "MIIemu-test-token".to_owned();
    let issue = Req {
        method: "POST".into(),
        segments: decode_segments("/v3/auth/tokens"),
        query: Vec::new(),
        headers: Vec::new(),
        body: json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": IAM_USER.1, "password": IAM_USER.2, "domain": {"name": IAM_USER.0}}}},
            "scope": {"project": {"name": "emulator-region"}}}})
        .to_string()
        .into_bytes(),
    };
    emulator
        .transact("", |ctx| {
            auth::issue_token(
                &issue,
                emulator.settings(),
                &ctx.docs,
                ctx.now_ms,
                token.clone(),
            )
        })
        .unwrap();
    let id = emulator
        .transact(PROJECT, |ctx| {
            let spec = InstanceSpec {
                initial: InitialState::Creating { seconds: Some(0) },
                ..InstanceSpec::new("due-now", "c6.4u8g.cluster")
            };
            let doc = create_instance_document(ctx, PROJECT, &spec)?;
            Ok(doc["instance_id"].as_str().unwrap().to_owned())
        })
        .unwrap();
    let stored = emulator
        .read(PROJECT, |ctx| Ok(ctx.docs.get("instance", PROJECT, &id)?))
        .unwrap()
        .unwrap();
    assert_eq!(stored["status"], "CREATING", "nothing has advanced it yet");

    let path = format!("/v2/{PROJECT}/instances/{id}");
    let headers = vec![("X-Auth-Token".to_owned(), token)];
    let raw = RawRequest {
        method: "GET",
        raw_path: &path,
        raw_query: "",
        headers: &headers,
        body: &[],
    };
    let req = Req {
        method: "GET".into(),
        segments: decode_segments(&path),
        query: Vec::new(),
        headers: headers.clone(),
        body: Vec::new(),
    };
    let shown = emulator.handle(&raw, &req).unwrap().body.unwrap();
    assert_eq!(shown["status"], "RUNNING", "{shown}");
}
