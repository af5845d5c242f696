//! Specification change (§5.10): the flavours an instance can change to,
//! the resize itself (`EXTENDING` for `extend_seconds`, then `RUNNING` with the new spec) and
//! the SDK's pre-check.
//!
//! A resize stores the target in `_emu.pending` = `{"broker_num"?, "total_storage_space"?,
//! "product_id"?, "disk"?: true}` (see `lifecycle`).

use serde_json::{Value, json};

use super::body::{opt_int, opt_str, query_text, required};
use super::catalog::{self, Product};
use super::facts::{self, is_5x};
use super::lifecycle;
use crate::emulator::context::{Ctx, INSTANCE, Req, Resp, page};
use crate::emulator::error::DmsError;

fn current_product(doc: &Value) -> Result<&'static Product, DmsError> {
    let id = doc["product_id"].as_str().unwrap_or_default();
    catalog::product(id).ok_or_else(|| DmsError::internal(format!("unknown flavour `{id}`")))
}

/// The flavours an instance may move to: the 4.8.0 flavours for a 4.8.0 instance, the
/// flavours of the same edition for a 5.x one.
fn targets(current: &Product) -> impl Iterator<Item = &'static Product> + '_ {
    catalog::PRODUCTS.iter().filter(move |p| {
        p.version == current.version && (!current.is_5x() || p.product_type == current.product_type)
    })
}

/// `GET /v2/{engine}/{project_id}/instances/{instance_id}/extend` and the SDK twin
/// `GET /v2/{project_id}/rocketmq/instances/{instance_id}/extend`.
pub fn products(ctx: &Ctx<'_>, req: &Req, project: &str, id: &str) -> Result<Resp, DmsError> {
    let doc = ctx.instance(project, id)?;
    let limit = req.limit(10, 50)?;
    let offset = req.offset()?;
    let current = current_product(&doc)?;
    let type_filter = query_text(req, "type");
    let items: Vec<Value> = targets(current)
        .filter(|p| catalog::type_matches(p, type_filter))
        .map(catalog::extend_entity)
        .collect();
    let (products, next, previous) = page(&items, offset, limit);
    Ok(Resp::ok(json!({
        "engine": "rocketmq",
        "versions": [current.version],
        "products": products,
        "total": items.len(),
        "next_offset": next,
        "previous_offset": previous,
    })))
}

/// Checks a flavour change from `current` to `new_id` for an instance of `brokers` brokers.
fn check_product_change(
    current: &Product,
    new_id: &str,
    brokers: i64,
) -> Result<&'static Product, DmsError> {
    let product = catalog::product(new_id)
        .ok_or_else(|| DmsError::of("DMS.00400009").detail(format!("No flavour `{new_id}`.")))?;
    if product.version != current.version {
        return Err(DmsError::of("DMS.00400022").detail(format!(
            "`{new_id}` is a {} flavour; the instance runs {}.",
            product.version, current.version
        )));
    }
    if !current.is_cluster() {
        return Err(DmsError::bad_body("Only cluster instances change flavour."));
    }
    if !targets(current).any(|p| p.id == product.id) {
        return Err(DmsError::bad_body(format!(
            "`{new_id}` is not a {} flavour.",
            current.product_type
        )));
    }
    if product.id == current.id {
        return Err(DmsError::bad_body(format!(
            "The instance already is `{new_id}`."
        )));
    }
    if product.rank < current.rank {
        return Err(DmsError::bad_body(format!(
            "`{new_id}` is smaller than `{}`; flavours only grow.",
            current.id
        )));
    }
    if brokers > product.max_broker {
        return Err(DmsError::bad_body(format!(
            "`{new_id}` allows at most {} brokers; the instance has {brokers}.",
            product.max_broker
        )));
    }
    Ok(product)
}

fn check_storage(total: i64, min: i64, max: i64) -> Result<(), DmsError> {
    if total < min || total > max || total % 100 != 0 {
        return Err(DmsError::of("DMS.00400500").detail(format!(
            "The new storage must be a multiple of 100 from {min} to {max} GB, got {total}."
        )));
    }
    Ok(())
}

