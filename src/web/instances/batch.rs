//! Batch actions on the instances checked in the list: restart or delete several at once,
//! after a summary of what each will lose or do, confirmed by typing, with a result per
//! instance.
//!
//! Deleting is one call (API reference §5.1.6), which answers per instance; restarting has no
//! batch operation, so each instance is restarted on its own (§5.11.2), one after the other,
//! each audited with an operation id of its own derived from the form's, so none is sent
//! twice and a failure stops nothing else.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;
use serde::Serialize;

use crate::api::models::groups::ListConsumerGroupsQuery;
use crate::api::models::instances::{BatchDeleteInstancesReq, Instance};
use crate::api::models::other::Paging;
use crate::api::{ApiError, ErrorKind};
use crate::domain::InstanceId;
use crate::web::audit::audited::{Audited, audited};
use crate::web::body::{self, FORM_LIMIT, Fields};
use crate::web::error::{ErrorSummary, WebError};
use crate::web::forms::{FormErrors, FormView, confirm};
use crate::web::htmx::{HxRequest, render_page};
use crate::web::i18n::Msg;
use crate::web::layout::{Layout, Section};
use crate::web::ledger::new_op_id;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

/// The most instances one batch may name (the limit of §5.1.6).
pub const MAX_BATCH: usize = 50;

/// Statuses an instance cannot be deleted in (API reference §5.1.4 and its error codes).
const UNDELETABLE: &[&str] = &[
    "CREATING",
    "STARTING",
    "RESTARTING",
    "FREEZING",
    "EXTENDING",
];

/// What a batch does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchAction {
    /// Restart each instance.
    Restart,
    /// Delete the instances.
    Delete,
}

impl BatchAction {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "restart" => Some(Self::Restart),
            "delete" => Some(Self::Delete),
            _ => None,
        }
    }

    /// Its name in forms and in the typed confirmation.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Restart => "restart",
            Self::Delete => "delete",
        }
    }

    fn permission(self) -> Permission {
        match self {
            Self::Restart => Permission::ModifyInstances,
            Self::Delete => Permission::DeleteInstances,
        }
    }

    /// The catalogue key of the page's title.
    pub fn title_key(self) -> &'static str {
        match self {
            Self::Restart => "batch-restart-title",
            Self::Delete => "batch-delete-title",
        }
    }

    /// The catalogue key of what it does to every instance.
    pub fn explain_key(self) -> &'static str {
        match self {
            Self::Restart => "batch-restart-explain",
            Self::Delete => "batch-delete-explain",
        }
    }
}

/// One selected instance and what the batch will do to it.
pub struct ImpactRow {
    /// The instance id.
    pub id: String,
    /// The instance, when it could be read.
    pub instance: Option<Instance>,
    /// Its topics and consumer groups, when they could be counted.
    pub counts: Option<Counts>,
    /// Why the action will likely fail for it (a catalogue key), if it will.
    pub warning: Option<Msg>,
    /// Why it could not be read.
    pub problem: Option<ErrorSummary>,
}

impl ImpactRow {
    /// Its name, or its id when unknown.
    pub fn name(&self) -> &str {
        self.instance
            .as_ref()
            .map(|i| i.name.as_str())
            .unwrap_or(&self.id)
    }
}

/// How many topics and consumer groups an instance holds.
#[derive(Debug, Clone, Copy)]
pub struct Counts {
    /// Topics.
    pub topics: i64,
    /// Consumer groups.
    pub groups: i64,
}

/// What became of one instance.
pub struct ItemResult {
    /// The instance id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `ok`, `failed` or `unknown`.
    pub outcome: &'static str,
    /// What DMS said, when it did not succeed.
    pub problem: Option<ErrorSummary>,
}

#[derive(Debug, Default, Serialize)]
struct BatchForm {
    confirm: String,
    op: String,
}

#[derive(Template)]
#[template(path = "instances/batch.html", blocks = ["content"])]
struct BatchPage {
    layout: Layout,
    action: BatchAction,
    rows: Vec<ImpactRow>,
    expected: String,
    form: FormView,
    results: Option<Vec<ItemResult>>,
}
crate::page!(BatchPage);

impl BatchPage {
    fn warnings(&self) -> usize {
        self.rows.iter().filter(|r| r.warning.is_some()).count()
    }

    fn succeeded(&self) -> usize {
        self.results
            .as_ref()
            .map(|r| r.iter().filter(|i| i.outcome == "ok").count())
            .unwrap_or(0)
    }
}

