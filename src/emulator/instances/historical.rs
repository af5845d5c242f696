//! The historical API V1 (§8.1: `/v1.0/{project_id}/…`, also with the `/v1.0/dms/…` prefix
//! of the reference's examples) and the Cloud Eye monitoring hierarchy (§8.1.2.3 and the V2
//! `ces-hierarchy`). The V1 instance calls reuse the current handlers and answer 200 where
//! the current API answers 204.

use serde_json::{Value, json};

use super::{crud, get, offers, topology};
use crate::emulator::context::{Ctx, Req, Resp, Routed};
use crate::emulator::error::DmsError;

/// Routes `/v1.0/…`.
pub fn route_v1(ctx: &mut Ctx<'_>, req: &Req, segments: &[&str]) -> Routed {
    let method = req.method.as_str();
    match segments {
        ["v1.0", "availableZones"] => get(method, || offers::available_zones(ctx, true)),
        ["v1.0", "products"] => get(method, || offers::list_products_v1(ctx, req)),
        ["v1.0", "dms", rest @ ..]
            if matches!(rest, [_, "instances", ..] | [_, "quotas", "dms"]) =>
        {
            project_routes(ctx, req, rest)
        }
        ["v1.0", rest @ ..] => project_routes(ctx, req, rest),
        _ => None,
    }
}

fn project_routes(ctx: &mut Ctx<'_>, req: &Req, rest: &[&str]) -> Routed {
    let method = req.method.as_str();
    Some(match rest {
        [project, "instances"] => match method {
            "GET" => crud::list(ctx, req, project, false),
            "POST" => crud::create(ctx, req, project),
            _ => Err(DmsError::bad_method()),
        },
        [project, "instances", id] => match method {
            "GET" => crud::show(ctx, project, id),
            "PUT" => crud::update(ctx, req, project, id, true).map(|()| Resp::empty(200)),
            "DELETE" => crud::delete(ctx, project, id).map(|()| Resp::empty(200)),
            _ => Err(DmsError::bad_method()),
        },
        [project, "quotas", "dms"] => return get(method, || offers::quotas(ctx, req, project)),
        [project, "instances", id, "ceshierarchy"] => {
            return get(method, || ces_hierarchy(ctx, project, id, true));
        }
        _ => return None,
    })
}

fn dimension(name: &str, metrics: &[&str], key_name: &[&str], router: &[&str]) -> Value {
    json!({"name": name, "metrics": metrics, "key_name": key_name, "dim_router": router})
}

/// The monitoring hierarchy of an instance: its dimensions and the names in each. V2
/// (`v1 == false`, SDK `ShowCesHierarchyResponse`): `nodes` with `available_zone`, `topics`,
/// `dlq`, `groups[].topics`. V1: `queues` with `partitions` (one per queue), `groups[].queues`.
/// The groups' subscribed topics are not known to the document store and are listed empty.
pub fn ces_hierarchy(ctx: &Ctx<'_>, project: &str, id: &str, v1: bool) -> Result<Resp, DmsError> {
    let doc = ctx.instance(project, id)?;
    let instance = "rocketmq_instance_id";
    let topic_key = if v1 { "queues" } else { "topics" };
    let mut group = dimension(
        "rocketmq_group",
        &["consumer_messages", "consumer_rate", "group_lag"],
        &["groups"],
        &[instance, "rocketmq_group"],
    );
    group["children"] = json!([dimension(
        "rocketmq_group_topic",
        &["group_topic_lag", "group_topic_consumer_messages"],
        &["groups", topic_key],
        &[instance, "rocketmq_group", "rocketmq_topic"],
    )]);
    let mut dimensions = vec![
        dimension(
            instance,
            &[
                "instance_produce_msg",
                "instance_consume_msg",
                "current_topics",
                "current_groups",
                "instance_disk_usage",
            ],
            &["instance_ids"],
            &[instance],
        ),
        dimension(
            "rocketmq_broker",
            &[
                "broker_produce_msg",
                "broker_consume_msg",
                "broker_produce_rate",
                "broker_consume_rate",
                "broker_cpu_core_load",
                "broker_memory_usage",
                "broker_disk_usage",
            ],
            &["nodes"],
            &[instance, "rocketmq_broker"],
        ),
        dimension(
            "rocketmq_topic",
            &[
                "topic_produce_msg",
                "topic_consume_msg",
                "topic_produce_rate",
                "topic_consume_rate",
            ],
            &[topic_key],
            &[instance, "rocketmq_topic"],
        ),
        group,
    ];
    if !v1 {
        dimensions.push(dimension(
            "rocketmq_dlq",
            &["dlq_messages"],
            &["dlq"],
            &[instance, "rocketmq_dlq"],
        ));
    }
    let mut nodes: Vec<Value> = Vec::new();
    for node in topology::nodes(&doc)
        .into_iter()
        .filter(|n| n.broker_id == 0)
    {
        nodes.push(if v1 {
            json!({"name": node.broker_name})
        } else {
            json!({"name": node.broker_name, "available_zone": node.zone})
        });
    }
    let topics = ctx.docs.list("topic", id)?;
    let groups = ctx.docs.list("group", id)?;
    let mut body = json!({
        "dimensions": dimensions,
        "instance_ids": [{"name": id}],
        "nodes": nodes,
    });
    if v1 {
        body["queues"] = json!(
            topics
                .iter()
                .map(|(name, topic)| {
                    let queues = topic["total_write_queue_num"].as_i64().unwrap_or(0).max(0);
                    let partitions: Vec<Value> = (0..queues)
                        .map(|q| json!({"name": q.to_string()}))
                        .collect();
                    json!({"name": name, "partitions": partitions})
                })
                .collect::<Vec<_>>()
        );
        body["groups"] = json!(
            groups
                .iter()
                .map(|(name, _)| json!({"name": name, "queues": []}))
                .collect::<Vec<_>>()
        );
    } else {
        body["topics"] = json!(
            topics
                .iter()
                .map(|(name, _)| json!({"name": name}))
                .collect::<Vec<_>>()
        );
        body["dlq"] = json!(
            groups
                .iter()
                .map(|(name, _)| json!({"name": format!("%DLQ%{name}")}))
                .collect::<Vec<_>>()
        );
        body["groups"] = json!(
            groups
                .iter()
                .map(|(name, _)| json!({"name": name, "topics": []}))
                .collect::<Vec<_>>()
        );
    }
    Ok(Resp::ok(body))
}
