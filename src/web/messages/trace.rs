//! A message's trace (`/instances/{id}/messages/{msg_id}/trace`): the timeline (producer,
//! broker, one lane per consumer group of the topic), a table of every record, and for each
//! group that has not consumed the message a "why not?" box that puts together the trace, the
//! group's online clients and their subscriptions, its offset on the message's queue and
//! whether the message is in its dead-letter queue.
//!
//! Traces are kept under the producer's UNIQ_KEY (API reference §5.4.2). The page asks for
//! the id it was given and, when the message is known and that finds nothing, for its
//! UNIQ_KEY. An empty trace says what that means instead of drawing an empty box.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;

use crate::api::models::common::Paging;
use crate::api::models::groups::ListConsumerClientsQuery;
use crate::api::models::messages::{ListMessageTraceQuery, Message, MessageTrace};
use crate::api::{ApiError, ErrorKind, walk};
use crate::domain::InstanceId;
use crate::web::error::{ErrorSummary, WebError};
use crate::web::htmx::{HxRequest, render_page};
use crate::web::i18n::{Lang, Msg};
use crate::web::layout::{InstanceNav, Layout, Section, Tab};
use crate::web::paths::MessagePath;
use crate::web::session::CurrentUser;

use super::query::{IdKind, id_kind};
use super::show::{lookup, progress, topic_param};
use super::timeline::{
    self, consumed, msg_type_words, status_words, transaction_words, type_words,
};
use super::{encode_segment, group_href, message_href, query_string};

/// At most this many trace records are read.
const RECORDS_MAX: usize = 500;
/// At most this many groups get a "why not consumed?" box (each costs three calls).
const DIAGNOSED_MAX: usize = 10;

/// One record of the table, in words.
pub struct RecordRow {
    /// When.
    pub at_ms: i64,
    /// Its type in words.
    pub kind: String,
    /// Producer or consumer group.
    pub group: String,
    /// Client address.
    pub client: String,
    /// Cost in ms.
    pub cost_ms: i64,
    /// Whether it succeeded.
    pub ok: bool,
    /// Consume status in words (consumer records).
    pub status: String,
    /// Retries before it.
    pub retry: i64,
    /// Message type in words.
    pub msg_type: String,
    /// Transaction state in words, if any.
    pub transaction: String,
    /// Whether it answers a transaction check-back.
    pub check_back: bool,
    /// The step's request id.
    pub request_id: String,
    /// The delivered copy's offset id.
    pub offset_msg_id: String,
}

fn row(lang: Lang, record: &MessageTrace) -> RecordRow {
    RecordRow {
        at_ms: record.timestamp,
        kind: type_words(lang, &record.trace_type),
        group: record.group_name.clone(),
        client: record.client_host.clone(),
        cost_ms: record.cost_time.round() as i64,
        ok: record.success,
        status: if record.trace_type == "SubAfter" {
            status_words(lang, record.consume_status)
        } else {
            String::new()
        },
        retry: record.retry_times,
        msg_type: msg_type_words(lang, &record.msg_type),
        transaction: record
            .transaction_state
            .as_deref()
            .map(|s| transaction_words(lang, s))
            .unwrap_or_default(),
        check_back: record.from_transaction_check,
        request_id: record.request_id.clone(),
        offset_msg_id: record.offset_msg_id.clone(),
    }
}

/// What became of the message in one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A delivery ended in "consumed".
    Consumed,
    /// It is in the group's dead-letter queue.
    DeadLettered,
    /// Deliveries failed and no dead letter was found (retries pending).
    Failing,
    /// The group has not reached it yet.
    Waiting,
    /// Nothing says.
    Unknown,
}

impl Verdict {
    fn key(self) -> &'static str {
        match self {
            Self::Consumed => "verdict-consumed",
            Self::DeadLettered => "verdict-dead-lettered",
            Self::Failing => "verdict-failing",
            Self::Waiting => "verdict-waiting",
            Self::Unknown => "verdict-unknown",
        }
    }

    fn tone(self) -> &'static str {
        match self {
            Self::Consumed => "ok",
            Self::DeadLettered | Self::Failing => "bad",
            Self::Waiting => "busy",
            Self::Unknown => "neutral",
        }
    }
}

/// The "why not consumed?" box of one group.
pub struct Diagnosis {
    /// The group.
    pub group: String,
    /// Its page.
    pub href: Option<String>,
    /// What became of the message.
    pub verdict: Verdict,
    /// What the console found, in words.
    pub facts: Vec<Msg>,
    /// Where the dead letter is, when it is one.
    pub dlq_href: Option<String>,
    /// Parts that could not be read.
    pub problems: Vec<ErrorSummary>,
}

