//! Producing: the send-message route (Appendix A `send_message` and its `/rocketmq/` twin),
//! and [`produce`] / [`produce_batch`] for the demo generator and the simulator. They check
//! the topic (it exists, is not a system topic, accepts publishing), the body size (RocketMQ's
//! 4 MiB) and the properties (the broker's own names are refused), give the message its
//! `UNIQ_KEY`, `KEYS`, `TAGS` and `CLUSTER` properties, and hand it to the [`Appender`].

use serde_json::{Map, Value, json};

use super::appender::{Appender, Draft};
use super::model::{self, CLUSTER, bad_param, host_text, property, property_list};
use crate::emulator::context::{Ctx, Req, Resp};
use crate::emulator::error::DmsError;
use crate::emulator::instances::facts;

/// RocketMQ's default largest message body (`maxMessageSize`, 4 MiB).
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// The producer group of messages sent through the REST API.
pub const API_PRODUCER_GROUP: &str = "DEFAULT_PRODUCER";
/// Properties the broker owns; producers may not set them.
const RESERVED: &[&str] = &[
    "CLUSTER",
    "RETRY_TOPIC",
    "ORIGIN_MESSAGE_ID",
    "REAL_TOPIC",
    "REAL_QID",
    "MIN_OFFSET",
    "MAX_OFFSET",
    "RECONSUME_TIME",
    "MAX_RECONSUME_TIMES",
    "CONSUME_START_TIME",
];

/// One message for [`produce_batch`].
#[derive(Debug, Clone, Default)]
pub struct NewMessage {
    /// The body.
    pub body: Vec<u8>,
    /// Keys, separated by spaces (property `KEYS`).
    pub keys: String,
    /// The tag (property `TAGS`).
    pub tags: String,
    /// Other user properties.
    pub properties: Vec<(String, String)>,
    /// The store time (epoch ms) for back-dated demo data; now when absent. Give a batch
    /// oldest first: store times never go back within a queue.
    pub store_ms: Option<i64>,
    /// The producer group named in its `Pub` trace (`DEFAULT_PRODUCER` when absent).
    pub producer_group: Option<String>,
    /// The producer address `ip:port` (a stable per-instance address when absent).
    pub born_host: Option<String>,
}

/// The stable producer address of an instance's simulated producers.
pub fn default_born_host(instance_id: &str) -> String {
    let hash = model::fnv(instance_id);
    host_text(
        [192, 168, (hash % 250) as u8, 66],
        50000 + (hash % 10000) as u16,
    )
}

/// A producer-side id: client IPv4, a pid, a per-topic hash, the time since the start of the
/// month and a counter, 32 upper-case hex characters like RocketMQ's `MessageClientIDSetter`.
fn uniq_key(born_host: &str, instance_id: &str, topic: &str, born_ms: i64, counter: i64) -> String {
    let ip: Vec<u8> = born_host
        .split(':')
        .next()
        .unwrap_or_default()
        .split('.')
        .filter_map(|part| part.parse().ok())
        .collect();
    let ip = if ip.len() == 4 {
        [ip[0], ip[1], ip[2], ip[3]]
    } else {
        [127, 0, 0, 1]
    };
    let month_ms = 31 * 24 * 3600 * 1000i64;
    format!(
        "{:02X}{:02X}{:02X}{:02X}{:04X}{:08X}{:08X}{:04X}",
        ip[0],
        ip[1],
        ip[2],
        ip[3],
        model::fnv(instance_id) & 0xffff,
        model::fnv(topic),
        born_ms.rem_euclid(month_ms) as u32,
        counter & 0xffff
    )
}

fn draft_from(
    ctx: &Ctx<'_>,
    appender: &Appender,
    instance_id: &str,
    message: NewMessage,
    counter: i64,
) -> Result<Draft, DmsError> {
    if message.body.len() > MAX_BODY_BYTES {
        let mut error = DmsError::of("DMS.10540011");
        error.message = error
            .message
            .replace("{message size}", &message.body.len().to_string())
            .replace("{max allowed size}", &MAX_BODY_BYTES.to_string());
        return Err(error);
    }
    for (name, _) in &message.properties {
        if name.trim().is_empty() {
            return Err(bad_param("A property name is empty."));
        }
        if RESERVED.contains(&name.as_str()) {
            return Err(bad_param(format!(
                "Property `{name}` is set by the broker, not by producers."
            )));
        }
    }
    let born_host = message
        .born_host
        .unwrap_or_else(|| default_born_host(instance_id));
    let born_ms = message.store_ms.unwrap_or(ctx.now_ms);
    let uniq = property(&message.properties, "UNIQ_KEY")
        .filter(|u| !u.trim().is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| {
            uniq_key(
                &born_host,
                instance_id,
                &appender.topic().name,
                born_ms,
                counter,
            )
        });
    let traced =
        appender.topic().traced && property(&message.properties, "TRACE_ON") != Some("false");
    let mut properties: Vec<(String, String)> = message
        .properties
        .into_iter()
        .filter(|(n, _)| !matches!(n.as_str(), "KEYS" | "TAGS" | "UNIQ_KEY"))
        .collect();
    properties.push(("KEYS".into(), message.keys.clone()));
    properties.push(("UNIQ_KEY".into(), uniq.clone()));
    properties.push(("CLUSTER".into(), CLUSTER.into()));
    properties.push(("TAGS".into(), message.tags.clone()));
    Ok(Draft {
        body: message.body,
        keys: message.keys,
        tags: message.tags,
        properties,
        uniq_key: uniq,
        born_ms: None,
        store_ms: message.store_ms,
        born_host,
        reconsume_times: 0,
        origin_topic: None,
        origin_msg_id: None,
        traced,
        pub_trace_group: Some(
            message
                .producer_group
                .unwrap_or_else(|| API_PRODUCER_GROUP.to_owned()),
        ),
    })
}

