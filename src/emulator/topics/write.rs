//! Topic writes: §5.3.1 create and batch delete, §5.3.3 delete, §5.3.5 update, and the
//! document builder the metadata migration shares.

use serde_json::{Map, Value, json};

use super::{DEFAULT_QUEUES, MESSAGE_TYPES, PERMISSIONS, TOPIC, load};
use crate::emulator::context::{Ctx, Req, Resp};
use crate::emulator::error::DmsError;
use crate::emulator::instances::facts::{broker_names, is_5x, quotas, require_running};
use crate::emulator::names::{self, array, integer, name_list, object, string, strings};
use crate::emulator::plane;

/// The longest `topic_desc` accepted (the reference gives no limit for topics; this is the
/// consumer groups' `group_desc` limit).
const MAX_DESC: usize = 200;

/// What a new topic looks like, before it becomes a document.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicSpec {
    /// The topic name.
    pub name: String,
    /// `(broker name, read queues, write queues)` per broker.
    pub brokers: Vec<(String, i64, i64)>,
    /// `pub`, `sub` or `all`.
    pub permission: String,
    /// The 5.x message type; `None` on 4.8.0.
    pub message_type: Option<String>,
    /// The description.
    pub topic_desc: String,
}

/// The stored document of a topic created at `created_at` (Unix ms).
pub fn document(spec: &TopicSpec, created_at: i64) -> Value {
    let mut body = json!({
        "name": spec.name,
        "permission": spec.permission,
        "topic_desc": spec.topic_desc,
        "_emu": {"created_at": created_at},
    });
    set_brokers(&mut body, &spec.brokers);
    if let Some(message_type) = &spec.message_type {
        body["message_type"] = json!(message_type);
    }
    body
}

/// Replaces a topic document's brokers and recomputes its totals.
fn set_brokers(body: &mut Value, brokers: &[(String, i64, i64)]) {
    body["brokers"] = brokers
        .iter()
        .map(|(name, read, write)| {
            json!({"broker_name": name, "read_queue_num": read, "write_queue_num": write})
        })
        .collect();
    body["total_read_queue_num"] = json!(brokers.iter().map(|b| b.1).sum::<i64>());
    body["total_write_queue_num"] = json!(brokers.iter().map(|b| b.2).sum::<i64>());
}

