//! Message query (5.4.1 `list_messages` and its `/rocketmq/` twin): by `msg_id`, by `key`
//! within a time range, or by time range alone (S6).
//!
//! Rules: `topic` is required (`DMS.00400800`) and must exist (`DMS.00400876`; a group's
//! `%RETRY%`/`%DLQ%` topic counts). `msg_id` matches the offset id or the `UNIQ_KEY`, any
//! case, and ignores the time range. `start_time`/`end_time` are epoch milliseconds, given
//! together, start ≤ end (`DMS.00400142` otherwise); a query with neither searches the whole
//! retention window, as the reference's own example does. `limit` is 1–50 (default 10),
//! `offset` ≥ 0, `queue` (SDK only) a queue id. Matches come oldest first (store time, then
//! arrival); `total` counts them before paging. Pages are an index range scan on
//! `(instance, topic, store_ms)` (or on the key table), then point reads of the page's rows.

use rusqlite::params;
use serde_json::{Value, json};

use super::model::{self, COLUMNS, StoredMessage, bad_param};
use crate::emulator::context::{Ctx, Req, Resp};
use crate::emulator::error::DmsError;
use crate::emulator::instances::facts;

/// A parsed 5.4.1 query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageQuery {
    /// The topic.
    pub topic: String,
    /// Exact id (offset id or `UNIQ_KEY`).
    pub msg_id: Option<String>,
    /// A message key.
    pub key: Option<String>,
    /// Inclusive time window, epoch ms.
    pub start_ms: i64,
    /// Inclusive end of the window.
    pub end_ms: i64,
    /// Only this queue id.
    pub queue: Option<i64>,
    /// Page size.
    pub limit: u32,
    /// Page start.
    pub offset: u32,
}

fn millis(name: &str, text: &str) -> Result<i64, DmsError> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DmsError::of("DMS.00400142").detail(format!(
            "{name} `{text}` must be epoch milliseconds (digits only)."
        )));
    }
    text.parse().map_err(|_| {
        DmsError::of("DMS.00400142").detail(format!("{name} `{text}` is out of range."))
    })
}

impl MessageQuery {
    /// Reads and checks the query string.
    pub fn parse(req: &Req) -> Result<Self, DmsError> {
        let topic = req.q("topic").map(str::trim).unwrap_or_default();
        if topic.is_empty() {
            return Err(bad_param("topic is required."));
        }
        let msg_id = match req.q("msg_id") {
            None => None,
            Some(text) if text.trim().is_empty() => {
                return Err(bad_param(
                    "msg_id is empty: give a message id, or leave msg_id out and give a time range.",
                ));
            }
            Some(text) => Some(text.trim().to_owned()),
        };
        let key = req
            .q("key")
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(str::to_owned);
        let start = req.q("start_time").filter(|t| !t.trim().is_empty());
        let end = req.q("end_time").filter(|t| !t.trim().is_empty());
        let (start_ms, end_ms) = match (start, end) {
            (Some(start), Some(end)) => {
                let (start_ms, end_ms) = (millis("start_time", start)?, millis("end_time", end)?);
                if start_ms > end_ms {
                    return Err(DmsError::of("DMS.00400142")
                        .detail(format!("start_time {start_ms} is after end_time {end_ms}.")));
                }
                (start_ms, end_ms)
            }
            (None, None) => (0, i64::MAX),
            _ if msg_id.is_some() => (0, i64::MAX),
            _ => {
                return Err(DmsError::of("DMS.00400142")
                    .detail("start_time and end_time must be given together."));
            }
        };
        let queue = match req.q("queue").map(str::trim).filter(|q| !q.is_empty()) {
            None => None,
            Some(text) => Some(
                text.parse::<i64>()
                    .ok()
                    .filter(|q| *q >= 0)
                    .ok_or_else(|| bad_param(format!("queue `{text}` must be a queue id.")))?,
            ),
        };
        Ok(Self {
            topic: topic.to_owned(),
            msg_id,
            key,
            start_ms,
            end_ms,
            queue,
            limit: req.limit(10, 50)?,
            offset: req.offset()?,
        })
    }
}

