//! The message search (`/instances/{id}/messages`): one topic, by time window, key or
//! message id, optionally one queue; newest first, paged, every search a link, exported
//! with `?format=csv|json` (every match, masked as the page is).
//!
//! The page states its limits (a window unless searching by id, the console's cap on
//! results, how keys match, the instance's retention) and, when nothing matches, says why it
//! may be: a window outside the retention, a topic without messages, a producer that sets no
//! keys, an id of another kind or topic.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;

use crate::api::models::messages::Message;
use crate::api::{ApiError, DmsClient};
use crate::domain::InstanceId;
use crate::web::error::{ErrorSummary, WebError};
use crate::web::export::{self, Format};
use crate::web::forms::FormView;
use crate::web::htmx::{HxRequest, render_page};
use crate::web::i18n::Msg;
use crate::web::layout::{InstanceNav, Layout, Section, Tab};
use crate::web::list::{ListParams, ListSpec, Pager};
use crate::web::masking::MessagePolicy;
use crate::web::paths::InstancePath;
use crate::web::session::CurrentUser;

use super::body::{self, BodyKind, Masked};
use super::query::{self, By, IdKind, MAX_RESULTS, PRESETS, Parsed, Search, Window, id_kind};
use super::{message_href, policy};

/// Searches page 20 at a time by default, up to 1,000 on one page.
pub const SPEC: ListSpec = ListSpec {
    default_limit: 20,
    max_limit: 1000,
    sortable: &[],
};

/// An export holds at most this many messages.
pub const EXPORT_MAX: u64 = 100_000;
/// A body preview in the results is at most this many characters.
const PREVIEW_CHARS: usize = 120;

/// One result row.
pub struct Row {
    /// The offset message id.
    pub msg_id: String,
    /// Its page.
    pub href: String,
    /// Store time.
    pub store_ms: i64,
    /// UNIQ_KEY.
    pub uniq_key: String,
    /// Keys, or their masked form.
    pub keys: Result<String, Masked>,
    /// Tag, or its masked form.
    pub tags: Result<String, Masked>,
    /// Queue id.
    pub queue_id: i64,
    /// Offset in the queue.
    pub queue_offset: i64,
    /// Stored size.
    pub size: i64,
    /// Redeliveries.
    pub reconsume_times: i64,
    /// The start of the body, or its masked form.
    pub preview: Result<Preview, Masked>,
}

/// The start of a body.
pub struct Preview {
    /// What it is.
    pub kind: BodyKind,
    /// Its first characters (text and JSON).
    pub text: String,
    /// Its length in bytes.
    pub bytes: usize,
}

impl Preview {
    /// Whether the body is not text.
    pub fn is_binary(&self) -> bool {
        self.kind == BodyKind::Binary
    }
}

impl Row {
    /// The row of `message` for a reader with `policy`.
    pub fn of(
        message: &Message,
        instance_id: &str,
        policy: &MessagePolicy,
        key: &crate::web::crypto::ServerKey,
    ) -> Self {
        let property = |name: &str| {
            super::shown(
                policy,
                key,
                name,
                message.property(name).unwrap_or_default(),
            )
        };
        Self {
            msg_id: message.msg_id.clone(),
            href: message_href(instance_id, &message.msg_id, &message.topic),
            store_ms: message.store_timestamp,
            uniq_key: message.property("UNIQ_KEY").unwrap_or_default().to_owned(),
            keys: property("KEYS"),
            tags: property("TAGS"),
            queue_id: message.queue_id,
            queue_offset: message.queue_offset,
            size: message.store_size,
            reconsume_times: message.reconsume_times,
            preview: if policy.masked {
                Err(body::masked(key, &message.body))
            } else {
                let kind = body::kind_of(&message.body);
                Ok(Preview {
                    kind,
                    text: match kind {
                        BodyKind::Binary => String::new(),
                        _ => crate::web::i18n::reveal_bidi(
                            &message.body.chars().take(PREVIEW_CHARS).collect::<String>(),
                        )
                        .into_owned(),
                    },
                    bytes: message.body.len(),
                })
            },
        }
    }
}

#[derive(Template)]
#[template(path = "messages/search.html", blocks = ["content"])]
struct SearchPage {
    layout: Layout,
    instance_id: String,
    form: FormView,
    zone: String,
    topics: Vec<String>,
    window: Option<Window>,
    searched: bool,
    result: Option<Result<Vec<Row>, ErrorSummary>>,
    total: u64,
    pager: Pager,
    retention_hours: Option<i64>,
    why_empty: Vec<Msg>,
    masked: bool,
}
crate::page!(SearchPage);

