//! The instance endpoints of §5.1: create (5.1.2 and its SDK aliases), list (5.1.1), show
//! (5.1.3), delete (5.1.4), update (5.1.5) and batch delete (5.1.6). The historical V1 and
//! old-V2 paths reuse these with their own success statuses.

use serde_json::{Value, json};

use super::body::{
    Body, bad_query, opt_bool, opt_int, opt_str, opt_str_list, query_text, required,
};
use super::spec::{self, InstanceSpec, STATUSES};
use super::{facts, lifecycle, topology, view};
use crate::emulator::context::{Ctx, INSTANCE, Req, Resp, is_engine, is_uuid, page};
use crate::emulator::error::DmsError;
use crate::emulator::plane;

/// Creates an instance from a `CreateInstanceByEngineReq` body; answers `{"instance_id"}`.
pub fn create(ctx: &mut Ctx<'_>, req: &Req, project: &str) -> Result<Resp, DmsError> {
    ctx.project(project)?;
    let body = req.json()?;
    let spec = from_body(&body)?;
    let doc = spec::create_instance_document(ctx, project, &spec)?;
    Ok(Resp::ok(json!({"instance_id": doc["instance_id"]})))
}

/// Lists the project's instances, newest first, with the 5.1.1 filters. `engine` is required
/// on the V2 path (`require_engine`); `instance_num` counts every match.
pub fn list(
    ctx: &mut Ctx<'_>,
    req: &Req,
    project: &str,
    require_engine: bool,
) -> Result<Resp, DmsError> {
    ctx.project(project)?;
    match query_text(req, "engine") {
        None if require_engine => {
            return Err(bad_query(
                "`engine` is required: `rocketmq` or `reliability`.",
            ));
        }
        Some(engine) if !is_engine(engine) => {
            return Err(DmsError::of("DMS.00400007").detail(format!(
                "`engine` must be `rocketmq` or `reliability`, got `{engine}`."
            )));
        }
        _ => {}
    }
    let limit = req.limit(10, 50)?;
    let offset = req.offset()?;
    let status = query_text(req, "status");
    if let Some(status) = status
        && !STATUSES.contains(&status)
    {
        return Err(bad_query(format!(
            "`status` must be one of {}, got `{status}`.",
            STATUSES.join(", ")
        )));
    }
    let name = query_text(req, "name");
    let exact = req.q("exact_match_name") == Some("true");
    let include_failure = req.q("include_failure") == Some("true");
    let instance_id = query_text(req, "instance_id");
    let enterprise = query_text(req, "enterprise_project_id");
    let mut matching: Vec<Value> = ctx
        .docs
        .list(INSTANCE, project)?
        .into_iter()
        .map(|(_, doc)| doc)
        .filter(|doc| {
            let doc_name = doc["name"].as_str().unwrap_or_default();
            name.is_none_or(|n| {
                if exact {
                    doc_name == n
                } else {
                    doc_name.contains(n)
                }
            }) && instance_id.is_none_or(|i| doc["instance_id"] == i)
                && status.is_none_or(|s| doc["status"] == s)
                && enterprise.is_none_or(|e| doc["enterprise_project_id"] == e)
                && (include_failure || doc["_emu"]["creation_failed"] != true)
        })
        .collect();
    matching.reverse();
    let (items, _, _) = page(&matching, offset, limit);
    let instances = items
        .iter()
        .map(|doc| view(ctx, doc))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Resp::ok(
        json!({"instances": instances, "instance_num": matching.len()}),
    ))
}

/// One instance as the API shows it.
pub fn show(ctx: &mut Ctx<'_>, project: &str, id: &str) -> Result<Resp, DmsError> {
    let doc = ctx.instance(project, id)?;
    Ok(Resp::ok(view(ctx, &doc)?))
}

