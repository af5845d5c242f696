//! The audited instance changes: edit (name, description) with a preview of what changes,
//! restart (after saying what it does), and delete (confirmed by typing the name).
//!
//! Each is the console's change pattern: the raw form converts into a typed command or
//! [`FormErrors`]; the first post previews, the second (`step=confirm`) runs the change once
//! (its operation id is claimed in the ledger) inside [`audited`].

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use crate::api::ErrorKind;
use crate::api::models::instances::{Instance, UpdateInstanceReq};
use crate::domain::{InstanceId, InstanceName};
use crate::web::audit::audited::{Audited, audited};
use crate::web::error::{ErrorSummary, WebError, upstream_status};
use crate::web::forms::{Change, FormErrors, FormView, Step, confirm};
use crate::web::htmx::{HxRequest, redirect, render_page};
use crate::web::layout::{InstanceNav, Layout, Section, Tab};
use crate::web::ledger::new_op_id;
use crate::web::paths::InstancePath;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

use super::not_found;

/// The longest description DMS accepts.
const DESCRIPTION_MAX: usize = 1024;

/// The edit form as posted.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EditForm {
    name: String,
    description: String,
    op: String,
    step: String,
}

/// A valid edit.
struct InstanceEdit {
    name: InstanceName,
    description: String,
}

impl TryFrom<&EditForm> for InstanceEdit {
    type Error = FormErrors;
    fn try_from(form: &EditForm) -> Result<Self, FormErrors> {
        let mut errors = FormErrors::new();
        let name = errors.check("name", InstanceName::try_from(form.name.trim()));
        errors.max_chars("description", &form.description, DESCRIPTION_MAX);
        match name {
            Some(name) if errors.is_empty() => Ok(Self {
                name,
                description: form.description.clone(),
            }),
            _ => Err(errors),
        }
    }
}

/// The edit page: the form, or (with `changes`) the preview and its confirmation.
#[derive(Template)]
#[template(path = "instances/edit.html", blocks = ["content"])]
struct EditPage {
    layout: Layout,
    instance_id: String,
    form: FormView,
    changes: Vec<Change>,
    problem: Option<ErrorSummary>,
}
crate::page!(EditPage);

async fn load(
    user: &CurrentUser,
    id: &InstanceId,
    tab: Tab,
) -> Result<(Instance, InstanceNav), WebError> {
    let (instance, nav) = tokio::join!(
        user.dms.show_instance(id.as_str()),
        InstanceNav::load(user, id, tab)
    );
    match instance {
        Ok(reply) => Ok((reply.into_inner(), nav)),
        Err(e) if e.kind == ErrorKind::NotFound => Err(not_found(id)),
        Err(e) => Err(WebError::upstream("op-read-instance", e)),
    }
}

fn change_layout(user: &CurrentUser, nav: InstanceNav, title_key: &str) -> Layout {
    let mut layout = Layout::for_user(user, title_key, Section::Instances).in_instance(nav);
    layout = layout.crumb(title_key, None);
    layout
}

/// `GET /instances/{instance_id}/edit`.
pub async fn edit_instance_form(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ModifyInstances)?;
    let id = path.into_inner().instance_id;
    let (instance, nav) = load(&user, &id, Tab::Overview).await?;
    let form = EditForm {
        name: instance.name,
        description: instance.description,
        op: new_op_id(),
        step: String::new(),
    };
    let page = EditPage {
        layout: change_layout(&user, nav, "edit-title"),
        instance_id: id.to_string(),
        form: FormView::of(user.ui.lang, &form, FormErrors::new()),
        changes: Vec::new(),
        problem: None,
    };
    render_page(hx, StatusCode::OK, &page)
}

/// `POST /instances/{instance_id}/edit`: previews the change, or (`step=confirm`) saves it.
pub async fn update_instance(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
    form: web::Form<EditForm>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ModifyInstances)?;
    let id = path.into_inner().instance_id;
    let mut form = form.into_inner();
    let (instance, nav) = load(&user, &id, Tab::Overview).await?;
    let mut page = EditPage {
        layout: change_layout(&user, nav, "edit-title"),
        instance_id: id.to_string(),
        form: FormView::default(),
        changes: Vec::new(),
        problem: None,
    };
    let edit = match InstanceEdit::try_from(&form) {
        Ok(edit) => edit,
        Err(errors) => {
            page.form = FormView::of(user.ui.lang, &form, errors);
            return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    if Step::of(&form.step) == Step::Preview {
        page.changes = vec![
            Change::new("field-name", &instance.name, edit.name.as_str()),
            Change::new(
                "field-description",
                &instance.description,
                &edit.description,
            ),
        ];
        page.form = FormView::of(user.ui.lang, &form, FormErrors::new());
        return render_page(hx, StatusCode::OK, &page);
    }
    let body = UpdateInstanceReq {
        name: Some(edit.name.to_string()),
        description: Some(edit.description.clone()),
        ..Default::default()
    };
    let params = serde_json::json!({
        "name": {"before": instance.name, "after": body.name},
        "description": {"before": instance.description, "after": body.description},
    });
    let action = Audited::new(
        &request,
        &user,
        Permission::ModifyInstances,
        "UpdateInstance",
        format!("instance/{id}"),
        params,
        &form.op,
    );
    let result = audited(action, user.dms.update_instance(id.as_str(), &body)).await?;
    user.state.lists.invalidate(id.as_str());
    match result {
        Ok(_) => Ok(redirect(hx, &format!("/instances/{id}"))),
        Err(error) => {
            let mut errors = FormErrors::new();
            if error.code.as_deref() == Some("DMS.00400010") {
                errors.from_dms("name", &error);
            }
            // A new operation id: trying again after a failure is a new, deliberate change.
            form.op = new_op_id();
            form.step = String::new();
            page.form = FormView::of(user.ui.lang, &form, errors);
            page.problem = Some(
                ErrorSummary::upstream("op-save-instance", &error)
                    .check_state_at(format!("/instances/{id}")),
            );
            render_page(hx, upstream_status(&error), &page)
        }
    }
}

/// A confirmation form: its operation id and, for delete, the typed name.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ConfirmForm {
    confirm: String,
    op: String,
}

