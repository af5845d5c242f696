//! The export of an instance's metadata: every topic, consumer group and ACL user (never a
//! secret) as one JSON document that the Migration tab reads back (see `metadata`).
//!
//! `GET /instances/{id}/export` is a page that says what the file holds; `?format=json`
//! downloads it.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::api::ErrorKind;
use crate::api::models::instances::Instance;
use crate::web::error::{ErrorSummary, WebError};
use crate::web::htmx::{HxRequest, render_page};
use crate::web::layout::{InstanceNav, Layout, Section, Tab};
use crate::web::paths::{InstancePath, query_param};
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

use super::metadata::{self, Interchange};
use super::not_found;

#[derive(Template)]
#[template(path = "instances/export.html", blocks = ["content"])]
struct ExportPage {
    layout: Layout,
    instance_id: String,
    document: Result<Interchange, ErrorSummary>,
}
crate::page!(ExportPage);

impl ExportPage {
    fn topics(&self) -> usize {
        self.document
            .as_ref()
            .ok()
            .and_then(|d| d.metadata.topic_config_table.as_ref())
            .map_or(0, |t| t.len())
    }

    fn groups(&self) -> usize {
        self.document
            .as_ref()
            .ok()
            .and_then(|d| d.metadata.subscription_group_table.as_ref())
            .map_or(0, |t| t.len())
    }

    fn users(&self) -> usize {
        self.document.as_ref().map_or(0, |d| d.acl_users.len())
    }
}

/// Reads everything the export holds.
async fn document(user: &CurrentUser, id: &str) -> Result<(Instance, Interchange), WebError> {
    let (instance, topics, groups, users) = tokio::join!(
        user.dms.show_instance(id),
        metadata::all_topics(&user.dms, id),
        metadata::all_groups(&user.dms, id),
        metadata::all_users(&user.dms, id),
    );
    let instance = instance
        .map_err(|e| WebError::upstream("op-read-instance", e))?
        .into_inner();
    let topics = topics.map_err(|e| WebError::upstream("op-list-topics", e))?;
    let groups = groups.map_err(|e| WebError::upstream("op-list-groups", e))?;
    let users = users.map_err(|e| WebError::upstream("op-list-users", e))?;
    let now = crate::clock::now_ms();
    let document = metadata::export(&instance, &topics, &groups, &users, now);
    Ok((instance, document))
}

/// A file name made of the instance's name (letters, digits, `-` and `_` only).
fn file_name(instance: &Instance) -> String {
    let name: String = instance
        .name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect();
    format!(
        "{}-metadata.json",
        if name.is_empty() { "instance" } else { &name }
    )
}

/// `GET /instances/{instance_id}/export` (`?format=json` downloads the file).
pub async fn export_instance(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageMigration)?;
    let id = path.into_inner().instance_id;
    let wants_file = query_param(&request, "format") == "json";
    // The page's navigation is read beside the document; the file needs none.
    let (read, nav) = if wants_file {
        (document(&user, id.as_str()).await, None)
    } else {
        let (read, nav) = tokio::join!(
            document(&user, id.as_str()),
            InstanceNav::load(&user, &id, Tab::Overview)
        );
        (read, Some(nav))
    };
    if let Err(WebError::Upstream { source, .. }) = &read
        && source.kind == ErrorKind::NotFound
    {
        return Err(not_found(&id));
    }
    let Some(nav) = nav else {
        // The file itself.
        let (instance, document) = read?;
        let body = serde_json::to_vec_pretty(&document)
            .map_err(|e| WebError::unexpected(e.to_string()))?;
        return Ok(HttpResponse::Ok()
            .content_type("application/json")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file_name(&instance)),
            ))
            .body(body));
    };
    let (status, document) = match read {
        Ok((_, document)) => (StatusCode::OK, Ok(document)),
        Err(error) => (
            actix_web::ResponseError::status_code(&error),
            Err(error.summary()),
        ),
    };
    let layout = Layout::for_user(&user, "export-title", Section::Instances)
        .in_instance(nav)
        .crumb("export-title", None);
    let page = ExportPage {
        layout,
        instance_id: id.to_string(),
        document,
    };
    render_page(hx, status, &page)
}
