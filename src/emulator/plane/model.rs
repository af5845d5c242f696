//! What the rest of the plane shares: the stored message row and its wire form (SDK `Message`),
//! how a topic name resolves to its queues (ordinary topics from their documents, retry and
//! dead-letter topics from their group), broker store hosts, and RocketMQ's id and checksum
//! conventions. Nothing here answers a request.

use rusqlite::{OptionalExtension, Row, params};
use serde_json::{Value, json};

use crate::emulator::context::Ctx;
use crate::emulator::error::DmsError;
use crate::emulator::instances::facts::broker_names;

/// Document kind of topics (scope: instance id).
pub const TOPIC: &str = "topic";
/// Document kind of consumer groups (scope: instance id).
pub const GROUP: &str = "group";
/// Prefix of a group's retry topic (RocketMQ convention).
pub const RETRY_PREFIX: &str = "%RETRY%";
/// Prefix of a group's dead-letter topic (RocketMQ convention).
pub const DLQ_PREFIX: &str = "%DLQ%";
/// The `CLUSTER` property every stored message carries.
pub const CLUSTER: &str = "DmsCluster";
/// RocketMQ's default `retryMaxTimes` when a group does not say.
pub const DEFAULT_RETRY_MAX: i64 = 16;

/// One stored message (a row of `plane_messages`).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMessage {
    /// Row id.
    pub id: i64,
    /// The topic it is stored in (a `%RETRY%`/`%DLQ%` topic for copies).
    pub topic: String,
    /// The broker holding its queue.
    pub broker: String,
    /// Queue id on that broker.
    pub queue_id: i64,
    /// Offset within the queue.
    pub queue_offset: i64,
    /// The offset message id (server side).
    pub msg_id: String,
    /// The producer-side id (property `UNIQ_KEY`), upper case.
    pub uniq_key: String,
    /// Space-separated keys.
    pub keys: String,
    /// The tag.
    pub tags: String,
    /// The body.
    pub body: Vec<u8>,
    /// All properties, in order.
    pub properties: Vec<(String, String)>,
    /// Born time, epoch ms.
    pub born_ms: i64,
    /// Store time, epoch ms.
    pub store_ms: i64,
    /// Producer address `ip:port`.
    pub born_host: String,
    /// Broker address `ip:port`.
    pub store_host: String,
    /// CRC32 of the body (RocketMQ masks it to 31 bits).
    pub body_crc: i64,
    /// Stored size in bytes.
    pub store_size: i64,
    /// Deliveries so far (0 for an original).
    pub reconsume_times: i64,
    /// For retry and dead-letter copies: the topic the message was first sent to.
    pub origin_topic: Option<String>,
    /// For retry and dead-letter copies: the offset id of the first stored message.
    pub origin_msg_id: Option<String>,
    /// Whether tracing is on for the message.
    pub traced: bool,
}

/// The columns [`StoredMessage::from_row`] reads, in order.
pub const COLUMNS: &str = "id, topic, broker, queue_id, queue_offset, msg_id, uniq_key, keys, tags, \
     body, properties, born_ms, store_ms, born_host, store_host, body_crc, store_size, \
     reconsume_times, origin_topic, origin_msg_id, traced";

impl StoredMessage {
    /// Reads a row selected with [`COLUMNS`].
    pub fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        let properties: String = row.get(10)?;
        Ok(Self {
            id: row.get(0)?,
            topic: row.get(1)?,
            broker: row.get(2)?,
            queue_id: row.get(3)?,
            queue_offset: row.get(4)?,
            msg_id: row.get(5)?,
            uniq_key: row.get(6)?,
            keys: row.get(7)?,
            tags: row.get(8)?,
            body: row.get(9)?,
            properties: serde_json::from_str(&properties).unwrap_or_default(),
            born_ms: row.get(11)?,
            store_ms: row.get(12)?,
            born_host: row.get(13)?,
            store_host: row.get(14)?,
            body_crc: row.get(15)?,
            store_size: row.get(16)?,
            reconsume_times: row.get(17)?,
            origin_topic: row.get(18)?,
            origin_msg_id: row.get(19)?,
            traced: row.get::<_, i64>(20)? != 0,
        })
    }

    /// The topic the producer sent it to (the stored topic for originals).
    pub fn original_topic(&self) -> &str {
        self.origin_topic.as_deref().unwrap_or(&self.topic)
    }

    /// The wire form, SDK model `Message` (5.4.1, 5.4.3).
    pub fn to_wire(&self, instance_id: &str) -> Value {
        json!({
            "msg_id": self.msg_id,
            "instance_id": instance_id,
            "topic": self.topic,
            "store_timestamp": self.store_ms,
            "born_timestamp": self.born_ms,
            "reconsume_times": self.reconsume_times,
            "body": String::from_utf8_lossy(&self.body),
            "body_crc": self.body_crc,
            "store_size": self.store_size,
            "property_list": property_list(&self.properties),
            "born_host": self.born_host,
            "store_host": self.store_host,
            "queue_id": self.queue_id,
            "queue_offset": self.queue_offset,
        })
    }
}