/// The `(broker, read, write)` triples of a stored topic.
pub fn brokers_of(topic: &Value) -> Vec<(String, i64, i64)> {
    topic["brokers"]
        .as_array()
        .map(|brokers| {
            brokers
                .iter()
                .map(|b| {
                    (
                        b["broker_name"].as_str().unwrap_or_default().to_owned(),
                        b["read_queue_num"].as_i64().unwrap_or(0),
                        b["write_queue_num"].as_i64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn permission(value: Option<&Value>) -> Result<Option<String>, DmsError> {
    match string(value, "permission")? {
        None => Ok(None),
        Some(p) if PERMISSIONS.contains(&p) => Ok(Some(p.to_owned())),
        Some(p) => Err(DmsError::bad_body(format!(
            "`permission` is `{p}`; allowed are pub, sub and all."
        ))),
    }
}

/// §5.3.1 `POST …/topics[?action=delete]`.
pub fn create_or_batch_delete(
    ctx: &mut Ctx<'_>,
    req: &Req,
    project: &str,
    instance_id: &str,
) -> Result<Resp, DmsError> {
    let instance = ctx.instance(project, instance_id)?;
    match req.q("action") {
        None | Some("") => create(ctx, req, &instance, instance_id),
        Some("delete") => batch_delete(ctx, req, &instance, instance_id),
        Some(other) => Err(DmsError::of("DMS.00400064").detail(format!(
            "Got `{other}`; this URL accepts only `action=delete`."
        ))),
    }
}

fn create(
    ctx: &mut Ctx<'_>,
    req: &Req,
    instance: &Value,
    instance_id: &str,
) -> Result<Resp, DmsError> {
    require_running(instance)?;
    let body = req.json()?;
    let name = string(body.get("name"), "name")?
        .ok_or_else(|| DmsError::bad_body("`name` is required to create a topic."))?
        .to_owned();
    names::check_topic_name(&name)?;
    let spec = TopicSpec {
        brokers: queues_of_new_topic(&body, instance)?,
        permission: if is_5x(instance) {
            "all".to_owned()
        } else {
            permission(body.get("permission"))?.unwrap_or_else(|| "all".to_owned())
        },
        message_type: message_type(&body, instance)?,
        topic_desc: description(&body)?.unwrap_or_default(),
        name,
    };
    if ctx.docs.exists(TOPIC, instance_id, &spec.name)? {
        return Err(DmsError::of("DMS.10240017")
            .detail(format!("A topic named `{}` already exists.", spec.name)));
    }
    let (max_topics, _) = quotas(instance);
    if ctx.docs.count(TOPIC, instance_id)? >= max_topics {
        return Err(DmsError::of("DMS.10240020").detail(format!(
            "The instance already has its maximum of {max_topics} topics."
        )));
    }
    ctx.docs
        .put(TOPIC, instance_id, &spec.name, &document(&spec, ctx.now_ms))?;
    Ok(Resp::ok(json!({"id": spec.name})))
}

/// The 5.x `message_type` (default `NORMAL`), or `None` on 4.8.0, where giving one is refused;
/// 5.x refuses the 4.8.0-only fields.
fn message_type(body: &Map<String, Value>, instance: &Value) -> Result<Option<String>, DmsError> {
    let given = string(body.get("message_type"), "message_type")?;
    if !is_5x(instance) {
        return match given {
            None => Ok(None),
            Some(_) => Err(DmsError::bad_body(
                "`message_type` is for 5.x instances only; a 4.8.0 topic takes brokers, queues and permission.",
            )),
        };
    }
    for field in ["brokers", "queues"] {
        if array(body.get(field), field)?.is_some_and(|items| !items.is_empty()) {
            return Err(DmsError::bad_body(format!(
                "`{field}` is for 4.8.0 instances only; a 5.x topic takes message_type."
            )));
        }
    }
    if permission(body.get("permission"))?.is_some_and(|p| p != "all") {
        return Err(DmsError::bad_body(
            "`permission` is for 4.8.0 instances only; 5.x topics are always `all`.",
        ));
    }
    match given.unwrap_or("NORMAL") {
        kind if MESSAGE_TYPES.contains(&kind) => Ok(Some(kind.to_owned())),
        kind => Err(DmsError::bad_body(format!(
            "`message_type` is `{kind}`; allowed are NORMAL, FIFO, DELAY and TRANSACTION."
        ))),
    }
}

/// The brokers and per-broker queue counts of a new topic.
///
/// `queues[].queue_num` sets a broker's count; the top-level `queue_num` (1–50, like every
/// queue count) applies to each selected broker without an entry in `queues`; the default is
/// [`DEFAULT_QUEUES`]. The brokers are `brokers` if given, else those named in `queues`, else
/// all of the instance's (5.x instances: always all).
fn queues_of_new_topic(
    body: &Map<String, Value>,
    instance: &Value,
) -> Result<Vec<(String, i64, i64)>, DmsError> {
    let known = broker_names(instance);
    let queue_num = integer(body.get("queue_num"), "queue_num", 1, 50)?.unwrap_or(DEFAULT_QUEUES);
    if is_5x(instance) {
        return Ok(known
            .into_iter()
            .map(|b| (b, queue_num, queue_num))
            .collect());
    }
    let check_broker = |name: &str, field: &str| -> Result<(), DmsError> {
        if known.iter().any(|k| k == name) {
            Ok(())
        } else {
            Err(DmsError::bad_body(format!(
                "`{field}` names broker `{name}`, which this instance does not have (it has {}).",
                known.join(", ")
            )))
        }
    };
    let mut per_broker: Vec<(String, i64)> = Vec::new();
    for (index, entry) in array(body.get("queues"), "queues")?
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let field = format!("queues[{index}]");
        let entry = object(Some(entry), &field)?.unwrap_or(&Map::new()).clone();
        let broker = string(entry.get("broker"), &format!("{field}.broker"))?
            .ok_or_else(|| DmsError::bad_body(format!("`{field}.broker` is required.")))?;
        check_broker(broker, &format!("{field}.broker"))?;
        if per_broker.iter().any(|(b, _)| b == broker) {
            return Err(DmsError::bad_body(format!(
                "Broker `{broker}` appears twice in `queues`."
            )));
        }
        let count = integer(entry.get("queue_num"), &format!("{field}.queue_num"), 1, 50)?
            .unwrap_or(queue_num);
        per_broker.push((broker.to_owned(), count));
    }
    let selected = match strings(body.get("brokers"), "brokers")? {
        Some(listed) if !listed.is_empty() => {
            for (index, broker) in listed.iter().enumerate() {
                check_broker(broker, &format!("brokers[{index}]"))?;
                if listed[..index].contains(broker) {
                    return Err(DmsError::bad_body(format!(
                        "Broker `{broker}` appears twice in `brokers`."
                    )));
                }
            }
            if let Some((stray, _)) = per_broker.iter().find(|(b, _)| !listed.contains(b)) {
                return Err(DmsError::bad_body(format!(
                    "`queues` names broker `{stray}`, which is not in `brokers`."
                )));
            }
            listed
        }
        _ if !per_broker.is_empty() => per_broker.iter().map(|(b, _)| b.clone()).collect(),
        _ => known,
    };
    Ok(selected
        .into_iter()
        .map(|broker| {
            let count = per_broker
                .iter()
                .find(|(b, _)| *b == broker)
                .map_or(queue_num, |(_, n)| *n);
            (broker, count, count)
        })
        .collect())
}

fn description(body: &Map<String, Value>) -> Result<Option<String>, DmsError> {
    match string(body.get("topic_desc"), "topic_desc")? {
        Some(text) if text.chars().count() > MAX_DESC => Err(DmsError::bad_body(format!(
            "`topic_desc` has {} characters; at most {MAX_DESC} are allowed.",
            text.chars().count()
        ))),
        other => Ok(other.map(str::to_owned)),
    }
}

/// §5.3.1 with `action=delete`: deletes every listed topic, or none when one does not exist.
fn batch_delete(
    ctx: &mut Ctx<'_>,
    req: &Req,
    instance: &Value,
    instance_id: &str,
) -> Result<Resp, DmsError> {
    require_running(instance)?;
    let body = req.json()?;
    let topics = name_list(&body, "topics")?;
    let mut missing = Vec::new();
    for topic in &topics {
        if !ctx.docs.exists(TOPIC, instance_id, topic)? {
            missing.push(format!("`{topic}`"));
        }
    }
    if !missing.is_empty() {
        return Err(DmsError::of("DMS.00400876").detail(format!(
            "No topic {}; nothing was deleted.",
            missing.join(", ")
        )));
    }
    for topic in &topics {
        remove(ctx, instance_id, topic)?;
    }
    Ok(Resp::ok(json!({"job_id": ctx.job_id()})))
}

fn remove(ctx: &mut Ctx<'_>, instance_id: &str, topic: &str) -> Result<(), DmsError> {
    ctx.docs.delete(TOPIC, instance_id, topic)?;
    plane::on_topic_deleted(ctx, instance_id, topic)
}

/// §5.3.3 `DELETE …/topics/{topic}`: 204.
pub fn delete(
    ctx: &mut Ctx<'_>,
    project: &str,
    instance_id: &str,
    topic: &str,
) -> Result<Resp, DmsError> {
    let instance = ctx.instance(project, instance_id)?;
    require_running(&instance)?;
    load(ctx, instance_id, topic)?;
    remove(ctx, instance_id, topic)?;
    Ok(Resp::empty(204))
}

/// §5.3.5 `PUT …/topics/{topic}`: 204.
///
/// On 4.8.0, `read_queue_num` and `write_queue_num` set the counts of every broker of the topic
/// (the unit in which queues are configured) and `queues[]` sets single brokers; `permission`
/// and `topic_desc` replace theirs. 5.x topics accept only `topic_desc`.
pub fn update(
    ctx: &mut Ctx<'_>,
    req: &Req,
    project: &str,
    instance_id: &str,
    topic: &str,
) -> Result<Resp, DmsError> {
    let instance = ctx.instance(project, instance_id)?;
    require_running(&instance)?;
    let mut document = load(ctx, instance_id, topic)?;
    let body = req.json()?;
    if is_5x(&instance) {
        for field in ["read_queue_num", "write_queue_num", "permission", "queues"] {
            if body.get(field).is_some_and(|v| !v.is_null()) {
                return Err(DmsError::bad_body(format!(
                    "`{field}` can be changed on 4.8.0 instances only; a 5.x topic accepts only topic_desc."
                )));
            }
        }
    }
    let read = integer(body.get("read_queue_num"), "read_queue_num", 1, 50)?;
    let write = integer(body.get("write_queue_num"), "write_queue_num", 1, 50)?;
    let mut brokers = brokers_of(&document);
    for broker in &mut brokers {
        broker.1 = read.unwrap_or(broker.1);
        broker.2 = write.unwrap_or(broker.2);
    }
    for (index, entry) in array(body.get("queues"), "queues")?
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let field = format!("queues[{index}]");
        let entry = object(Some(entry), &field)?.unwrap_or(&Map::new()).clone();
        let name = string(entry.get("broker"), &format!("{field}.broker"))?
            .ok_or_else(|| DmsError::bad_body(format!("`{field}.broker` is required.")))?;
        let Some(broker) = brokers.iter_mut().find(|b| b.0 == name) else {
            return Err(DmsError::bad_body(format!(
                "`{field}.broker` names `{name}`, which does not carry topic `{topic}`."
            )));
        };
        if let Some(n) = integer(
            entry.get("read_queue_num"),
            &format!("{field}.read_queue_num"),
            1,
            50,
        )? {
            broker.1 = n;
        }
        if let Some(n) = integer(
            entry.get("write_queue_num"),
            &format!("{field}.write_queue_num"),
            1,
            50,
        )? {
            broker.2 = n;
        }
    }
    set_brokers(&mut document, &brokers);
    if let Some(p) = permission(body.get("permission"))? {
        document["permission"] = json!(p);
    }
    if let Some(desc) = description(&body)? {
        document["topic_desc"] = json!(desc);
    }
    ctx.docs.put(TOPIC, instance_id, topic, &document)?;
    Ok(Resp::empty(204))
}
