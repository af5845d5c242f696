//! The instance list: filters, paging, status badges and counts.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::api::models::instances::{Instance, ListInstancesQuery};
use crate::web::error::{ErrorSummary, WebError};
use crate::web::format;
use crate::web::htmx::HxRequest;
use crate::web::layout::Layout;
use crate::web::session::CurrentUser;

use super::{created_ms, render, summary};

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
