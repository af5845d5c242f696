//! The progress of an instance job (creation, resize, restart): the instance's status, read
//! again and again by htmx until it reaches a final state.
//!
//! The block asks for itself again after a delay that grows (1 s, 1 s, 2 s, 2 s, 3 s, 5 s,
//! 8 s, then every 10 s), so a quick job is seen at once and a long one does not keep DMS
//! busy; it stops asking when the status is final. Because DMS may answer with the old status
//! for a moment after accepting a job, a status that is already final counts only once the
//! job was seen running or after a few reads (`seen` in the query).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::api::ErrorKind;
use crate::api::models::instances::Instance;
use crate::domain::InstanceId;
use crate::web::error::{ErrorSummary, WebError};
use crate::web::htmx::{HxRequest, render_page};
use crate::web::layout::{InstanceNav, Layout, Section, Tab};
use crate::web::paths::InstancePath;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;
use crate::web::view::is_transitional;

/// Seconds before each read of the status; the last one repeats.
const DELAYS: [u64; 8] = [1, 1, 2, 2, 3, 5, 8, 10];

/// Reads without seeing the job running after which a final status is believed.
const PATIENCE: u32 = 3;

/// The job being watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// A new instance (`CREATING`).
    Create,
    /// A specification change (`EXTENDING`).
    Resize,
    /// A restart (`RESTARTING`).
    Restart,
}

impl Job {
    /// The job named in a query (`create`, `resize`, `restart`); a restart by default.
    pub fn parse(text: &str) -> Self {
        match text {
            "create" => Self::Create,
            "resize" => Self::Resize,
            _ => Self::Restart,
        }
    }

    /// Its name in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Resize => "resize",
            Self::Restart => "restart",
        }
    }

    /// The catalogue key of the page's title.
    pub fn title_key(self) -> &'static str {
        match self {
            Self::Create => "progress-create-title",
            Self::Resize => "progress-resize-title",
            Self::Restart => "progress-restart-title",
        }
    }
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Still running: the block reads the status again.
    Running,
    /// Finished: the instance is RUNNING.
    Done,
    /// Ended in a failed or otherwise final status other than RUNNING.
    Failed,
    /// The instance is not there (deleted, or a failed creation DMS removed).
    Gone,
    /// The status could not be read; the block tries again.
    Unreadable,
}

impl Stage {
    /// The catalogue key of what it means.
    pub fn message_key(self) -> &'static str {
        match self {
            Self::Running => "progress-running",
            Self::Done => "progress-done",
            Self::Failed => "progress-failed",
            Self::Gone => "progress-gone",
            Self::Unreadable => "progress-unreadable",
        }
    }

    /// Its name in the page (`data-stage`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
            Self::Gone => "gone",
            Self::Unreadable => "unreadable",
        }
    }
}

/// The progress block as a page shows it (`templates/instances/_progress.html`).
#[derive(Debug, Clone)]
pub struct ProgressView {
    /// The instance.
    pub instance_id: String,
    /// The job.
    pub job: Job,
    /// Where it stands.
    pub stage: Stage,
    /// The instance as last read.
    pub instance: Option<Instance>,
    /// Why it could not be read.
    pub problem: Option<ErrorSummary>,
    /// The next read, while the job runs.
    pub next: Option<NextRead>,
}

/// When and where the progress block reads the status again.
#[derive(Debug, Clone)]
pub struct NextRead {
    /// The block's address for the next read.
    pub href: String,
    /// Seconds to wait.
    pub delay: u64,
}

impl ProgressView {
    /// Whether the job has ended (the block stops reading).
    pub fn finished(&self) -> bool {
        matches!(self.stage, Stage::Done | Stage::Failed | Stage::Gone)
    }

    /// The status as last read ("" when unknown).
    pub fn status(&self) -> &str {
        self.instance
            .as_ref()
            .map(|i| i.status.as_str())
            .unwrap_or("")
    }
}

