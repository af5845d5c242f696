//! Batch changes of the groups tab: edit (enabled, broadcast, orderly on 5.x, maximum
//! retries) or delete the groups ticked in the list, at most [`BATCH_MAX`] at a time.
//!
//! `POST /instances/{id}/groups` with `action=edit|delete` and the ticked `groups`: the first
//! post shows the form (edit) or what deleting affects (delete); an edit is then previewed,
//! group by group, with each group's online clients and lag read now; the confirmation sends
//! one change per group (§5.2.6 or §5.2.4), each audited with its own one-time operation id,
//! and the answer lists what became of every group: done, refused (with the DMS code and
//! request id), unknown (with a link that reads the group back) or not sent. Nothing is
//! dropped silently and nothing is sent twice.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;
use serde::Serialize;

use crate::api::models::groups::{ConsumerGroup, UpdateConsumerGroupReq};
use crate::domain::{GroupName, InstanceId};
use crate::web::error::{ErrorSummary, WebError};
use crate::web::forms::{Change, FormErrors, FormView, Step, confirm};
use crate::web::htmx::{HxRequest, render_page};
use crate::web::i18n::Msg;
use crate::web::layout::{InstanceNav, Layout, Section, Tab};
use crate::web::ledger::new_op_id;
use crate::web::paths::InstancePath;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

use super::lag::{self, Figures};
use super::{
    BATCH_MAX, Item, ItemResult, VIEW_DEADLINE, group_href, is_5x, load_instance, run_each,
};

/// Groups read at the same time for a preview.
const READS_AT_ONCE: usize = 8;

/// The batch form as posted (the settings of an edit are `keep`, `on` or `off`; an empty
/// maximum of retries keeps it).
#[derive(Debug, Default, Serialize)]
struct BatchForm {
    action: String,
    step: String,
    enabled: String,
    broadcast: String,
    consume_orderly: String,
    retry_max_time: String,
    confirm: String,
    op: String,
    #[serde(skip)]
    groups: Vec<String>,
}

impl BatchForm {
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut form = Self::default();
        for (name, value) in pairs {
            let slot = match name.as_str() {
                "action" => &mut form.action,
                "step" => &mut form.step,
                "enabled" => &mut form.enabled,
                "broadcast" => &mut form.broadcast,
                "consume_orderly" => &mut form.consume_orderly,
                "retry_max_time" => &mut form.retry_max_time,
                "confirm" => &mut form.confirm,
                "op" => &mut form.op,
                "groups" => {
                    if !form.groups.contains(value) {
                        form.groups.push(value.clone());
                    }
                    continue;
                }
                _ => continue,
            };
            *slot = value.clone();
        }
        form
    }
}

/// The settings a batch edit changes (`None`: left as each group has it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct BatchEdit {
    enabled: Option<bool>,
    broadcast: Option<bool>,
    orderly: Option<bool>,
    retry_max_time: Option<u32>,
}

fn tri_state(errors: &mut FormErrors, field: &str, value: &str) -> Option<bool> {
    match value {
        "" | "keep" => None,
        "on" => Some(true),
        "off" => Some(false),
        _ => {
            errors.add(
                field,
                Msg::new("form-one-of").text("allowed", "keep, on, off"),
            );
            None
        }
    }
}

impl BatchEdit {
    fn parse(form: &BatchForm, five: bool) -> Result<Self, FormErrors> {
        let mut errors = FormErrors::new();
        let edit = Self {
            enabled: tri_state(&mut errors, "enabled", &form.enabled),
            broadcast: tri_state(&mut errors, "broadcast", &form.broadcast),
            orderly: if five {
                tri_state(&mut errors, "consume_orderly", &form.consume_orderly)
            } else {
                None
            },
            retry_max_time: if form.retry_max_time.trim().is_empty() {
                None
            } else {
                errors
                    .integer("retry_max_time", &form.retry_max_time, 1, 16, None)
                    .map(|n| n as u32)
            },
        };
        if errors.is_empty() && edit == Self::default() {
            errors.add("_form", Msg::new("groups-batch-nothing"));
        }
        errors.into_result(|| edit)
    }

