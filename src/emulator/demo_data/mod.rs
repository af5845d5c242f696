//! The demo data set: three instances (one still being created, one RUNNING on 4.8.0, one on
//! 5.x), about forty topics of the different message types, about thirty consumer groups with
//! online clients, and about ten thousand messages (JSON orders, plain text, a few binary)
//! with keys and tags, back-dated over the last day. A few groups lag behind and a few have
//! dead letters. The same `--seed` gives the same data (names, ids, bodies); the simulated
//! traffic of the message plane then keeps it moving.
//!
//! `scale` is the other data set: one instance the size of a large production one.

pub mod scale;

pub use scale::{ScaleInstance, ScaleSpec};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use super::Emulator;
use super::context::{Ctx, INSTANCE};
use super::error::DmsError;
use super::groups::{self, GroupFields};
use super::instances::{InitialState, InstanceSpec, create_instance_document};
use super::plane::{self, ClientInfo, NewMessage};
use super::topics::{self, TopicSpec};

/// How long the demo's third instance stays `CREATING`.
const CREATING_SECONDS: u64 = 600;
/// Messages produced into the demo's history.
const HISTORY_MESSAGES: usize = 10_000;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// One demo topic: name, message type (5.x) and the kind of bodies it carries.
struct TopicPlan {
    name: String,
    message_type: Option<&'static str>,
    bodies: Bodies,
}

#[derive(Clone, Copy)]
enum Bodies {
    Orders,
    Text,
    Binary,
}

