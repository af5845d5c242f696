//! `cargo bench --bench console`: the console measured as a process, against a separately
//! started `dms-console emulator` on the same machine (both are the optimised binary cargo
//! builds for benchmarks).
//!
//! It prints, for one run:
//! * start-up: from spawning `dms-console serve` to the first 200 on `/healthz` and on
//!   `/login` (median of 20 starts);
//! * the console process's resident memory when idle, and after 1,000 sign-ins;
//! * dashboard latency with 100 ms added by the emulator to every DMS call (median of 30
//!   loads, and its ratio to 100 ms), for an instance without consumer groups and for one with
//!   some;
//! * pages per second of the instance list with a session cookie, from a small Tokio loop
//!   and, when `wrk` is installed, from wrk.
//!
//! Nothing is asserted: the numbers are for reading. `BENCH_QUICK=1` shortens every phase.
//! Everything listens on 127.0.0.1 only, and every loop is bounded in count and time.

mod support;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use dms_console::api::{ClientConfig, Credentials, DmsClient, Method};
use dms_console::secret::Secret;
use serde_json::{Value, json};
use support::{
    ACCESS_KEY, BINARY, PROJECT, Proc, SECRET_KEY, free_port, http, median, memory_kib, mib, quick,
    sign_in, start_console, start_emulator, write_config,
};

const EMULATOR_LATENCY_MS: u64 = 100;

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    let rank = ((p / 100.0) * (values.len() as f64 - 1.0)).round() as usize;
    values[rank.min(values.len() - 1)]
}

/// CPU seconds (user + system) a process has used so far.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; the kernel
    // counts them in USER_HZ, 100 on Linux.
    (ticks(11) + ticks(12)) / 100.0
}

async fn status_of(client: &reqwest::Client, url: &str) -> Option<u16> {
    client
        .get(url)
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16())
}

/// Spawns the console and returns the time to the first 200 of `/healthz` and of `/login`.
async fn time_start(dir: &Path, config: &Path, base: &str) -> (Proc, f64, f64) {
    let client = http();
    let started = Instant::now();
    let console = start_console(dir, config);
    let deadline = started + Duration::from_secs(10);
    let healthz = format!("{base}/healthz");
    loop {
        if status_of(&client, &healthz).await == Some(200) {
            break;
        }
        assert!(Instant::now() < deadline, "the console did not start");
        tokio::time::sleep(Duration::from_micros(500)).await;
    }
    let to_healthz = started.elapsed().as_secs_f64() * 1000.0;
    let login = format!("{base}/login");
    while status_of(&client, &login).await != Some(200) {
        assert!(
            Instant::now() < deadline,
            "the console did not serve /login"
        );
    }
    let to_login = started.elapsed().as_secs_f64() * 1000.0;
    (console, to_healthz, to_login)
}

async fn dms(emulator: &str) -> DmsClient {
    DmsClient::new(ClientConfig::new(
        emulator.parse().expect("the emulator URL"),
        Some(PROJECT.to_owned()),
        Credentials::AccessKey {
            access_key: ACCESS_KEY.to_owned(),
            secret_key: Secret::new(SECRET_KEY),
            security_token: None,
        },
    ))
    .expect("a DMS client")
}

async fn call(client: &DmsClient, method: Method, path: &str, body: Option<Value>) -> Value {
    let bytes = body.map(|b| b.to_string().into_bytes());
    let (path, query) = match path.split_once('?') {
        Some((path, query)) => (
            path,
            url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        ),
        None => (path, Vec::new()),
    };
    let reply = client
        .raw(method, path, &query, bytes.as_deref())
        .await
        .expect("the emulator answers");
    assert!(
        (200..300).contains(&reply.status),
        "{path}: {} {:?}",
        reply.status,
        String::from_utf8_lossy(&reply.body)
    );
    if reply.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&reply.body).expect("JSON")
    }
}

