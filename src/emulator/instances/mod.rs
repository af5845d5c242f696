//! Instances and everything instance-level: life cycle (§5.1, with timers), configuration
//! parameters (§5.7), tags (§5.8), AZs, products and cores (§5.9), specification change
//! (§5.10), nodes and restart (§5.11), the SDK's feature switches, and the historical
//! instance APIs (§8.1, §8.2.1) with quotas and the Cloud Eye hierarchy.
//!
//! Document written: kind `instance`, scope the project id, id the instance id. The body is
//! the instance exactly as `GET /v2/{project_id}/instances/{instance_id}` shows it (SDK
//! `ShowInstanceResponse` wire names; `created_at` in ms as a decimal string, `tags` as
//! `[{"key", "value"}]`, `broker_num` and `node_num` on 4.8.0 only, gRPC and `subnet_cidr` on
//! 5.x only) plus `_emu`, stripped from every answer:
//!
//! * `_emu.net`: the instance's network ordinal, from which `topology` derives addresses;
//! * `_emu.configs`: `{name: value-string}` of the RocketMQ parameters that were set;
//! * `_emu.creation_failed`: a failed creation (status `ERROR`, hidden unless
//!   `include_failure=true`);
//! * `_emu.proxy_enable`: the create flag of that name (not part of the instance view);
//! * `_emu.timer` = `{"job", "due_ms", "then", "job_id"?}` while in a transitional state, and
//!   `_emu.pending` while resizing (see `lifecycle` and `extend`).
//!
//! Pending timers are indexed by documents of kind `instance-timer` (see `lifecycle`).
//! `facts` answers what other chapters ask about an instance (engine version, brokers, status
//! rules, quotas).
//! `used_storage_space` is computed by the message plane at every read.

mod body;
pub mod catalog;
mod configs;
mod crud;
mod extend;
pub mod facts;
mod fixture;
mod historical;
mod lifecycle;
mod nodes;
mod offers;
pub mod spec;
mod tags;
pub mod topology;

use serde_json::{Value, json};

pub use spec::{InitialState, InstanceSpec, create_instance_document};

use super::context::{Ctx, Req, Resp, Routed, is_engine};
use super::error::DmsError;
use super::plane;

/// The instance document as the API shows it: without `_emu`, with the current
/// `used_storage_space`.
pub fn view(ctx: &Ctx<'_>, doc: &Value) -> Result<Value, DmsError> {
    let mut out = doc.clone();
    if let Some(map) = out.as_object_mut() {
        map.remove("_emu");
        let id = map
            .get("instance_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        map.insert(
            "used_storage_space".into(),
            json!(plane::storage_used_gb(ctx, &id)?),
        );
    }
    Ok(out)
}

/// Answers a GET-only route.
fn get(method: &str, handler: impl FnOnce() -> Result<Resp, DmsError>) -> Routed {
    Some(if method == "GET" {
        handler()
    } else {
        Err(DmsError::bad_method())
    })
}

/// Answers a POST-only route.
fn post(method: &str, handler: impl FnOnce() -> Result<Resp, DmsError>) -> Routed {
    Some(if method == "POST" {
        handler()
    } else {
        Err(DmsError::bad_method())
    })
}

/// Routes this module's paths (`None` for the others').
pub fn route(ctx: &mut Ctx<'_>, req: &Req, segments: &[&str]) -> Routed {
    let method = req.method.as_str();
    match segments {
        ["v1.0", ..] => historical::route_v1(ctx, req, segments),
        // §5.9: not project-scoped.
        ["v2", "available-zones"] => get(method, || offers::available_zones(ctx, false)),
        ["v2", "config", "features"] => get(method, offers::config_features),
        ["v2", "rocketmq", "products", "cores"] => get(method, || offers::product_cores(ctx, req)),
        ["v2", engine, "products"] if is_engine(engine) => {
            get(method, || offers::list_products(req, engine))
        }
        ["v2", project, "quotas"] => get(method, || offers::quotas(ctx, req, project)),
        // §5.1.
        ["v2", engine, project, "instances"] if is_engine(engine) => {
            post(method, || crud::create(ctx, req, project))
        }
        ["v2", project, "instances"] => Some(match method {
            "GET" => crud::list(ctx, req, project, true),
            "POST" => crud::create(ctx, req, project),
            _ => Err(DmsError::bad_method()),
        }),
        ["v2", project, "rocketmq", "instances"] => {
            post(method, || crud::create(ctx, req, project))
        }
        ["v2", project, "instances", "action"] => {
            post(method, || crud::batch_delete(ctx, req, project))
        }
        ["v2", project, "instances", id] => Some(match method {
            "GET" => crud::show(ctx, project, id),
            "PUT" => crud::update(ctx, req, project, id, false).map(|()| Resp::empty(204)),
            "DELETE" => crud::delete(ctx, project, id).map(|()| Resp::empty(204)),
            _ => Err(DmsError::bad_method()),
        }),
        ["v2", project, "instances", id, "brokers"] => {
            get(method, || nodes::brokers(ctx, req, project, id))
        }
        ["v2", project, "instances", id, "ces-hierarchy"] => get(method, || {
            historical::ces_hierarchy(ctx, project, id, false)
        }),
        // §8.2.1.
        ["v2", engine, project, "instances", id] if is_engine(engine) => {
            get(method, || crud::show(ctx, project, id))
        }
        // §5.10 and the SDK twins.
        ["v2", engine, project, "instances", id, "extend"] if is_engine(engine) => {
            extend_route(ctx, req, project, id)
        }
        ["v2", project, "rocketmq", "instances", id, "extend"] => {
            extend_route(ctx, req, project, id)
        }
        ["v2", project, "rocketmq", "instances", id, "extend-check"] => {
            get(method, || extend::precheck(ctx, project, id))
        }
        // §5.7.
        ["v2", project, "rocketmq", "instances", id, "configs"] => Some(match method {
            "GET" => configs::show(ctx, req, project, id),
            "PUT" => configs::update(ctx, req, project, id),
            _ => Err(DmsError::bad_method()),
        }),
        // §5.8.
        ["v2", project, "rocketmq", "tags"] => {
            get(method, || tags::project_tags(ctx, req, project))
        }
        ["v2", project, "rocketmq", id, "tags"] => {
            get(method, || tags::list(ctx, req, project, id))
        }
        ["v2", project, "rocketmq", id, "tags", "action"] => {
            post(method, || tags::batch(ctx, req, project, id))
        }
        // §5.11.
        ["v2", project, engine, "instances", id, "nodes"] if is_engine(engine) => {
            get(method, || nodes::nodes(ctx, req, project, id))
        }
        ["v2", project, engine, "instances", id, "restart"] if is_engine(engine) => {
            post(method, || lifecycle::restart(ctx, project, id))
        }
        _ => None,
    }
}

fn extend_route(ctx: &mut Ctx<'_>, req: &Req, project: &str, id: &str) -> Routed {
    Some(match req.method.as_str() {
        "GET" => extend::products(ctx, req, project, id),
        "POST" => extend::resize(ctx, req, project, id),
        _ => Err(DmsError::bad_method()),
    })
}

/// Applies the instance life-cycle transitions that are due.
pub fn advance(ctx: &mut Ctx<'_>) -> Result<(), DmsError> {
    lifecycle::advance(ctx)
}

/// Whether a life-cycle transition is due.
pub fn due(ctx: &Ctx<'_>) -> Result<bool, DmsError> {
    lifecycle::due(ctx)
}