/// One demo group: the topic it consumes and how it behaves.
struct GroupPlan {
    name: String,
    topic: String,
    behaviour: Behaviour,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Behaviour {
    /// Consumes everything.
    KeepsUp,
    /// Consumes a fraction: it lags.
    Lags,
    /// Fails some messages until they become dead letters.
    Fails,
}

const DOMAINS_48: &[&str] = &[
    "orders",
    "payments",
    "inventory",
    "shipping",
    "invoices",
    "refunds",
    "notifications",
    "users",
    "carts",
    "coupons",
    "reviews",
    "search-index",
    "audit",
    "metrics",
];
const EVENTS: &[&str] = &["created", "updated"];
const DOMAINS_5X: &[(&str, &str)] = &[
    ("settlement", "NORMAL"),
    ("ledger", "FIFO"),
    ("order-timeout", "DELAY"),
    ("payment-confirm", "TRANSACTION"),
    ("risk-events", "NORMAL"),
    ("fx-rates", "NORMAL"),
    ("wallet", "FIFO"),
    ("reminders", "DELAY"),
    ("chargebacks", "TRANSACTION"),
    ("kyc-checks", "NORMAL"),
    ("payouts", "FIFO"),
    ("statement-jobs", "DELAY"),
];

fn bodies_for(domain: &str) -> Bodies {
    match domain {
        "audit" | "notifications" | "metrics" | "search-index" | "reminders" | "statement-jobs" => {
            Bodies::Text
        }
        "fx-rates" => Bodies::Binary,
        _ => Bodies::Orders,
    }
}

fn topic_plans_48() -> Vec<TopicPlan> {
    let mut plans = Vec::new();
    for domain in DOMAINS_48 {
        for event in EVENTS {
            plans.push(TopicPlan {
                name: format!("{domain}-{event}"),
                message_type: None,
                bodies: bodies_for(domain),
            });
        }
    }
    plans
}

fn topic_plans_5x() -> Vec<TopicPlan> {
    DOMAINS_5X
        .iter()
        .map(|(domain, kind)| TopicPlan {
            name: (*domain).to_owned(),
            message_type: Some(kind),
            bodies: bodies_for(domain),
        })
        .collect()
}

fn group_plans(topics: &[TopicPlan], count: usize) -> Vec<GroupPlan> {
    let consumers = [
        "billing",
        "warehouse",
        "analytics",
        "mailer",
        "search",
        "fraud",
        "reporting",
        "crm",
        "ledger",
        "archive",
    ];
    topics
        .iter()
        .take(count)
        .enumerate()
        .map(|(index, topic)| GroupPlan {
            name: format!("GID_{}-{}", consumers[index % consumers.len()], topic.name),
            topic: topic.name.clone(),
            behaviour: match index % 7 {
                3 => Behaviour::Lags,
                5 => Behaviour::Fails,
                _ => Behaviour::KeepsUp,
            },
        })
        .collect()
}

fn order_body(rng: &mut StdRng, sequence: usize, status: &str) -> (Vec<u8>, String) {
    let order_id = format!("ORD-{:08}", 20_260_000 + sequence);
    let items: Vec<serde_json::Value> = (0..rng.random_range(1..4))
        .map(|_| {
            json!({
                "sku": format!("SKU-{:05}", rng.random_range(10_000..99_999)),
                "quantity": rng.random_range(1..5),
                "price": (rng.random_range(199..99_999) as f64) / 100.0,
            })
        })
        .collect();
    let amount: f64 = items
        .iter()
        .map(|i| i["price"].as_f64().unwrap_or(0.0) * i["quantity"].as_f64().unwrap_or(1.0))
        .sum();
    let channel = ["app", "web", "mini-program"][rng.random_range(0..3)];
    let body = json!({
        "order_id": order_id,
        "customer_id": format!("C-{:06}", rng.random_range(1..250_000)),
        "status": status,
        "currency": "CNY",
        "amount": (amount * 100.0).round() / 100.0,
        "items": items,
        "channel": channel,
    });
    (body.to_string().into_bytes(), order_id)
}

fn text_body(rng: &mut StdRng, topic: &str, sequence: usize) -> (Vec<u8>, String) {
    let levels = ["INFO", "INFO", "INFO", "WARN", "ERROR"];
    let subjects = [
        "user signed in",
        "export finished",
        "cache refreshed",
        "retrying upstream call",
        "quota at 80%",
        "reminder sent",
    ];
    let key = format!("{topic}-{sequence:06}");
    let text = format!(
        "{} {} {} request={:016x}",
        levels[rng.random_range(0..levels.len())],
        topic,
        subjects[rng.random_range(0..subjects.len())],
        rng.random::<u64>()
    );
    (text.into_bytes(), key)
}

fn binary_body(rng: &mut StdRng, sequence: usize) -> (Vec<u8>, String) {
    let length = rng.random_range(24..96);
    let mut bytes: Vec<u8> = (0..length).map(|_| rng.random()).collect();
    // A made-up frame header, so the hex view shows structure.
    bytes[0] = 0xCA;
    bytes[1] = 0xFE;
    (bytes, format!("FX-{sequence:06}"))
}

/// Creates the demo data set in the first credential's project, unless that project already
/// has instances (the scale data set's aside). Returns whether it created anything.
pub fn seed(emulator: &Emulator) -> Result<bool, DmsError> {
    let Some(credential) = emulator.settings().credentials.first() else {
        return Ok(false);
    };
    let project = credential.project_id.clone();
    let seed = emulator.settings().seed;
    let exists = emulator.transact(&project, |ctx| {
        Ok(ctx
            .docs
            .list(INSTANCE, &project)?
            .iter()
            .any(|(_, doc)| doc["name"] != ScaleSpec::BENCHMARK.name))
    })?;
    if exists {
        return Ok(false);
    }
    emulator.transact(&project, |ctx| {
        // Ids and bodies come from the API reference, not from the emulator's own random source.
        let mut seeded = StdRng::seed_from_u64(seed);
        std::mem::swap(ctx.rng, &mut seeded);
        let result = populate(ctx, &project, seed);
        std::mem::swap(ctx.rng, &mut seeded);
        result
    })?;
    Ok(true)
}

fn populate(ctx: &mut Ctx<'_>, project: &str, seed: u64) -> Result<(), DmsError> {
    let now = ctx.now_ms;
    let mut orders = InstanceSpec::new("orders-prod", "c6.4u8g.cluster");
    orders.description = "Order events of the shop (RocketMQ 4.8.0, two brokers).".into();
    orders.broker_num = 2;
    orders.storage_space *= 2;
    orders.tags = vec![
        ("env".into(), "prod".into()),
        ("team".into(), "orders".into()),
    ];
    orders.initial = InitialState::Running;
    orders.created_at_ms = Some(now - 41 * DAY_MS);
    let orders = create_instance_document(ctx, project, &orders)?;

    let mut payments = InstanceSpec::new("payments-v5", "rocketmq.p2.large.8");
    payments.description = "Payments on RocketMQ 5.x.".into();
    payments.tags = vec![
        ("env".into(), "prod".into()),
        ("team".into(), "payments".into()),
    ];
    payments.initial = InitialState::Running;
    payments.created_at_ms = Some(now - 12 * DAY_MS);
    let payments = create_instance_document(ctx, project, &payments)?;

    let mut staging = InstanceSpec::new("analytics-staging", "c6.4u8g.cluster");
    staging.description = "Being created: it becomes RUNNING after a while.".into();
    staging.tags = vec![("env".into(), "staging".into())];
    staging.initial = InitialState::Creating {
        seconds: Some(CREATING_SECONDS),
    };
    create_instance_document(ctx, project, &staging)?;

    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed_da7a);
    for (instance, topic_plans, group_count, share) in [
        (&orders, topic_plans_48(), 20, 0.7),
        (&payments, topic_plans_5x(), 10, 0.3),
    ] {
        let instance_id = instance["instance_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let brokers = super::instances::facts::broker_names(instance);
        for (index, plan) in topic_plans.iter().enumerate() {
            let spec = TopicSpec {
                name: plan.name.clone(),
                brokers: brokers.iter().map(|b| (b.clone(), 4, 4)).collect(),
                permission: "all".into(),
                message_type: plan.message_type.map(str::to_owned),
                topic_desc: format!("Demo topic {}", plan.name),
            };
            let created = now - (30 - index as i64).max(1) * DAY_MS / 10;
            ctx.docs.put(
                topics::TOPIC,
                &instance_id,
                &plan.name,
                &topics::document(&spec, created),
            )?;
        }
        let group_plans = group_plans(&topic_plans, group_count);
        for (index, plan) in group_plans.iter().enumerate() {
            let fields = GroupFields {
                retry_max_time: Some(if plan.behaviour == Behaviour::Fails {
                    2
                } else {
                    16
                }),
                group_desc: Some(format!("Consumes {}", plan.topic)),
                ..GroupFields::default()
            };
            let document = groups::document(
                instance,
                &plan.name,
                &fields,
                now - DAY_MS + index as i64 * 60_000,
            );
            ctx.docs
                .put(groups::GROUP, &instance_id, &plan.name, &document)?;
            let client = ClientInfo::java(
                &format!("192.168.{}.{}", 10 + index / 200, 10 + index % 200),
                4000 + index as u32,
                &[&plan.topic],
            );
            plane::register_client(ctx, &instance_id, &plan.name, &client)?;
        }

        // History: messages spread over the last day, oldest first, on every topic.
        let total = (HISTORY_MESSAGES as f64 * share) as usize;
        let per_topic = total / topic_plans.len().max(1);
        for plan in &topic_plans {
            let start = now - DAY_MS;
            let step = DAY_MS / per_topic.max(1) as i64;
            let messages: Vec<NewMessage> = (0..per_topic)
                .map(|sequence| {
                    let status = ["created", "paid", "shipped", "updated"][sequence % 4];
                    let (body, key) = match plan.bodies {
                        Bodies::Orders => order_body(&mut rng, sequence, status),
                        Bodies::Text => text_body(&mut rng, &plan.name, sequence),
                        Bodies::Binary => binary_body(&mut rng, sequence),
                    };
                    NewMessage {
                        body,
                        keys: key,
                        tags: status.to_owned(),
                        properties: vec![("source".into(), "demo".into())],
                        store_ms: Some(
                            start + sequence as i64 * step + rng.random_range(0..step.max(1)),
                        ),
                        producer_group: Some(format!("PID_{}", plan.name)),
                        born_host: None,
                    }
                })
                .collect();
            plane::produce_batch(ctx, &instance_id, &plan.name, messages)?;
        }

        // Consumption: most groups are caught up, some lag, some turn failures into dead letters.
        for plan in &group_plans {
            match plan.behaviour {
                Behaviour::KeepsUp => drain(ctx, &instance_id, plan, usize::MAX, |_| false)?,
                Behaviour::Lags => drain(ctx, &instance_id, plan, per_topic / 3, |_| false)?,
                Behaviour::Fails => drain(ctx, &instance_id, plan, usize::MAX, |m| {
                    m.keys.ends_with('7')
                })?,
            }
        }
    }
    Ok(())
}

/// Lets `plan`'s group consume up to `budget` messages, retries included, until nothing is
/// left or the budget is spent.
fn drain(
    ctx: &mut Ctx<'_>,
    instance_id: &str,
    plan: &GroupPlan,
    budget: usize,
    fail: impl Fn(&plane::Message) -> bool + Copy,
) -> Result<(), DmsError> {
    let mut left = budget;
    // Each failed message comes back once per retry; a few rounds past the retry limit are
    // enough for every failure to reach the dead-letter queue.
    for _ in 0..64 {
        if left == 0 {
            break;
        }
        let outcome = plane::consume(
            ctx,
            instance_id,
            &plan.name,
            &plan.topic,
            left.min(500),
            fail,
        )?;
        let delivered = outcome.delivered();
        if delivered == 0 {
            break;
        }
        left = left.saturating_sub(delivered);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plans_have_the_promised_size_and_mix() {
        let topics_48 = topic_plans_48();
        let topics_5x = topic_plans_5x();
        assert_eq!(topics_48.len() + topics_5x.len(), 40);
        let groups = group_plans(&topics_48, 20).len() + group_plans(&topics_5x, 10).len();
        assert_eq!(groups, 30);
        let kinds: std::collections::BTreeSet<_> =
            topics_5x.iter().filter_map(|t| t.message_type).collect();
        assert_eq!(kinds.len(), 4, "every 5.x message type appears");
        let plans = group_plans(&topics_48, 20);
        assert!(plans.iter().any(|g| g.behaviour == Behaviour::Lags));
        assert!(plans.iter().any(|g| g.behaviour == Behaviour::Fails));
    }
}
