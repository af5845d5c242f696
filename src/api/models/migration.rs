//! Metadata migration (API reference §5.6): the metadata a task imports, and the tasks.
//!
//! The RocketMQ part of a task body is sent in the API reference's camelCase (`topicConfigTable`,
//! `readQueueNums`…), the native format of a broker's `topics.json` and
//! `subscriptionGroup.json`; the SDK's snake_case spelling is accepted when such a body is
//! read back (from a file, say). Absent fields are not sent; DMS applies its defaults.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::api::de;

/// What a migration task imports (query `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum MigrationType {
    /// `rocketmq`: self-built or third-party RocketMQ to DMS.
    #[default]
    #[serde(rename = "rocketmq")]
    Rocketmq,
    /// `rabbitToRocket`: self-built RabbitMQ to DMS for RocketMQ.
    #[serde(rename = "rabbitToRocket")]
    RabbitToRocket,
}

impl MigrationType {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rocketmq => "rocketmq",
            Self::RabbitToRocket => "rabbitToRocket",
        }
    }
}

impl fmt::Display for MigrationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The query of [`crate::api::DmsClient::create_migration_task`] (SDK
/// `CreateRocketMqMigrationTaskRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateMigrationTaskQuery {
    /// Overwrite topics and groups that already exist (otherwise they are an error).
    pub overwrite: bool,
    /// Task name: 4–64 characters, starting with a letter; letters, digits, `-`, `_`.
    pub name: String,
    /// Migration type.
    pub task_type: MigrationType,
}

/// One RocketMQ topic to create. Huawei schema: `MigrationRocketMqTopicConfig` (the API reference's
/// TopicConfig).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TopicConfig {
    /// Topic name (normally the map key).
    #[serde(
        alias = "topic_name",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub topic_name: Option<String>,
    /// Ordered topic (default `false`).
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub order: Option<bool>,
    /// RocketMQ permission bitmask: 2 write, 4 read, 6 both (default 6).
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_int"
    )]
    pub perm: Option<i64>,
    /// Read queues (default 16).
    #[serde(
        alias = "read_queue_nums",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_int"
    )]
    pub read_queue_nums: Option<i64>,
    /// Write queues (default 16).
    #[serde(
        alias = "write_queue_nums",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_int"
    )]
    pub write_queue_nums: Option<i64>,
    /// `SINGLE_TAG` or `MULTI_TAG`.
    #[serde(
        alias = "topic_filter_type",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub topic_filter_type: Option<String>,
    /// RocketMQ topic system flag (default 0).
    #[serde(
        alias = "topic_sys_flag",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_int"
    )]
    pub topic_sys_flag: Option<i64>,
}

/// One RocketMQ consumer group to create. Huawei schema: `MigrationRocketMqSubscriptionGroup`
/// (the API reference's SubscriptionGroup).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SubscriptionGroup {
    /// Group name (normally the map key).
    #[serde(
        alias = "group_name",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_string"
    )]
    pub group_name: Option<String>,
    /// Broadcast consumption allowed.
    #[serde(
        alias = "consume_broadcast_enable",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub consume_broadcast_enable: Option<bool>,
    /// Consumption allowed (default `true`).
    #[serde(
        alias = "consume_enable",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub consume_enable: Option<bool>,
    /// Start from the minimum offset (default `true`).
    #[serde(
        alias = "consume_from_min_enable",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub consume_from_min_enable: Option<bool>,
    /// Notify consumers when the group changes (default `true`).
    #[serde(
        alias = "notify_consumer_ids_changed_enable",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_bool"
    )]
    pub notify_consumer_ids_changed_enable: Option<bool>,
    /// Maximum retries before dead-lettering (default 16).
    #[serde(
        alias = "retry_max_times",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_int"
    )]
    pub retry_max_times: Option<i64>,
    /// Retry queues (default 1).
    #[serde(
        alias = "retry_queue_nums",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_int"
    )]
    pub retry_queue_nums: Option<i64>,
    /// Broker used when consumption is slow (default 1).
    #[serde(
        alias = "which_broker_when_consume_slow",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "de::opt_int"
    )]
    pub which_broker_when_consume_slow: Option<i64>,
}

/// A RabbitMQ virtual host. Huawei schema: `MigrationRabbitVhostMetadata`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RabbitVhost {
    /// Vhost name.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
}

/// A RabbitMQ queue. Huawei schema: `MigrationRabbitQueueMetadata`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RabbitQueue {
    /// Vhost.
    #[serde(deserialize_with = "de::string")]
    pub vhost: String,
    /// Queue name.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// Durable queue.
    #[serde(deserialize_with = "de::boolean")]
    pub durable: bool,
}

/// A RabbitMQ exchange. Huawei schema: `MigrationRabbitExchangeMetadata`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RabbitExchange {
    /// Vhost.
    #[serde(deserialize_with = "de::string")]
    pub vhost: String,
    /// Exchange name.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// `topic`, `direct`, `fanout` or `headers`.
    #[serde(rename = "type", deserialize_with = "de::string")]
    pub exchange_type: String,
    /// Durable exchange.
    #[serde(deserialize_with = "de::boolean")]
    pub durable: bool,
}

