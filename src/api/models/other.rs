//! Other APIs (API reference §5.9): availability zones, product specifications and product
//! core counts, plus the paging parameters the SDK adds to many list operations.
//!
//! The product model is shared with the scale-up products of §5.10.1. The API reference types a
//! product's `charging_mode`, `ios`, `support_features` and `properties` only as "Object";
//! lists, single objects, plain strings and feature objects all decode here.

use std::collections::BTreeMap;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use super::messages::scalar_text;
use crate::api::de;

pub use super::common::Paging;

/// An `i64` that saturates instead of failing when the service sends an integer beyond the
/// range (the API reference prints 2^63−1 as `9223372036854776000`).
pub fn saturating_int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null => 0,
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(v), _, _) => v,
            (None, Some(_), _) => i64::MAX,
            (None, None, Some(f)) if f >= i64::MAX as f64 => i64::MAX,
            (None, None, Some(f)) if f <= i64::MIN as f64 => i64::MIN,
            (None, None, Some(f)) => f.round() as i64,
            _ => 0,
        },
        Value::String(text) => {
            let text = text.trim();
            if text.is_empty() {
                0
            } else if let Ok(v) = text.parse::<i64>() {
                v
            } else if let Ok(f) = text.parse::<f64>() {
                f.clamp(i64::MIN as f64, i64::MAX as f64).round() as i64
            } else {
                return Err(D::Error::custom(format!(
                    "expected an integer, found the string `{text}`"
                )));
            }
        }
        other => {
            return Err(D::Error::custom(format!(
                "expected an integer, found {other}"
            )));
        }
    })
}

/// One availability zone. Huawei schema: `ListAvailableZonesElements`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AvailableZone {
    /// Sold out (the only camelCase field on the wire: `soldOut`).
    #[serde(
        rename = "soldOut",
        alias = "sold_out",
        deserialize_with = "de::boolean"
    )]
    pub sold_out: bool,
    /// AZ ID, what instance creation takes in `available_zones`.
    #[serde(deserialize_with = "de::string")]
    pub id: String,
    /// AZ code.
    #[serde(deserialize_with = "de::string")]
    pub code: String,
    /// Display name.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// Port number, as a string.
    #[serde(deserialize_with = "de::string")]
    pub port: String,
    /// Whether resources remain: the string `"true"` or `"false"` (see [`Self::has_resources`]).
    #[serde(deserialize_with = "de::string")]
    pub resource_availability: String,
    /// Default AZ.
    #[serde(deserialize_with = "de::boolean")]
    pub default_az: bool,
    /// Remaining time (unit not documented; 2^63−1 means unlimited).
    #[serde(deserialize_with = "saturating_int")]
    pub remain_time: i64,
    /// IPv6 supported.
    #[serde(deserialize_with = "de::boolean")]
    pub ipv6_enable: bool,
    /// `dedicated`, `shared` or `center` (SDK only).
    #[serde(deserialize_with = "de::string")]
    pub mode: String,
    /// AZ group (SDK only).
    #[serde(deserialize_with = "de::string")]
    pub scope: String,
}

impl AvailableZone {
    /// Whether resources remain and the zone is not sold out.
    pub fn has_resources(&self) -> bool {
        !self.sold_out
            && self
                .resource_availability
                .trim()
                .eq_ignore_ascii_case("true")
    }
}

/// The availability zones of the region. Huawei schema: `ListAvailableZonesResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AvailableZones {
    /// Region ID.
    #[serde(deserialize_with = "de::string")]
    pub region_id: String,
    /// The zones.
    #[serde(deserialize_with = "de::vec")]
    pub available_zones: Vec<AvailableZone>,
}

/// One storage option of a product. Huawei schema: `IOSEntity` /
/// `RocketMQExtendProductIosEntity`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductIo {
    /// IO specification, e.g. `dms.physical.storage.high.v2`.
    #[serde(deserialize_with = "de::string")]
    pub io_spec: String,
    /// `evs` (or `dss` on dedicated clouds).
    #[serde(rename = "type", deserialize_with = "de::string")]
    pub io_type: String,
    /// AZs where it is available.
    #[serde(deserialize_with = "de::string_list")]
    pub available_zones: Vec<String>,
    /// AZs where it is sold out.
    #[serde(deserialize_with = "de::string_list")]
    pub unavailable_zones: Vec<String>,
}

