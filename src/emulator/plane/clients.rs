//! Online consumer clients per group, and 5.2.9 (`show_consumer_connections` and its
//! `/rocketmq/` twin).
//!
//! A client is online from [`register_client`] (a RocketMQ heartbeat) until
//! [`unregister_client`] (its shutdown); registering again refreshes its address, version and
//! subscriptions. A group is online when it has at least one client. The emulator does not
//! expire silent clients: its simulated consumers unregister themselves.

use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::model::{self, bad_param};
use crate::emulator::context::{Ctx, Req, Resp, page};
use crate::emulator::error::DmsError;
use crate::emulator::instances::facts;

/// One subscription of a client (SDK `Subscription`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// The topic.
    pub topic: String,
    /// `TAG` or `SQL92`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The tag expression (`*` for all).
    pub expression: String,
}

impl Subscription {
    /// A tag subscription.
    pub fn tag(topic: &str, expression: &str) -> Self {
        Self {
            topic: topic.to_owned(),
            kind: "TAG".to_owned(),
            expression: expression.to_owned(),
        }
    }
}

/// A consumer client (SDK `ClientData`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    /// Client id, e.g. `192.168.0.1@12345`.
    pub client_id: String,
    /// `ip:port`.
    pub client_addr: String,
    /// e.g. `JAVA`.
    pub language: String,
    /// e.g. `V4_8_0`.
    pub version: String,
    /// `CONSUME_PASSIVELY` (push), `CONSUME_ACTIVELY` (pull) or `CONSUME_POP`.
    pub consume_type: String,
    /// What it subscribes to.
    pub subscriptions: Vec<Subscription>,
}

impl ClientInfo {
    /// A Java push consumer at `ip`, with pid `pid`, subscribing to every tag of `topics`.
    pub fn java(ip: &str, pid: u32, topics: &[&str]) -> Self {
        Self {
            client_id: format!("{ip}@{pid}"),
            client_addr: format!("{ip}:{}", 50000 + pid % 15000),
            language: "JAVA".to_owned(),
            version: "V4_8_0".to_owned(),
            consume_type: "CONSUME_PASSIVELY".to_owned(),
            subscriptions: topics.iter().map(|t| Subscription::tag(t, "*")).collect(),
        }
    }

    /// The IP part of its address.
    pub fn ip(&self) -> &str {
        self.client_addr.split(':').next().unwrap_or_default()
    }

    /// The wire form; `detail` adds the subscriptions.
    pub fn to_wire(&self, detail: bool) -> Value {
        let mut value = json!({
            "client_id": self.client_id,
            "client_addr": self.client_addr,
            "language": self.language,
            "version": self.version,
            "consume_type": self.consume_type,
        });
        if detail {
            value["subscriptions"] = json!(self.subscriptions);
        }
        value
    }
}

/// Records (or refreshes) an online client of `group`; the group must exist.
pub fn register_client(
    ctx: &Ctx<'_>,
    instance_id: &str,
    group: &str,
    client: &ClientInfo,
) -> Result<(), DmsError> {
    facts::find(ctx, instance_id)?;
    model::group(ctx, instance_id, group)?;
    if client.client_id.trim().is_empty() {
        return Err(bad_param("client_id is empty."));
    }
    ctx.tx
        .prepare_cached(
            "INSERT INTO plane_clients (instance, grp, client_id, client_addr, language, version, \
             consume_type, subscriptions, registered_ms, last_seen_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) \
             ON CONFLICT (instance, grp, client_id) DO UPDATE SET client_addr = excluded.client_addr, \
             language = excluded.language, version = excluded.version, \
             consume_type = excluded.consume_type, subscriptions = excluded.subscriptions, \
             last_seen_ms = excluded.last_seen_ms",
        )?
        .execute(params![
            instance_id,
            group,
            client.client_id,
            client.client_addr,
            client.language,
            client.version,
            client.consume_type,
            serde_json::to_string(&client.subscriptions).unwrap_or_else(|_| "[]".into()),
            ctx.now_ms
        ])?;
    Ok(())
}

