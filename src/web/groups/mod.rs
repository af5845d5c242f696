//! Consumer group pages: the groups tab (`list`: paging, the API's name filter, every group's
//! lag, "behind by", online state and subscription consistency filled in as they are read,
//! sorting once complete, export), the group page (`show`: topics and queues with offsets and
//! lag, clients, authorised ACL users), the audited changes (`changes`: create, edit, delete;
//! `batch`: batch edit and batch delete; `reset`: offset resets) and `lag`, the lag board the
//! groups tab and the dashboard's attention panel share.
//!
//! Every DMS call of these pages goes through the instance's call budget; reads that DMS
//! throttles wait their turn again (`lag::budgeted`) and changes are sent once. Changes made
//! item by item (batches, resetting every topic of a group) give each item its own audit
//! record and one-time operation id ([`run_each`]), and report each item's fate.

pub mod batch;
pub mod changes;
pub mod lag;
pub mod list;
pub mod reset;
pub mod show;

use std::future::Future;
use std::time::Duration;

use actix_web::HttpRequest;
use futures_util::StreamExt;

use crate::api::models::groups::ConsumerGroup;
use crate::api::models::instances::Instance;
use crate::api::{ApiError, ErrorKind, Reply};
use crate::domain::{GroupName, InstanceId};
use crate::web::audit::audited::{Audited, audited};
use crate::web::error::{ErrorSummary, WebError};
use crate::web::i18n::Msg;
use crate::web::layout::switcher_instances;
use crate::web::ledger::is_op_id;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

/// How long a view waits for DMS before it shows what it has, marked partial.
pub const VIEW_DEADLINE: Duration = Duration::from_secs(4);
/// Changes of a batch sent at the same time.
const CHANGES_AT_ONCE: usize = 4;
/// The most groups one batch change may name.
pub const BATCH_MAX: usize = 50;

/// A path segment with every byte outside `A–Z a–z 0–9 - _ . ~` percent-encoded (group and
/// topic names may hold `%` and `|`).
pub fn segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The address of a group's page.
pub fn group_href(instance_id: &str, group: &str) -> String {
    format!("/instances/{instance_id}/groups/{}", segment(group))
}

/// The address of a group's dead letters.
pub fn dlq_href(instance_id: &str, group: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("group", group)
        .finish();
    format!("/instances/{instance_id}/dlq?{query}")
}

/// The address of a topic's page.
pub fn topic_href(instance_id: &str, topic: &str) -> String {
    format!("/instances/{instance_id}/topics/{}", segment(topic))
}

/// "There is no consumer group with this name on this instance."
pub fn not_found(group: &str) -> WebError {
    WebError::NotFound(Msg::new("group-not-found").arg("group", group))
}

/// The lag board of instance `id` in `user`'s eyes: from the cache, else started now (never
/// waited for). `refresh` starts a new one. A complete board that is stale renews itself in
/// the background.
pub async fn board(user: &CurrentUser, id: &InstanceId, refresh: bool) -> lag::Board {
    let (dms, budget, instance) = (user.dms.clone(), user.budget(id), id.to_string());
    let cached = user
        .state
        .lists
        .lags
        .get(
            user.cache_key(id.as_str(), ""),
            refresh,
            move || async move { Ok(lag::Board::start(dms, budget, &instance)) },
        )
        .await;
    match cached {
        Ok(cached) => {
            let board = cached.value.as_ref().clone();
            board.touch();
            board
        }
        // The loader cannot fail; a board of this view alone keeps the page working.
        Err(_) => lag::Board::start(user.dms.clone(), user.budget(id), id.as_str()),
    }
}

/// The group `group` of instance `id` (§5.2.5); 404 when DMS has no such group.
pub async fn load_group(
    user: &CurrentUser,
    id: &InstanceId,
    group: &GroupName,
) -> Result<ConsumerGroup, WebError> {
    let budget = user.budget(id);
    match lag::budgeted(&budget, || {
        user.dms.show_consumer_group(id.as_str(), group.as_str())
    })
    .await
    {
        Ok(reply) => Ok(reply.into_inner()),
        Err(e) if e.kind == ErrorKind::NotFound => Err(not_found(group.as_str())),
        Err(e) => Err(WebError::upstream("groups-op-read", e)),
    }
}

/// The instance (its engine version and brokers decide the group settings offered): from the
/// credential's cached instance list, else read now.
pub async fn load_instance(user: &CurrentUser, id: &InstanceId) -> Result<Instance, WebError> {
    if let Ok(listed) = switcher_instances(user).await
        && let Some(instance) = listed.value.iter().find(|i| i.instance_id == id.as_str())
    {
        return Ok(instance.clone());
    }
    match user.dms.show_instance(id.as_str()).await {
        Ok(reply) => Ok(reply.into_inner()),
        Err(e) if e.kind == ErrorKind::NotFound => Err(crate::web::instances::not_found(id)),
        Err(e) => Err(WebError::upstream("op-read-instance", e)),
    }
}

