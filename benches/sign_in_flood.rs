//! `cargo bench --bench sign_in_flood`: does a flood of failed sign-ins with distinct account
//! names grow the console's memory?
//!
//! It starts `dms-console emulator` and `dms-console serve` as processes (the optimised binary)
//! on loopback, the console as it runs behind a TLS proxy (so each request's client address is
//! the last `X-Forwarded-For` entry), and sends `FLOOD_ATTEMPTS` (default 100,000) access-key
//! sign-ins, each with an access key never seen before from an address never seen before (the
//! worst case for the sign-in throttle: two new keys per attempt), `FLOOD_CONCURRENCY`
//! (default 32) at a time. Every attempt is checked by the emulator and refused. It prints the
//! console's resident memory (RSS) before the flood, after every fifth of it, and at rest 5 s
//! after it, with the attempts per second. With `FLOOD_REDIS_URL` the console keeps its
//! sessions and sign-in throttle in that Redis (under a prefix of its own), as replicas do.
//!
//! Nothing is asserted: the numbers are for reading. Everything listens on 127.0.0.1 only; the
//! flood stops by itself after its attempts.

// Each benchmark uses part of the shared helpers.
#[allow(dead_code)]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use support::{
    PROJECT, Proc, free_port, http, login_form, memory_kib, mib, start_console, start_emulator,
};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn write_config(
    dir: &std::path::Path,
    emulator: &str,
    port: u16,
    redis: Option<&str>,
) -> std::path::PathBuf {
    let key = dms_console::web::crypto::ServerKey::generate().to_hex();
    let backend = match redis {
        Some(url) => format!(
            "backend = \"redis\"\nredis_url = \"{url}\"\nredis_key_prefix = \"dms-flood-{}\"",
            rand::random::<u32>()
        ),
        None => "backend = \"memory\"".to_owned(),
    };
    let text = format!(
        r#"[server]
listen = "127.0.0.1:{port}"
behind_tls_proxy = true
public_url = "https://console.example.com"

[session]
key = "{key}"
{backend}

[audit]
url = "sqlite::memory:"

[auth]
console_accounts = false
endpoint = "{emulator}"
iam_endpoint = "{emulator}"
"#
    );
    let file = dir.join("console.toml");
    std::fs::write(&file, text).expect("write the console configuration");
    file
}

async fn wait_for(url: &str) {
    let client = http();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(answer) = client.get(url).send().await
            && answer.status().as_u16() == 200
        {
            return;
        }
        assert!(Instant::now() < deadline, "{url} did not answer");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The `n`th attempt: a new access key from a new address. Answers the status.
async fn attempt(client: &reqwest::Client, base: &str, nonce: &str, csrf: &str, n: u64) -> u16 {
    let access_key = format!("FLOOD{n:010}");
    let address = format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255);
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("_csrf", csrf)
        .append_pair("mode", "access_key")
        .append_pair("access_key", &access_key)
        .append_pair("secret_key", "not-the-secret-key")
        .append_pair("region", "flood-region")
        .append_pair("project_id", PROJECT)
        .finish();
    client
        .post(format!("{base}/login"))
        .header("cookie", format!("__Host-dms-console-login={nonce}"))
        .header("origin", base)
        .header("x-forwarded-for", address)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map(|answer| answer.status().as_u16())
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let attempts = setting("FLOOD_ATTEMPTS", 100_000);
    let concurrency = setting("FLOOD_CONCURRENCY", 32);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (_emulator, emulator_url) = start_emulator(dir.path(), &[]);
    let port = free_port();
    let redis = std::env::var("FLOOD_REDIS_URL").ok();
    let config = write_config(dir.path(), &emulator_url, port, redis.as_deref());
    let console: Proc = start_console(dir.path(), &config);
    let pid = console.0.id();
    let base = format!("http://127.0.0.1:{port}");
    wait_for(&format!("{base}/healthz")).await;
    let client = http();
    let (nonce, csrf) = login_form(&client, &base, "access_key", "__Host-dms-console-login").await;

    // Warm up (the code the flood runs paged in), then measure.
    for n in 0..200 {
        attempt(&client, &base, &nonce, &csrf, 10_000_000 + n).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (before, _) = memory_kib(pid);
    println!(
        "sign-in flood: {attempts} failed sign-ins, each a new access key from a new address, {concurrency} at a time"
    );
    println!("  RSS before the flood            {}", mib(before));

    let next = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let other = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let fifth = attempts.div_ceil(5);
    let mut reported = 0;
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, base, nonce, csrf) =
                (client.clone(), base.clone(), nonce.clone(), csrf.clone());
            let (next, refused, other) = (next.clone(), refused.clone(), other.clone());
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= attempts {
                        return;
                    }
                    match attempt(&client, &base, &nonce, &csrf, n).await {
                        // The form again with the refusal.
                        422 => refused.fetch_add(1, Ordering::Relaxed),
                        _ => other.fetch_add(1, Ordering::Relaxed),
                    };
                }
            })
        })
        .collect();
    while reported < 5 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let done = refused.load(Ordering::Relaxed) + other.load(Ordering::Relaxed);
        if done >= fifth * (reported + 1) || done >= attempts {
            reported += 1;
            let (rss, _) = memory_kib(pid);
            println!(
                "  RSS after {:>7} attempts      {}  ({:.0} attempts/s)",
                done,
                mib(rss),
                done as f64 / started.elapsed().as_secs_f64()
            );
        }
    }
    for worker in workers {
        worker.await.expect("a flood worker");
    }
    let elapsed = started.elapsed();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (rest, peak) = memory_kib(pid);
    println!("  RSS at rest 5 s after the flood {}", mib(rest));
    println!("  peak RSS (VmHWM)                {}", mib(peak));
    println!(
        "  {} refused (422), {} other answers, in {:.1} s",
        refused.load(Ordering::Relaxed),
        other.load(Ordering::Relaxed),
        elapsed.as_secs_f64()
    );
}