/// Takes a client offline; whether it was online.
pub fn unregister_client(
    ctx: &Ctx<'_>,
    instance_id: &str,
    group: &str,
    client_id: &str,
) -> Result<bool, DmsError> {
    Ok(ctx.tx.execute(
        "DELETE FROM plane_clients WHERE instance = ?1 AND grp = ?2 AND client_id = ?3",
        params![instance_id, group, client_id],
    )? > 0)
}

/// The online clients of `group`, by client id.
pub fn clients(ctx: &Ctx<'_>, instance_id: &str, group: &str) -> Result<Vec<ClientInfo>, DmsError> {
    let mut statement = ctx.tx.prepare_cached(
        "SELECT client_id, client_addr, language, version, consume_type, subscriptions \
         FROM plane_clients WHERE instance = ?1 AND grp = ?2 ORDER BY client_id",
    )?;
    let rows = statement.query_map(params![instance_id, group], |row| {
        let subscriptions: String = row.get(5)?;
        Ok(ClientInfo {
            client_id: row.get(0)?,
            client_addr: row.get(1)?,
            language: row.get(2)?,
            version: row.get(3)?,
            consume_type: row.get(4)?,
            subscriptions: serde_json::from_str(&subscriptions).unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The topics the group's clients subscribe to (system topics excluded).
pub fn subscribed_topics(
    ctx: &Ctx<'_>,
    instance_id: &str,
    group: &str,
) -> Result<Vec<String>, DmsError> {
    let mut topics: Vec<String> = clients(ctx, instance_id, group)?
        .into_iter()
        .flat_map(|c| c.subscriptions.into_iter().map(|s| s.topic))
        .filter(|t| model::system_group(t).is_none())
        .collect();
    topics.sort();
    topics.dedup();
    Ok(topics)
}

/// The groups with an online client subscribing to `topic`.
pub fn groups_subscribing(
    ctx: &Ctx<'_>,
    instance_id: &str,
    topic: &str,
) -> Result<Vec<String>, DmsError> {
    // Only rows whose JSON holds the topic as a string value are parsed: on an instance with
    // thousands of clients the scan then costs a substring search per row.
    let quoted = serde_json::to_string(topic).unwrap_or_default();
    let mut statement = ctx.tx.prepare_cached(
        "SELECT grp, subscriptions FROM plane_clients WHERE instance = ?1 \
         AND instr(subscriptions, ?2) > 0 ORDER BY grp",
    )?;
    let rows = statement.query_map(params![instance_id, quoted], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
    })?;
    let mut groups = Vec::new();
    for row in rows {
        let (group, subscriptions) = row?;
        let subscriptions: Vec<Subscription> =
            serde_json::from_str(&subscriptions).unwrap_or_default();
        if subscriptions.iter().any(|s| s.topic == topic) && groups.last() != Some(&group) {
            groups.push(group);
        }
    }
    Ok(groups)
}

/// GET …/groups/{group}/clients (5.2.9).
pub fn handle(
    ctx: &mut Ctx<'_>,
    req: &Req,
    instance_id: &str,
    group: &str,
) -> Result<Resp, DmsError> {
    let limit = req.limit(10, 50)?;
    let offset = req.offset()?;
    let detail = req.q("is_detail") == Some("true");
    model::group(ctx, instance_id, group)?;
    let all = clients(ctx, instance_id, group)?;
    let consistent = all
        .windows(2)
        .all(|pair| same_subscriptions(&pair[0], &pair[1]));
    let (items, next, previous) = page(&all, offset, limit);
    Ok(Resp::ok(json!({
        "group_name": group,
        "online": !all.is_empty(),
        "subscription_consistency": consistent,
        "total": all.len(),
        "next_offset": next,
        "previous_offset": previous,
        "clients": items.iter().map(|c| c.to_wire(detail)).collect::<Vec<_>>(),
    })))
}

fn same_subscriptions(a: &ClientInfo, b: &ClientInfo) -> bool {
    let mut left = a.subscriptions.clone();
    let mut right = b.subscriptions.clone();
    left.sort_by(|x, y| x.topic.cmp(&y.topic));
    right.sort_by(|x, y| x.topic.cmp(&y.topic));
    left == right
}