/// A supported feature: a plain name (SDK `ProductEntity`) or a name with properties (SDK
/// `RocketMQProductSupportFeaturesEntity`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SupportFeature {
    /// Feature name.
    pub name: String,
    /// Feature properties (values as strings).
    pub properties: BTreeMap<String, String>,
}

impl<'de> Deserialize<'de> for SupportFeature {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Object(mut map) => {
                let name = map.remove("name").map(scalar_text).unwrap_or_default();
                let properties = match map.remove("properties") {
                    Some(Value::Object(props)) => props
                        .into_iter()
                        .map(|(k, v)| (k, scalar_text(v)))
                        .collect(),
                    _ => BTreeMap::new(),
                };
                Ok(Self { name, properties })
            }
            Value::Array(_) => Err(D::Error::custom("expected a feature, found a list")),
            scalar => Ok(Self {
                name: scalar_text(scalar),
                properties: BTreeMap::new(),
            }),
        }
    }
}

/// The limits of a product; every value is a string on the wire. Huawei schema:
/// `ProductEntityProperties` / `RocketMQExtendProductPropertiesEntity` (the union).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductProperties {
    /// Maximum brokers.
    #[serde(deserialize_with = "de::string")]
    pub max_broker: String,
    /// Minimum brokers.
    #[serde(deserialize_with = "de::string")]
    pub min_broker: String,
    /// Topics per broker.
    #[serde(deserialize_with = "de::string")]
    pub max_topic_per_broker: String,
    /// Consumer groups per broker.
    #[serde(deserialize_with = "de::string")]
    pub max_consumer_per_broker: String,
    /// Maximum storage per node, GB.
    #[serde(deserialize_with = "de::string")]
    pub max_storage_per_node: String,
    /// Minimum storage per node, GB.
    #[serde(deserialize_with = "de::string")]
    pub min_storage_per_node: String,
    /// Engine versions.
    #[serde(deserialize_with = "de::string")]
    pub engine_versions: String,
    /// Alias, e.g. `rocketmq.4u8g.cluster`.
    #[serde(deserialize_with = "de::string")]
    pub product_alias: String,
    /// Maximum topics (5.x).
    #[serde(deserialize_with = "de::string")]
    pub max_topic: String,
    /// Broker count (5.x).
    #[serde(deserialize_with = "de::string")]
    pub broker_num: String,
    /// Cores.
    #[serde(deserialize_with = "de::string")]
    pub core: String,
    /// Maximum consumer groups (5.x).
    #[serde(deserialize_with = "de::string")]
    pub max_consumer: String,
    /// RCUs (5.x).
    #[serde(deserialize_with = "de::string")]
    pub rcu: String,
    /// Maximum storage, GB (5.x).
    #[serde(deserialize_with = "de::string")]
    pub max_storage: String,
    /// Minimum storage, GB (5.x).
    #[serde(deserialize_with = "de::string")]
    pub min_storage: String,
    /// TPS per RCU (5.x).
    #[serde(deserialize_with = "de::string")]
    pub max_tps_per_rcu: String,
    /// TPS per broker.
    #[serde(deserialize_with = "de::string")]
    pub max_tps_per_broker: String,
    /// Step length.
    #[serde(deserialize_with = "de::string")]
    pub step_length: String,
    /// Feature (5.x scale-up products).
    #[serde(deserialize_with = "de::string")]
    pub feature: String,
    /// Elastic TPS (5.x scale-up products).
    #[serde(deserialize_with = "de::string")]
    pub elastic_tps: String,
}

/// `properties` as an object, a list holding one, or nothing.
fn product_properties<'de, D: Deserializer<'de>>(d: D) -> Result<ProductProperties, D::Error> {
    match Value::deserialize(d)? {
        value @ Value::Object(_) => serde_json::from_value(value).map_err(D::Error::custom),
        Value::Array(items) => match items.into_iter().find(Value::is_object) {
            Some(value) => serde_json::from_value(value).map_err(D::Error::custom),
            None => Ok(ProductProperties::default()),
        },
        _ => Ok(ProductProperties::default()),
    }
}

