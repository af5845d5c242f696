//! `cargo bench --bench topics`: the topics tab at 10,000 topics, measured as processes: a
//! `dms-console emulator --demo-scale` (the `scale-10k` instance) and a console wired to it,
//! both the optimised binary, on loopback.
//!
//! It prints, for one run:
//! * the tab's time to first byte (the answer's headers) and to its whole body, one live
//!   page of DMS's list (median of 20 loads);
//! * a name search over every topic: cold (the whole list read again, `refresh=1`) and warm
//!   (from the credential's cached list), time to first byte and whole answer;
//! * the summary panel (counts by permission, the quota) from the cached list;
//! * the console's resident memory before and after, and its peak.
//!
//! Goals from the issue: first byte under 300 ms, a name search under 1 s, the console under
//! 60 MiB. Nothing is asserted: the numbers are for reading. `BENCH_QUICK=1` shortens it.

mod support;

use std::time::{Duration, Instant};

use dms_console::api::models::common::Paging;
use dms_console::api::models::instances::ListInstancesQuery;
use dms_console::api::{ClientConfig, Credentials, DmsClient};
use dms_console::secret::Secret;
use support::{
    ACCESS_KEY, PROJECT, SECRET_KEY, free_port, http, median, memory_kib, mib, quick, sign_in,
    start_console, start_emulator, write_config,
};

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(0.0, f64::max)
}

/// Loads `url` `count` times; returns (times to first byte, times to the whole body) in ms,
/// and the last body.
async fn timed(
    client: &reqwest::Client,
    url: &str,
    cookie: &str,
    count: usize,
) -> (Vec<f64>, Vec<f64>, String) {
    let (mut first, mut whole, mut last) = (Vec::new(), Vec::new(), String::new());
    for _ in 0..count {
        let started = Instant::now();
        let answer = client
            .get(url)
            .header("cookie", cookie)
            .send()
            .await
            .expect("GET");
        first.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(answer.status().as_u16(), 200, "{url}");
        last = answer.text().await.expect("a body");
        whole.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    (first, whole, last)
}

fn report(what: &str, (mut first, mut whole, _): (Vec<f64>, Vec<f64>, String)) {
    println!(
        "{what}: first byte median {:.1} ms (max {:.1}), whole answer median {:.1} ms (max {:.1}), {} loads",
        median(&mut first),
        max(&first),
        median(&mut whole),
        max(&whole),
        first.len(),
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("topics bench: run it with `cargo bench --bench topics`");
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let seeding = Instant::now();
    let (_emulator, emulator_url) = start_emulator(dir.path(), &["--demo-scale"]);
    println!(
        "emulator with the scale data set ready in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
    let dms = DmsClient::new(ClientConfig::new(
        emulator_url.parse().expect("the emulator URL"),
        Some(PROJECT.to_owned()),
        Credentials::AccessKey {
            access_key: ACCESS_KEY.to_owned(),
            secret_key: Secret::new(SECRET_KEY),
            security_token: None,
        },
    ))
    .expect("a DMS client");
    let instances = dms
        .list_instances(&ListInstancesQuery::default())
        .await
        .expect("the instances")
        .into_inner();
    let id = instances
        .instances
        .iter()
        .find(|i| i.name == "scale-10k")
        .expect("the scale instance")
        .instance_id
        .clone();
    let topics = dms
        .list_topics(&id, &Paging::new(1, 9_990))
        .await
        .expect("a late topic")
        .into_inner();
    let needle = topics.topics[0].name.clone();
    println!("scale-10k: {} topics; searching for {needle}", topics.total);

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let config = write_config(dir.path(), &emulator_url, port);
    let console = start_console(dir.path(), &config);
    let pid = console.0.id();
    let client = http();
    for _ in 0..100 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let cookie = sign_in(&client, &base).await;
    let (idle, _) = memory_kib(pid);
    let loads = if quick() { 5 } else { 20 };

    let tab = format!("{base}/instances/{id}/topics");
    timed(&client, &tab, &cookie, 2).await;
    report(
        "topics tab (a live page of 20)",
        timed(&client, &tab, &cookie, loads).await,
    );

    let search = format!("{base}/instances/{id}/topics?name={needle}");
    let cold = timed(
        &client,
        &format!("{search}&refresh=1"),
        &cookie,
        loads.min(10),
    )
    .await;
    assert!(
        cold.2.contains(&format!("data-topic=\"{needle}\""))
            && !cold.2.contains("id=\"list-partial\""),
        "the search finds its topic in the whole list"
    );
    report("name search, list read again (cold)", cold);
    let warm = timed(&client, &search, &cookie, loads).await;
    report("name search, from the cached list (warm)", warm);
    let summary = format!("{base}/instances/{id}/topics?panel=summary");
    report(
        "summary panel (counts, quota) from the cached list",
        timed(&client, &summary, &cookie, loads).await,
    );
    let (rss, peak) = memory_kib(pid);
    tokio::time::sleep(Duration::from_secs(11)).await;
    let (settled, _) = memory_kib(pid);
    println!(
        "console memory: idle {}, after the searches {} (peak {}), {} eleven seconds later",
        mib(idle),
        mib(rss),
        mib(peak),
        mib(settled),
    );
}
