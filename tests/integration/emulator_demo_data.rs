//! The demo data set: its size, its mix, its problems to find, and that a seed reproduces it.

use dms_console::api::Method;
use serde_json::Value;

use crate::support::calls::{call, get_ok};
use crate::support::emulator::TestEmulator;

async fn get(emulator: &TestEmulator, path: &str, query: &[(&str, &str)]) -> Value {
    get_ok(&emulator.client(), path, query).await
}

async fn demo(seed: u64) -> TestEmulator {
    TestEmulator::start_with(|s| {
        s.demo_data = true;
        s.seed = seed;
    })
    .await
}

fn instances_by_name(list: &Value) -> Vec<(String, String, String, String)> {
    let mut out: Vec<_> = list["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap().to_owned(),
                i["status"].as_str().unwrap().to_owned(),
                i["engine_version"].as_str().unwrap().to_owned(),
                i["instance_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn the_demo_has_three_instances_forty_topics_thirty_groups_and_ten_thousand_messages() {
    let emulator = demo(7).await;
    let list = get(
        &emulator,
        "/v2/{project_id}/instances",
        &[("engine", "reliability")],
    )
    .await;
    let instances = instances_by_name(&list);
    let summary: Vec<(&str, &str, &str)> = instances
        .iter()
        .map(|(n, s, v, _)| (n.as_str(), s.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("analytics-staging", "CREATING", "4.8.0"),
            ("orders-prod", "RUNNING", "4.8.0"),
            ("payments-v5", "RUNNING", "5.x")
        ]
    );

    let mut topics = 0;
    let mut groups = 0;
    let mut messages = 0;
    let mut message_types = std::collections::BTreeSet::new();
    for (name, _, _, id) in instances
        .iter()
        .filter(|(_, status, _, _)| status == "RUNNING")
    {
        let mut offset = 0;
        loop {
            let page = get(
                &emulator,
                &format!("/v2/{{project_id}}/instances/{id}/topics"),
                &[("limit", "50"), ("offset", &offset.to_string())],
            )
            .await;
            let items = page["topics"].as_array().unwrap().clone();
            for topic in &items {
                topics += 1;
                if let Some(kind) = topic["message_type"].as_str() {
                    message_types.insert(kind.to_owned());
                }
                let topic_name = topic["name"].as_str().unwrap();
                let status = get(
                    &emulator,
                    &format!("/v2/{{project_id}}/instances/{id}/topics/{topic_name}/status"),
                    &[],
                )
                .await;
                messages +=
                    status["max_offset"].as_i64().unwrap() - status["min_offset"].as_i64().unwrap();
            }
            if items.len() < 50 {
                break;
            }
            offset += 50;
        }
        let page = get(
            &emulator,
            &format!("/v2/{{project_id}}/instances/{id}/groups"),
            &[("limit", "50")],
        )
        .await;
        groups += page["groups"].as_array().unwrap().len();
        assert!(
            page["groups"]
                .as_array()
                .unwrap()
                .iter()
                .any(|g| g["group_online"] == true),
            "{name} has online consumers"
        );
    }
    assert!(
        (38..=42).contains(&topics),
        "about forty topics, got {topics}"
    );
    assert!(
        (28..=32).contains(&groups),
        "about thirty groups, got {groups}"
    );
    assert!(
        (9_000..=11_000).contains(&messages),
        "about ten thousand messages, got {messages}"
    );
    assert_eq!(
        message_types.len(),
        4,
        "every 5.x message type: {message_types:?}"
    );
}

#[tokio::test]
async fn the_demo_has_lagging_groups_and_dead_letters_to_find() {
    let emulator = demo(7).await;
    let list = get(
        &emulator,
        "/v2/{project_id}/instances",
        &[("engine", "reliability"), ("name", "orders-prod")],
    )
    .await;
    let id = list["instances"][0]["instance_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let groups = get(
        &emulator,
        &format!("/v2/{{project_id}}/instances/{id}/groups"),
        &[("limit", "50")],
    )
    .await;
    let mut lagging = 0;
    let mut dead_lettered = 0;
    for group in groups["groups"].as_array().unwrap() {
        let name = group["name"].as_str().unwrap();
        let topics = get(
            &emulator,
            &format!("/v2/{{project_id}}/instances/{id}/groups/{name}/topics"),
            &[],
        )
        .await;
        for topic in topics["topics"].as_array().unwrap() {
            let detail = get(
                &emulator,
                &format!("/v2/{{project_id}}/instances/{id}/groups/{name}/topics"),
                &[("topic", topic.as_str().unwrap())],
            )
            .await;
            if detail["lag"].as_i64().unwrap_or(0) > 0 {
                lagging += 1;
            }
        }
        let status = call(
            &emulator.client(),
            Method::Get,
            &format!("/v2/{{project_id}}/instances/{id}/topics/%DLQ%{name}/status"),
            &[],
            None,
        )
        .await;
        if status.status == 200 {
            let status = status.body;
            if status["max_offset"].as_i64().unwrap_or(0)
                > status["min_offset"].as_i64().unwrap_or(0)
            {
                dead_lettered += 1;
            }
        }
    }
    assert!(lagging >= 2, "a few groups lag, got {lagging}");
    assert!(
        dead_lettered >= 2,
        "a few groups have dead letters, got {dead_lettered}"
    );
}

#[tokio::test]
async fn the_same_seed_gives_the_same_data_and_another_seed_other_data() {
    let (first, second, other) = (demo(11).await, demo(11).await, demo(12).await);
    let ids = |list: &Value| {
        instances_by_name(list)
            .into_iter()
            .map(|(_, _, _, id)| id)
            .collect::<Vec<_>>()
    };
    let query = [("engine", "reliability")];
    let a = ids(&get(&first, "/v2/{project_id}/instances", &query).await);
    let b = ids(&get(&second, "/v2/{project_id}/instances", &query).await);
    let c = ids(&get(&other, "/v2/{project_id}/instances", &query).await);
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_eq!(
        first_order_body(&first, &a[1]).await,
        first_order_body(&second, &b[1]).await
    );
}

async fn first_order_body(emulator: &TestEmulator, instance_id: &str) -> String {
    let path = format!("/v2/reliability/{{project_id}}/instances/{instance_id}/messages");
    let page = get(
        emulator,
        &path,
        &[("topic", "orders-created"), ("limit", "1")],
    )
    .await;
    page["messages"][0]["body"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn demo_data_is_created_once_and_survives_a_restart() {
    let data_dir = tempfile::tempdir().unwrap();
    let settings = |dir: &std::path::Path| {
        let mut s = crate::support::emulator::test_settings(dir);
        s.demo_data = true;
        s
    };
    let running = dms_console::emulator::spawn(settings(data_dir.path()))
        .await
        .unwrap();
    running.stop().await;
    let running = dms_console::emulator::spawn(settings(data_dir.path()))
        .await
        .unwrap();
    let client = dms_console::api::DmsClient::new({
        let mut c = dms_console::api::ClientConfig::new(
            running.url().parse().unwrap(),
            Some(crate::support::emulator::PROJECT.to_owned()),
            dms_console::api::Credentials::AccessKey {
                access_key: crate::support::emulator::AK.into(),
                secret_key: dms_console::secret::Secret::new(crate::support::emulator::SK),
                security_token: None,
            },
        );
        c.retry.max_read_retries = 0;
        c
    })
    .unwrap();
    let list = get_ok(
        &client,
        "/v2/{project_id}/instances",
        &[("engine", "reliability")],
    )
    .await;
    assert_eq!(
        list["instance_num"], 3,
        "seeding happens once, not on every start"
    );
    running.stop().await;
}
