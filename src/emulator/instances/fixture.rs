//! A ready-made RUNNING instance written straight into the store, for tests and tooling that
//! need one without going through the instance life cycle.

use serde_json::json;

use crate::emulator::Emulator;
use crate::emulator::context::INSTANCE;

impl Emulator {
    /// Puts a minimal RUNNING instance document into `project` and returns its id, for tests and
    /// demo tooling that need an instance without going through the instance life cycle.
    ///
    /// The instance has a generated name, `engine: "reliability"`, the given `engine_version`
    /// (`"4.8.0"` or `"5.x"`) and `broker_num`, `enable_acl: true`, and the product
    /// `c6.4u8g.cluster` (4.8.0; 4000 topics and groups per broker) or `rocketmq.p2.large.8`
    /// (5.x; 4000 of each).
    ///
    /// # Panics
    ///
    /// When the database cannot be written.
    pub fn seed_instance_for_tests(
        &self,
        project: &str,
        engine_version: &str,
        broker_num: i64,
    ) -> String {
        self.transact(project, |ctx| {
            let id = ctx.uuid();
            let five = engine_version.starts_with('5');
            let document = json!({
                "name": format!("seeded-{}", &id[..8]),
                "engine": "reliability",
                "engine_version": engine_version,
                "instance_id": id,
                "status": "RUNNING",
                "type": if five { "cluster.professional" } else { "cluster" },
                "product_id": if five { "rocketmq.p2.large.8" } else { "c6.4u8g.cluster" },
                "specification": if five {
                    "rocketmq.p2.large.8".to_owned()
                } else {
                    format!("c6.4u8g.cluster * {broker_num} broker")
                },
                "broker_num": broker_num,
                "enable_acl": true,
                "charging_mode": 1,
                "storage_space": 600,
                "used_storage_space": 0,
                "created_at": ctx.now_ms.to_string(),
                "_emu": {},
            });
            ctx.docs.put(INSTANCE, project, &id, &document)?;
            Ok(id)
        })
        .expect("the emulator database accepts a seeded instance")
    }
}
