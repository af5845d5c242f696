//! What the region offers, as static data: availability zones, product flavours (the API reference
//! S.3) with their list shapes, and the quotas. Nothing here is
//! stored; `offers` serves it.

use serde_json::{Value, json};

use crate::emulator::context::Ctx;

/// One availability zone of the emulated region.
#[derive(Debug, Clone, Copy)]
pub struct Zone {
    /// The AZ id instance creation expects.
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Code suffix after the region name (`a` gives e.g. `emulator-regiona`).
    pub suffix: &'static str,
    /// The AZ port (a string on the wire).
    pub port: &'static str,
    /// Whether this is the default AZ.
    pub default_az: bool,
    /// Whether IPv6 instances can be placed here.
    pub ipv6: bool,
}

/// The three AZs (ids as in the API reference's examples).
pub const ZONES: [Zone; 3] = [
    Zone {
        id: "8c90c2a4e2594c0782faa6b205afeca7",
        name: "AZ1",
        suffix: "a",
        port: "8002",
        default_az: false,
        ipv6: true,
    },
    Zone {
        id: "d539378ec1314c85b76fefa3f7071458",
        name: "AZ2",
        suffix: "b",
        port: "8003",
        default_az: false,
        ipv6: false,
    },
    Zone {
        id: "9f1c5806706d4c1fb0eb72f0a9b18c77",
        name: "AZ3",
        suffix: "c",
        port: "443",
        default_az: true,
        ipv6: false,
    },
];

/// The AZ with id `id`.
pub fn zone(id: &str) -> Option<&'static Zone> {
    ZONES.iter().find(|z| z.id == id)
}

/// The default AZ's id.
pub fn default_zone() -> &'static str {
    ZONES
        .iter()
        .find(|z| z.default_az)
        .map(|z| z.id)
        .unwrap_or(ZONES[0].id)
}

/// The region name of the caller's project (the credential's project name).
pub fn region(ctx: &Ctx<'_>) -> String {
    ctx.settings
        .credentials
        .iter()
        .find(|c| c.project_id == ctx.project)
        .map(|c| c.project_name.clone())
        .unwrap_or_else(|| "emulator-region".to_owned())
}

/// One product flavour.
#[derive(Debug, Clone, Copy)]
pub struct Product {
    /// `product_id`.
    pub id: &'static str,
    /// `4.8.0` or `5.x`.
    pub version: &'static str,
    /// Product `type` in product lists.
    pub product_type: &'static str,
    /// Instance `type` of instances of this flavour.
    pub instance_type: &'static str,
    /// ECS flavour.
    pub ecs_flavor_id: &'static str,
    /// CBC billing code.
    pub billing_code: &'static str,
    /// `product_alias`.
    pub alias: &'static str,
    /// vCPUs per broker (4.8.0) or per instance (5.x): the billing cores of one broker.
    pub cores: i64,
    /// Broker count range.
    pub min_broker: i64,
    /// Broker count range.
    pub max_broker: i64,
    /// Topics per broker.
    pub max_topic_per_broker: i64,
    /// Consumer groups per broker.
    pub max_consumer_per_broker: i64,
    /// Storage per broker, GB.
    pub min_storage_per_node: i64,
    /// Storage per broker, GB.
    pub max_storage_per_node: i64,
    /// Instance TPS (5.x; 0 for 4.8.0).
    pub tps: i64,
    /// Order within its version, for refusing a change to a smaller flavour.
    pub rank: u8,
}

impl Product {
    /// Whether this is a 5.x flavour.
    pub fn is_5x(&self) -> bool {
        self.version == "5.x"
    }

    /// Whether instances of this flavour are clusters.
    pub fn is_cluster(&self) -> bool {
        self.product_type.starts_with("cluster")
    }

    /// The disk types this flavour offers.
    pub fn io_specs(&self) -> &'static [&'static str] {
        if self.is_5x() {
            &[
                "dms.physical.storage.high.v2",
                "dms.physical.storage.ultra.v2",
                "dms.physical.storage.general",
                "dms.physical.storage.extreme",
            ]
        } else {
            &[
                "dms.physical.storage.high.v2",
                "dms.physical.storage.ultra.v2",
            ]
        }
    }

    /// The `specification` text of an instance of this flavour.
    pub fn specification(&self, broker_num: i64) -> String {
        if self.is_5x() {
            format!("{}, {} tps", self.id, self.tps)
        } else {
            format!("{} * {broker_num} broker", self.id)
        }
    }
}

