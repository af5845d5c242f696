//! Simulated traffic for demo data: once a second, one short transaction produces about
//! `traffic_per_second` messages over the RUNNING instances' topics and lets every enabled
//! group consume, so lag, traces and dead letters keep moving.
//!
//! Each group consumes one topic (the one its clients subscribe to, or one picked from the
//! group name, for which a simulated client registers). Most groups keep up; about one in five
//! consumes at a fraction of its topic's rate, so its lag grows; on each instance one group
//! (picked by name) fails about a tenth of its messages (picked by key) every time, so they go
//! through the retries into its dead-letter topic. Choices come from `settings.seed`, so the
//! same database and seed give the same traffic shape. It runs only when demo data is on, and
//! leaves out instances whose `_emu.simulated_traffic` is `false` (the scale data set).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use super::clients::{self, ClientInfo};
use super::consume;
use super::model::{GROUP, TOPIC, fnv};
use super::produce::{NewMessage, produce_batch};
use crate::emulator::Emulator;
use crate::emulator::context::{Ctx, INSTANCE};
use crate::emulator::error::DmsError;

/// Most messages produced in one step, whatever the configured rate.
pub const MAX_PER_STEP: usize = 1_000;
/// What a group that keeps up may consume per topic per step.
const FAST_BUDGET: usize = 500;
const TAGS: &[&str] = &["created", "updated", "paid", "shipped"];

/// The simulator's state between steps.
pub struct Simulator {
    rng: StdRng,
    rate: f64,
    carry: f64,
    sequence: u64,
}

