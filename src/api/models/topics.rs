//! Topics (API reference §5.3): the topic object and its list, the groups consuming a topic,
//! a topic's message counts, and the request bodies that create, change and delete topics.
//!
//! The reference's example of the message counts sends `brokers` as a single object where the
//! table documents an array; [`TopicStatus`] accepts both.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::api::de;

/// One topic, as listed and as fetched alone. Huawei schemas: `Topic` (list items) and
/// `ShowOneTopicResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Topic {
    /// Topic name (the §5.3.4 example leaves it out).
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// Total read queues.
    #[serde(deserialize_with = "de::int")]
    pub total_read_queue_num: i64,
    /// Total write queues.
    #[serde(deserialize_with = "de::int")]
    pub total_write_queue_num: i64,
    /// `pub`, `sub` or `all`.
    #[serde(deserialize_with = "de::string")]
    pub permission: String,
    /// Queues per broker.
    #[serde(deserialize_with = "de::vec")]
    pub brokers: Vec<TopicBroker>,
    /// 5.x only: `NORMAL`, `FIFO`, `DELAY` or `TRANSACTION`.
    #[serde(deserialize_with = "de::string")]
    pub message_type: String,
    /// SDK only: creation time, epoch milliseconds.
    #[serde(deserialize_with = "de::opt_int")]
    pub created_at: Option<i64>,
    /// SDK only: the description set with `topic_desc` (§5.3.5); empty when DMS sends none.
    #[serde(deserialize_with = "de::string")]
    pub topic_desc: String,
}

/// A topic's queues on one broker. Huawei schema: `TopicBrokers`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TopicBroker {
    /// The broker name.
    #[serde(deserialize_with = "de::string")]
    pub broker_name: String,
    /// Read queues.
    #[serde(deserialize_with = "de::int")]
    pub read_queue_num: i64,
    /// Write queues.
    #[serde(deserialize_with = "de::int")]
    pub write_queue_num: i64,
}

/// A page of topics. Huawei schema: `ListRocketInstanceTopicsResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TopicList {
    /// The number of topics.
    #[serde(deserialize_with = "de::int")]
    pub total: i64,
    /// The most topics the instance can have.
    #[serde(deserialize_with = "de::int")]
    pub max: i64,
    /// How many more topics can be created.
    #[serde(deserialize_with = "de::int")]
    pub remaining: i64,
    /// The offset of the next page, -1 for none.
    #[serde(deserialize_with = "de::int")]
    pub next_offset: i64,
    /// The offset of the previous page, -1 for none.
    #[serde(deserialize_with = "de::int")]
    pub previous_offset: i64,
    /// The topics of this page.
    #[serde(deserialize_with = "de::vec")]
    pub topics: Vec<Topic>,
}

/// The body of [`crate::api::DmsClient::create_topic`]. Huawei schema: the create form of
/// `CreateTopicOrBatchDeleteTopicReq`. A 4.8.0 topic takes `brokers`, `queues` and
/// `permission`; a 5.x topic takes `message_type`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CreateTopicReq {
    /// Topic name: 3–64 characters from `[A-Za-z0-9%|_-]`.
    pub name: String,
    /// Associated brokers (4.8.0 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brokers: Option<Vec<String>>,
    /// Total queue count, 1–50.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_num: Option<u32>,
    /// Queues per broker (4.8.0 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queues: Option<Vec<TopicQueues>>,
    /// `pub`, `sub` or `all` (4.8.0 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission: Option<String>,
    /// `NORMAL`, `FIFO`, `DELAY` or `TRANSACTION` (5.x only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_type: Option<String>,
}

/// A new topic's queues on one broker. Huawei schema: `CreateTopicReqQueues`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TopicQueues {
    /// The broker name.
    pub broker: String,
    /// Queue count, 1–50.
    pub queue_num: u32,
}

