//! Instance pages: the list (filters, paging, status badges, counts) and the dashboard
//! (overview, brokers, nodes and what needs attention), plus the audited instance changes
//! (edit, restart, delete).
//!
//! The dashboard's panels are fetched from DMS in parallel and each one fails on its own: a
//! failed panel shows what failed, the DMS error code and the request id, never an empty list.
//! The attention panel, which needs several calls in a row, loads itself after the page.
//!
//! `list` is the instance list, `dashboard` the dashboard and its panels, `attention` what the
//! attention panel computes, `changes` the audited edit, restart and delete.

mod attention;
mod changes;
mod dashboard;
mod list;

pub use changes::{
    delete_instance, delete_instance_form, edit_instance_form, restart_instance, update_instance,
};

pub use dashboard::{show_instance, show_panel};

pub use list::list_instances;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use crate::api::ApiError;
use crate::api::models::instances::Instance;
use crate::domain::InstanceId;

use super::error::{ErrorSummary, WebError};
use super::htmx::{HxRequest, html, redirect};
use super::session::CurrentUser;

/// `GET /`.
pub async fn home(_user: CurrentUser, hx: HxRequest) -> HttpResponse {
    redirect(hx, "/instances")
}

fn summary(what: &str, error: &ApiError) -> ErrorSummary {
    crate::web::error::upstream_summary(what, error)
}

fn parse_id(raw: &str) -> Result<InstanceId, WebError> {
    InstanceId::try_from(raw.to_owned())
        .map_err(|e| WebError::NotFound(format!("There is no such instance: {e}.")))
}

fn created_ms(instance: &Instance) -> Option<i64> {
    instance
        .created_at
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|ms| *ms > 0)
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
