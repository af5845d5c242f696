//! The audited instance changes: edit (name, description), restart and delete (confirmed by
//! typing the name).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::api::models::instances::{Instance, UpdateInstanceReq};
use crate::api::{ApiError, ErrorKind};
use crate::domain::{InstanceId, InstanceName, NameRule};
use crate::web::audit_log::{Audited, audited};
use crate::web::error::{ErrorSummary, WebError};
use crate::web::htmx::{HxRequest, redirect};
use crate::web::layout::Layout;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

use super::{parse_id, render, summary};

/// The edit form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EditForm {
    name: String,
    description: String,
}

#[derive(Template)]
#[template(path = "instances/edit.html", blocks = ["content"])]
struct EditPage {
    layout: Layout,
    instance_id: String,
    name: String,
    description: String,
    name_error: String,
    description_error: String,
    problem: Option<ErrorSummary>,
}

async fn instance_or_404(user: &CurrentUser, id: &str) -> Result<Instance, WebError> {
    match user.dms.show_instance(id).await {
        Ok(reply) => Ok(reply.into_inner()),
        Err(e) if e.kind == ErrorKind::NotFound => Err(WebError::NotFound(format!(
            "There is no instance with id {id} in this project."
        ))),
        Err(e) => Err(WebError::upstream("Reading the instance", e)),
    }
}

fn edit_layout(user: &CurrentUser, id: &str, name: &str, what: &str) -> Layout {
    Layout::for_user(user, format!("{what} {name}"), "instances")
        .crumb("Instances", Some("/instances".into()))
        .crumb(name.to_owned(), Some(format!("/instances/{id}")))
        .crumb(what.to_owned(), None)
}

/// `GET /instances/{instance_id}/edit`.
pub async fn edit_instance_form(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ModifyInstances)?;
    let instance_id = parse_id(&path)?;
    let instance = instance_or_404(&user, instance_id.as_ref()).await?;
    let page = EditPage {
        layout: edit_layout(&user, instance_id.as_ref(), &instance.name, "Edit"),
        instance_id: instance_id.to_string(),
        name: instance.name,
        description: instance.description,
        name_error: String::new(),
        description_error: String::new(),
        problem: None,
    };
    render(hx, StatusCode::OK, &page, || page.as_content().render())
}

/// `POST /instances/{instance_id}/edit`.
pub async fn update_instance(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<String>,
    form: web::Form<EditForm>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ModifyInstances)?;
    let instance_id = parse_id(&path)?;
    let form = form.into_inner();
    let mut page = EditPage {
        layout: edit_layout(&user, instance_id.as_ref(), &form.name, "Edit"),
        instance_id: instance_id.to_string(),
        name: form.name.trim().to_owned(),
        description: form.description.clone(),
        name_error: String::new(),
        description_error: String::new(),
        problem: None,
    };
    let name = InstanceName::try_from(page.name.clone());
    if let Err(error) = &name {
        page.name_error = format!(
            "The name must be {}.",
            NameRule::INSTANCE_RENAME.description
        );
        let _ = error;
    }
    if form.description.chars().count() > 1024 {
        page.description_error = "The description can have at most 1024 characters.".into();
    }
    if !page.name_error.is_empty() || !page.description_error.is_empty() {
        return render(hx, StatusCode::UNPROCESSABLE_ENTITY, &page, || {
            page.as_content().render()
        });
    }
    let body = UpdateInstanceReq {
        name: name.ok().map(String::from),
        description: Some(form.description.clone()),
        ..Default::default()
    };
    let params = serde_json::json!({"name": body.name, "description": body.description});
    let action = Audited::new(
        &request,
        &user,
        Permission::ModifyInstances,
        "UpdateInstance",
        format!("instance/{instance_id}"),
        params,
    );
    match audited(
        action,
        user.dms.update_instance(instance_id.as_ref(), &body),
    )
    .await?
    {
        Ok(_) => Ok(redirect(hx, &format!("/instances/{instance_id}"))),
        Err(error) => {
            if error.kind == ErrorKind::Validation && error.code.as_deref() == Some("DMS.00400010")
            {
                page.name_error = error.message.clone();
            }
            page.problem = Some(change_problem("Saving the instance", &error, &instance_id));
            render(hx, failure_status(&error), &page, || {
                page.as_content().render()
            })
        }
    }
}