/// One product (flavour). Huawei schema: `ProductEntity` (§5.9.2) and
/// `RocketMQExtendProductInfoEntity` (§5.10.1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Product {
    /// `single`, `cluster`, `cluster.small`, `single.basic`, `cluster.basic`,
    /// `cluster.professional`…
    #[serde(rename = "type", deserialize_with = "de::string")]
    pub product_type: String,
    /// Product ID, e.g. `c6.4u8g.cluster`.
    #[serde(deserialize_with = "de::string")]
    pub product_id: String,
    /// Underlying ECS flavour.
    #[serde(deserialize_with = "de::string")]
    pub ecs_flavor_id: String,
    /// Billing code.
    #[serde(deserialize_with = "de::string")]
    pub billing_code: String,
    /// CPU architectures.
    #[serde(deserialize_with = "de::string_list")]
    pub arch_types: Vec<String>,
    /// `monthly`, `hourly`.
    #[serde(deserialize_with = "de::string_list")]
    pub charging_mode: Vec<String>,
    /// Storage options.
    #[serde(deserialize_with = "de::vec")]
    pub ios: Vec<ProductIo>,
    /// Supported features.
    #[serde(deserialize_with = "de::vec")]
    pub support_features: Vec<SupportFeature>,
    /// Limits.
    #[serde(deserialize_with = "product_properties")]
    pub properties: ProductProperties,
    /// AZs with resources (product level; may be only inside `ios`).
    #[serde(deserialize_with = "de::string_list")]
    pub available_zones: Vec<String>,
    /// AZs without resources (product level).
    #[serde(deserialize_with = "de::string_list")]
    pub unavailable_zones: Vec<String>,
    /// "Qingtian" incompatibility flag.
    #[serde(deserialize_with = "de::boolean")]
    pub qingtian_incompatible: bool,
}

/// Products of an engine. Huawei schema: `ListEngineProductsResponse` (and
/// `ShowEngineInstanceExtendProductInfoResponse`, see `extend`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductList {
    /// Engine.
    #[serde(deserialize_with = "de::string")]
    pub engine: String,
    /// Engine versions, e.g. `4.8.0`, `5.x`.
    #[serde(deserialize_with = "de::string_list")]
    pub versions: Vec<String>,
    /// Products.
    #[serde(deserialize_with = "de::vec")]
    pub products: Vec<Product>,
    /// Total products (SDK only).
    #[serde(deserialize_with = "de::opt_int")]
    pub total: Option<i64>,
    /// Next page offset (SDK only).
    #[serde(deserialize_with = "de::opt_int")]
    pub next_offset: Option<i64>,
    /// Previous page offset (SDK only).
    #[serde(deserialize_with = "de::opt_int")]
    pub previous_offset: Option<i64>,
}

/// Filters of [`crate::api::DmsClient::list_products`] (SDK `ListEngineProductsRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListProductsQuery {
    /// Product type (`type`): `advanced` or `dec`, depending on the cloud.
    pub product_type: Option<String>,
    /// Product ID.
    pub product_id: Option<String>,
    /// Page size (SDK only).
    pub limit: Option<u32>,
    /// Offset (SDK only).
    pub offset: Option<u32>,
}

/// Parameters of [`crate::api::DmsClient::show_product_cores`] (SDK
/// `ShowRocketMqProductCoresRequest`). The SDK requires `product_id` and `broker_num`; the
/// seed documents none, so all are optional here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductCoresQuery {
    /// Instance ID; only then is `total_extend_storage_space` answered.
    pub instance_id: Option<String>,
    /// Product ID.
    pub product_id: Option<String>,
    /// Broker count.
    pub broker_num: Option<u32>,
}

/// The core count of a product. Huawei schema: `ShowRocketMqProductCoresResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductCores {
    /// Billing core count.
    #[serde(deserialize_with = "de::int")]
    pub core_num: i64,
    /// Estimated storage, GB (SDK only; with `instance_id`).
    #[serde(deserialize_with = "de::opt_int")]
    pub total_extend_storage_space: Option<i64>,
}