#[derive(Template)]
#[template(path = "messages/trace.html", blocks = ["content"])]
struct TracePage {
    layout: Layout,
    msg_id: String,
    topic: String,
    trace: Result<(), ErrorSummary>,
    svg: String,
    rows: Vec<RecordRow>,
    truncated: bool,
    empty_why: Vec<Msg>,
    message_problem: Option<ErrorSummary>,
    message_href: Option<String>,
    diagnoses: Vec<Diagnosis>,
    undiagnosed: usize,
    groups_problem: Option<ErrorSummary>,
}
crate::page!(TracePage);

impl TracePage {
    /// The heading of the groups' boxes: the question only when some group did not consume.
    fn groups_heading(&self) -> &'static str {
        if self
            .diagnoses
            .iter()
            .all(|d| d.verdict == Verdict::Consumed)
        {
            "why-heading-all-consumed"
        } else {
            "why-heading"
        }
    }

    fn verdict_key(&self, verdict: &Verdict) -> &'static str {
        verdict.key()
    }

    fn verdict_tone(&self, verdict: &Verdict) -> &'static str {
        verdict.tone()
    }
}

/// Every trace record of `msg_id`, oldest first, up to [`RECORDS_MAX`].
async fn read_trace(
    user: &CurrentUser,
    instance_id: &InstanceId,
    msg_id: &str,
) -> Result<(Vec<MessageTrace>, bool), ApiError> {
    let budget = user.budget(instance_id);
    let walked = walk::collect(50, RECORDS_MAX, |offset, limit| {
        let query = ListMessageTraceQuery {
            msg_id: msg_id.to_owned(),
            limit: Some(limit),
            offset: Some(offset),
        };
        let budget = budget.clone();
        async move {
            let page = budget
                .run(user.dms.list_message_trace(instance_id.as_str(), &query))
                .await?
                .into_inner();
            Ok(walk::Page {
                total: page.total.map(|t| t.max(0) as u64),
                items: page.trace,
            })
        }
    })
    .await?;
    let mut records = walked.items;
    records.sort_by_key(|r| r.timestamp);
    Ok((records, walked.truncated))
}

