//! Instance pages: the list (filters, paging, sorting, status badges, export) and the
//! dashboard (overview, brokers, nodes and what needs attention), plus the audited instance
//! changes (edit, restart, delete).
//!
//! The dashboard's panels are fetched from DMS in parallel and each one fails on its own: a
//! failed panel shows what failed, the DMS error code and the request id, never an empty list.
//! The attention panel, which reads every consumer group's lag (the groups tab's lag board),
//! loads itself after the page.
//!
//! `list` is the instance list, `dashboard` the dashboard and its panels, `attention` the
//! attention panel, `changes` the audited edit, restart and delete.
//!
//! The administrator's pages: `create` (a new instance), `progress` (a job followed until it
//! ends), `resize`, `nodes` (and their restart), `batch` (restart or delete several),
//! `tags`, `config` (RocketMQ parameters), `migrations` (metadata migration tasks), `export`
//! and `compare` (two instances side by side); `metadata` reads an instance's metadata whole
//! and is the JSON interchange format of export and migration.

pub mod attention;
pub mod batch;
pub mod changes;
pub mod compare;
pub mod config;
pub mod create;
pub mod dashboard;
pub mod export;
pub mod list;
pub mod metadata;
pub mod migrations;
pub mod nodes;
pub mod progress;
pub mod resize;
pub mod tags;

use actix_web::HttpResponse;

use crate::domain::InstanceId;

use super::error::WebError;
use super::htmx::{HxRequest, redirect};
use super::i18n::Msg;
use super::session::CurrentUser;

/// `GET /`.
pub async fn home(_user: CurrentUser, hx: HxRequest) -> HttpResponse {
    redirect(hx, "/instances")
}

/// "There is no instance with this id in this project."
pub fn not_found(instance_id: &InstanceId) -> WebError {
    WebError::NotFound(Msg::new("instance-not-found").arg("id", instance_id.as_str()))
}
