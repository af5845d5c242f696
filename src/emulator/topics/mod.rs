//! Topics (API reference §5.3.1–§5.3.5): create, batch delete, list with quotas, show,
//! update and delete, with the 4.8.0 rules (brokers, per-broker queues, permission) and the
//! 5.x rules (message type).
//!
//! Documents: kind `topic`, scope = instance id, id = topic name. The body is the SDK
//! `ShowOneTopicResponse` shape — `name`, `total_read_queue_num`, `total_write_queue_num`,
//! `permission` (`pub`/`sub`/`all`), `brokers: [{broker_name, read_queue_num,
//! write_queue_num}]`, `message_type` (5.x only), `topic_desc` — plus `_emu: {created_at}`
//! (Unix ms), which responses show as the SDK's `created_at`. The message plane reads
//! `brokers[].broker_name` and `write_queue_num`.
//!
//! This module also owns the per-instance quotas of topics and groups (catalogue A S.3), the
//! "instance must be RUNNING" check of metadata writes, and a seeding helper for tests and demo
//! tooling. §5.3.6 and §5.3.7 belong to the message plane.

mod write;

use serde_json::{Value, json};

use super::context::{Ctx, INSTANCE, Req, Resp, Routed, broker_names, is_5x, page};
use super::error::DmsError;
use super::names;

pub use write::{TopicSpec, brokers_of, document};

/// The document kind of topics (scope: instance id, id: topic name).
pub const TOPIC: &str = "topic";

/// The queue count per broker when a create request gives none (the reference's examples).
pub const DEFAULT_QUEUES: i64 = 3;

/// 5.x topic message types (§5.3.1).
pub const MESSAGE_TYPES: &[&str] = &["NORMAL", "FIFO", "DELAY", "TRANSACTION"];

/// 4.8.0 topic permissions (§5.3.1).
pub const PERMISSIONS: &[&str] = &["pub", "sub", "all"];

/// Routes §5.3.1–§5.3.5.
pub fn route(ctx: &mut Ctx<'_>, req: &Req, segments: &[&str]) -> Routed {
    match segments {
        ["v2", project, "instances", instance_id, "topics"] => Some(match req.method.as_str() {
            "GET" => list(ctx, req, project, instance_id),
            "POST" => write::create_or_batch_delete(ctx, req, project, instance_id),
            _ => Err(DmsError::bad_method()),
        }),
        ["v2", project, "instances", instance_id, "topics", topic] => {
            Some(match req.method.as_str() {
                "GET" => show(ctx, project, instance_id, topic),
                "PUT" => write::update(ctx, req, project, instance_id, topic),
                "DELETE" => write::delete(ctx, project, instance_id, topic),
                _ => Err(DmsError::bad_method()),
            })
        }
        _ => None,
    }
}

/// A topic as responses show it: without `_emu`, with the SDK's `created_at`.
pub fn view(document: &Value) -> Value {
    let mut shown = names::public(document);
    shown["created_at"] = document["_emu"]["created_at"].clone();
    shown
}

/// The topic `name` of an instance, or `DMS.00400876` (the topic does not exist).
pub fn load(ctx: &Ctx<'_>, instance_id: &str, name: &str) -> Result<Value, DmsError> {
    ctx.docs
        .get(TOPIC, instance_id, name)?
        .ok_or_else(|| DmsError::of("DMS.00400876").detail(format!("No topic `{name}`.")))
}

/// Refuses metadata changes on an instance that is not RUNNING (`DMS.00400026`).
pub fn require_running(instance: &Value) -> Result<(), DmsError> {
    match instance["status"].as_str() {
        Some("RUNNING") => Ok(()),
        status => Err(DmsError::of("DMS.00400026").detail(format!(
            "The instance is {}; topics, groups, users and migrations change only while it is RUNNING.",
            status.unwrap_or("in no known status")
        ))),
    }
}

/// A job id in the reference's form (32 hexadecimal characters), for asynchronous answers.
pub fn job_id(ctx: &mut Ctx<'_>) -> String {
    ctx.uuid().replace('-', "")
}