/// The action and instances a request names, or why it cannot be used.
fn selection(fields: &Fields) -> Result<(BatchAction, Vec<InstanceId>), WebError> {
    let action = BatchAction::parse(&fields.text("action"))
        .ok_or_else(|| WebError::Invalid(Msg::new("batch-bad-action")))?;
    let mut ids: Vec<InstanceId> = Vec::new();
    for raw in fields.all("id") {
        let id = InstanceId::try_from(raw.trim().to_owned())
            .map_err(|_| WebError::Invalid(Msg::new("batch-bad-id").arg("id", raw.as_str())))?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Err(WebError::Invalid(Msg::new("batch-none-selected")));
    }
    if ids.len() > MAX_BATCH {
        return Err(WebError::Invalid(
            Msg::new("batch-too-many").arg("max", MAX_BATCH),
        ));
    }
    Ok((action, ids))
}

async fn impact(user: &CurrentUser, action: BatchAction, id: InstanceId) -> ImpactRow {
    let group_query = ListConsumerGroupsQuery {
        limit: Some(1),
        offset: Some(0),
        ..Default::default()
    };
    let budget = user.budget(&id);
    let first = Paging::new(1, 0);
    let (instance, topics, groups) = tokio::join!(
        budget.run(user.dms.show_instance(id.as_str())),
        budget.run(user.dms.list_topics(id.as_str(), &first)),
        budget.run(user.dms.list_consumer_groups(id.as_str(), &group_query)),
    );
    let counts = match (topics, groups) {
        (Ok(t), Ok(g)) => Some(Counts {
            topics: t.into_inner().total,
            groups: g.into_inner().total,
        }),
        _ => None,
    };
    match instance {
        Ok(reply) => {
            let instance = reply.into_inner();
            let warning = match action {
                BatchAction::Restart if instance.status != "RUNNING" => {
                    Some(Msg::new("batch-warn-restart").arg("status", instance.status.as_str()))
                }
                BatchAction::Delete if UNDELETABLE.contains(&instance.status.as_str()) => {
                    Some(Msg::new("batch-warn-delete").arg("status", instance.status.as_str()))
                }
                _ => None,
            };
            ImpactRow {
                id: id.to_string(),
                instance: Some(instance),
                counts,
                warning,
                problem: None,
            }
        }
        Err(error) => ImpactRow {
            id: id.to_string(),
            instance: None,
            counts: None,
            warning: Some(Msg::new(if error.kind == ErrorKind::NotFound {
                "batch-warn-missing"
            } else {
                "batch-warn-unreadable"
            })),
            problem: Some(ErrorSummary::upstream("op-read-instance", &error)),
        },
    }
}

async fn impacts(user: &CurrentUser, action: BatchAction, ids: &[InstanceId]) -> Vec<ImpactRow> {
    futures_util::stream::iter(ids.iter().cloned())
        .map(|id| impact(user, action, id))
        .buffered(4)
        .collect()
        .await
}

fn expected(action: BatchAction, count: usize) -> String {
    format!("{} {count}", action.as_str())
}

fn page(
    user: &CurrentUser,
    action: BatchAction,
    rows: Vec<ImpactRow>,
    form: &BatchForm,
    errors: FormErrors,
) -> BatchPage {
    let layout = Layout::for_user(user, action.title_key(), Section::Instances)
        .crumb("nav-instances", Some("/instances".into()))
        .crumb(action.title_key(), None);
    BatchPage {
        layout,
        action,
        expected: expected(action, rows.len()),
        rows,
        form: FormView::of(user.ui.lang, form, errors),
        results: None,
    }
}

/// `GET /instances/batch?action=restart|delete&id=…`: what the batch will do to each instance,
/// and the typed confirmation.
pub async fn batch_form(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ModifyInstances)?;
    let fields = Fields::urlencoded(request.query_string().as_bytes());
    if fields.all("id").is_empty() {
        // Nothing checked: say how to choose instances rather than fail.
        let action = BatchAction::parse(&fields.text("action")).unwrap_or(BatchAction::Restart);
        let page = page(
            &user,
            action,
            Vec::new(),
            &BatchForm::default(),
            FormErrors::new(),
        );
        return render_page(hx, StatusCode::OK, &page);
    }
    let (action, ids) = selection(&fields)?;
    user.require(action.permission())?;
    let rows = impacts(&user, action, &ids).await;
    let form = BatchForm {
        op: new_op_id(),
        ..Default::default()
    };
    let page = page(&user, action, rows, &form, FormErrors::new());
    render_page(hx, StatusCode::OK, &page)
}

/// The outcome of a call as a result row.
fn outcome<T>(
    id: &str,
    name: &str,
    result: &Result<T, ApiError>,
    what: &'static str,
) -> ItemResult {
    let (outcome, problem) = match result {
        Ok(_) => ("ok", None),
        Err(error) => (
            if error.outcome_unknown {
                "unknown"
            } else {
                "failed"
            },
            Some(ErrorSummary::upstream(what, error).check_state_at(format!("/instances/{id}"))),
        ),
    };
    ItemResult {
        id: id.to_owned(),
        name: name.to_owned(),
        outcome,
        problem,
    }
}

