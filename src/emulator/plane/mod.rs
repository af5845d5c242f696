//! (being written)

use serde_json::Value;

use super::context::{Ctx, Req, Routed};
use super::error::DmsError;

/// The message plane's tables.
pub const SCHEMA: &str = "";

/// Routes this module's paths.
pub fn route(_ctx: &mut Ctx<'_>, _req: &Req, _segments: &[&str]) -> Routed {
    None
}

/// Advances the message plane.
pub fn advance(_ctx: &mut Ctx<'_>) -> Result<(), DmsError> {
    Ok(())
}

/// Background tasks (simulated traffic).
pub fn background_tasks(
    _emulator: &std::sync::Arc<super::Emulator>,
) -> Vec<tokio::task::JoinHandle<()>> {
    Vec::new()
}

/// Storage used by the instance's messages, in GB (rounded up), for `used_storage_space`.
pub fn storage_used_gb(_ctx: &Ctx<'_>, _instance_id: &str) -> Result<i64, DmsError> {
    Ok(0)
}

/// Whether a group has online consumers, and how many topics it subscribes to.
pub fn group_summary(
    _ctx: &Ctx<'_>,
    _instance_id: &str,
    _group: &str,
) -> Result<(bool, i64), DmsError> {
    Ok((false, 0))
}

/// Drops the plane's data of a deleted topic (queues, messages, traces).
pub fn on_topic_deleted(
    _ctx: &mut Ctx<'_>,
    _instance_id: &str,
    _topic: &str,
) -> Result<(), DmsError> {
    Ok(())
}

/// Drops the plane's data of a deleted group (offsets, clients, retry and dead-letter topics).
pub fn on_group_deleted(
    _ctx: &mut Ctx<'_>,
    _instance_id: &str,
    _group: &str,
) -> Result<(), DmsError> {
    Ok(())
}

/// Drops the plane's data of a deleted instance.
pub fn on_instance_deleted(_ctx: &mut Ctx<'_>, _instance_id: &str) -> Result<(), DmsError> {
    Ok(())
}

#[allow(dead_code)]
fn unused(_: Value) {}
