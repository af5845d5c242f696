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
//! §5.3.6 and §5.3.7 belong to the message plane.

mod write;

use serde_json::{Value, json};

use super::context::{Ctx, Req, Resp, Routed, neighbours};
use super::error::DmsError;
use super::instances::facts;
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

/// §5.3.2 `GET …/topics`: a page of topics with the quota (`max`, `remaining`).
fn list(ctx: &mut Ctx<'_>, req: &Req, project: &str, instance_id: &str) -> Result<Resp, DmsError> {
    let instance = ctx.instance(project, instance_id)?;
    let limit = req.limit(10, 50)?;
    let offset = req.offset()?;
    let page = ctx.docs.page(TOPIC, instance_id, "", offset, limit)?;
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|(_, document)| view(document))
        .collect();
    let (max, _) = facts::quotas(&instance);
    let (next_offset, previous_offset) = neighbours(page.total, offset, limit);
    Ok(Resp::ok(json!({
        "total": page.total,
        "max": max,
        "remaining": (max - page.total).max(0),
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
