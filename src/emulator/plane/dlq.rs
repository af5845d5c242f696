//! Dead letters and direct delivery: 5.4.3 export, 5.4.4 resend (and its `/rocketmq/` twin),
//! 5.4.5 consumption verification (and its twin).
//!
//! * Export answers a top-level array of `Message` (the catalogue's recommendation), each
//!   reporting the `%DLQ%` topic it is stored in and carrying `RETRY_TOPIC`/`ORIGIN_MESSAGE_ID`;
//!   ids in `msg_id_list` match offset ids or `UNIQ_KEY`s, `uniq_key_list` only `UNIQ_KEY`s,
//!   and a message matching either list is exported once. Without `topic`, every dead-letter
//!   topic of the instance is searched.
//! * Resend copies each dead letter into its group's `%RETRY%` topic with a fresh retry budget
//!   (`reconsume_times` 0), so the group consumes it again; the dead letter itself stays.
//! * Verification hands messages straight to one online client of the group (RocketMQ's
//!   "consume message directly"): it writes delivery traces and leaves offsets alone. An
//!   unknown group is a 404 `DMS.10240405`; a group or client that is offline gets
//!   `DMS.50050004` per message.
//!
//! Both answer 200 with one `{msg_id, error_code, error_message}` per requested id, in request
//! order; success is `DMS.00000000` / `Success.`.

use rand::Rng;
use serde_json::{Map, Value, json};

use super::appender::{Appender, Draft};
use super::clients;
use super::consume::record_pair;
use super::model::{self, DLQ_PREFIX, RETRY_PREFIX, StoredMessage, bad_param};
use super::trace;
use crate::emulator::context::{Ctx, Req, Resp};
use crate::emulator::error::DmsError;
use crate::emulator::instances::facts;

fn optional_string(body: &Map<String, Value>, name: &str) -> Result<Option<String>, DmsError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.trim().is_empty() => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.trim().to_owned())),
        Some(other) => Err(DmsError::bad_body(format!(
            "`{name}` must be a string, got `{other}`."
        ))),
    }
}

fn string_list(body: &Map<String, Value>, name: &str) -> Result<Vec<String>, DmsError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str().map(str::to_owned).ok_or_else(|| {
                    DmsError::bad_body(format!("`{name}` must hold strings, got `{item}`."))
                })
            })
            .collect(),
        Some(other) => Err(DmsError::bad_body(format!(
            "`{name}` must be an array of strings, got `{other}`."
        ))),
    }
}

fn result(msg_id: &str, error: Option<DmsError>) -> Value {
    match error {
        None => {
            json!({"msg_id": msg_id, "error_code": "DMS.00000000", "error_message": "Success."})
        }
        Some(e) => json!({"msg_id": msg_id, "error_code": e.code, "error_message": e.message}),
    }
}

/// Dead letters with id `id` (offset id or `UNIQ_KEY`), in `topic` or any `%DLQ%` topic.
fn dead_letters(
    ctx: &Ctx<'_>,
    instance_id: &str,
    topic: Option<&str>,
    id: &str,
) -> Result<Vec<StoredMessage>, DmsError> {
    let mut found = model::find_by_id(ctx, instance_id, topic, id)?;
    found.retain(|m| m.topic.starts_with(DLQ_PREFIX));
    Ok(found)
}

/// The `topic` of a dead-letter request: absent, or an existing `%DLQ%{group}` topic.
fn dlq_topic(
    ctx: &Ctx<'_>,
    instance: &Value,
    instance_id: &str,
    body: &Map<String, Value>,
) -> Result<Option<String>, DmsError> {
    let Some(topic) = optional_string(body, "topic")? else {
        return Ok(None);
    };
    if !topic.starts_with(DLQ_PREFIX) {
        return Err(bad_param(format!(
            "topic `{topic}` is not a dead-letter topic; they are named %DLQ%{{group}}."
        )));
    }
    model::topic(ctx, instance_id, instance, &topic)?;
    Ok(Some(topic))
}

/// POST /v2/{project_id}/instances/{instance_id}/messages/export (5.4.3).
pub fn handle_export(
    ctx: &mut Ctx<'_>,
    req: &Req,
    instance: &Value,
    instance_id: &str,
) -> Result<Resp, DmsError> {
    let body = req.json()?;
    let topic = dlq_topic(ctx, instance, instance_id, &body)?;
    let msg_ids = string_list(&body, "msg_id_list")?;
    let uniq_keys = string_list(&body, "uniq_key_list")?;
    let mut found: Vec<StoredMessage> = Vec::new();
    for id in &msg_ids {
        found.extend(dead_letters(ctx, instance_id, topic.as_deref(), id)?);
    }
    for key in &uniq_keys {
        let wanted = key.trim().to_ascii_uppercase();
        found.extend(
            dead_letters(ctx, instance_id, topic.as_deref(), key)?
                .into_iter()
                .filter(|m| m.uniq_key == wanted),
        );
    }
    found.sort_by_key(|m| m.id);
    found.dedup_by_key(|m| m.id);
    Ok(Resp::ok(Value::Array(
        found.iter().map(|m| m.to_wire(instance_id)).collect(),
    )))
}