/// One row of the 4.8.0 flavour table (API reference).
#[allow(clippy::too_many_arguments)]
const fn v4(
    id: &'static str,
    product_type: &'static str,
    ecs: &'static str,
    alias: &'static str,
    cores: i64,
    max_broker: i64,
    per_broker: i64,
    max_storage: i64,
    rank: u8,
) -> Product {
    Product {
        id,
        version: "4.8.0",
        product_type,
        instance_type: "cluster",
        ecs_flavor_id: ecs,
        billing_code: "dms.platinum.c6",
        alias,
        cores,
        min_broker: 1,
        max_broker,
        max_topic_per_broker: per_broker,
        max_consumer_per_broker: per_broker,
        min_storage_per_node: 300,
        max_storage_per_node: max_storage,
        tps: 0,
        rank,
    }
}

/// One 5.x flavour: `units` × 500 TPS (the `large.N` suffix), two cores per unit.
const fn v5(id: &'static str, product_type: &'static str, units: i64, rank: u8) -> Product {
    let single = matches!(product_type.as_bytes()[0], b's');
    let basic = matches!(product_type.as_bytes()[product_type.len() - 1], b'c');
    let tps = 500 * units;
    let topics = if tps / 2 < 1000 {
        1000
    } else if tps / 2 > 20000 {
        20000
    } else {
        tps / 2
    };
    Product {
        id,
        version: "5.x",
        product_type,
        instance_type: product_type,
        ecs_flavor_id: if single { "c7.large.2" } else { "c7.xlarge.2" },
        billing_code: match (basic, single) {
            (true, true) => "dms.rocketmq.basic.single.tps",
            (true, false) => "dms.rocketmq.basic.cluster.tps",
            (false, true) => "dms.rocketmq.pro.single.tps",
            (false, false) => "dms.rocketmq.pro.cluster.tps",
        },
        alias: id,
        cores: 2 * units,
        min_broker: 1,
        max_broker: 1,
        max_topic_per_broker: topics,
        max_consumer_per_broker: topics,
        min_storage_per_node: if single { 100 } else { 200 },
        max_storage_per_node: if single { 30000 } else { 60000 },
        tps,
        rank,
    }
}

/// Every flavour: the five 4.8.0 clusters, then the thirteen 5.x flavours.
pub const PRODUCTS: [Product; 18] = [
    v4(
        "c6.4u8g.cluster.small",
        "cluster.small",
        "c6.xlarge.2",
        "rocketmq.4u8g.cluster.small",
        4,
        2,
        2000,
        30000,
        0,
    ),
    v4(
        "c6.4u8g.cluster",
        "cluster",
        "s6.xlarge.2",
        "rocketmq.4u8g.cluster",
        4,
        10,
        4000,
        60000,
        1,
    ),
    v4(
        "c6.8u16g.cluster",
        "cluster",
        "c6s.2xlarge.2",
        "rocketmq.8u16g.cluster",
        8,
        10,
        8000,
        90000,
        2,
    ),
    v4(
        "c6.12u24g.cluster",
        "cluster",
        "c6s.3xlarge.2",
        "rocketmq.12u24g.cluster",
        12,
        10,
        12000,
        90000,
        3,
    ),
    v4(
        "c6.16u32g.cluster",
        "cluster",
        "c6.4xlarge.2",
        "rocketmq.16u32g.cluster",
        16,
        10,
        16000,
        90000,
        4,
    ),
    v5("rocketmq.b1.large.1", "single.basic", 1, 0),
    v5("rocketmq.b2.large.4", "cluster.basic", 4, 1),
    v5("rocketmq.b2.large.8", "cluster.basic", 8, 2),
    v5("rocketmq.b2.large.12", "cluster.basic", 12, 3),
    v5("rocketmq.p1.large.1", "single.professional", 1, 0),
    v5("rocketmq.p2.large.8", "cluster.professional", 8, 1),
    v5("rocketmq.p2.large.12", "cluster.professional", 12, 2),
    v5("rocketmq.p2.large.20", "cluster.professional", 20, 3),
    v5("rocketmq.p2.large.40", "cluster.professional", 40, 4),
    v5("rocketmq.p2.large.100", "cluster.professional", 100, 5),
    v5("rocketmq.p2.large.150", "cluster.professional", 150, 6),
    v5("rocketmq.p2.large.200", "cluster.professional", 200, 7),
    v5("rocketmq.p2.large.300", "cluster.professional", 300, 8),
];

/// The flavour `id`.
pub fn product(id: &str) -> Option<&'static Product> {
    PRODUCTS.iter().find(|p| p.id == id)
}

/// The engine versions on offer.
pub const VERSIONS: [&str; 2] = ["4.8.0", "5.x"];

/// The most instances a project may have, and the most tags an instance may carry.
pub const INSTANCE_QUOTA: i64 = 100;
/// See [`INSTANCE_QUOTA`].
pub const TAG_QUOTA: i64 = 20;