/// Refuses deleting an instance in a state the API reference forbids: creating, starting,
/// stopping (freezing) or restarting (`DMS.0040009`, as printed in the reference), or with a
/// resize running (`DMS.00400017`).
fn check_deletable(doc: &Value) -> Result<(), DmsError> {
    match doc["status"].as_str().unwrap_or_default() {
        status @ ("CREATING" | "STARTING" | "RESTARTING" | "FREEZING") => {
            Err(DmsError::of("DMS.0040009").detail(format!(
                "`{}` is {status}.",
                doc["instance_id"].as_str().unwrap_or_default()
            )))
        }
        "EXTENDING" => Err(DmsError::of("DMS.00400017").detail("A resize is running.")),
        _ => Ok(()),
    }
}

/// Deletes the instance document and everything scoped to the instance (topics, groups,
/// users, migration tasks, timer, the message plane's data).
fn remove(ctx: &mut Ctx<'_>, project: &str, id: &str) -> Result<(), DmsError> {
    ctx.docs.delete(INSTANCE, project, id)?;
    lifecycle::cancel(ctx, project, id)?;
    for kind in ["topic", "group", "user", crate::emulator::migration::TASK] {
        ctx.docs.delete_scope(kind, id)?;
    }
    plane::on_instance_deleted(ctx, id)
}

/// Deletes an instance at once (there is no recycle bin in the emulator).
pub fn delete(ctx: &mut Ctx<'_>, project: &str, id: &str) -> Result<(), DmsError> {
    let doc = ctx.instance(project, id)?;
    check_deletable(&doc)?;
    remove(ctx, project, id)
}

/// `POST /v2/{project_id}/instances/action` (§5.1.6): `instances` gives 200 with one
/// `{result, instance}` per id; `all_failure` deletes every failed creation and gives 204.
pub fn batch_delete(ctx: &mut Ctx<'_>, req: &Req, project: &str) -> Result<Resp, DmsError> {
    ctx.project(project)?;
    let body = req.json()?;
    match opt_str(&body, "action")?.as_deref() {
        Some("delete") => {}
        other => {
            return Err(DmsError::of("DMS.00400064")
                .detail(format!("Only `delete` is supported here, got {other:?}.")));
        }
    }
    opt_bool(&body, "force_delete")?;
    if let Some(all) = opt_str(&body, "all_failure")? {
        if !is_engine(&all) {
            return Err(DmsError::bad_body(format!(
                "`all_failure` must be `reliability`, got `{all}`."
            )));
        }
        for (id, doc) in ctx.docs.list(INSTANCE, project)? {
            if doc["_emu"]["creation_failed"] == true {
                remove(ctx, project, &id)?;
            }
        }
        return Ok(Resp::empty(204));
    }
    let ids = opt_str_list(&body, "instances")?.unwrap_or_default();
    if ids.is_empty() {
        return Err(DmsError::of("DMS.00400065"));
    }
    if ids.len() > 50 {
        return Err(DmsError::custom(
            400,
            "DMS.0040010",
            "The instances array can contain a maximum of 50 instance IDs.",
        )
        .detail(format!("Got {}.", ids.len())));
    }
    for (index, id) in ids.iter().enumerate() {
        if ids[..index].contains(id) {
            return Err(DmsError::of("DMS.00400082").detail(format!("`{id}`.")));
        }
    }
    let mut results = Vec::new();
    for id in &ids {
        let deletable = is_uuid(id)
            && match ctx.docs.get(INSTANCE, project, id)? {
                Some(doc) => check_deletable(&doc).is_ok(),
                None => false,
            };
        if deletable {
            remove(ctx, project, id)?;
        }
        results.push(json!({
            "result": if deletable { "success" } else { "failed" },
            "instance": id,
        }));
    }
    Ok(Resp::ok(json!({"results": results})))
}

fn valid_clock(text: &str) -> bool {
    let parts: Vec<&str> = text.split(':').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
        && parts[0] < "24"
        && parts[1] < "60"
        && parts[2] < "60"
}

