//! The consumption model: [`consume`] delivers a group's pending messages of one topic (and of
//! the group's retry topic) to a predicate standing in for the consumer, commits offsets, writes
//! `SubBefore`/`SubAfter` traces, and sends failed messages back as RocketMQ does.
//!
//! A failed message is copied to `%RETRY%{group}` with `reconsume_times + 1`; once it has been
//! redelivered `retry_max_time` times (the group's setting, default 16), the next failure copies
//! it to `%DLQ%{group}` instead. Copies keep the body, keys, tags and `UNIQ_KEY`, and carry the
//! original topic and offset id (columns and properties `RETRY_TOPIC`, `ORIGIN_MESSAGE_ID`).
//! Retries are redelivered by the next `consume` call of the group: the emulator does not
//! model RocketMQ's growing delay levels.

use rand::Rng;
use rusqlite::params;

use super::appender::{Appender, Draft};
use super::clients::{self, ClientInfo};
use super::model::{self, COLUMNS, DLQ_PREFIX, RETRY_PREFIX, StoredMessage, bad_param};
use super::offsets::{self, QueueView};
use super::trace::{self, Step};
use crate::emulator::context::Ctx;
use crate::emulator::error::DmsError;
use crate::emulator::instances::facts;

/// A message as a consumer sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Offset id of the delivered copy.
    pub msg_id: String,
    /// Producer-side id.
    pub uniq_key: String,
    /// The topic the producer sent it to.
    pub topic: String,
    /// Broker of the delivered copy.
    pub broker_name: String,
    /// Queue of the delivered copy.
    pub queue_id: i64,
    /// Offset of the delivered copy.
    pub queue_offset: i64,
    /// Keys.
    pub keys: String,
    /// Tag.
    pub tags: String,
    /// Body.
    pub body: Vec<u8>,
    /// Properties.
    pub properties: Vec<(String, String)>,
    /// Deliveries before this one.
    pub reconsume_times: i64,
    /// Store time of the delivered copy.
    pub store_ms: i64,
}

impl Message {
    fn of(stored: &StoredMessage) -> Self {
        Self {
            msg_id: stored.msg_id.clone(),
            uniq_key: stored.uniq_key.clone(),
            topic: stored.original_topic().to_owned(),
            broker_name: stored.broker.clone(),
            queue_id: stored.queue_id,
            queue_offset: stored.queue_offset,
            keys: stored.keys.clone(),
            tags: stored.tags.clone(),
            body: stored.body.clone(),
            properties: stored.properties.clone(),
            reconsume_times: stored.reconsume_times,
            store_ms: stored.store_ms,
        }
    }
}

/// What one [`consume`] call did (offset ids).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsumeOutcome {
    /// Delivered and consumed.
    pub consumed: Vec<String>,
    /// Delivered and failed.
    pub failed: Vec<String>,
    /// Retry copies written to `%RETRY%{group}`.
    pub retried: Vec<String>,
    /// Dead-letter copies written to `%DLQ%{group}`.
    pub dead_lettered: Vec<String>,
}

impl ConsumeOutcome {
    /// Messages delivered in all.
    pub fn delivered(&self) -> usize {
        self.consumed.len() + self.failed.len()
    }
}

struct Session<'g> {
    instance_id: String,
    /// Trace `msg_type` per original topic (read once per call).
    msg_types: std::collections::HashMap<String, &'static str>,
    group: &'g str,
    retry_max: i64,
    clients: Vec<ClientInfo>,
    retry: Option<Appender>,
    dlq: Option<Appender>,
    outcome: ConsumeOutcome,
}