/// `POST /instances/batch`: runs the batch once the confirmation matches.
pub async fn run_batch(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ModifyInstances)?;
    let fields = body::form(&request, payload, FORM_LIMIT).await?;
    let (action, ids) = selection(&fields)?;
    user.require(action.permission())?;
    let mut form = BatchForm {
        confirm: fields.text("confirm"),
        op: fields.text("op"),
    };
    let mut errors = FormErrors::new();
    confirm(
        &mut errors,
        "confirm",
        &form.confirm,
        &expected(action, ids.len()),
    );
    if !errors.is_empty() {
        let rows = impacts(&user, action, &ids).await;
        let page = page(&user, action, rows, &form, errors);
        return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let rows = impacts(&user, action, &ids).await;
    let results = match action {
        BatchAction::Delete => delete_all(&request, &user, &rows, &form.op).await?,
        BatchAction::Restart => restart_each(&request, &user, &rows, &form.op).await?,
    };
    for id in &ids {
        user.state.lists.invalidate(id.as_str());
    }
    // The page shows the results; a new id lets the same selection be tried again on purpose.
    form.op = new_op_id();
    let mut page = page(&user, action, rows, &form, FormErrors::new());
    page.results = Some(results);
    render_page(hx, StatusCode::OK, &page)
}

async fn delete_all(
    request: &HttpRequest,
    user: &CurrentUser,
    rows: &[ImpactRow],
    op: &str,
) -> Result<Vec<ItemResult>, WebError> {
    let body = BatchDeleteInstancesReq::instances(rows.iter().map(|r| r.id.clone()));
    let params = serde_json::json!({
        "instances": rows.iter().map(|r| serde_json::json!({"id": r.id, "name": r.name()})).collect::<Vec<_>>(),
    });
    let action = Audited::new(
        request,
        user,
        Permission::DeleteInstances,
        "BatchDeleteInstances",
        "instances/batch".to_owned(),
        params,
        op,
    );
    let result = audited(action, user.dms.batch_delete_instances(&body)).await?;
    Ok(match result {
        Ok(reply) => {
            let answered = reply.into_inner().results;
            rows.iter()
                .map(|row| {
                    let item = answered.iter().find(|r| r.instance == row.id);
                    let (outcome, problem) = match item.map(|r| r.result.as_str()) {
                        Some("success") => ("ok", None),
                        Some(_) => (
                            "failed",
                            Some(ErrorSummary::new(
                                Msg::new("batch-delete-refused-title"),
                                Msg::new("batch-delete-refused"),
                            )),
                        ),
                        None => (
                            "unknown",
                            Some(ErrorSummary::new(
                                Msg::new("batch-delete-refused-title"),
                                Msg::new("batch-delete-unanswered"),
                            )),
                        ),
                    };
                    ItemResult {
                        id: row.id.clone(),
                        name: row.name().to_owned(),
                        outcome,
                        problem,
                    }
                })
                .collect()
        }
        Err(error) => rows
            .iter()
            .map(|row| {
                outcome::<()>(
                    &row.id,
                    row.name(),
                    &Err(error.duplicate()),
                    "op-delete-instances",
                )
            })
            .collect(),
    })
}

async fn restart_each(
    request: &HttpRequest,
    user: &CurrentUser,
    rows: &[ImpactRow],
    op: &str,
) -> Result<Vec<ItemResult>, WebError> {
    let mut results = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let action = Audited::new(
            request,
            user,
            Permission::ModifyInstances,
            "RestartInstance",
            format!("instance/{}", row.id),
            serde_json::json!({"batch": true, "name": row.name()}),
            // Each instance's restart is its own change: one id each, derived from the form's.
            &format!("{}-{index}", op.trim()),
        );
        match audited(action, user.dms.restart_instance(&row.id)).await {
            Ok(result) => {
                results.push(outcome(&row.id, row.name(), &result, "op-restart-instance"))
            }
            // The whole form was submitted before: its results are in the audit log.
            Err(error @ WebError::AlreadySubmitted(_)) => return Err(error),
            // Nothing was sent for this instance (the audit log refused the intent).
            Err(error) => results.push(ItemResult {
                id: row.id.clone(),
                name: row.name().to_owned(),
                outcome: "failed",
                problem: Some(error.summary()),
            }),
        }
    }
    Ok(results)
}

impl BatchPage {
    /// The catalogue key of an outcome's name.
    fn outcome_key(&self, outcome: &str) -> &'static str {
        match outcome {
            "ok" => "outcome-ok",
            "failed" => "outcome-failed",
            _ => "outcome-unknown",
        }
    }
}
