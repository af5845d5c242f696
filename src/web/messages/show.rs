//! One message (`/instances/{id}/messages/{msg_id}?topic=`): its ids, queue and offset, hosts
//! and times, retries, size and CRC, properties and body; the consumer groups of its topic
//! with their lag and whether they are past it; links to its trace, its topic, its dead-letter
//! origin and the consumption verification. Also the body's download.
//!
//! The message, the groups and the retention are read at once, and each part that fails
//! shows its own error card. A masked reader sees the body's length, kind and hash until an
//! audited reveal; the download sends them to the reveal form instead.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;

use crate::api::models::common::Paging;
use crate::api::models::groups::GroupTopicDetail;
use crate::api::models::messages::{ListMessagesQuery, Message};
use crate::api::{ApiError, DmsClient, ErrorKind};
use crate::domain::{InstanceId, TopicName};
use crate::web::error::{ErrorSummary, WebError};
use crate::web::htmx::{HxRequest, render_page};
use crate::web::layout::{InstanceNav, Layout, Section, Tab};
use crate::web::masking::MessagePolicy;
use crate::web::paths::{MessagePath, query_param};
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

use super::body::{self, BodyView, CrcCheck, Masked};
use super::query::{IdKind, id_kind};
use super::reveal::{Grant, grant};
use super::{
    dlq_group, encode_segment, group_href, message_href, policy, query_string, topic_href,
};

/// At most this many consumer groups of the topic are shown with their lag.
const GROUPS_SHOWN: usize = 20;
/// Group details read at once.
const DETAILS_AT_ONCE: usize = 6;

/// The `topic` of a request's query, checked.
pub fn topic_param(request: &HttpRequest) -> Result<Option<TopicName>, WebError> {
    let text = query_param(request, "topic");
    if text.is_empty() {
        return Ok(None);
    }
    TopicName::try_from(text).map(Some).map_err(|invalid| {
        WebError::Invalid(
            crate::web::i18n::Msg::new("error-bad-path-value")
                .arg("detail", crate::web::forms::name_message(&invalid)),
        )
    })
}

/// The messages of `topic` whose offset id or UNIQ_KEY is `msg_id` (API reference §5.4.1).
pub async fn lookup(
    dms: &DmsClient,
    instance_id: &str,
    topic: &str,
    msg_id: &str,
) -> Result<Vec<Message>, ApiError> {
    let query = ListMessagesQuery {
        topic: topic.to_owned(),
        msg_id: Some(msg_id.to_owned()),
        limit: Some(50),
        offset: Some(0),
        ..Default::default()
    };
    let mut found = dms
        .list_messages(instance_id, &query)
        .await?
        .into_inner()
        .messages;
    // The copy whose offset id was asked for first, then the newest.
    found.sort_by(|a, b| {
        (b.msg_id.eq_ignore_ascii_case(msg_id))
            .cmp(&a.msg_id.eq_ignore_ascii_case(msg_id))
            .then(b.store_timestamp.cmp(&a.store_timestamp))
    });
    Ok(found)
}

/// One property as the reader may see it.
pub struct PropertyRow {
    /// Its name.
    pub name: String,
    /// Its value, or its masked form.
    pub value: Result<String, Masked>,
}

/// Where a dead letter came from.
pub struct DeadLetterFacts {
    /// The group whose dead-letter queue holds it.
    pub group: String,
    /// The topic it was first sent to (`RETRY_TOPIC`).
    pub origin_topic: String,
    /// Its first offset id (`ORIGIN_MESSAGE_ID`).
    pub origin_msg_id: String,
    /// The original message's page.
    pub origin_href: Option<String>,
    /// The group's dead-letter page.
    pub dlq_href: String,
}

