//! Consumer group writes: §5.2.2 create and batch delete, §5.2.3/§8.2.3 batch update,
//! §5.2.4/§8.2.5 delete and §5.2.6/§8.2.4 update.

use serde_json::{Map, Value, json};

use super::{GROUP, GroupFields, document, load};
use crate::emulator::context::{Ctx, Req, Resp};
use crate::emulator::error::DmsError;
use crate::emulator::instances::facts::{quotas, require_running};
use crate::emulator::names::{self, array, name_list, object, string};
use crate::emulator::plane;

/// §5.2.2 `POST …/groups[?action=delete]`.
pub fn create_or_batch_delete(
    ctx: &mut Ctx<'_>,
    req: &Req,
    project: &str,
    instance_id: &str,
) -> Result<Resp, DmsError> {
    let instance = ctx.instance(project, instance_id)?;
    require_running(&instance)?;
    match req.q("action") {
        None | Some("") => create(ctx, req, &instance, instance_id),
        Some("delete") => batch_delete(ctx, req, instance_id),
        Some(other) => Err(DmsError::of("DMS.00400064").detail(format!(
            "Got `{other}`; this URL accepts only `action=delete`."
        ))),
    }
}

fn create(
    ctx: &mut Ctx<'_>,
    req: &Req,
    instance: &Value,
    instance_id: &str,
) -> Result<Resp, DmsError> {
    let body = req.json()?;
    let name = string(body.get("name"), "name")?
        .ok_or_else(|| DmsError::bad_body("`name` is required to create a consumer group."))?
        .to_owned();
    names::check_group_name(&name)?;
    let fields = GroupFields::read(&body, "", instance)?;
    if ctx.docs.exists(GROUP, instance_id, &name)? {
        return Err(DmsError::of("DMS.10240018")
            .detail(format!("A consumer group named `{name}` already exists.")));
    }
    let (_, max_groups) = quotas(instance);
    if ctx.docs.count(GROUP, instance_id)? >= max_groups {
        return Err(DmsError::of("DMS.10240019").detail(format!(
            "The instance already has its maximum of {max_groups} consumer groups."
        )));
    }
    ctx.docs.put(
        GROUP,
        instance_id,
        &name,
        &document(instance, &name, &fields, ctx.now_ms),
    )?;
    Ok(Resp::ok(json!({"name": name})))
}

/// Checks that every named group exists (`DMS.10240405` listing the missing ones).
fn require_all(ctx: &Ctx<'_>, instance_id: &str, groups: &[String]) -> Result<(), DmsError> {
    let mut missing = Vec::new();
    for group in groups {
        if !ctx.docs.exists(GROUP, instance_id, group)? {
            missing.push(format!("`{group}`"));
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(DmsError::of("DMS.10240405").detail(format!(
            "No consumer group {}; nothing was changed.",
            missing.join(", ")
        )))
    }
}

/// §5.2.2 with `action=delete`: deletes every listed group, or none when one does not exist.
fn batch_delete(ctx: &mut Ctx<'_>, req: &Req, instance_id: &str) -> Result<Resp, DmsError> {
    let body = req.json()?;
    let groups = name_list(&body, "groups")?;
    require_all(ctx, instance_id, &groups)?;
    for group in &groups {
        remove(ctx, instance_id, group)?;
    }
    Ok(Resp::ok(json!({"job_id": ctx.job_id()})))
}

fn remove(ctx: &mut Ctx<'_>, instance_id: &str, group: &str) -> Result<(), DmsError> {
    ctx.docs.delete(GROUP, instance_id, group)?;
    plane::on_group_deleted(ctx, instance_id, group)
}

/// §5.2.3 / §8.2.3 `PUT …/groups`: `{"groups": [{name, …}]}`; every entry is checked before
/// any group changes. Answers `{"job_id": …}`.
pub fn batch_update(
    ctx: &mut Ctx<'_>,
    req: &Req,
    project: &str,
    instance_id: &str,
) -> Result<Resp, DmsError> {
    let instance = ctx.instance(project, instance_id)?;
    require_running(&instance)?;
    let body = req.json()?;
    let entries = array(body.get("groups"), "groups")?.unwrap_or_default();
    if entries.is_empty() {
        return Err(DmsError::bad_body(
            "`groups` must be a non-empty array of groups to modify.",
        ));
    }
    let mut changes: Vec<(String, GroupFields)> = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let at = format!("groups[{index}].");
        let entry = object(Some(entry), &format!("groups[{index}]"))?
            .cloned()
            .unwrap_or_else(Map::new);
        let name = string(entry.get("name"), &format!("{at}name"))?
            .ok_or_else(|| DmsError::bad_body(format!("`{at}name` is required.")))?
            .to_owned();
        if changes.iter().any(|(n, _)| *n == name) {
            return Err(DmsError::bad_body(format!(
                "Group `{name}` appears twice in `groups`."
            )));
        }
        let fields = GroupFields::read(&entry, &at, &instance)?;
        changes.push((name, fields));
    }
    let names: Vec<String> = changes.iter().map(|(n, _)| n.clone()).collect();
    require_all(ctx, instance_id, &names)?;
    for (name, fields) in &changes {
        let mut group = load(ctx, instance_id, name)?;
        fields.apply(&mut group);
        ctx.docs.put(GROUP, instance_id, name, &group)?;
    }
    Ok(Resp::ok(json!({"job_id": ctx.job_id()})))
}

/// §5.2.6 (`success` 204) / §8.2.4 (200) `PUT …/groups/{group}`: `enabled`, `broadcast` and
/// `retry_max_time` are required; a body `name` must be the path's group (names cannot change).
pub fn update(
    ctx: &mut Ctx<'_>,
    req: &Req,
    project: &str,
    instance_id: &str,
    group: &str,
    success: u16,
) -> Result<Resp, DmsError> {
    let instance = ctx.instance(project, instance_id)?;
    require_running(&instance)?;
    let mut document = load(ctx, instance_id, group)?;
    let body = req.json()?;
    if let Some(name) = string(body.get("name"), "name")?
        && name != group
    {
        return Err(DmsError::bad_body(format!(
            "The body names group `{name}` but the URL names `{group}`; a group cannot be renamed."
        )));
    }
    let fields = GroupFields::read(&body, "", &instance)?;
    for (field, present) in [
        ("enabled", fields.enabled.is_some()),
        ("broadcast", fields.broadcast.is_some()),
        ("retry_max_time", fields.retry_max_time.is_some()),
    ] {
        if !present {
            return Err(DmsError::bad_body(format!(
                "`{field}` is required to modify a consumer group (enabled, broadcast and retry_max_time are)."
            )));
        }
    }
    fields.apply(&mut document);
    ctx.docs.put(GROUP, instance_id, group, &document)?;
    Ok(Resp::empty(success))
}

/// §5.2.4 (`success` 204) / §8.2.5 (200) `DELETE …/groups/{group}`.
pub fn delete(
    ctx: &mut Ctx<'_>,
    project: &str,
    instance_id: &str,
    group: &str,
    success: u16,
) -> Result<Resp, DmsError> {
    let instance = ctx.instance(project, instance_id)?;
    require_running(&instance)?;
    load(ctx, instance_id, group)?;
    remove(ctx, instance_id, group)?;
    Ok(Resp::empty(success))
}
