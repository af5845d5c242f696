//! Consumer groups (API reference §5.2.1–§5.2.6 and the historical §8.2.2–§8.2.5): list with
//! quotas and online state, create, batch delete, batch update, show, update and delete, with
//! the rules of the API reference (`retry_max_time` 1–16, `group_desc` ≤ 200 characters,
//! `brokers` for 4.8.0 only, `consume_orderly` for 5.x only).
//!
//! Documents: kind `group`, scope = instance id, id = group name. The body is the SDK
//! `ConsumerGroup`/`ShowGroupResponse` shape: `name`, `enabled`, `broadcast`, `brokers`,
//! `group_desc`, `retry_max_time`, `created_at` (Unix ms), `permissions`, `consume_orderly`.
//! `group_online` and `topic_subscription_count` come from the message plane when answering.
//! The plane reads `retry_max_time` and `enabled`. §5.2.7–§5.2.9 belong to the plane.

mod write;

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::context::{Ctx, Req, Resp, Routed, is_engine, neighbours};
use super::error::DmsError;
use super::instances::facts::{self, broker_names, is_5x};
use super::names::{self, boolean, integer, string, strings};
use super::plane;
use super::store::Page;

/// The document kind of consumer groups (scope: instance id, id: group name).
pub const GROUP: &str = "group";

/// The longest `group_desc` (API reference).
const MAX_DESC: usize = 200;

/// Routes §5.2.1–§5.2.6 and §8.2.2–§8.2.5.
pub fn route(ctx: &mut Ctx<'_>, req: &Req, segments: &[&str]) -> Routed {
    let method = req.method.as_str();
    match segments {
        ["v2", project, "instances", instance_id, "groups"] => Some(match method {
            "GET" => list(ctx, req, project, instance_id, false),
            "POST" => write::create_or_batch_delete(ctx, req, project, instance_id),
            "PUT" => write::batch_update(ctx, req, project, instance_id),
            _ => Err(DmsError::bad_method()),
        }),
        ["v2", project, "instances", instance_id, "groups", group] => Some(match method {
            "GET" => show(ctx, project, instance_id, group),
            "PUT" => write::update(ctx, req, project, instance_id, group, 204),
            "DELETE" => write::delete(ctx, project, instance_id, group, 204),
            _ => Err(DmsError::bad_method()),
        }),
        ["v2", engine, project, "instances", instance_id, "groups"] if is_engine(engine) => {
            Some(match method {
                "GET" => list(ctx, req, project, instance_id, true),
                "PUT" => write::batch_update(ctx, req, project, instance_id),
                _ => Err(DmsError::bad_method()),
            })
        }
        [
            "v2",
            engine,
            project,
            "instances",
            instance_id,
            "groups",
            group,
        ] if is_engine(engine) => Some(match method {
            "PUT" => write::update(ctx, req, project, instance_id, group, 200),
            "DELETE" => write::delete(ctx, project, instance_id, group, 200),
            _ => Err(DmsError::bad_method()),
        }),
        _ => None,
    }
}

/// The group `name` of an instance, or 404 `DMS.10240405`.
pub fn load(ctx: &Ctx<'_>, instance_id: &str, name: &str) -> Result<Value, DmsError> {
    ctx.docs
        .get(GROUP, instance_id, name)?
        .ok_or_else(|| DmsError::of("DMS.10240405").detail(format!("No consumer group `{name}`.")))
}

/// The settable fields of a group found in a request body; `None` where absent.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct GroupFields {
    /// `enabled`.
    pub enabled: Option<bool>,
    /// `broadcast`.
    pub broadcast: Option<bool>,
    /// `retry_max_time`, 1–16.
    pub retry_max_time: Option<i64>,
    /// `brokers` (4.8.0 only; each one of the instance's).
    pub brokers: Option<Vec<String>>,
    /// `consume_orderly` (5.x only).
    pub consume_orderly: Option<bool>,
    /// `group_desc`, at most 200 characters.
    pub group_desc: Option<String>,
}

impl GroupFields {
    /// Reads and checks the fields of `entry`; `at` prefixes field names in messages (e.g.
    /// `groups[0].`). `brokers` on a 5.x instance and `consume_orderly: true` on a 4.8.0 one
    /// are refused; an empty `brokers` counts as absent.
    pub fn read(entry: &Map<String, Value>, at: &str, instance: &Value) -> Result<Self, DmsError> {
        let field = |name: &str| format!("{at}{name}");
        let five = is_5x(instance);
        let brokers = match strings(entry.get("brokers"), &field("brokers"))? {
            Some(listed) if !listed.is_empty() => {
                if five {
                    return Err(DmsError::bad_body(format!(
                        "`{}` is for 4.8.0 instances only.",
                        field("brokers")
                    )));
                }
                let known = broker_names(instance);
                for (index, broker) in listed.iter().enumerate() {
                    if !known.contains(broker) {
                        return Err(DmsError::bad_body(format!(
                            "`{}` names broker `{broker}`, which this instance does not have (it has {}).",
                            field("brokers"),
                            known.join(", ")
                        )));
                    }
                    if listed[..index].contains(broker) {
                        return Err(DmsError::bad_body(format!(
                            "Broker `{broker}` appears twice in `{}`.",
                            field("brokers")
                        )));
                    }
                }
                Some(listed)
            }
            _ => None,
        };
        let consume_orderly = boolean(entry.get("consume_orderly"), &field("consume_orderly"))?;
        if consume_orderly == Some(true) && !five {
            return Err(DmsError::bad_body(format!(
                "`{}` is for 5.x instances only.",
                field("consume_orderly")
            )));
        }
        let group_desc = string(entry.get("group_desc"), &field("group_desc"))?;
        if let Some(text) = group_desc
            && text.chars().count() > MAX_DESC
        {
            return Err(DmsError::bad_body(format!(
                "`{}` has {} characters; at most {MAX_DESC} are allowed.",
                field("group_desc"),
                text.chars().count()
            )));
        }
        Ok(Self {
            enabled: boolean(entry.get("enabled"), &field("enabled"))?,
            broadcast: boolean(entry.get("broadcast"), &field("broadcast"))?,
            retry_max_time: integer(entry.get("retry_max_time"), &field("retry_max_time"), 1, 16)?,
            brokers,
            consume_orderly,
            group_desc: group_desc.map(str::to_owned),
        })
    }