/// `PUT /v2/{project_id}/instances/{instance_id}` (§5.1.5): name (no `_`), description,
/// security group, ACL, public access, enterprise project and the maintenance window.
/// Network settings change only on a `RUNNING` instance.
/// The historical V1 form (`body_optional`) accepts an empty body.
pub fn update(
    ctx: &mut Ctx<'_>,
    req: &Req,
    project: &str,
    id: &str,
    body_optional: bool,
) -> Result<(), DmsError> {
    let mut doc = ctx.instance(project, id)?;
    let body: Body = if body_optional {
        req.json_or_empty()?
    } else {
        req.json()?
    };
    let body = &body;
    if let Some(name) = opt_str(body, "name")? {
        if !spec::valid_update_name(&name) {
            return Err(DmsError::of("DMS.00400010").detail(format!(
                "Got `{name}`; a new name starts with a letter and has no underscore."
            )));
        }
        spec::check_name_free(ctx, project, &name, Some(id))?;
        doc["name"] = json!(name);
    }
    if let Some(description) = opt_str(body, "description")? {
        if description.chars().count() > 1024 {
            return Err(DmsError::of("DMS.00400011"));
        }
        doc["description"] = json!(description);
    }
    if let Some(enterprise) = opt_str(body, "enterprise_project_id")? {
        doc["enterprise_project_id"] = json!(enterprise);
    }
    let begin = opt_str(body, "maintain_begin")?;
    let end = opt_str(body, "maintain_end")?;
    match (&begin, &end) {
        (None, None) => {}
        (Some(b), Some(e)) if valid_clock(b) && valid_clock(e) && b != e => {
            doc["maintain_begin"] = json!(b);
            doc["maintain_end"] = json!(e);
        }
        _ => {
            return Err(DmsError::of("DMS.00400106").detail(
                "Give both `maintain_begin` and `maintain_end` as different HH:mm:ss times.",
            ));
        }
    }
    let security_group = opt_str(body, "security_group_id")?;
    let acl = opt_bool(body, "enable_acl")?;
    let public = opt_bool(body, "enable_publicip")?;
    let public_ids = opt_str(body, "publicip_id")?;
    if security_group.is_some() || acl.is_some() || public.is_some() || public_ids.is_some() {
        facts::require_idle(&doc)?;
    }
    if let Some(group) = security_group {
        if group.trim().is_empty() {
            return Err(DmsError::of("DMS.00400014"));
        }
        if !is_uuid(&group) {
            return Err(
                DmsError::of("DMS.00400046").detail(format!("No security group `{group}`."))
            );
        }
        doc["security_group_name"] = json!(format!("sg-{}", &group[..8]));
        doc["security_group_id"] = json!(group);
    }
    if let Some(acl) = acl {
        doc["enable_acl"] = json!(acl);
    }
    if public.is_some() || public_ids.is_some() {
        let enable = public.unwrap_or(doc["enable_publicip"] == true);
        let ids = if enable {
            public_ids.unwrap_or_else(|| doc["publicip_id"].as_str().unwrap_or("").to_owned())
        } else {
            String::new()
        };
        spec::check_public_ip(enable, &ids)?;
        doc["enable_publicip"] = json!(enable);
        doc["publicip_id"] = json!(ids);
        topology::apply(&mut doc);
    }
    ctx.docs.put(INSTANCE, project, id, &doc)?;
    Ok(())
}

