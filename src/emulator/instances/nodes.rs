//! Brokers (§5.1.7) and nodes (§5.11.1) of an instance, as derived by `topology`.

use serde_json::{Value, json};

use super::{facts, topology};
use crate::emulator::context::{Ctx, Req, Resp, page};
use crate::emulator::error::DmsError;

/// `GET /v2/{project_id}/instances/{instance_id}/brokers`: each broker with its node ids,
/// paged the SDK's way (`limit`, `offset`; `total`, `next_offset`, `previous_offset`).
pub fn brokers(ctx: &Ctx<'_>, req: &Req, project: &str, id: &str) -> Result<Resp, DmsError> {
    let doc = ctx.instance(project, id)?;
    let limit = req.limit(10, 50)?;
    let offset = req.offset()?;
    let per_broker = topology::nodes_per_broker(&doc);
    let items: Vec<Value> = (0..facts::broker_count(&doc))
        .map(|i| json!({"broker_name": format!("broker-{i}"), "ids": (0..per_broker).collect::<Vec<_>>()}))
        .collect();
    let (brokers, next, previous) = page(&items, offset, limit);
    Ok(Resp::ok(json!({
        "brokers": brokers,
        "total": items.len(),
        "next_offset": next,
        "previous_offset": previous,
    })))
}

/// `GET /v2/{project_id}/{engine}/instances/{instance_id}/nodes`: broker nodes with integer
/// `broker_id` (0 = master) and private/public addresses; SDK paging.
pub fn nodes(ctx: &Ctx<'_>, req: &Req, project: &str, id: &str) -> Result<Resp, DmsError> {
    let doc = ctx.instance(project, id)?;
    let limit = req.limit(10, 50)?;
    let offset = req.offset()?;
    let items: Vec<Value> = topology::nodes(&doc)
        .into_iter()
        .map(|node| {
            json!({
                "id": node.id,
                "broker_name": node.broker_name,
                "broker_id": node.broker_id,
                "address": format!("{}:10100", node.ip),
                "public_address": node.public_ip.map(|ip| format!("{ip}:10101")).unwrap_or_default(),
            })
        })
        .collect();
    let (nodes, _, _) = page(&items, offset, limit);
    Ok(Resp::ok(json!({"nodes": nodes, "total": items.len()})))
}
