//! Shapes shared by several chapters: tags, empty bodies.

use serde::{Deserialize, Serialize};

use crate::api::de;

/// A resource tag. Huawei schema: `TagEntity`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tag {
    /// The key: 1–128 characters.
    #[serde(deserialize_with = "de::string")]
    pub key: String,
    /// The value: 0–255 characters.
    #[serde(deserialize_with = "de::string")]
    pub value: String,
}

/// A body the caller does not need (204 responses and acknowledgements).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Empty {}