/// Properties as the SDK's `[{name, value}]` list.
pub fn property_list(properties: &[(String, String)]) -> Value {
    Value::Array(
        properties
            .iter()
            .map(|(name, value)| json!({"name": name, "value": value}))
            .collect(),
    )
}

/// Loads the message with row id `id`.
pub fn load(ctx: &Ctx<'_>, id: i64) -> Result<Option<StoredMessage>, DmsError> {
    let mut statement = ctx.tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM plane_messages WHERE id = ?1"
    ))?;
    Ok(statement
        .query_row(params![id], StoredMessage::from_row)
        .optional()?)
}

/// Messages of `instance_id` whose offset id or `UNIQ_KEY` is `id` (any case), optionally
/// only in `topic`, oldest first.
pub fn find_by_id(
    ctx: &Ctx<'_>,
    instance_id: &str,
    topic: Option<&str>,
    id: &str,
) -> Result<Vec<StoredMessage>, DmsError> {
    let wanted = id.trim().to_ascii_uppercase();
    // One indexed equality per id kind: an `OR` (or an optional topic clause) would let the
    // planner fall back to scanning the instance's messages.
    let mut found = Vec::new();
    for column in ["msg_id", "uniq_key"] {
        let mut statement = ctx.tx.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM plane_messages WHERE instance = ?1 AND {column} = ?2"
        ))?;
        let rows = statement.query_map(params![instance_id, wanted], StoredMessage::from_row)?;
        for row in rows {
            let message = row?;
            if topic.is_none_or(|t| t == message.topic) {
                found.push(message);
            }
        }
    }
    found.sort_by_key(|m| m.id);
    found.dedup_by_key(|m| m.id);
    Ok(found)
}

/// One queue slot of a topic layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueSlot {
    /// Broker name.
    pub broker: String,
    /// Read queues on that broker.
    pub read: i64,
    /// Write queues on that broker.
    pub write: i64,
}

/// A topic as the plane sees it.
#[derive(Debug, Clone)]
pub struct TopicInfo {
    /// Its name.
    pub name: String,
    /// Per-broker queue counts.
    pub layout: Vec<QueueSlot>,
    /// Producers may send (`permission` is not `sub`).
    pub writable: bool,
    /// Consumers may read (`permission` is not `pub`).
    pub readable: bool,
    /// Message tracing is on (see `trace`).
    pub traced: bool,
    /// For `%RETRY%`/`%DLQ%` topics: the group they belong to.
    pub system_group: Option<String>,
    /// The trace `msg_type` of its messages (from the 5.x `message_type`).
    pub msg_type: &'static str,
}

/// The group a `%RETRY%{group}` or `%DLQ%{group}` topic belongs to.
pub fn system_group(topic: &str) -> Option<&str> {
    topic
        .strip_prefix(RETRY_PREFIX)
        .or_else(|| topic.strip_prefix(DLQ_PREFIX))
        .filter(|g| !g.is_empty())
}

fn count(value: &Value) -> i64 {
    value
        .as_f64()
        .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
        .map(|n| n as i64)
        .unwrap_or(0)
}

