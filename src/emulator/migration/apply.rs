//! The end of a migration task: its plan becomes topics and groups on the instance, all or
//! nothing. With `overwrite=false` an existing topic or group of the same name fails the task
//! (API reference); with `overwrite=true` it takes the migrated settings and
//! keeps its creation time and description. A plan that would exceed the instance's quota
//! fails the task too.

use serde_json::Value;

use super::plan::Plan;
use crate::emulator::context::{Ctx, INSTANCE};
use crate::emulator::error::DmsError;
use crate::emulator::groups::{self, GROUP, GroupFields};
use crate::emulator::instances::facts::{broker_names, is_5x, quotas};
use crate::emulator::topics::{self, TOPIC, TopicSpec};

/// Creates or overwrites everything in `plan`; `Ok(Err(reason))` when the task fails.
pub fn apply(
    ctx: &mut Ctx<'_>,
    project: &str,
    instance_id: &str,
    overwrite: bool,
    plan: &Plan,
) -> Result<Result<(), String>, DmsError> {
    let Some(instance) = ctx.docs.get(INSTANCE, project, instance_id)? else {
        return Ok(Err("the instance no longer exists".to_owned()));
    };
    let mut existing_topics = Vec::new();
    for topic in &plan.topics {
        if let Some(document) = ctx.docs.get(TOPIC, instance_id, &topic.name)? {
            existing_topics.push((topic.name.clone(), document));
        }
    }
    let mut existing_groups = Vec::new();
    for group in &plan.groups {
        if let Some(document) = ctx.docs.get(GROUP, instance_id, &group.name)? {
            existing_groups.push((group.name.clone(), document));
        }
    }
    let clash = !(existing_topics.is_empty() && existing_groups.is_empty());
    if clash && !overwrite {
        let taken: Vec<String> = existing_topics
            .iter()
            .map(|(n, _)| format!("topic {n}"))
            .chain(existing_groups.iter().map(|(n, _)| format!("group {n}")))
            .collect();
        return Ok(Err(format!(
            "already exist and overwrite is false: {}",
            taken.join(", ")
        )));
    }
    let (max_topics, max_groups) = quotas(&instance);
    let new_topics = (plan.topics.len() - existing_topics.len()) as i64;
    let new_groups = (plan.groups.len() - existing_groups.len()) as i64;
    if ctx.docs.count(TOPIC, instance_id)? + new_topics > max_topics {
        return Ok(Err(format!(
            "the instance cannot hold {new_topics} more topics (maximum {max_topics})"
        )));
    }
    if ctx.docs.count(GROUP, instance_id)? + new_groups > max_groups {
        return Ok(Err(format!(
            "the instance cannot hold {new_groups} more consumer groups (maximum {max_groups})"
        )));
    }

    let five = is_5x(&instance);
    for topic in &plan.topics {
        let existing = existing_topics.iter().find(|(n, _)| *n == topic.name);
        let brokers = match existing {
            Some((_, document)) => topics::brokers_of(document)
                .into_iter()
                .map(|(broker, _, _)| broker)
                .collect(),
            None => broker_names(&instance),
        };
        let spec = TopicSpec {
            name: topic.name.clone(),
            brokers: brokers
                .into_iter()
                .map(|b| (b, topic.read, topic.write))
                .collect(),
            permission: if five {
                "all".to_owned()
            } else {
                topic.permission.clone()
            },
            message_type: five.then(|| if topic.order { "FIFO" } else { "NORMAL" }.to_owned()),
            topic_desc: existing
                .and_then(|(_, d)| d["topic_desc"].as_str())
                .unwrap_or_default()
                .to_owned(),
        };
        let created_at = existing
            .and_then(|(_, d)| d["_emu"]["created_at"].as_i64())
            .unwrap_or(ctx.now_ms);
        ctx.docs.put(
            TOPIC,
            instance_id,
            &topic.name,
            &topics::document(&spec, created_at),
        )?;
    }
    for group in &plan.groups {
        let fields = GroupFields {
            enabled: Some(group.enabled),
            broadcast: Some(group.broadcast),
            retry_max_time: Some(group.retry_max_time),
            ..GroupFields::default()
        };
        let document: Value = match existing_groups.iter().find(|(n, _)| *n == group.name) {
            Some((_, existing)) => {
                let mut document = existing.clone();
                fields.apply(&mut document);
                document
            }
            None => groups::document(&instance, &group.name, &fields, ctx.now_ms),
        };
        ctx.docs.put(GROUP, instance_id, &group.name, &document)?;
    }
    Ok(Ok(()))
}