/// `GET /instances/{instance_id}/messages/{msg_id}/trace?topic=`.
pub async fn show_trace(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<MessagePath>,
) -> Result<HttpResponse, WebError> {
    let MessagePath {
        instance_id,
        msg_id,
    } = path.into_inner();
    let topic_given = topic_param(&request)?.map(|t| t.to_string());
    let id = instance_id.as_str();
    let lang = user.ui.lang;
    let (trace, looked_up, nav, retention) = tokio::join!(
        read_trace(&user, &instance_id, msg_id.as_str()),
        async {
            match &topic_given {
                Some(topic) => Some(
                    user.budget(&instance_id)
                        .run(lookup(&user.dms, id, topic, msg_id.as_str()))
                        .await,
                ),
                None => None,
            }
        },
        InstanceNav::load(&user, &instance_id, Tab::Messages),
        super::retention_hours(&user.dms, id)
    );
    let retention = retention.ok().flatten();
    let mut message_problem = None;
    let mut message: Option<Message> = match looked_up {
        Some(Ok(found)) => found.into_iter().next(),
        Some(Err(error)) => {
            message_problem = Some(ErrorSummary::upstream("op-read-message", &error));
            None
        }
        None => None,
    };
    let uniq = message
        .as_ref()
        .and_then(|m| m.property("UNIQ_KEY"))
        .map(str::to_owned);
    // Traces are kept under the UNIQ_KEY: ask for it when the given id found nothing.
    let trace = match (trace, &uniq) {
        (Ok((records, _)), Some(uniq))
            if records.is_empty() && !uniq.eq_ignore_ascii_case(msg_id.as_str()) =>
        {
            read_trace(&user, &instance_id, uniq).await
        }
        (other, _) => other,
    };
    let (records, truncated) = match &trace {
        Ok((records, truncated)) => (records.clone(), *truncated),
        Err(_) => (Vec::new(), false),
    };
    let topic = topic_given.clone().or_else(|| {
        records
            .iter()
            .find(|r| !r.topic.is_empty())
            .map(|r| r.topic.clone())
    });
    if message.is_none()
        && topic_given.is_none()
        && let (Some(topic), Some(first)) =
            (&topic, records.iter().find(|r| !r.offset_msg_id.is_empty()))
    {
        // The trace named the topic: the message itself can be read now.
        let original = records
            .iter()
            .find(|r| r.trace_type == "Pub")
            .map(|r| r.offset_msg_id.as_str())
            .unwrap_or(first.offset_msg_id.as_str());
        match lookup(&user.dms, id, topic, original).await {
            Ok(found) => message = found.into_iter().next(),
            Err(error) => message_problem = Some(ErrorSummary::upstream("op-read-message", &error)),
        }
    }
    let groups = match &topic {
        Some(topic) => Some(
            user.budget(&instance_id)
                .run(user.dms.list_topic_groups(id, topic, &Paging::new(50, 0)))
                .await
                .map(|r| r.into_inner().groups),
        ),
        None => None,
    };
    let (groups, groups_problem) = match groups {
        Some(Ok(groups)) => (groups, None),
        Some(Err(error)) => (
            Vec::new(),
            Some(ErrorSummary::upstream("op-list-topic-groups", &error)),
        ),
        None => (Vec::new(), None),
    };
    let timeline = timeline::build(
        &records,
        message.as_ref().map(|m| m.store_timestamp),
        &groups,
        lang,
    );
    let mut consumer_groups: Vec<String> = groups.clone();
    for record in &records {
        if record.trace_type.starts_with("Sub") && !consumer_groups.contains(&record.group_name) {
            consumer_groups.push(record.group_name.clone());
        }
    }
    let diagnoses = diagnose_all(
        &user,
        &instance_id,
        &consumer_groups,
        &records,
        message.as_ref(),
        uniq.as_deref().unwrap_or(msg_id.as_str()),
        topic.as_deref(),
    )
    .await;
    let undiagnosed = consumer_groups.len().saturating_sub(diagnoses.len());
    let empty_why = if records.is_empty() && trace.is_ok() {
        explain_empty(
            msg_id.as_str(),
            message.as_ref(),
            topic_given.is_some(),
            retention,
        )
    } else {
        Vec::new()
    };
    let svg = if records.is_empty() {
        String::new()
    } else {
        timeline.svg(
            lang,
            &lang.msg(&Msg::new("trace-svg-title").arg("id", msg_id.as_str())),
            &describe(lang, &timeline),
        )
    };
    let status = match &trace {
        Err(error) if error.kind == ErrorKind::NotFound => StatusCode::NOT_FOUND,
        Err(error) => crate::web::error::upstream_status(error),
        Ok(_) => StatusCode::OK,
    };
    let topic_text = topic.clone().unwrap_or_default();
    let page = TracePage {
        layout: Layout::for_user(&user, "trace-title", Section::Instances)
            .in_instance(nav)
            .crumb("messages-title", Some(format!("/instances/{id}/messages")))
            .crumb_value(
                msg_id.to_string(),
                Some(message_href(id, msg_id.as_str(), &topic_text)),
            )
            .crumb("trace-title", None),
        msg_id: msg_id.to_string(),
        message_href: message
            .as_ref()
            .map(|m| message_href(id, &m.msg_id, &m.topic)),
        topic: topic_text,
        trace: trace
            .map(|_| ())
            .map_err(|e| ErrorSummary::upstream("op-read-trace", &e)),
        svg,
        rows: records.iter().map(|r| row(lang, r)).collect(),
        truncated,
        empty_why,
        message_problem,
        diagnoses,
        undiagnosed,
        groups_problem,
    };
    render_page(hx, status, &page)
}

