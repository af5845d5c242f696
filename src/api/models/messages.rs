//! Messages (API reference §5.4 and the SDK-only `SendMessage`): queried and exported messages,
//! message traces, dead-letter resends and consumption verification.
//!
//! Shapes the real service is documented to send in more than one form are normalised here:
//! the trace comes as `{"trace": [...]}` or as a bare array, the DLQ export as an array or a
//! single object, and `property_list` as a list, a single `{name, value}` object or a map.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::api::de;

/// One message property, e.g. `KEYS`, `UNIQ_KEY`, `TAGS`, `ORIGIN_MESSAGE_ID`. Huawei schema:
/// `MessagePropertyList` (SDK `SendMessageProperties` in `SendMessage`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MessageProperty {
    /// Property name.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// Property value; may be empty.
    #[serde(deserialize_with = "de::string")]
    pub value: String,
}

impl MessageProperty {
    /// A property.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// `property_list` as a list of `{name, value}`, one such object, a `{NAME: value}` map (the
/// seed's DLQ export example) or `null`.
pub fn property_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<MessageProperty>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .into_iter()
            .map(serde_json::from_value)
            .collect::<Result<_, _>>()
            .map_err(D::Error::custom),
        Value::Object(map) if map.contains_key("name") => {
            serde_json::from_value(Value::Object(map))
                .map(|one| vec![one])
                .map_err(D::Error::custom)
        }
        Value::Object(map) => Ok(map
            .into_iter()
            .map(|(name, value)| MessageProperty {
                name,
                value: scalar_text(value),
            })
            .collect()),
        other => Err(D::Error::custom(format!(
            "expected a property list, found {other}"
        ))),
    }
}

/// A JSON scalar as text (`null` as `""`); objects and arrays as their JSON.
pub(crate) fn scalar_text(value: Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text,
        other => other.to_string(),
    }
}

/// One stored message. Huawei schema: `Message` (5.4.1 and the items of the 5.4.3 export).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Message {
    /// The server-side offset message ID (`C0A8…`).
    #[serde(deserialize_with = "de::string")]
    pub msg_id: String,
    /// Instance ID.
    #[serde(deserialize_with = "de::string")]
    pub instance_id: String,
    /// Topic (for DLQ exports the original or the DLQ topic: do not rely on either).
    #[serde(deserialize_with = "de::string")]
    pub topic: String,
    /// When the broker stored the message, epoch ms.
    #[serde(deserialize_with = "de::int")]
    pub store_timestamp: i64,
    /// When the producer created the message, epoch ms.
    #[serde(deserialize_with = "de::int")]
    pub born_timestamp: i64,
    /// Number of redeliveries.
    #[serde(deserialize_with = "de::int")]
    pub reconsume_times: i64,
    /// The body as text.
    #[serde(deserialize_with = "de::string")]
    pub body: String,
    /// CRC32 of the body.
    #[serde(deserialize_with = "de::int")]
    pub body_crc: i64,
    /// Stored size in bytes.
    #[serde(deserialize_with = "de::int")]
    pub store_size: i64,
    /// Properties.
    #[serde(deserialize_with = "property_list")]
    pub property_list: Vec<MessageProperty>,
    /// Producer address `ip:port`.
    #[serde(deserialize_with = "de::string")]
    pub born_host: String,
    /// Broker address `ip:port`.
    #[serde(deserialize_with = "de::string")]
    pub store_host: String,
    /// Queue ID.
    #[serde(deserialize_with = "de::int")]
    pub queue_id: i64,
    /// Offset within the queue.
    #[serde(deserialize_with = "de::int")]
    pub queue_offset: i64,
}

impl Message {
    /// The value of property `name`, if the message has it.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.property_list
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.value.as_str())
    }
}

/// The result of a message query. Huawei schema: `ListMessagesResponse`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MessageList {
    /// The messages of this page.
    #[serde(deserialize_with = "de::vec")]
    pub messages: Vec<Message>,
    /// The number of matches before paging.
    #[serde(deserialize_with = "de::int")]
    pub total: i64,
}

/// Filters and paging of [`crate::api::DmsClient::list_messages`] (SDK `ListMessagesRequest`).
/// Search by `msg_id`, or by a time range with or without `key`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListMessagesQuery {
    /// The topic (required).
    pub topic: String,
    /// Exact message ID.
    pub msg_id: Option<String>,
    /// Message key (`KEYS`).
    pub key: Option<String>,
    /// Start of the time window, epoch ms.
    pub start_time: Option<i64>,
    /// End of the time window, epoch ms.
    pub end_time: Option<i64>,
    /// Queue ID to restrict the search to (SDK only).
    pub queue: Option<String>,
    /// Page size.
    pub limit: Option<u32>,
    /// Index of the first message.
    pub offset: Option<u32>,
}

