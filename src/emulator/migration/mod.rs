//! Metadata migration (API reference §5.6.1–§5.6.3): create a task from a
//! RocketMQ export or RabbitMQ definitions, list tasks or query one (with what it creates),
//! and delete tasks (the API reference's `DELETE …/metadata` with a body and the SDK's
//! `POST …/metadata/batch-delete`).
//!
//! A task moves `creating` → `starting` (after half of `migration_seconds`) → `finished` or
//! `failed` (after `migration_seconds`), when its topics and groups appear on the instance
//! (see `apply`). The body is checked when the task is created (see `plan`).
//!
//! Documents: kind `migration-task`, scope = instance id, id = task id (UUID). The body is the
//! SDK `MetadataTask` (`id`, `name`, `type`, `status`, `start_date`) plus `_emu: {project,
//! created_at (ms), overwrite, plan: {topics: [{name, read, write, permission, order}],
//! groups: [{name, enabled, broadcast, retry_max_time}]}, definitions (RabbitMQ lists or
//! null), failure (reason or null)}`. Kind `migration-pending`, scope `""`, id `queue`:
//! `{next_due, tasks: [{project, instance, id, due}]}`, the tasks still moving, so that
//! [`advance`], which runs before every request, costs one lookup when nothing is due.

mod apply;
mod plan;

use serde_json::{Value, json};

use super::context::{Ctx, Req, Resp, Routed, is_uuid};
use super::error::DmsError;
use super::instances::facts::require_running;
use super::names::{self, strings};
use crate::signing::SdkDate;
use plan::Plan;

/// The document kind of migration tasks (scope: instance id, id: task id).
pub const TASK: &str = "migration-task";

/// The document kind of the pending-task queue (scope `""`, id `queue`).
const PENDING: &str = "migration-pending";

/// Routes §5.6.1–§5.6.3 and the SDK's batch delete.
pub fn route(ctx: &mut Ctx<'_>, req: &Req, segments: &[&str]) -> Routed {
    match segments {
        ["v2", project, "instances", instance_id, "metadata"] => Some(match req.method.as_str() {
            "POST" => create(ctx, req, project, instance_id),
            "GET" => list(ctx, req, project, instance_id),
            "DELETE" => delete(ctx, req, project, instance_id),
            _ => Err(DmsError::bad_method()),
        }),
        [
            "v2",
            project,
            "instances",
            instance_id,
            "metadata",
            "batch-delete",
        ] => Some(match req.method.as_str() {
            "POST" => delete(ctx, req, project, instance_id),
            _ => Err(DmsError::bad_method()),
        }),
        _ => None,
    }
}

/// `start_date` in the reference's form, `YYYY-MM-DD HH:MM:SS.ff` (UTC here).
fn start_date(ms: i64) -> String {
    let basic = SdkDate::from_unix(ms.div_euclid(1000)).to_string();
    format!(
        "{}-{}-{} {}:{}:{}.{:02}",
        &basic[0..4],
        &basic[4..6],
        &basic[6..8],
        &basic[9..11],
        &basic[11..13],
        &basic[13..15],
        ms.rem_euclid(1000) / 10
    )
}

/// §5.6.1 `POST …/metadata?overwrite=&name=&type=`: `{"task_id": …}`.
fn create(
    ctx: &mut Ctx<'_>,
    req: &Req,
    project: &str,
    instance_id: &str,
) -> Result<Resp, DmsError> {
    let instance = ctx.instance(project, instance_id)?;
    require_running(&instance)?;
    let overwrite = match req.q("overwrite") {
        Some("true") => true,
        Some("false") => false,
        other => {
            return Err(DmsError::of("DMS.00400800").detail(format!(
                "The query parameter `overwrite` must be `true` or `false`; got {}.",
                other.map_or("nothing".to_owned(), |o| format!("`{o}`"))
            )));
        }
    };
    let name = req.q("name").unwrap_or("");
    names::check_task_name(name)?;
    let kind = req.q("type").unwrap_or("");
    let body = req.json()?;
    let (plan, definitions) = match kind {
        "rocketmq" => (plan::rocketmq(&body)?, Value::Null),
        "rabbitToRocket" => {
            let (definitions, plan) = plan::rabbit(&body)?;
            (plan, definitions)
        }
        _ => {
            return Err(DmsError::of("DMS.00400007").detail(format!(
                "The query parameter `type` is `{kind}`; allowed are rocketmq and rabbitToRocket."
            )));
        }
    };
    let id = ctx.uuid();
    let task = json!({
        "id": id,
        "name": name,
        "type": kind,
        "status": "creating",
        "start_date": start_date(ctx.now_ms),
        "_emu": {
            "project": project,
            "created_at": ctx.now_ms,
            "overwrite": overwrite,
            "plan": plan,
            "definitions": definitions,
            "failure": null,
        },
    });
    ctx.docs.put(TASK, instance_id, &id, &task)?;
    let due = ctx.now_ms + half_run(ctx);
    schedule(
        ctx,
        json!({"project": project, "instance": instance_id, "id": id, "due": due}),
    )?;
    Ok(Resp::ok(json!({"task_id": id})))
}

