//! Consumer groups (API reference §5.2, §8.2.2–8.2.5): the group object and its list, the
//! consumption progress per topic, offset resets, connected consumers, and the request bodies
//! that create, change and delete groups.
//!
//! The reference and the SDK disagree on the creation-time key (`createdAt` vs `created_at`),
//! so both are read; see [`ConsumerGroup`].

use serde::{Deserialize, Serialize};

use crate::api::de;

/// A consumer group, as listed and as fetched alone. Huawei schemas: `ConsumerGroup` (list
/// items) and `ShowGroupResponse`.
///
/// The creation time arrives as `createdAt` (the reference) or `created_at` (the SDK); either,
/// or both, are accepted, and `created_at` wins when both are present. Decoding goes through
/// a private wire struct (which defaults every missing field) and serialising writes
/// `created_at`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "ConsumerGroupWire")]
pub struct ConsumerGroup {
    /// Group name: 3–64 characters from `[A-Za-z0-9%|_-]`.
    pub name: String,
    /// Consumption allowed.
    pub enabled: bool,
    /// Broadcast consumption.
    pub broadcast: bool,
    /// Associated brokers, e.g. `broker-0` (4.8.0).
    pub brokers: Vec<String>,
    /// Description, up to 200 characters.
    pub group_desc: String,
    /// Maximum retries, 1–16.
    pub retry_max_time: i64,
    /// Creation time in epoch milliseconds.
    pub created_at: Option<i64>,
    /// Permissions (undocumented content; usually empty).
    pub permissions: Vec<String>,
    /// Orderly consumption (5.x).
    pub consume_orderly: bool,
    /// SDK only: the group has online consumers.
    pub group_online: bool,
    /// SDK only: the number of subscribed topics.
    pub topic_subscription_count: Option<i64>,
    /// Reference only (§5.2.5): application id, usually `null`.
    pub app_id: Option<String>,
    /// Reference only (§5.2.5): application name, usually `null`.
    pub app_name: Option<String>,
}

/// The wire form of [`ConsumerGroup`], with both spellings of the creation time.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ConsumerGroupWire {
    #[serde(deserialize_with = "de::string")]
    name: String,
    #[serde(deserialize_with = "de::boolean")]
    enabled: bool,
    #[serde(deserialize_with = "de::boolean")]
    broadcast: bool,
    #[serde(deserialize_with = "de::string_list")]
    brokers: Vec<String>,
    #[serde(deserialize_with = "de::string")]
    group_desc: String,
    #[serde(deserialize_with = "de::int")]
    retry_max_time: i64,
    #[serde(deserialize_with = "de::opt_int")]
    created_at: Option<i64>,
    #[serde(rename = "createdAt", deserialize_with = "de::opt_int")]
    created_at_camel: Option<i64>,
    #[serde(deserialize_with = "de::string_list")]
    permissions: Vec<String>,
    #[serde(deserialize_with = "de::boolean")]
    consume_orderly: bool,
    #[serde(deserialize_with = "de::boolean")]
    group_online: bool,
    #[serde(deserialize_with = "de::opt_int")]
    topic_subscription_count: Option<i64>,
    #[serde(deserialize_with = "de::opt_string")]
    app_id: Option<String>,
    #[serde(deserialize_with = "de::opt_string")]
    app_name: Option<String>,
}

impl From<ConsumerGroupWire> for ConsumerGroup {
    fn from(wire: ConsumerGroupWire) -> Self {
        Self {
            name: wire.name,
            enabled: wire.enabled,
            broadcast: wire.broadcast,
            brokers: wire.brokers,
            group_desc: wire.group_desc,
            retry_max_time: wire.retry_max_time,
            created_at: wire.created_at.or(wire.created_at_camel),
            permissions: wire.permissions,
            consume_orderly: wire.consume_orderly,
            group_online: wire.group_online,
            topic_subscription_count: wire.topic_subscription_count,
            app_id: wire.app_id,
            app_name: wire.app_name,
        }
    }
}

/// A page of consumer groups. Huawei schema: `ListInstanceConsumerGroupsResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConsumerGroupList {
    /// The number of groups matching the filter.
    #[serde(deserialize_with = "de::int")]
    pub total: i64,
    /// The groups of this page.
    #[serde(deserialize_with = "de::vec")]
    pub groups: Vec<ConsumerGroup>,
    /// The most groups the instance can have.
    #[serde(deserialize_with = "de::int")]
    pub max: i64,
    /// How many more groups can be created.
    #[serde(deserialize_with = "de::int")]
    pub remaining: i64,
    /// The offset of the next page, -1 for none.
    #[serde(deserialize_with = "de::int")]
    pub next_offset: i64,
    /// The offset of the previous page, -1 for none.
    #[serde(deserialize_with = "de::int")]
    pub previous_offset: i64,
}