impl Simulator {
    /// A simulator producing `rate` messages per second, with choices seeded by `seed`.
    pub fn new(seed: u64, rate: f64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
            rate,
            carry: 0.0,
            sequence: 0,
        }
    }

    /// One step covering `seconds` of traffic, in one transaction.
    pub fn step(&mut self, emulator: &Emulator, seconds: f64) -> Result<usize, DmsError> {
        self.carry += self.rate * seconds;
        let count = (self.carry.floor() as usize).min(MAX_PER_STEP);
        self.carry -= self.carry.floor();
        emulator.transact("", |ctx| self.run(ctx, count))
    }

    fn run(&mut self, ctx: &mut Ctx<'_>, count: usize) -> Result<usize, DmsError> {
        let instances: Vec<(String, String)> = ctx
            .docs
            .list_all(INSTANCE)?
            .into_iter()
            .filter(|(_, _, doc)| {
                doc["status"] == "RUNNING" && doc["_emu"]["simulated_traffic"] != false
            })
            .map(|(project, id, _)| (project, id))
            .collect();
        let mut plans: Vec<(String, String, Vec<String>)> = Vec::new();
        for (project, instance_id) in instances {
            ctx.project = project.clone();
            let topics: Vec<String> = ctx
                .docs
                .list(TOPIC, &instance_id)?
                .into_iter()
                .filter(|(_, doc)| doc["permission"].as_str().unwrap_or("all") == "all")
                .map(|(name, _)| name)
                .collect();
            if !topics.is_empty() {
                plans.push((project, instance_id, topics));
            }
        }
        if plans.is_empty() {
            return Ok(0);
        }
        // Spread the step's messages: a random instance, then a topic with the first topics
        // of each instance busier than the last.
        let mut shares: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        for _ in 0..count {
            let plan = self.rng.random_range(0..plans.len());
            let topics = plans[plan].2.len();
            let topic = self
                .rng
                .random_range(0..topics)
                .min(self.rng.random_range(0..topics));
            *shares.entry((plan, topic)).or_default() += 1;
        }
        let mut produced = 0;
        for ((plan, topic), n) in shares {
            let (project, instance_id, topics) = &plans[plan];
            ctx.project = project.clone();
            let batch: Vec<NewMessage> = (0..n).map(|_| self.message(&topics[topic])).collect();
            // A topic deleted since the listing is skipped; nothing was written for it.
            produced += produce_batch(ctx, instance_id, &topics[topic], batch).unwrap_or(0);
        }
        for (project, instance_id, topics) in &plans {
            ctx.project = project.clone();
            self.consume_instance(ctx, instance_id, topics, count as f64 / plans.len() as f64)?;
        }
        Ok(produced)
    }

    fn message(&mut self, topic: &str) -> NewMessage {
        self.sequence += 1;
        let amount = self.rng.random_range(100..100_000) as f64 / 100.0;
        let tag = TAGS[self.rng.random_range(0..TAGS.len())];
        NewMessage {
            body: format!(
                r#"{{"id":"{topic}-{:08}","event":"{tag}","amount":{amount:.2},"currency":"EUR"}}"#,
                self.sequence
            )
            .into_bytes(),
            keys: format!("{topic}-{:08}", self.sequence),
            tags: tag.to_owned(),
            producer_group: Some(format!("PID_{topic}")),
            ..NewMessage::default()
        }
    }

    fn consume_instance(
        &mut self,
        ctx: &mut Ctx<'_>,
        instance_id: &str,
        topics: &[String],
        instance_rate: f64,
    ) -> Result<(), DmsError> {
        let groups: Vec<(String, Value)> = ctx
            .docs
            .list(GROUP, instance_id)?
            .into_iter()
            .filter(|(_, doc)| doc["enabled"].as_bool() != Some(false))
            .collect();
        if groups.is_empty() {
            return Ok(());
        }
        // The failing group and the failing messages follow from names and keys alone, so the
        // same seed fails the same messages.
        let failing = groups
            .iter()
            .map(|(name, _)| name)
            .min_by_key(|name| fnv(name))
            .expect("at least one group");
        for (group, _) in &groups {
            let mut subscribed = clients::subscribed_topics(ctx, instance_id, group)?;
            subscribed.retain(|t| topics.contains(t));
            if subscribed.is_empty() {
                let topic = &topics[fnv(group) as usize % topics.len()];
                let hash = fnv(&format!("{instance_id}/{group}"));
                let ip = format!("192.168.{}.{}", hash % 250, 10 + hash % 200);
                clients::register_client(
                    ctx,
                    instance_id,
                    group,
                    &ClientInfo::java(&ip, 1000 + hash % 30000, &[topic.as_str()]),
                )?;
                subscribed.push(topic.clone());
            }
            let slow = group != failing && fnv(group).is_multiple_of(5);
            for topic in &subscribed {
                let budget = if slow {
                    // About 40% of the topic's share of the instance's rate.
                    let rate = instance_rate / topics.len() as f64 * 0.4;
                    rate.floor() as usize + usize::from(self.rng.random_bool(rate.fract()))
                } else {
                    FAST_BUDGET
                };
                if budget == 0 {
                    continue;
                }
                let fails = group == failing;
                let outcome = consume(ctx, instance_id, group, topic, budget, |message| {
                    fails && fnv(&message.keys).is_multiple_of(10)
                });
                if let Err(error) = outcome {
                    tracing::debug!(%error, group, topic, "simulated consumption skipped");
                }
            }
        }
        Ok(())
    }
}

/// Starts the simulator when `traffic_per_second > 0` and demo data is on.
pub fn spawn(emulator: &Arc<Emulator>) -> Option<tokio::task::JoinHandle<()>> {
    let settings = emulator.settings();
    if !(settings.demo_data && settings.traffic_per_second > 0.0) {
        return None;
    }
    let mut simulator = Simulator::new(settings.seed, settings.traffic_per_second);
    let emulator = emulator.clone();
    Some(tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(1));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            interval.tick().await;
            let emulator = emulator.clone();
            let joined = tokio::task::spawn_blocking(move || {
                let result = simulator.step(&emulator, 1.0);
                (simulator, result)
            })
            .await;
            match joined {
                Ok((back, result)) => {
                    simulator = back;
                    if let Err(error) = result {
                        tracing::warn!(%error, "simulated traffic step failed");
                    }
                }
                Err(_) => return,
            }
        }
    }))
}