    /// The request that applies this edit to `group` (§5.2.6 needs every required setting).
    fn body(&self, group: &ConsumerGroup, five: bool) -> UpdateConsumerGroupReq {
        UpdateConsumerGroupReq {
            enabled: self.enabled.unwrap_or(group.enabled),
            broadcast: self.broadcast.unwrap_or(group.broadcast),
            brokers: None,
            name: Some(group.name.clone()),
            retry_max_time: self
                .retry_max_time
                .unwrap_or(group.retry_max_time.clamp(1, 16) as u32),
            consume_orderly: five.then(|| self.orderly.unwrap_or(group.consume_orderly)),
            group_desc: None,
        }
    }

    /// The lines of `group`'s preview that change.
    fn changes(&self, group: &ConsumerGroup, five: bool) -> Vec<Change> {
        let body = self.body(group, five);
        let yes_no = super::changes::yes_no;
        let mut lines = vec![
            Change::new(
                "group-field-enabled",
                yes_no(group.enabled),
                yes_no(body.enabled),
            ),
            Change::new(
                "group-field-broadcast",
                yes_no(group.broadcast),
                yes_no(body.broadcast),
            ),
            Change::new(
                "group-field-retries",
                group.retry_max_time.to_string(),
                body.retry_max_time.to_string(),
            ),
        ];
        if let Some(orderly) = body.consume_orderly {
            lines.push(Change::new(
                "group-field-orderly",
                yes_no(group.consume_orderly),
                yes_no(orderly),
            ));
        }
        lines.retain(Change::changes);
        lines
    }
}

/// One group of a preview: what the change does to it and what it affects.
pub struct PreviewRow {
    /// The group.
    pub name: String,
    /// Its page.
    pub href: String,
    /// Its clients and lag now (`None`: not read before the deadline).
    pub impact: Result<Option<Figures>, ErrorSummary>,
    /// What changes (edit).
    pub changes: Vec<Change>,
}

/// One group of the results.
pub struct ResultRow {
    /// The group.
    pub name: String,
    /// Its page.
    pub href: String,
    /// `done`, `failed`, `unknown` or `not-sent`.
    pub kind: &'static str,
    /// What DMS said.
    pub problem: Option<ErrorSummary>,
    /// Why it was not sent.
    pub note: Option<Msg>,
}

#[derive(Template)]
#[template(path = "groups/batch.html", blocks = ["content"])]
struct BatchPage {
    layout: Layout,
    instance_id: String,
    /// `edit` or `delete`.
    action: &'static str,
    /// `form`, `preview` or `results`.
    step: &'static str,
    groups: Vec<String>,
    five: bool,
    form: FormView,
    rows: Vec<PreviewRow>,
    results: Vec<ResultRow>,
    /// The typed confirmation of a delete: the number of groups.
    expected: String,
    problem: Option<ErrorSummary>,
}
crate::page!(BatchPage);

/// The choices of a setting a batch edit may leave, switch on or switch off.
const TRI_STATE: &[(&str, &str)] = &[
    ("keep", "groups-batch-keep"),
    ("on", "groups-batch-on"),
    ("off", "groups-batch-off"),
];

impl BatchPage {
    fn tri_options(&self) -> &'static [(&'static str, &'static str)] {
        TRI_STATE
    }

    fn done(&self) -> usize {
        self.results.iter().filter(|r| r.kind == "done").count()
    }
}

