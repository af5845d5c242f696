//! The one Redis every replica shares: a connection pool with one deadline per operation,
//! keys under one prefix, and a record of Redis's recent failures.
//!
//! The session store, the sign-in throttle, the rate limits of dangerous changes, the
//! one-time operation ids of change forms and pending single sign-ons all keep their state
//! here when `session.backend = "redis"`, so they hold across replicas and restarts. Each
//! operation (taking a pooled connection included) has one deadline
//! (`session.redis_timeout_ms`), so an outage fails requests fast instead of hanging them.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use deadpool_redis::redis::RedisError;

/// What Redis's recent answers were.
#[derive(Default)]
struct Health {
    /// Whether the last operation failed.
    failing: AtomicBool,
    /// Why the last operation failed.
    last_failure: Mutex<Option<String>>,
    /// Failed operations by name, for `/metrics`.
    failures: Mutex<BTreeMap<&'static str, u64>>,
}

/// A pooled Redis shared by the console's replicas.
#[derive(Clone)]
pub struct Redis {
    pool: deadpool_redis::Pool,
    timeout: Duration,
    prefix: Arc<str>,
    health: Arc<Health>,
}

impl Redis {
    /// A pool on `url` whose operations each give up after `timeout`, naming its keys
    /// `<prefix>:…`; fails when the URL is malformed (not when Redis is down).
    pub fn new(url: &str, prefix: &str, timeout: Duration) -> Result<Self, String> {
        let mut config = deadpool_redis::Config::from_url(url);
        config.pool = Some(deadpool_redis::PoolConfig {
            max_size: 16,
            timeouts: deadpool_redis::Timeouts {
                wait: Some(timeout),
                create: Some(timeout),
                recycle: Some(timeout),
            },
            ..Default::default()
        });
        let pool = config
            .create_pool(Some(deadpool_redis::Runtime::Tokio1))
            .map_err(|e| format!("`{url}`: {e}"))?;
        Ok(Self {
            pool,
            timeout,
            prefix: Arc::from(prefix),
            health: Arc::default(),
        })
    }

    /// The Redis key of `kind` and `id`: `<prefix>:<kind>:<id>`.
    pub fn key(&self, kind: &str, id: &str) -> String {
        format!("{}:{kind}:{id}", self.prefix)
    }

    /// The key prefix (`dms-console` unless configured otherwise).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Runs `work` on a pooled connection within one deadline for both (a hung Redis would
    /// otherwise cost one timeout to recycle the connection and another for the command),
    /// recording the outcome under `operation`.
    pub async fn run<T>(
        &self,
        operation: &'static str,
        work: impl AsyncFnOnce(&mut deadpool_redis::Connection) -> Result<T, RedisError>,
    ) -> Result<T, anyhow::Error> {
        let attempt = async {
            let mut connection = self.pool.get().await?;
            Ok::<T, anyhow::Error>(work(&mut connection).await?)
        };
        let result = match tokio::time::timeout(self.timeout, attempt).await {
            Ok(result) => result,
            Err(_) => Err(anyhow::anyhow!(
                "Redis did not answer within {} ms",
                self.timeout.as_millis()
            )),
        };
        match &result {
            Ok(_) => self.health.failing.store(false, Ordering::Relaxed),
            Err(error) => {
                self.health.failing.store(true, Ordering::Relaxed);
                *self.health.last_failure.lock().expect("health lock") = Some(error.to_string());
                *self
                    .health
                    .failures
                    .lock()
                    .expect("health lock")
                    .entry(operation)
                    .or_default() += 1;
            }
        }
        result
    }

    /// Whether the last operation failed.
    pub fn failing(&self) -> bool {
        self.health.failing.load(Ordering::Relaxed)
    }

    /// Why the last Redis operation failed, when it did.
    pub fn last_failure(&self) -> Option<String> {
        if self.failing() {
            self.health
                .last_failure
                .lock()
                .expect("health lock")
                .clone()
        } else {
            None
        }
    }

    /// Failed operations so far, by name.
    pub fn failures(&self) -> Vec<(&'static str, u64)> {
        self.health
            .failures
            .lock()
            .expect("health lock")
            .iter()
            .map(|(operation, count)| (*operation, *count))
            .collect()
    }

    /// Whether Redis answers a PING (readiness).
    pub async fn ping(&self) -> bool {
        self.run("ping", async |c| {
            deadpool_redis::redis::cmd("PING")
                .query_async::<String>(c)
                .await
        })
        .await
        .is_ok()
    }
}

/// Where the console keeps what its replicas share: this process's memory (one replica) or
/// Redis (several).
#[derive(Clone)]
pub enum Backend {
    /// In memory: bounded, lost on restart, not shared.
    Memory,
    /// In Redis.
    Redis(Redis),
}

/// The current Unix time in milliseconds.
pub fn now_ms() -> i64 {
    crate::clock::now_ms()
}