/// Delivers up to `max_messages` pending messages of `topic` (after those waiting in the
/// group's retry topic) to `fail`, which answers whether consuming failed. Queues share the
/// budget evenly. The group must exist and be enabled; the topic must be readable.
pub fn consume(
    ctx: &mut Ctx<'_>,
    instance_id: &str,
    group: &str,
    topic: &str,
    max_messages: usize,
    fail: impl Fn(&Message) -> bool,
) -> Result<ConsumeOutcome, DmsError> {
    let instance = facts::find(ctx, instance_id)?;
    let group_doc = model::group(ctx, instance_id, group)?;
    if group_doc["enabled"].as_bool() == Some(false) {
        return Err(bad_param(format!(
            "Group `{group}` has consumption disabled."
        )));
    }
    if model::system_group(topic).is_some() {
        return Err(bad_param(format!(
            "Consume `{topic}` through its group, not as a topic."
        )));
    }
    let info = model::topic(ctx, instance_id, &instance, topic)?;
    if !info.readable {
        return Err(bad_param(format!(
            "Topic `{topic}` has permission `pub`: it cannot be consumed."
        )));
    }
    let mut session = Session {
        instance_id: instance_id.to_owned(),
        msg_types: std::collections::HashMap::new(),
        group,
        retry_max: group_doc["retry_max_time"]
            .as_i64()
            .unwrap_or(model::DEFAULT_RETRY_MAX),
        clients: clients::clients(ctx, instance_id, group)?,
        retry: None,
        dlq: None,
        outcome: ConsumeOutcome::default(),
    };
    let mut budget = max_messages;

    let retry_name = format!("{RETRY_PREFIX}{group}");
    let retry_info = model::topic(ctx, instance_id, &instance, &retry_name)?;
    let retry_queues = offsets::queues(ctx, instance_id, &retry_info)?;
    budget -= deliver(ctx, &mut session, &retry_name, &retry_queues, budget, &fail)?;

    let readable: Vec<QueueView> = offsets::queues(ctx, instance_id, &info)?
        .into_iter()
        .filter(|q| {
            info.layout
                .iter()
                .any(|slot| slot.broker == q.broker && q.queue_id < slot.read)
        })
        .collect();
    deliver(ctx, &mut session, topic, &readable, budget, &fail)?;

    for appender in [session.retry.take(), session.dlq.take()]
        .into_iter()
        .flatten()
    {
        appender.finish(ctx)?;
    }
    Ok(session.outcome)
}

/// Delivers up to `budget` messages of `queues` of `topic`; returns how many.
fn deliver(
    ctx: &mut Ctx<'_>,
    session: &mut Session<'_>,
    topic: &str,
    queues: &[QueueView],
    budget: usize,
    fail: &impl Fn(&Message) -> bool,
) -> Result<usize, DmsError> {
    if budget == 0 || queues.is_empty() {
        return Ok(0);
    }
    let done = offsets::committed(ctx, &session.instance_id, session.group, topic)?;
    let starts: Vec<i64> = queues
        .iter()
        .map(|q| offsets::effective(q, done.get(&(q.broker.clone(), q.queue_id)).copied()))
        .collect();
    let pending: Vec<usize> = queues
        .iter()
        .zip(&starts)
        .map(|(q, start)| (q.max - start).max(0) as usize)
        .collect();
    let busy = pending.iter().filter(|p| **p > 0).count();
    if busy == 0 {
        return Ok(0);
    }
    // An even share first, then whatever is left to the queues that still have messages.
    let mut take = vec![0usize; queues.len()];
    let mut remaining = budget;
    let share = (budget / busy).max(1);
    for (slot, waiting) in take.iter_mut().zip(&pending) {
        let n = share.min(*waiting).min(remaining);
        *slot = n;
        remaining -= n;
    }
    for (slot, waiting) in take.iter_mut().zip(&pending) {
        let n = (waiting - *slot).min(remaining);
        *slot += n;
        remaining -= n;
    }
    let owners = offsets::allocate(&session.clients, topic, queues);
    let mut delivered = 0;
    for ((queue, start), count) in queues.iter().zip(&starts).zip(&take) {
        if *count == 0 {
            continue;
        }
        let messages = {
            let mut statement = ctx.tx.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM plane_messages WHERE instance = ?1 AND topic = ?2 \
                 AND broker = ?3 AND queue_id = ?4 AND queue_offset >= ?5 \
                 ORDER BY queue_offset LIMIT ?6"
            ))?;
            let rows = statement.query_map(
                params![
                    session.instance_id,
                    topic,
                    queue.broker,
                    queue.queue_id,
                    start,
                    *count as i64
                ],
                StoredMessage::from_row,
            )?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        let client = owners
            .get(&(queue.broker.clone(), queue.queue_id))
            .and_then(|id| session.clients.iter().find(|c| &c.client_id == id))
            .or(session.clients.first())
            .cloned();
        let mut next = *start;
        for message in &messages {
            deliver_one(ctx, session, message, client.as_ref(), fail)?;
            next = message.queue_offset + 1;
            delivered += 1;
        }
        offsets::commit(
            ctx,
            &session.instance_id,
            session.group,
            topic,
            (&queue.broker, queue.queue_id),
            next,
        )?;
    }
    Ok(delivered)
}

