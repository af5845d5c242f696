//! The group page: settings; the topics it consumes with, per topic and per queue, the broker
//! offset, the consumer offset, the lag and the time of the last consumed message, with
//! totals (API reference §5.2.7); its online clients with address, language, version and
//! subscriptions, and whether those agree (§5.2.9); the ACL users authorised on it (§5.5.7);
//! its dead letters; and, for those allowed, edit, delete and reset offset.
//!
//! Every section is read at the same time through the instance's budget and fails on its own.
//! The page waits at most [`VIEW_DEADLINE`]; topics not read by then are listed as not read
//! and the page is marked partial.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;

use crate::api::models::common::Paging;
use crate::api::models::groups::{
    ConsumerClient, ConsumerGroup, GroupTopicDetail, ListConsumerClientsQuery,
};
use crate::api::models::users::AccessPolicy;
use crate::api::walk::{self, Page};
use crate::api::{ApiError, DmsClient};
use crate::domain::{GroupName, InstanceId};
use crate::web::budget::Budget;
use crate::web::error::{ErrorSummary, WebError};
use crate::web::htmx::{HxRequest, render_page};
use crate::web::layout::{InstanceNav, Layout, Section, Tab};
use crate::web::paths::GroupPath;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

use super::lag::{self, Behind, behind_of, budgeted};
use super::{VIEW_DEADLINE, dlq_href, group_href, is_5x, load_group, load_instance, topic_href};

/// At most this many clients and ACL users are listed.
const MAX_ROWS: usize = 500;

/// One queue of a topic.
pub struct QueueRow {
    /// Its broker.
    pub broker: String,
    /// Its id.
    pub id: i64,
    /// Messages in the queue (the next offset to be written).
    pub broker_offset: i64,
    /// The group's offset.
    pub consumer_offset: i64,
    /// Messages not consumed yet.
    pub lag: i64,
    /// Store time of the last consumed message (0: none).
    pub last_ms: i64,
    /// The client consuming it (when DMS says).
    pub client: String,
}

/// One topic the group consumes, as read.
pub struct TopicRow {
    /// The topic.
    pub name: String,
    /// Its page.
    pub href: String,
    /// Its progress, `None` when it was not read before the deadline.
    pub detail: Option<Result<TopicFigures, ErrorSummary>>,
}

/// A topic's progress in figures.
pub struct TopicFigures {
    /// Backlog.
    pub lag: i64,
    /// Sum of the queues' broker offsets.
    pub broker_offset: i64,
    /// Sum of the queues' consumer offsets.
    pub consumer_offset: i64,
    /// The newest last consumed message of any queue.
    pub last_ms: i64,
    /// How far behind.
    pub behind: Behind,
    /// Its queues.
    pub queues: Vec<QueueRow>,
}

impl TopicFigures {
    /// The figures of a §5.2.7 detail read at `now`.
    pub fn of(detail: &GroupTopicDetail, now: i64) -> Self {
        let mut queues = Vec::new();
        let (mut lagging, mut newest_lagging, mut last) = (false, 0, 0);
        for broker in &detail.brokers {
            for queue in &broker.queues {
                if queue.lag > 0 {
                    lagging = true;
                    newest_lagging = newest_lagging.max(queue.last_message_time);
                }
                last = last.max(queue.last_message_time);
                queues.push(QueueRow {
                    broker: broker.broker_name.clone(),
                    id: queue.id,
                    broker_offset: queue.broker_offset,
                    consumer_offset: queue.consumer_offset,
                    lag: queue.lag,
                    last_ms: queue.last_message_time,
                    client: queue.client_id.clone(),
                });
            }
        }
        let lag = detail.lag.max(0);
        Self {
            lag,
            broker_offset: detail.max_offset,
            consumer_offset: detail.consumer_offset,
            last_ms: last,
            behind: behind_of(lag, lagging, newest_lagging, now),
            queues,
        }
    }
}

/// The group's clients.
pub struct Clients {
    /// Online.
    pub online: bool,
    /// Their subscriptions agree.
    pub consistent: bool,
    /// How many there are.
    pub total: i64,
    /// The clients listed.
    pub clients: Vec<ConsumerClient>,
}