/// Reads `names` now (settings, clients and lag), a few at a time within the view's deadline.
async fn preview_rows(
    user: &CurrentUser,
    id: &InstanceId,
    names: &[String],
    edit: Option<(BatchEdit, bool)>,
) -> Result<Vec<PreviewRow>, WebError> {
    let budget = user.budget(id);
    let deadline = tokio::time::Instant::now() + VIEW_DEADLINE;
    let rows: Vec<Result<PreviewRow, WebError>> = futures_util::stream::iter(names)
        .map(|name| {
            let budget = budget.clone();
            async move {
                let figures = tokio::time::timeout_at(
                    deadline,
                    lag::read_figures(&user.dms, &budget, id.as_str(), name),
                );
                let group = async {
                    match edit {
                        Some(_) => lag::budgeted(&budget, || {
                            user.dms.show_consumer_group(id.as_str(), name)
                        })
                        .await
                        .map(|r| Some(r.into_inner())),
                        None => Ok(None),
                    }
                };
                let (figures, group) = tokio::join!(figures, group);
                let group = group.map_err(|e| WebError::upstream("groups-op-read", e))?;
                let changes = match (edit, &group) {
                    (Some((edit, five)), Some(group)) => edit.changes(group, five),
                    _ => Vec::new(),
                };
                Ok(PreviewRow {
                    href: group_href(id.as_str(), name),
                    name: name.clone(),
                    impact: match figures {
                        Ok(Ok(f)) => Ok(Some(f)),
                        Ok(Err(e)) => Err(ErrorSummary::upstream("op-read-group-lag", &e)),
                        Err(_) => Ok(None),
                    },
                    changes,
                })
            }
        })
        .buffered(READS_AT_ONCE)
        .collect()
        .await;
    rows.into_iter().collect()
}

fn results_of<T>(id: &InstanceId, outcomes: Vec<(String, ItemResult<T>)>) -> Vec<ResultRow> {
    outcomes
        .into_iter()
        .map(|(name, result)| {
            let kind = result.kind();
            let (problem, note) = match result {
                ItemResult::Done(_) => (None, None),
                ItemResult::Failed(e) | ItemResult::Unknown(e) => (Some(e), None),
                ItemResult::NotSent(why) => (None, Some(why)),
            };
            ResultRow {
                href: group_href(id.as_str(), &name),
                name,
                kind,
                problem,
                note,
            }
        })
        .collect()
}

