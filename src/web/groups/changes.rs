//! The audited changes of one consumer group: create (API reference §5.2.2), edit (§5.2.6)
//! and delete (§5.2.4).
//!
//! Each is the console's change pattern: the raw form converts into typed settings or
//! [`FormErrors`]; the first post previews, the second (`step=confirm`) sends the change once
//! inside `audited`. A 4.8.0 instance's groups name their brokers; a 5.x instance's may be
//! orderly: the form offers what the instance's version allows and the request carries only
//! that. DMS refusals are shown next to the field they concern; an unknown outcome offers the
//! group's page, which reads the state back. Deleting shows what it affects (online clients,
//! lag, dead letters) and needs the group's name typed.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Serialize;

use crate::api::models::groups::{ConsumerGroup, CreateConsumerGroupReq, UpdateConsumerGroupReq};
use crate::api::models::instances::Instance;
use crate::domain::{GroupName, InstanceId};
use crate::web::audit::audited::{Audited, audited};
use crate::web::error::{ErrorSummary, WebError, upstream_status};
use crate::web::forms::{Change, FormErrors, FormView, Step, confirm, refused_field};
use crate::web::htmx::{HxRequest, redirect, render_page};
use crate::web::i18n::Msg;
use crate::web::layout::{InstanceNav, Layout, Section, Tab};
use crate::web::ledger::new_op_id;
use crate::web::paths::{GroupPath, InstancePath};
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

use super::lag::{self, Figures};
use super::{VIEW_DEADLINE, broker_names, group_href, is_5x, load_group, load_instance};

/// The longest description DMS accepts.
const DESCRIPTION_MAX: usize = 200;
/// The fields DMS refusals name by code: the naming and "already exists" codes.
const BY_CODE: &[(&str, &str)] = &[("DMS.10240016", "name"), ("DMS.10240018", "name")];
/// The fields DMS refusals may name.
const FIELDS: &[&str] = &[
    "name",
    "group_desc",
    "retry_max_time",
    "broadcast",
    "enabled",
    "consume_orderly",
    "brokers",
];

/// A group form as posted: every field as text (checkboxes `on` or empty; the brokers
/// joined with commas).
#[derive(Debug, Default, Serialize)]
pub struct GroupForm {
    name: String,
    group_desc: String,
    retry_max_time: String,
    enabled: String,
    broadcast: String,
    consume_orderly: String,
    brokers: String,
    op: String,
    step: String,
}