/// The ACL users authorised on the group.
pub struct Users {
    /// Those listed.
    pub list: Vec<AccessPolicy>,
    /// How many DMS reports.
    pub total: i64,
}

#[derive(Template)]
#[template(path = "groups/show.html", blocks = ["content"])]
struct GroupPage {
    layout: Layout,
    instance_id: String,
    group: ConsumerGroup,
    five: bool,
    topics: Result<Vec<TopicRow>, ErrorSummary>,
    partial: bool,
    clients: Result<Clients, ErrorSummary>,
    users: Result<Users, ErrorSummary>,
    dead_letters: Result<i64, ErrorSummary>,
    can_manage: bool,
    can_reset: bool,
    href: String,
    dlq_href: String,
}
crate::page!(GroupPage);

impl GroupPage {
    /// The totals over the topics read: lag, broker offsets, consumer offsets.
    fn totals(&self) -> (i64, i64, i64) {
        let mut totals = (0, 0, 0);
        if let Ok(topics) = &self.topics {
            for figures in topics
                .iter()
                .filter_map(|t| t.detail.as_ref().and_then(|d| d.as_ref().ok()))
            {
                totals.0 += figures.lag;
                totals.1 += figures.broker_offset;
                totals.2 += figures.consumer_offset;
            }
        }
        totals
    }

    fn user_href(&self, user: &str) -> String {
        format!(
            "/instances/{}/users/{}",
            self.instance_id,
            super::segment(user)
        )
    }
}

/// Each topic's progress, read a few at a time until `deadline`; topics not read by then have
/// no detail.
pub async fn read_topics(
    dms: &DmsClient,
    budget: &Budget,
    instance_id: &str,
    group: &str,
    topics: Vec<String>,
    deadline: tokio::time::Instant,
) -> (Vec<TopicRow>, bool) {
    let now = crate::clock::now_ms();
    let mut read: std::collections::HashMap<String, Result<TopicFigures, ErrorSummary>> =
        futures_util::stream::iter(topics.iter().cloned())
            .map(|topic| async move {
                let result = lag::topic_detail(dms, budget, instance_id, group, &topic)
                    .await
                    .map(|d| TopicFigures::of(&d, now))
                    .map_err(|e| ErrorSummary::upstream("groups-op-read-topic", &e));
                (topic, result)
            })
            .buffer_unordered(8)
            .take_until(tokio::time::sleep_until(deadline))
            .collect()
            .await;
    let partial = read.len() < topics.len();
    let rows = topics
        .into_iter()
        .map(|name| TopicRow {
            href: topic_href(instance_id, &name),
            detail: read.remove(&name),
            name,
        })
        .collect();
    (rows, partial)
}

async fn clients_of(
    dms: &DmsClient,
    budget: &Budget,
    instance_id: &str,
    group: &str,
) -> Result<Clients, ApiError> {
    let summary = std::sync::Mutex::new(None);
    let walked = walk::collect(50, MAX_ROWS, |offset, limit| {
        let summary = &summary;
        async move {
            let query = ListConsumerClientsQuery {
                limit: Some(limit),
                offset: Some(offset),
                is_detail: Some(true),
            };
            let reply = budgeted(budget, || {
                dms.list_consumer_clients(instance_id, group, &query)
            })
            .await?
            .into_inner();
            *summary.lock().unwrap_or_else(|e| e.into_inner()) =
                Some((reply.online, reply.subscription_consistency, reply.total));
            Ok(Page {
                total: Some(reply.total.max(0) as u64),
                items: reply.clients,
            })
        }
    })
    .await?;
    let (online, consistent, total) = summary
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .unwrap_or((false, true, 0));
    Ok(Clients {
        online: online || total > 0,
        consistent,
        total,
        clients: walked.items,
    })
}

async fn users_of(
    dms: &DmsClient,
    budget: &Budget,
    instance_id: &str,
    group: &str,
) -> Result<Users, ApiError> {
    let walked = walk::collect(50, MAX_ROWS, |offset, limit| async move {
        let paging = Paging::new(limit, offset);
        let reply = budgeted(budget, || {
            dms.list_group_access_policy(instance_id, group, &paging)
        })
        .await?
        .into_inner();
        Ok(Page {
            total: Some(reply.total.max(0) as u64),
            items: reply.policies,
        })
    })
    .await?;
    let total = walked.total.unwrap_or(walked.items.len() as u64) as i64;
    Ok(Users {
        list: walked.items,
        total,
    })
}

