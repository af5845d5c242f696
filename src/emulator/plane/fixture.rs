//! A ready-made RUNNING instance with topics and groups, written straight into the document
//! store in the shared formats, for tests, benchmarks and demo data that need the plane
//! without going through the instance, topic and group endpoints.

use serde_json::{Value, json};

use super::model::{GROUP, TOPIC};
use crate::emulator::Emulator;
use crate::emulator::context::{Ctx, INSTANCE};
use crate::emulator::error::DmsError;

/// What [`Emulator::seed_plane_fixture`] created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaneFixture {
    /// The instance (status RUNNING; `broker_num` 2 on 4.8.0, one broker on 5.x).
    pub instance_id: String,
    /// `orders`: four read/write queues per broker, traced.
    pub orders: String,
    /// `payments`: two queues on `broker-0`, traced.
    pub payments: String,
    /// `audit`: one queue on `broker-0`, tracing off (`_emu.trace_enabled` false).
    pub audit: String,
    /// `GID_orders`: `retry_max_time` 2, so dead letters come quickly.
    pub orders_group: String,
    /// `GID_payments`: `retry_max_time` 16 (RocketMQ's default).
    pub payments_group: String,
    /// `GID_audit`: `retry_max_time` 16.
    pub audit_group: String,
}

/// An instance document in the SDK `ShowInstanceResponse` shape, plus `_emu.configs`.
pub fn instance_document(
    instance_id: &str,
    name: &str,
    engine_version: &str,
    now_ms: i64,
) -> Value {
    let is_5x = engine_version.starts_with('5');
    let mut doc = json!({
        "name": name,
        "engine": "reliability",
        "engine_version": engine_version,
        "status": "RUNNING",
        "description": "",
        "type": if is_5x { "cluster.basic" } else { "cluster" },
        "specification": if is_5x { "rocketmq.b2.large.4, 2000 tps" } else { "c6.4u8g.cluster * 2 broker" },
        "instance_id": instance_id,
        "charging_mode": 1,
        "created_at": now_ms.to_string(),
        "product_id": if is_5x { "rocketmq.b2.large.4" } else { "c6.4u8g.cluster" },
        "storage_space": 600,
        "used_storage_space": 0,
        "total_storage_space": 600,
        "storage_spec_code": "dms.physical.storage.high.v2",
        "enable_acl": false,
        "ssl_enable": false,
        "enable_publicip": false,
        "available_zones": ["az-1"],
        "tags": [],
        "_emu": {"configs": {"fileReservedTime": "48"}},
    });
    if !is_5x {
        doc["broker_num"] = json!(2);
    }
    doc
}

fn topic_document(name: &str, brokers: &[(&str, i64)], traced: bool, is_5x: bool) -> Value {
    let total: i64 = brokers.iter().map(|(_, n)| n).sum();
    let mut doc = json!({
        "name": name,
        "total_read_queue_num": total,
        "total_write_queue_num": total,
        "permission": "all",
        "brokers": brokers.iter().map(|(broker, n)| json!({
            "broker_name": broker, "read_queue_num": n, "write_queue_num": n,
        })).collect::<Vec<_>>(),
        "topic_desc": "",
        "_emu": {"trace_enabled": traced},
    });
    if is_5x {
        doc["message_type"] = json!("NORMAL");
    }
    doc
}

fn group_document(name: &str, brokers: &[&str], retry_max_time: i64, now_ms: i64) -> Value {
    json!({
        "name": name,
        "enabled": true,
        "broadcast": false,
        "brokers": brokers,
        "group_desc": "",
        "retry_max_time": retry_max_time,
        "created_at": now_ms,
        "permissions": [],
        "consume_orderly": false,
    })
}

fn seed(ctx: &mut Ctx<'_>, engine_version: &str) -> Result<PlaneFixture, DmsError> {
    let is_5x = engine_version.starts_with('5');
    let instance_id = ctx.uuid();
    let project = ctx.project.clone();
    let name = format!("plane-{}", &instance_id[..8]);
    ctx.docs.put(
        INSTANCE,
        &project,
        &instance_id,
        &instance_document(&instance_id, &name, engine_version, ctx.now_ms),
    )?;
    let brokers: &[&str] = if is_5x {
        &["broker-0"]
    } else {
        &["broker-0", "broker-1"]
    };
    let orders: Vec<(&str, i64)> = brokers.iter().map(|b| (*b, 4)).collect();
    for (topic, layout, traced) in [
        ("orders", orders, true),
        ("payments", vec![("broker-0", 2)], true),
        ("audit", vec![("broker-0", 1)], false),
    ] {
        ctx.docs.put(
            TOPIC,
            &instance_id,
            topic,
            &topic_document(topic, &layout, traced, is_5x),
        )?;
    }
    for (group, retry_max_time) in [("GID_orders", 2), ("GID_payments", 16), ("GID_audit", 16)] {
        ctx.docs.put(
            GROUP,
            &instance_id,
            group,
            &group_document(group, brokers, retry_max_time, ctx.now_ms),
        )?;
    }
    Ok(PlaneFixture {
        instance_id,
        orders: "orders".into(),
        payments: "payments".into(),
        audit: "audit".into(),
        orders_group: "GID_orders".into(),
        payments_group: "GID_payments".into(),
        audit_group: "GID_audit".into(),
    })
}

impl Emulator {
    /// Creates a RUNNING instance of `engine_version` (`"4.8.0"` or `"5.x"`) in `project`
    /// with the topics and groups described on [`PlaneFixture`], in one transaction.
    ///
    /// # Panics
    /// When the database refuses the write (a broken data directory).
    pub fn seed_plane_fixture(&self, project: &str, engine_version: &str) -> PlaneFixture {
        self.transact(project, |ctx| seed(ctx, engine_version))
            .expect("the plane fixture is written")
    }
}