/// Filter and paging of [`crate::api::DmsClient::list_consumer_groups`]. Huawei schema:
/// `ListInstanceConsumerGroupsRequest`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListConsumerGroupsQuery {
    /// Name filter (substring match).
    pub group: Option<String>,
    /// Page size (default 10).
    pub limit: Option<u32>,
    /// Offset (from 0).
    pub offset: Option<u32>,
}

/// The body of [`crate::api::DmsClient::create_consumer_group`]. Huawei schema: the create form
/// of `CreateConsumerGroupOrBatchDeleteConsumerGroupReq`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CreateConsumerGroupReq {
    /// Group name: 3–64 characters from `[A-Za-z0-9%|_-]`.
    pub name: String,
    /// Associated brokers (4.8.0 instances only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brokers: Option<Vec<String>>,
    /// Broadcast consumption.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broadcast: Option<bool>,
    /// Maximum retries, 1–16.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_max_time: Option<u32>,
    /// Consumption allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Orderly consumption (5.x instances only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consume_orderly: Option<bool>,
    /// Description, up to 200 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_desc: Option<String>,
}

/// The answer to a group create. Huawei schema: the create form of
/// `CreateConsumerGroupOrBatchDeleteConsumerGroupResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreatedConsumerGroup {
    /// The name of the new group.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
}

/// The body of [`crate::api::DmsClient::batch_delete_consumer_groups`]. Huawei schema: the
/// delete form of `CreateConsumerGroupOrBatchDeleteConsumerGroupReq`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BatchDeleteConsumerGroupsReq {
    /// The names of the groups to delete.
    pub groups: Vec<String>,
}

/// The body of [`crate::api::DmsClient::batch_update_consumer_groups`]. Huawei schema:
/// `BatchUpdateConsumerGroupReq`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BatchUpdateConsumerGroupsReq {
    /// The groups to change.
    pub groups: Vec<ConsumerGroupChange>,
}

/// One group of a batch update; unset fields are left unchanged. Huawei schema:
/// `BatchUpdateConsumerGroup` (the reference's `CreateOrUpdateConsumerGroup`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConsumerGroupChange {
    /// The group to change.
    pub name: String,
    /// Associated brokers (4.8.0; in the reference only, the SDK cannot send it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brokers: Option<Vec<String>>,
    /// Broadcast consumption.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broadcast: Option<bool>,
    /// Maximum retries, 1–16.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_max_time: Option<u32>,
    /// Consumption allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Orderly consumption (5.x).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consume_orderly: Option<bool>,
    /// Description, up to 200 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_desc: Option<String>,
}

/// The body of [`crate::api::DmsClient::update_consumer_group`]. Huawei schema:
/// `UpdateConsumerGroup`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UpdateConsumerGroupReq {
    /// Consumption allowed.
    pub enabled: bool,
    /// Broadcast consumption.
    pub broadcast: bool,
    /// Associated brokers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brokers: Option<Vec<String>>,
    /// The group's name; it cannot be changed, it only identifies the group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Maximum retries, 1–16.
    pub retry_max_time: u32,
    /// SDK only: orderly consumption (5.x).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consume_orderly: Option<bool>,
    /// SDK only: description, up to 200 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_desc: Option<String>,
}

/// The topics a group consumes (§5.2.7 without `topic`). Huawei schema: the list form of
/// `ShowConsumerListOrDetailsResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupTopicList {
    /// The topic names.
    #[serde(deserialize_with = "de::string_list")]
    pub topics: Vec<String>,
    /// The number of topics.
    #[serde(deserialize_with = "de::int")]
    pub total: i64,
}

/// A group's consumption progress on one topic (§5.2.7 with `topic`). Huawei schema: the
/// detail form of `ShowConsumerListOrDetailsResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupTopicDetail {
    /// Total backlog.
    #[serde(deserialize_with = "de::int")]
    pub lag: i64,
    /// Total messages.
    #[serde(deserialize_with = "de::int")]
    pub max_offset: i64,
    /// Consumed messages.
    #[serde(deserialize_with = "de::int")]
    pub consumer_offset: i64,
    /// Progress per broker.
    #[serde(deserialize_with = "de::vec")]
    pub brokers: Vec<GroupTopicBroker>,
}

/// One broker's queues in [`GroupTopicDetail`]. Huawei schema: `Brokers`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupTopicBroker {
    /// The broker name.
    #[serde(deserialize_with = "de::string")]
    pub broker_name: String,
    /// Its queues.
    #[serde(deserialize_with = "de::vec")]
    pub queues: Vec<GroupTopicQueue>,
}