impl GroupForm {
    /// The form from its posted fields (a checkbox list sends `brokers` once per broker).
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut form = Self::default();
        let mut brokers: Vec<String> = Vec::new();
        for (name, value) in pairs {
            let slot = match name.as_str() {
                "name" => &mut form.name,
                "group_desc" => &mut form.group_desc,
                "retry_max_time" => &mut form.retry_max_time,
                "enabled" => &mut form.enabled,
                "broadcast" => &mut form.broadcast,
                "consume_orderly" => &mut form.consume_orderly,
                "op" => &mut form.op,
                "step" => &mut form.step,
                "brokers" => {
                    brokers.extend(
                        value
                            .split(',')
                            .map(str::trim)
                            .filter(|b| !b.is_empty())
                            .map(str::to_owned),
                    );
                    continue;
                }
                _ => continue,
            };
            *slot = value.clone();
        }
        brokers.dedup();
        form.brokers = brokers.join(",");
        form
    }

    /// The form showing `group`'s settings.
    fn of(group: &ConsumerGroup) -> Self {
        let flag = |on: bool| if on { "on" } else { "" }.to_owned();
        Self {
            name: group.name.clone(),
            group_desc: group.group_desc.clone(),
            retry_max_time: group.retry_max_time.to_string(),
            enabled: flag(group.enabled),
            broadcast: flag(group.broadcast),
            consume_orderly: flag(group.consume_orderly),
            brokers: group.brokers.join(","),
            op: new_op_id(),
            step: String::new(),
        }
    }

    fn brokers(&self) -> Vec<String> {
        self.brokers
            .split(',')
            .filter(|b| !b.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

fn checked(value: &str) -> bool {
    matches!(value, "on" | "true" | "1" | "yes")
}

/// Valid settings of a group.
#[derive(Debug, Clone, PartialEq)]
struct Settings {
    description: String,
    retry_max_time: u32,
    enabled: bool,
    broadcast: bool,
    /// 5.x only.
    orderly: Option<bool>,
    /// 4.8.0 only.
    brokers: Option<Vec<String>>,
}

/// Checks the settings of `form` for `instance` (whose brokers are `known`).
fn settings(form: &GroupForm, five: bool, known: &[String]) -> Result<Settings, FormErrors> {
    let mut errors = FormErrors::new();
    errors.max_chars("group_desc", &form.group_desc, DESCRIPTION_MAX);
    let retries = errors.integer("retry_max_time", &form.retry_max_time, 1, 16, Some(16));
    let brokers = if five {
        None
    } else {
        let chosen = form.brokers();
        if chosen.is_empty() {
            errors.add("brokers", Msg::new("group-brokers-required"));
        } else if let Some(unknown) = chosen.iter().find(|b| !known.contains(b)) {
            errors.add(
                "brokers",
                Msg::new("group-broker-unknown").arg("broker", unknown),
            );
        }
        Some(chosen)
    };
    errors.into_result(|| Settings {
        description: form.group_desc.clone(),
        retry_max_time: retries.unwrap_or(16) as u32,
        enabled: checked(&form.enabled),
        broadcast: checked(&form.broadcast),
        orderly: five.then(|| checked(&form.consume_orderly)),
        brokers,
    })
}

/// A switch as the preview shows it.
pub fn yes_no(on: bool) -> String {
    if on { "✓" } else { "✗" }.to_owned()
}

/// The preview lines of settings, `before` (none for a new group) and after.
fn changes(before: Option<&ConsumerGroup>, after: &Settings, name: &str) -> Vec<Change> {
    let was = |f: fn(&ConsumerGroup) -> String| before.map(f).unwrap_or_default();
    let mut lines = vec![
        Change::new(
            "field-name",
            before.map(|g| g.name.clone()).unwrap_or_default(),
            name,
        ),
        Change::new(
            "field-description",
            was(|g| g.group_desc.clone()),
            &after.description,
        ),
        Change::new(
            "group-field-retries",
            was(|g| g.retry_max_time.to_string()),
            after.retry_max_time.to_string(),
        ),
        Change::new(
            "group-field-enabled",
            was(|g| yes_no(g.enabled)),
            yes_no(after.enabled),
        ),
        Change::new(
            "group-field-broadcast",
            was(|g| yes_no(g.broadcast)),
            yes_no(after.broadcast),
        ),
    ];
    if let Some(orderly) = after.orderly {
        lines.push(Change::new(
            "group-field-orderly",
            was(|g| yes_no(g.consume_orderly)),
            yes_no(orderly),
        ));
    }
    if let Some(brokers) = &after.brokers {
        lines.push(Change::new(
            "field-brokers",
            was(|g| g.brokers.join(", ")),
            brokers.join(", "),
        ));
    }
    lines
}

/// The create and edit page: the form, or (with `changes`) the preview and its confirmation.
#[derive(Template)]
#[template(path = "groups/form.html", blocks = ["content"])]
struct FormPage {
    layout: Layout,
    /// `create` or `edit`.
    mode: &'static str,
    action: String,
    cancel: String,
    five: bool,
    brokers: Vec<String>,
    form: FormView,
    changes: Vec<Change>,
    /// What an edit affects: the group's clients and lag now.
    impact: Option<Result<Option<Figures>, ErrorSummary>>,
    problem: Option<ErrorSummary>,
}
crate::page!(FormPage);

impl FormPage {
    fn broker_checked(&self, broker: &str) -> bool {
        self.form.value("brokers").split(',').any(|b| b == broker)
    }
}

/// What a create or edit page needs to know about the instance.
struct Context {
    instance: Instance,
    brokers: Vec<String>,
    nav: InstanceNav,
}

async fn context(user: &CurrentUser, id: &InstanceId) -> Result<Context, WebError> {
    let (instance, nav) = tokio::join!(
        load_instance(user, id),
        InstanceNav::load(user, id, Tab::Groups)
    );
    let instance = instance?;
    let brokers = broker_names(user, &instance).await?;
    Ok(Context {
        instance,
        brokers,
        nav,
    })
}

fn form_page(
    user: &CurrentUser,
    id: &InstanceId,
    context: Context,
    group: Option<&str>,
    form: &GroupForm,
    errors: FormErrors,
) -> FormPage {
    let (mode, title, action, cancel) = match group {
        None => (
            "create",
            "group-create-title",
            format!("/instances/{id}/new-group"),
            format!("/instances/{id}/groups"),
        ),
        Some(name) => (
            "edit",
            "group-edit-title",
            format!("{}/edit", group_href(id.as_str(), name)),
            group_href(id.as_str(), name),
        ),
    };
    let mut layout = Layout::for_user(user, title, Section::Instances)
        .in_instance(context.nav)
        .crumb("groups-title", Some(format!("/instances/{id}/groups")));
    if let Some(name) = group {
        layout = layout.crumb_value(name, Some(group_href(id.as_str(), name)));
    }
    layout = layout.crumb(title, None);
    FormPage {
        layout,
        mode,
        action,
        cancel,
        five: is_5x(&context.instance),
        brokers: context.brokers,
        form: FormView::of(user.ui.lang, form, errors),
        changes: Vec::new(),
        impact: None,
        problem: None,
    }
}

/// `GET /instances/{instance_id}/new-group`.
pub async fn new_group_form(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageGroups)?;
    let id = path.into_inner().instance_id;
    let context = context(&user, &id).await?;
    let form = GroupForm {
        retry_max_time: "16".into(),
        enabled: "on".into(),
        brokers: context.brokers.join(","),
        op: new_op_id(),
        ..Default::default()
    };
    let page = form_page(&user, &id, context, None, &form, FormErrors::new());
    render_page(hx, StatusCode::OK, &page)
}

/// `POST /instances/{instance_id}/new-group`: previews the new group, or (`step=confirm`)
/// creates it.
pub async fn create_group(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageGroups)?;
    let id = path.into_inner().instance_id;
    let mut form = GroupForm::from_pairs(&fields);
    let context = context(&user, &id).await?;
    let five = is_5x(&context.instance);
    let mut errors = FormErrors::new();
    let name = errors.check("name", GroupName::try_from(form.name.trim()));
    let settings = settings(&form, five, &context.brokers);
    let (name, settings) = match (name, settings) {
        (Some(name), Ok(settings)) if errors.is_empty() => (name, settings),
        (_, settings) => {
            if let Err(more) = settings {
                errors.merge(more);
            }
            let page = form_page(&user, &id, context, None, &form, errors);
            return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    if Step::of(&form.step) == Step::Preview {
        let lines = changes(None, &settings, name.as_str());
        let mut page = form_page(&user, &id, context, None, &form, FormErrors::new());
        page.changes = lines;
        return render_page(hx, StatusCode::OK, &page);
    }
    let body = CreateConsumerGroupReq {
        name: name.to_string(),
        brokers: settings.brokers.clone(),
        broadcast: Some(settings.broadcast),
        retry_max_time: Some(settings.retry_max_time),
        enabled: Some(settings.enabled),
        consume_orderly: settings.orderly,
        group_desc: Some(settings.description.clone()),
    };
    let action = Audited::new(
        &request,
        &user,
        Permission::ManageGroups,
        "CreateConsumerGroup",
        format!("instance/{id}/group/{name}"),
        serde_json::to_value(&body).unwrap_or_default(),
        &form.op,
    );
    let budget = user.budget(&id);
    let result = audited(
        action,
        budget.run(user.dms.create_consumer_group(id.as_str(), &body)),
    )
    .await?;
    user.state.lists.invalidate(id.as_str());
    let href = group_href(id.as_str(), name.as_str());
    match result {
        Ok(_) => Ok(redirect(hx, &href)),
        Err(error) => {
            let mut errors = FormErrors::new();
            let field = refused_field(&error, FIELDS, BY_CODE, "_form");
            if field != "_form" {
                errors.from_dms(field, &error);
            }
            // A new operation id: trying again after a failure is a new, deliberate change.
            form.op = new_op_id();
            form.step = String::new();
            let mut page = form_page(&user, &id, context, None, &form, errors);
            page.problem =
                Some(ErrorSummary::upstream("groups-op-create", &error).check_state_at(href));
            render_page(hx, upstream_status(&error), &page)
        }
    }
}

/// `GET /instances/{instance_id}/groups/{group}/edit`.
pub async fn edit_group_form(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<GroupPath>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageGroups)?;
    let GroupPath {
        instance_id: id,
        group,
    } = path.into_inner();
    let (group, context) = tokio::join!(load_group(&user, &id, &group), context(&user, &id));
    let group = group?;
    let form = GroupForm::of(&group);
    let page = form_page(
        &user,
        &id,
        context?,
        Some(&group.name),
        &form,
        FormErrors::new(),
    );
    render_page(hx, StatusCode::OK, &page)
}

/// `POST /instances/{instance_id}/groups/{group}/edit`: previews the change, or
/// (`step=confirm`) saves it.
pub async fn update_group(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<GroupPath>,
    fields: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageGroups)?;
    let GroupPath {
        instance_id: id,
        group,
    } = path.into_inner();
    let mut form = GroupForm::from_pairs(&fields);
    let (group, context) = tokio::join!(load_group(&user, &id, &group), context(&user, &id));
    let (group, context) = (group?, context?);
    form.name = group.name.clone();
    let five = is_5x(&context.instance);
    let settings = match settings(&form, five, &context.brokers) {
        Ok(settings) => settings,
        Err(errors) => {
            let page = form_page(&user, &id, context, Some(&group.name), &form, errors);
            return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    if Step::of(&form.step) == Step::Preview {
        let lines = changes(Some(&group), &settings, &group.name);
        let mut page = form_page(
            &user,
            &id,
            context,
            Some(&group.name),
            &form,
            FormErrors::new(),
        );
        page.changes = lines;
        page.impact = Some(impact(&user, &id, &group.name).await);
        return render_page(hx, StatusCode::OK, &page);
    }
    let body = UpdateConsumerGroupReq {
        enabled: settings.enabled,
        broadcast: settings.broadcast,
        brokers: settings.brokers.clone(),
        name: Some(group.name.clone()),
        retry_max_time: settings.retry_max_time,
        consume_orderly: settings.orderly,
        group_desc: Some(settings.description.clone()),
    };
    let params = serde_json::json!({
        "before": group,
        "after": serde_json::to_value(&body).unwrap_or_default(),
    });
    let action = Audited::new(
        &request,
        &user,
        Permission::ManageGroups,
        "UpdateConsumerGroup",
        format!("instance/{id}/group/{}", group.name),
        params,
        &form.op,
    );
    let budget = user.budget(&id);
    let result = audited(
        action,
        budget.run(
            user.dms
                .update_consumer_group(id.as_str(), &group.name, &body),
        ),
    )
    .await?;
    user.state.lists.invalidate(id.as_str());
    let href = group_href(id.as_str(), &group.name);
    match result {
        Ok(_) => Ok(redirect(hx, &href)),
        Err(error) => {
            let mut errors = FormErrors::new();
            let field = refused_field(&error, FIELDS, BY_CODE, "_form");
            if field != "_form" {
                errors.from_dms(field, &error);
            }
            form.op = new_op_id();
            form.step = String::new();
            let mut page = form_page(&user, &id, context, Some(&group.name), &form, errors);
            page.problem =
                Some(ErrorSummary::upstream("groups-op-update", &error).check_state_at(href));
            render_page(hx, upstream_status(&error), &page)
        }
    }
}

/// The delete page: what deleting affects, and the typed confirmation.
#[derive(Template)]
#[template(path = "groups/delete.html", blocks = ["content"])]
struct DeletePage {
    layout: Layout,
    group: String,
    href: String,
    impact: Result<Option<Figures>, ErrorSummary>,
    form: FormView,
    problem: Option<ErrorSummary>,
}
crate::page!(DeletePage);

/// The delete form: the typed name and the operation id.
#[derive(Debug, Default, serde::Deserialize, Serialize)]
#[serde(default)]
pub struct DeleteForm {
    confirm: String,
    op: String,
}

/// What deleting `group` affects: its figures read now (`None` when they did not arrive
/// before the view's deadline).
async fn impact(
    user: &CurrentUser,
    id: &InstanceId,
    group: &str,
) -> Result<Option<Figures>, ErrorSummary> {
    let budget = user.budget(id);
    match tokio::time::timeout(
        VIEW_DEADLINE,
        lag::read_figures(&user.dms, &budget, id.as_str(), group),
    )
    .await
    {
        Ok(Ok(figures)) => Ok(Some(figures)),
        Ok(Err(error)) => Err(ErrorSummary::upstream("op-read-group-lag", &error)),
        Err(_) => Ok(None),
    }
}

async fn delete_page(
    user: &CurrentUser,
    id: &InstanceId,
    group: &GroupName,
    form: &DeleteForm,
    errors: FormErrors,
) -> Result<DeletePage, WebError> {
    let (loaded, nav, impact) = tokio::join!(
        load_group(user, id, group),
        InstanceNav::load(user, id, Tab::Groups),
        impact(user, id, group.as_str())
    );
    let group = loaded?;
    let href = group_href(id.as_str(), &group.name);
    Ok(DeletePage {
        layout: Layout::for_user(user, "group-delete-title", Section::Instances)
            .in_instance(nav)
            .crumb("groups-title", Some(format!("/instances/{id}/groups")))
            .crumb_value(group.name.clone(), Some(href.clone()))
            .crumb("group-delete-title", None),
        group: group.name,
        href,
        impact,
        form: FormView::of(user.ui.lang, form, errors),
        problem: None,
    })
}

/// `GET /instances/{instance_id}/groups/{group}/delete`.
pub async fn delete_group_form(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<GroupPath>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageGroups)?;
    let GroupPath {
        instance_id: id,
        group,
    } = path.into_inner();
    let form = DeleteForm {
        op: new_op_id(),
        ..Default::default()
    };
    let page = delete_page(&user, &id, &group, &form, FormErrors::new()).await?;
    render_page(hx, StatusCode::OK, &page)
}

/// `POST /instances/{instance_id}/groups/{group}/delete`: needs the group's name typed.
pub async fn delete_group(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<GroupPath>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageGroups)?;
    let GroupPath {
        instance_id: id,
        group,
    } = path.into_inner();
    let mut form = form.into_inner();
    let mut errors = FormErrors::new();
    confirm(&mut errors, "confirm", &form.confirm, group.as_str());
    if !errors.is_empty() {
        let page = delete_page(&user, &id, &group, &form, errors).await?;
        return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let action = Audited::new(
        &request,
        &user,
        Permission::ManageGroups,
        "DeleteConsumerGroup",
        format!("instance/{id}/group/{group}"),
        serde_json::json!({"name": group.as_str()}),
        &form.op,
    );
    let budget = user.budget(&id);
    let result = audited(
        action,
        budget.run(user.dms.delete_consumer_group(id.as_str(), group.as_str())),
    )
    .await?;
    user.state.lists.invalidate(id.as_str());
    match result {
        Ok(_) => Ok(redirect(hx, &format!("/instances/{id}/groups"))),
        Err(error) => {
            form.op = new_op_id();
            form.confirm = String::new();
            let href = group_href(id.as_str(), group.as_str());
            let problem = ErrorSummary::upstream("groups-op-delete", &error).check_state_at(href);
            match delete_page(&user, &id, &group, &form, FormErrors::new()).await {
                Ok(mut page) => {
                    page.problem = Some(problem);
                    render_page(hx, upstream_status(&error), &page)
                }
                // The group is gone after all (a lost answer): say what happened anyway.
                Err(_) => Err(WebError::upstream_change(
                    "groups-op-delete",
                    error,
                    format!("/instances/{id}/groups"),
                )),
            }
        }
    }
}