/// The found message, ready for its page.
pub struct MessageView {
    /// The message.
    pub message: Message,
    /// Its UNIQ_KEY.
    pub uniq_key: String,
    /// Other messages of the topic the id matched (copies with the same UNIQ_KEY).
    pub others: Vec<String>,
    /// Its properties.
    pub properties: Vec<PropertyRow>,
    /// Its body, or its masked form.
    pub body: Result<BodyView, Masked>,
    /// The reveal in force, if any.
    pub grant: Option<Grant>,
    /// Store time minus born time.
    pub latency_ms: i64,
    /// When retention deletes it, epoch ms.
    pub expires_ms: Option<i64>,
    /// For a dead letter: where it came from.
    pub dead_letter: Option<DeadLetterFacts>,
}

/// A consumer group of the topic and how far it got.
pub struct GroupRow {
    /// Its name.
    pub name: String,
    /// Its page.
    pub href: Option<String>,
    /// Its lag and position, or why they could not be read.
    pub progress: Result<GroupProgress, ErrorSummary>,
}

/// A group's progress on the topic and on the message's queue.
pub struct GroupProgress {
    /// Messages of the topic not yet consumed.
    pub lag: i64,
    /// Whether its committed offset on the message's queue is past the message (`None` when
    /// the queue id exists on several brokers that disagree).
    pub past: Option<bool>,
    /// The committed offsets of the message's queue id, per broker.
    pub offsets: Vec<(String, i64)>,
}

impl GroupProgress {
    /// The catalogue key of where the group is relative to the message.
    pub fn position_key(&self) -> &'static str {
        match self.past {
            Some(true) => "position-past",
            Some(false) => "position-before",
            None => "position-unclear",
        }
    }

    /// The badge tone of that.
    pub fn position_tone(&self) -> &'static str {
        match self.past {
            Some(true) => "ok",
            Some(false) => "busy",
            None => "neutral",
        }
    }
}

/// How far `detail` got on queue `queue_id` relative to `queue_offset`. The message's broker
/// is not in its record, so the queues with that id are narrowed to those holding the offset
/// (their broker offset beyond it).
pub fn progress(detail: &GroupTopicDetail, queue_id: i64, queue_offset: i64) -> GroupProgress {
    let candidates: Vec<(String, i64, i64)> = detail
        .brokers
        .iter()
        .flat_map(|b| {
            b.queues
                .iter()
                .filter(|q| q.id == queue_id)
                .map(|q| (b.broker_name.clone(), q.consumer_offset, q.broker_offset))
        })
        .collect();
    let holding: Vec<&(String, i64, i64)> = candidates
        .iter()
        .filter(|(_, _, broker_offset)| *broker_offset > queue_offset)
        .collect();
    let chosen: Vec<&(String, i64, i64)> = if holding.is_empty() {
        candidates.iter().collect()
    } else {
        holding
    };
    let offsets: Vec<(String, i64)> = chosen.iter().map(|(b, o, _)| (b.clone(), *o)).collect();
    let verdicts: Vec<bool> = offsets.iter().map(|(_, o)| *o > queue_offset).collect();
    let past = match verdicts.as_slice() {
        [] => None,
        [first, rest @ ..] if rest.iter().all(|v| v == first) => Some(*first),
        _ => None,
    };
    GroupProgress {
        lag: detail.lag.max(0),
        past,
        offsets,
    }
}

/// The consumer groups of `topic` and each one's detail on it (groups read once, details at
/// once, a failed detail failing only its row).
pub async fn topic_groups(
    user: &CurrentUser,
    instance_id: &InstanceId,
    topic: &str,
) -> Result<(Vec<(String, Result<GroupTopicDetail, ErrorSummary>)>, usize), ApiError> {
    let id = instance_id.as_str();
    let budget = user.budget(instance_id);
    let groups = budget
        .run(user.dms.list_topic_groups(id, topic, &Paging::new(50, 0)))
        .await?
        .into_inner();
    let total = groups.groups.len();
    let details = futures_util::stream::iter(groups.groups.into_iter().take(GROUPS_SHOWN))
        .map(|group| {
            let budget = budget.clone();
            async move {
                let detail = budget
                    .run(
                        user.dms
                            .show_group_topic_detail(id, &group, topic, &Paging::new(50, 0)),
                    )
                    .await
                    .map(|r| r.into_inner())
                    .map_err(|e| ErrorSummary::upstream("op-read-group-lag", &e));
                (group, detail)
            }
        })
        .buffered(DETAILS_AT_ONCE)
        .collect()
        .await;
    Ok((details, total))
}

