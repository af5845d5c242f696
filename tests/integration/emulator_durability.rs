//! The emulator survives `kill -9` with nothing acknowledged lost.
//!
//! The real binary is started on a data directory; topics, consumer groups and ACL users are
//! created (and some topics deleted) through signed calls, and every 2xx answer is recorded.
//! The process is then killed with SIGKILL (`Child::kill`), started again on the same data
//! directory, and everything is read back: each acknowledged create is there and each
//! acknowledged delete stays deleted. A second run kills the process while several writers
//! are still sending: writes that got no answer may or may not be there, acknowledged ones
//! must be.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use dms_console::api::{DmsClient, Method};
use serde_json::json;

use crate::support::binary::{EmulatorProcess, fast_config};
use crate::support::calls::{Reply, call, get_ok};
use crate::support::instances::{create, create_body, wait_status_within};

/// One write and what it should leave behind.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Write {
    Topic(String),
    Group(String),
    User(String),
    DeleteTopic(String),
}

/// The acknowledged writes and the ones that got no answer.
#[derive(Debug, Default)]
struct Ledger {
    acknowledged: Vec<Write>,
    unanswered: Vec<Write>,
}

/// Creates a 4.8.0 instance with ACL on and waits until it is RUNNING; returns its id.
async fn running_instance(client: &DmsClient) -> String {
    let mut body = create_body("durable-instance");
    body["enable_acl"] = json!(true);
    let id = create(client, body).await;
    wait_status_within(client, &id, "RUNNING", Duration::from_secs(30)).await;
    id
}

/// Sends one write: `true` when acknowledged (2xx), `false` when no answer came (the
/// connection was lost). Every write here is valid, so a refusal fails the test.
async fn send(client: &DmsClient, instance: &str, write: &Write) -> bool {
    let base = format!("/v2/{{project_id}}/instances/{instance}");
    let (method, path, body) = match write {
        Write::Topic(name) => (
            Method::Post,
            format!("{base}/topics"),
            Some(
                json!({"name": name, "brokers": ["broker-0"], "queue_num": 3, "permission": "all"}),
            ),
        ),
        Write::Group(name) => (
            Method::Post,
            format!("{base}/groups"),
            Some(json!({"name": name, "brokers": ["broker-0"], "retry_max_time": 16})),
        ),
        Write::User(name) => (
            Method::Post,
            format!("{base}/users"),
            Some(json!({"access_key": name, "secret_key": "Durable-Secret9"})),
        ),
        Write::DeleteTopic(name) => (Method::Delete, format!("{base}/topics/{name}"), None),
    };
    let bytes = body.map(|b| b.to_string().into_bytes());
    match client.raw(method, &path, &[], bytes.as_deref()).await {
        Ok(reply) if (200..300).contains(&reply.status) => true,
        Ok(reply) => {
            panic!(
                "{write:?} was refused: {} {:?} {}",
                reply.status,
                reply.error_code,
                String::from_utf8_lossy(&reply.body)
            )
        }
        Err(_) => false,
    }
}

/// Every name of a paged list (`limit` 50) under `field`.
async fn all_names(client: &DmsClient, path: &str, field: &str, key: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut offset = 0;
    loop {
        let offset_text = offset.to_string();
        let body = get_ok(client, path, &[("limit", "50"), ("offset", &offset_text)]).await;
        let page = body[field].as_array().cloned().unwrap_or_default();
        if page.is_empty() {
            return names;
        }
        offset += page.len();
        names.extend(
            page.iter()
                .filter_map(|item| item[key].as_str().map(str::to_owned)),
        );
    }
}