impl ConfirmForm {
    /// An empty form with a new operation id.
    fn fresh() -> Self {
        Self {
            op: new_op_id(),
            ..Default::default()
        }
    }
}

/// The restart or delete page with a fresh form, and `problem` when the last try failed.
async fn show_confirm(
    user: &CurrentUser,
    hx: HxRequest,
    id: &InstanceId,
    action: &'static str,
    problem: Option<(&'static str, crate::api::ApiError)>,
) -> Result<HttpResponse, WebError> {
    let (mut page, _) =
        confirm_page(user, id, action, &ConfirmForm::fresh(), FormErrors::new()).await?;
    let status = match problem {
        None => StatusCode::OK,
        Some((what, error)) => {
            page.problem = Some(
                ErrorSummary::upstream(what, &error).check_state_at(format!("/instances/{id}")),
            );
            upstream_status(&error)
        }
    };
    render_page(hx, status, &page)
}

/// The restart or delete page: what will happen, and the form that does it.
#[derive(Template)]
#[template(path = "instances/confirm.html", blocks = ["content"])]
struct ConfirmPage {
    layout: Layout,
    instance_id: String,
    name: String,
    status: String,
    /// `restart` or `delete`.
    action: &'static str,
    form: FormView,
    problem: Option<ErrorSummary>,
}
crate::page!(ConfirmPage);

async fn confirm_page(
    user: &CurrentUser,
    id: &InstanceId,
    action: &'static str,
    form: &ConfirmForm,
    errors: FormErrors,
) -> Result<(ConfirmPage, Instance), WebError> {
    let (instance, nav) = load(user, id, Tab::Overview).await?;
    let title = if action == "delete" {
        "delete-title"
    } else {
        "restart-title"
    };
    Ok((
        ConfirmPage {
            layout: change_layout(user, nav, title),
            instance_id: id.to_string(),
            name: instance.name.clone(),
            status: instance.status.clone(),
            action,
            form: FormView::of(user.ui.lang, form, errors),
            problem: None,
        },
        instance,
    ))
}

/// `GET /instances/{instance_id}/restart`: what a restart does, and the button.
pub async fn restart_instance_form(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ModifyInstances)?;
    show_confirm(&user, hx, &path.into_inner().instance_id, "restart", None).await
}

/// `POST /instances/{instance_id}/restart`.
pub async fn restart_instance(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
    form: web::Form<ConfirmForm>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ModifyInstances)?;
    let id = path.into_inner().instance_id;
    let action = Audited::new(
        &request,
        &user,
        Permission::ModifyInstances,
        "RestartInstance",
        format!("instance/{id}"),
        serde_json::json!({}),
        &form.op,
    );
    let result = audited(action, user.dms.restart_instance(id.as_str())).await?;
    user.state.lists.invalidate(id.as_str());
    match result {
        Ok(_) => Ok(redirect(hx, &format!("/instances/{id}"))),
        Err(error) => {
            show_confirm(
                &user,
                hx,
                &id,
                "restart",
                Some(("op-restart-instance", error)),
            )
            .await
        }
    }
}

/// `GET /instances/{instance_id}/delete`.
pub async fn delete_instance_form(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::DeleteInstances)?;
    show_confirm(&user, hx, &path.into_inner().instance_id, "delete", None).await
}

/// `POST /instances/{instance_id}/delete`: needs the instance's name typed as confirmation.
pub async fn delete_instance(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
    form: web::Form<ConfirmForm>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::DeleteInstances)?;
    let id = path.into_inner().instance_id;
    let mut form = form.into_inner();
    let (instance, _) = load(&user, &id, Tab::Overview).await?;
    let mut errors = FormErrors::new();
    confirm(&mut errors, "confirm", &form.confirm, &instance.name);
    if !errors.is_empty() {
        let (page, _) = confirm_page(&user, &id, "delete", &form, errors).await?;
        return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let action = Audited::new(
        &request,
        &user,
        Permission::DeleteInstances,
        "DeleteInstance",
        format!("instance/{id}"),
        serde_json::json!({"name": instance.name}),
        &form.op,
    );
    let result = audited(action, user.dms.delete_instance(id.as_str())).await?;
    user.state.lists.invalidate(id.as_str());
    match result {
        Ok(_) => Ok(redirect(hx, "/instances")),
        Err(error) => {
            form.op = new_op_id();
            let (mut page, _) =
                confirm_page(&user, &id, "delete", &form, FormErrors::new()).await?;
            page.problem = Some(
                ErrorSummary::upstream("op-delete-instance", &error)
                    .check_state_at(format!("/instances/{id}")),
            );
            render_page(hx, upstream_status(&error), &page)
        }
    }
}