/// The message's properties as `policy` lets the reader see them.
fn properties(
    message: &Message,
    policy: &MessagePolicy,
    revealed: bool,
    key: &crate::web::crypto::ServerKey,
) -> Vec<PropertyRow> {
    message
        .property_list
        .iter()
        .map(|p| PropertyRow {
            name: p.name.clone(),
            value: if policy.masks_property(&p.name) && !revealed {
                Err(body::masked(key, &p.value))
            } else {
                Ok(p.value.clone())
            },
        })
        .collect()
}

#[derive(Template)]
#[template(path = "messages/show.html", blocks = ["content"])]
struct MessagePage {
    layout: Layout,
    instance_id: String,
    msg_id: String,
    topic: String,
    /// The topic form's suggestions (when no topic was given).
    topics: Vec<String>,
    /// The message, why it is missing, or why it could not be read (none without a topic).
    found: Option<Result<Option<MessageView>, ErrorSummary>>,
    /// What the id looks like, for the "not found" explanation.
    id_kind: IdKind,
    retention_hours: Option<i64>,
    groups: Option<Result<Vec<GroupRow>, ErrorSummary>>,
    groups_total: usize,
    can_verify: bool,
}
crate::page!(MessagePage);

impl MessagePage {
    /// `/instances/{id}/messages/{msg_id}/{action}?topic=`.
    fn action_href(&self, action: &str) -> String {
        format!(
            "/instances/{}/messages/{}/{action}?{}",
            self.instance_id,
            encode_segment(&self.msg_id),
            query_string([("topic", self.topic.as_str())])
        )
    }

    fn trace_href(&self) -> String {
        self.action_href("trace")
    }

    fn verify_href(&self) -> String {
        self.action_href("verify")
    }

    fn reveal_href(&self) -> String {
        self.action_href("reveal")
    }

    fn download_href(&self) -> String {
        self.action_href("body")
    }

    fn search_href(&self) -> String {
        format!(
            "/instances/{}/messages?{}",
            self.instance_id,
            query_string([
                ("topic", self.topic.as_str()),
                ("msg_id", self.msg_id.as_str())
            ])
        )
    }

    fn topic_href(&self) -> Option<String> {
        topic_href(&self.instance_id, &self.topic)
    }

    fn message_href(&self, msg_id: &str) -> String {
        message_href(&self.instance_id, msg_id, &self.topic)
    }

    fn crc_key(&self, crc: &CrcCheck) -> &'static str {
        match crc {
            CrcCheck::Matches => "crc-matches",
            CrcCheck::TextForm => "crc-text-form",
            CrcCheck::Mismatch { .. } => "crc-mismatch",
            CrcCheck::NotStated => "crc-not-stated",
        }
    }

    fn crc_tone(&self, crc: &CrcCheck) -> &'static str {
        match crc {
            CrcCheck::Matches => "ok",
            CrcCheck::Mismatch { .. } => "bad",
            _ => "neutral",
        }
    }

    fn crc_computed(&self, crc: &CrcCheck) -> Option<i64> {
        match crc {
            CrcCheck::Mismatch { computed, .. } => Some(*computed),
            _ => None,
        }
    }
}