/// One queue's consumption progress. Huawei schema: `Queue`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupTopicQueue {
    /// Queue id.
    #[serde(deserialize_with = "de::int")]
    pub id: i64,
    /// Backlog.
    #[serde(deserialize_with = "de::int")]
    pub lag: i64,
    /// Messages in the queue.
    #[serde(deserialize_with = "de::int")]
    pub broker_offset: i64,
    /// Consumed messages.
    #[serde(deserialize_with = "de::int")]
    pub consumer_offset: i64,
    /// Store time of the latest consumed message, epoch ms (0 for none).
    #[serde(deserialize_with = "de::int")]
    pub last_message_time: i64,
    /// SDK only: the consuming client.
    #[serde(deserialize_with = "de::string")]
    pub client_id: String,
}

/// The body of [`crate::api::DmsClient::reset_consume_offset`]. Huawei schema:
/// `ResetConsumeOffsetReq`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResetConsumeOffsetReq {
    /// The topic whose offsets are reset.
    pub topic: String,
    /// The target time, epoch milliseconds (sent as a number, as the SDK does).
    pub timestamp: i64,
}

/// The queues an offset reset moved. Huawei schema: `ResetConsumeOffsetResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResetConsumeOffsetResult {
    /// One entry per queue.
    #[serde(deserialize_with = "de::vec")]
    pub queues: Vec<ResetQueue>,
}

/// One reset queue. Huawei schema: `ResetConsumeOffsetRespQueues`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResetQueue {
    /// The broker of the queue.
    #[serde(deserialize_with = "de::string")]
    pub broker_name: String,
    /// Queue id.
    #[serde(deserialize_with = "de::int")]
    pub queue_id: i64,
    /// The offset the queue was reset to.
    #[serde(deserialize_with = "de::int")]
    pub timestamp_offset: i64,
}

/// Paging and detail level of [`crate::api::DmsClient::list_consumer_clients`]. Huawei schema:
/// `ShowConsumerConnectionsRequest`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListConsumerClientsQuery {
    /// Page size, 1–50.
    pub limit: Option<u32>,
    /// Offset (from 0).
    pub offset: Option<u32>,
    /// `true` returns the detailed list, with subscriptions.
    pub is_detail: Option<bool>,
}

/// The consumers connected for a group. Huawei schema: `ShowConsumerConnectionsResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConsumerClientList {
    /// The group name.
    #[serde(deserialize_with = "de::string")]
    pub group_name: String,
    /// The group is online.
    #[serde(deserialize_with = "de::boolean")]
    pub online: bool,
    /// The clients' subscriptions agree.
    #[serde(deserialize_with = "de::boolean")]
    pub subscription_consistency: bool,
    /// The number of consumers.
    #[serde(deserialize_with = "de::int")]
    pub total: i64,
    /// The offset of the next page, -1 for none.
    #[serde(deserialize_with = "de::int")]
    pub next_offset: i64,
    /// The offset of the previous page, -1 for none.
    #[serde(deserialize_with = "de::int")]
    pub previous_offset: i64,
    /// The consumers.
    #[serde(deserialize_with = "de::vec")]
    pub clients: Vec<ConsumerClient>,
}

/// One connected consumer. Huawei schema: `ClientData`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConsumerClient {
    /// Client language, e.g. `JAVA`.
    #[serde(deserialize_with = "de::string")]
    pub language: String,
    /// Client version, e.g. `V4_8_0`.
    #[serde(deserialize_with = "de::string")]
    pub version: String,
    /// Client id, e.g. `192.168.0.1@consumer1`.
    #[serde(deserialize_with = "de::string")]
    pub client_id: String,
    /// Client address, `ip:port`.
    #[serde(deserialize_with = "de::string")]
    pub client_addr: String,
    /// SDK only: `CONSUME_POP`, `CONSUME_PASSIVELY` (push) or `CONSUME_ACTIVELY` (pull).
    #[serde(deserialize_with = "de::string")]
    pub consume_type: String,
    /// Subscriptions (only in the detailed list).
    #[serde(deserialize_with = "de::vec")]
    pub subscriptions: Vec<Subscription>,
}

/// One subscription of a consumer. Huawei schema: `Subscription`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Subscription {
    /// The topic.
    #[serde(deserialize_with = "de::string")]
    pub topic: String,
    /// `TAG` or `SQL92`.
    #[serde(rename = "type", deserialize_with = "de::string")]
    pub kind: String,
    /// The filter expression.
    #[serde(deserialize_with = "de::string")]
    pub expression: String,
}