fn deliver_one(
    ctx: &mut Ctx<'_>,
    session: &mut Session<'_>,
    message: &StoredMessage,
    client: Option<&ClientInfo>,
    fail: &impl Fn(&Message) -> bool,
) -> Result<(), DmsError> {
    let failed = fail(&Message::of(message));
    let client_ip = client.map(ClientInfo::ip).unwrap_or_default().to_owned();
    if message.traced {
        let original = message.original_topic();
        let msg_type = match session.msg_types.get(original) {
            Some(known) => *known,
            None => {
                let instance = facts::find(ctx, &session.instance_id)?;
                let found = model::topic(ctx, &session.instance_id, &instance, original)
                    .map(|t| t.msg_type)
                    .unwrap_or("Normal_Msg");
                session.msg_types.insert(original.to_owned(), found);
                found
            }
        };
        let cost = ctx.rng.random_range(2..60);
        let request_id = trace::request_id(ctx);
        record_pair(
            ctx,
            &session.instance_id,
            session.group,
            message,
            msg_type,
            &request_id,
            &client_ip,
            cost,
            failed,
        )?;
    }
    if !failed {
        session.outcome.consumed.push(message.msg_id.clone());
        return Ok(());
    }
    session.outcome.failed.push(message.msg_id.clone());
    let dead = message.reconsume_times >= session.retry_max;
    let origin_id = message
        .origin_msg_id
        .clone()
        .unwrap_or_else(|| message.msg_id.clone());
    let mut properties = message.properties.clone();
    for (name, value) in [
        ("RETRY_TOPIC", message.original_topic().to_owned()),
        ("ORIGIN_MESSAGE_ID", origin_id.clone()),
    ] {
        if model::property(&properties, name).is_none() {
            properties.push((name.to_owned(), value));
        }
    }
    let draft = Draft {
        body: message.body.clone(),
        keys: message.keys.clone(),
        tags: message.tags.clone(),
        properties,
        uniq_key: message.uniq_key.clone(),
        born_ms: Some(message.born_ms),
        store_ms: None,
        born_host: client
            .map(|c| c.client_addr.clone())
            .unwrap_or_else(|| message.born_host.clone()),
        reconsume_times: message.reconsume_times + 1,
        origin_topic: Some(message.original_topic().to_owned()),
        origin_msg_id: Some(origin_id),
        traced: message.traced,
        pub_trace_group: None,
    };
    let prefix = if dead { DLQ_PREFIX } else { RETRY_PREFIX };
    let slot = if dead {
        &mut session.dlq
    } else {
        &mut session.retry
    };
    if slot.is_none() {
        let instance = facts::find(ctx, &session.instance_id)?;
        let name = format!("{prefix}{}", session.group);
        let info = model::topic(ctx, &session.instance_id, &instance, &name)?;
        *slot = Some(Appender::open(ctx, &session.instance_id, info)?);
    }
    let copy = slot.as_mut().expect("opened above").append(ctx, draft)?;
    if dead {
        session.outcome.dead_lettered.push(copy.msg_id);
    } else {
        session.outcome.retried.push(copy.msg_id);
    }
    Ok(())
}

/// Writes the `SubBefore`/`SubAfter` pair of one delivery of `message` to `group`.
#[allow(clippy::too_many_arguments)]
pub fn record_pair(
    ctx: &Ctx<'_>,
    instance_id: &str,
    group: &str,
    message: &StoredMessage,
    msg_type: &str,
    request_id: &str,
    client_ip: &str,
    cost: i64,
    failed: bool,
) -> Result<(), DmsError> {
    let before = Step {
        trace_type: "SubBefore",
        timestamp: ctx.now_ms,
        group_name: group,
        cost_time: 0,
        success: true,
        consume_status: 0,
        request_id,
        client_host: client_ip,
        retry_times: message.reconsume_times,
    };
    trace::record(ctx, instance_id, message, msg_type, &before)?;
    let after = Step {
        trace_type: "SubAfter",
        timestamp: ctx.now_ms + cost,
        cost_time: cost,
        success: !failed,
        consume_status: if failed { 5 } else { 0 },
        ..before
    };
    trace::record(ctx, instance_id, message, msg_type, &after)
}
