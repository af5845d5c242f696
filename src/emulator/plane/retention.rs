//! Retention: messages (and traces) older than the instance's `fileReservedTime` hours are
//! deleted, and queue `min_offset`s follow.
//!
//! `advance` runs before every write request and every 250 ms, so the work is gated: one indexed
//! read of `plane_meta` decides whether a pass is due (at most one per second), a pass asks
//! each instance whether it holds anything older than its cut-off (one index seek), looks at
//! the topics of those that do through the time index, and deletes at most
//! [`BATCH`] messages per topic, so a large backlog drains over several passes instead of
//! stalling a request. Store times never go back within a queue, so what is deleted is always
//! a prefix of each queue.

use rusqlite::{OptionalExtension, params};

use super::model;
use crate::emulator::context::{Ctx, INSTANCE};
use crate::emulator::error::DmsError;

/// Most messages deleted per topic per pass.
pub const BATCH: i64 = 20_000;
/// Milliseconds between passes.
pub const PERIOD_MS: i64 = 1_000;
const NEXT_PASS: &str = "retention_next_ms";

/// Runs a retention pass when one is due.
pub fn advance(ctx: &mut Ctx<'_>) -> Result<(), DmsError> {
    let due: i64 = ctx
        .tx
        .prepare_cached("SELECT value FROM plane_meta WHERE name = ?1")?
        .query_row(params![NEXT_PASS], |row| row.get(0))
        .optional()?
        .unwrap_or(0);
    if ctx.now_ms < due {
        return Ok(());
    }
    ctx.tx
        .prepare_cached(
            "INSERT INTO plane_meta (name, value) VALUES (?1, ?2) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )?
        .execute(params![NEXT_PASS, ctx.now_ms + PERIOD_MS])?;
    // Data of an instance whose document is gone waits for `on_instance_deleted`.
    for (_, instance_id, doc) in ctx.docs.list_all(INSTANCE)? {
        let cutoff = ctx.now_ms - model::retention_hours(&doc) * 3_600_000;
        expire_instance(ctx, &instance_id, cutoff)?;
    }
    Ok(())
}

/// Deletes what of `instance_id` was stored before `cutoff` (up to [`BATCH`] per topic).
pub fn expire_instance(ctx: &Ctx<'_>, instance_id: &str, cutoff: i64) -> Result<(), DmsError> {
    // One seek decides for the whole instance; only then is each topic looked at.
    let expired = ctx
        .tx
        .prepare_cached(
            "SELECT 1 FROM plane_messages WHERE instance = ?1 AND store_ms < ?2 LIMIT 1",
        )?
        .query_row(params![instance_id, cutoff], |_| Ok(()))
        .optional()?
        .is_some();
    if expired {
        expire_topics(ctx, instance_id, cutoff)?;
    }
    ctx.tx
        .prepare_cached("DELETE FROM plane_traces WHERE instance = ?1 AND ts < ?2")?
        .execute(params![instance_id, cutoff])?;
    Ok(())
}

fn expire_topics(ctx: &Ctx<'_>, instance_id: &str, cutoff: i64) -> Result<(), DmsError> {
    let topics: Vec<String> = {
        let mut statement = ctx
            .tx
            .prepare_cached("SELECT DISTINCT topic FROM plane_queues WHERE instance = ?1")?;
        let rows = statement.query_map(params![instance_id], |row| row.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for topic in topics {
        expire_topic(ctx, instance_id, &topic, cutoff)?;
    }
    Ok(())
}

fn expire_topic(
    ctx: &Ctx<'_>,
    instance_id: &str,
    topic: &str,
    cutoff: i64,
) -> Result<(), DmsError> {
    let oldest: Option<i64> = ctx
        .tx
        .prepare_cached(
            "SELECT MIN(store_ms) FROM plane_messages WHERE instance = ?1 AND topic = ?2",
        )?
        .query_row(params![instance_id, topic], |row| row.get(0))?;
    if oldest.is_none_or(|oldest| oldest >= cutoff) {
        return Ok(());
    }
    let doomed = "SELECT id FROM plane_messages WHERE instance = ?1 AND topic = ?2 \
                  AND store_ms < ?3 ORDER BY store_ms, id LIMIT ?4";
    let args = params![instance_id, topic, cutoff, BATCH];
    let freed: Vec<(String, i64, i64)> = {
        let mut statement = ctx.tx.prepare_cached(&format!(
            "SELECT broker, queue_id, SUM(store_size) FROM plane_messages \
             WHERE id IN ({doomed}) GROUP BY broker, queue_id"
        ))?;
        let rows = statement.query_map(args, |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    ctx.tx
        .prepare_cached(&format!(
            "DELETE FROM plane_message_keys WHERE message IN ({doomed})"
        ))?
        .execute(args)?;
    ctx.tx
        .prepare_cached(&format!(
            "DELETE FROM plane_messages WHERE id IN ({doomed})"
        ))?
        .execute(args)?;
    for (broker, queue_id, bytes) in freed {
        ctx.tx
            .prepare_cached(
                "UPDATE plane_queues SET bytes = MAX(0, bytes - ?5), min_offset = COALESCE(\
                 (SELECT MIN(queue_offset) FROM plane_messages WHERE instance = ?1 AND topic = ?2 \
                  AND broker = ?3 AND queue_id = ?4), max_offset) \
                 WHERE instance = ?1 AND topic = ?2 AND broker = ?3 AND queue_id = ?4",
            )?
            .execute(params![instance_id, topic, broker, queue_id, bytes])?;
    }
    Ok(())
}
