//! Queue positions and consumer progress: per-queue min/max offsets, committed offsets per
//! (group, topic, queue), lag, queue allocation among a group's clients, and the endpoints
//! built on them: 5.2.7 consumer topics or details, 5.2.8 reset by timestamp (and its
//! `/rocketmq/` twin), 5.3.6 groups of a topic, 5.3.7 topic status.
//!
//! A queue's `max_offset` is the offset the next message will get and `min_offset` the oldest
//! one retention has kept. A group's effective offset on a queue is its committed offset, or
//! the queue's `min_offset` when it has none or retention removed what it had not consumed;
//! lag is `max_offset` minus that. The 5.3.7 topic-level `min_offset`/`max_offset` are the
//! sums over the queues, so `max − min` is the number of stored messages.

use std::collections::{BTreeSet, HashMap};

use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value, json};

use super::clients::{self, ClientInfo};
use super::model::{self, TopicInfo, bad_param};
use crate::emulator::context::{Ctx, Req, Resp, page};
use crate::emulator::error::DmsError;
use crate::emulator::instances::facts;

/// One queue of a topic with its positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueView {
    /// Broker name.
    pub broker: String,
    /// Queue id on the broker.
    pub queue_id: i64,
    /// Oldest kept offset.
    pub min: i64,
    /// Next offset to be written.
    pub max: i64,
    /// Store time of the newest message (0 when none).
    pub last_store_ms: i64,
}

/// The queues of `topic`: those of its layout and any that hold messages, by broker then id.
pub fn queues(
    ctx: &Ctx<'_>,
    instance_id: &str,
    topic: &TopicInfo,
) -> Result<Vec<QueueView>, DmsError> {
    let mut stored: HashMap<(String, i64), QueueView> = HashMap::new();
    let mut statement = ctx.tx.prepare_cached(
        "SELECT broker, queue_id, min_offset, max_offset, last_store_ms FROM plane_queues \
         WHERE instance = ?1 AND topic = ?2",
    )?;
    let rows = statement.query_map(params![instance_id, topic.name], |row| {
        Ok(QueueView {
            broker: row.get(0)?,
            queue_id: row.get(1)?,
            min: row.get(2)?,
            max: row.get(3)?,
            last_store_ms: row.get(4)?,
        })
    })?;
    for row in rows {
        let view = row?;
        stored.insert((view.broker.clone(), view.queue_id), view);
    }
    let mut out = Vec::new();
    for slot in &topic.layout {
        let configured = slot.read.max(slot.write);
        let extra = stored
            .keys()
            .filter(|(b, q)| *b == slot.broker && *q >= configured)
            .map(|(_, q)| *q + 1)
            .max()
            .unwrap_or(0);
        for queue_id in 0..configured.max(extra) {
            out.push(
                stored
                    .remove(&(slot.broker.clone(), queue_id))
                    .unwrap_or(QueueView {
                        broker: slot.broker.clone(),
                        queue_id,
                        min: 0,
                        max: 0,
                        last_store_ms: 0,
                    }),
            );
        }
    }
    // Queues of brokers the layout no longer names still hold messages.
    let mut rest: Vec<QueueView> = stored.into_values().collect();
    rest.sort_by(|a, b| (&a.broker, a.queue_id).cmp(&(&b.broker, b.queue_id)));
    out.extend(rest);
    Ok(out)
}

