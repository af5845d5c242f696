//! The attention panel's numbers: the consumer groups with the largest lag and those with
//! dead letters, over a bounded number of groups and topics.

use futures_util::StreamExt;

use crate::api::models::common::Paging;
use crate::api::models::groups::ListConsumerGroupsQuery;
use crate::api::{ApiError, DmsClient, ErrorKind};
use crate::web::error::ErrorSummary;

/// One group in the attention panel.
pub struct GroupHealth {
    /// Group name.
    pub name: String,
    /// Messages not yet consumed, over its topics.
    pub lag: i64,
    /// Messages in its dead-letter queue.
    pub dead_letters: i64,
}

/// What needs attention.
pub struct Attention {
    /// Groups with the largest lag (at most five, lag > 0).
    pub lagging: Vec<GroupHealth>,
    /// Groups with dead letters.
    pub dead_lettered: Vec<GroupHealth>,
    /// How many groups were checked, and how many exist.
    pub checked: usize,
    /// All groups.
    pub total: i64,
    /// Groups whose numbers could not be read.
    pub failures: Vec<ErrorSummary>,
}

/// At most this many groups are inspected for the attention panel (each costs calls).
const ATTENTION_GROUPS: usize = 20;
/// At most this many topics per group are inspected.
const ATTENTION_TOPICS: usize = 10;
/// A group's topics are read this many at a time.
const ATTENTION_TOPICS_AT_ONCE: usize = 3;

/// The lag of `group` over its first topics, whose details are read a few at a time.
async fn group_lag(dms: &DmsClient, instance_id: &str, group: &str) -> Result<i64, ApiError> {
    let topics = dms
        .list_group_topics(instance_id, group, &Paging::new(50, 0))
        .await?
        .into_inner();
    let lags: Vec<Result<i64, ApiError>> = futures_util::stream::iter(
        topics
            .topics
            .iter()
            .filter(|t| !t.starts_with('%'))
            .take(ATTENTION_TOPICS),
    )
    .map(|topic| async {
        dms.show_group_topic_detail(instance_id, group, topic, &Paging::new(50, 0))
            .await
            .map(|detail| detail.lag.max(0))
    })
    .buffer_unordered(ATTENTION_TOPICS_AT_ONCE)
    .collect()
    .await;
    lags.into_iter().sum()
}

async fn dead_letters(dms: &DmsClient, instance_id: &str, group: &str) -> Result<i64, ApiError> {
    match dms
        .show_topic_status(instance_id, &format!("%DLQ%{group}"))
        .await
    {
        Ok(status) => Ok(status
            .brokers
            .iter()
            .flat_map(|b| b.queues.iter())
            .map(|q| (q.max_offset - q.min_offset).max(0))
            .sum()),
        // No dead-letter topic means no dead letters yet.
        Err(error)
            if error.kind == ErrorKind::NotFound
                || error.code.as_deref() == Some("DMS.00400876") =>
        {
            Ok(0)
        }
        Err(error) => Err(error),
    }
}

/// A group's lag and dead letters. Its topics (then their details) and its dead-letter queue
/// are read at the same time: two round trips to DMS for a group with up to three topics,
/// where reading them one after the other took three plus one per topic.
async fn group_health(
    dms: &DmsClient,
    instance_id: &str,
    group: String,
) -> Result<GroupHealth, ApiError> {
    let (lag, dead_letters) = tokio::join!(
        group_lag(dms, instance_id, &group),
        dead_letters(dms, instance_id, &group)
    );
    Ok(GroupHealth {
        lag: lag?,
        dead_letters: dead_letters?,
        name: group,
    })
}

pub(super) async fn attention(dms: &DmsClient, instance_id: &str) -> Result<Attention, ApiError> {
    let query = ListConsumerGroupsQuery {
        limit: Some(50),
        offset: Some(0),
        ..Default::default()
    };
    let groups = dms
        .list_consumer_groups(instance_id, &query)
        .await?
        .into_inner();
    let names: Vec<String> = groups
        .groups
        .iter()
        .take(ATTENTION_GROUPS)
        .map(|g| g.name.clone())
        .collect();
    let checked = names.len();
    let results: Vec<Result<GroupHealth, ApiError>> = futures_util::stream::iter(names)
        .map(|name| group_health(dms, instance_id, name))
        .buffer_unordered(6)
        .collect()
        .await;
    let mut healths = Vec::new();
    let mut failures = Vec::new();
    for result in results {
        match result {
            Ok(health) => healths.push(health),
            Err(error) => failures.push(ErrorSummary::upstream("op-read-group-lag", &error)),
        }
    }
    let mut lagging: Vec<GroupHealth> = healths
        .iter()
        .filter(|h| h.lag > 0)
        .map(|h| GroupHealth {
            name: h.name.clone(),
            lag: h.lag,
            dead_letters: h.dead_letters,
        })
        .collect();
    lagging.sort_by(|a, b| b.lag.cmp(&a.lag).then(a.name.cmp(&b.name)));
    lagging.truncate(5);
    let mut dead_lettered: Vec<GroupHealth> =
        healths.into_iter().filter(|h| h.dead_letters > 0).collect();
    dead_lettered.sort_by(|a, b| {
        b.dead_letters
            .cmp(&a.dead_letters)
            .then(a.name.cmp(&b.name))
    });
    Ok(Attention {
        lagging,
        dead_lettered,
        checked,
        total: groups.total.max(checked as i64),
        failures,
    })
}
