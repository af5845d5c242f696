//! Topic pages: the topics tab (search across every topic, counts by message type and
//! permission, the quota), a topic's page (queues and offsets, consuming groups and their
//! lag, authorised users, a test message), and the audited changes: create, edit, delete
//! with an impact preview, batch delete and batch create from a file.
//!
//! `catalog` reads an instance's whole topic list into the per-credential cache (bounded
//! concurrency, the instance's call budget, a per-view deadline after which a page shows
//! what it has, marked partial); `list` is the tab; `page` a topic's page; `impact` what a
//! delete would touch; `changes` create, edit and delete; `batch` batch delete; `import`
//! batch create from CSV or JSON; `send` the test message.

pub mod batch;
pub mod catalog;
pub mod changes;
pub mod impact;
pub mod import;
pub mod list;
pub mod page;
pub mod send;

use crate::api::models::common::Paging;
use crate::api::models::instances::Instance;
use crate::api::{ApiError, ErrorKind};
use crate::domain::{InstanceId, TopicName};

use super::error::WebError;
use super::i18n::Msg;
use super::layout::{InstanceNav, Layout, Section, Tab};
use super::session::CurrentUser;

/// The 5.x message types (API reference §5.3.1).
const MESSAGE_TYPES: &[&str] = &["NORMAL", "FIFO", "DELAY", "TRANSACTION"];
/// The 4.8.0 permissions (API reference §5.3.1).
const PERMISSIONS: &[&str] = &["all", "pub", "sub"];
/// Queues per broker of a new topic when none are asked for (the reference's examples).
const DEFAULT_QUEUES: i64 = 3;
/// The longest description the console sends.
const DESCRIPTION_MAX: usize = 200;

/// Whether `instance` runs RocketMQ 5.x (message types; no brokers, queues or permission
/// per topic).
fn is_5x(instance: &Instance) -> bool {
    instance.engine_version.trim().starts_with('5')
}

/// The catalogue key of a message type's or permission's name.
fn kind_key(value: &str) -> &'static str {
    match value {
        "NORMAL" => "topic-type-NORMAL",
        "FIFO" => "topic-type-FIFO",
        "DELAY" => "topic-type-DELAY",
        "TRANSACTION" => "topic-type-TRANSACTION",
        "all" => "topic-perm-all",
        "pub" => "topic-perm-pub",
        "sub" => "topic-perm-sub",
        _ => "topic-kind-other",
    }
}

/// The instance of a topic page, or the console's 404 when DMS does not know it.
pub(crate) async fn load_instance(
    user: &CurrentUser,
    id: &InstanceId,
) -> Result<Instance, WebError> {
    match user
        .budget(id)
        .run(user.dms.show_instance(id.as_str()))
        .await
    {
        Ok(reply) => Ok(reply.into_inner()),
        Err(e) if e.kind == ErrorKind::NotFound => Err(WebError::NotFound(
            Msg::new("instance-not-found").arg("id", id.as_str()),
        )),
        Err(e) => Err(WebError::upstream("op-read-instance", e)),
    }
}

/// The instance and its navigation, read at the same time.
pub(crate) async fn instance_and_nav(
    user: &CurrentUser,
    id: &InstanceId,
    tab: Tab,
) -> Result<(Instance, InstanceNav), WebError> {
    let (instance, mut nav) =
        tokio::join!(load_instance(user, id), InstanceNav::load(user, id, tab));
    let instance = instance?;
    nav.name = instance.name.clone();
    Ok((instance, nav))
}

/// The layout of a topic page: the instance's tabs and "Instances › instance › Topics",
/// then `topic` and the page's own crumb when given.
fn topic_layout(
    user: &CurrentUser,
    nav: InstanceNav,
    title_key: &str,
    topic: Option<&TopicName>,
    crumb_key: Option<&str>,
) -> Layout {
    let id = nav.id.clone();
    let mut layout = Layout::for_user(user, title_key, Section::Instances)
        .in_instance(nav)
        .crumb("tab-topics", Some(format!("/instances/{id}/topics")));
    if let Some(topic) = topic {
        let href = crumb_key.map(|_| topic_href(&id, topic.as_str()));
        layout = layout.crumb_value(topic.as_str(), href);
        layout.title = topic.as_str().to_owned();
    }
    if let Some(key) = crumb_key {
        layout = layout.crumb(key, None);
        layout.title = user.ui.lang.t(key);
    }
    layout
}

/// "There is no topic with this name on this instance."
fn topic_not_found(topic: &TopicName) -> WebError {
    WebError::NotFound(Msg::new("topic-not-found").arg("topic", topic.as_str()))
}

/// A topic name as a path segment: `%` and `|`, which topic names may hold, percent-encoded.
pub(crate) fn segment(name: &str) -> String {
    name.replace('%', "%25").replace('|', "%7C")
}

/// The address of a topic's page.
fn topic_href(instance_id: &str, topic: &str) -> String {
    format!("/instances/{instance_id}/topics/{}", segment(topic))
}

/// A query string value, encoded.
fn query_value(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The address of the message search, aimed at one topic.
fn messages_href(instance_id: &str, topic: &str) -> String {
    format!(
        "/instances/{instance_id}/messages?topic={}",
        query_value(topic)
    )
}

/// The names of an instance's brokers (4.8.0 topics are placed on brokers).
async fn broker_names(user: &CurrentUser, id: &InstanceId) -> Result<Vec<String>, ApiError> {
    let reply = user
        .budget(id)
        .run(user.dms.list_brokers(id.as_str(), &Paging::default()))
        .await?;
    Ok(reply
        .into_inner()
        .brokers
        .into_iter()
        .map(|b| b.broker_name)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_names_become_path_segments_that_decode_back() {
        assert_eq!(segment("orders%DLQ|x"), "orders%25DLQ%7Cx");
        assert_eq!(topic_href("i-1", "a|b"), "/instances/i-1/topics/a%7Cb");
        assert_eq!(
            messages_href("i-1", "%RETRY%g"),
            "/instances/i-1/messages?topic=%25RETRY%25g"
        );
    }
}
