//! The nodes of an instance (API reference §5.11.1) and their restart (§5.11.2), with its
//! progress on the same page.
//!
//! DMS restarts an instance as a whole: §5.11.2 takes no node list and answers with the nodes
//! it restarts. The page says so instead of offering a choice of nodes the engine would not
//! honour, and marks every node as restarting while the instance is `RESTARTING`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use crate::api::models::common::Paging;
use crate::api::models::nodes::Node;
use crate::api::walk::{self, Page};
use crate::api::{ApiError, DmsClient, ErrorKind};
use crate::domain::InstanceId;
use crate::web::audit::audited::{Audited, audited};
use crate::web::error::{ErrorSummary, WebError, upstream_status};
use crate::web::forms::{FormErrors, FormView};
use crate::web::htmx::{HxRequest, redirect, render_page};
use crate::web::layout::{InstanceNav, Layout, Section, Tab};
use crate::web::ledger::new_op_id;
use crate::web::paths::InstancePath;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;
use crate::web::view::is_transitional;

use super::not_found;
use super::progress::{Job, ProgressView, progress};

/// At most this many nodes are listed (an instance has at most a few dozen).
const MAX_NODES: usize = 1_000;

/// The restart form: its one-time operation id.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RestartForm {
    op: String,
}

#[derive(Template)]
#[template(path = "instances/nodes.html", blocks = ["content"])]
struct NodesPage {
    layout: Layout,
    instance_id: String,
    nodes: Result<Vec<Node>, ErrorSummary>,
    progress: Option<ProgressView>,
    can_restart: bool,
    form: FormView,
    problem: Option<ErrorSummary>,
}
crate::page!(NodesPage);

impl NodesPage {
    /// Whether the instance is restarting (every node with it).
    fn restarting(&self) -> bool {
        self.progress
            .as_ref()
            .is_some_and(|p| p.status() == "RESTARTING")
    }

    /// Whether a restart may be asked for now.
    fn idle(&self) -> bool {
        self.progress
            .as_ref()
            .is_some_and(|p| p.status() == "RUNNING")
    }
}

async fn all_nodes(dms: &DmsClient, id: &str) -> Result<Vec<Node>, ApiError> {
    let walked = walk::collect(50, MAX_NODES, |offset, limit| {
        let dms = dms.clone();
        let id = id.to_owned();
        async move {
            let list = dms
                .list_nodes(&id, &Paging::new(limit, offset))
                .await?
                .into_inner();
            Ok(Page {
                total: Some(list.total.max(0) as u64),
                items: list.nodes,
            })
        }
    })
    .await?;
    Ok(walked.items)
}

async fn nodes_page(
    user: &CurrentUser,
    id: &InstanceId,
) -> Result<(NodesPage, StatusCode), WebError> {
    let (nodes, view, nav) = tokio::join!(
        all_nodes(&user.dms, id.as_str()),
        // A page shown after the restart was accepted: the job has been seen running.
        progress(user, id, Job::Restart, 0, true),
        InstanceNav::load(user, id, Tab::Overview)
    );
    if matches!(&nodes, Err(e) if e.kind == ErrorKind::NotFound) {
        return Err(not_found(id));
    }
    let status = nodes.as_ref().err().map_or(StatusCode::OK, upstream_status);
    let form = RestartForm { op: new_op_id() };
    let layout = Layout::for_user(user, "nodes-title", Section::Instances)
        .in_instance(nav)
        .crumb("nodes-title", None);
    // While a job runs the block follows it; otherwise it only shows the status.
    let mut view = view;
    if !is_transitional(view.status()) {
        view.next = None;
    }
    Ok((
        NodesPage {
            layout,
            instance_id: id.to_string(),
            nodes: nodes.map_err(|e| ErrorSummary::upstream("op-list-nodes", &e)),
            progress: Some(view),
            can_restart: user.can(Permission::ModifyInstances),
            form: FormView::of(user.ui.lang, &form, FormErrors::new()),
            problem: None,
        },
        status,
    ))
}

/// `GET /instances/{instance_id}/nodes`.
pub async fn list_nodes(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ModifyInstances)?;
    let id = path.into_inner().instance_id;
    let (page, status) = nodes_page(&user, &id).await?;
    render_page(hx, status, &page)
}

/// `POST /instances/{instance_id}/nodes/restart`: restarts the instance (all its nodes), then
/// shows the nodes with the restart's progress.
pub async fn restart_nodes(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
    form: web::Form<RestartForm>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ModifyInstances)?;
    let id = path.into_inner().instance_id;
    let action = Audited::new(
        &request,
        &user,
        Permission::ModifyInstances,
        "RestartInstance",
        format!("instance/{id}"),
        serde_json::json!({"from": "nodes"}),
        &form.op,
    );
    let result = audited(action, user.dms.restart_instance(id.as_str())).await?;
    user.state.lists.invalidate(id.as_str());
    match result {
        Ok(_) => Ok(redirect(hx, &format!("/instances/{id}/nodes"))),
        Err(error) => {
            let (mut page, _) = nodes_page(&user, &id).await?;
            page.problem = Some(
                ErrorSummary::upstream("op-restart-instance", &error)
                    .check_state_at(format!("/instances/{id}/nodes")),
            );
            render_page(hx, upstream_status(&error), &page)
        }
    }
}
