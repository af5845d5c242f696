//! RocketMQ configuration parameters (§5.7), stored in the instance
//! document as `_emu.configs = {name: value-string}`; a parameter never set has its default.
//! The message plane reads `fileReservedTime` (hours) from there.

use serde_json::{Map, Value, json};

use super::body::as_int;
use super::facts::require_idle;
use crate::emulator::context::{Ctx, INSTANCE, Req, Resp, page};
use crate::emulator::error::DmsError;

/// One documented parameter.
struct Param {
    name: &'static str,
    default: i64,
    min: i64,
    max: i64,
}

/// The documented parameters: only `fileReservedTime` (message file retention in hours).
const PARAMS: [Param; 1] = [Param {
    name: "fileReservedTime",
    default: 48,
    min: 1,
    max: 720,
}];

fn invalid(name: &str) -> DmsError {
    let mut error = DmsError::of("DMS.00400063");
    error.message = error.message.replace("{0}", name);
    error
}

/// `GET /v2/{project_id}/rocketmq/instances/{instance_id}/configs`: values as strings.
pub fn show(ctx: &Ctx<'_>, req: &Req, project: &str, id: &str) -> Result<Resp, DmsError> {
    let doc = ctx.instance(project, id)?;
    let limit = req.limit(10, 50)?;
    let offset = req.offset()?;
    let items: Vec<Value> = PARAMS
        .iter()
        .map(|p| {
            let value = doc["_emu"]["configs"][p.name]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| p.default.to_string());
            json!({
                "name": p.name,
                "value": value,
                "config_type": "dynamic",
                "default_value": p.default.to_string(),
                "valid_values": format!("{}~{}", p.min, p.max),
                "value_type": "integer",
            })
        })
        .collect();
    let (configs, next, previous) = page(&items, offset, limit);
    Ok(Resp::ok(json!({
        "rocketmq_configs": configs,
        "total": items.len(),
        "next_offset": next,
        "previous_offset": previous,
    })))
}

/// `PUT …/configs`: every name must be documented and every value (string or number) an
/// integer in range, else `DMS.00400063` naming the parameter; nothing changes unless all
/// are valid. The instance must be `RUNNING`. 204.
pub fn update(ctx: &mut Ctx<'_>, req: &Req, project: &str, id: &str) -> Result<Resp, DmsError> {
    let mut doc = ctx.instance(project, id)?;
    let body = req.json()?;
    let items = match body.get("rocketmq_configs") {
        Some(Value::Array(items)) if !items.is_empty() => items,
        Some(Value::Array(_)) => {
            return Err(DmsError::bad_body("`rocketmq_configs` must not be empty."));
        }
        None | Some(Value::Null) => {
            return Err(DmsError::bad_body("`rocketmq_configs` is required."));
        }
        Some(other) => {
            return Err(DmsError::bad_body(format!(
                "`rocketmq_configs` must be an array, got {other}."
            )));
        }
    };
    require_idle(&doc)?;
    let mut changes = Map::new();
    for item in items {
        let name = item["name"].as_str().ok_or_else(|| {
            DmsError::bad_body(format!(
                "Each `rocketmq_configs` item needs a string `name`, got {item}."
            ))
        })?;
        let param = PARAMS
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| invalid(name).detail("There is no such parameter."))?;
        let value = match &item["value"] {
            Value::String(text) => text.trim().parse::<i64>().ok(),
            other => as_int(other),
        };
        match value {
            Some(v) if (param.min..=param.max).contains(&v) => {
                changes.insert(name.to_owned(), json!(v.to_string()));
            }
            _ => {
                return Err(invalid(name).detail(format!(
                    "The value must be an integer from {} to {}, got {}.",
                    param.min, param.max, item["value"]
                )));
            }
        }
    }
    if !doc["_emu"]["configs"].is_object() {
        doc["_emu"]["configs"] = json!({});
    }
    for (name, value) in changes {
        doc["_emu"]["configs"][name] = value;
    }
    ctx.docs.put(INSTANCE, project, id, &doc)?;
    Ok(Resp::empty(204))
}
