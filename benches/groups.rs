//! `cargo bench --bench groups`: the consumer groups tab and the dashboard's attention panel
//! at scale, with the console and a `dms-console emulator --demo-scale` (one instance with
//! 10,000 topics and 2,000 consumer groups) started as release processes on this machine.
//!
//! It prints, for one run:
//! * the groups tab's time to first byte: the first view (which starts reading every group's
//!   lag), then views while that reading goes on, then views once it is done;
//! * the time until every group's lag is read, from the first view, and the DMS calls it took;
//! * the dashboard and its attention panel (which the browser loads after the page) with
//!   100 ms added by the emulator to every DMS call, from the figures the groups tab read;
//!   and, with the figures dropped, how soon the dashboard and its panel answer and when the
//!   panel is complete;
//! * the console's resident memory after all of it (and its peak).
//!
//! Nothing is asserted: the numbers are for reading. `BENCH_QUICK=1` does not wait for the
//! cold reading with added latency to complete (about a minute).

mod support;

use std::time::{Duration, Instant};

use dms_console::api::models::instances::ListInstancesQuery;
use dms_console::api::{ClientConfig, Credentials, DmsClient};
use dms_console::secret::Secret;
use serde_json::json;
use support::{
    ACCESS_KEY, PROJECT, SECRET_KEY, free_port, http, median, memory_kib, mib, quick, sign_in,
    start_console, start_emulator, write_config,
};

const LATENCY_MS: u64 = 100;

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(0.0, f64::max)
}

/// The id of the scale instance.
async fn scale_instance(emulator: &str) -> String {
    let client = DmsClient::new(ClientConfig::new(
        emulator.parse().expect("the emulator URL"),
        Some(PROJECT.to_owned()),
        Credentials::AccessKey {
            access_key: ACCESS_KEY.to_owned(),
            secret_key: Secret::new(SECRET_KEY),
            security_token: None,
        },
    ))
    .expect("a DMS client");
    let list = client
        .list_instances(&ListInstancesQuery {
            name: Some("scale-10k".into()),
            ..Default::default()
        })
        .await
        .expect("the instance list")
        .into_inner();
    list.instances
        .into_iter()
        .find(|i| i.name == "scale-10k")
        .expect("the scale instance")
        .instance_id
}

/// Sets the emulator's fault rules to `latency_ms` on every call (none for 0).
async fn set_latency(emulator: &str, latency_ms: u64) {
    let rules = if latency_ms == 0 {
        json!([])
    } else {
        json!([{ "path": "/**", "latency_ms": latency_ms }])
    };
    let answer = reqwest::Client::new()
        .put(format!("{emulator}/_emulator/faults"))
        .json(&rules)
        .send()
        .await
        .expect("PUT /_emulator/faults");
    assert!(answer.status().is_success(), "setting faults");
}

/// The DMS requests the emulator has answered so far.
async fn dms_requests(emulator: &str) -> u64 {
    let log: serde_json::Value = reqwest::Client::new()
        .get(format!("{emulator}/_emulator/requests"))
        .send()
        .await
        .expect("GET /_emulator/requests")
        .json()
        .await
        .expect("the request log");
    log["total"].as_u64().unwrap_or(0)
}

/// `GET url`: the time to the answer's headers (first byte) and to its whole body, in ms,
/// and the body.
async fn get(client: &reqwest::Client, url: &str, cookie: &str) -> (f64, f64, String) {
    let started = Instant::now();
    let answer = client
        .get(url)
        .header("cookie", cookie)
        .send()
        .await
        .expect("GET");
    let first_byte = started.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(answer.status().as_u16(), 200, "{url}");
    let body = answer.text().await.expect("a body");
    (first_byte, started.elapsed().as_secs_f64() * 1000.0, body)
}