/// Creates RUNNING instances: `plain` without consumer groups, `grouped` with three.
async fn prepare_instances(emulator: &str) -> (String, String) {
    let client = dms(emulator).await;
    let mut ids = Vec::new();
    for name in ["bench-plain", "bench-grouped", "bench-three", "bench-four"] {
        let body = json!({
            "name": name, "description": "", "engine": "reliability", "engine_version": "4.8.0",
            "storage_space": 600, "vpc_id": "3db8490c-4d6d-4d8f-8d3f-047b0de4c5cf",
            "subnet_id": "0a0f1fcb-f019-458d-b9e5-301867394d50",
            "security_group_id": "23c5977f-ff33-4b95-a73e-08d8a0bc4e6c",
            "available_zones": ["9f1c5806706d4c1fb0eb72f0a9b18c77"],
            "product_id": "c6.4u8g.cluster", "storage_spec_code": "dms.physical.storage.ultra.v2",
            "broker_num": 1
        });
        let reply = call(
            &client,
            Method::Post,
            "/v2/reliability/{project_id}/instances",
            Some(body),
        )
        .await;
        ids.push(reply["instance_id"].as_str().expect("an id").to_owned());
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let list = call(
            &client,
            Method::Get,
            "/v2/{project_id}/instances?engine=reliability",
            None,
        )
        .await;
        let running = list["instances"]
            .as_array()
            .map(|a| a.iter().filter(|i| i["status"] == "RUNNING").count())
            .unwrap_or(0);
        if running >= ids.len() {
            break;
        }
        assert!(Instant::now() < deadline, "instances did not start");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let grouped = ids[1].clone();
    for group in ["orders-consumer", "billing-consumer", "audit-consumer"] {
        call(
            &client,
            Method::Post,
            &format!("/v2/{{project_id}}/instances/{grouped}/groups"),
            Some(json!({ "name": group })),
        )
        .await;
    }
    (ids[0].clone(), grouped)
}

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

/// Loads `url` `count` times in a row; returns the latencies in ms.
async fn load_times(client: &reqwest::Client, url: &str, cookie: &str, count: usize) -> Vec<f64> {
    let mut times = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        let answer = client
            .get(url)
            .header("cookie", cookie)
            .send()
            .await
            .expect("GET");
        assert_eq!(answer.status().as_u16(), 200, "{url}");
        let body = answer.bytes().await.expect("body");
        assert!(!body.is_empty());
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times
}

/// Requests `url` from `connections` loops for `duration`; returns pages per second.
async fn throughput(url: &str, cookie: &str, connections: usize, duration: Duration) -> (f64, u64) {
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (ok, failed) = (ok.clone(), failed.clone());
        let (url, cookie) = (url.to_owned(), cookie.to_owned());
        tasks.push(tokio::spawn(async move {
            let client = http();
            while started.elapsed() < duration {
                let good = match client.get(&url).header("cookie", &cookie).send().await {
                    Ok(r) => r.status().as_u16() == 200 && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if good { &ok } else { &failed }.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let seconds = started.elapsed().as_secs_f64();
    (
        ok.load(Ordering::Relaxed) as f64 / seconds,
        failed.load(Ordering::Relaxed),
    )
}

/// Runs wrk against `url` when it is installed; returns its requests per second line.
fn wrk(url: &str, cookie: &str, seconds: u64) -> Option<String> {
    let output = Command::new("wrk")
        .args(["-t2", "-c16", &format!("-d{seconds}s"), "--latency"])
        .args(["-H", &format!("Cookie: {cookie}"), url])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let pick = |prefix: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .map(|l| l.trim().to_owned())
            .unwrap_or_default()
    };
    Some(format!(
        "{} | {} | {} | {}",
        pick("Requests/sec"),
        pick("50%"),
        pick("99%"),
        pick("Non-2xx").if_empty("no non-2xx answers")
    ))
}

trait IfEmpty {
    fn if_empty(self, other: &str) -> String;
}

impl IfEmpty for String {
    fn if_empty(self, other: &str) -> String {
        if self.is_empty() {
            other.to_owned()
        } else {
            self
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs benches with no argument,
    // and must not spend a minute here.
    if !std::env::args().any(|a| a == "--bench") {
        println!("console bench: run it with `cargo bench --bench console`");
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (emulator, emulator_url) = start_emulator(dir.path(), &[]);
    let emulator_pid = emulator.0.id();
    let (plain, grouped) = prepare_instances(&emulator_url).await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let config = write_config(dir.path(), &emulator_url, port);
    println!("dms-console {BINARY}");
    println!("emulator {emulator_url}, console {base}");

    // Start-up to the first served page.
    let starts = if quick() { 5 } else { 20 };
    let (mut healthz, mut login) = (Vec::new(), Vec::new());
    for _ in 0..starts {
        let (console, h, l) = time_start(dir.path(), &config, &base).await;
        healthz.push(h);
        login.push(l);
        drop(console);
    }
    println!(
        "start-up: first 200 on /healthz after {:.1} ms, on /login after {:.1} ms (median of {starts}; max {:.1} ms)",
        median(&mut healthz),
        median(&mut login),
        percentile(&mut login, 100.0),
    );

    // Memory: idle, then after sign-ins.
    let (console, _, _) = time_start(dir.path(), &config, &base).await;
    let pid = console.0.id();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (idle_rss, _) = memory_kib(pid);
    let client = http();
    let cookie = sign_in(&client, &base).await;
    load_times(&client, &format!("{base}/instances"), &cookie, 20).await;
    let (warm_rss, _) = memory_kib(pid);
    let sign_ins = if quick() { 100 } else { 1000 };
    let started = Instant::now();
    let done = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (base, done) = (base.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let client = http();
            while done.fetch_add(1, Ordering::Relaxed) < sign_ins {
                sign_in(&client, &base).await;
            }
        }));
    }
    for task in tasks {
        task.await.expect("sign-in loop");
    }
    let sign_in_seconds = started.elapsed().as_secs_f64();
    let (after_rss, peak_rss) = memory_kib(pid);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (settled_rss, _) = memory_kib(pid);
    println!(
        "memory: idle {} (after 20 list pages {}); after {sign_ins} sign-ins {} (peak {}, {} two seconds later); {:.1} sign-ins/s with 4 clients",
        mib(idle_rss),
        mib(warm_rss),
        mib(after_rss),
        mib(peak_rss),
        mib(settled_rss),
        sign_ins as f64 / sign_in_seconds,
    );

    // Dashboard latency with 100 ms on every DMS call.
    let loads = if quick() { 10 } else { 30 };
    set_latency(&emulator_url, EMULATOR_LATENCY_MS).await;
    for (what, id) in [
        ("no consumer groups", &plain),
        ("3 consumer groups", &grouped),
    ] {
        let url = format!("{base}/instances/{id}");
        load_times(&client, &url, &cookie, 3).await;
        let mut times = load_times(&client, &url, &cookie, loads).await;
        let middle = median(&mut times);
        println!(
            "dashboard ({what}) with {EMULATOR_LATENCY_MS} ms per DMS call: median {middle:.1} ms = {:.2} x {EMULATOR_LATENCY_MS} ms, p90 {:.1} ms ({loads} loads)",
            middle / EMULATOR_LATENCY_MS as f64,
            percentile(&mut times, 90.0),
        );
        let panel = format!("{base}/instances/{id}/panels/attention");
        let mut times = load_times(&client, &panel, &cookie, loads.min(10)).await;
        println!(
            "  its attention panel, which loads itself after the page: median {:.1} ms",
            median(&mut times)
        );
    }
    set_latency(&emulator_url, 0).await;
    let mut times = load_times(
        &client,
        &format!("{base}/instances/{plain}"),
        &cookie,
        loads,
    )
    .await;
    println!(
        "dashboard (no consumer groups) without added latency: median {:.1} ms",
        median(&mut times)
    );

    // Pages per second of the instance list.
    let seconds = if quick() { 3 } else { 10 };
    let list = format!("{base}/instances");
    let cpu_before = (cpu_seconds(pid), cpu_seconds(emulator_pid));
    let (rate, failed) = throughput(&list, &cookie, 16, Duration::from_secs(seconds)).await;
    let pages = rate * seconds as f64;
    println!(
        "instance list: {rate:.0} pages/s from 16 Tokio connections over {seconds} s ({failed} failed); CPU per page: console {:.0} µs, emulator {:.0} µs",
        (cpu_seconds(pid) - cpu_before.0) / pages * 1e6,
        (cpu_seconds(emulator_pid) - cpu_before.1) / pages * 1e6,
    );
    match wrk(&list, &cookie, seconds) {
        Some(line) => println!("instance list with wrk -t2 -c16: {line}"),
        None => println!("instance list with wrk: wrk is not installed"),
    }
    if let Some(line) = wrk(&format!("{base}/login"), "none=1", seconds.min(5)) {
        println!("sign-in page (no DMS call) with wrk -t2 -c16: {line}");
    }
    let (rss, peak) = memory_kib(pid);
    println!("memory at the end: {} (peak {})", mib(rss), mib(peak));
}