/// §5.6.2 `GET …/metadata`: all tasks (`offset` is a 1-based page number; 0 is taken as the
/// first page), or with `id` the one task, with the names of the topics and groups it creates
/// and, when `type` is given, its migrated RabbitMQ definitions of that kind.
fn list(ctx: &mut Ctx<'_>, req: &Req, project: &str, instance_id: &str) -> Result<Resp, DmsError> {
    ctx.instance(project, instance_id)?;
    let kind = req.q("type").filter(|k| !k.is_empty());
    if let Some(kind) = kind
        && !["vhost", "exchange", "queue", "all"].contains(&kind)
    {
        return Err(DmsError::of("DMS.00400007").detail(format!(
            "The query parameter `type` is `{kind}`; allowed are vhost, exchange, queue and all."
        )));
    }
    if let Some(id) = req.q("id").filter(|id| !id.is_empty()) {
        if !is_uuid(id) {
            return Err(DmsError::of("DMS.00400070").detail(format!("Got `{id}`.")));
        }
        let task = ctx.docs.get(TASK, instance_id, id)?.ok_or_else(|| {
            DmsError::of("DMS.10240406").detail(format!("No migration task `{id}`."))
        })?;
        let plan: Plan = serde_json::from_value(task["_emu"]["plan"].clone()).unwrap_or_default();
        let mut item = names::public(&task);
        let (topics, groups) = plan.names();
        item["topics"] = topics;
        item["groups"] = groups;
        if let Some(kind) = kind {
            let name = req.q("name").filter(|n| !n.is_empty());
            for (key, value) in plan::rabbit_query(&task["_emu"]["definitions"], kind, name) {
                item[key] = value;
            }
        }
        return Ok(Resp::ok(json!({"total": 1, "task": [item]})));
    }
    if kind.is_some() {
        return Err(DmsError::of("DMS.00400800").detail(
            "`type` selects the migrated RabbitMQ metadata of one task; give its `id` too.",
        ));
    }
    let limit = req.limit(10, 50)?;
    let page_number = match req.q("offset") {
        None | Some("") => 1,
        Some(text) => text
            .trim()
            .parse::<u32>()
            .map_err(|_| {
                DmsError::of("DMS.10240043").detail(format!(
                    "offset `{text}` must be a page number (1 is the first page)."
                ))
            })?
            .max(1),
    };
    let tasks: Vec<Value> = ctx
        .docs
        .list(TASK, instance_id)?
        .iter()
        .map(|(_, task)| names::public(task))
        .collect();
    let start = ((page_number - 1) as usize).saturating_mul(limit as usize);
    let items: Vec<&Value> = tasks.iter().skip(start).take(limit as usize).collect();
    Ok(Resp::ok(json!({"total": tasks.len(), "task": items})))
}

/// §5.6.3 `DELETE …/metadata` and SDK `POST …/metadata/batch-delete`, body
/// `{"task_ids": [...]}`: `{"success_task_list": [...]}` (unknown ids are not listed).
fn delete(
    ctx: &mut Ctx<'_>,
    req: &Req,
    project: &str,
    instance_id: &str,
) -> Result<Resp, DmsError> {
    ctx.instance(project, instance_id)?;
    let body = req.json()?;
    let ids = strings(body.get("task_ids"), "task_ids")?.unwrap_or_default();
    if ids.is_empty() {
        return Err(DmsError::bad_body(
            "`task_ids` must be a non-empty array of task ids.",
        ));
    }
    if let Some(bad) = ids.iter().find(|id| !is_uuid(id)) {
        return Err(DmsError::of("DMS.00400070").detail(format!("Got `{bad}`.")));
    }
    let mut deleted: Vec<&String> = Vec::new();
    for id in &ids {
        if !deleted.contains(&id) && ctx.docs.delete(TASK, instance_id, id)? {
            deleted.push(id);
        }
    }
    Ok(Resp::ok(json!({"success_task_list": deleted})))
}

