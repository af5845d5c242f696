//! Instance management (API reference §5.11): broker nodes and the restart answer.
//!
//! `broker_id` is an integer in the table and the SDK but a string in the API reference's example, so
//! it is kept as text; restart `nodes` are strings or `{"name": …}` objects and decode to names.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::messages::scalar_text;
use crate::api::de;

/// One broker node. Huawei schema: `NodeContextEntity`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Node {
    /// Node ID.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// Broker name.
    #[serde(deserialize_with = "de::string")]
    pub broker_name: String,
    /// Broker ID as sent: `0` is the master by RocketMQ convention (see
    /// [`Self::broker_id_number`]); the API reference's example has `broker-1`.
    #[serde(deserialize_with = "de::string")]
    pub broker_id: String,
    /// Private address.
    #[serde(deserialize_with = "de::string")]
    pub address: String,
    /// Public address.
    #[serde(deserialize_with = "de::string")]
    pub public_address: String,
}

impl Node {
    /// The broker ID as a number, when it is one.
    pub fn broker_id_number(&self) -> Option<i64> {
        self.broker_id.trim().parse().ok()
    }
}

/// The nodes of an instance. Huawei schema: `ShowInstanceNodesResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NodeList {
    /// The nodes.
    #[serde(deserialize_with = "de::vec")]
    pub nodes: Vec<Node>,
    /// The number of nodes.
    #[serde(deserialize_with = "de::int")]
    pub total: i64,
}

fn node_name(value: Value) -> Result<String, String> {
    match value {
        Value::Object(mut map) => match map.remove("name") {
            Some(name) => Ok(scalar_text(name)),
            None => Err(format!(
                "expected a node name or {{\"name\": …}}, found {}",
                Value::Object(map)
            )),
        },
        Value::Array(_) => Err("expected a node name, found a list".to_owned()),
        scalar => Ok(scalar_text(scalar)),
    }
}

/// Node names from a list of strings, a list of `{"name": …}` objects, one of either, or `null`.
pub fn node_names<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .into_iter()
            .map(|item| node_name(item).map_err(D::Error::custom))
            .collect(),
        one => Ok(vec![node_name(one).map_err(D::Error::custom)?]),
    }
}

/// The answer to a restart. Huawei schema: `RestartInstanceResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RestartResult {
    /// Instance ID.
    #[serde(deserialize_with = "de::string")]
    pub instance_id: String,
    /// Names of the nodes being restarted.
    #[serde(deserialize_with = "node_names")]
    pub nodes: Vec<String>,
    /// Result, e.g. `success`.
    #[serde(deserialize_with = "de::string")]
    pub result: String,
}