    /// Writes the present fields into a group document.
    pub fn apply(&self, document: &mut Value) {
        if let Some(v) = self.enabled {
            document["enabled"] = json!(v);
        }
        if let Some(v) = self.broadcast {
            document["broadcast"] = json!(v);
        }
        if let Some(v) = self.retry_max_time {
            document["retry_max_time"] = json!(v);
        }
        if let Some(v) = &self.brokers {
            document["brokers"] = json!(v);
        }
        if let Some(v) = self.consume_orderly {
            document["consume_orderly"] = json!(v);
        }
        if let Some(v) = &self.group_desc {
            document["group_desc"] = json!(v);
        }
    }
}

/// A new group's document with the defaults (enabled, not broadcast, 16 retries, every
/// broker on 4.8.0 and none on 5.x, not orderly, no description) changed by `fields`.
pub fn document(instance: &Value, name: &str, fields: &GroupFields, created_at: i64) -> Value {
    let brokers = if is_5x(instance) {
        Vec::new()
    } else {
        broker_names(instance)
    };
    let mut body = json!({
        "name": name,
        "enabled": true,
        "broadcast": false,
        "brokers": brokers,
        "group_desc": "",
        "retry_max_time": 16,
        "created_at": created_at,
        "permissions": [],
        "consume_orderly": false,
    });
    fields.apply(&mut body);
    body
}

/// §5.2.1 / §8.2.2 `GET …/groups`: a page of groups (substring filter `group`; the historical
/// form also filters by a consumed `topic`) with the quota and the plane's online state.
///
/// The page is cut in SQL; the plane is asked only about the groups on it.
fn list(
    ctx: &mut Ctx<'_>,
    req: &Req,
    project: &str,
    instance_id: &str,
    historical: bool,
) -> Result<Resp, DmsError> {
    let instance = ctx.instance(project, instance_id)?;
    let limit = req.limit(10, 50)?;
    let offset = req.offset()?;
    let filter = req.q("group").unwrap_or("");
    let topic = if historical {
        req.q("topic").filter(|t| !t.is_empty())
    } else {
        None
    };
    let page = match topic {
        None => ctx.docs.page(GROUP, instance_id, filter, offset, limit)?,
        Some(topic) => consumers_page(ctx, instance_id, filter, topic, offset, limit)?,
    };
    let mut items = Vec::with_capacity(page.items.len());
    for (name, document) in &page.items {
        let mut item = names::public(document);
        let (online, subscriptions) = plane::group_summary(ctx, instance_id, name)?;
        item["group_online"] = json!(online);
        item["topic_subscription_count"] = json!(subscriptions);
        items.push(item);
    }
    let (max, _) = facts::quotas(&instance);
    let (next_offset, previous_offset) = neighbours(page.total, offset, limit);
    Ok(Resp::ok(json!({
        "total": page.total,
        "groups": items,
        "max": max,
        "remaining": (max - ctx.docs.count(GROUP, instance_id)?).max(0),
        "next_offset": next_offset,
        "previous_offset": previous_offset,
    })))
}

/// The page of groups whose name contains `filter` and that consume `topic` (the topics a
/// group's §5.2.7 list shows: those it has offsets on or its clients subscribe to; never a
/// retry or dead-letter topic).
fn consumers_page(
    ctx: &Ctx<'_>,
    instance_id: &str,
    filter: &str,
    topic: &str,
    offset: u32,
    limit: u32,
) -> Result<Page, DmsError> {
    let consumers: HashSet<String> = if plane::model::system_group(topic).is_some() {
        HashSet::new()
    } else {
        plane::offsets::consuming_groups(ctx, instance_id, topic)?
            .into_iter()
            .collect()
    };
    let matching: Vec<String> = ctx
        .docs
        .ids(GROUP, instance_id)?
        .into_iter()
        .filter(|name| name.contains(filter) && consumers.contains(name))
        .collect();
    let mut items = Vec::new();
    for name in matching.iter().skip(offset as usize).take(limit as usize) {
        items.push((name.clone(), load(ctx, instance_id, name)?));
    }
    Ok(Page {
        total: matching.len() as i64,
        items,
    })
}

/// §5.2.5 `GET …/groups/{group}`.
fn show(
    ctx: &mut Ctx<'_>,
    project: &str,
    instance_id: &str,
    group: &str,
) -> Result<Resp, DmsError> {
    ctx.instance(project, instance_id)?;
    let mut shown = names::public(&load(ctx, instance_id, group)?);
    let (online, _) = plane::group_summary(ctx, instance_id, group)?;
    shown["group_online"] = json!(online);
    Ok(Resp::ok(shown))
}
