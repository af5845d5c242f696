//! The one way messages enter storage: [`Appender`] puts drafts on a topic's queues. Sends,
//! batches, retry and dead-letter copies and resends all go through it.
//!
//! A message lands on the next write queue of the topic, round-robin across brokers; its queue
//! offset is the queue's `max_offset`, its offset id encodes the broker's store address and
//! commit-log position (which advances by the stored size), and its store time never goes
//! back within a queue, as on a real broker. Queue and broker positions are kept in memory
//! for a batch and written once at [`Appender::finish`].

use std::collections::HashMap;

use rand::Rng;
use rusqlite::{OptionalExtension, params};

use super::model::{
    StoredMessage, TopicInfo, bad_param, body_crc, host_text, offset_msg_id, store_host,
};
use super::trace::{self, Step};
use crate::emulator::context::Ctx;
use crate::emulator::error::DmsError;

/// A message about to be stored, with every field decided except its position.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The body.
    pub body: Vec<u8>,
    /// Space-separated keys.
    pub keys: String,
    /// The tag.
    pub tags: String,
    /// The complete property list (including `UNIQ_KEY`).
    pub properties: Vec<(String, String)>,
    /// The producer-side id.
    pub uniq_key: String,
    /// Born time; a few milliseconds before the store time when absent.
    pub born_ms: Option<i64>,
    /// Store time; now when absent (never before the queue's newest message).
    pub store_ms: Option<i64>,
    /// The sender's `ip:port`.
    pub born_host: String,
    /// Deliveries so far.
    pub reconsume_times: i64,
    /// For copies: the topic first sent to.
    pub origin_topic: Option<String>,
    /// For copies: the offset id of the first stored message.
    pub origin_msg_id: Option<String>,
    /// Whether the message is traced.
    pub traced: bool,
    /// Write a `Pub` trace record naming this producer group.
    pub pub_trace_group: Option<String>,
}

#[derive(Debug, Clone, Copy, Default)]
struct QueueState {
    min: i64,
    max: i64,
    last_store_ms: i64,
    bytes: i64,
}

/// Appends messages to one topic; call [`Appender::finish`] to save positions.
pub struct Appender {
    instance_id: String,
    topic: TopicInfo,
    slots: Vec<(String, i64)>,
    next_slot: i64,
    queues: HashMap<(String, i64), QueueState>,
    commit: HashMap<String, i64>,
}

impl Appender {
    /// Prepares appending to `topic` of `instance_id`.
    pub fn open(ctx: &Ctx<'_>, instance_id: &str, topic: TopicInfo) -> Result<Self, DmsError> {
        let slots: Vec<(String, i64)> = topic
            .layout
            .iter()
            .flat_map(|slot| (0..slot.write.max(0)).map(move |q| (slot.broker.clone(), q)))
            .collect();
        if slots.is_empty() {
            return Err(bad_param(format!(
                "Topic `{}` has no write queues.",
                topic.name
            )));
        }
        let next_slot: i64 = ctx
            .tx
            .prepare_cached("SELECT sequence FROM plane_topics WHERE instance = ?1 AND topic = ?2")?
            .query_row(params![instance_id, topic.name], |row| row.get(0))
            .optional()?
            .unwrap_or(0);
        Ok(Self {
            instance_id: instance_id.to_owned(),
            topic,
            slots,
            next_slot,
            queues: HashMap::new(),
            commit: HashMap::new(),
        })
    }

    /// The topic being written.
    pub fn topic(&self) -> &TopicInfo {
        &self.topic
    }

    /// How many messages the topic has been given so far (it picks the next queue).
    pub fn sequence(&self) -> i64 {
        self.next_slot
    }

    fn queue(
        &mut self,
        ctx: &Ctx<'_>,
        broker: &str,
        queue_id: i64,
    ) -> Result<QueueState, DmsError> {
        if let Some(state) = self.queues.get(&(broker.to_owned(), queue_id)) {
            return Ok(*state);
        }
        let state = ctx
            .tx
            .prepare_cached(
                "SELECT min_offset, max_offset, last_store_ms, bytes FROM plane_queues \
                 WHERE instance = ?1 AND topic = ?2 AND broker = ?3 AND queue_id = ?4",
            )?
            .query_row(
                params![self.instance_id, self.topic.name, broker, queue_id],
                |row| {
                    Ok(QueueState {
                        min: row.get(0)?,
                        max: row.get(1)?,
                        last_store_ms: row.get(2)?,
                        bytes: row.get(3)?,
                    })
                },
            )
            .optional()?
            .unwrap_or_default();
        self.queues.insert((broker.to_owned(), queue_id), state);
        Ok(state)
    }

    fn commit_offset(&mut self, ctx: &Ctx<'_>, broker: &str) -> Result<i64, DmsError> {
        if let Some(offset) = self.commit.get(broker) {
            return Ok(*offset);
        }
        let offset: i64 = ctx
            .tx
            .prepare_cached(
                "SELECT commit_offset FROM plane_brokers WHERE instance = ?1 AND broker = ?2",
            )?
            .query_row(params![self.instance_id, broker], |row| row.get(0))
            .optional()?
            .unwrap_or(0);
        self.commit.insert(broker.to_owned(), offset);
        Ok(offset)
    }

