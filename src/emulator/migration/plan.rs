//! What a migration task will create: the topics and groups read from a §5.6.1 body, checked
//! when the task is created so that a bad file is refused at once.
//!
//! `type=rocketmq`: the `topicConfigTable` and `subscriptionGroupTable` of a RocketMQ metadata
//! export, in the API reference's camelCase or the SDK's snake_case (`topic_config_table`, …) at both
//! levels, with the SDK defaults for absent fields. RocketMQ's own system entries (`%RETRY%…`,
//! `%DLQ%…`, `RMQ_SYS_…`, `SCHEDULE_TOPIC_XXXX`, `TBW102`, …) are skipped.
//!
//! `type=rabbitToRocket`: every exchange except the built-in ones (`""`, `amq.*`) becomes a
//! topic and every queue a consumer group, named after the RabbitMQ object, prefixed with
//! `{vhost}-` unless the vhost is `/` (the `{vhost}-{exchange}` form the task query uses).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::{is_system_group, is_system_topic};
use crate::emulator::error::DmsError;
use crate::emulator::names::{self, array, boolean, integer, object, string};
use crate::emulator::topics::DEFAULT_QUEUES;

/// A topic the task creates (or overwrites).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicPlan {
    /// The name.
    pub name: String,
    /// Read queues per broker.
    pub read: i64,
    /// Write queues per broker.
    pub write: i64,
    /// `pub`, `sub` or `all` (from the RocketMQ permission bits).
    pub permission: String,
    /// Ordered topic (FIFO on 5.x).
    pub order: bool,
}

/// A consumer group the task creates (or overwrites).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupPlan {
    /// The name.
    pub name: String,
    /// Consumption allowed.
    pub enabled: bool,
    /// Broadcast consumption.
    pub broadcast: bool,
    /// Maximum retries, 1–16.
    pub retry_max_time: i64,
}

/// Everything a task will create.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Topics.
    pub topics: Vec<TopicPlan>,
    /// Consumer groups.
    pub groups: Vec<GroupPlan>,
}

impl Plan {
    /// The names of the topics and of the groups the plan creates, as JSON arrays.
    pub fn names(&self) -> (Value, Value) {
        (
            self.topics
                .iter()
                .map(|t| Value::from(t.name.as_str()))
                .collect(),
            self.groups
                .iter()
                .map(|g| Value::from(g.name.as_str()))
                .collect(),
        )
    }
}

/// The value of a field given in camelCase (seed) or snake_case (SDK), with the name used.
fn pick<'v>(map: &'v Map<String, Value>, camel: &str, snake: &str) -> (Option<&'v Value>, String) {
    match map.get(camel) {
        Some(value) if !value.is_null() => (Some(value), camel.to_owned()),
        _ => (map.get(snake), snake.to_owned()),
    }
}

/// Checks that a `topicName`/`groupName` inside an entry agrees with its map key.
fn check_inner_name(
    entry: &Map<String, Value>,
    camel: &str,
    snake: &str,
    at: &str,
    key: &str,
) -> Result<(), DmsError> {
    let (value, used) = pick(entry, camel, snake);
    match string(value, &format!("{at}.{used}"))? {
        Some(inner) if inner != key => Err(DmsError::bad_body(format!(
            "`{at}.{used}` is `{inner}` but the entry's key is `{key}`."
        ))),
        _ => Ok(()),
    }
}