/// Asks for the attention panel until it is complete (each answer waits a moment for the
/// figures, and comes as soon as they are all read); returns the time from `since`.
async fn until_complete(
    client: &reqwest::Client,
    base: &str,
    id: &str,
    cookie: &str,
    since: Instant,
) -> f64 {
    let panel = format!("{base}/instances/{id}/panels/attention");
    loop {
        let (_, _, body) = get(client, &panel, cookie).await;
        if !body.contains("aria-busy") {
            return since.elapsed().as_secs_f64();
        }
        assert!(
            since.elapsed() < Duration::from_secs(600),
            "the figures were never complete"
        );
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("groups bench: run it with `cargo bench --bench groups`");
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let started = Instant::now();
    let (_emulator, emulator_url) = start_emulator(dir.path(), &["--demo-scale"]);
    println!(
        "emulator with the scale data set ready after {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let id = scale_instance(&emulator_url).await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let config = write_config(dir.path(), &emulator_url, port);
    let console = start_console(dir.path(), &config);
    let pid = console.0.id();
    let client = http();
    let deadline = Instant::now() + Duration::from_secs(10);
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(Instant::now() < deadline, "the console did not start");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let cookie = sign_in(&client, &base).await;
    // The instance list once, as a person arrives at the groups tab from it.
    get(&client, &format!("{base}/instances"), &cookie).await;

    // The groups tab: the first view starts reading every group's lag.
    let tab = format!("{base}/instances/{id}/groups");
    let calls_before = dms_requests(&emulator_url).await;
    let first_view = Instant::now();
    let (cold_first_byte, cold_whole, body) = get(&client, &tab, &cookie).await;
    assert!(body.contains("figures-status"));
    let (mut during, mut during_whole) = (Vec::new(), Vec::new());
    for _ in 0..10 {
        let (first_byte, whole, _) = get(&client, &tab, &cookie).await;
        during.push(first_byte);
        during_whole.push(whole);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let complete = until_complete(&client, &base, &id, &cookie, first_view).await;
    let calls = dms_requests(&emulator_url).await - calls_before;
    let (mut after, mut after_whole) = (Vec::new(), Vec::new());
    for _ in 0..20 {
        let (first_byte, whole, _) = get(&client, &tab, &cookie).await;
        after.push(first_byte);
        after_whole.push(whole);
    }
    let sorted = get(
        &client,
        &format!("{tab}?sort=lag&dir=desc&limit=50"),
        &cookie,
    )
    .await;
    println!(
        "groups tab, time to first byte: first view {cold_first_byte:.1} ms (whole page {cold_whole:.1} ms); \
         while every group's lag is read: median {:.1} ms, max {:.1} ms (whole page median {:.1} ms); \
         once read: median {:.1} ms, max {:.1} ms (whole page median {:.1} ms)",
        median(&mut during),
        max(&during),
        median(&mut during_whole),
        median(&mut after),
        max(&after),
        median(&mut after_whole),
    );
    println!(
        "every one of the 2,000 groups' lag read {complete:.2} s after the first view ({calls} DMS calls); \
         sorted by lag, the first page in {:.1} ms",
        sorted.1
    );

    // The dashboard and its attention panel, 100 ms per DMS call, from the groups tab's figures.
    set_latency(&emulator_url, LATENCY_MS).await;
    let dashboard = format!("{base}/instances/{id}");
    let panel = format!("{dashboard}/panels/attention");
    get(&client, &dashboard, &cookie).await;
    let (mut pages, mut panels, mut totals) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..20 {
        let (_, page, _) = get(&client, &dashboard, &cookie).await;
        let (_, attention, body) = get(&client, &panel, &cookie).await;
        assert!(
            body.contains("lagging-groups"),
            "the panel names lagging groups"
        );
        pages.push(page);
        panels.push(attention);
        totals.push(page + attention);
    }
    let total = median(&mut totals);
    println!(
        "dashboard with its attention panel, {LATENCY_MS} ms per DMS call: median {total:.1} ms = {:.2} x {LATENCY_MS} ms \
         (page {:.1} ms, then panel {:.1} ms; max {:.1} ms; 20 loads)",
        total / LATENCY_MS as f64,
        median(&mut pages),
        median(&mut panels),
        max(&totals),
    );
    // With the figures dropped (as after a change): the panel answers soon with what it has,
    // then completes by itself.
    let cold = Instant::now();
    let (_, page, _) = get(&client, &dashboard, &cookie).await;
    let (_, first_answer, body) = get(&client, &format!("{panel}?refresh=1"), &cookie).await;
    let partial = body.contains("aria-busy");
    println!(
        "  with the figures dropped: page {page:.1} ms, then the panel answers after {first_answer:.1} ms ({}): {:.1} ms = {:.2} x {LATENCY_MS} ms",
        if partial { "partial" } else { "complete" },
        page + first_answer,
        (page + first_answer) / LATENCY_MS as f64,
    );
    if !quick() {
        let complete = until_complete(&client, &base, &id, &cookie, cold).await;
        println!(
            "  and complete after {complete:.1} s, read through the instance's budget of calls in flight"
        );
    }
    set_latency(&emulator_url, 0).await;

    tokio::time::sleep(Duration::from_secs(1)).await;
    let (rss, peak) = memory_kib(pid);
    println!(
        "console memory after all of it: {} (peak {})",
        mib(rss),
        mib(peak)
    );
}