impl SearchPage {
    fn presets(&self) -> &'static [(&'static str, i64, &'static str)] {
        PRESETS
    }

    fn capped(&self) -> bool {
        self.total > MAX_RESULTS
    }

    fn max_results(&self) -> u64 {
        MAX_RESULTS
    }

    fn search_action(&self) -> String {
        format!("/instances/{}/messages", self.instance_id)
    }

    fn dlq(&self) -> bool {
        false
    }
}

/// `GET /instances/{instance_id}/messages` (`?format=csv|json` exports every match).
pub async fn search_messages(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
) -> Result<HttpResponse, WebError> {
    let instance_id = path.into_inner().instance_id;
    let mut params = ListParams::parse(request.query_string(), SPEC);
    let now = crate::clock::now_ms();
    let parsed = query::parse(&params, &user.ui.zone, now, "1h");
    let policy = policy(&user);
    if let Some(format) = Format::requested(request.query_string()) {
        return export_search(&user, &instance_id, &parsed, &policy, format);
    }
    let id = instance_id.as_str();
    let mut status = if parsed.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let budget = user.budget(&instance_id);
    let search = parsed.search.clone();
    let (nav, topics, retention, found) = tokio::join!(
        InstanceNav::load(&user, &instance_id, Tab::Messages),
        super::topics(&user, &instance_id),
        super::retention_hours(&user.dms, id),
        async {
            match &search {
                Some(search) => Some(
                    query::find(&user.dms, &budget, id, search, params.offset, params.limit).await,
                ),
                None => None,
            }
        }
    );
    let retention_hours = retention.ok().flatten();
    let (result, total, why_empty) = match (found, &search) {
        (Some(Ok(found)), Some(search)) => {
            let why = if found.total == 0 {
                explain_empty(&user, &instance_id, search, retention_hours, now).await
            } else {
                Vec::new()
            };
            let rows: Vec<Row> = found
                .messages
                .iter()
                .map(|m| Row::of(m, id, &policy, &user.state.key))
                .collect();
            (Some(Ok(rows)), found.total, why)
        }
        (Some(Err(error)), _) => {
            status = crate::web::error::upstream_status(&error);
            (
                Some(Err(ErrorSummary::upstream("op-search-messages", &error))),
                0,
                Vec::new(),
            )
        }
        _ => (None, 0, Vec::new()),
    };
    anchor(&mut params, &parsed);
    let shown = match &result {
        Some(Ok(rows)) => rows.len(),
        _ => 0,
    };
    let mut pager = Pager::new(
        format!("/instances/{id}/messages"),
        params,
        shown,
        Some(total.min(MAX_RESULTS)),
    );
    if !policy.may_export {
        pager = pager.without_exports();
    }
    let page = SearchPage {
        layout: Layout::for_user(&user, "messages-title", Section::Instances)
            .in_instance(nav)
            .crumb("messages-title", None),
        instance_id: id.to_owned(),
        form: FormView::of(user.ui.lang, &parsed.form, parsed.errors),
        zone: user.ui.zone.name().to_owned(),
        topics: topics
            .map(|t| {
                t.topics
                    .iter()
                    .take(super::SUGGESTED_TOPICS)
                    .map(|t| t.name.clone())
                    .collect()
            })
            .unwrap_or_default(),
        window: search.as_ref().and_then(|s| s.window),
        searched: search.is_some(),
        result,
        total,
        pager,
        retention_hours,
        why_empty,
        masked: policy.masked,
    };
    render_page(hx, status, &page)
}

/// Pins a preset window to the instant it was resolved at, so every further page (and the
/// export) covers the same window.
pub fn anchor(params: &mut ListParams, parsed: &Parsed) {
    let preset = parsed
        .search
        .as_ref()
        .is_some_and(|s| s.window.is_some() && params.filter("range") != "custom");
    if preset && params.filter("at").is_empty() {
        params
            .filters
            .push(("at".to_owned(), parsed.anchor.to_string()));
    }
}