/// Reads everything back after a restart and checks every acknowledged write.
async fn verify(client: &DmsClient, instance: &str, ledger: &Ledger) {
    let base = format!("/v2/{{project_id}}/instances/{instance}");
    let Reply {
        status,
        body: shown,
        ..
    } = call(client, Method::Get, &base, &[], None).await;
    assert_eq!(
        status, 200,
        "the instance is gone after the restart: {shown}"
    );
    assert_eq!(shown["status"], "RUNNING", "{shown}");
    let topics = all_names(client, &format!("{base}/topics"), "topics", "name").await;
    let groups = all_names(client, &format!("{base}/groups"), "groups", "name").await;
    let users = all_names(client, &format!("{base}/users"), "users", "access_key").await;
    // A topic may be gone when its deletion was sent, answered or not.
    let deletion_sent = |name: &String| {
        let delete = Write::DeleteTopic(name.clone());
        ledger.acknowledged.contains(&delete) || ledger.unanswered.contains(&delete)
    };
    let mut lost = Vec::new();
    for write in &ledger.acknowledged {
        let kept = match write {
            Write::Topic(name) => topics.contains(name) || deletion_sent(name),
            Write::Group(name) => groups.contains(name),
            Write::User(name) => users.contains(name),
            Write::DeleteTopic(name) => !topics.contains(name),
        };
        if !kept {
            lost.push(write.clone());
        }
    }
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged writes were lost: {lost:?}",
        lost.len(),
        ledger.acknowledged.len()
    );
}

/// The writes of writer `writer`, round `round`: a topic, a group, a user, and every third
/// round the deletion of the round's topic.
fn round_writes(writer: usize, round: usize) -> Vec<Write> {
    let mut writes = vec![
        Write::Topic(format!("topic-w{writer}-{round}")),
        Write::Group(format!("group-w{writer}-{round}")),
        Write::User(format!("user_w{writer}_{round}")),
    ];
    if round % 3 == 2 {
        writes.push(Write::DeleteTopic(format!("topic-w{writer}-{round}")));
    }
    writes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_9() {
    let work = tempfile::tempdir().expect("temporary directory");
    let config = fast_config(work.path());
    let data = work.path().join("data");

    let emulator = EmulatorProcess::start(&data, &config, &[]);
    let client = emulator.client();
    let instance = running_instance(&client).await;
    let mut ledger = Ledger::default();
    for round in 0..60 {
        for write in round_writes(0, round) {
            assert!(
                send(&client, &instance, &write).await,
                "the emulator stopped answering at {write:?}"
            );
            ledger.acknowledged.push(write);
        }
    }
    assert_eq!(ledger.acknowledged.len(), 60 * 3 + 20);
    emulator.kill();

    let emulator = EmulatorProcess::start(&data, &config, &[]);
    verify(&emulator.client(), &instance, &ledger).await;
    // And the restarted emulator takes writes again.
    let again = Write::Topic("after-restart".into());
    assert!(send(&emulator.client(), &instance, &again).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_9_with_writes_in_flight() {
    const WRITERS: usize = 4;
    let work = tempfile::tempdir().expect("temporary directory");
    let config = fast_config(work.path());
    let data = work.path().join("data");

    let emulator = EmulatorProcess::start(&data, &config, &[]);
    let instance = running_instance(&emulator.client()).await;
    let mut writers = Vec::new();
    for writer in 0..WRITERS {
        let client = emulator.client();
        let instance = instance.clone();
        writers.push(tokio::spawn(async move {
            let mut ledger = Ledger::default();
            // Writes until the connection is lost: the kill ends every writer.
            for round in 0.. {
                for write in round_writes(writer, round) {
                    if send(&client, &instance, &write).await {
                        ledger.acknowledged.push(write);
                    } else {
                        ledger.unanswered.push(write);
                        return ledger;
                    }
                }
            }
            ledger
        }));
    }
    // Let the writers get going, then kill the process under them.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut created = 0;
    while created < 150 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
        created = all_names(
            &emulator.client(),
            &format!("/v2/{{project_id}}/instances/{instance}/users"),
            "users",
            "access_key",
        )
        .await
        .len();
    }
    emulator.kill();
    let mut ledger = Ledger::default();
    for writer in writers {
        let part = tokio::time::timeout(Duration::from_secs(30), writer)
            .await
            .expect("a writer hung after the kill")
            .expect("a writer panicked");
        ledger.acknowledged.extend(part.acknowledged);
        ledger.unanswered.extend(part.unanswered);
    }
    assert!(
        ledger.acknowledged.len() >= 150,
        "too few writes before the kill: {}",
        ledger.acknowledged.len()
    );
    // Every writer ended on a write the kill left without an answer.
    assert_eq!(ledger.unanswered.len(), WRITERS, "{:?}", ledger.unanswered);

    let emulator = EmulatorProcess::start(&data, &config, &[]);
    verify(&emulator.client(), &instance, &ledger).await;
}