/// Resolves `name` on the instance: a topic document, or the retry/dead-letter topic of an
/// existing group. `DMS.00400876` otherwise.
pub fn topic(
    ctx: &Ctx<'_>,
    instance_id: &str,
    instance: &Value,
    name: &str,
) -> Result<TopicInfo, DmsError> {
    if let Some(group) = system_group(name) {
        let doc = ctx
            .docs
            .get(GROUP, instance_id, group)?
            .ok_or_else(|| unknown_topic(name))?;
        let broker = doc["brokers"]
            .as_array()
            .and_then(|b| b.first())
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| broker_names(instance).remove(0));
        return Ok(TopicInfo {
            name: name.to_owned(),
            layout: vec![QueueSlot {
                broker,
                read: 1,
                write: 1,
            }],
            writable: true,
            readable: true,
            traced: true,
            system_group: Some(group.to_owned()),
            msg_type: "Normal_Msg",
        });
    }
    let doc = ctx
        .docs
        .get(TOPIC, instance_id, name)?
        .ok_or_else(|| unknown_topic(name))?;
    let mut layout: Vec<QueueSlot> = doc["brokers"]
        .as_array()
        .map(|brokers| {
            brokers
                .iter()
                .filter_map(|b| {
                    Some(QueueSlot {
                        broker: b["broker_name"].as_str()?.to_owned(),
                        read: count(&b["read_queue_num"]),
                        write: count(&b["write_queue_num"]),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    if layout.is_empty() {
        // 5.x topics may not list brokers: their queues live on the instance's first broker,
        // eight of them unless the document says otherwise.
        let read = Some(count(&doc["total_read_queue_num"])).filter(|n| *n > 0);
        let write = Some(count(&doc["total_write_queue_num"])).filter(|n| *n > 0);
        layout.push(QueueSlot {
            broker: broker_names(instance).remove(0),
            read: read.or(write).unwrap_or(8),
            write: write.or(read).unwrap_or(8),
        });
    }
    let permission = doc["permission"].as_str().unwrap_or("all");
    Ok(TopicInfo {
        name: name.to_owned(),
        layout,
        writable: permission != "sub",
        readable: permission != "pub",
        traced: doc["_emu"]["trace_enabled"].as_bool().unwrap_or(true),
        system_group: None,
        msg_type: match doc["message_type"].as_str() {
            Some("FIFO") => "Order_Msg",
            Some("DELAY") => "Delay_Msg",
            Some("TRANSACTION") => "Trans_msg_Commit",
            _ => "Normal_Msg",
        },
    })
}

/// 400 `DMS.00400876` naming the topic.
pub fn unknown_topic(name: &str) -> DmsError {
    DmsError::of("DMS.00400876").detail(format!("No topic `{name}` on this instance."))
}

/// The group document, or 404 `DMS.10240405`.
pub fn group(ctx: &Ctx<'_>, instance_id: &str, name: &str) -> Result<Value, DmsError> {
    ctx.docs
        .get(GROUP, instance_id, name)?
        .ok_or_else(|| DmsError::of("DMS.10240405").detail(format!("No group `{name}`.")))
}

/// 400 `DMS.00400800` with what was wrong.
pub fn bad_param(detail: impl AsRef<str>) -> DmsError {
    DmsError::of("DMS.00400800").detail(detail)
}

/// FNV-1a, for stable per-name numbers (addresses, client ids).
pub fn fnv(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5u32, |hash, byte| {
        (hash ^ byte as u32).wrapping_mul(0x0100_0193)
    })
}

/// The store address of `broker` on the instance: `192.168.{a}.{b}`, port 10100.
pub fn store_host(instance_id: &str, broker: &str) -> ([u8; 4], u16) {
    let index = broker
        .rsplit('-')
        .next()
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap_or(0);
    let subnet = (fnv(instance_id) % 250) as u8;
    ([192, 168, subnet, (201 + index % 50) as u8], 10100)
}

/// `ip:port`.
pub fn host_text(ip: [u8; 4], port: u16) -> String {
    format!("{}.{}.{}.{}:{port}", ip[0], ip[1], ip[2], ip[3])
}

/// The offset message id: store IPv4 and port, then the commit-log offset, 32 upper-case hex
/// characters (S2).
pub fn offset_msg_id(ip: [u8; 4], port: u16, commit_offset: i64) -> String {
    format!(
        "{:02X}{:02X}{:02X}{:02X}{:08X}{:016X}",
        ip[0], ip[1], ip[2], ip[3], port as u32, commit_offset as u64
    )
}

/// CRC32 (IEEE) of `bytes`, masked to 31 bits as RocketMQ's `UtilAll.crc32` does.
pub fn body_crc(bytes: &[u8]) -> i64 {
    i64::from(crc32fast::hash(bytes) & 0x7FFF_FFFF)
}

/// The value of property `name`.
pub fn property<'a>(properties: &'a [(String, String)], name: &str) -> Option<&'a str> {
    properties
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The configured retention of the instance in hours (`_emu.configs.fileReservedTime`,
/// default 48).
pub fn retention_hours(instance: &Value) -> i64 {
    let value = &instance["_emu"]["configs"]["fileReservedTime"];
    Some(count(value)).filter(|h| *h > 0).unwrap_or(48)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_the_ieee_check_value_masked_to_31_bits() {
        assert_eq!(body_crc(b"123456789"), 0xCBF4_3926u32 as i64 & 0x7FFF_FFFF);
    }

    #[test]
    fn offset_ids_encode_address_port_and_commit_offset() {
        assert_eq!(
            offset_msg_id([192, 168, 1, 23], 10100, 0x13B19D),
            "C0A8011700002774000000000013B19D"
        );
    }

    #[test]
    fn system_topics_name_their_group() {
        assert_eq!(system_group("%DLQ%GID_a"), Some("GID_a"));
        assert_eq!(system_group("%RETRY%GID_a"), Some("GID_a"));
        assert_eq!(system_group("orders"), None);
        assert_eq!(system_group("%DLQ%"), None);
    }
}