/// Whether an instance runs RocketMQ 5.x (groups may be orderly) rather than 4.8.0 (groups
/// name their brokers).
pub fn is_5x(instance: &Instance) -> bool {
    instance.engine_version.trim().starts_with('5')
}

/// The brokers of a 4.8.0 instance (§5.1.7); none on 5.x.
pub async fn broker_names(
    user: &CurrentUser,
    instance: &Instance,
) -> Result<Vec<String>, WebError> {
    if is_5x(instance) {
        return Ok(Vec::new());
    }
    let id = instance.instance_id.as_str();
    let reply = user
        .dms
        .list_brokers(id, &crate::api::models::common::Paging::default())
        .await
        .map_err(|e| WebError::upstream("op-list-brokers", e))?;
    Ok(reply
        .brokers
        .iter()
        .map(|b| b.broker_name.clone())
        .collect())
}

/// One item of a change made item by item: its name, the audit record's target and
/// parameters, and where its current state can be read back.
pub struct Item {
    /// Its position in what the form named (its operation id is derived from it, so the same
    /// form gives each item the same id however many of them are sent).
    pub position: usize,
    /// The group or topic.
    pub name: String,
    /// The audit record's target.
    pub target: String,
    /// The audit record's parameters.
    pub params: serde_json::Value,
    /// The page that shows the item's current state.
    pub check_state: String,
}

/// What became of one item.
#[derive(Debug)]
pub enum ItemResult<T> {
    /// DMS did it.
    Done(T),
    /// DMS refused it or failed: nothing changed.
    Failed(ErrorSummary),
    /// No readable answer: it may or may not have happened.
    Unknown(ErrorSummary),
    /// It was not sent (the same form was submitted before, or the audit log refused it).
    NotSent(Msg),
}

impl<T> ItemResult<T> {
    /// `done`, `failed`, `unknown` or `not-sent` (for classes and tests).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Done(_) => "done",
            Self::Failed(_) => "failed",
            Self::Unknown(_) => "unknown",
            Self::NotSent(_) => "not-sent",
        }
    }
}

/// Runs `call` once for each item, a few at a time through the instance's budget, each in its
/// own audited action whose one-time operation id is the form's `op` followed by the item's
/// [`Item::position`] (so a form submitted twice sends nothing the second time). Results come in the
/// items' order. The outer error means nothing was sent (the form carries no valid `op`).
#[allow(clippy::too_many_arguments)]
pub async fn run_each<T, F, Fut>(
    request: &HttpRequest,
    user: &CurrentUser,
    id: &InstanceId,
    permission: Permission,
    operation: &'static str,
    what: &'static str,
    op: &str,
    items: Vec<Item>,
    call: F,
) -> Result<Vec<(String, ItemResult<T>)>, WebError>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<Reply<T>, ApiError>>,
{
    let op = op.trim();
    if !is_op_id(op) {
        return Err(WebError::Invalid(Msg::new("op-missing")));
    }
    let count = items.len();
    let budget = user.budget(id);
    let actions: Vec<(Item, Audited)> = items
        .into_iter()
        .map(|item| {
            let index = item.position;
            let mut params = item.params.clone();
            if let Some(object) = params.as_object_mut() {
                object.insert(
                    "batch".into(),
                    serde_json::json!({"item": index + 1, "of": count, "op": op}),
                );
            }
            let action = Audited::new(
                request,
                user,
                permission,
                operation,
                item.target.clone(),
                params,
                &format!("{op}-{index}"),
            );
            (item, action)
        })
        .collect();
    let results = futures_util::stream::iter(actions)
        .map(|(item, action)| {
            let call = call(item.name.clone());
            let budget = budget.clone();
            async move {
                let result = match audited(action, budget.run(call)).await {
                    Ok(Ok(reply)) => ItemResult::Done(reply.into_inner()),
                    Ok(Err(error)) if error.outcome_unknown => ItemResult::Unknown(
                        ErrorSummary::upstream(what, &error).check_state_at(item.check_state),
                    ),
                    Ok(Err(error)) => ItemResult::Failed(ErrorSummary::upstream(what, &error)),
                    Err(WebError::AlreadySubmitted(state)) => {
                        ItemResult::NotSent(Msg::new(state.message_key()))
                    }
                    Err(other) => ItemResult::NotSent(other.summary().message),
                };
                (item.name, result)
            }
        })
        .buffered(CHANGES_AT_ONCE)
        .collect()
        .await;
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_percent_and_bar_travel_as_one_path_segment() {
        assert_eq!(segment("GID_orders-1"), "GID_orders-1");
        assert_eq!(segment("a%b|c"), "a%25b%7Cc");
        assert_eq!(
            dlq_href("i-1", "a%b|c"),
            "/instances/i-1/dlq?group=a%25b%7Cc"
        );
    }
}