    /// Stores `draft` on the next write queue and returns the stored message.
    pub fn append(&mut self, ctx: &mut Ctx<'_>, draft: Draft) -> Result<StoredMessage, DmsError> {
        let slot = self.next_slot.rem_euclid(self.slots.len() as i64) as usize;
        self.next_slot += 1;
        let (broker, queue_id) = self.slots[slot].clone();
        let mut queue = self.queue(ctx, &broker, queue_id)?;
        let commit = self.commit_offset(ctx, &broker)?;
        let store_ms = draft
            .store_ms
            .unwrap_or(ctx.now_ms)
            .max(queue.last_store_ms);
        let born_ms = draft
            .born_ms
            .unwrap_or_else(|| store_ms - ctx.rng.random_range(1..40));
        let (ip, port) = store_host(&self.instance_id, &broker);
        let property_bytes: usize = draft
            .properties
            .iter()
            .map(|(n, v)| n.len() + v.len() + 2)
            .sum();
        let store_size = (91 + draft.body.len() + self.topic.name.len() + property_bytes) as i64;
        let message = StoredMessage {
            id: 0,
            topic: self.topic.name.clone(),
            broker: broker.clone(),
            queue_id,
            queue_offset: queue.max,
            msg_id: offset_msg_id(ip, port, commit),
            uniq_key: draft.uniq_key.to_ascii_uppercase(),
            keys: draft.keys,
            tags: draft.tags,
            body_crc: body_crc(&draft.body),
            body: draft.body,
            properties: draft.properties,
            born_ms,
            store_ms,
            born_host: draft.born_host,
            store_host: host_text(ip, port),
            store_size,
            reconsume_times: draft.reconsume_times,
            origin_topic: draft.origin_topic,
            origin_msg_id: draft.origin_msg_id,
            traced: draft.traced,
        };
        ctx.tx
            .prepare_cached(
                "INSERT INTO plane_messages (instance, topic, broker, queue_id, queue_offset, msg_id, \
                 uniq_key, keys, tags, body, properties, born_ms, store_ms, born_host, store_host, \
                 body_crc, store_size, reconsume_times, origin_topic, origin_msg_id, traced) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, \
                 ?18, ?19, ?20, ?21)",
            )?
            .execute(params![
                self.instance_id,
                message.topic,
                message.broker,
                message.queue_id,
                message.queue_offset,
                message.msg_id,
                message.uniq_key,
                message.keys,
                message.tags,
                message.body,
                serde_json::to_string(&message.properties).unwrap_or_else(|_| "[]".into()),
                message.born_ms,
                message.store_ms,
                message.born_host,
                message.store_host,
                message.body_crc,
                message.store_size,
                message.reconsume_times,
                message.origin_topic,
                message.origin_msg_id,
                message.traced as i64,
            ])?;
        let mut message = message;
        message.id = ctx.tx.last_insert_rowid();
        let mut keys: Vec<&str> = message.keys.split(' ').filter(|k| !k.is_empty()).collect();
        keys.sort_unstable();
        keys.dedup();
        for key in keys {
            ctx.tx
                .prepare_cached(
                    "INSERT INTO plane_message_keys (instance, topic, key, store_ms, message) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![
                    self.instance_id,
                    message.topic,
                    key,
                    message.store_ms,
                    message.id
                ])?;
        }
        queue.max += 1;
        queue.last_store_ms = store_ms;
        queue.bytes += store_size;
        self.queues.insert((broker.clone(), queue_id), queue);
        self.commit.insert(broker, commit + store_size);
        if let (true, Some(group)) = (message.traced, draft.pub_trace_group.as_deref()) {
            let request_id = trace::request_id(ctx);
            let client_host = message.born_host.split(':').next().unwrap_or_default();
            let step = Step {
                trace_type: "Pub",
                timestamp: born_ms,
                group_name: group,
                cost_time: (store_ms - born_ms).max(1),
                success: true,
                consume_status: 0,
                request_id: &request_id,
                client_host,
                retry_times: 0,
            };
            trace::record(ctx, &self.instance_id, &message, self.topic.msg_type, &step)?;
        }
        Ok(message)
    }

    /// Saves queue, broker and round-robin positions.
    pub fn finish(self, ctx: &Ctx<'_>) -> Result<(), DmsError> {
        for ((broker, queue_id), state) in &self.queues {
            ctx.tx
                .prepare_cached(
                    "INSERT INTO plane_queues (instance, topic, broker, queue_id, min_offset, \
                     max_offset, last_store_ms, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
                     ON CONFLICT (instance, topic, broker, queue_id) DO UPDATE SET \
                     max_offset = excluded.max_offset, last_store_ms = excluded.last_store_ms, \
                     bytes = excluded.bytes",
                )?
                .execute(params![
                    self.instance_id,
                    self.topic.name,
                    broker,
                    queue_id,
                    state.min,
                    state.max,
                    state.last_store_ms,
                    state.bytes
                ])?;
        }
        for (broker, offset) in &self.commit {
            ctx.tx
                .prepare_cached(
                    "INSERT INTO plane_brokers (instance, broker, commit_offset) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (instance, broker) DO UPDATE SET commit_offset = excluded.commit_offset",
                )?
                .execute(params![self.instance_id, broker, offset])?;
        }
        ctx.tx
            .prepare_cached(
                "INSERT INTO plane_topics (instance, topic, sequence) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (instance, topic) DO UPDATE SET sequence = excluded.sequence",
            )?
            .execute(params![self.instance_id, self.topic.name, self.next_slot])?;
        Ok(())
    }
}