/// `GET /instances/{instance_id}/messages/{msg_id}?topic=`.
pub async fn show_message(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<MessagePath>,
) -> Result<HttpResponse, WebError> {
    let MessagePath {
        instance_id,
        msg_id,
    } = path.into_inner();
    let topic = topic_param(&request)?;
    let policy = policy(&user);
    let mut page = MessagePage {
        layout: Layout::default(),
        instance_id: instance_id.to_string(),
        msg_id: msg_id.to_string(),
        topic: topic.as_ref().map(|t| t.to_string()).unwrap_or_default(),
        topics: Vec::new(),
        found: None,
        id_kind: id_kind(msg_id.as_str()),
        retention_hours: None,
        groups: None,
        groups_total: 0,
        can_verify: user.can(Permission::ResendMessages),
    };
    let Some(topic) = topic else {
        // Messages are found within a topic: ask which one.
        let (nav, topics) = tokio::join!(
            InstanceNav::load(&user, &instance_id, Tab::Messages),
            super::topics(&user, &instance_id)
        );
        page.topics = topics
            .map(|t| {
                t.topics
                    .iter()
                    .take(super::SUGGESTED_TOPICS)
                    .map(|t| t.name.clone())
                    .collect()
            })
            .unwrap_or_default();
        page.layout = layout(&user, nav, &instance_id, msg_id.as_str());
        return render_page(hx, StatusCode::OK, &page);
    };
    let id = instance_id.as_str();
    let budget = user.budget(&instance_id);
    let (found, groups, retention, revealed, nav) = tokio::join!(
        budget.run(lookup(&user.dms, id, topic.as_str(), msg_id.as_str())),
        topic_groups(&user, &instance_id, topic.as_str()),
        super::retention_hours(&user.dms, id),
        async {
            if policy.masked {
                grant(&user, id, msg_id.as_str()).await
            } else {
                None
            }
        },
        InstanceNav::load(&user, &instance_id, Tab::Messages)
    );
    page.layout = layout(&user, nav, &instance_id, msg_id.as_str());
    page.retention_hours = retention.ok().flatten();
    let mut status = StatusCode::OK;
    let found = match found {
        Ok(messages) if messages.is_empty() => {
            status = StatusCode::NOT_FOUND;
            Ok(None)
        }
        Ok(messages) => Ok(Some(view(
            &user,
            &policy,
            revealed,
            messages,
            page.retention_hours,
            id,
        ))),
        Err(error) => {
            status = crate::web::error::upstream_status(&error);
            if error.kind == ErrorKind::NotFound {
                status = StatusCode::NOT_FOUND;
            }
            Err(ErrorSummary::upstream("op-read-message", &error))
        }
    };
    let message = found.as_ref().ok().and_then(|f| f.as_ref());
    page.groups = Some(match groups {
        Ok((details, total)) => {
            page.groups_total = total;
            Ok(details
                .into_iter()
                .map(|(name, detail)| GroupRow {
                    href: group_href(id, &name),
                    progress: detail.map(|d| match message {
                        Some(m) => progress(&d, m.message.queue_id, m.message.queue_offset),
                        None => GroupProgress {
                            lag: d.lag.max(0),
                            past: None,
                            offsets: Vec::new(),
                        },
                    }),
                    name,
                })
                .collect())
        }
        Err(error) => Err(ErrorSummary::upstream("op-list-topic-groups", &error)),
    });
    page.found = Some(found);
    render_page(hx, status, &page)
}

fn layout(user: &CurrentUser, nav: InstanceNav, instance_id: &InstanceId, msg_id: &str) -> Layout {
    let mut layout = Layout::for_user(user, "message-title", Section::Instances)
        .in_instance(nav)
        .crumb(
            "messages-title",
            Some(format!("/instances/{instance_id}/messages")),
        )
        .crumb_value(msg_id.to_owned(), None);
    layout.title = format!("{} {msg_id}", layout.title);
    layout
}

fn view(
    user: &CurrentUser,
    policy: &MessagePolicy,
    grant: Option<Grant>,
    mut messages: Vec<Message>,
    retention_hours: Option<i64>,
    instance_id: &str,
) -> MessageView {
    let message = messages.remove(0);
    let key = &user.state.key;
    let revealed = grant.is_some();
    let body = if policy.masked && !revealed {
        Err(body::masked(key, &message.body))
    } else {
        Ok(body::view(&message.body, message.body_crc))
    };
    let dead_letter = dlq_group(&message.topic).map(|group| {
        let (origin_topic, origin_msg_id, origin_href) = super::origin(instance_id, &message);
        DeadLetterFacts {
            group: group.to_owned(),
            origin_href,
            dlq_href: format!(
                "/instances/{instance_id}/dlq?{}",
                query_string([("group", group)])
            ),
            origin_topic,
            origin_msg_id,
        }
    });
    MessageView {
        uniq_key: message.property("UNIQ_KEY").unwrap_or_default().to_owned(),
        others: messages.iter().map(|m| m.msg_id.clone()).collect(),
        properties: properties(&message, policy, revealed, key),
        body,
        grant,
        latency_ms: message.store_timestamp - message.born_timestamp,
        expires_ms: retention_hours.map(|h| message.store_timestamp + h * 3_600_000),
        dead_letter,
        message,
    }
}

