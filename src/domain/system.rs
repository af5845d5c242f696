//! RocketMQ's own topic and group names: what a metadata export contains and a migration
//! leaves out, for the console's preview and the emulator's task alike.

/// Topic names of RocketMQ's own.
const SYSTEM_TOPICS: &[&str] = &[
    "SCHEDULE_TOPIC_XXXX",
    "TBW102",
    "BenchmarkTest",
    "OFFSET_MOVED_EVENT",
    "SELF_TEST_TOPIC",
    "TRANS_CHECK_MAX_TIME_TOPIC",
];

/// Group names of RocketMQ's own.
const SYSTEM_GROUPS: &[&str] = &[
    "TOOLS_CONSUMER",
    "FILTERSRV_CONSUMER",
    "SELF_TEST_C_GROUP",
    "CID_ONS-HTTP-PROXY",
    "CID_ONSAPI_OWNER",
    "CID_ONSAPI_PERMISSION",
    "CID_ONSAPI_PULL",
];

/// Prefixes of RocketMQ's own topics and groups (retry and dead-letter topics among them).
const SYSTEM_PREFIXES: &[&str] = &["%RETRY%", "%DLQ%", "RMQ_SYS_", "rmq_sys_", "CID_RMQ_SYS_"];

/// Whether `name` is one of RocketMQ's own topics.
pub fn is_system_topic(name: &str) -> bool {
    SYSTEM_TOPICS.contains(&name) || has_system_prefix(name)
}

/// Whether `name` is one of RocketMQ's own consumer groups.
pub fn is_system_group(name: &str) -> bool {
    SYSTEM_GROUPS.contains(&name) || has_system_prefix(name)
}

fn has_system_prefix(name: &str) -> bool {
    SYSTEM_PREFIXES.iter().any(|p| name.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rocketmq_names_are_recognised() {
        assert!(is_system_topic("%RETRY%billing"));
        assert!(is_system_topic("TBW102"));
        assert!(!is_system_topic("orders"));
        assert!(is_system_group("TOOLS_CONSUMER"));
        assert!(is_system_group("CID_RMQ_SYS_TRANS"));
        assert!(!is_system_group("billing"));
        assert!(!is_system_group("TBW102"));
    }
}
