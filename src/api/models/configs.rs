//! Instance parameters (API reference §5.7): the RocketMQ configuration of an instance.
//!
//! Values are strings on the wire per the table and the SDK, but the API reference's examples send
//! numbers; both decode to `String`, and changes are always sent as strings.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::api::de;

/// One configurable parameter. Huawei schema: `RocketMQConfigResp`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RocketMqConfig {
    /// Parameter name, e.g. `fileReservedTime`.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// Current value.
    #[serde(deserialize_with = "de::string")]
    pub value: String,
    /// `dynamic` (applies without restart) or `static`.
    #[serde(deserialize_with = "de::string")]
    pub config_type: String,
    /// Default value.
    #[serde(deserialize_with = "de::string")]
    pub default_value: String,
    /// Allowed range, `min~max` (e.g. `1~720`).
    #[serde(deserialize_with = "de::string")]
    pub valid_values: String,
    /// `integer` or `boolean`.
    #[serde(deserialize_with = "de::string")]
    pub value_type: String,
}

/// The configuration of an instance. Huawei schema: `ShowRocketMqConfigsResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RocketMqConfigs {
    /// The parameters.
    #[serde(deserialize_with = "de::vec")]
    pub rocketmq_configs: Vec<RocketMqConfig>,
    /// Total parameters (SDK only).
    #[serde(deserialize_with = "de::opt_int")]
    pub total: Option<i64>,
    /// Next page offset (SDK only).
    #[serde(deserialize_with = "de::opt_int")]
    pub next_offset: Option<i64>,
    /// Previous page offset (SDK only).
    #[serde(deserialize_with = "de::opt_int")]
    pub previous_offset: Option<i64>,
}

impl RocketMqConfigs {
    /// The parameter called `name`, if present.
    pub fn get(&self, name: &str) -> Option<&RocketMqConfig> {
        self.rocketmq_configs.iter().find(|c| c.name == name)
    }
}

/// One parameter to change. Huawei schema: `RocketMQConfigReq`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConfigChange {
    /// Parameter name (required).
    pub name: String,
    /// New value, as a string (required).
    pub value: String,
}

impl ConfigChange {
    /// A change of `name` to `value` (numbers are sent as strings, as the SDK does).
    pub fn new(name: impl Into<String>, value: impl fmt::Display) -> Self {
        Self {
            name: name.into(),
            value: value.to_string(),
        }
    }
}

/// The body of [`crate::api::DmsClient::update_configs`]. Huawei schema: `ModifyConfigReq`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UpdateConfigsRequest {
    /// The parameters to change (required).
    pub rocketmq_configs: Vec<ConfigChange>,
}
