//! Instance pages: the list (filters, paging, status badges, counts) and the dashboard
//! (overview, brokers, nodes and what needs attention), plus the audited instance changes
//! (edit, restart, delete).
//!
//! The dashboard's panels are fetched from DMS in parallel and each one fails on its own: a
//! failed panel shows what failed, the DMS error code and the request id, never an empty list.
//! The attention panel, which needs several calls in a row, loads itself after the page.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;
use serde::Deserialize;

use crate::api::models::common::Paging;
use crate::api::models::groups::ListConsumerGroupsQuery;
use crate::api::models::instances::{Instance, ListInstancesQuery, UpdateInstanceReq};
use crate::api::{ApiError, DmsClient, ErrorKind};
use crate::domain::{InstanceId, InstanceName, NameRule};

use super::audit_log::{Audited, audited};
use super::error::{ErrorSummary, WebError};
use super::format;
use super::htmx::{HxRequest, html, redirect};
use super::layout::{Layout, Switcher};
use super::rbac::Permission;
use super::session::CurrentUser;

/// Statuses offered by the list filter.
const STATUSES: &[&str] = &[
    "RUNNING",
    "CREATING",
    "RESTARTING",
    "EXTENDING",
    "ERROR",
    "EXTENDEDFAILED",
    "FROZEN",
    "STARTING",
    "FREEZING",
    "UPGRADING",
    "ROLLINGBACK",
];

/// `GET /`.
pub async fn home(_user: CurrentUser, hx: HxRequest) -> HttpResponse {
    redirect(hx, "/instances")
}

fn summary(what: &str, error: &ApiError) -> ErrorSummary {
    WebError::upstream(what, clone_error(error)).summary()
}

fn clone_error(error: &ApiError) -> ApiError {
    let mut copy = ApiError::local(error.operation, error.kind, error.message.clone());
    copy.status = error.status;
    copy.code = error.code.clone();
    copy.request_id = error.request_id.clone();
    copy.retry_after = error.retry_after;
    copy.outcome_unknown = error.outcome_unknown;
    copy
}

fn parse_id(raw: &str) -> Result<InstanceId, WebError> {
    InstanceId::try_from(raw.to_owned())
        .map_err(|e| WebError::NotFound(format!("There is no such instance: {e}.")))
}

/// One row of the list.
pub struct InstanceRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Status.
    pub status: String,
    /// What the status means.
    pub meaning: &'static str,
    /// Badge tone.
    pub tone: &'static str,
    /// Engine version.
    pub version: String,
    /// Human spec.
    pub specification: String,
    /// Used / total storage text.
    pub storage: String,
    /// Created, UTC text and ISO.
    pub created: Option<(String, String)>,
}

impl InstanceRow {
    fn of(instance: &Instance) -> Self {
        let (meaning, tone) = format::status(&instance.status);
        Self {
            id: instance.instance_id.clone(),
            name: instance.name.clone(),
            status: instance.status.clone(),
            meaning,
            tone,
            version: instance.engine_version.clone(),
            specification: instance.specification.clone(),
            storage: format!(
                "{} / {} GB",
                instance.used_storage_space,
                instance.total_storage_space.max(instance.storage_space)
            ),
            created: created_ms(instance).map(format::utc),
        }
    }
}

fn created_ms(instance: &Instance) -> Option<i64> {
    instance
        .created_at
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|ms| *ms > 0)
}

/// List filters and paging, kept in the query string.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListParams {
    name: String,
    status: String,
    /// Kept as text: a malformed number falls back to the default rather than failing the
    /// page.
    limit: Option<String>,
    offset: Option<String>,
}

fn number(text: &Option<String>) -> Option<u32> {
    text.as_deref().and_then(|t| t.trim().parse::<u32>().ok())
}

#[derive(Template)]
#[template(path = "instances/list.html", blocks = ["content"])]
struct InstancesPage {
    layout: Layout,
    name: String,
    status: String,
    statuses: &'static [&'static str],
    rows: Result<Vec<InstanceRow>, ErrorSummary>,
    total: i64,
    first: u32,
    last: u32,
    previous_href: Option<String>,
    next_href: Option<String>,
    limit: u32,
    busy: bool,
    refresh_href: String,
}

