//! How fast the emulator answers the lists and lag reads the console pages through, on an
//! instance the size of a large production one (the scale data set: 10,000 topics, 2,000
//! consumer groups).
//!
//! An emulator (on-disk SQLite in a temporary directory, the real HTTP server on a loopback
//! port) is given the scale data set. One client then sends signed (`SDK-HMAC-SHA256`) requests
//! one after another and times each answer (all must be 200): topic pages of 50 across the whole
//! list (§5.3.2), group pages with and without a name filter (§5.2.1), a lagging group's topics
//! and its lag on one of them (§5.2.7), its consumers (§5.2.9), the groups of that topic
//! (§5.3.6), a topic's queue status (§5.3.7), the instance and the instance list. The report is
//! the median and the 90th percentile per request kind. Last, four concurrent clients read topic pages for a fixed time, to show that reads do not
//! wait for each other: the median rate over the samples.
//!
//! `cargo bench --bench emulator_list` runs the measurement; without `--bench` (as `cargo test
//! --all-targets` runs it) it makes a short pass on a smaller instance as a smoke test.

use std::time::{Duration, Instant};

use dms_console::api::{ClientConfig, Credentials, DmsClient, Method, RetrySettings};
use dms_console::emulator::demo_data::ScaleSpec;
use dms_console::emulator::{self, EmulatorCredential, EmulatorSettings};
use dms_console::secret::Secret;

const PROJECT: &str = "5f3c1e0a9b8d47f6a2c4e6b8d0f1a3c5";
const AK: &str = "BENCHMARKAK00000";
const SK: &str = "benchmark-secret-key-000000000000000000";
const PAGE: usize = 50;
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

/// One request the benchmark times.
struct Probe {
    path: String,
    query: Vec<(String, String)>,
}

fn probe(path: String, query: &[(&str, String)]) -> Probe {
    Probe {
        path,
        query: query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    }
}

