//! What a topic touches: its messages (API reference §5.3.7), the consumer groups that
//! consume it (§5.3.6) and, per group, its lag on the topic (§5.2.7) or its online clients
//! (§5.2.9). The topic page shows it; a delete previews it for each topic it would delete.
//!
//! Every call runs inside the instance's budget of calls in flight, a few groups at a time,
//! until the caller's deadline: a group whose numbers did not arrive in time shows none and
//! the whole is marked partial. A failed call is shown as such, never as zero.

use std::time::Duration;

use futures_util::StreamExt;
use tokio::time::Instant;

use crate::api::models::common::Paging;
use crate::api::models::groups::ListConsumerClientsQuery;
use crate::api::models::topics::TopicStatus;
use crate::api::walk;
use crate::api::{ApiError, ErrorKind};
use crate::domain::InstanceId;
use crate::web::error::ErrorSummary;
use crate::web::session::CurrentUser;

/// At most this many groups of a topic are listed.
pub const MAX_GROUPS: usize = 200;
/// Groups whose numbers are read at the same time.
const GROUPS_AT_ONCE: usize = 4;

/// What to read about each group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupFigure {
    /// Its lag on the topic.
    Lag,
    /// Its online clients.
    Clients,
}

/// One consuming group and its number.
pub struct GroupRow {
    /// The group's name.
    pub name: String,
    /// Its page.
    pub href: String,
    /// The lag or client count; `None` when it did not arrive in time or failed.
    pub figure: Option<i64>,
    /// Why the number is missing, when a call failed.
    pub problem: Option<ErrorSummary>,
}

/// The consuming groups of a topic.
pub struct Groups {
    /// The groups, in DMS's order.
    pub rows: Vec<GroupRow>,
    /// Groups the topic has (DMS's count when it gives one).
    pub total: usize,
    /// Whether more groups exist than were listed.
    pub more: bool,
    /// Whether some numbers did not arrive before the deadline.
    pub partial: bool,
    /// The sum of the numbers that arrived.
    pub sum: i64,
}

/// A topic's stored messages: per broker and queue, and in all.
pub struct Messages {
    /// The status as DMS gave it.
    pub status: TopicStatus,
    /// Messages stored (the sum of each queue's max minus min offset).
    pub total: i64,
    /// The last time any queue received a message.
    pub last: Option<i64>,
}

impl Messages {
    fn of(status: TopicStatus) -> Self {
        let queues = status.brokers.iter().flat_map(|b| b.queues.iter());
        let total = queues
            .clone()
            .map(|q| (q.max_offset - q.min_offset).max(0))
            .sum();
        let last = queues.map(|q| q.last_message_time).filter(|t| *t > 0).max();
        Self {
            status,
            total,
            last,
        }
    }
}

/// A topic's messages (§5.3.7).
pub async fn messages(
    user: &CurrentUser,
    id: &InstanceId,
    topic: &str,
) -> Result<Messages, ApiError> {
    let reply = user
        .budget(id)
        .run(user.dms.show_topic_status(id.as_str(), topic))
        .await?;
    Ok(Messages::of(reply.into_inner()))
}