fn list_href(params: &ListParams, offset: u32, limit: u32) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if !params.name.is_empty() {
        query.append_pair("name", &params.name);
    }
    if !params.status.is_empty() {
        query.append_pair("status", &params.status);
    }
    query.append_pair("limit", &limit.to_string());
    query.append_pair("offset", &offset.to_string());
    format!("/instances?{}", query.finish())
}

/// Renders `page` whole, or its `content` block for htmx.
fn render<T: Template>(
    hx: HxRequest,
    status: StatusCode,
    full: &T,
    fragment: impl FnOnce() -> Result<String, askama::Error>,
) -> Result<HttpResponse, WebError> {
    let body = if hx.wants_fragment() {
        fragment()
    } else {
        full.render()
    };
    Ok(html(
        status,
        body.map_err(|e| WebError::Unexpected(format!("template: {e}")))?,
    ))
}

/// `GET /instances`.
pub async fn list_instances(
    user: CurrentUser,
    hx: HxRequest,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, WebError> {
    let params = params.into_inner();
    // The API pages at most 50 instances at a time.
    let limit = number(&params.limit).unwrap_or(20).clamp(1, 50);
    // DMS cannot hold more instances than this; it also keeps the arithmetic far from overflow.
    let offset = number(&params.offset).unwrap_or(0).min(1_000_000);
    let status_filter = STATUSES
        .iter()
        .find(|s| **s == params.status)
        .map(|s| (*s).to_owned());
    let query = ListInstancesQuery {
        name: Some(params.name.trim().to_owned()).filter(|n| !n.is_empty()),
        status: status_filter,
        limit: Some(limit),
        offset: Some(offset),
        ..Default::default()
    };
    let result = user.dms.list_instances(&query).await;
    let (rows, total, http_status) = match &result {
        Ok(reply) => (
            Ok(reply
                .instances
                .iter()
                .map(InstanceRow::of)
                .collect::<Vec<_>>()),
            reply.instance_num,
            StatusCode::OK,
        ),
        Err(error) => (
            Err(summary("Listing instances", error)),
            0,
            StatusCode::BAD_GATEWAY,
        ),
    };
    let shown = rows.as_ref().map(Vec::len).unwrap_or(0) as u32;
    let busy = rows
        .as_ref()
        .is_ok_and(|r| r.iter().any(|row| format::is_transitional(&row.status)));
    let params_for_refresh = ListParams {
        name: params.name.clone(),
        status: params.status.clone(),
        limit: None,
        offset: None,
    };
    let page = InstancesPage {
        layout: Layout::for_user(&user, "Instances", "instances").crumb("Instances", None),
        previous_href: (offset > 0).then(|| {
            // Past the end, "previous" is the last page that has rows.
            let previous = if shown == 0 && total > 0 && i64::from(offset) >= total {
                ((total - 1) as u32 / limit) * limit
            } else {
                offset.saturating_sub(limit)
            };
            list_href(&params, previous, limit)
        }),
        next_href: (i64::from(offset + shown) < total)
            .then(|| list_href(&params, offset + limit, limit)),
        name: params.name,
        status: params.status,
        statuses: STATUSES,
        rows,
        total,
        first: if shown == 0 { 0 } else { offset + 1 },
        last: offset + shown,
        limit,
        busy,
        refresh_href: list_href(&params_for_refresh, offset, limit),
    };
    render(hx, http_status, &page, || page.as_content().render())
}

/// A panel's content or why it failed.
type Panel<T> = Result<T, ErrorSummary>;

/// What the dashboard's overview shows.
pub struct Overview {
    /// The instance.
    pub instance: Instance,
    /// Status meaning and tone.
    pub meaning: &'static str,
    /// Badge tone.
    pub tone: &'static str,
    /// Used storage as a percentage of the total.
    pub storage_percent: i64,
    /// Total storage in GB.
    pub storage_total: i64,
    /// Created time.
    pub created: Option<(String, String)>,
    /// Address lines: label and value.
    pub addresses: Vec<(&'static str, String)>,
    /// Whether the status will change on its own.
    pub transitional: bool,
}

impl Overview {
    fn of(instance: Instance) -> Self {
        let (meaning, tone) = format::status(&instance.status);
        let total = instance.total_storage_space.max(instance.storage_space);
        let percent = if total > 0 {
            (instance.used_storage_space * 100 / total).clamp(0, 100)
        } else {
            0
        };
        let mut addresses = Vec::new();
        for (label, value) in [
            ("Name server", &instance.namesrv_address),
            ("Name server domain", &instance.namesrv_domain_name),
            ("Brokers", &instance.broker_address),
            ("gRPC", &instance.grpc_address),
            ("gRPC domain", &instance.grpc_domain_name),
            ("Public name server", &instance.public_namesrv_address),
            (
                "Public name server domain",
                &instance.public_namesrv_domain_name,
            ),
            ("Public brokers", &instance.public_broker_address),
            ("Public gRPC", &instance.public_grpc_address),
            ("Public gRPC domain", &instance.public_grpc_domain_name),
        ] {
            if !value.trim().is_empty() {
                addresses.push((label, value.clone()));
            }
        }
        Self {
            created: created_ms(&instance).map(format::utc),
            transitional: format::is_transitional(&instance.status),
            meaning,
            tone,
            storage_percent: percent,
            storage_total: total,
            addresses,
            instance,
        }
    }
}

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

async fn attention(dms: &DmsClient, instance_id: &str) -> Result<Attention, ApiError> {
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
            Err(error) => failures.push(summary("Reading a group's lag", &error)),
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

#[derive(Template)]
#[template(path = "instances/_overview.html")]
struct OverviewPanel<'a> {
    instance_id: &'a str,
    panel: &'a Panel<Overview>,
    can_modify: bool,
    can_delete: bool,
    csrf: &'a str,
}

#[derive(Template)]
#[template(path = "instances/_brokers.html")]
struct BrokersPanel<'a> {
    instance_id: &'a str,
    panel: &'a Panel<Vec<(String, String)>>,
}

#[derive(Template)]
#[template(path = "instances/_attention.html")]
struct AttentionPanel<'a> {
    instance_id: &'a str,
    panel: &'a Panel<Attention>,
}

