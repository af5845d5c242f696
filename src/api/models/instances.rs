//! Instances (API reference §5.1, §8.1.1, §8.2.1): the instance object and its lists.

use serde::{Deserialize, Serialize};

use super::common::Tag;
use crate::api::de;

/// One RocketMQ instance. Huawei schema: `ShowInstanceResp` (SDK `InstanceDetail` in lists,
/// `ShowInstanceResponse` when fetched alone).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Instance {
    /// Instance name.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// Engine (`reliability` or `rocketmq`).
    #[serde(deserialize_with = "de::string")]
    pub engine: String,
    /// Status, e.g. `RUNNING` (see `api/instance-status.tsv`).
    #[serde(deserialize_with = "de::string")]
    pub status: String,
    /// Instance UUID.
    #[serde(deserialize_with = "de::string")]
    pub instance_id: String,
    /// `4.8.0` or `5.x`.
    #[serde(deserialize_with = "de::string")]
    pub engine_version: String,
    /// Tags.
    #[serde(deserialize_with = "de::vec")]
    pub tags: Vec<Tag>,
}

/// The list of instances. Huawei schema: `ListInstancesResponse`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceList {
    /// The instances of this page.
    #[serde(deserialize_with = "de::vec")]
    pub instances: Vec<Instance>,
    /// The number of instances matching the filters.
    #[serde(deserialize_with = "de::int")]
    pub instance_num: i64,
}

/// Filters and paging of [`crate::api::DmsClient::list_instances`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListInstancesQuery {
    /// Must be `reliability` (required by the API).
    pub engine: Option<String>,
    /// Name filter.
    pub name: Option<String>,
    /// Instance id filter.
    pub instance_id: Option<String>,
    /// Status filter.
    pub status: Option<String>,
    /// Whether to match `name` exactly.
    pub include_failure: Option<bool>,
    /// Exact name match.
    pub exact_match_name: Option<bool>,
    /// Enterprise project filter.
    pub enterprise_project_id: Option<String>,
    /// Page size (1–50).
    pub limit: Option<u32>,
    /// Offset.
    pub offset: Option<u32>,
}