/// The answer to a topic create. Huawei schema: the create form of
/// `CreateTopicOrBatchDeleteTopicResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreatedTopic {
    /// The new topic's name (DMS calls it `id`).
    #[serde(deserialize_with = "de::string")]
    pub id: String,
}

/// The body of [`crate::api::DmsClient::batch_delete_topics`]. Huawei schema: the delete form
/// of `CreateTopicOrBatchDeleteTopicReq`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BatchDeleteTopicsReq {
    /// The names of the topics to delete.
    pub topics: Vec<String>,
}

/// The body of [`crate::api::DmsClient::update_topic`]; unset fields are left unchanged.
/// Queue counts and permission can change on 4.8.0 only. Huawei schema: `UpdateTopicReq`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UpdateTopicReq {
    /// Total read queues.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_queue_num: Option<u32>,
    /// Total write queues.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_queue_num: Option<u32>,
    /// `pub`, `sub` or `all`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission: Option<String>,
    /// SDK only: queues per broker.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queues: Option<Vec<TopicQueueChange>>,
    /// SDK only: description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic_desc: Option<String>,
}

/// A topic's new queue counts on one broker. Huawei schema: `UpdateTopicQueueEntity`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TopicQueueChange {
    /// The broker name.
    pub broker: String,
    /// Read queues.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_queue_num: Option<u32>,
    /// Write queues.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_queue_num: Option<u32>,
}

/// The consumer groups of a topic. Huawei schema: `ListConsumerGroupOfTopicResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TopicGroupList {
    /// The group names.
    #[serde(deserialize_with = "de::string_list")]
    pub groups: Vec<String>,
    /// SDK only: the number of groups.
    #[serde(deserialize_with = "de::opt_int")]
    pub total: Option<i64>,
}

/// A topic's message counts. Huawei schema: `ShowTopicStatusResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TopicStatus {
    /// Topic-level maximum offset (missing from the reference's example).
    #[serde(deserialize_with = "de::opt_int")]
    pub max_offset: Option<i64>,
    /// Topic-level minimum offset (missing from the reference's example).
    #[serde(deserialize_with = "de::opt_int")]
    pub min_offset: Option<i64>,
    /// Queues per broker (an array or a single object on the wire).
    #[serde(deserialize_with = "status_brokers")]
    pub brokers: Vec<TopicStatusBroker>,
}

/// One broker's queues in [`TopicStatus`]. Huawei schema: `ShowTopicStatusRespBrokers`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TopicStatusBroker {
    /// The broker name.
    #[serde(deserialize_with = "de::string")]
    pub broker_name: String,
    /// Its queues.
    #[serde(deserialize_with = "de::vec")]
    pub queues: Vec<TopicStatusQueue>,
}

/// One queue's offsets. Huawei schema: `ShowTopicStatusRespQueues`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TopicStatusQueue {
    /// Queue id.
    #[serde(deserialize_with = "de::int")]
    pub id: i64,
    /// Minimum offset.
    #[serde(deserialize_with = "de::int")]
    pub min_offset: i64,
    /// Maximum offset.
    #[serde(deserialize_with = "de::int")]
    pub max_offset: i64,
    /// Time of the last message, epoch milliseconds.
    #[serde(deserialize_with = "de::int")]
    pub last_message_time: i64,
}

/// `brokers` of [`TopicStatus`] from either shape DMS documents: an array of brokers (the
/// table) or one broker object (the reference's example, which the SDK wraps into a list);
/// `null` gives an empty list.
fn status_brokers<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<TopicStatusBroker>, D::Error> {
    use serde::de::Error;

    let brokers = match Value::deserialize(d)? {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items.into_iter().map(serde_json::from_value).collect(),
        object @ Value::Object(_) => serde_json::from_value(object).map(|broker| vec![broker]),
        other => {
            return Err(D::Error::custom(format!(
                "expected a broker list or a broker object, found {other}"
            )));
        }
    };
    brokers.map_err(D::Error::custom)
}