/// The timeline in one sentence per lane, for screen readers.
fn describe(lang: Lang, timeline: &timeline::Timeline) -> String {
    timeline
        .lanes
        .iter()
        .map(|lane| {
            let ok = lane.events.iter().filter(|e| e.ok).count();
            lang.msg(
                &Msg::new("trace-lane-summary")
                    .arg("lane", lane.name.as_str())
                    .arg("events", lane.events.len())
                    .arg("ok", ok)
                    .arg("failed", lane.events.len() - ok),
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Why a trace is empty.
fn explain_empty(
    msg_id: &str,
    message: Option<&Message>,
    topic_given: bool,
    retention: Option<i64>,
) -> Vec<Msg> {
    let mut why = Vec::new();
    match message {
        Some(message) => {
            why.push(Msg::new("trace-empty-tracing-off").arg("topic", message.topic.as_str()))
        }
        None => {
            why.push(Msg::new("trace-empty-tracing"));
            why.push(match retention {
                Some(hours) => Msg::new("trace-empty-retention").arg("hours", hours),
                None => Msg::new("trace-empty-retention-unknown"),
            });
            why.push(match id_kind(msg_id) {
                IdKind::Offset(host) => Msg::new("trace-empty-offset-id").arg("host", host),
                IdKind::UniqKey(_) => Msg::new("trace-empty-uniq-key"),
                IdKind::Unknown => Msg::new("why-id-unknown"),
            });
            if !topic_given {
                why.push(Msg::new("trace-empty-give-topic"));
            }
        }
    }
    why
}

/// The boxes of `groups`: groups whose trace says "consumed" need no call; the others (at
/// most [`DIAGNOSED_MAX`]) are looked into a few at a time.
async fn diagnose_all(
    user: &CurrentUser,
    instance_id: &InstanceId,
    groups: &[String],
    records: &[MessageTrace],
    message: Option<&Message>,
    uniq: &str,
    topic: Option<&str>,
) -> Vec<Diagnosis> {
    let mut done = Vec::new();
    let mut open = Vec::new();
    for group in groups {
        let own: Vec<&MessageTrace> = records.iter().filter(|r| &r.group_name == group).collect();
        match own.iter().find(|r| consumed(r)) {
            Some(record) => done.push(Diagnosis {
                group: group.clone(),
                href: group_href(instance_id.as_str(), group),
                verdict: Verdict::Consumed,
                facts: vec![
                    Msg::new("fact-consumed")
                        .arg("client", record.client_host.as_str())
                        .arg("retry", record.retry_times),
                ],
                dlq_href: None,
                problems: Vec::new(),
            }),
            None => open.push((group.clone(), own)),
        }
    }
    let Some(topic) = topic else {
        return done;
    };
    let looked_into: Vec<Diagnosis> =
        futures_util::stream::iter(open.into_iter().take(DIAGNOSED_MAX))
            .map(|(group, own)| diagnose(user, instance_id, group, own, message, uniq, topic))
            .buffered(3)
            .collect()
            .await;
    done.extend(looked_into);
    done
}

/// Whether a tag expression (`*`, `a || b`) takes `tag`; `None` for SQL92 filters.
pub fn tag_matches(kind: &str, expression: &str, tag: &str) -> Option<bool> {
    if !kind.is_empty() && !kind.eq_ignore_ascii_case("TAG") {
        return None;
    }
    let expression = expression.trim();
    Some(
        expression.is_empty()
            || expression == "*"
            || expression.split("||").any(|t| t.trim() == tag),
    )
}

async fn diagnose(
    user: &CurrentUser,
    instance_id: &InstanceId,
    group: String,
    own: Vec<&MessageTrace>,
    message: Option<&Message>,
    uniq: &str,
    topic: &str,
) -> Diagnosis {
    let id = instance_id.as_str();
    let budget = user.budget(instance_id);
    let dlq_topic = format!("%DLQ%{group}");
    let clients_query = ListConsumerClientsQuery {
        limit: Some(50),
        offset: Some(0),
        is_detail: Some(true),
    };
    let first_page = Paging::new(50, 0);
    let (clients, detail, dead) = tokio::join!(
        budget.run(user.dms.list_consumer_clients(id, &group, &clients_query)),
        budget.run(
            user.dms
                .show_group_topic_detail(id, &group, topic, &first_page)
        ),
        budget.run(lookup(&user.dms, id, &dlq_topic, uniq))
    );
    let mut facts = Vec::new();
    let mut problems = Vec::new();
    let mut verdict = Verdict::Unknown;
    let failures: Vec<&&MessageTrace> = own.iter().filter(|r| r.trace_type == "SubAfter").collect();
    if let Some(last) = failures.last() {
        facts.push(
            Msg::new("fact-failed-deliveries")
                .arg("count", failures.len())
                .text("status", status_words(user.ui.lang, last.consume_status)),
        );
        verdict = Verdict::Failing;
    } else if own.iter().any(|r| r.trace_type == "SubBefore") {
        facts.push(Msg::new("fact-delivery-open"));
    }
    let mut dlq_href = None;
    match dead {
        Ok(found) if !found.is_empty() => {
            verdict = Verdict::DeadLettered;
            facts.push(Msg::new("fact-in-dlq").arg("retries", found[0].reconsume_times));
            dlq_href = Some(format!(
                "/instances/{id}/dlq?{}",
                query_string([
                    ("group", group.as_str()),
                    ("msg_id", found[0].msg_id.as_str())
                ])
            ));
        }
        Ok(_) => facts.push(Msg::new("fact-not-in-dlq")),
        // A group that never had a dead letter may have no dead-letter topic yet.
        Err(error)
            if error.kind == ErrorKind::NotFound
                || error.code.as_deref() == Some("DMS.00400876") =>
        {
            facts.push(Msg::new("fact-not-in-dlq"))
        }
        Err(error) => problems.push(ErrorSummary::upstream("op-read-dlq", &error)),
    }
    match clients {
        Ok(list) => {
            let list = list.into_inner();
            if !list.online || list.clients.is_empty() {
                facts.push(Msg::new("fact-no-consumers"));
            } else {
                facts.push(Msg::new("fact-consumers").arg("count", list.clients.len()));
                if !list.subscription_consistency {
                    facts.push(Msg::new("fact-inconsistent"));
                }
                let subscriptions: Vec<_> = list
                    .clients
                    .iter()
                    .flat_map(|c| c.subscriptions.iter())
                    .filter(|s| s.topic == topic)
                    .collect();
                let tag = message.and_then(|m| m.property("TAGS")).unwrap_or_default();
                if subscriptions.is_empty()
                    && list.clients.iter().any(|c| !c.subscriptions.is_empty())
                {
                    facts.push(Msg::new("fact-not-subscribed").arg("topic", topic));
                } else if message.is_some()
                    && !subscriptions.is_empty()
                    && subscriptions
                        .iter()
                        .all(|s| tag_matches(&s.kind, &s.expression, tag) == Some(false))
                {
                    // A masked tag is not named; the verdict stands without it.
                    facts.push(if super::policy(user).masks_property("TAGS") {
                        Msg::new("fact-tag-filtered-masked")
                    } else {
                        Msg::new("fact-tag-filtered")
                            .arg("tag", tag)
                            .arg("expression", subscriptions[0].expression.as_str())
                    });
                } else if subscriptions
                    .iter()
                    .any(|s| tag_matches(&s.kind, &s.expression, tag).is_none())
                {
                    facts.push(Msg::new("fact-sql-filter"));
                }
            }
        }
        Err(error) => problems.push(ErrorSummary::upstream("op-list-clients", &error)),
    }
    match (detail, message) {
        (Ok(detail), Some(message)) => {
            let progress = progress(&detail.into_inner(), message.queue_id, message.queue_offset);
            match progress.past {
                Some(false) => {
                    let offset = progress.offsets.first().map(|(_, o)| *o).unwrap_or(0);
                    facts.push(
                        Msg::new("fact-behind")
                            .arg("queue", message.queue_id)
                            .arg("offset", offset)
                            .arg("position", message.queue_offset)
                            .arg("before", (message.queue_offset - offset).max(0)),
                    );
                    if verdict == Verdict::Unknown {
                        verdict = Verdict::Waiting;
                    }
                }
                Some(true) if own.is_empty() => facts.push(Msg::new("fact-past-untraced")),
                Some(true) => facts.push(Msg::new("fact-past")),
                None => facts.push(Msg::new("fact-queue-unclear").arg("queue", message.queue_id)),
            }
            facts.push(Msg::new("fact-lag").arg("lag", progress.lag));
        }
        (Ok(detail), None) => {
            facts.push(Msg::new("fact-lag").arg("lag", detail.into_inner().lag.max(0)))
        }
        (Err(error), _) => problems.push(ErrorSummary::upstream("op-read-group-lag", &error)),
    }
    Diagnosis {
        href: group_href(id, &group),
        group,
        verdict,
        facts,
        dlq_href,
        problems,
    }
}

/// The trace page of a message (for links).
pub fn trace_href(instance_id: &str, msg_id: &str, topic: &str) -> String {
    format!(
        "/instances/{instance_id}/messages/{}/trace?{}",
        encode_segment(msg_id),
        query_string([("topic", topic)])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_expressions_take_their_tags() {
        assert_eq!(tag_matches("TAG", "*", "paid"), Some(true));
        assert_eq!(tag_matches("", "", "paid"), Some(true));
        assert_eq!(tag_matches("TAG", "created || paid", "paid"), Some(true));
        assert_eq!(tag_matches("TAG", "created||shipped", "paid"), Some(false));
        assert_eq!(tag_matches("SQL92", "a > 1", "paid"), None);
    }
}
