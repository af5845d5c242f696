//! The dead-letter tab: a group's `%DLQ%` messages by time, key or id, newest first, with
//! where each came from, how often it was retried and when retention deletes it; a selection
//! form for resending and exporting; and a panel that counts every match by original topic
//! and tag (it loads itself: counting reads every match).
//!
//! `?format=csv|json` exports every match through the DLQ export (API reference §5.4.3).

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;

use crate::api::models::messages::Message;
use crate::domain::InstanceId;
use crate::web::error::{ErrorSummary, WebError};
use crate::web::export::Format;
use crate::web::forms::FormView;
use crate::web::htmx::{HxRequest, render_page};
use crate::web::i18n::Msg;
use crate::web::layout::{InstanceNav, Layout, Section, Tab};
use crate::web::ledger::new_op_id;
use crate::web::list::{ListParams, Pager};
use crate::web::masking::MessagePolicy;
use crate::web::paths::InstancePath;
use crate::web::prefs::Ui;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

use super::super::messages::body::Masked;
use super::super::messages::query::{self, MAX_RESULTS, PRESETS, Parsed, Search, Window};
use super::super::messages::search::{EXPORT_MAX, SPEC, anchor, explain_empty};
use super::super::messages::{self as messages, message_href, policy, query_string};
use super::{dlq_topic, export_chunk, group_param};

/// The search parameters a selection form carries, so "all matches" means the page's search.
pub const SEARCH_FIELDS: &[&str] = &["range", "from", "to", "tz", "at", "key", "msg_id", "queue"];

/// One dead letter.
pub struct DlqRow {
    /// Its offset id in the dead-letter topic.
    pub msg_id: String,
    /// Its page.
    pub href: String,
    /// When it became a dead letter.
    pub store_ms: i64,
    /// The topic it was first sent to.
    pub origin_topic: String,
    /// Its first offset id.
    pub origin_msg_id: String,
    /// The original message's page.
    pub origin_href: Option<String>,
    /// UNIQ_KEY.
    pub uniq_key: String,
    /// Keys, or their masked form.
    pub keys: Result<String, Masked>,
    /// Tag, or its masked form.
    pub tags: Result<String, Masked>,
    /// Deliveries before it was given up.
    pub reconsume_times: i64,
    /// When retention deletes it.
    pub expires_ms: Option<i64>,
    /// Stored size.
    pub size: i64,
}

impl DlqRow {
    fn of(
        message: &Message,
        instance_id: &str,
        retention_hours: Option<i64>,
        policy: &MessagePolicy,
        key: &crate::web::crypto::ServerKey,
    ) -> Self {
        let (origin_topic, origin_msg_id, origin_href) = messages::origin(instance_id, message);
        let property = |name: &str| {
            messages::shown(
                policy,
                key,
                name,
                message.property(name).unwrap_or_default(),
            )
        };
        Self {
            href: message_href(instance_id, &message.msg_id, &message.topic),
            msg_id: message.msg_id.clone(),
            store_ms: message.store_timestamp,
            origin_href,
            origin_topic,
            origin_msg_id,
            uniq_key: message.property("UNIQ_KEY").unwrap_or_default().to_owned(),
            keys: property("KEYS"),
            tags: property("TAGS"),
            reconsume_times: message.reconsume_times,
            expires_ms: retention_hours.map(|h| message.store_timestamp + h * 3_600_000),
            size: message.store_size,
        }
    }
}

#[derive(Template)]
#[template(path = "dlq/list.html", blocks = ["content"])]
struct DlqPage {
    layout: Layout,
    topics: Vec<String>,
    instance_id: String,
    group: String,
    groups: Result<Vec<String>, ErrorSummary>,
    form: FormView,
    zone: String,
    window: Option<Window>,
    result: Option<Result<Vec<DlqRow>, ErrorSummary>>,
    total: u64,
    pager: Pager,
    retention_hours: Option<i64>,
    why_empty: Vec<Msg>,
    op: String,
    carried: Vec<(String, String)>,
    can_resend: bool,
    may_export: bool,
    counts_href: String,
    counts_html: Option<String>,
    confirm_above: u32,
    masked: bool,
}
crate::page!(DlqPage);

impl DlqPage {
    fn presets(&self) -> &'static [(&'static str, i64, &'static str)] {
        PRESETS
    }

    fn capped(&self) -> bool {
        self.total > MAX_RESULTS
    }

    fn max_results(&self) -> u64 {
        MAX_RESULTS
    }

    fn selection_max(&self) -> usize {
        super::SELECTION_MAX
    }

    fn too_many_for_all(&self) -> bool {
        self.total > super::SELECTION_MAX as u64
    }

    fn search_action(&self) -> String {
        format!("/instances/{}/dlq", self.instance_id)
    }

    fn dlq(&self) -> bool {
        true
    }

    fn counts_now_href(&self) -> String {
        let query = self
            .counts_href
            .split_once('?')
            .map(|(_, q)| q)
            .unwrap_or("");
        format!("/instances/{}/dlq?{query}&counts=now", self.instance_id)
    }
}