/// The attention panel before it is loaded: it asks for itself once the page is shown.
#[derive(Template)]
#[template(path = "instances/_attention_pending.html")]
struct AttentionPending<'a> {
    instance_id: &'a str,
}

#[derive(Template)]
#[template(path = "instances/show.html", blocks = ["content"])]
struct InstancePage {
    layout: Layout,
    title: String,
    overview_html: String,
    brokers_html: String,
    attention_html: String,
}

struct Panels {
    others: Result<Vec<(String, String, String)>, String>,
    overview: Panel<Overview>,
    brokers: Panel<Vec<(String, String)>>,
    missing: bool,
}

async fn brokers(dms: &DmsClient, instance_id: &str) -> Result<Vec<(String, String)>, ApiError> {
    let (all, first_fifty) = (Paging::default(), Paging::new(50, 0));
    let (brokers, nodes) = tokio::join!(
        dms.list_brokers(instance_id, &all),
        dms.list_nodes(instance_id, &first_fifty)
    );
    let brokers = brokers?.into_inner();
    let nodes = nodes?.into_inner();
    Ok(brokers
        .brokers
        .iter()
        .map(|broker| {
            let addresses: Vec<String> = nodes
                .nodes
                .iter()
                .filter(|n| n.broker_name == broker.broker_name)
                .map(|n| {
                    if n.address.is_empty() {
                        n.id.clone()
                    } else {
                        n.address.clone()
                    }
                })
                .collect();
            (
                broker.broker_name.clone(),
                if addresses.is_empty() {
                    "no nodes reported".to_owned()
                } else {
                    addresses.join(", ")
                },
            )
        })
        .collect())
}

