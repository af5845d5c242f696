//! The scale data set (`--demo-scale`): one RUNNING 4.8.0 instance, `scale-10k`, with 10,000
//! topics and 2,000 consumer groups, the size of a large production instance, so that the
//! console can be tried and benchmarked there.
//!
//! Every topic has six queues (three on each of two brokers) whose offsets start where a long
//! history left them (from a few hundred to a few million messages, most of which retention has
//! already removed); half of the topics hold a few recent messages. Most groups are caught up on
//! the topics they consume, about one in ten lags by tens to hundreds of messages, and a few
//! have never consumed anything; four in five are online. The same `--seed` gives the same data.
//! The instance is left out of simulated traffic, so its numbers stay put for benchmarks.
//!
//! Everything is written in one transaction with prepared statements; the set takes a few
//! seconds to create in a release build.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use crate::emulator::Emulator;
use crate::emulator::context::{Ctx, INSTANCE};
use crate::emulator::error::DmsError;
use crate::emulator::groups::{self, GroupFields};
use crate::emulator::instances::facts::broker_names;
use crate::emulator::instances::{InitialState, InstanceSpec, create_instance_document};
use crate::emulator::plane::{self, ClientInfo, NewMessage};
use crate::emulator::topics::{self, TopicSpec};

/// How big the data set is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleSpec {
    /// The instance name.
    pub name: &'static str,
    /// Topics on the instance.
    pub topics: usize,
    /// Consumer groups on the instance.
    pub groups: usize,
}

impl ScaleSpec {
    /// What the console is benchmarked at: 10,000 topics and 2,000 consumer groups.
    pub const BENCHMARK: Self = Self {
        name: "scale-10k",
        topics: 10_000,
        groups: 2_000,
    };
}

/// What [`Emulator::seed_scale`] created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleInstance {
    /// The instance id.
    pub instance_id: String,
    /// Topic names, in creation order.
    pub topics: Vec<String>,
    /// Group names, in creation order.
    pub groups: Vec<String>,
    /// The groups that lag (a subset of `groups`).
    pub lagging: Vec<String>,
}

/// Brokers of the instance, and queues per broker of every topic.
const BROKERS: i64 = 2;
const QUEUES_PER_BROKER: i64 = 3;
const DAY_MS: i64 = 24 * 3600 * 1000;

const DOMAINS: &[&str] = &[
    "orders",
    "payments",
    "inventory",
    "shipping",
    "invoices",
    "refunds",
    "notifications",
    "accounts",
    "carts",
    "coupons",
    "reviews",
    "search",
    "audit",
    "metrics",
    "pricing",
    "loyalty",
    "fraud",
    "catalog",
    "returns",
    "sessions",
];
const EVENTS: &[&str] = &["created", "updated", "deleted", "synced", "failed"];
const SERVICES: &[&str] = &[
    "billing",
    "warehouse",
    "analytics",
    "mailer",
    "indexer",
    "risk",
    "reporting",
    "crm",
    "ledger",
    "archive",
    "gateway",
    "scheduler",
];

/// How a group behaves on the topics it consumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Progress {
    CaughtUp,
    Lags,
    /// Created but never consumed: no offsets, no clients.
    Idle,
}

impl Emulator {
    /// Creates the scale data set of `spec` in `project` (one transaction), with ids and
    /// numbers from the emulator's `seed`.
    pub fn seed_scale(&self, project: &str, spec: ScaleSpec) -> Result<ScaleInstance, DmsError> {
        let seed = self.settings().seed;
        self.transact(project, |ctx| {
            // Ids come from the API reference, not from the emulator's own random source.
            let mut seeded = StdRng::seed_from_u64(seed ^ 0x5ca1_e000);
            std::mem::swap(ctx.rng, &mut seeded);
            let result = populate(ctx, project, spec, seed);
            std::mem::swap(ctx.rng, &mut seeded);
            result
        })
    }
}

/// Creates the scale instance of the first credential's project unless that project already
/// has an instance of that name. Returns whether it created it.
pub fn seed(emulator: &Emulator) -> Result<bool, DmsError> {
    let Some(credential) = emulator.settings().credentials.first() else {
        return Ok(false);
    };
    let project = credential.project_id.clone();
    let name = ScaleSpec::BENCHMARK.name;
    let exists = emulator.transact(&project, |ctx| {
        Ok(ctx
            .docs
            .list(INSTANCE, &project)?
            .iter()
            .any(|(_, doc)| doc["name"] == name))
    })?;
    if exists {
        return Ok(false);
    }
    emulator.seed_scale(&project, ScaleSpec::BENCHMARK)?;
    Ok(true)
}