fn zone_ids() -> Vec<&'static str> {
    ZONES.iter().map(|z| z.id).collect()
}

fn ios(product: &Product) -> Vec<Value> {
    product
        .io_specs()
        .iter()
        .map(|spec| {
            json!({"io_spec": spec, "type": "evs", "available_zones": zone_ids(), "unavailable_zones": []})
        })
        .collect()
}

fn features(product: &Product) -> Vec<&'static str> {
    if product.is_5x() {
        vec![
            "rocketmq.acl",
            "message_trace_enable",
            "message_trace_v2_enable",
        ]
    } else {
        vec![
            "rocketmq.acl",
            "message_trace_enable",
            "features.log.collection",
        ]
    }
}

/// The instance's `support_features` string.
pub fn support_features(product: &Product) -> String {
    features(product).join(",")
}

/// The string-valued `properties` of a product (SDK `ProductEntityProperties`).
fn properties(product: &Product) -> Value {
    let mut properties = json!({
        "max_topic": (product.max_topic_per_broker * product.max_broker).to_string(),
        "max_consumer": (product.max_consumer_per_broker * product.max_broker).to_string(),
        "broker_num": product.min_broker.to_string(),
        "core": product.cores.to_string(),
        "max_storage": (product.max_storage_per_node * product.max_broker).to_string(),
        "min_storage": (product.min_storage_per_node * product.min_broker).to_string(),
        "max_storage_per_node": product.max_storage_per_node.to_string(),
        "min_storage_per_node": product.min_storage_per_node.to_string(),
        "product_alias": product.alias,
        "step_length": "100",
        "engine_versions": product.version,
        "max_broker": product.max_broker.to_string(),
        "min_broker": product.min_broker.to_string(),
        "max_topic_per_broker": product.max_topic_per_broker.to_string(),
        "max_consumer_per_broker": product.max_consumer_per_broker.to_string(),
    });
    if product.is_5x() {
        properties["rcu"] = json!((product.tps / 500).to_string());
        properties["max_tps_per_rcu"] = json!("500");
        properties["max_tps_per_broker"] = json!(product.tps.to_string());
    }
    properties
}

/// A product as `ProductEntity` (§5.9.2), with the API reference's product-level zone lists.
pub fn product_entity(product: &Product) -> Value {
    json!({
        "type": product.product_type,
        "product_id": product.id,
        "ecs_flavor_id": product.ecs_flavor_id,
        "billing_code": product.billing_code,
        "arch_types": ["X86"],
        "charging_mode": ["monthly", "hourly"],
        "ios": ios(product),
        "support_features": features(product),
        "properties": properties(product),
        "available_zones": zone_ids(),
        "unavailable_zones": [],
        "qingtian_incompatible": false,
    })
}

/// A product as `RocketMQExtendProductInfoEntity` (§5.10.1).
pub fn extend_entity(product: &Product) -> Value {
    let all = properties(product);
    let mut keys = vec![
        "max_broker",
        "max_topic_per_broker",
        "max_consumer_per_broker",
        "max_storage_per_node",
        "min_broker",
        "engine_versions",
        "min_storage_per_node",
        "product_alias",
    ];
    if product.is_5x() {
        keys.extend([
            "max_topic",
            "broker_num",
            "core",
            "max_consumer",
            "rcu",
            "max_storage",
            "min_storage",
            "max_tps_per_rcu",
        ]);
    }
    let mut properties = serde_json::Map::new();
    for key in keys {
        properties.insert(key.to_owned(), all[key].clone());
    }
    if product.is_5x() {
        properties.insert("elastic_tps".into(), json!("false"));
    }
    let support_features: Vec<Value> = features(product)
        .into_iter()
        .map(|name| json!({"name": name, "properties": {}}))
        .collect();
    json!({
        "type": product.product_type,
        "product_id": product.id,
        "ecs_flavor_id": product.ecs_flavor_id,
        "billing_code": product.billing_code,
        "arch_types": ["X86"],
        "charging_mode": ["monthly", "hourly"],
        "ios": ios(product),
        "properties": properties,
        "available_zones": zone_ids(),
        "unavailable_zones": [],
        "support_features": support_features,
        "qingtian_incompatible": false,
    })
}

/// Whether `product` answers to the `type` filter of the product lists: absent or
/// `advanced` (the standard cloud) keeps everything, `dec` (dedicated cloud) nothing, and a
/// product type (`cluster`, `single.basic`, …) keeps that type.
pub fn type_matches(product: &Product, filter: Option<&str>) -> bool {
    match filter {
        None | Some("advanced") => true,
        Some("dec") => false,
        Some(other) => product.product_type == other,
    }
}
