//! `cargo bench --bench messages`: the message pages of the console, measured as a process
//! against a `dms-console emulator` process on the same machine (both the optimised binary
//! cargo builds for benchmarks).
//!
//! The emulator's data directory is filled first, in this process: a RUNNING instance whose
//! topic `orders` holds 1,200 messages of the last hour, whose topic `payments` holds one
//! traced message and has ten consumer groups (five of which have consumed it), and whose
//! group `GID_orders` has 10,000 dead letters of 2 KiB each.
//! Then it prints, for one run:
//! * the search page rendering 1,000 results (`?limit=1000`: 21 DMS calls behind it);
//! * the trace page of the message with ten consumer groups, five of them looked into for
//!   "why was this not consumed?" (three DMS calls each);
//! * the export of the 10,000 dead letters as JSON and as CSV (time to the last byte, bytes,
//!   and the console's resident memory before and after, with its peak during the export: an
//!   export that buffered would raise it by the export's size).
//!
//! Nothing is asserted beyond the answers being complete: the numbers are for reading.
//! `BENCH_QUICK=1` shortens every phase. Everything listens on 127.0.0.1 only.

mod support;

use std::time::Instant;

use dms_console::emulator::context::Ctx;
use dms_console::emulator::groups::{self, GroupFields};
use dms_console::emulator::plane::{self, ClientInfo, NewMessage};
use dms_console::emulator::{DmsError, Emulator, EmulatorCredential, EmulatorSettings};
use dms_console::secret::Secret;
use support::{
    ACCESS_KEY, PROJECT, SECRET_KEY, free_port, http, median, memory_kib, mib, quick, sign_in,
    start_console, start_emulator, write_config,
};

const SEARCH_MESSAGES: i64 = 1_200;
const DEAD_LETTERS: usize = 10_000;
const TRACE_GROUPS: usize = 10;

/// What the filled data directory holds.
struct Seeded {
    instance_id: String,
    traced_msg_id: String,
}

