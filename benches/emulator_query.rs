//! The emulator's message query (5.4.1) on a large topic: one million messages spread over
//! 48 hours in one topic of an in-memory emulator, then a page of 50 from a one-hour window in
//! the middle of that range, the first page of the whole topic (no time range; its total comes
//! from the queue offsets), and a lookup by message id, all through the router exactly as
//! an HTTP request reaches the plane (minus the socket and signature check).
//!
//! Run with `cargo bench --bench emulator_query`; criterion writes the median to
//! `target/criterion/<name>/new/estimates.json`. Under `cargo test` (no `--bench` argument)
//! the same code runs once on ten thousand messages, so the test suite stays quick.

use criterion::{Criterion, criterion_group, criterion_main};
use dms_console::emulator::context::Req;
use dms_console::emulator::plane::{self, NewMessage};
use dms_console::emulator::{Emulator, EmulatorCredential, EmulatorSettings, router};
use dms_console::secret::Secret;

const PROJECT: &str = "5f3c1e0a9b8d47f6a2c4e6b8d0f1a3c5";
/// Messages stored for a real benchmark run.
const MESSAGES: i64 = 1_000_000;
/// Messages stored when the benchmark only runs as a test.
const TEST_MESSAGES: i64 = 10_000;
const SPAN_MS: i64 = 48 * 3_600_000;

fn settings() -> EmulatorSettings {
    EmulatorSettings {
        credentials: vec![EmulatorCredential {
            access_key: "BENCHAK000000000".into(),
            secret_key: Secret::new("bench-secret-key-000000000000000000000000"),
            project_id: PROJECT.into(),
            project_name: "emulator-region".into(),
            security_token: None,
        }],
        traffic_per_second: 0.0,
        ..EmulatorSettings::default()
    }
}

/// An emulator whose `audit` topic (one queue, tracing off) holds `count` messages.
fn loaded(base_ms: i64, count: i64) -> (std::sync::Arc<Emulator>, String) {
    let emulator = Emulator::in_memory(settings()).expect("in-memory emulator");
    let fixture = emulator.seed_plane_fixture(PROJECT, "4.8.0");
    let instance_id = fixture.instance_id.clone();
    let started = std::time::Instant::now();
    let stored = emulator
        .transact(PROJECT, |ctx| {
            let messages = (0..count).map(|i| NewMessage {
                body: format!(r#"{{"order":{i},"amount":{}}}"#, i % 997).into_bytes(),
                keys: format!("order-{i}"),
                tags: "created".into(),
                store_ms: Some(base_ms + i * SPAN_MS / count),
                ..NewMessage::default()
            });
            plane::produce_batch(ctx, &instance_id, &fixture.audit, messages)
        })
        .expect("the messages are stored");
    eprintln!(
        "stored {stored} messages in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    (emulator, instance_id)
}

fn request(instance_id: &str, query: &[(&str, String)]) -> Req {
    Req {
        method: "GET".into(),
        segments: [
            "v2",
            "rocketmq",
            PROJECT,
            "instances",
            instance_id,
            "messages",
        ]
        .map(str::to_owned)
        .to_vec(),
        query: query
            .iter()
            .map(|(name, value)| (name.to_string(), value.clone()))
            .collect(),
        headers: Vec::new(),
        body: Vec::new(),
    }
}

/// Answers `req` the way `Emulator::handle` does after authentication.
fn answer(emulator: &Emulator, req: &Req) -> serde_json::Value {
    emulator
        .transact(PROJECT, |ctx| router::dispatch(ctx, req))
        .expect("the query succeeds")
        .body
        .expect("a JSON answer")
}

fn queries(c: &mut Criterion) {
    // The last 48 hours; `dispatch` runs no retention pass, so nothing expires meanwhile.
    let base_ms = dms_console::clock::now_ms() - SPAN_MS;
    let count = if std::env::args().any(|a| a == "--bench") {
        MESSAGES
    } else {
        TEST_MESSAGES
    };
    let (emulator, instance_id) = loaded(base_ms, count);
    let start = base_ms + SPAN_MS / 2;
    let window = request(
        &instance_id,
        &[
            ("topic", "audit".into()),
            ("start_time", start.to_string()),
            ("end_time", (start + 3_600_000).to_string()),
            ("limit", "50".into()),
        ],
    );
    let first = answer(&emulator, &window);
    assert_eq!(first["messages"].as_array().map(Vec::len), Some(50));
    eprintln!("the one-hour window holds {} messages", first["total"]);
    c.bench_function("time_range_page_of_50_in_1m_messages", |b| {
        b.iter(|| answer(&emulator, &window))
    });

    let everything = request(
        &instance_id,
        &[("topic", "audit".into()), ("limit", "50".into())],
    );
    assert_eq!(answer(&emulator, &everything)["total"], count);
    c.bench_function("whole_topic_page_of_50_in_1m_messages", |b| {
        b.iter(|| answer(&emulator, &everything))
    });

    let middle_id = first["messages"][0]["msg_id"].as_str().unwrap().to_owned();
    let by_id = request(
        &instance_id,
        &[("topic", "audit".into()), ("msg_id", middle_id)],
    );
    assert_eq!(answer(&emulator, &by_id)["total"], 1);
    c.bench_function("msg_id_lookup_in_1m_messages", |b| {
        b.iter(|| answer(&emulator, &by_id))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50);
    targets = queries
}
criterion_main!(benches);