/// Half of a task's run time, in ms: the `creating` phase.
fn half_run(ctx: &Ctx<'_>) -> i64 {
    (ctx.settings.migration_seconds as i64).saturating_mul(500)
}

/// Adds a task to the pending queue.
fn schedule(ctx: &mut Ctx<'_>, entry: Value) -> Result<(), DmsError> {
    let mut queue = ctx
        .docs
        .get(PENDING, "", "queue")?
        .unwrap_or_else(|| json!({"tasks": []}));
    let mut tasks = queue["tasks"].as_array().cloned().unwrap_or_default();
    tasks.push(entry);
    queue["next_due"] = json!(tasks.iter().filter_map(|t| t["due"].as_i64()).min());
    queue["tasks"] = Value::Array(tasks);
    ctx.docs.put(PENDING, "", "queue", &queue)?;
    Ok(())
}

/// Whether a task's next step is due.
pub fn due(ctx: &Ctx<'_>) -> Result<bool, DmsError> {
    Ok(ctx.docs.get(PENDING, "", "queue")?.is_some_and(|queue| {
        queue["next_due"]
            .as_i64()
            .is_none_or(|due| due <= ctx.now_ms)
    }))
}

/// Moves every task whose next step is due; costs one lookup when none is.
pub fn advance(ctx: &mut Ctx<'_>) -> Result<(), DmsError> {
    let Some(queue) = ctx.docs.get(PENDING, "", "queue")? else {
        return Ok(());
    };
    if queue["next_due"]
        .as_i64()
        .is_some_and(|due| due > ctx.now_ms)
    {
        return Ok(());
    }
    let mut waiting = Vec::new();
    for mut entry in queue["tasks"].as_array().cloned().unwrap_or_default() {
        if let Some(due) = step(ctx, &entry)? {
            entry["due"] = json!(due);
            waiting.push(entry);
        }
    }
    if waiting.is_empty() {
        ctx.docs.delete(PENDING, "", "queue")?;
    } else {
        let next_due = waiting.iter().filter_map(|t| t["due"].as_i64()).min();
        ctx.docs.put(
            PENDING,
            "",
            "queue",
            &json!({"next_due": next_due, "tasks": waiting}),
        )?;
    }
    Ok(())
}

/// Moves one task as far as the time allows; its next due time, or `None` when it is done
/// (or was deleted).
fn step(ctx: &mut Ctx<'_>, entry: &Value) -> Result<Option<i64>, DmsError> {
    let project = entry["project"].as_str().unwrap_or_default();
    let instance_id = entry["instance"].as_str().unwrap_or_default();
    let id = entry["id"].as_str().unwrap_or_default();
    let Some(mut task) = ctx.docs.get(TASK, instance_id, id)? else {
        return Ok(None);
    };
    let created_at = task["_emu"]["created_at"].as_i64().unwrap_or(0);
    let half = half_run(ctx);
    if task["status"] == "creating" {
        if ctx.now_ms < created_at + half {
            return Ok(Some(created_at + half));
        }
        task["status"] = json!("starting");
    }
    if task["status"] == "starting" {
        if ctx.now_ms < created_at + 2 * half {
            ctx.docs.put(TASK, instance_id, id, &task)?;
            return Ok(Some(created_at + 2 * half));
        }
        let plan: Plan = serde_json::from_value(task["_emu"]["plan"].clone()).unwrap_or_default();
        let overwrite = task["_emu"]["overwrite"].as_bool().unwrap_or(false);
        match apply::apply(ctx, project, instance_id, overwrite, &plan)? {
            Ok(()) => task["status"] = json!("finished"),
            Err(reason) => {
                task["status"] = json!("failed");
                task["_emu"]["failure"] = json!(reason);
            }
        }
    }
    ctx.docs.put(TASK, instance_id, id, &task)?;
    Ok(None)
}