/// Streams every match of the search (newest first), masked as the reader's pages are.
fn export_search(
    user: &CurrentUser,
    instance_id: &InstanceId,
    parsed: &Parsed,
    policy: &MessagePolicy,
    format: Format,
) -> Result<HttpResponse, WebError> {
    if !policy.may_export {
        return Err(WebError::Refused(Msg::new("export-off-for-role")));
    }
    let Some(search) = parsed.search.clone() else {
        return Err(WebError::Invalid(Msg::new("export-needs-search")));
    };
    let key = user.state.key.clone();
    let policy = policy.clone();
    let rows = query::stream(
        user.dms.clone(),
        user.budget(instance_id),
        instance_id.as_str().to_owned(),
        search,
        EXPORT_MAX,
    )
    .flat_map(move |page| {
        let rows: Vec<Result<Vec<export::Cell>, WebError>> = match page {
            Ok(messages) => messages
                .iter()
                .map(|m| Ok(super::export::cells(m, &policy, &key)))
                .collect(),
            Err(error) => vec![Err(WebError::upstream("op-search-messages", error))],
        };
        futures_util::stream::iter(rows)
    });
    Ok(export::export(
        format,
        "messages",
        super::export::COLUMNS,
        rows,
    ))
}

/// Why a search found nothing: what the id looks like, what the window and the retention
/// are, what the topic holds, whether the window's messages have keys at all.
pub async fn explain_empty(
    user: &CurrentUser,
    instance_id: &InstanceId,
    search: &Search,
    retention_hours: Option<i64>,
    now: i64,
) -> Vec<Msg> {
    let id = instance_id.as_str();
    let mut why = Vec::new();
    if let By::Id(msg_id) = &search.by {
        why.push(match id_kind(msg_id) {
            IdKind::Offset(host) => Msg::new("why-id-offset").arg("host", host),
            IdKind::UniqKey(ip) => Msg::new("why-id-uniq").arg("ip", ip),
            IdKind::Unknown => Msg::new("why-id-unknown"),
        });
        why.push(Msg::new("why-id-topic").arg("topic", search.topic.as_str()));
    }
    if let Some(hours) = retention_hours {
        let cutoff = now - hours * 3_600_000;
        match search.window {
            Some(window) if window.end_ms < cutoff => {
                why.push(Msg::new("why-window-past-retention").arg("hours", hours))
            }
            Some(window) if window.start_ms < cutoff => {
                why.push(Msg::new("why-window-partly-past-retention").arg("hours", hours))
            }
            None => why.push(Msg::new("why-retention").arg("hours", hours)),
            _ => {}
        }
    }
    let dms = &user.dms;
    let (status, keyed) = tokio::join!(topic_holdings(dms, id, &search.topic), async {
        match &search.by {
            By::Key(_) => Some(
                dms.list_messages(id, &search.by_time().query(0, 20))
                    .await
                    .map(|r| r.into_inner()),
            ),
            _ => None,
        }
    });
    match status {
        Ok((0, _)) => why.push(Msg::new("why-topic-empty").arg("topic", search.topic.as_str())),
        Ok((count, newest)) if newest > 0 => why.push(
            Msg::new("why-topic-holds")
                .arg("count", count)
                .arg("newest", user.ui.zone.at(newest).local),
        ),
        Ok((count, _)) => why.push(Msg::new("why-topic-holds-count").arg("count", count)),
        Err(_) => {}
    }
    if let (By::Key(key), Some(Ok(window))) = (&search.by, keyed) {
        if window.total == 0 {
            why.push(Msg::new("why-window-empty"));
        } else if window
            .messages
            .iter()
            .all(|m| m.property("KEYS").unwrap_or_default().trim().is_empty())
        {
            why.push(Msg::new("why-no-keys").arg("count", window.total));
        } else {
            why.push(
                Msg::new("why-other-keys")
                    .arg("count", window.total)
                    .arg("key", key.as_str()),
            );
        }
    }
    if let Some(queue) = search.queue {
        why.push(Msg::new("why-one-queue").arg("queue", queue));
    }
    why
}

/// How many messages `topic` holds and when the newest was stored (API reference §5.3.7).
async fn topic_holdings(dms: &DmsClient, id: &str, topic: &str) -> Result<(i64, i64), ApiError> {
    let status = dms.show_topic_status(id, topic).await?.into_inner();
    let queues = status.brokers.iter().flat_map(|b| b.queues.iter());
    let count = queues
        .clone()
        .map(|q| (q.max_offset - q.min_offset).max(0))
        .sum();
    let newest = queues.map(|q| q.last_message_time).max().unwrap_or(0);
    Ok((count, newest))
}
