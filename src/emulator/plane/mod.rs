//! The message plane: stored messages, queues and offsets, consumer groups' progress and
//! clients, retries and dead letters, traces and retention, and the REST endpoints over them
//! (API reference).
//!
//! Instances, topics and groups are documents other modules own; the plane reads them and keeps
//! its own tables (`schema`). Producers and consumers outside HTTP (demo data, the traffic
//! simulator, tests) use [`produce`], [`produce_batch`], [`consume`] and [`register_client`]
//! inside an [`crate::emulator::Emulator::transact`] call, so every change is committed like a
//! request's. The plane never changes another module's documents.

pub mod appender;
pub mod clients;
pub mod consume;
pub mod dlq;
pub mod fixture;
pub mod model;
pub mod offsets;
pub mod produce;
pub mod query;
pub mod retention;
pub mod schema;
pub mod trace;
pub mod traffic;

use rusqlite::{OptionalExtension, params};

use super::context::{Ctx, Req, Resp, Routed, is_engine};
use super::error::DmsError;

pub use clients::{ClientInfo, Subscription, register_client, unregister_client};
pub use consume::{ConsumeOutcome, Message, consume};
pub use fixture::PlaneFixture;
pub use produce::{NewMessage, produce, produce_batch};
pub use query::{MessageQuery, list_messages};

/// The message plane's tables.
pub const SCHEMA: &str = schema::SCHEMA;