/// The query of the progress block.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProgressQuery {
    /// `create`, `resize` or `restart`.
    job: String,
    /// How many times the status was read before.
    n: u32,
    /// Whether the job was seen running.
    seen: u8,
}

/// Reads instance `id` and says where `job` stands after `attempt` earlier reads.
pub async fn progress(
    user: &CurrentUser,
    id: &InstanceId,
    job: Job,
    attempt: u32,
    seen: bool,
) -> ProgressView {
    let read = user.dms.show_instance(id.as_str()).await;
    let (stage, instance, problem, seen) = match read {
        Ok(reply) => {
            let instance = reply.into_inner();
            let busy = is_transitional(&instance.status);
            let stage = if busy || (!seen && attempt < PATIENCE) {
                Stage::Running
            } else if instance.status == "RUNNING" {
                Stage::Done
            } else {
                Stage::Failed
            };
            (stage, Some(instance), None, seen || busy)
        }
        // A new instance may take a moment to be listed.
        Err(error)
            if error.kind == ErrorKind::NotFound && job == Job::Create && attempt < PATIENCE =>
        {
            (Stage::Running, None, None, seen)
        }
        Err(error) if error.kind == ErrorKind::NotFound => (Stage::Gone, None, None, seen),
        Err(error) => (
            Stage::Unreadable,
            None,
            Some(ErrorSummary::upstream("op-read-instance", &error)),
            seen,
        ),
    };
    let next = matches!(stage, Stage::Running | Stage::Unreadable).then(|| {
        let delay = DELAYS[(attempt as usize).min(DELAYS.len() - 1)];
        NextRead {
            href: format!(
                "/instances/{id}/progress?job={}&n={}&seen={}",
                job.as_str(),
                attempt + 1,
                u8::from(seen)
            ),
            delay,
        }
    });
    ProgressView {
        instance_id: id.to_string(),
        job,
        stage,
        instance,
        problem,
        next,
    }
}

#[derive(Template)]
#[template(path = "instances/progress.html", blocks = ["content"])]
struct ProgressPage {
    layout: Layout,
    progress: ProgressView,
    /// A failure of a step after the job started (a new instance's tags).
    problem: Option<ErrorSummary>,
}
crate::page!(ProgressPage);

/// The progress page of `job` on `id`, with `problem` from the change that started it.
pub async fn progress_page(
    user: &CurrentUser,
    hx: HxRequest,
    id: &InstanceId,
    job: Job,
    problem: Option<ErrorSummary>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let (view, nav) = tokio::join!(
        progress(user, id, job, 0, false),
        InstanceNav::load(user, id, Tab::Overview)
    );
    page_with(user, hx, nav, view, problem, status)
}

fn page_with(
    user: &CurrentUser,
    hx: HxRequest,
    nav: InstanceNav,
    view: ProgressView,
    problem: Option<ErrorSummary>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let title = view.job.title_key();
    let layout = Layout::for_user(user, title, Section::Instances)
        .in_instance(nav)
        .crumb(title, None);
    let page = ProgressPage {
        layout,
        progress: view,
        problem,
    };
    render_page(hx, status, &page)
}

/// `GET /instances/{instance_id}/progress?job=…`: the page, or for htmx the block that reads
/// itself again until the job ends.
pub async fn show_progress(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
    query: web::Query<ProgressQuery>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ModifyInstances)?;
    let id = path.into_inner().instance_id;
    let job = Job::parse(&query.job);
    let view = progress(&user, &id, job, query.n, query.seen != 0);
    if hx.wants_fragment() {
        let view = view.await;
        // The block alone: the page around it is already shown.
        let nav = InstanceNav::new(
            &id,
            None,
            Tab::Overview,
            user.record.role,
            std::iter::empty(),
            None,
        );
        return page_with(&user, hx, nav, view, None, StatusCode::OK);
    }
    let (view, nav) = tokio::join!(view, InstanceNav::load(&user, &id, Tab::Overview));
    page_with(&user, hx, nav, view, None, StatusCode::OK)
}