/// `POST …/extend` (§5.10.2): `oper_type` `storage` (`new_storage_space`, the new total, at
/// least 100 GB more per broker), `horizontal` (`new_broker_num` on 4.8.0, optionally
/// `new_storage_space`; or `new_product_id`) or `vertical` (`new_product_id`, 4.8.0).
/// Pay-per-use `RUNNING` instances only. Answers `{"job_id"}`.
pub fn resize(ctx: &mut Ctx<'_>, req: &Req, project: &str, id: &str) -> Result<Resp, DmsError> {
    let mut doc = ctx.instance(project, id)?;
    let body = req.json()?;
    let oper = required(opt_str(&body, "oper_type")?, "oper_type")?;
    let new_storage = opt_int(&body, "new_storage_space")?;
    let new_product = opt_str(&body, "new_product_id")?;
    let new_brokers = opt_int(&body, "new_broker_num")?;
    let publicip_id = opt_str(&body, "publicip_id")?.unwrap_or_default();
    if !matches!(oper.as_str(), "storage" | "horizontal" | "vertical") {
        return Err(DmsError::bad_body(format!(
            "`oper_type` must be `storage`, `horizontal` or `vertical`, got `{oper}`."
        )));
    }
    if doc["charging_mode"] == 0 {
        return Err(DmsError::of("DMS.00400026")
            .detail("Only pay-per-use instances can be resized through the API."));
    }
    facts::require_idle(&doc)?;
    let current = current_product(&doc)?;
    let brokers = facts::broker_count(&doc);
    let total = doc["total_storage_space"].as_i64().unwrap_or(0);
    let five = is_5x(&doc);
    let mut pending = json!({});
    match oper.as_str() {
        "storage" => {
            let new_total = required(new_storage, "new_storage_space")?;
            check_storage(
                new_total,
                total + 100 * brokers,
                current.max_storage_per_node * brokers,
            )?;
            pending["total_storage_space"] = json!(new_total);
            pending["disk"] = json!(true);
        }
        "horizontal" => {
            if new_brokers.is_none() && new_product.is_none() {
                return Err(DmsError::bad_body(
                    "`horizontal` needs `new_broker_num` (4.8.0) or `new_product_id`.",
                ));
            }
            let target = match &new_product {
                Some(product) => check_product_change(current, product, brokers)?,
                None => current,
            };
            if let Some(count) = new_brokers {
                if five {
                    return Err(DmsError::bad_body(
                        "5.x instances have one broker; change the flavour with `new_product_id`.",
                    ));
                }
                if count <= brokers || count > target.max_broker {
                    return Err(DmsError::bad_body(format!(
                        "`new_broker_num` must be more than {brokers} and at most {}, got {count}.",
                        target.max_broker
                    )));
                }
                let eips = publicip_id
                    .split(',')
                    .filter(|s| !s.trim().is_empty())
                    .count() as i64;
                if doc["enable_publicip"] == true && eips < count - brokers {
                    return Err(DmsError::of("DMS.00400128").detail(format!(
                        "Public access is on: give {} EIP ids in `publicip_id`.",
                        count - brokers
                    )));
                }
                let per_broker = total / brokers;
                let new_total = match new_storage {
                    Some(storage) => {
                        check_storage(
                            storage,
                            per_broker * count,
                            target.max_storage_per_node * count,
                        )?;
                        storage
                    }
                    None => per_broker * count,
                };
                pending["broker_num"] = json!(count);
                pending["total_storage_space"] = json!(new_total);
            }
            if new_product.is_some() {
                pending["product_id"] = json!(target.id);
            }
        }
        _ => {
            if five {
                return Err(DmsError::bad_body(
                    "`vertical` applies to 4.8.0 instances; 5.x flavours change with `horizontal`.",
                ));
            }
            let product = required(new_product, "new_product_id")?;
            let target = check_product_change(current, &product, brokers)?;
            pending["product_id"] = json!(target.id);
        }
    }
    let job_id = ctx.uuid();
    let seconds = ctx.settings.extend_seconds;
    lifecycle::schedule(ctx, project, &mut doc, "extend", seconds, "RUNNING")?;
    doc["_emu"]["timer"]["job_id"] = json!(job_id);
    doc["_emu"]["pending"] = pending;
    doc["status"] = json!("EXTENDING");
    ctx.docs.put(INSTANCE, project, id, &doc)?;
    Ok(Resp::ok(json!({"job_id": job_id})))
}

/// `GET /v2/{project_id}/rocketmq/instances/{instance_id}/extend-check` (SDK
/// `show_rocket_mq_scale_pre_check_info`): whether a resize can start now.
pub fn precheck(ctx: &Ctx<'_>, project: &str, id: &str) -> Result<Resp, DmsError> {
    let doc = ctx.instance(project, id)?;
    let body = match facts::require_idle(&doc) {
        Ok(()) if doc["charging_mode"] == 0 => json!({
            "name": "charging_mode",
            "success": false,
            "reason": "Only pay-per-use instances can be resized through the API.",
            "risk": "high",
        }),
        Ok(()) => json!({"name": "instance_status", "success": true, "reason": "", "risk": "low"}),
        Err(error) => json!({
            "name": "instance_status",
            "success": false,
            "reason": error.message,
            "risk": "high",
        }),
    };
    Ok(Resp::ok(body))
}