/// Reads a create body (§5.1.2 `CreateInstanceByEngineReq`, also `CreatePostPaidInstanceReq`):
/// types are checked here, rules by [`spec::validate`].
fn from_body(body: &Body) -> Result<InstanceSpec, DmsError> {
    let name = required(opt_str(body, "name")?, "name")?;
    let product_id = required(opt_str(body, "product_id")?, "product_id")?;
    let mut spec = InstanceSpec::new(&name, &product_id);
    spec.engine = required(opt_str(body, "engine")?, "engine")?;
    spec.engine_version = required(opt_str(body, "engine_version")?, "engine_version")?;
    spec.description = opt_str(body, "description")?.unwrap_or_default();
    spec.storage_space = required(opt_int(body, "storage_space")?, "storage_space")?;
    spec.broker_num = required(opt_int(body, "broker_num")?, "broker_num")?;
    spec.storage_spec_code = required(opt_str(body, "storage_spec_code")?, "storage_spec_code")?;
    spec.available_zones = required(opt_str_list(body, "available_zones")?, "available_zones")?;
    spec.vpc_id = opt_str(body, "vpc_id")?.unwrap_or_default();
    spec.subnet_id = opt_str(body, "subnet_id")?.unwrap_or_default();
    spec.security_group_id = opt_str(body, "security_group_id")?.unwrap_or_default();
    spec.enterprise_project_id = opt_str(body, "enterprise_project_id")?
        .filter(|e| !e.is_empty())
        .unwrap_or_else(|| "0".into());
    spec.ssl_enable = opt_bool(body, "ssl_enable")?.unwrap_or(false);
    spec.enable_acl = opt_bool(body, "enable_acl")?.unwrap_or(false);
    spec.ipv6_enable = opt_bool(body, "ipv6_enable")?.unwrap_or(false);
    spec.enable_publicip = opt_bool(body, "enable_publicip")?.unwrap_or(false);
    spec.publicip_id = opt_str(body, "publicip_id")?.unwrap_or_default();
    spec.proxy_enable = opt_bool(body, "proxy_enable")?.unwrap_or(false);
    spec.disk_encrypted = opt_bool(body, "disk_encrypted_enable")?.unwrap_or(false);
    spec.disk_encrypted_key = opt_str(body, "disk_encrypted_key")?.unwrap_or_default();
    spec.arch_type = opt_str(body, "arch_type")?.unwrap_or_else(|| "X86".into());
    spec.tls_mode = opt_str(body, "tls_mode")?;
    spec.pre_paid = pre_paid(body)?;
    Ok(spec)
}

/// Reads `bss_param` (API reference): whether the instance is billed yearly/monthly.
fn pre_paid(body: &Body) -> Result<bool, DmsError> {
    let bss = match body.get("bss_param") {
        None | Some(Value::Null) => return Ok(false),
        Some(Value::Object(bss)) => bss,
        Some(other) => {
            return Err(DmsError::bad_body(format!(
                "`bss_param` must be an object, got {other}."
            )));
        }
    };
    if !matches!(
        bss.get("is_auto_renew"),
        None | Some(Value::Null | Value::Bool(_))
    ) {
        return Err(DmsError::of("DMS.00400021"));
    }
    opt_bool(bss, "is_auto_pay")?;
    let pre_paid = match opt_str(bss, "charging_mode")?.as_deref() {
        None | Some("postPaid") => false,
        Some("prePaid") => true,
        Some(other) => {
            return Err(DmsError::bad_body(format!(
                "`bss_param.charging_mode` must be `prePaid` or `postPaid`, got `{other}`."
            )));
        }
    };
    if pre_paid {
        let max = match opt_str(bss, "period_type").ok().flatten().as_deref() {
            Some("month") => 9,
            Some("year") => 3,
            _ => {
                return Err(DmsError::of("DMS.00400047")
                    .detail("`bss_param.period_type` must be `month` or `year`."));
            }
        };
        let period = opt_int(bss, "period_num")
            .ok()
            .flatten()
            .ok_or_else(|| DmsError::of("DMS.00400038"))?;
        if !(1..=max).contains(&period) {
            return Err(DmsError::of("DMS.00400126").detail(format!(
                "`bss_param.period_num` must be 1 to {max}, got {period}."
            )));
        }
    }
    Ok(pre_paid)
}