/// Copies dead letter `message` into its group's retry topic for another round of delivery.
fn redeliver(
    ctx: &mut Ctx<'_>,
    instance: &Value,
    instance_id: &str,
    message: &StoredMessage,
) -> Result<(), DmsError> {
    let group = model::system_group(&message.topic).unwrap_or_default();
    model::group(ctx, instance_id, group)?;
    let retry = model::topic(
        ctx,
        instance_id,
        instance,
        &format!("{RETRY_PREFIX}{group}"),
    )?;
    let mut appender = Appender::open(ctx, instance_id, retry)?;
    appender.append(
        ctx,
        Draft {
            body: message.body.clone(),
            keys: message.keys.clone(),
            tags: message.tags.clone(),
            properties: message.properties.clone(),
            uniq_key: message.uniq_key.clone(),
            born_ms: Some(message.born_ms),
            store_ms: None,
            born_host: message.born_host.clone(),
            reconsume_times: 0,
            origin_topic: Some(message.original_topic().to_owned()),
            origin_msg_id: message.origin_msg_id.clone(),
            traced: message.traced,
            pub_trace_group: None,
        },
    )?;
    appender.finish(ctx)
}

/// POST …/messages/deadletter-resend (5.4.4).
pub fn handle_resend(
    ctx: &mut Ctx<'_>,
    req: &Req,
    instance: &Value,
    instance_id: &str,
) -> Result<Resp, DmsError> {
    let body = req.json()?;
    let topic = dlq_topic(ctx, instance, instance_id, &body)?;
    let ids = string_list(&body, "msg_id_list")?;
    facts::require_serving(instance)?;
    let mut results = Vec::with_capacity(ids.len());
    for id in &ids {
        let found = dead_letters(ctx, instance_id, topic.as_deref(), id)?;
        let outcome = match found.last() {
            None => Err(bad_param(format!(
                "No dead-letter message `{id}` in {}.",
                topic
                    .as_deref()
                    .unwrap_or("the instance's dead-letter topics")
            ))),
            Some(message) => redeliver(ctx, instance, instance_id, message),
        };
        results.push(result(id, outcome.err()));
    }
    Ok(Resp::ok(json!({ "resend_results": results })))
}

/// POST …/messages/resend (5.4.5, consumption verification).
pub fn handle_verify(
    ctx: &mut Ctx<'_>,
    req: &Req,
    instance: &Value,
    instance_id: &str,
) -> Result<Resp, DmsError> {
    let body = req.json()?;
    let group = optional_string(&body, "group")?.ok_or_else(|| bad_param("group is required."))?;
    let client_id =
        optional_string(&body, "client_id")?.ok_or_else(|| bad_param("client_id is required."))?;
    let topic = optional_string(&body, "topic")?;
    let ids = string_list(&body, "msg_id_list")?;
    facts::require_serving(instance)?;
    model::group(ctx, instance_id, &group)?;
    if let Some(topic) = &topic {
        model::topic(ctx, instance_id, instance, topic)?;
    }
    let online = clients::clients(ctx, instance_id, &group)?;
    let client = online.iter().find(|c| c.client_id == client_id).cloned();
    let mut results = Vec::with_capacity(ids.len());
    for id in &ids {
        let Some(client) = &client else {
            let why = if online.is_empty() {
                format!("Group `{group}` has no online client.")
            } else {
                format!("Client `{client_id}` is not online in group `{group}`.")
            };
            results.push(result(id, Some(DmsError::of("DMS.50050004").detail(why))));
            continue;
        };
        let found = model::find_by_id(ctx, instance_id, topic.as_deref(), id)?;
        let Some(message) = found.first() else {
            results.push(result(
                id,
                Some(bad_param(format!("No message `{id}` on this instance."))),
            ));
            continue;
        };
        if message.traced {
            let msg_type = model::topic(ctx, instance_id, instance, message.original_topic())
                .map(|t| t.msg_type)
                .unwrap_or("Normal_Msg");
            let cost = ctx.rng.random_range(2..60);
            let request_id = trace::request_id(ctx);
            record_pair(
                ctx,
                instance_id,
                &group,
                message,
                msg_type,
                &request_id,
                client.ip(),
                cost,
                false,
            )?;
        }
        results.push(result(id, None));
    }
    Ok(Resp::ok(json!({ "resend_results": results })))
}