fn open_for_producers(ctx: &Ctx<'_>, instance_id: &str, topic: &str) -> Result<Appender, DmsError> {
    let instance = facts::find(ctx, instance_id)?;
    if model::system_group(topic).is_some() {
        return Err(bad_param(format!(
            "Topic `{topic}` is a system topic; producers cannot send to it."
        )));
    }
    let info = model::topic(ctx, instance_id, &instance, topic)?;
    if !info.writable {
        return Err(bad_param(format!(
            "Topic `{topic}` has permission `sub`: it does not accept messages."
        )));
    }
    Appender::open(ctx, instance_id, info)
}

/// Sends one message to `topic` as the REST API does and answers the SDK's
/// `SendMessageResponse` (`topic`, `body`, `property_list`, `msg_id` (the offset id),
/// `queue_id`, `queue_offset`, `broker_name`). The instance must be serving.
pub fn produce(
    ctx: &mut Ctx<'_>,
    instance_id: &str,
    topic: &str,
    body: &[u8],
    keys: &str,
    tags: &str,
    properties: &[(String, String)],
) -> Result<Value, DmsError> {
    facts::require_serving(&facts::find(ctx, instance_id)?)?;
    let mut appender = open_for_producers(ctx, instance_id, topic)?;
    let counter = appender.sequence();
    let draft = draft_from(
        ctx,
        &appender,
        instance_id,
        NewMessage {
            body: body.to_vec(),
            keys: keys.to_owned(),
            tags: tags.to_owned(),
            properties: properties.to_vec(),
            ..NewMessage::default()
        },
        counter,
    )?;
    let stored = appender.append(ctx, draft)?;
    appender.finish(ctx)?;
    Ok(json!({
        "topic": stored.topic,
        "body": String::from_utf8_lossy(&stored.body),
        "property_list": property_list(&stored.properties),
        "msg_id": stored.msg_id,
        "queue_id": stored.queue_id,
        "queue_offset": stored.queue_offset,
        "broker_name": stored.broker,
    }))
}

/// Stores many messages in `topic` in one go (demo data, benchmarks): same rules as
/// [`produce`] except that the instance status is not checked. Returns how many were stored.
pub fn produce_batch(
    ctx: &mut Ctx<'_>,
    instance_id: &str,
    topic: &str,
    messages: impl IntoIterator<Item = NewMessage>,
) -> Result<usize, DmsError> {
    let mut appender = open_for_producers(ctx, instance_id, topic)?;
    let mut stored = 0;
    for message in messages {
        let counter = appender.sequence();
        let draft = draft_from(ctx, &appender, instance_id, message, counter)?;
        appender.append(ctx, draft)?;
        stored += 1;
    }
    appender.finish(ctx)?;
    Ok(stored)
}

fn string_field(body: &Map<String, Value>, name: &str) -> Result<String, DmsError> {
    match body.get(name) {
        None | Some(Value::Null) => Err(bad_param(format!("{name} is required."))),
        Some(Value::String(text)) => Ok(text.clone()),
        Some(other) => Err(DmsError::bad_body(format!(
            "`{name}` must be a string, got `{other}`."
        ))),
    }
}

/// POST …/messages (Appendix A `send_message`, `send_message_for_rocket_mq`).
pub fn handle_send(ctx: &mut Ctx<'_>, req: &Req, instance_id: &str) -> Result<Resp, DmsError> {
    let body = req.json()?;
    let topic = string_field(&body, "topic")?;
    if topic.trim().is_empty() {
        return Err(bad_param("topic is required."));
    }
    let text = string_field(&body, "body")?;
    if text.is_empty() {
        return Err(bad_param(
            "body is empty: RocketMQ refuses messages without a body.",
        ));
    }
    let mut properties = Vec::new();
    match body.get("property_list") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                let (Some(name), Some(value)) = (
                    item.get("name").and_then(Value::as_str),
                    item.get("value").and_then(Value::as_str),
                ) else {
                    return Err(DmsError::bad_body(format!(
                        "each property_list item needs string `name` and `value`, got `{item}`."
                    )));
                };
                properties.push((name.to_owned(), value.to_owned()));
            }
        }
        Some(other) => {
            return Err(DmsError::bad_body(format!(
                "`property_list` must be an array, got `{other}`."
            )));
        }
    }
    let keys = property(&properties, "KEYS").unwrap_or_default().to_owned();
    let tags = property(&properties, "TAGS").unwrap_or_default().to_owned();
    let answer = produce(
        ctx,
        instance_id,
        &topic,
        text.as_bytes(),
        &keys,
        &tags,
        &properties,
    )?;
    Ok(Resp::ok(answer))
}