/// The committed offsets of `group` on `topic`, by (broker, queue id).
pub fn committed(
    ctx: &Ctx<'_>,
    instance_id: &str,
    group: &str,
    topic: &str,
) -> Result<HashMap<(String, i64), i64>, DmsError> {
    let mut statement = ctx.tx.prepare_cached(
        "SELECT broker, queue_id, committed FROM plane_consumer_offsets \
         WHERE instance = ?1 AND grp = ?2 AND topic = ?3",
    )?;
    let rows = statement.query_map(params![instance_id, group, topic], |row| {
        Ok(((row.get(0)?, row.get(1)?), row.get(2)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<HashMap<_, _>>>()?)
}

/// Commits `offset` for `group` on one queue.
pub fn commit(
    ctx: &Ctx<'_>,
    instance_id: &str,
    group: &str,
    topic: &str,
    queue: (&str, i64),
    offset: i64,
) -> Result<(), DmsError> {
    ctx.tx
        .prepare_cached(
            "INSERT INTO plane_consumer_offsets (instance, grp, topic, broker, queue_id, committed, \
             updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
             ON CONFLICT (instance, grp, topic, broker, queue_id) DO UPDATE SET \
             committed = excluded.committed, updated_ms = excluded.updated_ms",
        )?
        .execute(params![
            instance_id,
            group,
            topic,
            queue.0,
            queue.1,
            offset,
            ctx.now_ms
        ])?;
    Ok(())
}

/// Starts queues of `topic` where a long history left them: each `(broker, queue id, offset)`
/// as if `offset` messages had been stored there, the last at `last_store_ms`, and retention
/// had removed them all. For demo data; queues that already exist are left alone.
pub fn start_history(
    ctx: &Ctx<'_>,
    instance_id: &str,
    topic: &str,
    queues: &[(String, i64, i64)],
    last_store_ms: i64,
) -> Result<(), DmsError> {
    let mut statement = ctx.tx.prepare_cached(
        "INSERT INTO plane_queues (instance, topic, broker, queue_id, min_offset, max_offset, \
         last_store_ms, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, 0) \
         ON CONFLICT (instance, topic, broker, queue_id) DO NOTHING",
    )?;
    for (broker, queue_id, offset) in queues {
        statement.execute(params![
            instance_id,
            topic,
            broker,
            queue_id,
            offset,
            last_store_ms
        ])?;
    }
    Ok(())
}

/// Moves a broker's commit-log position to `offset` when it is behind (demo data with a
/// history: offset message ids then look like those of a long-running broker).
pub fn start_commit_log(
    ctx: &Ctx<'_>,
    instance_id: &str,
    broker: &str,
    offset: i64,
) -> Result<(), DmsError> {
    ctx.tx
        .prepare_cached(
            "INSERT INTO plane_brokers (instance, broker, commit_offset) VALUES (?1, ?2, ?3) \
             ON CONFLICT (instance, broker) DO UPDATE SET \
             commit_offset = MAX(commit_offset, excluded.commit_offset)",
        )?
        .execute(params![instance_id, broker, offset])?;
    Ok(())
}

/// The stored queues of `topic` as `(broker, queue id, min offset, max offset)`, by broker
/// and queue id.
pub fn queue_offsets(
    ctx: &Ctx<'_>,
    instance_id: &str,
    topic: &str,
) -> Result<Vec<(String, i64, i64, i64)>, DmsError> {
    let mut statement = ctx.tx.prepare_cached(
        "SELECT broker, queue_id, min_offset, max_offset FROM plane_queues \
         WHERE instance = ?1 AND topic = ?2 ORDER BY broker, queue_id",
    )?;
    let rows = statement.query_map(params![instance_id, topic], |row| {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The effective consumer offset on a queue.
pub fn effective(view: &QueueView, committed: Option<i64>) -> i64 {
    committed
        .unwrap_or(view.min)
        .clamp(view.min, view.max.max(view.min))
}

/// The store time of the message at `offset` of a queue, if it is still stored.
pub fn store_ms_at(
    ctx: &Ctx<'_>,
    instance_id: &str,
    topic: &str,
    view: &QueueView,
    offset: i64,
) -> Result<Option<i64>, DmsError> {
    Ok(ctx
        .tx
        .prepare_cached(
            "SELECT store_ms FROM plane_messages WHERE instance = ?1 AND topic = ?2 \
             AND broker = ?3 AND queue_id = ?4 AND queue_offset = ?5",
        )?
        .query_row(
            params![instance_id, topic, view.broker, view.queue_id, offset],
            |row| row.get(0),
        )
        .optional()?)
}

/// The first offset of a queue whose message was stored at or after `timestamp` (the queue's
/// `max_offset` when none was). Store times never go back within a queue, so this is a binary
/// search of point reads.
pub fn offset_for_time(
    ctx: &Ctx<'_>,
    instance_id: &str,
    topic: &str,
    view: &QueueView,
    timestamp: i64,
) -> Result<i64, DmsError> {
    let (mut low, mut high) = (view.min, view.max);
    while low < high {
        let middle = low + (high - low) / 2;
        match store_ms_at(ctx, instance_id, topic, view, middle)? {
            Some(stored) if stored < timestamp => low = middle + 1,
            Some(_) => high = middle,
            // A hole (never expected) counts as old.
            None => low = middle + 1,
        }
    }
    Ok(low)
}

/// RocketMQ's `AllocateMessageQueueAveragely`: which client of `clients` (those subscribing
/// to `topic`) consumes each queue.
pub fn allocate(
    clients: &[ClientInfo],
    topic: &str,
    queues: &[QueueView],
) -> HashMap<(String, i64), String> {
    let consumers: Vec<&ClientInfo> = clients
        .iter()
        .filter(|c| c.subscriptions.iter().any(|s| s.topic == topic))
        .collect();
    let mut out = HashMap::new();
    let (n, m) = (consumers.len(), queues.len());
    if n == 0 {
        return out;
    }
    for (index, client) in consumers.iter().enumerate() {
        let rest = m % n;
        let size = if m <= n {
            1
        } else if rest > 0 && index < rest {
            m / n + 1
        } else {
            m / n
        };
        let start = if rest > 0 && index < rest {
            index * size
        } else {
            index * size + rest
        };
        for queue in queues
            .iter()
            .skip(start)
            .take(size.min(m.saturating_sub(start)))
        {
            out.insert(
                (queue.broker.clone(), queue.queue_id),
                client.client_id.clone(),
            );
        }
    }
    out
}

/// The ordinary topics `group` consumes: those it has offsets on, or its clients subscribe to.
pub fn consumed_topics(
    ctx: &Ctx<'_>,
    instance_id: &str,
    group: &str,
) -> Result<Vec<String>, DmsError> {
    let online = clients::clients(ctx, instance_id, group)?;
    consumed_topics_of(ctx, instance_id, group, &online)
}

/// [`consumed_topics`] when the group's online clients are already at hand.
pub fn consumed_topics_of(
    ctx: &Ctx<'_>,
    instance_id: &str,
    group: &str,
    online: &[ClientInfo],
) -> Result<Vec<String>, DmsError> {
    let mut topics: BTreeSet<String> = online
        .iter()
        .flat_map(|c| c.subscriptions.iter().map(|s| s.topic.clone()))
        .filter(|t| model::system_group(t).is_none())
        .collect();
    let mut statement = ctx.tx.prepare_cached(
        "SELECT DISTINCT topic FROM plane_consumer_offsets WHERE instance = ?1 AND grp = ?2",
    )?;
    for topic in statement.query_map(params![instance_id, group], |row| row.get::<_, String>(0))? {
        let topic = topic?;
        if model::system_group(&topic).is_none() {
            topics.insert(topic);
        }
    }
    Ok(topics.into_iter().collect())
}

/// The existing groups consuming `topic`.
pub fn consuming_groups(
    ctx: &Ctx<'_>,
    instance_id: &str,
    topic: &str,
) -> Result<Vec<String>, DmsError> {
    let mut groups: BTreeSet<String> = clients::groups_subscribing(ctx, instance_id, topic)?
        .into_iter()
        .collect();
    let mut statement = ctx.tx.prepare_cached(
        "SELECT DISTINCT grp FROM plane_consumer_offsets WHERE instance = ?1 AND topic = ?2",
    )?;
    for group in statement.query_map(params![instance_id, topic], |row| row.get::<_, String>(0))? {
        groups.insert(group?);
    }
    let mut out = Vec::new();
    for group in groups {
        if ctx.docs.exists(model::GROUP, instance_id, &group)? {
            out.push(group);
        }
    }
    Ok(out)
}

/// The total lag of `group` on `topic`.
pub fn lag(
    ctx: &Ctx<'_>,
    instance_id: &str,
    group: &str,
    topic: &TopicInfo,
) -> Result<i64, DmsError> {
    let done = committed(ctx, instance_id, group, &topic.name)?;
    Ok(queues(ctx, instance_id, topic)?
        .iter()
        .map(|q| q.max - effective(q, done.get(&(q.broker.clone(), q.queue_id)).copied()))
        .sum())
}

fn grouped(views: Vec<(String, Value)>) -> Vec<Value> {
    let mut brokers: Vec<(String, Vec<Value>)> = Vec::new();
    for (broker, queue) in views {
        match brokers.iter_mut().find(|(name, _)| *name == broker) {
            Some((_, queues)) => queues.push(queue),
            None => brokers.push((broker, vec![queue])),
        }
    }
    brokers
        .into_iter()
        .map(|(broker, queues)| json!({"broker_name": broker, "queues": queues}))
        .collect()
}

/// GET …/groups/{group}/topics (5.2.7): the group's topics, or with `topic` its progress.
pub fn handle_group_topics(
    ctx: &mut Ctx<'_>,
    req: &Req,
    instance: &Value,
    instance_id: &str,
    group: &str,
) -> Result<Resp, DmsError> {
    let limit = req.limit(10, 50)?;
    let offset = req.offset()?;
    model::group(ctx, instance_id, group)?;
    let Some(topic_name) = req.q("topic").map(str::trim).filter(|t| !t.is_empty()) else {
        let topics = consumed_topics(ctx, instance_id, group)?;
        let (items, _, _) = page(&topics, offset, limit);
        return Ok(Resp::ok(json!({"topics": items, "total": topics.len()})));
    };
    let topic = model::topic(ctx, instance_id, instance, topic_name)?;
    let views = queues(ctx, instance_id, &topic)?;
    let done = committed(ctx, instance_id, group, &topic.name)?;
    let owners = allocate(
        &clients::clients(ctx, instance_id, group)?,
        &topic.name,
        &views,
    );
    let (mut lag, mut max_offset, mut consumer_offset) = (0, 0, 0);
    let mut rows = Vec::new();
    for view in &views {
        let key = (view.broker.clone(), view.queue_id);
        let consumed = effective(view, done.get(&key).copied());
        let last = if consumed > view.min {
            store_ms_at(ctx, instance_id, &topic.name, view, consumed - 1)?.unwrap_or(0)
        } else {
            0
        };
        lag += view.max - consumed;
        max_offset += view.max;
        consumer_offset += consumed;
        let mut queue = json!({
            "id": view.queue_id,
            "lag": view.max - consumed,
            "broker_offset": view.max,
            "consumer_offset": consumed,
            "last_message_time": last,
        });
        if let Some(client) = owners.get(&key) {
            queue["client_id"] = json!(client);
        }
        rows.push((view.broker.clone(), queue));
    }
    Ok(Resp::ok(json!({
        "lag": lag,
        "max_offset": max_offset,
        "consumer_offset": consumer_offset,
        "brokers": grouped(rows),
    })))
}

/// Moves `group`'s offsets on every queue of `topic` to the first message stored at or after
/// `timestamp`; returns `(broker, queue id, new offset)` per queue.
pub fn reset_offset(
    ctx: &Ctx<'_>,
    instance_id: &str,
    group: &str,
    topic: &TopicInfo,
    timestamp: i64,
) -> Result<Vec<(String, i64, i64)>, DmsError> {
    let mut out = Vec::new();
    for view in queues(ctx, instance_id, topic)? {
        let offset = offset_for_time(ctx, instance_id, &topic.name, &view, timestamp)?;
        commit(
            ctx,
            instance_id,
            group,
            &topic.name,
            (&view.broker, view.queue_id),
            offset,
        )?;
        out.push((view.broker, view.queue_id, offset));
    }
    Ok(out)
}

fn timestamp_field(body: &Map<String, Value>) -> Result<i64, DmsError> {
    let invalid = |shown: &Value| {
        DmsError::of("DMS.00400142").detail(format!(
            "timestamp `{shown}` must be epoch milliseconds, as a number or a numeric string."
        ))
    };
    match body.get("timestamp") {
        None | Some(Value::Null) => Err(bad_param("timestamp is required.")),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            .filter(|t| *t >= 0)
            .ok_or_else(|| invalid(&Value::Number(n.clone()))),
        Some(Value::String(text)) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|t| *t >= 0)
            .ok_or_else(|| invalid(&Value::String(text.clone()))),
        Some(other) => Err(invalid(other)),
    }
}

/// POST …/groups/{group}/reset-message-offset (5.2.8).
pub fn handle_reset(
    ctx: &mut Ctx<'_>,
    req: &Req,
    instance: &Value,
    instance_id: &str,
    group: &str,
) -> Result<Resp, DmsError> {
    let body = req.json()?;
    let topic_name = match body.get("topic") {
        Some(Value::String(t)) if !t.trim().is_empty() => t.trim().to_owned(),
        None | Some(Value::Null) | Some(Value::String(_)) => {
            return Err(bad_param("topic is required."));
        }
        Some(other) => {
            return Err(DmsError::bad_body(format!(
                "`topic` must be a string, got `{other}`."
            )));
        }
    };
    let timestamp = timestamp_field(&body)?;
    facts::require_serving(instance)?;
    model::group(ctx, instance_id, group)?;
    let topic = model::topic(ctx, instance_id, instance, &topic_name)?;
    let queues: Vec<Value> = reset_offset(ctx, instance_id, group, &topic, timestamp)?
        .into_iter()
        .map(|(broker, queue_id, offset)| {
            json!({"broker_name": broker, "queue_id": queue_id, "timestamp_offset": offset})
        })
        .collect();
    Ok(Resp::ok(json!({ "queues": queues })))
}

/// GET …/topics/{topic}/groups (5.3.6).
pub fn handle_topic_groups(
    ctx: &mut Ctx<'_>,
    req: &Req,
    instance: &Value,
    instance_id: &str,
    topic: &str,
) -> Result<Resp, DmsError> {
    let limit = req.limit(10, 50)?;
    let offset = req.offset()?;
    model::topic(ctx, instance_id, instance, topic)?;
    let groups = consuming_groups(ctx, instance_id, topic)?;
    let (items, _, _) = page(&groups, offset, limit);
    Ok(Resp::ok(json!({"groups": items, "total": groups.len()})))
}

/// GET …/topics/{topic}/status (5.3.7), with `brokers` as an array.
pub fn handle_topic_status(
    ctx: &mut Ctx<'_>,
    instance: &Value,
    instance_id: &str,
    topic: &str,
) -> Result<Resp, DmsError> {
    let topic = model::topic(ctx, instance_id, instance, topic)?;
    let views = queues(ctx, instance_id, &topic)?;
    let rows = views
        .iter()
        .map(|v| {
            (
                v.broker.clone(),
                json!({"id": v.queue_id, "min_offset": v.min, "max_offset": v.max,
                       "last_message_time": v.last_store_ms}),
            )
        })
        .collect();
    Ok(Resp::ok(json!({
        "max_offset": views.iter().map(|v| v.max).sum::<i64>(),
        "min_offset": views.iter().map(|v| v.min).sum::<i64>(),
        "brokers": grouped(rows),
    })))
}