/// The endpoints of the plane, after the instance part of the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint<'a> {
    Messages,
    Trace,
    DeadLetterResend,
    Verify,
    Export,
    ResetOffset(&'a str),
    Clients(&'a str),
    GroupTopics(&'a str),
    TopicGroups(&'a str),
    TopicStatus(&'a str),
}

impl Endpoint<'_> {
    fn allows(self, method: &str) -> bool {
        match self {
            Endpoint::Messages => method == "GET" || method == "POST",
            Endpoint::Trace
            | Endpoint::Clients(_)
            | Endpoint::GroupTopics(_)
            | Endpoint::TopicGroups(_)
            | Endpoint::TopicStatus(_) => method == "GET",
            Endpoint::DeadLetterResend
            | Endpoint::Verify
            | Endpoint::Export
            | Endpoint::ResetOffset(_) => method == "POST",
        }
    }
}

/// How the path named the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout<'a> {
    /// `/v2/{engine}/{project_id}/instances/{instance_id}/…`
    Engine(&'a str),
    /// `/v2/{project_id}/rocketmq/instances/{instance_id}/…` (the SDK's twins)
    Twin,
    /// `/v2/{project_id}/instances/{instance_id}/…`
    Plain,
}

/// Routes this module's paths.
pub fn route(ctx: &mut Ctx<'_>, req: &Req, segments: &[&str]) -> Routed {
    let (layout, project, instance_id, rest) = match segments {
        ["v2", engine, project, "instances", id, rest @ ..] if is_engine(engine) => {
            (Layout::Engine(engine), *project, *id, rest)
        }
        ["v2", project, "rocketmq", "instances", id, rest @ ..] => {
            (Layout::Twin, *project, *id, rest)
        }
        ["v2", project, "instances", id, rest @ ..] => (Layout::Plain, *project, *id, rest),
        _ => return None,
    };
    let engine_or_twin = matches!(layout, Layout::Engine(_) | Layout::Twin);
    let endpoint = match rest {
        ["messages"] if engine_or_twin => Endpoint::Messages,
        ["trace"] if engine_or_twin => Endpoint::Trace,
        ["messages", "deadletter-resend"] if engine_or_twin => Endpoint::DeadLetterResend,
        ["messages", "resend"] if engine_or_twin => Endpoint::Verify,
        ["groups", group, "reset-message-offset"] if engine_or_twin => Endpoint::ResetOffset(group),
        // 5.2.9 puts the literal `rocketmq` before the project; `reliability` is not an alias here.
        ["groups", group, "clients"]
            if matches!(layout, Layout::Engine("rocketmq") | Layout::Twin) =>
        {
            Endpoint::Clients(group)
        }
        ["messages", "export"] if layout == Layout::Plain => Endpoint::Export,
        ["groups", group, "topics"] if layout == Layout::Plain => Endpoint::GroupTopics(group),
        ["topics", topic, "groups"] if layout == Layout::Plain => Endpoint::TopicGroups(topic),
        ["topics", topic, "status"] if layout == Layout::Plain => Endpoint::TopicStatus(topic),
        _ => return None,
    };
    if !endpoint.allows(&req.method) {
        return Some(Err(DmsError::bad_method()));
    }
    Some(serve(ctx, req, project, instance_id, endpoint))
}

fn serve(
    ctx: &mut Ctx<'_>,
    req: &Req,
    project: &str,
    instance_id: &str,
    endpoint: Endpoint<'_>,
) -> Result<Resp, DmsError> {
    let instance = ctx.instance(project, instance_id)?;
    match endpoint {
        Endpoint::Messages if req.method == "POST" => produce::handle_send(ctx, req, instance_id),
        Endpoint::Messages => query::handle(ctx, req, instance_id),
        Endpoint::Trace => trace::handle(ctx, req, instance_id),
        Endpoint::DeadLetterResend => dlq::handle_resend(ctx, req, &instance, instance_id),
        Endpoint::Verify => dlq::handle_verify(ctx, req, &instance, instance_id),
        Endpoint::Export => dlq::handle_export(ctx, req, &instance, instance_id),
        Endpoint::ResetOffset(group) => {
            offsets::handle_reset(ctx, req, &instance, instance_id, group)
        }
        Endpoint::Clients(group) => clients::handle(ctx, req, instance_id, group),
        Endpoint::GroupTopics(group) => {
            offsets::handle_group_topics(ctx, req, &instance, instance_id, group)
        }
        Endpoint::TopicGroups(topic) => {
            offsets::handle_topic_groups(ctx, req, &instance, instance_id, topic)
        }
        Endpoint::TopicStatus(topic) => {
            offsets::handle_topic_status(ctx, &instance, instance_id, topic)
        }
    }
}

/// Advances the message plane (retention; cheap unless a pass is due).
pub fn advance(ctx: &mut Ctx<'_>) -> Result<(), DmsError> {
    retention::advance(ctx)
}

/// Background tasks: the traffic simulator, when `traffic_per_second > 0` and demo data is on.
pub fn background_tasks(
    emulator: &std::sync::Arc<super::Emulator>,
) -> Vec<tokio::task::JoinHandle<()>> {
    traffic::spawn(emulator).into_iter().collect()
}

/// Storage used by the instance's messages, in GB (rounded up), for `used_storage_space`.
pub fn storage_used_gb(ctx: &Ctx<'_>, instance_id: &str) -> Result<i64, DmsError> {
    const GB: i64 = 1024 * 1024 * 1024;
    let bytes: i64 = ctx
        .tx
        .prepare_cached("SELECT bytes FROM plane_usage WHERE instance = ?1")?
        .query_row(params![instance_id], |row| row.get(0))
        .optional()?
        .unwrap_or(0);
    Ok((bytes + GB - 1) / GB)
}

/// Whether a group has online consumers, and how many topics it subscribes to.
pub fn group_summary(
    ctx: &Ctx<'_>,
    instance_id: &str,
    group: &str,
) -> Result<(bool, i64), DmsError> {
    let online = clients::clients(ctx, instance_id, group)?;
    let topics = offsets::consumed_topics_of(ctx, instance_id, group, &online)?.len() as i64;
    Ok((!online.is_empty(), topics))
}

/// Drops the plane's data of a deleted topic (queues, messages, offsets, traces).
pub fn on_topic_deleted(ctx: &mut Ctx<'_>, instance_id: &str, topic: &str) -> Result<(), DmsError> {
    for sql in [
        "DELETE FROM plane_message_keys WHERE instance = ?1 AND topic = ?2",
        "DELETE FROM plane_messages WHERE instance = ?1 AND topic = ?2",
        "DELETE FROM plane_queues WHERE instance = ?1 AND topic = ?2",
        "DELETE FROM plane_topics WHERE instance = ?1 AND topic = ?2",
        "DELETE FROM plane_consumer_offsets WHERE instance = ?1 AND topic = ?2",
        "DELETE FROM plane_traces WHERE instance = ?1 AND topic = ?2",
    ] {
        ctx.tx.execute(sql, params![instance_id, topic])?;
    }
    Ok(())
}

/// Drops the plane's data of a deleted group (offsets, clients, retry and dead-letter topics).
pub fn on_group_deleted(ctx: &mut Ctx<'_>, instance_id: &str, group: &str) -> Result<(), DmsError> {
    for sql in [
        "DELETE FROM plane_consumer_offsets WHERE instance = ?1 AND grp = ?2",
        "DELETE FROM plane_clients WHERE instance = ?1 AND grp = ?2",
    ] {
        ctx.tx.execute(sql, params![instance_id, group])?;
    }
    for prefix in [model::RETRY_PREFIX, model::DLQ_PREFIX] {
        let topic = format!("{prefix}{group}");
        for sql in [
            "DELETE FROM plane_message_keys WHERE instance = ?1 AND topic = ?2",
            "DELETE FROM plane_messages WHERE instance = ?1 AND topic = ?2",
            "DELETE FROM plane_queues WHERE instance = ?1 AND topic = ?2",
            "DELETE FROM plane_topics WHERE instance = ?1 AND topic = ?2",
        ] {
            ctx.tx.execute(sql, params![instance_id, topic])?;
        }
    }
    Ok(())
}

/// Drops the plane's data of a deleted instance.
pub fn on_instance_deleted(ctx: &mut Ctx<'_>, instance_id: &str) -> Result<(), DmsError> {
    for table in [
        "plane_message_keys",
        "plane_messages",
        "plane_queues",
        "plane_brokers",
        "plane_topics",
        "plane_consumer_offsets",
        "plane_clients",
        "plane_traces",
        // After `plane_queues`, whose triggers update it.
        "plane_usage",
    ] {
        ctx.tx.execute(
            &format!("DELETE FROM {table} WHERE instance = ?1"),
            params![instance_id],
        )?;
    }
    Ok(())
}