/// One step of a message's trace. Huawei schema: `ListMessageTraceRespTrace`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MessageTrace {
    /// Whether the step succeeded.
    #[serde(deserialize_with = "de::boolean")]
    pub success: bool,
    /// `Pub`, `SubBefore`, `SubAfter`, `EndTransaction`, `Receive` or `Ack`.
    #[serde(deserialize_with = "de::string")]
    pub trace_type: String,
    /// When the step happened, epoch ms.
    #[serde(deserialize_with = "de::int")]
    pub timestamp: i64,
    /// Producer or consumer group.
    #[serde(deserialize_with = "de::string")]
    pub group_name: String,
    /// Duration of the step in ms.
    #[serde(deserialize_with = "de::float")]
    pub cost_time: f64,
    /// Request ID of the step.
    #[serde(deserialize_with = "de::string")]
    pub request_id: String,
    /// 0 OK, 1 timeout, 2 exception, 3 returned null, 5 failed.
    #[serde(deserialize_with = "de::int")]
    pub consume_status: i64,
    /// Topic.
    #[serde(deserialize_with = "de::string")]
    pub topic: String,
    /// The producer-side message ID (UNIQ_KEY).
    #[serde(deserialize_with = "de::string")]
    pub msg_id: String,
    /// The server-side offset message ID.
    #[serde(deserialize_with = "de::string")]
    pub offset_msg_id: String,
    /// Tag.
    #[serde(deserialize_with = "de::string")]
    pub tags: String,
    /// Keys.
    #[serde(deserialize_with = "de::string")]
    pub keys: String,
    /// Broker address.
    #[serde(deserialize_with = "de::string")]
    pub store_host: String,
    /// Client address.
    #[serde(deserialize_with = "de::string")]
    pub client_host: String,
    /// Retry count.
    #[serde(deserialize_with = "de::int")]
    pub retry_times: i64,
    /// Body length in bytes.
    #[serde(deserialize_with = "de::int")]
    pub body_length: i64,
    /// `Normal_Msg`, `Trans_Msg_Half`, `Trans_msg_Commit`, `Delay_Msg` or `Order_Msg`.
    #[serde(deserialize_with = "de::string")]
    pub msg_type: String,
    /// `COMMIT_MESSAGE`, `ROLLBACK_MESSAGE`, `UNKNOW`, or none for other messages.
    #[serde(deserialize_with = "de::opt_string")]
    pub transaction_state: Option<String>,
    /// Transaction ID, if any.
    #[serde(deserialize_with = "de::opt_string")]
    pub transaction_id: Option<String>,
    /// Whether this answers a transaction check-back.
    #[serde(deserialize_with = "de::boolean")]
    pub from_transaction_check: bool,
}

/// A message's trace. Huawei schema: `ListMessageTraceResponse`; the API reference's example is a bare
/// array of records, which decodes here too (without the paging fields).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MessageTraceList {
    /// The trace records.
    pub trace: Vec<MessageTrace>,
    /// Total records (SDK only).
    pub total: Option<i64>,
    /// Next page offset (SDK only).
    pub next_offset: Option<i64>,
    /// Previous page offset (SDK only).
    pub previous_offset: Option<i64>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct TraceEnvelope {
    #[serde(deserialize_with = "de::vec")]
    trace: Vec<MessageTrace>,
    #[serde(deserialize_with = "de::opt_int")]
    total: Option<i64>,
    #[serde(deserialize_with = "de::opt_int")]
    next_offset: Option<i64>,
    #[serde(deserialize_with = "de::opt_int")]
    previous_offset: Option<i64>,
}

impl<'de> Deserialize<'de> for MessageTraceList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        let envelope = match value {
            Value::Null => TraceEnvelope::default(),
            Value::Array(_) => TraceEnvelope {
                trace: serde_json::from_value(value).map_err(D::Error::custom)?,
                ..TraceEnvelope::default()
            },
            // A lone record without the envelope.
            Value::Object(ref map) if !map.contains_key("trace") && map.contains_key("msg_id") => {
                TraceEnvelope {
                    trace: vec![serde_json::from_value(value).map_err(D::Error::custom)?],
                    ..TraceEnvelope::default()
                }
            }
            Value::Object(_) => serde_json::from_value(value).map_err(D::Error::custom)?,
            other => {
                return Err(D::Error::custom(format!(
                    "expected a trace list, found {other}"
                )));
            }
        };
        Ok(Self {
            trace: envelope.trace,
            total: envelope.total,
            next_offset: envelope.next_offset,
            previous_offset: envelope.previous_offset,
        })
    }
}