/// Sends `probes` (cycling) `count` times one after another; the latencies in ms, sorted.
async fn latencies(client: &DmsClient, probes: &[Probe], count: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let probe = &probes[i % probes.len()];
        let start = Instant::now();
        let reply = client
            .raw(Method::Get, &probe.path, &probe.query, None)
            .await
            .expect("the emulator answers");
        out.push(start.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(
            reply.status, 200,
            "{} {:?}: {:?}",
            probe.path, probe.query, reply.error_code
        );
    }
    out.sort_by(f64::total_cmp);
    out
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

/// Requests answered by `clients` reading topic pages for `span`.
async fn throughput(clients: &[DmsClient], probes: &[Probe], span: Duration) -> f64 {
    let start = Instant::now();
    let deadline = start + span;
    let mut tasks = Vec::new();
    for (index, client) in clients.iter().enumerate() {
        let client = client.clone();
        let probes: Vec<(String, Vec<(String, String)>)> = probes
            .iter()
            .map(|p| (p.path.clone(), p.query.clone()))
            .collect();
        tasks.push(tokio::spawn(async move {
            let mut answered = 0usize;
            while Instant::now() < deadline {
                let (path, query) = &probes[(index + answered * CLIENTS) % probes.len()];
                let reply = client
                    .raw(Method::Get, path, query, None)
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
    total as f64 / start.elapsed().as_secs_f64()
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
        let spec = if measuring {
            ScaleSpec::BENCHMARK
        } else {
            ScaleSpec {
                name: "scale-smoke",
                topics: 300,
                groups: 60,
            }
        };
        let running = emulator::spawn(settings).await.expect("emulator starts");
        let started = Instant::now();
        let scale = running
            .emulator
            .seed_scale(PROJECT, spec)
            .expect("the scale data set is created");
        let created = started.elapsed();
        let url = running.url();
        let instance = &scale.instance_id;
        let base = format!("/v2/{{project_id}}/instances/{instance}");
        let engine_base = format!("/v2/rocketmq/{{project_id}}/instances/{instance}");

        let topic_pages: Vec<Probe> = (0..spec.topics)
            .step_by(spec.topics.div_ceil(20).max(PAGE))
            .map(|offset| {
                probe(
                    format!("{base}/topics"),
                    &[("limit", PAGE.to_string()), ("offset", offset.to_string())],
                )
            })
            .collect();
        let group_pages: Vec<Probe> = (0..spec.groups)
            .step_by(spec.groups.div_ceil(10).max(PAGE))
            .map(|offset| {
                probe(
                    format!("{base}/groups"),
                    &[("limit", PAGE.to_string()), ("offset", offset.to_string())],
                )
            })
            .collect();
        let filtered_pages: Vec<Probe> = ["billing", "ledger-00", "risk-01", "GID_crm"]
            .iter()
            .map(|filter| {
                probe(
                    format!("{base}/groups"),
                    &[("limit", PAGE.to_string()), ("group", (*filter).to_owned())],
                )
            })
            .collect();
        let lagging = &scale.lagging[..scale.lagging.len().min(20)];
        let setup = client(&url);
        let mut lag_reads = Vec::new();
        let mut consumer_lists = Vec::new();
        let mut group_topics = Vec::new();
        let mut topic_groups = Vec::new();
        for group in lagging {
            let list = probe(format!("{base}/groups/{group}/topics"), &[]);
            let reply = setup
                .raw(Method::Get, &list.path, &list.query, None)
                .await
                .expect("group topics");
            let body: serde_json::Value = serde_json::from_slice(&reply.body).expect("JSON");
            let topic = body["topics"][0].as_str().expect("a consumed topic").to_owned();
            topic_groups.push(probe(format!("{base}/topics/{topic}/groups"), &[]));
            lag_reads.push(probe(
                format!("{base}/groups/{group}/topics"),
                &[("topic", topic)],
            ));
            group_topics.push(list);
            consumer_lists.push(probe(
                format!("{engine_base}/groups/{group}/clients"),
                &[("limit", "10".to_owned())],
            ));
        }
        let statuses: Vec<Probe> = scale
            .topics
            .iter()
            .step_by(spec.topics / 20)
            .map(|topic| probe(format!("{base}/topics/{topic}/status"), &[]))
            .collect();
        let instance_reads = vec![probe(base.clone(), &[])];
        let instance_list = vec![probe(
            "/v2/{project_id}/instances".to_owned(),
            &[("engine", "reliability".to_owned())],
        )];

        let count = if measuring { 400 } else { 20 };
        let kinds: [(&str, &[Probe]); 10] = [
            ("GET …/topics?limit=50 (pages across the list)", &topic_pages),
            ("GET …/groups?limit=50 (pages across the list)", &group_pages),
            ("GET …/groups?limit=50&group=… (name filter)", &filtered_pages),
            ("GET …/groups/{group}/topics (a lagging group)", &group_topics),
            ("GET …/groups/{group}/topics?topic=… (its lag)", &lag_reads),
            ("GET …/groups/{group}/clients (its consumers)", &consumer_lists),
            ("GET …/topics/{topic}/groups (its consumers)", &topic_groups),
            ("GET …/topics/{topic}/status", &statuses),
            ("GET …/instances/{id}", &instance_reads),
            ("GET …/instances (the instance list)", &instance_list),
        ];
        println!(
            "emulator_list: {} topics, {} groups on one instance (created in {:.1} s); signed \
             requests over loopback HTTP, one at a time, {count} per kind",
            spec.topics,
            spec.groups,
            created.as_secs_f64()
        );
        let timer = client(&url);
        // Warm-up: the connection, SQLite's page cache.
        for (_, probes) in &kinds {
            latencies(&timer, probes, probes.len()).await;
        }
        for (name, probes) in &kinds {
            let sorted = latencies(&timer, probes, count).await;
            println!(
                "  {name:<50} median {:6.2} ms   p90 {:6.2} ms",
                quantile(&sorted, 0.5),
                quantile(&sorted, 0.9)
            );
        }

        let clients: Vec<DmsClient> = (0..CLIENTS).map(|_| client(&url)).collect();
        let (samples, span) = if measuring {
            (5, Duration::from_secs(1))
        } else {
            (1, Duration::from_millis(200))
        };
        let mut rates = Vec::new();
        for _ in 0..samples {
            rates.push(throughput(&clients, &topic_pages, span).await);
        }
        rates.sort_by(f64::total_cmp);
        println!(
            "  topic pages from {CLIENTS} concurrent clients: median {:.0} req/s (min {:.0}, max {:.0}; {samples} samples of {} ms)",
            quantile(&rates, 0.5),
            rates[0],
            rates[rates.len() - 1],
            span.as_millis()
        );
        running.stop().await;
    });
}