/// The parsed search of a dead-letter page: the group's DLQ topic and the URL's window, key
/// or id.
fn parse(params: &mut ListParams, user: &CurrentUser, group: Option<&str>) -> Parsed {
    let now = crate::clock::now_ms();
    match group {
        Some(group) => {
            // The group names the topic; one in the URL is not carried on.
            params.filters.retain(|(name, _)| name != "topic");
            query::parse_in(&dlq_topic(group), params, &user.ui.zone, now, "3d")
        }
        None => query::parse(params, &user.ui.zone, now, "3d"),
    }
}

/// `GET /instances/{instance_id}/dlq?group=` (`?format=csv|json` exports every match).
pub async fn list_dead_letters(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
) -> Result<HttpResponse, WebError> {
    let instance_id = path.into_inner().instance_id;
    let id = instance_id.as_str();
    let mut params = ListParams::parse(request.query_string(), SPEC);
    let counts_now = params.filter("counts") == "now";
    params.filters.retain(|(name, _)| name != "counts");
    let group = group_param(params.filter("group"))?;
    let parsed = parse(&mut params, &user, group.as_ref().map(|g| g.as_str()));
    let policy = policy(&user);
    if let Some(format) = Format::requested(request.query_string()) {
        if let (Some(group), Some(search)) = (&group, &parsed.search)
            && policy.may_export
        {
            let field = |name: &str| parsed.form.get(name).cloned().unwrap_or_default();
            let search_params = serde_json::json!({
                "range": field("range"),
                "start_ms": search.window.map(|w| w.start_ms),
                "end_ms": search.window.map(|w| w.end_ms),
                "key": field("key"),
                "msg_id": field("msg_id"),
                "queue": field("queue"),
            });
            super::audit_export(
                &request,
                &user,
                id,
                group.as_str(),
                serde_json::json!({
                    "topic": search.topic,
                    "format": match format {
                        Format::Csv => "csv",
                        Format::Json => "json",
                    },
                    "all_matches": search_params,
                    "masked": policy.masked,
                }),
            )
            .await?;
        }
        return export_all(&user, &instance_id, &parsed, &policy, format);
    }
    let search = if group.is_some() {
        parsed.search.clone()
    } else {
        None
    };
    let budget = user.budget(&instance_id);
    let now = crate::clock::now_ms();
    let (nav, groups, retention, found) = tokio::join!(
        InstanceNav::load(&user, &instance_id, Tab::DeadLetters),
        messages::groups(&user, &instance_id),
        messages::retention_hours(&user.dms, id),
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
    let mut status = if parsed.errors.is_empty() || group.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (result, total, why_empty) = match (found, &search) {
        (Some(Ok(found)), Some(search)) => {
            let why = if found.total == 0 {
                explain_empty(&user, &instance_id, search, retention_hours, now).await
            } else {
                Vec::new()
            };
            let rows: Vec<DlqRow> = found
                .messages
                .iter()
                .map(|m| DlqRow::of(m, id, retention_hours, &policy, &user.state.key))
                .collect();
            (Some(Ok(rows)), found.total, why)
        }
        (Some(Err(error)), _) => {
            status = crate::web::error::upstream_status(&error);
            (
                Some(Err(ErrorSummary::upstream("op-list-dead-letters", &error))),
                0,
                Vec::new(),
            )
        }
        _ => (None, 0, Vec::new()),
    };
    anchor(&mut params, &parsed);
    let carried: Vec<(String, String)> = SEARCH_FIELDS
        .iter()
        .map(|name| ((*name).to_owned(), params.filter(name).to_owned()))
        .filter(|(_, value)| !value.is_empty())
        .collect();
    let counts_query = {
        let mut pairs: Vec<(&str, &str)> =
            vec![("group", group.as_ref().map(|g| g.as_str()).unwrap_or(""))];
        pairs.extend(carried.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        query_string(pairs)
    };
    let counts_html = match (&search, counts_now) {
        (Some(search), true) => Some(counts_panel(&user, &instance_id, search).await?),
        _ => None,
    };
    let shown = match &result {
        Some(Ok(rows)) => rows.len(),
        _ => 0,
    };
    let mut pager = Pager::new(
        format!("/instances/{id}/dlq"),
        params,
        shown,
        Some(total.min(MAX_RESULTS)),
    );
    if !policy.may_export {
        pager = pager.without_exports();
    }
    let group_text = group.as_ref().map(|g| g.to_string()).unwrap_or_default();
    let mut form_values = parsed.form.clone();
    form_values.insert("group".into(), group_text.clone());
    let mut layout = Layout::for_user(&user, "dlq-title", Section::Instances).in_instance(nav);
    layout = match &group {
        Some(group) => layout
            .crumb("dlq-title", Some(format!("/instances/{id}/dlq")))
            .crumb_value(group.to_string(), None),
        None => layout.crumb("dlq-title", None),
    };
    let page = DlqPage {
        layout,
        topics: Vec::new(),
        instance_id: id.to_owned(),
        groups: groups
            .map(|g| g.value.iter().map(|g| g.name.clone()).collect())
            .map_err(|e| ErrorSummary::upstream("op-list-groups", &e)),
        form: FormView::of(user.ui.lang, &form_values, parsed.errors),
        zone: user.ui.zone.name().to_owned(),
        window: search.as_ref().and_then(|s| s.window),
        result,
        total,
        pager,
        retention_hours,
        why_empty,
        op: new_op_id(),
        carried,
        can_resend: user.can(Permission::ResendMessages),
        may_export: policy.may_export,
        counts_href: format!("/instances/{id}/dlq/panels/counts?{counts_query}"),
        counts_html,
        confirm_above: policy.confirm_above,
        masked: policy.masked,
        group: group_text,
    };
    render_page(hx, status, &page)
}

/// Streams every match, newest first, each page of ids read back through the DLQ export.
fn export_all(
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
        return Err(WebError::Invalid(Msg::new("export-needs-group")));
    };
    let topic = search.topic.clone();
    let (dms, budget, id) = (
        user.dms.clone(),
        user.budget(instance_id),
        instance_id.as_str().to_owned(),
    );
    let pages = query::stream(dms.clone(), budget.clone(), id.clone(), search, EXPORT_MAX)
        .map(move |page| {
            let (dms, budget, id, topic) = (dms.clone(), budget.clone(), id.clone(), topic.clone());
            async move {
                let listed = page?;
                let ids: Vec<String> = listed.into_iter().map(|m| m.msg_id).collect();
                export_chunk(&dms, &budget, &id, &topic, &ids).await
            }
        })
        .buffered(2);
    Ok(super::export::stream_export(
        format,
        pages,
        policy.clone(),
        user.state.key.clone(),
    ))
}

/// Dead letters counted by original topic and tag.
pub struct Counts {
    /// (original topic, tag, count), largest first.
    pub rows: Vec<(String, String, u64)>,
    /// Matches counted.
    pub counted: u64,
    /// Matches in all.
    pub total: u64,
}

#[derive(Template)]
#[template(path = "dlq/_counts.html")]
struct CountsPanel {
    ui: Ui,
    counts: Option<Result<Counts, ErrorSummary>>,
}
crate::fragment!(CountsPanel, ui);

/// Counts every match of `search` (up to the console's cap) by original topic and tag.
async fn counts_panel(
    user: &CurrentUser,
    instance_id: &InstanceId,
    search: &Search,
) -> Result<String, WebError> {
    let policy = policy(user);
    let found = query::find(
        &user.dms,
        &user.budget(instance_id),
        instance_id.as_str(),
        search,
        0,
        MAX_RESULTS as u32,
    )
    .await;
    let counts = found
        .map(|found| {
            let mut by: BTreeMap<(String, String), u64> = BTreeMap::new();
            for message in &found.messages {
                let origin = message
                    .property("RETRY_TOPIC")
                    .unwrap_or_default()
                    .to_owned();
                let tag = match messages::shown(
                    &policy,
                    &user.state.key,
                    "TAGS",
                    message.property("TAGS").unwrap_or_default(),
                ) {
                    Ok(tag) => tag,
                    Err(masked) => masked.summary(),
                };
                *by.entry((origin, tag)).or_default() += 1;
            }
            let mut rows: Vec<(String, String, u64)> =
                by.into_iter().map(|((o, t), n)| (o, t, n)).collect();
            rows.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
            Counts {
                counted: found.messages.len() as u64,
                total: found.total,
                rows,
            }
        })
        .map_err(|e| ErrorSummary::upstream("op-count-dead-letters", &e));
    Ok(CountsPanel {
        ui: user.ui.clone(),
        counts: Some(counts),
    }
    .render()?)
}

/// `GET /instances/{instance_id}/dlq/panels/counts?group=…`: the counts panel alone.
pub async fn show_counts(
    request: HttpRequest,
    user: CurrentUser,
    path: web::Path<InstancePath>,
) -> Result<HttpResponse, WebError> {
    let instance_id = path.into_inner().instance_id;
    let mut params = ListParams::parse(request.query_string(), SPEC);
    let group = group_param(params.filter("group"))?;
    let parsed = parse(&mut params, &user, group.as_ref().map(|g| g.as_str()));
    let html = match (&group, &parsed.search) {
        (Some(_), Some(search)) => counts_panel(&user, &instance_id, search).await?,
        _ => CountsPanel {
            ui: user.ui.clone(),
            counts: None,
        }
        .render()?,
    };
    Ok(crate::web::htmx::html(StatusCode::OK, html))
}