/// The plan of a `type=rocketmq` body.
pub fn rocketmq(body: &Map<String, Value>) -> Result<Plan, DmsError> {
    let (topics, topics_field) = pick(body, "topicConfigTable", "topic_config_table");
    let (groups, groups_field) = pick(body, "subscriptionGroupTable", "subscription_group_table");
    let topics = object(topics, &topics_field)?;
    let groups = object(groups, &groups_field)?;
    if topics.is_none() && groups.is_none() {
        return Err(DmsError::bad_body(
            "A `type=rocketmq` task needs `topicConfigTable` or `subscriptionGroupTable` (SDK: `topic_config_table`, `subscription_group_table`).",
        ));
    }
    let mut plan = Plan::default();
    for (name, entry) in topics.into_iter().flatten() {
        if is_system_topic(name) {
            continue;
        }
        names::check_topic_name(name)?;
        let at = format!("{topics_field}.{name}");
        let entry = object(Some(entry), &at)?.cloned().unwrap_or_default();
        check_inner_name(&entry, "topicName", "topic_name", &at, name)?;
        let number = |camel: &str, snake: &str, min: i64, max: i64| {
            let (value, used) = pick(&entry, camel, snake);
            integer(value, &format!("{at}.{used}"), min, max)
        };
        let read = number("readQueueNums", "read_queue_nums", 1, 50)?.unwrap_or(16);
        let write = number("writeQueueNums", "write_queue_nums", 1, 50)?.unwrap_or(16);
        number("topicSysFlag", "topic_sys_flag", 0, i64::from(i32::MAX))?;
        let perm = number("perm", "perm", 0, 15)?.unwrap_or(6);
        let permission = match perm & 6 {
            6 => "all",
            4 => "sub",
            2 => "pub",
            _ => {
                return Err(DmsError::bad_body(format!(
                    "`{at}.perm` is {perm}, which grants neither read (4) nor write (2)."
                )));
            }
        };
        let (filter, used) = pick(&entry, "topicFilterType", "topic_filter_type");
        if let Some(kind) = string(filter, &format!("{at}.{used}"))?
            && kind != "SINGLE_TAG"
            && kind != "MULTI_TAG"
        {
            return Err(DmsError::bad_body(format!(
                "`{at}.{used}` is `{kind}`; allowed are SINGLE_TAG and MULTI_TAG."
            )));
        }
        plan.topics.push(TopicPlan {
            name: name.clone(),
            read,
            write,
            permission: permission.to_owned(),
            order: boolean(entry.get("order"), &format!("{at}.order"))?.unwrap_or(false),
        });
    }
    for (name, entry) in groups.into_iter().flatten() {
        if is_system_group(name) {
            continue;
        }
        names::check_group_name(name)?;
        let at = format!("{groups_field}.{name}");
        let entry = object(Some(entry), &at)?.cloned().unwrap_or_default();
        check_inner_name(&entry, "groupName", "group_name", &at, name)?;
        let flag = |camel: &str, snake: &str| {
            let (value, used) = pick(&entry, camel, snake);
            boolean(value, &format!("{at}.{used}"))
        };
        let enabled = flag("consumeEnable", "consume_enable")?.unwrap_or(true);
        let broadcast =
            flag("consumeBroadcastEnable", "consume_broadcast_enable")?.unwrap_or(false);
        flag("consumeFromMinEnable", "consume_from_min_enable")?;
        flag(
            "notifyConsumerIdsChangedEnable",
            "notify_consumer_ids_changed_enable",
        )?;
        let number = |camel: &str, snake: &str, min: i64, max: i64| {
            let (value, used) = pick(&entry, camel, snake);
            integer(value, &format!("{at}.{used}"), min, max)
        };
        let retry_max_time = number("retryMaxTimes", "retry_max_times", 1, 16)?.unwrap_or(16);
        number("retryQueueNums", "retry_queue_nums", 0, 50)?;
        number(
            "whichBrokerWhenConsumeSlow",
            "which_broker_when_consume_slow",
            0,
            i64::MAX,
        )?;
        plan.groups.push(GroupPlan {
            name: name.clone(),
            enabled,
            broadcast,
            retry_max_time,
        });
    }
    Ok(plan)
}

/// The RocketMQ name of a RabbitMQ object in `vhost`.
fn rabbit_name(vhost: &str, name: &str) -> String {
    if vhost.is_empty() || vhost == "/" {
        name.to_owned()
    } else {
        format!("{vhost}-{name}")
    }
}

/// Reads one RabbitMQ list of objects, checking its documented fields: `texts` must be
/// strings, `durable` a boolean, and `enums` (field, allowed values) among their values.
/// Other fields (such as `arguments` of a RabbitMQ definitions export) are kept unchecked.
fn rabbit_list(
    body: &Map<String, Value>,
    field: &str,
    texts: &[&str],
    enums: &[(&str, &[&str])],
) -> Result<Vec<Map<String, Value>>, DmsError> {
    let items = array(body.get(field), field)?.ok_or_else(|| {
        DmsError::bad_body(format!(
            "A `type=rabbitToRocket` task needs `vhosts`, `queues`, `exchanges` and `bindings`; `{field}` is missing."
        ))
    })?;
    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let at = format!("{field}[{index}]");
        let item = object(Some(item), &at)?.cloned().unwrap_or_default();
        for key in texts {
            string(item.get(*key), &format!("{at}.{key}"))?;
        }
        boolean(item.get("durable"), &format!("{at}.durable"))?;
        for (key, allowed) in enums {
            if let Some(value) = string(item.get(*key), &format!("{at}.{key}"))?
                && !allowed.contains(&value)
            {
                return Err(DmsError::bad_body(format!(
                    "`{at}.{key}` is `{value}`; allowed are {}.",
                    allowed.join(", ")
                )));
            }
        }
        out.push(item);
    }
    Ok(out)
}

