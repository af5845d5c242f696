//! How many list requests per second the emulator answers on this machine.
//!
//! An emulator (on-disk SQLite in a temporary directory, the real HTTP server on a loopback
//! port) holds one instance with 50 topics. A few concurrent clients, each with its own
//! connection pool, send signed (`SDK-HMAC-SHA256`) `GET /v2/{project_id}/instances/{id}/topics
//! ?limit=50` requests; every sample counts the answers (all must be 200) over a fixed time,
//! and the report is the median rate over the samples, with the slowest and fastest.
//!
//! `cargo bench --bench emulator_list` runs the measurement; without `--bench` (as `cargo test
//! --all-targets` runs it) it makes one short sample as a smoke test.

use std::time::{Duration, Instant};

use dms_console::api::models::common::Paging;
use dms_console::api::{ClientConfig, Credentials, DmsClient, Method, RetrySettings};
use dms_console::emulator::{self, EmulatorCredential, EmulatorSettings};
use dms_console::secret::Secret;

const PROJECT: &str = "5f3c1e0a9b8d47f6a2c4e6b8d0f1a3c5";
const AK: &str = "BENCHMARKAK00000";
const SK: &str = "benchmark-secret-key-000000000000000000";
const TOPICS: usize = 50;
const CLIENTS: usize = 4;

fn client(url: &str) -> DmsClient {
    let mut config = ClientConfig::new(
        url.parse().expect("emulator URL"),
        Some(PROJECT.to_owned()),
        Credentials::AccessKey {
            access_key: AK.into(),
            secret_key: Secret::new(SK),
            security_token: None,
        },
    );
    config.retry = RetrySettings {
        max_read_retries: 0,
        ..RetrySettings::default()
    };
    DmsClient::new(config).expect("client")
}

/// Requests answered by `clients` hammering the list for `span`; panics on a non-200.
async fn sample(clients: &[DmsClient], path: &str, span: Duration) -> (u64, Duration) {
    let query = [("limit".to_owned(), TOPICS.to_string())];
    let start = Instant::now();
    let deadline = start + span;
    let mut tasks = Vec::new();
    for client in clients {
        let client = client.clone();
        let path = path.to_owned();
        let query = query.clone();
        tasks.push(tokio::spawn(async move {
            let mut answered = 0u64;
            while Instant::now() < deadline {
                let reply = client
                    .raw(Method::Get, &path, &query, None)
                    .await
                    .expect("list request");
                assert_eq!(reply.status, 200, "{:?}", reply.error_code);
                answered += 1;
            }
            answered
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await.expect("client task");
    }
    (total, start.elapsed())
}

fn main() {
    let measuring = std::env::args().any(|a| a == "--bench");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async move {
        let data = tempfile::tempdir().expect("temporary directory");
        let settings = EmulatorSettings {
            listen: "127.0.0.1:0".into(),
            data_dir: data.path().to_path_buf(),
            credentials: vec![EmulatorCredential {
                access_key: AK.into(),
                secret_key: Secret::new(SK),
                project_id: PROJECT.into(),
                project_name: "emulator-region".into(),
                security_token: None,
            }],
            traffic_per_second: 0.0,
            ..EmulatorSettings::default()
        };
        let running = emulator::spawn(settings).await.expect("emulator starts");
        let url = running.url();
        let instance = running
            .emulator
            .seed_instance_for_tests(PROJECT, "4.8.0", 1);
        let setup = client(&url);
        let path = format!("/v2/{{project_id}}/instances/{instance}/topics");
        for i in 0..TOPICS {
            let body = format!(
                r#"{{"name": "bench-topic-{i:02}", "brokers": ["broker-0"], "queue_num": 3, "permission": "all"}}"#
            );
            let reply = setup
                .raw(Method::Post, &path, &[], Some(body.as_bytes()))
                .await
                .expect("create a topic");
            assert_eq!(reply.status, 200, "{:?}", reply.error_code);
        }
        let listed = setup
            .list_topics(&instance, &Paging::new(50, 0))
            .await
            .expect("list topics");
        assert_eq!(listed.topics.len(), TOPICS);

        let clients: Vec<DmsClient> = (0..CLIENTS).map(|_| client(&url)).collect();
        let (samples, span) = if measuring {
            (10, Duration::from_secs(1))
        } else {
            (1, Duration::from_millis(200))
        };
        // Warm-up: connections, caches.
        sample(&clients, &path, span / 2).await;
        let mut rates = Vec::new();
        for _ in 0..samples {
            let (answered, elapsed) = sample(&clients, &path, span).await;
            rates.push(answered as f64 / elapsed.as_secs_f64());
        }
        rates.sort_by(f64::total_cmp);
        let median = if rates.len() % 2 == 1 {
            rates[rates.len() / 2]
        } else {
            (rates[rates.len() / 2 - 1] + rates[rates.len() / 2]) / 2.0
        };
        println!(
            "emulator_list: GET …/topics?limit={TOPICS} ({TOPICS} topics, signed, loopback HTTP, {CLIENTS} clients): median {median:.0} req/s (min {:.0}, max {:.0}; {samples} samples of {} ms)",
            rates[0],
            rates[rates.len() - 1],
            span.as_millis()
        );
        running.stop().await;
    });
}