/// Everything the page shows below the group's settings, each part on its own.
pub struct Sections {
    topics: Result<Vec<TopicRow>, ErrorSummary>,
    partial: bool,
    clients: Result<Clients, ErrorSummary>,
    users: Result<Users, ErrorSummary>,
    dead_letters: Result<i64, ErrorSummary>,
}

/// What a section shows when DMS did not answer before the page's deadline.
pub fn late() -> ErrorSummary {
    ErrorSummary::new(
        crate::web::i18n::Msg::new("groups-late-title"),
        crate::web::i18n::Msg::new("groups-late").arg("seconds", VIEW_DEADLINE.as_secs()),
    )
}

/// A section read within the page's deadline: its value, why it failed, or [`late`].
fn section<T>(
    result: Result<Result<T, ApiError>, tokio::time::error::Elapsed>,
    what: &'static str,
) -> Result<T, ErrorSummary> {
    match result {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(ErrorSummary::upstream(what, &e)),
        Err(_) => Err(late()),
    }
}

/// Reads the sections of `group`'s page, waiting at most [`VIEW_DEADLINE`].
async fn sections(user: &CurrentUser, id: &InstanceId, group: &GroupName) -> Sections {
    use tokio::time::timeout_at;
    let (dms, budget) = (&user.dms, user.budget(id));
    let deadline = tokio::time::Instant::now() + VIEW_DEADLINE;
    let (instance_id, name) = (id.as_str(), group.as_str());
    let topics = async {
        match timeout_at(deadline, lag::group_topics(dms, &budget, instance_id, name)).await {
            Ok(Ok(topics)) => {
                let (rows, partial) =
                    read_topics(dms, &budget, instance_id, name, topics, deadline).await;
                (Ok(rows), partial)
            }
            Ok(Err(e)) => (
                Err(ErrorSummary::upstream("groups-op-list-topics", &e)),
                false,
            ),
            Err(_) => (Err(late()), true),
        }
    };
    let ((topics, partial), clients, users, dead_letters) = tokio::join!(
        topics,
        timeout_at(deadline, clients_of(dms, &budget, instance_id, name)),
        timeout_at(deadline, users_of(dms, &budget, instance_id, name)),
        timeout_at(deadline, lag::dead_letters(dms, &budget, instance_id, name)),
    );
    let timed_out = clients.is_err() || users.is_err() || dead_letters.is_err();
    Sections {
        topics,
        partial: partial || timed_out,
        clients: section(clients, "groups-op-list-clients"),
        users: section(users, "groups-op-list-users"),
        dead_letters: section(dead_letters, "groups-op-read-dead-letters"),
    }
}

/// `GET /instances/{instance_id}/groups/{group}`.
pub async fn show_group(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<GroupPath>,
) -> Result<HttpResponse, WebError> {
    let GroupPath {
        instance_id: id,
        group: name,
    } = path.into_inner();
    let (group, instance, nav, sections) = tokio::join!(
        load_group(&user, &id, &name),
        load_instance(&user, &id),
        InstanceNav::load(&user, &id, Tab::Groups),
        sections(&user, &id, &name),
    );
    let group = group?;
    let five = instance.as_ref().is_ok_and(is_5x);
    let href = group_href(id.as_str(), &group.name);
    let layout = Layout::for_user(&user, "group-title", Section::Instances)
        .in_instance(nav)
        .crumb("groups-title", Some(format!("/instances/{id}/groups")))
        .crumb_value(group.name.clone(), None);
    let mut layout = layout;
    layout.title = group.name.clone();
    let page = GroupPage {
        layout,
        instance_id: id.to_string(),
        dlq_href: dlq_href(id.as_str(), &group.name),
        five,
        topics: sections.topics,
        partial: sections.partial,
        clients: sections.clients,
        users: sections.users,
        dead_letters: sections.dead_letters,
        can_manage: user.can(Permission::ManageGroups),
        can_reset: user.can(Permission::ResetOffsets),
        href,
        group,
    };
    render_page(hx, StatusCode::OK, &page)
}