/// The panels the dashboard is rendered with: one round trip to DMS (calls in parallel). The
/// attention panel needs at least three in a row once an instance has consumer groups, so the
/// page does not wait for it: it loads itself (`/panels/attention`) when shown.
async fn load_panels(dms: &DmsClient, instance_id: &str) -> Panels {
    let switcher_query = ListInstancesQuery {
        limit: Some(50),
        ..Default::default()
    };
    let (overview, brokers, others) = tokio::join!(
        dms.show_instance(instance_id),
        brokers(dms, instance_id),
        dms.list_instances(&switcher_query)
    );
    let missing = matches!(&overview, Err(e) if e.kind == ErrorKind::NotFound);
    Panels {
        overview: overview
            .map(|r| Overview::of(r.into_inner()))
            .map_err(|e| summary("Reading the instance", &e)),
        brokers: brokers.map_err(|e| summary("Listing brokers and nodes", &e)),
        others: others
            .map(|r| {
                r.into_inner()
                    .instances
                    .into_iter()
                    .map(|i| (i.instance_id, i.name, i.status))
                    .collect()
            })
            .map_err(|e| summary("Listing instances", &e).message),
        missing,
    }
}

/// Options of the dashboard's URL.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DashboardParams {
    /// `now` renders the attention panel in the page instead of letting it load itself.
    attention: Option<String>,
}

/// `GET /instances/{instance_id}`: the dashboard.
pub async fn show_instance(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<String>,
    query: web::Query<DashboardParams>,
) -> Result<HttpResponse, WebError> {
    let instance_id = parse_id(&path)?;
    let id = instance_id.as_ref();
    let panels = load_panels(&user.dms, id).await;
    if panels.missing {
        return Err(WebError::NotFound(format!(
            "There is no instance with id {id} in this project."
        )));
    }
    let title = panels
        .overview
        .as_ref()
        .map(|o| o.instance.name.clone())
        .unwrap_or_else(|_| id.to_owned());
    let csrf = user.record.csrf.clone();
    let overview_html = OverviewPanel {
        instance_id: id,
        panel: &panels.overview,
        can_modify: user.can(Permission::ModifyInstances),
        can_delete: user.can(Permission::DeleteInstances),
        csrf: &csrf,
    }
    .render()
    .map_err(|e| WebError::Unexpected(e.to_string()))?;
    let brokers_html = BrokersPanel {
        instance_id: id,
        panel: &panels.brokers,
    }
    .render()
    .map_err(|e| WebError::Unexpected(e.to_string()))?;
    // Without JavaScript the pending panel offers `?attention=now`, which renders it here.
    let attention_html = if query.attention.as_deref() == Some("now") {
        let panel = attention(&user.dms, id)
            .await
            .map_err(|e| summary("Checking consumer groups", &e));
        AttentionPanel {
            instance_id: id,
            panel: &panel,
        }
        .render()
    } else {
        AttentionPending { instance_id: id }.render()
    }
    .map_err(|e| WebError::Unexpected(e.to_string()))?;
    let mut layout = Layout::for_user(&user, title.clone(), "instances")
        .crumb("Instances", Some("/instances".into()))
        .crumb(title.clone(), None);
    layout.switcher = Some(Switcher {
        current: title.clone(),
        current_id: id.to_owned(),
        items: panels.others.clone().unwrap_or_default(),
        problem: panels.others.clone().err(),
    });
    let page = InstancePage {
        layout,
        title,
        overview_html,
        brokers_html,
        attention_html,
    };
    render(hx, StatusCode::OK, &page, || page.as_content().render())
}