/// The groups of `topic` (§5.3.6) with `figure` for each, read until `deadline`.
pub async fn groups(
    user: &CurrentUser,
    id: &InstanceId,
    topic: &str,
    figure: GroupFigure,
    deadline: Instant,
) -> Result<Groups, ApiError> {
    let budget = user.budget(id);
    let listing = walk::collect(50, MAX_GROUPS, |offset, limit| {
        let (dms, budget) = (user.dms.clone(), budget.clone());
        async move {
            let reply = budget
                .run(dms.list_topic_groups(id.as_str(), topic, &Paging::new(limit, offset)))
                .await?
                .into_inner();
            Ok(walk::Page {
                total: reply.total.map(|t| t.max(0) as u64),
                items: reply.groups,
            })
        }
    });
    let walked = tokio::time::timeout_at(deadline, listing)
        .await
        .unwrap_or_else(|_| Err(late("ListConsumerGroupOfTopic")))?;
    let total = walked
        .total
        .map_or(walked.items.len(), |t| t as usize)
        .max(walked.items.len());
    let numbers: Vec<(String, Option<Result<i64, ApiError>>)> =
        futures_util::stream::iter(walked.items)
            .map(|group| {
                let budget = budget.clone();
                async move {
                    let call = async {
                        match figure {
                            GroupFigure::Lag => budget
                                .run(user.dms.show_group_topic_detail(
                                    id.as_str(),
                                    &group,
                                    topic,
                                    &Paging::new(50, 0),
                                ))
                                .await
                                .map(|r| r.into_inner().lag.max(0)),
                            GroupFigure::Clients => budget
                                .run(user.dms.list_consumer_clients(
                                    id.as_str(),
                                    &group,
                                    &ListConsumerClientsQuery {
                                        limit: Some(1),
                                        offset: Some(0),
                                        is_detail: None,
                                    },
                                ))
                                .await
                                .map(|r| r.into_inner().total.max(0)),
                        }
                    };
                    let number = tokio::time::timeout_at(deadline, call).await.ok();
                    (group, number)
                }
            })
            .buffered(GROUPS_AT_ONCE)
            .collect()
            .await;
    let mut partial = false;
    let mut sum = 0;
    let rows = numbers
        .into_iter()
        .map(|(name, number)| {
            let (figure, problem) = match number {
                Some(Ok(n)) => {
                    sum += n;
                    (Some(n), None)
                }
                // A group that exists but has no offsets on the topic yet has no lag.
                Some(Err(e)) if e.kind == ErrorKind::NotFound && figure == GroupFigure::Lag => {
                    (Some(0), None)
                }
                Some(Err(e)) => (None, Some(ErrorSummary::upstream(op_key(figure), &e))),
                None => {
                    partial = true;
                    (None, None)
                }
            };
            GroupRow {
                href: format!("/instances/{id}/groups/{}", super::segment(&name)),
                name,
                figure,
                problem,
            }
        })
        .collect();
    Ok(Groups {
        rows,
        total,
        more: walked.truncated,
        partial,
        sum,
    })
}

/// The error of a read that had no answer before the page's deadline.
fn late(operation: &'static str) -> ApiError {
    ApiError::local(
        operation,
        ErrorKind::Transport,
        "no answer before the page's time limit",
    )
}

fn op_key(figure: GroupFigure) -> &'static str {
    match figure {
        GroupFigure::Lag => "op-read-group-lag",
        GroupFigure::Clients => "op-read-topic-consumers",
    }
}

/// What deleting one topic would touch.
pub struct Impact {
    /// The topic.
    pub topic: String,
    /// Its page.
    pub href: String,
    /// Its messages.
    pub messages: Result<i64, ErrorSummary>,
    /// Its consumers and their online clients.
    pub groups: Result<Groups, ErrorSummary>,
}

impl Impact {
    /// Whether anything is known to read the topic now.
    pub fn in_use(&self) -> bool {
        self.groups
            .as_ref()
            .is_ok_and(|g| g.sum > 0 || g.partial || g.rows.iter().any(|r| r.problem.is_some()))
    }
}

/// The impact of deleting `topic`, read until `deadline`.
pub async fn impact(user: &CurrentUser, id: &InstanceId, topic: &str, deadline: Instant) -> Impact {
    let (messages, groups) = tokio::join!(
        tokio::time::timeout_at(deadline, messages(user, id, topic)),
        groups(user, id, topic, GroupFigure::Clients, deadline)
    );
    Impact {
        href: super::topic_href(id.as_str(), topic),
        topic: topic.to_owned(),
        messages: messages
            .unwrap_or_else(|_| Err(late("ShowTopicStatus")))
            .map(|m| m.total)
            .map_err(|e| ErrorSummary::upstream("op-read-topic-status", &e)),
        groups: groups.map_err(|e| ErrorSummary::upstream("op-list-topic-groups", &e)),
    }
}

/// The impacts of deleting each of `topics`, a few topics at a time, until `budget` runs out.
pub async fn impacts(
    user: &CurrentUser,
    id: &InstanceId,
    topics: &[String],
    budget: Duration,
) -> Vec<Impact> {
    let deadline = Instant::now() + budget;
    futures_util::stream::iter(topics)
        .map(|topic| impact(user, id, topic, deadline))
        .buffered(GROUPS_AT_ONCE)
        .collect()
        .await
}