/// A RabbitMQ binding. Huawei schema: `MigrationRabbitBindingMetadata`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RabbitBinding {
    /// Vhost.
    #[serde(deserialize_with = "de::string")]
    pub vhost: String,
    /// Source exchange.
    #[serde(deserialize_with = "de::string")]
    pub source: String,
    /// Destination exchange or queue.
    #[serde(deserialize_with = "de::string")]
    pub destination: String,
    /// `exchange` or `queue`.
    #[serde(deserialize_with = "de::string")]
    pub destination_type: String,
    /// Routing key.
    #[serde(deserialize_with = "de::string")]
    pub routing_key: String,
}

/// The metadata a migration task imports: the topic and group tables for `rocketmq`, the
/// RabbitMQ definitions for `rabbitToRocket`. Huawei schema: `CreateRocketMqMigrationTaskReq`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MigrationMetadata {
    /// Topics by name.
    #[serde(
        rename = "topicConfigTable",
        alias = "topic_config_table",
        skip_serializing_if = "Option::is_none"
    )]
    pub topic_config_table: Option<BTreeMap<String, TopicConfig>>,
    /// Consumer groups by name.
    #[serde(
        rename = "subscriptionGroupTable",
        alias = "subscription_group_table",
        skip_serializing_if = "Option::is_none"
    )]
    pub subscription_group_table: Option<BTreeMap<String, SubscriptionGroup>>,
    /// RabbitMQ virtual hosts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vhosts: Option<Vec<RabbitVhost>>,
    /// RabbitMQ queues.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queues: Option<Vec<RabbitQueue>>,
    /// RabbitMQ exchanges.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchanges: Option<Vec<RabbitExchange>>,
    /// RabbitMQ bindings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bindings: Option<Vec<RabbitBinding>>,
}

/// A new migration task. Huawei schema: `CreateRocketMqMigrationTaskResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MigrationTaskCreated {
    /// The task ID (UUID).
    #[serde(deserialize_with = "de::string")]
    pub task_id: String,
}

/// Paging of [`crate::api::DmsClient::list_migration_tasks`] (SDK
/// `ListRocketMqMigrationTaskRequest`). Unlike elsewhere, the page is a 1-based page number,
/// sent as `offset`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListMigrationTasksQuery {
    /// Page number, starting at 1 (`offset` on the wire).
    pub page: Option<u32>,
    /// Page size.
    pub limit: Option<u32>,
}

/// Sub-queries of [`crate::api::DmsClient::show_migration_task`] (SDK
/// `ListRocketMqMigrationTaskRequest` with `id`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShowMigrationTaskQuery {
    /// Which migrated RabbitMQ metadata to list: `vhost`, `exchange`, `queue` or `all`.
    pub metadata_type: Option<String>,
    /// Empty for vhosts, the vhost for exchanges, `{vhost}-{exchange}` for queues.
    pub name: Option<String>,
    /// Page number, starting at 1 (`offset` on the wire).
    pub page: Option<u32>,
    /// Page size.
    pub limit: Option<u32>,
}

/// One migration task. Huawei schema: `MetadataTask`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MigrationTask {
    /// Task ID.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// Task name.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// Start time, local `YYYY-MM-DD HH:MM:SS.ff`.
    #[serde(deserialize_with = "de::string")]
    pub start_date: String,
    /// `creating`, `starting` (migrating), `failed` or `finished`.
    #[serde(deserialize_with = "de::string")]
    pub status: String,
    /// `rocketmq` or `rabbitToRocket`.
    #[serde(rename = "type", deserialize_with = "de::string")]
    pub task_type: String,
}

/// Migration tasks. Huawei schema: `ListRocketMqMigrationTaskResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MigrationTaskList {
    /// The number of tasks.
    #[serde(deserialize_with = "de::int")]
    pub total: i64,
    /// The tasks (wire name `task`).
    #[serde(rename = "task", alias = "tasks", deserialize_with = "de::vec")]
    pub tasks: Vec<MigrationTask>,
}

impl MigrationTaskList {
    /// The task with ID `id`, if listed.
    pub fn find(&self, id: &str) -> Option<&MigrationTask> {
        self.tasks.iter().find(|task| task.id == id)
    }
}

/// The body of the task deletions. Huawei schema: `MetadataDeleteReq`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeleteMigrationTasksRequest {
    /// IDs of the tasks to delete (required, non-empty).
    pub task_ids: Vec<String>,
}

/// The tasks deleted; empty when DMS answers without a body (the API reference's `DELETE`). Huawei
/// schema: `BatchDeleteRocketMqMigrationTaskResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeletedMigrationTasks {
    /// IDs that were deleted; unknown IDs are not listed.
    #[serde(deserialize_with = "de::string_list")]
    pub success_task_list: Vec<String>,
}