/// `GET /instances/{instance_id}/messages/{msg_id}/body?topic=`: the whole body as a download.
/// Without a topic it asks for one, like the message page; a masked reader without a reveal
/// is sent to the reveal form.
pub async fn download_body(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<MessagePath>,
) -> Result<HttpResponse, WebError> {
    let topic = topic_param(&request)?;
    let Some(topic) = topic else {
        return show_message(request, user, hx, path).await;
    };
    let MessagePath {
        instance_id,
        msg_id,
    } = path.into_inner();
    let id = instance_id.as_str();
    if policy(&user).masked && grant(&user, id, msg_id.as_str()).await.is_none() {
        let reveal = format!(
            "/instances/{id}/messages/{}/reveal?{}",
            encode_segment(msg_id.as_str()),
            query_string([("topic", topic.as_str())])
        );
        return Ok(crate::web::htmx::redirect(hx, &reveal));
    }
    let found = user
        .budget(&instance_id)
        .run(lookup(&user.dms, id, topic.as_str(), msg_id.as_str()))
        .await
        .map_err(|e| WebError::upstream("op-read-message", e))?;
    let Some(message) = found.into_iter().next() else {
        return Err(WebError::NotFound(
            crate::web::i18n::Msg::new("message-not-found")
                .arg("id", msg_id.as_str())
                .arg("topic", topic.as_str()),
        ));
    };
    let extension = match body::kind_of(&message.body) {
        body::BodyKind::Json => "json",
        body::BodyKind::Text | body::BodyKind::Empty => "txt",
        body::BodyKind::Binary => "bin",
    };
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"message-{}.{extension}\"",
                message
                    .msg_id
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
            ),
        ))
        .body(message.body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::groups::{GroupTopicBroker, GroupTopicQueue};

    fn detail(queues: &[(&str, i64, i64)]) -> GroupTopicDetail {
        let mut detail = GroupTopicDetail {
            lag: 7,
            ..Default::default()
        };
        for (broker, id, consumer_offset) in queues {
            detail.brokers.push(GroupTopicBroker {
                broker_name: (*broker).into(),
                queues: vec![GroupTopicQueue {
                    id: *id,
                    consumer_offset: *consumer_offset,
                    broker_offset: 20,
                    ..Default::default()
                }],
            });
        }
        detail
    }

    #[test]
    fn a_group_is_past_a_message_when_its_offset_is_beyond_it_on_every_candidate_queue() {
        let one = progress(&detail(&[("broker-0", 2, 10)]), 2, 9);
        assert_eq!((one.past, one.lag), (Some(true), 7));
        assert_eq!(
            progress(&detail(&[("broker-0", 2, 9)]), 2, 9).past,
            Some(false)
        );
        let split = progress(&detail(&[("broker-0", 2, 10), ("broker-1", 2, 3)]), 2, 9);
        assert_eq!(split.past, None);
        assert_eq!(split.offsets.len(), 2);
        assert_eq!(progress(&detail(&[("broker-0", 1, 10)]), 2, 9).past, None);
        // A queue too short to hold the message is not its queue.
        let mut short = detail(&[("broker-0", 2, 10), ("broker-1", 2, 0)]);
        short.brokers[1].queues[0].broker_offset = 0;
        let narrowed = progress(&short, 2, 9);
        assert_eq!((narrowed.past, narrowed.offsets.len()), (Some(true), 1));
    }
}
