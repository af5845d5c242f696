//! Tags (API reference §5.8): adding and removing instance tags, and reading the tags of an
//! instance and of the project. The tag itself is [`Tag`] (Huawei `TagEntity`).

use serde::{Deserialize, Serialize};

use super::common::Tag;
use crate::api::de;

/// What a tag batch does (`action`; lower case only on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TagAction {
    /// `create`: add the tags (an existing key gets the new value).
    Create,
    /// `delete`: remove the tags.
    Delete,
}

/// The body of a tag batch. Huawei schema: `BatchCreateOrDeleteTagReq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagBatch {
    /// `create` or `delete`.
    pub action: TagAction,
    /// The tags (at most 20 per instance).
    pub tags: Vec<Tag>,
}

/// The tags of an instance. Huawei schema: `ShowRocketmqTagsResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceTags {
    /// The tags.
    #[serde(deserialize_with = "de::vec")]
    pub tags: Vec<Tag>,
    /// Total tags (SDK only).
    #[serde(deserialize_with = "de::opt_int")]
    pub total: Option<i64>,
    /// Next page offset (SDK only).
    #[serde(deserialize_with = "de::opt_int")]
    pub next_offset: Option<i64>,
    /// Previous page offset (SDK only).
    #[serde(deserialize_with = "de::opt_int")]
    pub previous_offset: Option<i64>,
}

/// One tag key used in the project, with all its values. Huawei schema: `TagMultyValueEntity`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectTag {
    /// Tag key.
    #[serde(deserialize_with = "de::string")]
    pub key: String,
    /// The distinct values used with the key.
    #[serde(deserialize_with = "de::string_list")]
    pub values: Vec<String>,
}

/// The tags of all RocketMQ instances of the project. Huawei schema:
/// `ShowRocketmqProjectTagsResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectTags {
    /// One entry per key.
    #[serde(deserialize_with = "de::vec")]
    pub tags: Vec<ProjectTag>,
    /// Total keys (SDK only).
    #[serde(deserialize_with = "de::opt_int")]
    pub total: Option<i64>,
    /// Next page offset (SDK only).
    #[serde(deserialize_with = "de::opt_int")]
    pub next_offset: Option<i64>,
    /// Previous page offset (SDK only).
    #[serde(deserialize_with = "de::opt_int")]
    pub previous_offset: Option<i64>,
}
