//! Hands each request to the chapter module that owns its path, and runs the time-driven
//! work of every module.
//!
//! Each module exposes `route(ctx, req, segments) -> Routed`, answering `None` for paths that
//! are not its own, so modules never edit a shared table. Path segments are already
//! percent-decoded; `{engine}` accepts `rocketmq` and `reliability`.

use super::context::{Ctx, Req, Resp, Routed};
use super::error::DmsError;
use super::{Emulator, auth, groups, instances, migration, plane, topics, users};

type Route = fn(&mut Ctx<'_>, &Req, &[&str]) -> Routed;

/// The modules, in the order they are asked.
const MODULES: &[Route] = &[
    auth::route,
    instances::route,
    topics::route,
    groups::route,
    users::route,
    migration::route,
    plane::route,
];

/// Routes `req` to its handler; an unclaimed path is `DMS.00404001`.
pub fn dispatch(ctx: &mut Ctx<'_>, req: &Req) -> Result<Resp, DmsError> {
    let segments: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    for route in MODULES {
        if let Some(result) = route(ctx, req, &segments) {
            return result;
        }
    }
    Err(DmsError::no_route())
}

/// Applies everything that is due at `ctx.now_ms` (state transitions on timers).
pub fn advance(ctx: &mut Ctx<'_>) -> Result<(), DmsError> {
    instances::advance(ctx)?;
    migration::advance(ctx)?;
    plane::advance(ctx)?;
    Ok(())
}

/// Whether a timer is due, so that a read must run [`advance`] first (on the writer) to answer
/// with the state it leads to. Retention is not asked: it runs on its own period (at most once
/// a second, from the emulator's ticker) whatever the requests.
pub fn due(ctx: &Ctx<'_>) -> Result<bool, DmsError> {
    Ok(instances::due(ctx)? || migration::due(ctx)?)
}

/// Background tasks of the modules (simulated traffic).
pub fn background_tasks(emulator: &std::sync::Arc<Emulator>) -> Vec<tokio::task::JoinHandle<()>> {
    plane::background_tasks(emulator)
}
