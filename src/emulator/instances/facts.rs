//! What the other chapters ask about an instance, answered in one place: its engine version,
//! its brokers, whether it accepts a change or serves messages in its current status, and how
//! many topics and consumer groups it may hold. Topics, groups, users, migration and the
//! message plane read instance documents only through these functions (and
//! `Ctx::instance`), so an instance rule changes here and nowhere else.
//!
//! It reads documents and writes nothing.

use serde_json::Value;

use super::catalog;
use crate::emulator::context::{Ctx, INSTANCE};
use crate::emulator::error::DmsError;

/// Whether an instance document is a RocketMQ 5.x instance.
pub fn is_5x(instance: &Value) -> bool {
    instance["engine_version"]
        .as_str()
        .is_some_and(|v| v.starts_with('5'))
}

/// The broker count of an instance document (one when it does not say, as 5.x instances do
/// not).
pub fn broker_count(instance: &Value) -> i64 {
    instance["broker_num"]
        .as_i64()
        .filter(|n| *n > 0)
        .unwrap_or(1)
}

/// The broker names of an instance document: `broker-0` … `broker-{broker_num - 1}`.
pub fn broker_names(instance: &Value) -> Vec<String> {
    (0..broker_count(instance))
        .map(|i| format!("broker-{i}"))
        .collect()
}

/// Refuses metadata changes (topics, groups, ACL users, migrations) on an instance that is not
/// RUNNING: `DMS.00400026`.
pub fn require_running(instance: &Value) -> Result<(), DmsError> {
    match instance["status"].as_str() {
        Some("RUNNING") => Ok(()),
        status => Err(DmsError::of("DMS.00400026").detail(format!(
            "The instance is {}; topics, groups, users and migrations change only while it is RUNNING.",
            status.unwrap_or("in no known status")
        ))),
    }
}

/// Refuses an instance-level job (restart, resize, configuration or property change) on an
/// instance that is not RUNNING: `DMS.00400017` while another job (a resize or restart) runs,
/// `DMS.00400026` in any other state.
pub fn require_idle(instance: &Value) -> Result<(), DmsError> {
    match instance["status"].as_str().unwrap_or_default() {
        "RUNNING" => Ok(()),
        status @ ("EXTENDING" | "RESTARTING") => {
            Err(DmsError::of("DMS.00400017").detail(format!("The instance is {status}.")))
        }
        status => Err(DmsError::of("DMS.00400026")
            .detail(format!("The instance is {status}; it must be RUNNING."))),
    }
}

/// Checks that the instance serves messages (RUNNING, or EXTENDING, which keeps serving):
/// `DMS.00400026` otherwise.
pub fn require_serving(instance: &Value) -> Result<(), DmsError> {
    match instance["status"].as_str() {
        None | Some("RUNNING") | Some("EXTENDING") => Ok(()),
        Some(status) => Err(DmsError::of("DMS.00400026").detail(format!(
            "The instance is `{status}`; messages need it RUNNING."
        ))),
    }
}

/// How many topics and how many consumer groups an instance may hold.
///
/// 4.8.0: the flavour's per-broker limit (API reference) times the broker count, as in the
/// reference's examples (`max: 4000` on a one-broker `c6.4u8g.cluster`); an unknown flavour
/// counts as 4000 per broker. 5.x: the reference gives no numbers; the emulator allows 2000 on
/// single-node flavours (`…1.large.1`) and 4000 on the others.
pub fn quotas(instance: &Value) -> (i64, i64) {
    let product_id = instance["product_id"].as_str().unwrap_or("");
    if is_5x(instance) {
        let max = if product_id.ends_with("1.large.1") {
            2000
        } else {
            4000
        };
        return (max, max);
    }
    let (topics, groups) = catalog::product(product_id)
        .filter(|product| !product.is_5x())
        .map_or((4000, 4000), |product| {
            (
                product.max_topic_per_broker,
                product.max_consumer_per_broker,
            )
        });
    let brokers = broker_count(instance);
    (topics * brokers, groups * brokers)
}

/// The instance `instance_id` of the request's project (`ctx.project`), for work that comes
/// with no path to check (the message plane's producers and consumers): 404 `DMS.00404022`
/// when there is none.
pub fn find(ctx: &Ctx<'_>, instance_id: &str) -> Result<Value, DmsError> {
    ctx.docs
        .get(INSTANCE, &ctx.project, instance_id)?
        .ok_or_else(DmsError::no_instance)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn quotas_follow_the_flavour_and_the_broker_count() {
        let v4 = |product: &str, brokers: i64| json!({"engine_version": "4.8.0", "product_id": product, "broker_num": brokers});
        assert_eq!(quotas(&v4("c6.4u8g.cluster", 1)), (4000, 4000));
        assert_eq!(quotas(&v4("c6.4u8g.cluster.small", 2)), (4000, 4000));
        assert_eq!(quotas(&v4("c6.8u16g.cluster", 2)), (16000, 16000));
        assert_eq!(quotas(&v4("c6.16u32g.cluster", 3)), (48000, 48000));
        assert_eq!(quotas(&v4("unknown", 2)), (8000, 8000));
        let v5 = |product: &str| json!({"engine_version": "5.x", "product_id": product});
        assert_eq!(quotas(&v5("rocketmq.p1.large.1")), (2000, 2000));
        assert_eq!(quotas(&v5("rocketmq.p2.large.8")), (4000, 4000));
    }

    #[test]
    fn each_kind_of_change_has_its_status_rule() {
        let with = |status: &str| json!({"status": status});
        assert!(require_running(&with("RUNNING")).is_ok());
        assert_eq!(
            require_running(&with("EXTENDING")).unwrap_err().code,
            "DMS.00400026"
        );
        assert_eq!(
            require_idle(&with("RESTARTING")).unwrap_err().code,
            "DMS.00400017"
        );
        assert_eq!(
            require_idle(&with("CREATING")).unwrap_err().code,
            "DMS.00400026"
        );
        assert!(require_serving(&with("EXTENDING")).is_ok());
        assert_eq!(
            require_serving(&with("FROZEN")).unwrap_err().code,
            "DMS.00400026"
        );
        assert_eq!(
            broker_names(&json!({"broker_num": 2})),
            ["broker-0", "broker-1"]
        );
        assert_eq!(broker_names(&json!({})), ["broker-0"]);
    }
}