/// Fills the emulator's data directory under `dir` (the process started later opens it).
fn seed(dir: &std::path::Path) -> Seeded {
    let settings = EmulatorSettings {
        data_dir: dir.join("emulator"),
        credentials: vec![EmulatorCredential {
            access_key: ACCESS_KEY.into(),
            secret_key: Secret::new(SECRET_KEY),
            project_id: PROJECT.into(),
            project_name: "emulator-region".into(),
            security_token: None,
        }],
        traffic_per_second: 0.0,
        ..EmulatorSettings::default()
    };
    let emulator = Emulator::open(settings).expect("the emulator's data directory opens");
    let fixture = emulator.seed_plane_fixture(PROJECT, "4.8.0");
    let id = fixture.instance_id.clone();
    let started = Instant::now();
    let run = |work: &mut dyn FnMut(&mut Ctx<'_>) -> Result<(), DmsError>| {
        emulator
            .transact(PROJECT, |ctx| work(ctx))
            .expect("the emulator stores the data");
    };
    let now = dms_console::clock::now_ms();
    // The search: 1,200 order events over the last hour.
    run(&mut |ctx| {
        let messages = (0..SEARCH_MESSAGES).map(|i| NewMessage {
            body: format!(
                r#"{{"order":"ORD-{i:06}","status":"paid","amount":{}}}"#,
                i % 997
            )
            .into_bytes(),
            keys: format!("ORD-{i:06}"),
            tags: "paid".into(),
            store_ms: Some(now - 3_600_000 + i * 3_000_000 / SEARCH_MESSAGES),
            ..NewMessage::default()
        });
        plane::produce_batch(ctx, &id, "orders", messages).map(drop)
    });
    // The trace: one message delivered to ten groups, every second group failing once first.
    run(&mut |ctx| {
        let instance = ctx
            .docs
            .get("instance", PROJECT, &id)?
            .expect("the instance");
        for n in 0..TRACE_GROUPS {
            let name = format!("GID_trace_{n:02}");
            let document = groups::document(&instance, &name, &GroupFields::default(), now);
            ctx.docs.put(groups::GROUP, &id, &name, &document)?;
            let client = ClientInfo::java(
                &format!("10.0.1.{}", 10 + n),
                4000 + n as u32,
                &["payments"],
            );
            plane::register_client(ctx, &id, &name, &client)?;
        }
        plane::produce_batch(
            ctx,
            &id,
            "payments",
            [NewMessage {
                body: br#"{"payment":"PAY-1","amount":12.5}"#.to_vec(),
                keys: "PAY-1".into(),
                tags: "captured".into(),
                ..NewMessage::default()
            }],
        )?;
        // Half the groups consume it (every second one after a failure); the other half have
        // not reached it, so the page looks into why for each of them.
        for n in 0..TRACE_GROUPS / 2 {
            let name = format!("GID_trace_{n:02}");
            if n % 2 == 1 {
                plane::consume(ctx, &id, &name, "payments", 10, |_| true)?;
            }
            plane::consume(ctx, &id, &name, "payments", 10, |_| false)?;
        }
        Ok(())
    });
    // The dead letters: 10,000 bodies of 2 KiB that GID_orders (two retries) fails.
    let filler = "x".repeat(2048 - 40);
    run(&mut |ctx| {
        let messages = (0..DEAD_LETTERS).map(|i| NewMessage {
            body: format!(r#"{{"n":{i:08},"data":"{filler}"}}"#).into_bytes(),
            keys: format!("DL-{i:06}"),
            tags: if i % 3 == 0 { "refund" } else { "charge" }.into(),
            ..NewMessage::default()
        });
        plane::produce_batch(ctx, &id, "audit", messages).map(drop)
    });
    for _ in 0..4 {
        run(&mut |ctx| {
            plane::consume(ctx, &id, "GID_orders", "audit", DEAD_LETTERS * 2, |_| true).map(drop)
        });
    }
    let traced_msg_id = emulator
        .transact(PROJECT, |ctx| {
            Ok(ctx
                .tx
                .query_row(
                    "SELECT msg_id FROM plane_messages WHERE instance = ?1 AND topic = 'payments'",
                    [&id],
                    |row| row.get::<_, String>(0),
                )
                .expect("the traced message"))
        })
        .expect("a read");
    println!(
        "seeded {SEARCH_MESSAGES} messages, a message of a topic with {TRACE_GROUPS} groups and {DEAD_LETTERS} dead letters in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Seeded {
        instance_id: id,
        traced_msg_id,
    }
}

/// Loads `url` `count` times; returns (median ms, bytes of the last answer).
async fn timed(client: &reqwest::Client, url: &str, cookie: &str, count: usize) -> (f64, usize) {
    let mut times = Vec::with_capacity(count);
    let mut bytes = 0;
    for _ in 0..count {
        let started = Instant::now();
        let answer = client
            .get(url)
            .header("cookie", cookie)
            .send()
            .await
            .expect("GET");
        assert_eq!(answer.status().as_u16(), 200, "{url}");
        bytes = answer.bytes().await.expect("a body").len();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    (median(&mut times), bytes)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("messages bench: run it with `cargo bench --bench messages`");
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let seeded = seed(dir.path());
    let (_emulator, emulator_url) = start_emulator(dir.path(), &[]);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let config = write_config(dir.path(), &emulator_url, port);
    let console = start_console(dir.path(), &config);
    let pid = console.0.id();
    let client = http();
    let deadline = Instant::now() + std::time::Duration::from_secs(10);
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(Instant::now() < deadline, "the console did not start");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let cookie = sign_in(&client, &base).await;
    let id = &seeded.instance_id;
    let loads = if quick() { 5 } else { 20 };

    let search = format!("{base}/instances/{id}/messages?topic=orders&range=1h&limit=1000");
    timed(&client, &search, &cookie, 2).await;
    let (ms, bytes) = timed(&client, &search, &cookie, loads).await;
    println!(
        "search page with 1,000 results: median {ms:.1} ms over {loads} loads, {:.0} KiB of HTML",
        bytes as f64 / 1024.0
    );

    let trace = format!(
        "{base}/instances/{id}/messages/{}/trace?topic=payments",
        seeded.traced_msg_id
    );
    timed(&client, &trace, &cookie, 2).await;
    let (ms, bytes) = timed(&client, &trace, &cookie, loads).await;
    println!(
        "trace page with {TRACE_GROUPS} consumer groups: median {ms:.1} ms over {loads} loads, {:.0} KiB of HTML",
        bytes as f64 / 1024.0
    );

    for format in ["json", "csv"] {
        // Start the peak afresh (Linux: "5" resets VmHWM), so it is the export's own.
        let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
        let (rss_before, peak_before) = memory_kib(pid);
        let url = format!("{base}/instances/{id}/dlq?group=GID_orders&range=3d&format={format}");
        let started = Instant::now();
        let answer = client
            .get(&url)
            .header("cookie", &cookie)
            .send()
            .await
            .expect("the export");
        assert_eq!(answer.status().as_u16(), 200);
        let body = answer.bytes().await.expect("the whole export");
        let seconds = started.elapsed().as_secs_f64();
        let (rss_after, peak_after) = memory_kib(pid);
        let rows = match format {
            "json" => serde_json::from_slice::<Vec<serde_json::Value>>(&body)
                .expect("valid JSON")
                .len(),
            _ => {
                body.split(|b| *b == b'\n')
                    .filter(|l| !l.is_empty())
                    .count()
                    - 1
            }
        };
        assert_eq!(rows, DEAD_LETTERS, "every dead letter is exported");
        println!(
            "dead-letter export of {rows} messages as {format}: {seconds:.2} s, {} ({:.1} MiB/s); console resident memory {} → {}, peak {} → {}",
            mib(body.len() as u64 / 1024),
            body.len() as f64 / 1024.0 / 1024.0 / seconds,
            mib(rss_before),
            mib(rss_after),
            mib(peak_before),
            mib(peak_after),
        );
    }
}