fn ids(ctx: &Ctx<'_>, sql: &str, args: &[&dyn rusqlite::ToSql]) -> Result<Vec<i64>, DmsError> {
    let mut statement = ctx.tx.prepare_cached(sql)?;
    let rows = statement.query_map(args, |row| row.get::<_, i64>(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn count(ctx: &Ctx<'_>, sql: &str, args: &[&dyn rusqlite::ToSql]) -> Result<i64, DmsError> {
    Ok(ctx
        .tx
        .prepare_cached(sql)?
        .query_row(args, |row| row.get(0))?)
}

/// Runs `query` on the instance's messages: `(page, total)`. The topic must already be
/// resolved (see [`handle`]).
pub fn search(
    ctx: &Ctx<'_>,
    instance_id: &str,
    query: &MessageQuery,
) -> Result<(Vec<StoredMessage>, i64), DmsError> {
    if let Some(msg_id) = &query.msg_id {
        let mut found = model::find_by_id(ctx, instance_id, Some(&query.topic), msg_id)?;
        if let Some(queue) = query.queue {
            found.retain(|m| m.queue_id == queue);
        }
        let total = found.len() as i64;
        let page = found
            .into_iter()
            .skip(query.offset as usize)
            .take(query.limit as usize)
            .collect();
        return Ok((page, total));
    }
    let (limit, offset) = (query.limit as i64, query.offset as i64);
    let mut args: Vec<&dyn rusqlite::ToSql> =
        vec![&instance_id, &query.topic, &query.start_ms, &query.end_ms];
    // Without a queue filter every clause is on an index's columns, so counting and skipping
    // never read the table.
    let (filter, id, order) = match &query.key {
        Some(key) => {
            args.push(key);
            let mut filter = "FROM plane_message_keys k WHERE k.instance = ?1 AND k.topic = ?2 \
                 AND k.store_ms BETWEEN ?3 AND ?4 AND k.key = ?5"
                .to_owned();
            if let Some(queue) = &query.queue {
                args.push(queue);
                filter.push_str(
                    " AND EXISTS (SELECT 1 FROM plane_messages m WHERE m.id = k.message AND m.queue_id = ?6)",
                );
            }
            (filter, "k.message", "k.store_ms, k.message")
        }
        None => {
            let mut filter = "FROM plane_messages WHERE instance = ?1 AND topic = ?2 \
                 AND store_ms BETWEEN ?3 AND ?4"
                .to_owned();
            if let Some(queue) = &query.queue {
                args.push(queue);
                filter.push_str(" AND queue_id = ?5");
            }
            (filter, "id", "store_ms, id")
        }
    };
    let unbounded = query.start_ms == 0 && query.end_ms == i64::MAX;
    let total = if unbounded && query.key.is_none() && query.queue.is_none() {
        // Retention only ever removes a prefix of a queue, so every queue holds exactly the
        // offsets `min..max`: the whole topic is counted from its queue rows, not its messages.
        count(
            ctx,
            "SELECT COALESCE(SUM(max_offset - min_offset), 0) FROM plane_queues \
             WHERE instance = ?1 AND topic = ?2",
            &[&instance_id, &query.topic],
        )?
    } else {
        count(ctx, &format!("SELECT COUNT(*) {filter}"), &args)?
    };
    let page_ids = ids(
        ctx,
        &format!("SELECT {id} {filter} ORDER BY {order} LIMIT {limit} OFFSET {offset}"),
        &args,
    )?;
    let mut statement = ctx.tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM plane_messages WHERE id = ?1"
    ))?;
    let mut page = Vec::with_capacity(page_ids.len());
    for id in page_ids {
        page.push(statement.query_row(params![id], StoredMessage::from_row)?);
    }
    Ok((page, total))
}

/// The 5.4.1 answer for `query`: `{"messages": [Message…], "total": n}`.
pub fn list_messages(
    ctx: &Ctx<'_>,
    instance_id: &str,
    query: &MessageQuery,
) -> Result<Value, DmsError> {
    let instance = facts::find(ctx, instance_id)?;
    model::topic(ctx, instance_id, &instance, &query.topic)?;
    let (page, total) = search(ctx, instance_id, query)?;
    let messages: Vec<Value> = page.iter().map(|m| m.to_wire(instance_id)).collect();
    Ok(json!({ "messages": messages, "total": total }))
}

/// GET …/messages (5.4.1).
pub fn handle(ctx: &mut Ctx<'_>, req: &Req, instance_id: &str) -> Result<Resp, DmsError> {
    let query = MessageQuery::parse(req)?;
    Ok(Resp::ok(list_messages(ctx, instance_id, &query)?))
}