/// How many topics and how many consumer groups an instance may hold.
///
/// 4.8.0: the product's per-broker limit (catalogue A S.3) times the broker count, as in the
/// reference's examples (`max: 4000` on a one-broker `c6.4u8g.cluster`). 5.x: the reference
/// gives no numbers; the emulator allows 2000 on single-node products (`…1.large.1`) and 4000
/// on the others. An unknown product counts as 4000 per broker.
pub fn limits(instance: &Value) -> (i64, i64) {
    let product = instance["product_id"].as_str().unwrap_or("");
    if is_5x(instance) {
        let max = if product.ends_with("1.large.1") {
            2000
        } else {
            4000
        };
        return (max, max);
    }
    let per_broker = match product {
        "c6.4u8g.cluster.small" => 2000,
        "c6.4u8g.cluster" => 4000,
        "c6.8u16g.cluster" => 8000,
        "c6.12u24g.cluster" => 12000,
        "c6.16u32g.cluster" => 16000,
        _ => 4000,
    };
    let brokers = broker_names(instance).len() as i64;
    (per_broker * brokers, per_broker * brokers)
}

/// §5.3.2 `GET …/topics`: a page of topics with the quota (`max`, `remaining`).
fn list(ctx: &mut Ctx<'_>, req: &Req, project: &str, instance_id: &str) -> Result<Resp, DmsError> {
    let instance = ctx.instance(project, instance_id)?;
    let limit = req.limit(10, 50)?;
    let offset = req.offset()?;
    let topics: Vec<Value> = ctx
        .docs
        .list(TOPIC, instance_id)?
        .iter()
        .map(|(_, document)| view(document))
        .collect();
    let (max, _) = limits(&instance);
    let total = topics.len() as i64;
    let (items, next_offset, previous_offset) = page(&topics, offset, limit);
    Ok(Resp::ok(json!({
        "total": total,
        "max": max,
        "remaining": (max - total).max(0),
        "next_offset": next_offset,
        "previous_offset": previous_offset,
        "topics": items,
    })))
}

/// §5.3.4 `GET …/topics/{topic}`.
fn show(
    ctx: &mut Ctx<'_>,
    project: &str,
    instance_id: &str,
    topic: &str,
) -> Result<Resp, DmsError> {
    ctx.instance(project, instance_id)?;
    Ok(Resp::ok(view(&load(ctx, instance_id, topic)?)))
}

impl super::Emulator {
    /// Puts a minimal RUNNING instance document into `project` and returns its id, for tests and
    /// demo tooling that need an instance without going through the instance life cycle.
    ///
    /// The instance has a generated name, `engine: "reliability"`, the given `engine_version`
    /// (`"4.8.0"` or `"5.x"`) and `broker_num`, `enable_acl: true`, and the product
    /// `c6.4u8g.cluster` (4.8.0; 4000 topics and groups per broker) or `rocketmq.p2.large.8`
    /// (5.x; 4000 of each).
    ///
    /// # Panics
    ///
    /// When the database cannot be written.
    pub fn seed_instance_for_tests(
        &self,
        project: &str,
        engine_version: &str,
        broker_num: i64,
    ) -> String {
        self.transact(project, |ctx| {
            let id = ctx.uuid();
            let five = engine_version.starts_with('5');
            let document = json!({
                "name": format!("seeded-{}", &id[..8]),
                "engine": "reliability",
                "engine_version": engine_version,
                "instance_id": id,
                "status": "RUNNING",
                "type": if five { "cluster.professional" } else { "cluster" },
                "product_id": if five { "rocketmq.p2.large.8" } else { "c6.4u8g.cluster" },
                "specification": if five {
                    "rocketmq.p2.large.8".to_owned()
                } else {
                    format!("c6.4u8g.cluster * {broker_num} broker")
                },
                "broker_num": broker_num,
                "enable_acl": true,
                "charging_mode": 1,
                "storage_space": 600,
                "used_storage_space": 0,
                "created_at": ctx.now_ms.to_string(),
                "_emu": {},
            });
            ctx.docs.put(INSTANCE, project, &id, &document)?;
            Ok(id)
        })
        .expect("the emulator database accepts a seeded instance")
    }
}
