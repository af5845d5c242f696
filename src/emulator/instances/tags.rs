//! Instance tags (§5.8), kept in the instance document's `tags` array of
//! `{"key", "value"}` (so they also show in the instance itself).
//!
//! `create` overwrites the value of an existing key; `delete` removes a key when no value is
//! given or the value matches, and ignores missing keys. The whole batch is checked before
//! anything changes.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::catalog::TAG_QUOTA;
use crate::emulator::context::{Ctx, INSTANCE, Req, Resp, page};
use crate::emulator::error::DmsError;

fn allowed(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_alphanumeric() || c == ' ' || "_.:=+-@".contains(c))
        && !text.starts_with(' ')
        && !text.ends_with(' ')
}

/// Checks a tag key: 1–128 characters (`DMS.10240035`) of the allowed set (`DMS.10240036`).
pub fn check_key(key: &str) -> Result<(), DmsError> {
    let length = key.chars().count();
    if length == 0 || length > 128 {
        return Err(DmsError::of("DMS.10240035")
            .detail(format!("A key has 1 to 128 characters; got {length}.")));
    }
    if !allowed(key) {
        return Err(DmsError::of("DMS.10240036").detail(format!(
            "`{key}`: letters, digits, spaces and `_ . : = + - @` only, no leading or trailing space."
        )));
    }
    Ok(())
}

/// Checks a tag value: at most 255 characters (`DMS.10240038`) of the allowed set
/// (`DMS.10240039`).
pub fn check_value(value: &str) -> Result<(), DmsError> {
    let length = value.chars().count();
    if length > 255 {
        return Err(DmsError::of("DMS.10240038")
            .detail(format!("A value has at most 255 characters; got {length}.")));
    }
    if !allowed(value) {
        return Err(DmsError::of("DMS.10240039").detail(format!(
            "`{value}`: letters, digits, spaces and `_ . : = + - @` only, no leading or trailing space."
        )));
    }
    Ok(())
}

fn current(doc: &Value) -> Vec<(String, String)> {
    doc["tags"]
        .as_array()
        .map(|tags| {
            tags.iter()
                .filter_map(|t| {
                    Some((
                        t["key"].as_str()?.to_owned(),
                        t["value"].as_str().unwrap_or("").to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `POST /v2/{project_id}/rocketmq/{instance_id}/tags/action`: 204.
pub fn batch(ctx: &mut Ctx<'_>, req: &Req, project: &str, id: &str) -> Result<Resp, DmsError> {
    let mut doc = ctx.instance(project, id)?;
    let body = req.json()?;
    let create = match body.get("action") {
        Some(Value::String(action)) if action == "create" => true,
        Some(Value::String(action)) if action == "delete" => false,
        other => {
            return Err(DmsError::of("DMS.10240040").detail(format!(
                "`action` must be `create` or `delete`, got {other:?}."
            )));
        }
    };
    let items = match body.get("tags") {
        Some(Value::Array(items)) => items,
        None | Some(Value::Null) => return Err(DmsError::bad_body("`tags` is required.")),
        Some(other) => {
            return Err(DmsError::bad_body(format!(
                "`tags` must be an array, got {other}."
            )));
        }
    };
    let mut batch: Vec<(String, Option<String>)> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let key = match &item["key"] {
            Value::String(key) => key.clone(),
            Value::Null => String::new(),
            other => {
                return Err(DmsError::bad_body(format!(
                    "`tags[{index}].key` must be a string, got {other}."
                )));
            }
        };
        check_key(&key)?;
        let value = match &item["value"] {
            Value::String(value) => Some(value.clone()),
            Value::Null if !create => None,
            Value::Null => {
                return Err(DmsError::bad_body(format!(
                    "`tags[{index}].value` is required."
                )));
            }
            other => {
                return Err(DmsError::bad_body(format!(
                    "`tags[{index}].value` must be a string, got {other}."
                )));
            }
        };
        if let Some(value) = &value {
            check_value(value)?;
        }
        if batch.iter().any(|(k, _)| *k == key) {
            return Err(DmsError::of("DMS.10240045")
                .detail(format!("`{key}` appears twice in the request.")));
        }
        batch.push((key, value));
    }
    let mut tags = current(&doc);
    for (key, value) in batch {
        let position = tags.iter().position(|(k, _)| *k == key);
        match (create, position) {
            (true, Some(at)) => tags[at].1 = value.unwrap_or_default(),
            (true, None) => tags.push((key, value.unwrap_or_default())),
            (false, Some(at)) if value.as_ref().is_none_or(|v| *v == tags[at].1) => {
                tags.remove(at);
            }
            (false, _) => {}
        }
    }
    if tags.len() as i64 > TAG_QUOTA {
        return Err(DmsError::of("DMS.10240044").detail(format!(
            "An instance can have {TAG_QUOTA} tags; this would make {}.",
            tags.len()
        )));
    }
    doc["tags"] = json!(
        tags.iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect::<Vec<_>>()
    );
    ctx.docs.put(INSTANCE, project, id, &doc)?;
    Ok(Resp::empty(204))
}

/// `GET /v2/{project_id}/rocketmq/{instance_id}/tags`, with SDK paging.
pub fn list(ctx: &Ctx<'_>, req: &Req, project: &str, id: &str) -> Result<Resp, DmsError> {
    let doc = ctx.instance(project, id)?;
    let limit = req.limit(10, 50)?;
    let offset = req.offset()?;
    let items: Vec<Value> = current(&doc)
        .into_iter()
        .map(|(k, v)| json!({"key": k, "value": v}))
        .collect();
    let (tags, next, previous) = page(&items, offset, limit);
    Ok(Resp::ok(json!({
        "tags": tags,
        "total": items.len(),
        "next_offset": next,
        "previous_offset": previous,
    })))
}

/// `GET /v2/{project_id}/rocketmq/tags`: every key used in the project with its distinct
/// values, sorted; SDK paging.
pub fn project_tags(ctx: &Ctx<'_>, req: &Req, project: &str) -> Result<Resp, DmsError> {
    ctx.project(project)?;
    let limit = req.limit(10, 50)?;
    let offset = req.offset()?;
    let mut keys: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (_, doc) in ctx.docs.list(INSTANCE, project)? {
        for (key, value) in current(&doc) {
            keys.entry(key).or_default().insert(value);
        }
    }
    let items: Vec<Value> = keys
        .into_iter()
        .map(|(key, values)| json!({"key": key, "values": values}))
        .collect();
    let (tags, next, previous) = page(&items, offset, limit);
    Ok(Resp::ok(json!({
        "tags": tags,
        "total": items.len(),
        "next_offset": next,
        "previous_offset": previous,
    })))
}