fn populate(
    ctx: &mut Ctx<'_>,
    project: &str,
    spec: ScaleSpec,
    seed: u64,
) -> Result<ScaleInstance, DmsError> {
    let now = ctx.now_ms;
    let mut rng = StdRng::seed_from_u64(seed ^ 0x0bad_5ca1e);
    let mut instance = InstanceSpec::new(spec.name, "c6.8u16g.cluster");
    instance.description = format!(
        "Scale test: {} topics and {} consumer groups on one instance.",
        spec.topics, spec.groups
    );
    instance.broker_num = BROKERS;
    instance.storage_space = 6000;
    instance.tags = vec![("env".into(), "benchmark".into())];
    instance.initial = InitialState::Running;
    instance.created_at_ms = Some(now - 400 * DAY_MS);
    let mut document = create_instance_document(ctx, project, &instance)?;
    let instance_id = document["instance_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    document["_emu"]["simulated_traffic"] = json!(false);
    ctx.docs.put(INSTANCE, project, &instance_id, &document)?;
    let brokers = broker_names(&document);
    for (broker, commit_offset) in brokers.iter().zip([7_340_032_000i64, 6_815_744_000]) {
        plane::offsets::start_commit_log(ctx, &instance_id, broker, commit_offset)?;
    }

    let topics = topic_names(spec.topics);
    let plans = group_plans(&mut rng, spec.groups, topics.len());
    // Topics a lagging group consumes keep enough recent messages for the lag to show.
    let mut recent = vec![0usize; topics.len()];
    for (index, slot) in recent.iter_mut().enumerate() {
        if index % 2 == 0 {
            *slot = rng.random_range(1..=6);
        }
    }
    for plan in plans.iter().filter(|p| p.progress == Progress::Lags) {
        for topic in &plan.topics {
            recent[*topic] = rng.random_range(20..=120);
        }
    }

    for (index, name) in topics.iter().enumerate() {
        let created = now - 390 * DAY_MS + index as i64 * (380 * DAY_MS / spec.topics as i64);
        let topic = TopicSpec {
            name: name.clone(),
            brokers: brokers
                .iter()
                .map(|b| (b.clone(), QUEUES_PER_BROKER, QUEUES_PER_BROKER))
                .collect(),
            permission: "all".into(),
            message_type: None,
            topic_desc: format!("Scale topic {}", index + 1),
        };
        let mut body = topics::document(&topic, created);
        // Tracing is on for one topic in fifty, as operators switch it on where they need it.
        body["_emu"]["trace_enabled"] = json!(index % 50 == 0);
        ctx.docs.put(topics::TOPIC, &instance_id, name, &body)?;
        let history = history_length(&mut rng);
        let queues: Vec<(String, i64, i64)> = brokers
            .iter()
            .flat_map(|b| (0..QUEUES_PER_BROKER).map(move |q| (b.clone(), q)))
            .map(|(b, q)| {
                let spread = rng.random_range(90..=110);
                (b, q, history * spread / 100)
            })
            .collect();
        let last_store_ms = now - rng.random_range(2 * DAY_MS..30 * DAY_MS);
        plane::offsets::start_history(ctx, &instance_id, name, &queues, last_store_ms)?;
        if recent[index] > 0 {
            let step = DAY_MS / recent[index] as i64;
            let messages: Vec<NewMessage> = (0..recent[index])
                .map(|sequence| NewMessage {
                    body: format!(
                        r#"{{"id":"{name}-{sequence:06}","amount":{}.{:02},"currency":"EUR"}}"#,
                        rng.random_range(1..5000),
                        rng.random_range(0..100)
                    )
                    .into_bytes(),
                    keys: format!("{name}-{sequence:06}"),
                    tags: EVENTS[sequence % EVENTS.len()].to_owned(),
                    store_ms: Some(now - DAY_MS + sequence as i64 * step),
                    producer_group: Some(format!("PID_{name}")),
                    ..NewMessage::default()
                })
                .collect();
            plane::produce_batch(ctx, &instance_id, name, messages)?;
        }
    }
    let mut group_names = Vec::with_capacity(plans.len());
    let mut lagging = Vec::new();
    for (index, plan) in plans.iter().enumerate() {
        let fields = GroupFields {
            retry_max_time: Some(if index % 9 == 0 { 3 } else { 16 }),
            group_desc: Some(format!("{} consumer", plan.service)),
            ..GroupFields::default()
        };
        let created = now - 380 * DAY_MS + index as i64 * (370 * DAY_MS / spec.groups as i64);
        let body = groups::document(&document, &plan.name, &fields, created);
        ctx.docs
            .put(groups::GROUP, &instance_id, &plan.name, &body)?;
        group_names.push(plan.name.clone());
        if plan.progress == Progress::Idle {
            continue;
        }
        if plan.progress == Progress::Lags {
            lagging.push(plan.name.clone());
        }
        for &topic in &plan.topics {
            let status = plane::offsets::queue_offsets(ctx, &instance_id, &topics[topic])?;
            for (broker, queue_id, min, max) in status {
                let committed = match plan.progress {
                    Progress::Lags if max > min => rng.random_range(min..max),
                    _ => max,
                };
                plane::offsets::commit(
                    ctx,
                    &instance_id,
                    &plan.name,
                    &topics[topic],
                    (&broker, queue_id),
                    committed,
                )?;
            }
        }
        if plan.online {
            let subscribed: Vec<&str> = plan.topics.iter().map(|t| topics[*t].as_str()).collect();
            for client in 0..plan.clients {
                let host = 10 + (index * 3 + client) % 240;
                let info = ClientInfo::java(
                    &format!("10.{}.{}.{host}", 20 + index / 250, index % 250),
                    3000 + (index * 7 + client) as u32,
                    &subscribed,
                );
                plane::register_client(ctx, &instance_id, &plan.name, &info)?;
            }
        }
    }
    Ok(ScaleInstance {
        instance_id,
        topics,
        groups: group_names,
        lagging,
    })
}

/// `count` distinct topic names such as `orders-created-0042`.
fn topic_names(count: usize) -> Vec<String> {
    (0..count)
        .map(|index| {
            let domain = DOMAINS[index % DOMAINS.len()];
            let event = EVENTS[(index / DOMAINS.len()) % EVENTS.len()];
            format!(
                "{domain}-{event}-{:04}",
                index / (DOMAINS.len() * EVENTS.len())
            )
        })
        .collect()
}

/// How many messages one queue of a topic has seen: mostly hundreds to tens of thousands, a
/// few millions.
fn history_length(rng: &mut StdRng) -> i64 {
    match rng.random_range(0..100) {
        0..=39 => rng.random_range(100..2_000),
        40..=89 => rng.random_range(2_000..200_000),
        _ => rng.random_range(200_000..5_000_000),
    }
}

/// One group of the data set.
struct GroupPlan {
    name: String,
    service: &'static str,
    /// Indexes into the topic list.
    topics: Vec<usize>,
    progress: Progress,
    online: bool,
    clients: usize,
}

fn group_plans(rng: &mut StdRng, count: usize, topics: usize) -> Vec<GroupPlan> {
    (0..count)
        .map(|index| {
            let service = SERVICES[index % SERVICES.len()];
            // Groups spread over the topics; one in five also consumes one or two more.
            let first = (index * 5 + index / (topics / 5).max(1)) % topics;
            let mut consumed = vec![first];
            if index % 5 == 0 {
                for _ in 0..rng.random_range(1..=2) {
                    let extra = rng.random_range(0..topics);
                    if !consumed.contains(&extra) {
                        consumed.push(extra);
                    }
                }
            }
            let progress = match index % 20 {
                3 | 13 => Progress::Lags,
                7 => Progress::Idle,
                _ => Progress::CaughtUp,
            };
            GroupPlan {
                name: format!("GID_{service}-{:04}", index / SERVICES.len()),
                service,
                topics: consumed,
                progress,
                online: progress != Progress::Idle && index % 5 != 4,
                clients: 1 + index % 3,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct_and_follow_the_naming_rules() {
        let topics = topic_names(ScaleSpec::BENCHMARK.topics);
        let unique: std::collections::BTreeSet<_> = topics.iter().collect();
        assert_eq!(unique.len(), topics.len());
        let mut rng = StdRng::seed_from_u64(7);
        let plans = group_plans(&mut rng, ScaleSpec::BENCHMARK.groups, topics.len());
        let unique: std::collections::BTreeSet<_> = plans.iter().map(|p| &p.name).collect();
        assert_eq!(unique.len(), plans.len());
        for name in topics.iter().chain(plans.iter().map(|p| &p.name)) {
            assert!(crate::domain::NameRule::TOPIC.check(name).is_ok(), "{name}");
        }
        let lagging = plans
            .iter()
            .filter(|p| p.progress == Progress::Lags)
            .count();
        assert_eq!(lagging, plans.len() / 10, "one group in ten lags");
    }
}