/// Paging of [`crate::api::DmsClient::list_message_trace`] (SDK `ListMessageTraceRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListMessageTraceQuery {
    /// The message ID, normally the producer-side ID (UNIQ_KEY) (required).
    pub msg_id: String,
    /// Page size (SDK only).
    pub limit: Option<u32>,
    /// Offset (SDK only).
    pub offset: Option<u32>,
}

/// The body of [`crate::api::DmsClient::export_dlq_messages`]. Huawei schema: the API reference's
/// `ExportDlqMessageReq` (no SDK model in 3.1.219). Messages matching either list are exported.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExportDlqMessagesRequest {
    /// The dead-letter topic, `%DLQ%{group}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// Offset message IDs (`C0A8…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg_id_list: Option<Vec<String>>,
    /// Unique keys (UNIQ_KEY, `7F00…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uniq_key_list: Option<Vec<String>>,
}

/// Exported dead-letter messages. Huawei schema: the 5.4.3 response, a top-level array of
/// `Message`; a single object (the API reference's example) decodes as a one-element list.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct ExportedMessages {
    /// The messages.
    pub messages: Vec<Message>,
}

impl<'de> Deserialize<'de> for ExportedMessages {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        let messages = match value {
            Value::Null => Vec::new(),
            Value::Array(_) => serde_json::from_value(value).map_err(D::Error::custom)?,
            // An envelope like the query's, should the service ever send one.
            Value::Object(ref map) if map.get("messages").is_some_and(Value::is_array) => {
                serde_json::from_value::<MessageList>(value)
                    .map_err(D::Error::custom)?
                    .messages
            }
            Value::Object(_) => vec![serde_json::from_value(value).map_err(D::Error::custom)?],
            other => {
                return Err(D::Error::custom(format!(
                    "expected exported messages, found {other}"
                )));
            }
        };
        Ok(Self { messages })
    }
}

/// The body of [`crate::api::DmsClient::resend_dlq_messages`]. Huawei schema: `DeadletterResendReq`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DlqResendRequest {
    /// The dead-letter topic, `%DLQ%{group}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// IDs of the dead-letter messages to resend.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg_id_list: Option<Vec<String>>,
}

/// The body of [`crate::api::DmsClient::verify_consumption`]. Huawei schema: `ResendReq`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VerifyConsumptionRequest {
    /// Consumer group (required).
    pub group: String,
    /// Topic of the messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// The online consumer client to push the messages to (required).
    pub client_id: String,
    /// IDs of the messages to push.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msg_id_list: Option<Vec<String>>,
}

/// The outcome for one message of a resend or a consumption verification. Huawei schema:
/// `DeadletterResendRespResendResults`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResendResult {
    /// Message ID (match results by ID or position; the ID may differ from the one sent).
    #[serde(deserialize_with = "de::string")]
    pub msg_id: String,
    /// `DMS.00000000` on success, otherwise a DMS error code.
    #[serde(deserialize_with = "de::string")]
    pub error_code: String,
    /// `Success.` on success, otherwise the reason.
    #[serde(deserialize_with = "de::string")]
    pub error_message: String,
}

impl ResendResult {
    /// Whether this message went through.
    pub fn is_success(&self) -> bool {
        self.error_code == "DMS.00000000"
    }
}

/// Per-message results. Huawei schema: `SendDlqMessageResponse` / `ValidateConsumedMessageResponse`.
/// The call succeeds (200) even when single messages fail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResendResults {
    /// One entry per requested message.
    #[serde(deserialize_with = "de::vec")]
    pub resend_results: Vec<ResendResult>,
}

/// The body of [`crate::api::DmsClient::send_message`]. Huawei schema: `SendMessageReq`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SendMessageRequest {
    /// Topic (required).
    pub topic: String,
    /// Body text (required).
    pub body: String,
    /// Properties, e.g. `KEYS` and `TAGS`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property_list: Option<Vec<MessageProperty>>,
}

/// A produced message. Huawei schema: `SendMessageResponse`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SentMessage {
    /// Topic.
    #[serde(deserialize_with = "de::string")]
    pub topic: String,
    /// Body.
    #[serde(deserialize_with = "de::string")]
    pub body: String,
    /// Properties.
    #[serde(deserialize_with = "property_list")]
    pub property_list: Vec<MessageProperty>,
    /// Message ID.
    #[serde(deserialize_with = "de::string")]
    pub msg_id: String,
    /// Queue ID.
    #[serde(deserialize_with = "de::int")]
    pub queue_id: i64,
    /// Offset within the queue.
    #[serde(deserialize_with = "de::int")]
    pub queue_offset: i64,
    /// Broker that stored the message.
    #[serde(deserialize_with = "de::string")]
    pub broker_name: String,
}
