//! Message traces (5.4.2): the records RocketMQ's trace hooks would write, and the query.
//!
//! **When tracing is on.** RocketMQ traces are a client feature; the emulator stands in for
//! the clients, so it decides per topic and per message: a topic is traced unless its
//! document says `"_emu": {"trace_enabled": false}`, and a message is traced unless it carries
//! RocketMQ's own switch, property `TRACE_ON` = `false`. Retry and dead-letter copies inherit
//! the flag of the original. A traced message gets a `Pub` record when stored, and a
//! `SubBefore`/`SubAfter` pair (same `request_id`) at each delivery to a consumer group.
//! Records carry the producer-side id (`UNIQ_KEY`) as `msg_id` and the delivered copy's
//! offset id as `offset_msg_id`; a query by either kind of id returns the message's whole
//! history. Answers use the SDK's object form `{"trace": [...], "total", "next_offset",
//! "previous_offset"}`, not the API reference example's bare array.

use rand::Rng;
use rusqlite::{OptionalExtension, params};
use serde_json::{Value, json};

use super::model::{StoredMessage, bad_param};
use crate::emulator::context::{Ctx, Req, Resp};
use crate::emulator::error::DmsError;

/// One step to record.
#[derive(Debug, Clone)]
pub struct Step<'a> {
    /// `Pub`, `SubBefore` or `SubAfter`.
    pub trace_type: &'static str,
    /// When the step happened, epoch ms.
    pub timestamp: i64,
    /// Producer or consumer group.
    pub group_name: &'a str,
    /// Duration in ms.
    pub cost_time: i64,
    /// Whether the step succeeded.
    pub success: bool,
    /// 0 consumed, 1 timeout, 2 exception, 3 returned null, 5 failed (S7).
    pub consume_status: i64,
    /// Shared by a `SubBefore`/`SubAfter` pair.
    pub request_id: &'a str,
    /// The client's IP address.
    pub client_host: &'a str,
    /// Deliveries before this one.
    pub retry_times: i64,
}

/// A random request id, 32 upper-case hexadecimal characters.
pub fn request_id(ctx: &mut Ctx<'_>) -> String {
    let bytes: [u8; 16] = ctx.rng.random();
    hex::encode_upper(bytes)
}

/// Writes one trace record for `message` (its original topic and `UNIQ_KEY`).
pub fn record(
    ctx: &Ctx<'_>,
    instance_id: &str,
    message: &StoredMessage,
    msg_type: &str,
    step: &Step<'_>,
) -> Result<(), DmsError> {
    let record = json!({
        "success": step.success,
        "trace_type": step.trace_type,
        "timestamp": step.timestamp,
        "group_name": step.group_name,
        "cost_time": step.cost_time,
        "request_id": step.request_id,
        "consume_status": step.consume_status,
        "topic": message.original_topic(),
        "msg_id": message.uniq_key,
        "offset_msg_id": message.msg_id,
        "tags": message.tags,
        "keys": message.keys,
        "store_host": message.store_host,
        "client_host": step.client_host,
        "retry_times": step.retry_times,
        "body_length": message.body.len(),
        "msg_type": msg_type,
        "transaction_state": null,
        "transaction_id": null,
        "from_transaction_check": false,
    });
    ctx.tx
        .prepare_cached(
            "INSERT INTO plane_traces (instance, topic, msg_id, offset_msg_id, ts, record) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            instance_id,
            message.original_topic(),
            message.uniq_key,
            message.msg_id,
            step.timestamp,
            record.to_string()
        ])?;
    Ok(())
}

/// The `UNIQ_KEY` a message id stands for: itself, or the producer id of the message (or
/// trace record) whose offset id it is.
fn resolve(ctx: &Ctx<'_>, instance_id: &str, id: &str) -> Result<String, DmsError> {
    let wanted = id.trim().to_ascii_uppercase();
    let from_trace: Option<String> = ctx
        .tx
        .prepare_cached(
            "SELECT msg_id FROM plane_traces WHERE instance = ?1 AND offset_msg_id = ?2 LIMIT 1",
        )?
        .query_row(params![instance_id, wanted], |row| row.get(0))
        .optional()?;
    if let Some(uniq) = from_trace {
        return Ok(uniq);
    }
    let from_message: Option<String> = ctx
        .tx
        .prepare_cached(
            "SELECT uniq_key FROM plane_messages WHERE instance = ?1 AND msg_id = ?2 LIMIT 1",
        )?
        .query_row(params![instance_id, wanted], |row| row.get(0))
        .optional()?;
    Ok(from_message.unwrap_or(wanted))
}

/// The trace records of a message, oldest first, one page.
pub fn list(
    ctx: &Ctx<'_>,
    instance_id: &str,
    msg_id: &str,
    limit: u32,
    offset: u32,
) -> Result<Value, DmsError> {
    let uniq = resolve(ctx, instance_id, msg_id)?;
    let total: i64 = ctx
        .tx
        .prepare_cached("SELECT COUNT(*) FROM plane_traces WHERE instance = ?1 AND msg_id = ?2")?
        .query_row(params![instance_id, uniq], |row| row.get(0))?;
    let mut statement = ctx.tx.prepare_cached(
        "SELECT record FROM plane_traces WHERE instance = ?1 AND msg_id = ?2 \
         ORDER BY ts, id LIMIT ?3 OFFSET ?4",
    )?;
    let records = statement
        .query_map(params![instance_id, uniq, limit, offset], |row| {
            row.get::<_, String>(0)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let trace: Vec<Value> = records
        .iter()
        .filter_map(|text| serde_json::from_str(text).ok())
        .collect();
    let end = offset as i64 + trace.len() as i64;
    Ok(json!({
        "trace": trace,
        "total": total,
        "next_offset": if end < total { end } else { -1 },
        "previous_offset": if offset > 0 { (offset as i64 - limit as i64).max(0) } else { -1 },
    }))
}

/// GET …/trace (5.4.2, `list_message_trace`, and its `/rocketmq/` twin).
pub fn handle(ctx: &mut Ctx<'_>, req: &Req, instance_id: &str) -> Result<Resp, DmsError> {
    let msg_id = req.q("msg_id").map(str::trim).unwrap_or_default();
    if msg_id.is_empty() {
        return Err(bad_param(
            "msg_id is required: the message id (UNIQ_KEY or offset id) whose trace is wanted.",
        ));
    }
    let limit = req.limit(10, 50)?;
    let offset = req.offset()?;
    Ok(Resp::ok(list(ctx, instance_id, msg_id, limit, offset)?))
}