/// `POST /instances/{instance_id}/groups`: a batch edit or delete of the ticked groups (see
/// the module documentation for the steps).
pub async fn batch_change(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageGroups)?;
    let id = path.into_inner().instance_id;
    let mut form = BatchForm::from_pairs(&fields);
    let action = match form.action.as_str() {
        "edit" => "edit",
        "delete" => "delete",
        _ => return Err(WebError::Invalid(Msg::new("groups-batch-no-action"))),
    };
    if form.groups.is_empty() {
        return Err(WebError::Invalid(Msg::new("groups-batch-none")));
    }
    if form.groups.len() > super::BATCH_MAX {
        return Err(WebError::Invalid(
            Msg::new("groups-batch-too-many").arg("max", BATCH_MAX),
        ));
    }
    for name in &form.groups {
        GroupName::try_from(name.as_str())
            .map_err(|invalid| WebError::Invalid(crate::web::forms::name_message(&invalid)))?;
    }
    let (instance, nav) = tokio::join!(
        load_instance(&user, &id),
        InstanceNav::load(&user, &id, Tab::Groups)
    );
    let five = is_5x(&instance?);
    let title = if action == "edit" {
        "groups-batch-edit-title"
    } else {
        "groups-batch-delete-title"
    };
    let mut page = BatchPage {
        layout: Layout::for_user(&user, title, Section::Instances)
            .in_instance(nav)
            .crumb("groups-title", Some(format!("/instances/{id}/groups")))
            .crumb(title, None),
        instance_id: id.to_string(),
        action,
        step: "form",
        groups: form.groups.clone(),
        five,
        form: FormView::default(),
        rows: Vec::new(),
        results: Vec::new(),
        expected: form.groups.len().to_string(),
        problem: None,
    };
    let first = form.step.is_empty();
    if first {
        // From the list: the edit's form, or what deleting affects.
        form.op = new_op_id();
        if action == "delete" {
            page.step = "preview";
            page.rows = preview_rows(&user, &id, &form.groups, None).await?;
        }
        page.form = FormView::of(user.ui.lang, &form, FormErrors::new());
        return render_page(hx, StatusCode::OK, &page);
    }
    let mut errors = FormErrors::new();
    let edit = if action == "edit" {
        match BatchEdit::parse(&form, five) {
            Ok(edit) => Some(edit),
            Err(more) => {
                page.form = FormView::of(user.ui.lang, &form, more);
                return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
            }
        }
    } else {
        None
    };
    if Step::of(&form.step) == Step::Preview {
        page.step = "preview";
        page.rows = preview_rows(&user, &id, &form.groups, edit.map(|e| (e, five))).await?;
        page.form = FormView::of(user.ui.lang, &form, errors);
        return render_page(hx, StatusCode::OK, &page);
    }
    if action == "delete" {
        confirm(&mut errors, "confirm", &form.confirm, &page.expected);
        if !errors.is_empty() {
            page.step = "preview";
            page.rows = preview_rows(&user, &id, &form.groups, None).await?;
            page.form = FormView::of(user.ui.lang, &form, errors);
            return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    }
    let items: Vec<Item> = form
        .groups
        .iter()
        .enumerate()
        .map(|(position, name)| Item {
            position,
            name: name.clone(),
            target: format!("instance/{id}/group/{name}"),
            params: serde_json::json!({"name": name}),
            check_state: group_href(id.as_str(), name),
        })
        .collect();
    let (dms, instance) = (&user.dms, id.as_str());
    let results = match edit {
        Some(edit) => {
            // Each group keeps what the edit does not change: read them all first. A group
            // that cannot be read is reported as such; nothing is sent for it.
            let budget = user.budget(&id);
            let read: Vec<Result<ConsumerGroup, ErrorSummary>> =
                futures_util::stream::iter(&form.groups)
                    .map(|name| {
                        let budget = budget.clone();
                        async move {
                            lag::budgeted(&budget, || dms.show_consumer_group(instance, name))
                                .await
                                .map(|r| r.into_inner())
                                .map_err(|e| ErrorSummary::upstream("groups-op-read", &e))
                        }
                    })
                    .buffered(READS_AT_ONCE)
                    .collect()
                    .await;
            let mut bodies = std::collections::HashMap::new();
            let mut unread = std::collections::HashMap::new();
            let mut sendable = Vec::new();
            for (item, group) in items.into_iter().zip(read) {
                match group {
                    Ok(group) => {
                        let body = edit.body(&group, five);
                        let mut item = item;
                        item.params = serde_json::json!({
                            "before": group,
                            "after": serde_json::to_value(&body).unwrap_or_default(),
                        });
                        bodies.insert(item.name.clone(), body);
                        sendable.push(item);
                    }
                    Err(problem) => {
                        unread.insert(item.name.clone(), problem);
                    }
                }
            }
            let bodies = &bodies;
            let mut outcomes: std::collections::HashMap<String, ItemResult<()>> = run_each(
                &request,
                &user,
                &id,
                Permission::ManageGroups,
                "UpdateConsumerGroup",
                "groups-op-update",
                &form.op,
                sendable,
                |name| async move {
                    let body = &bodies[&name];
                    dms.update_consumer_group(instance, &name, body).await
                },
            )
            .await?
            .into_iter()
            .collect();
            let ordered = form
                .groups
                .iter()
                .map(|name| {
                    let result = outcomes
                        .remove(name)
                        .or_else(|| unread.remove(name).map(ItemResult::Failed))
                        .unwrap_or(ItemResult::NotSent(Msg::new("groups-batch-not-sent")));
                    (name.clone(), result)
                })
                .collect();
            results_of(&id, ordered)
        }
        None => {
            let outcomes = run_each(
                &request,
                &user,
                &id,
                Permission::ManageGroups,
                "DeleteConsumerGroup",
                "groups-op-delete",
                &form.op,
                items,
                |name| async move { dms.delete_consumer_group(instance, &name).await },
            )
            .await?;
            results_of(&id, outcomes)
        }
    };
    user.state.lists.invalidate(id.as_str());
    page.step = "results";
    page.results = results;
    page.form = FormView::of(user.ui.lang, &form, FormErrors::new());
    let status = if page.results.iter().all(|r| r.kind == "done") {
        StatusCode::OK
    } else {
        StatusCode::BAD_GATEWAY
    };
    render_page(hx, status, &page)
}