/// The RabbitMQ definitions of a `type=rabbitToRocket` body, checked, and the plan they give.
pub fn rabbit(body: &Map<String, Value>) -> Result<(Value, Plan), DmsError> {
    let vhosts = rabbit_list(body, "vhosts", &["name"], &[])?;
    let queues = rabbit_list(body, "queues", &["vhost", "name"], &[])?;
    let exchanges = rabbit_list(
        body,
        "exchanges",
        &["vhost", "name"],
        &[("type", &["topic", "direct", "fanout", "headers"])],
    )?;
    let bindings = rabbit_list(
        body,
        "bindings",
        &["vhost", "source", "destination", "routing_key"],
        &[("destination_type", &["exchange", "queue"])],
    )?;
    let text = |item: &Map<String, Value>, key: &str| {
        item.get(key)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let mut plan = Plan::default();
    for exchange in &exchanges {
        let name = text(exchange, "name");
        if name.is_empty() || name.starts_with("amq.") {
            continue;
        }
        let topic = rabbit_name(&text(exchange, "vhost"), &name);
        names::check_topic_name(&topic)?;
        if plan.topics.iter().all(|t| t.name != topic) {
            plan.topics.push(TopicPlan {
                name: topic,
                read: DEFAULT_QUEUES,
                write: DEFAULT_QUEUES,
                permission: "all".to_owned(),
                order: false,
            });
        }
    }
    for (index, queue) in queues.iter().enumerate() {
        let name = text(queue, "name");
        if name.is_empty() {
            return Err(DmsError::bad_body(format!(
                "`queues[{index}].name` is required."
            )));
        }
        let group = rabbit_name(&text(queue, "vhost"), &name);
        names::check_group_name(&group)?;
        if plan.groups.iter().all(|g| g.name != group) {
            plan.groups.push(GroupPlan {
                name: group,
                enabled: true,
                broadcast: false,
                retry_max_time: 16,
            });
        }
    }
    let definitions = serde_json::json!({
        "vhosts": vhosts,
        "queues": queues,
        "exchanges": exchanges,
        "bindings": bindings,
    });
    Ok((definitions, plan))
}

/// The migrated RabbitMQ definitions of one kind (`vhost`, `exchange`, `queue`, `all`) for the
/// task query of §5.6.2: exchanges of the vhost `name`; queues bound to the exchange
/// `name` = `{vhost}-{exchange}`.
pub fn rabbit_query(definitions: &Value, kind: &str, name: Option<&str>) -> Map<String, Value> {
    let list = |key: &str| definitions[key].as_array().cloned().unwrap_or_default();
    let mut out = Map::new();
    match kind {
        "vhost" => {
            out.insert("vhosts".into(), Value::Array(list("vhosts")));
        }
        "exchange" => {
            let exchanges = list("exchanges")
                .into_iter()
                .filter(|e| name.is_none_or(|n| e["vhost"].as_str().unwrap_or("") == n))
                .collect();
            out.insert("exchanges".into(), Value::Array(exchanges));
        }
        "queue" => {
            let queues = list("queues")
                .into_iter()
                .filter(|q| {
                    name.is_none_or(|n| {
                        list("bindings").iter().any(|b| {
                            b["destination_type"] == "queue"
                                && b["destination"] == q["name"]
                                && b["vhost"] == q["vhost"]
                                && format!(
                                    "{}-{}",
                                    b["vhost"].as_str().unwrap_or(""),
                                    b["source"].as_str().unwrap_or("")
                                ) == n
                        })
                    })
                })
                .collect();
            out.insert("queues".into(), Value::Array(queues));
        }
        _ => {
            for key in ["vhosts", "exchanges", "queues", "bindings"] {
                out.insert(key.into(), Value::Array(list(key)));
            }
        }
    }
    out
}