/// `GET /instances/{instance_id}/panels/{panel}`: one panel again (retry, auto-refresh).
pub async fn show_panel(
    user: CurrentUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, WebError> {
    let (raw_id, panel) = path.into_inner();
    let instance_id = parse_id(&raw_id)?;
    let id = instance_id.as_ref();
    let body = match panel.as_str() {
        "overview" => {
            let result = user.dms.show_instance(id).await;
            if matches!(&result, Err(e) if e.kind == ErrorKind::NotFound) {
                return Err(WebError::NotFound(format!(
                    "There is no instance with id {id} in this project."
                )));
            }
            let panel = result
                .map(|r| Overview::of(r.into_inner()))
                .map_err(|e| summary("Reading the instance", &e));
            let csrf = user.record.csrf.clone();
            OverviewPanel {
                instance_id: id,
                panel: &panel,
                can_modify: user.can(Permission::ModifyInstances),
                can_delete: user.can(Permission::DeleteInstances),
                csrf: &csrf,
            }
            .render()
        }
        "brokers" => {
            let panel = brokers(&user.dms, id)
                .await
                .map_err(|e| summary("Listing brokers and nodes", &e));
            BrokersPanel {
                instance_id: id,
                panel: &panel,
            }
            .render()
        }
        "attention" => {
            let panel = attention(&user.dms, id)
                .await
                .map_err(|e| summary("Checking consumer groups", &e));
            AttentionPanel {
                instance_id: id,
                panel: &panel,
            }
            .render()
        }
        other => {
            return Err(WebError::NotFound(format!(
                "The dashboard has no panel `{other}`."
            )));
        }
    };
    Ok(html(
        StatusCode::OK,
        body.map_err(|e| WebError::Unexpected(e.to_string()))?,
    ))
}

/// The edit form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EditForm {
    name: String,
    description: String,
}

#[derive(Template)]
#[template(path = "instances/edit.html", blocks = ["content"])]
struct EditPage {
    layout: Layout,
    instance_id: String,
    name: String,
    description: String,
    name_error: String,
    description_error: String,
    problem: Option<ErrorSummary>,
}

async fn instance_or_404(user: &CurrentUser, id: &str) -> Result<Instance, WebError> {
    match user.dms.show_instance(id).await {
        Ok(reply) => Ok(reply.into_inner()),
        Err(e) if e.kind == ErrorKind::NotFound => Err(WebError::NotFound(format!(
            "There is no instance with id {id} in this project."
        ))),
        Err(e) => Err(WebError::upstream("Reading the instance", e)),
    }
}

fn edit_layout(user: &CurrentUser, id: &str, name: &str, what: &str) -> Layout {
    Layout::for_user(user, format!("{what} {name}"), "instances")
        .crumb("Instances", Some("/instances".into()))
        .crumb(name.to_owned(), Some(format!("/instances/{id}")))
        .crumb(what.to_owned(), None)
}

/// `GET /instances/{instance_id}/edit`.
pub async fn edit_instance_form(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ModifyInstances)?;
    let instance_id = parse_id(&path)?;
    let instance = instance_or_404(&user, instance_id.as_ref()).await?;
    let page = EditPage {
        layout: edit_layout(&user, instance_id.as_ref(), &instance.name, "Edit"),
        instance_id: instance_id.to_string(),
        name: instance.name,
        description: instance.description,
        name_error: String::new(),
        description_error: String::new(),
        problem: None,
    };
    render(hx, StatusCode::OK, &page, || page.as_content().render())
}

/// `POST /instances/{instance_id}/edit`.
pub async fn update_instance(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<String>,
    form: web::Form<EditForm>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ModifyInstances)?;
    let instance_id = parse_id(&path)?;
    let form = form.into_inner();
    let mut page = EditPage {
        layout: edit_layout(&user, instance_id.as_ref(), &form.name, "Edit"),
        instance_id: instance_id.to_string(),
        name: form.name.trim().to_owned(),
        description: form.description.clone(),
        name_error: String::new(),
        description_error: String::new(),
        problem: None,
    };
    let name = InstanceName::try_from(page.name.clone());
    if let Err(error) = &name {
        page.name_error = format!(
            "The name must be {}.",
            NameRule::INSTANCE_RENAME.description
        );
        let _ = error;
    }
    if form.description.chars().count() > 1024 {
        page.description_error = "The description can have at most 1024 characters.".into();
    }
    if !page.name_error.is_empty() || !page.description_error.is_empty() {
        return render(hx, StatusCode::UNPROCESSABLE_ENTITY, &page, || {
            page.as_content().render()
        });
    }
    let body = UpdateInstanceReq {
        name: name.ok().map(String::from),
        description: Some(form.description.clone()),
        ..Default::default()
    };
    let params = serde_json::json!({"name": body.name, "description": body.description});
    let action = Audited::new(
        &request,
        &user,
        Permission::ModifyInstances,
        "UpdateInstance",
        format!("instance/{instance_id}"),
        params,
    );
    match audited(
        action,
        user.dms.update_instance(instance_id.as_ref(), &body),
    )
    .await?
    {
        Ok(_) => Ok(redirect(hx, &format!("/instances/{instance_id}"))),
        Err(error) => {
            if error.kind == ErrorKind::Validation && error.code.as_deref() == Some("DMS.00400010")
            {
                page.name_error = error.message.clone();
            }
            page.problem = Some(summary("Saving the instance", &error));
            let status = if matches!(error.kind, ErrorKind::Validation | ErrorKind::Conflict) {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::BAD_GATEWAY
            };
            render(hx, status, &page, || page.as_content().render())
        }
    }
}

