//! Messages: search (`search`), one message (`show`), its trace (`trace`, drawn by
//! `timeline`), consumption verification (`verify`), the audited reveal of masked bodies
//! (`reveal`), and what they share: the search's parameters and newest-first paging
//! (`query`), how a body is shown or masked (`body`), export rows (`export`), and the helpers
//! below.
//!
//! Every value from DMS is escaped and bodies sit in `hx-disable` containers, so a body that
//! is HTML stays text. A page that needs several DMS calls makes them at once, and a part
//! that fails shows its own error card with the DMS code and request id.

pub mod body;
pub mod export;
pub mod query;
pub mod reveal;
pub mod search;
pub mod show;
pub mod timeline;
pub mod trace;
pub mod verify;

use std::sync::Arc;

use crate::api::models::common::Paging;
use crate::api::models::groups::{ConsumerGroup, ListConsumerGroupsQuery};
use crate::api::{ApiError, DmsClient, walk};
use crate::domain::InstanceId;

use super::cache::Cached;
use super::masking::MessagePolicy;
use super::session::CurrentUser;

/// At most this many topics or groups are read into the per-credential cache.
const LIST_LIMIT: usize = 10_000;
/// At most this many topic names are suggested in a topic field.
pub const SUGGESTED_TOPICS: usize = 500;

/// The topics of the instance for the topic pickers, from the credential's cached list (the
/// topics tab's); what has been read within a second when the list is not cached yet.
pub async fn topics(
    user: &CurrentUser,
    instance_id: &InstanceId,
) -> Result<Arc<crate::web::cache::TopicListing>, ApiError> {
    crate::web::topics::catalog::load(user, instance_id, false, PICKER_WAIT)
        .await
        .map(|catalog| catalog.listing)
}

/// How long a page waits for the topic list of its topic picker.
const PICKER_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// Every consumer group of the instance, from the credential's short-lived cache.
pub async fn groups(
    user: &CurrentUser,
    instance_id: &InstanceId,
) -> Result<Cached<Vec<ConsumerGroup>>, ApiError> {
    let dms = user.dms.clone();
    let id = instance_id.as_str().to_owned();
    user.state
        .lists
        .groups
        .get(user.cache_key(&id, ""), false, move || async move {
            let walked = walk::collect_concurrent(50, LIST_LIMIT, 4, |offset, limit| {
                let (dms, id) = (dms.clone(), id.clone());
                async move {
                    let query = ListConsumerGroupsQuery {
                        limit: Some(limit),
                        offset: Some(offset),
                        ..Default::default()
                    };
                    let page = dms.list_consumer_groups(&id, &query).await?.into_inner();
                    Ok(walk::Page {
                        total: Some(page.total.max(0) as u64),
                        items: page.groups,
                    })
                }
            })
            .await?;
            Ok(walked.items)
        })
        .await
}

/// How many hours the instance keeps messages (`fileReservedTime`, API reference §5.7.1), or
/// `None` when DMS does not report it.
pub async fn retention_hours(dms: &DmsClient, instance_id: &str) -> Result<Option<i64>, ApiError> {
    let configs = dms
        .show_configs(instance_id, &Paging::new(50, 0))
        .await?
        .into_inner();
    Ok(configs
        .rocketmq_configs
        .iter()
        .find(|c| c.name == "fileReservedTime")
        .and_then(|c| c.value.trim().parse::<i64>().ok())
        .filter(|h| *h > 0))
}

/// A property's value as `policy` lets the reader see it: the value, or its masked form.
pub fn shown(
    policy: &MessagePolicy,
    key: &super::crypto::ServerKey,
    name: &str,
    value: &str,
) -> Result<String, body::Masked> {
    if policy.masks_property(name) {
        Err(body::masked(key, value))
    } else {
        Ok(value.to_owned())
    }
}

/// What a reader may see of messages.
pub fn policy(user: &CurrentUser) -> MessagePolicy {
    user.state
        .messages
        .for_reader(user.record.role, user.record.connection.as_deref())
}

/// The page of message `msg_id` of `topic`.
pub fn message_href(instance_id: &str, msg_id: &str, topic: &str) -> String {
    format!(
        "/instances/{instance_id}/messages/{}?{}",
        encode_segment(msg_id),
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("topic", topic)
            .finish()
    )
}

/// Where a retried or dead-lettered message came from: its original topic and message id (the
/// `RETRY_TOPIC` and `ORIGIN_MESSAGE_ID` properties), and the original's page when both are
/// known.
pub fn origin(
    instance_id: &str,
    message: &crate::api::models::messages::Message,
) -> (String, String, Option<String>) {
    let topic = message.property("RETRY_TOPIC").unwrap_or_default();
    let msg_id = message.property("ORIGIN_MESSAGE_ID").unwrap_or_default();
    let href =
        (!topic.is_empty() && !msg_id.is_empty()).then(|| message_href(instance_id, msg_id, topic));
    (topic.to_owned(), msg_id.to_owned(), href)
}

/// `text` percent-encoded for one path segment.
pub fn encode_segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// A query string of `pairs`.
pub fn query_string<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        if !value.is_empty() {
            query.append_pair(name, value);
        }
    }
    query.finish()
}

/// The group whose dead-letter topic `topic` is (`%DLQ%{group}`).
pub fn dlq_group(topic: &str) -> Option<&str> {
    topic.strip_prefix("%DLQ%").filter(|g| !g.is_empty())
}

/// Where the page of `topic` is, when the console has topic pages.
pub fn topic_href(instance_id: &str, topic: &str) -> Option<String> {
    super::layout::Tab::Topics
        .exists()
        .then(|| format!("/instances/{instance_id}/topics/{}", encode_segment(topic)))
}

/// Where the page of consumer group `group` is, when the console has group pages.
pub fn group_href(instance_id: &str, group: &str) -> Option<String> {
    super::layout::Tab::Groups
        .exists()
        .then(|| format!("/instances/{instance_id}/groups/{}", encode_segment(group)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_encode_topics_and_ids() {
        assert_eq!(
            message_href("i-1", "C0A8", "%DLQ%GID a"),
            "/instances/i-1/messages/C0A8?topic=%25DLQ%25GID+a"
        );
        assert_eq!(encode_segment("a b/c"), "a%20b%2Fc");
        assert_eq!(
            query_string([("a", "1"), ("b", ""), ("c", "x&y")]),
            "a=1&c=x%26y"
        );
        assert_eq!(dlq_group("%DLQ%GID_a"), Some("GID_a"));
        assert_eq!(dlq_group("orders"), None);
    }
}
