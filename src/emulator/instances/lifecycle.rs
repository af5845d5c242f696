//! Life cycles on timers: `CREATING → RUNNING`, `RESTARTING → RUNNING`, `EXTENDING → RUNNING`
//! with the new spec, and the restart endpoint (§5.11.2).
//!
//! A transitional instance carries `_emu.timer = {"job", "due_ms", "then"}` (and, while
//! resizing, `_emu.pending`: the spec it will have). So that [`advance`], which runs before
//! every request, costs one indexed lookup, every pending timer also has a small document of
//! kind `instance-timer` (scope empty, id `{project}/{instance_id}`, body
//! `{"project", "instance_id", "due_ms"}`); it is removed when the timer fires or the instance
//! is deleted.

use serde_json::{Value, json};

use super::facts::{broker_count, broker_names, require_idle};
use super::{catalog, topology};
use crate::emulator::context::{Ctx, INSTANCE, Resp};
use crate::emulator::error::DmsError;

/// The document kind of pending timers.
pub const TIMER: &str = "instance-timer";

fn key(project: &str, id: &str) -> String {
    format!("{project}/{id}")
}

/// Starts `job` on the instance document `doc` (not yet stored by this function): after
/// `seconds`, its status becomes `then`.
pub fn schedule(
    ctx: &Ctx<'_>,
    project: &str,
    doc: &mut Value,
    job: &str,
    seconds: u64,
    then: &str,
) -> Result<(), DmsError> {
    let id = doc["instance_id"].as_str().unwrap_or_default().to_owned();
    let due_ms = ctx.now_ms + seconds as i64 * 1000;
    doc["_emu"]["timer"] = json!({"job": job, "due_ms": due_ms, "then": then});
    ctx.docs.put(
        TIMER,
        "",
        &key(project, &id),
        &json!({"project": project, "instance_id": id, "due_ms": due_ms}),
    )?;
    Ok(())
}

/// Forgets the timer of a deleted instance.
pub fn cancel(ctx: &Ctx<'_>, project: &str, id: &str) -> Result<(), DmsError> {
    ctx.docs.delete(TIMER, "", &key(project, id))?;
    Ok(())
}

/// Whether a timer is due.
pub fn due(ctx: &Ctx<'_>) -> Result<bool, DmsError> {
    Ok(ctx
        .docs
        .list(TIMER, "")?
        .iter()
        .any(|(_, timer)| timer["due_ms"].as_i64().unwrap_or(0) <= ctx.now_ms))
}

/// Applies every timer that is due.
pub fn advance(ctx: &mut Ctx<'_>) -> Result<(), DmsError> {
    for (timer_key, timer) in ctx.docs.list(TIMER, "")? {
        if timer["due_ms"].as_i64().unwrap_or(0) > ctx.now_ms {
            continue;
        }
        ctx.docs.delete(TIMER, "", &timer_key)?;
        let project = timer["project"].as_str().unwrap_or_default();
        let id = timer["instance_id"].as_str().unwrap_or_default();
        if let Some(mut doc) = ctx.docs.get(INSTANCE, project, id)? {
            finish(&mut doc);
            ctx.docs.put(INSTANCE, project, id, &doc)?;
        }
    }
    Ok(())
}

/// Ends the instance's running job: the status it leads to, and for a resize the new spec.
fn finish(doc: &mut Value) {
    let emu = doc["_emu"].as_object_mut();
    let (timer, pending) = match emu {
        Some(emu) => (
            emu.remove("timer").unwrap_or(Value::Null),
            emu.remove("pending"),
        ),
        None => (Value::Null, None),
    };
    if timer["job"] == "extend"
        && let Some(pending) = pending
    {
        apply_pending(doc, &pending);
    }
    doc["status"] = json!(timer["then"].as_str().unwrap_or("RUNNING"));
}

/// The resized spec: broker count, storage, flavour.
fn apply_pending(doc: &mut Value, pending: &Value) {
    if let Some(brokers) = pending["broker_num"].as_i64() {
        doc["broker_num"] = json!(brokers);
    }
    if let Some(total) = pending["total_storage_space"].as_i64() {
        doc["total_storage_space"] = json!(total);
        doc["storage_space"] = json!(total * 93 / 100);
    }
    if pending["disk"] == true {
        let times = doc["extend_times"].as_i64().unwrap_or(0);
        doc["extend_times"] = json!(times + 1);
    }
    if let Some(product) = pending["product_id"].as_str().and_then(catalog::product) {
        doc["product_id"] = json!(product.id);
        doc["type"] = json!(product.instance_type);
        doc["support_features"] = json!(catalog::support_features(product));
        if product.is_5x() {
            doc["max_msg_process_tps"] = json!(product.tps);
        }
    }
    if let Some(product) = doc["product_id"].as_str().and_then(catalog::product) {
        let brokers = broker_count(doc);
        doc["specification"] = json!(product.specification(brokers));
    }
    topology::apply(doc);
}

/// `POST /v2/{project_id}/{engine}/instances/{instance_id}/restart` (§5.11.2): `RESTARTING`
/// for `restart_seconds`, then `RUNNING`.
pub fn restart(ctx: &mut Ctx<'_>, project: &str, id: &str) -> Result<Resp, DmsError> {
    let mut doc = ctx.instance(project, id)?;
    require_idle(&doc)?;
    let seconds = ctx.settings.restart_seconds;
    schedule(ctx, project, &mut doc, "restart", seconds, "RUNNING")?;
    doc["status"] = json!("RESTARTING");
    ctx.docs.put(INSTANCE, project, id, &doc)?;
    let nodes = broker_names(&doc);
    Ok(Resp::ok(
        json!({"instance_id": id, "nodes": nodes, "result": "success"}),
    ))
}