/// `POST /instances/{instance_id}/restart`.
pub async fn restart_instance(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ModifyInstances)?;
    let instance_id = parse_id(&path)?;
    let action = Audited::new(
        &request,
        &user,
        Permission::ModifyInstances,
        "RestartInstance",
        format!("instance/{instance_id}"),
        serde_json::json!({}),
    );
    match audited(action, user.dms.restart_instance(instance_id.as_ref())).await? {
        Ok(_) => Ok(redirect(hx, &format!("/instances/{instance_id}"))),
        Err(error) => Err(WebError::upstream("Restarting the instance", error)),
    }
}

#[derive(Template)]
#[template(path = "instances/delete.html", blocks = ["content"])]
struct DeletePage {
    layout: Layout,
    instance_id: String,
    name: String,
    confirm: String,
    confirm_error: String,
    problem: Option<ErrorSummary>,
}

/// The delete confirmation's field.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    confirm: String,
}

/// `GET /instances/{instance_id}/delete`.
pub async fn delete_instance_form(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::DeleteInstances)?;
    let instance_id = parse_id(&path)?;
    let instance = instance_or_404(&user, instance_id.as_ref()).await?;
    let page = DeletePage {
        layout: edit_layout(&user, instance_id.as_ref(), &instance.name, "Delete"),
        instance_id: instance_id.to_string(),
        name: instance.name,
        confirm: String::new(),
        confirm_error: String::new(),
        problem: None,
    };
    render(hx, StatusCode::OK, &page, || page.as_content().render())
}

/// `POST /instances/{instance_id}/delete`: needs the instance's name typed as confirmation.
pub async fn delete_instance(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<String>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::DeleteInstances)?;
    let instance_id = parse_id(&path)?;
    let instance = instance_or_404(&user, instance_id.as_ref()).await?;
    let mut page = DeletePage {
        layout: edit_layout(&user, instance_id.as_ref(), &instance.name, "Delete"),
        instance_id: instance_id.to_string(),
        name: instance.name.clone(),
        confirm: form.confirm.clone(),
        confirm_error: String::new(),
        problem: None,
    };
    if form.confirm.trim() != instance.name {
        page.confirm_error = format!("Type the instance's name, {}, to confirm.", instance.name);
        return render(hx, StatusCode::UNPROCESSABLE_ENTITY, &page, || {
            page.as_content().render()
        });
    }
    let params = serde_json::json!({"name": instance.name});
    let action = Audited::new(
        &request,
        &user,
        Permission::DeleteInstances,
        "DeleteInstance",
        format!("instance/{instance_id}"),
        params,
    );
    match audited(action, user.dms.delete_instance(instance_id.as_ref())).await? {
        Ok(_) => Ok(redirect(hx, "/instances")),
        Err(error) => {
            page.problem = Some(summary("Deleting the instance", &error));
            let status = if matches!(error.kind, ErrorKind::Validation | ErrorKind::Conflict) {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::BAD_GATEWAY
            };
            render(hx, status, &page, || page.as_content().render())
        }
    }
}
