//! The endpoints that show what the region offers: availability zones (§5.9.1, §8.1.2.1),
//! product flavours (§5.9.2, §8.1.2.4), billing cores (§5.9.3) and quotas (§8.1.2.2 and the
//! V2 `show_quotas`), from the static data of `catalog`.

use serde_json::{Value, json};

use super::body::{bad_query, query_flag, query_text};
use super::catalog::{
    INSTANCE_QUOTA, PRODUCTS, TAG_QUOTA, VERSIONS, ZONES, product, product_entity, region,
    type_matches,
};
use crate::emulator::context::{Ctx, INSTANCE, Req, Resp, page};
use crate::emulator::error::DmsError;

/// `GET /v2/available-zones` (§5.9.1) and `GET /v1.0/availableZones` (§8.1.2.1, without the
/// SDK-only `mode` and `scope`).
pub fn available_zones(ctx: &Ctx<'_>, v1: bool) -> Result<Resp, DmsError> {
    let region = region(ctx);
    let zones: Vec<Value> = ZONES
        .iter()
        .map(|z| {
            let mut item = json!({
                "soldOut": false,
                "id": z.id,
                "code": format!("{region}{}", z.suffix),
                "name": z.name,
                "port": z.port,
                "resource_availability": "true",
                "default_az": z.default_az,
                "remain_time": i64::MAX,
                "ipv6_enable": z.ipv6,
            });
            if !v1 {
                item["mode"] = json!("center");
                item["scope"] = json!("center");
            }
            item
        })
        .collect();
    Ok(Resp::ok(
        json!({"region_id": region, "available_zones": zones}),
    ))
}

/// The feature switches `GET /v2/config/features` reports: the features instances advertise
/// in `support_features` (the API reference names no others), all on.
const CONFIG_FEATURES: [(&str, i64, &str); 4] = [
    ("rocketmq.acl", 1, "ACL users and permissions"),
    ("message_trace_enable", 1, "Message trace"),
    ("message_trace_v2_enable", 1, "Message trace (RocketMQ 5.x)"),
    ("features.log.collection", 1, "Log collection"),
];

/// `GET /v2/config/features` (SDK `list_config_features`): the
/// feature switches, `{"features": [{featureId, status, description}], "totalRecord": n}`.
pub fn config_features() -> Result<Resp, DmsError> {
    let features: Vec<Value> = CONFIG_FEATURES
        .iter()
        .map(|(id, status, description)| {
            json!({"featureId": id, "status": status, "description": description})
        })
        .collect();
    Ok(Resp::ok(
        json!({"totalRecord": features.len(), "features": features}),
    ))
}

/// `GET /v2/{engine}/products` (§5.9.2): `type` and `product_id` filter, SDK paging.
pub fn list_products(req: &Req, engine: &str) -> Result<Resp, DmsError> {
    let limit = req.limit(10, 50)?;
    let offset = req.offset()?;
    let type_filter = query_text(req, "type");
    let id_filter = query_text(req, "product_id");
    let items: Vec<Value> = PRODUCTS
        .iter()
        .filter(|p| type_matches(p, type_filter) && id_filter.is_none_or(|id| p.id == id))
        .map(product_entity)
        .collect();
    let (products, next, previous) = page(&items, offset, limit);
    Ok(Resp::ok(json!({
        "engine": engine,
        "versions": VERSIONS,
        "products": products,
        "total": items.len(),
        "next_offset": next,
        "previous_offset": previous,
    })))
}

/// `GET /v1.0/products` (§8.1.2.4): `instance_id` keeps the flavours of that instance's
/// engine version, `product_id` one flavour; both optional.
pub fn list_products_v1(ctx: &Ctx<'_>, req: &Req) -> Result<Resp, DmsError> {
    let version = match query_text(req, "instance_id") {
        Some(id) => {
            let instance = ctx.instance(&ctx.project, id)?;
            Some(
                instance["engine_version"]
                    .as_str()
                    .unwrap_or("4.8.0")
                    .to_owned(),
            )
        }
        None => None,
    };
    let id_filter = query_text(req, "product_id");
    let products: Vec<Value> = PRODUCTS
        .iter()
        .filter(|p| version.as_deref().is_none_or(|v| p.version == v))
        .filter(|p| id_filter.is_none_or(|id| p.id == id))
        .map(product_entity)
        .collect();
    Ok(Resp::ok(
        json!({"engine": "rocketmq", "versions": VERSIONS, "products": products}),
    ))
}

/// `GET /v2/rocketmq/products/cores` (§5.9.3). `product_id` defaults to `c6.4u8g.cluster`
/// and `broker_num` to 1 (the API reference documents the call without parameters). `core_num` is
/// the flavour's cores times the broker count; with `instance_id`,
/// `total_extend_storage_space` estimates the instance's storage at that broker count.
pub fn product_cores(ctx: &Ctx<'_>, req: &Req) -> Result<Resp, DmsError> {
    let product_id = query_text(req, "product_id").unwrap_or("c6.4u8g.cluster");
    let product = product(product_id).ok_or_else(|| {
        DmsError::of("DMS.00400009").detail(format!("No flavour `{product_id}`."))
    })?;
    let broker_num = match query_text(req, "broker_num") {
        None => 1,
        Some(text) => match text.trim().parse::<i64>() {
            Ok(n) if (product.min_broker..=product.max_broker).contains(&n) => n,
            _ => {
                return Err(bad_query(format!(
                    "`broker_num` must be an integer from {} to {} for `{}`, got `{text}`.",
                    product.min_broker, product.max_broker, product.id
                )));
            }
        },
    };
    let mut body = json!({"core_num": product.cores * broker_num});
    if let Some(id) = query_text(req, "instance_id") {
        let instance = ctx.instance(&ctx.project, id)?;
        let total = instance["total_storage_space"].as_i64().unwrap_or(0);
        let current = super::facts::broker_count(&instance);
        body["total_extend_storage_space"] = json!(if broker_num <= current {
            total
        } else {
            total / current * broker_num
        });
    }
    Ok(Resp::ok(body))
}

/// `GET /v2/{project_id}/quotas` (SDK `show_quotas`) and `GET /v1.0/{project_id}/quotas/dms`
/// (§8.1.2.2): instance quotas of the DMS engines and the per-instance tag quota.
pub fn quotas(ctx: &Ctx<'_>, req: &Req, project: &str) -> Result<Resp, DmsError> {
    ctx.project(project)?;
    let include_tags = query_flag(req, "includeTagsQuota")?.unwrap_or(true);
    let only = match req.q("onlyQuota") {
        None | Some("") => None,
        Some(engine @ ("reliability" | "kafka" | "rabbitmq")) => Some(engine),
        Some(other) => {
            return Err(bad_query(format!(
                "`onlyQuota` must be `reliability`, `kafka` or `rabbitmq`, got `{other}`."
            )));
        }
    };
    let used = ctx.docs.count(INSTANCE, project)?;
    let mut resources = Vec::new();
    for (engine, kind, used) in [
        ("rabbitmq", "rabbitmqInstance", 0),
        ("kafka", "kafkaInstance", 0),
        ("reliability", "rocketmqInstance", used),
    ] {
        if only.is_none_or(|o| o == engine) {
            resources.push(json!({"type": kind, "quota": INSTANCE_QUOTA, "used": used}));
        }
    }
    if include_tags {
        resources.push(json!({"type": "tags", "quota": TAG_QUOTA}));
    }
    Ok(Resp::ok(json!({"quotas": {"resources": resources}})))
}