/// `POST /instances/{instance_id}/restart`.
pub async fn restart_instance(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ModifyInstances)?;
    let instance_id = parse_id(&path)?;
    let action = Audited::new(
        &request,
        &user,
        Permission::ModifyInstances,
        "RestartInstance",
        format!("instance/{instance_id}"),
        serde_json::json!({}),
    );
    match audited(action, user.dms.restart_instance(instance_id.as_ref())).await? {
        Ok(_) => Ok(redirect(hx, &format!("/instances/{instance_id}"))),
        Err(error) => Err(WebError::upstream_change(
            "Restarting the instance",
            error,
            format!("/instances/{instance_id}"),
        )),
    }
}

#[derive(Template)]
#[template(path = "instances/delete.html", blocks = ["content"])]
struct DeletePage {
    layout: Layout,
    instance_id: String,
    name: String,
    confirm: String,
    confirm_error: String,
    problem: Option<ErrorSummary>,
}

/// The delete confirmation's field.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    confirm: String,
}

/// `GET /instances/{instance_id}/delete`.
pub async fn delete_instance_form(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::DeleteInstances)?;
    let instance_id = parse_id(&path)?;
    let instance = instance_or_404(&user, instance_id.as_ref()).await?;
    let page = DeletePage {
        layout: edit_layout(&user, instance_id.as_ref(), &instance.name, "Delete"),
        instance_id: instance_id.to_string(),
        name: instance.name,
        confirm: String::new(),
        confirm_error: String::new(),
        problem: None,
    };
    render(hx, StatusCode::OK, &page, || page.as_content().render())
}

/// `POST /instances/{instance_id}/delete`: needs the instance's name typed as confirmation.
pub async fn delete_instance(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<String>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::DeleteInstances)?;
    let instance_id = parse_id(&path)?;
    let instance = instance_or_404(&user, instance_id.as_ref()).await?;
    let mut page = DeletePage {
        layout: edit_layout(&user, instance_id.as_ref(), &instance.name, "Delete"),
        instance_id: instance_id.to_string(),
        name: instance.name.clone(),
        confirm: form.confirm.clone(),
        confirm_error: String::new(),
        problem: None,
    };
    if form.confirm.trim() != instance.name {
        page.confirm_error = format!("Type the instance's name, {}, to confirm.", instance.name);
        return render(hx, StatusCode::UNPROCESSABLE_ENTITY, &page, || {
            page.as_content().render()
        });
    }
    let params = serde_json::json!({"name": instance.name});
    let action = Audited::new(
        &request,
        &user,
        Permission::DeleteInstances,
        "DeleteInstance",
        format!("instance/{instance_id}"),
        params,
    );
    match audited(action, user.dms.delete_instance(instance_id.as_ref())).await? {
        Ok(_) => Ok(redirect(hx, "/instances")),
        Err(error) => {
            page.problem = Some(change_problem(
                "Deleting the instance",
                &error,
                &instance_id,
            ));
            render(hx, failure_status(&error), &page, || {
                page.as_content().render()
            })
        }
    }
}

/// What a form shows after a change failed; when DMS may have carried it out after all, with
/// the dashboard, where the instance's current state can be read back.
fn change_problem(what: &str, error: &ApiError, instance_id: &InstanceId) -> ErrorSummary {
    let mut problem = summary(what, error);
    if error.outcome_unknown {
        problem.check_state = Some(format!("/instances/{instance_id}"));
    }
    problem
}

/// The status of a form shown again after DMS refused the change: 422 when the input was
/// refused (the operator can fix it), 502 when DMS failed.
fn failure_status(error: &ApiError) -> StatusCode {
    if matches!(error.kind, ErrorKind::Validation | ErrorKind::Conflict) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::BAD_GATEWAY
    }
}
