//! The audited changes of one topic: create (5.x: message type and queues; 4.8.0: brokers,
//! queues per broker and permission; both: a description), edit (4.8.0: queues and
//! permission; both: the description) and delete (after a preview of what the topic feeds:
//! its consuming groups, their online clients, the messages it stores; confirmed by typing
//! its name).
//!
//! Each follows the console's change pattern: raw form → typed command or `FormErrors` (the
//! name rule is checked in the browser by the field's pattern and again here) → preview →
//! `step=confirm` runs the change once inside `audited`; DMS refusals land next to the field
//! they name.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::impact::{self, Impact};
use super::{
    DEFAULT_QUEUES, DESCRIPTION_MAX, MESSAGE_TYPES, PERMISSIONS, broker_names, instance_and_nav,
    is_5x, kind_key, topic_href, topic_layout, topic_not_found,
};
use crate::api::models::instances::Instance;
use crate::api::models::topics::{CreateTopicReq, Topic, TopicQueues, UpdateTopicReq};
use crate::api::{ApiError, ErrorKind};
use crate::domain::{InstanceId, NameRule, TopicName};
use crate::web::audit::audited::{Audited, audited};
use crate::web::error::{ErrorSummary, WebError, upstream_status};
use crate::web::forms::{Change, FormErrors, FormView, Step, confirm, refused_field};
use crate::web::htmx::{HxRequest, redirect, render_page};
use crate::web::i18n::Msg;
use crate::web::layout::{InstanceNav, Layout, Tab};
use crate::web::ledger::new_op_id;
use crate::web::paths::{InstancePath, TopicPath};
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

/// How long a delete preview waits for the topic's consumers.
const IMPACT_DEADLINE: Duration = Duration::from_millis(3_000);

/// The create form as posted (`broker` may repeat; the preview carries them as `brokers`).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CreateForm {
    name: String,
    message_type: String,
    permission: String,
    queue_num: String,
    brokers: String,
    description: String,
    op: String,
    step: String,
}

impl CreateForm {
    /// The form from its fields, collecting the repeated `broker` checkboxes.
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        let mut brokers: Vec<String> = Vec::new();
        for (name, value) in pairs {
            match name.as_str() {
                "name" => form.name = value,
                "message_type" => form.message_type = value,
                "permission" => form.permission = value,
                "queue_num" => form.queue_num = value,
                "broker" => brokers.push(value),
                "brokers" => brokers.extend(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|b| !b.is_empty())
                        .map(str::to_owned),
                ),
                "description" => form.description = value,
                "op" => form.op = value,
                "step" => form.step = value,
                _ => {}
            }
        }
        form.brokers = brokers.join(",");
        form
    }

    fn broker_list(&self) -> Vec<String> {
        self.brokers
            .split(',')
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

/// A valid new topic.
struct NewTopic {
    name: TopicName,
    /// 5.x: the message type.
    message_type: Option<String>,
    /// 4.8.0: the permission.
    permission: Option<String>,
    /// 4.8.0: the brokers.
    brokers: Vec<String>,
    queues: u32,
    description: String,
}

impl NewTopic {
    fn check(form: &CreateForm, five: bool, known_brokers: &[String]) -> Result<Self, FormErrors> {
        let mut errors = FormErrors::new();
        let name = errors.check("name", TopicName::try_from(form.name.trim()));
        let queues = errors.integer("queue_num", &form.queue_num, 1, 50, Some(DEFAULT_QUEUES));
        errors.max_chars("description", &form.description, DESCRIPTION_MAX);
        let (message_type, permission, brokers) = if five {
            let kind = errors
                .one_of("message_type", form.message_type.trim(), MESSAGE_TYPES)
                .map(str::to_owned);
            (kind, None, Vec::new())
        } else {
            let permission = errors
                .one_of("permission", form.permission.trim(), PERMISSIONS)
                .map(str::to_owned);
            let brokers = form.broker_list();
            if brokers.is_empty() {
                errors.add("brokers", Msg::new("topic-brokers-required"));
            }
            if let Some(unknown) = brokers.iter().find(|b| !known_brokers.contains(b)) {
                errors.add(
                    "brokers",
                    Msg::new("topic-broker-unknown").arg("broker", unknown.as_str()),
                );
            }
            (None, permission, brokers)
        };
        match (name, queues) {
            (Some(name), Some(queues)) if errors.is_empty() => Ok(Self {
                name,
                message_type,
                permission,
                brokers,
                queues: queues as u32,
                description: form.description.clone(),
            }),
            _ => Err(errors),
        }
    }

    fn request(&self) -> CreateTopicReq {
        let mut body = CreateTopicReq {
            name: self.name.to_string(),
            ..CreateTopicReq::default()
        };
        match &self.message_type {
            Some(kind) => {
                body.message_type = Some(kind.clone());
                body.queue_num = Some(self.queues);
            }
            None => {
                body.brokers = Some(self.brokers.clone());
                body.queues = Some(
                    self.brokers
                        .iter()
                        .map(|b| TopicQueues {
                            broker: b.clone(),
                            queue_num: self.queues,
                        })
                        .collect(),
                );
                body.permission = self.permission.clone();
            }
        }
        body
    }

    fn changes(&self, lang: crate::web::i18n::Lang) -> Vec<Change> {
        let mut changes = vec![Change::new("field-name", "", self.name.as_str())];
        if let Some(kind) = &self.message_type {
            changes.push(Change::new("topics-col-type", "", lang.t(kind_key(kind))));
        }
        if let Some(permission) = &self.permission {
            changes.push(Change::new(
                "topics-col-permission",
                "",
                lang.t(kind_key(permission)),
            ));
            changes.push(Change::new(
                "topics-col-brokers",
                "",
                self.brokers.join(", "),
            ));
        }
        changes.push(Change::new(
            "topic-queues-per-broker",
            "",
            self.queues.to_string(),
        ));
        changes.push(Change::new("field-description", "", &self.description));
        changes
    }
}

#[derive(Template)]
#[template(path = "topics/create.html", blocks = ["content"])]
struct CreatePage {
    layout: Layout,
    instance_id: String,
    five: bool,
    brokers: Vec<String>,
    kinds: &'static [&'static str],
    permissions: &'static [&'static str],
    form: FormView,
    changes: Vec<Change>,
    problem: Option<ErrorSummary>,
    /// After a create whose description could not be saved: the new topic's page.
    created: Option<String>,
    name_pattern: String,
}
crate::page!(CreatePage);

impl CreatePage {
    fn kind_label(&self, value: &str) -> String {
        self.t(kind_key(value))
    }

    fn broker_checked(&self, broker: &str) -> bool {
        self.form
            .value("brokers")
            .split(',')
            .any(|b| b.trim() == broker)
    }
}

async fn create_page(
    user: &CurrentUser,
    id: &InstanceId,
) -> Result<(CreatePage, Instance), WebError> {
    let (instance, nav) = instance_and_nav(user, id, Tab::Topics).await?;
    let brokers = if is_5x(&instance) {
        Vec::new()
    } else {
        broker_names(user, id)
            .await
            .map_err(|e| WebError::upstream("op-list-brokers", e))?
    };
    let page = CreatePage {
        layout: topic_layout(
            user,
            nav,
            "topic-create-title",
            None,
            Some("topic-create-title"),
        ),
        instance_id: id.to_string(),
        five: is_5x(&instance),
        brokers,
        kinds: MESSAGE_TYPES,
        permissions: PERMISSIONS,
        form: FormView::empty(user.ui.lang),
        changes: Vec::new(),
        problem: None,
        created: None,
        name_pattern: NameRule::TOPIC.html_pattern(),
    };
    Ok((page, instance))
}

/// `GET /instances/{instance_id}/new-topic`.
pub async fn create_topic_form(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageTopics)?;
    let id = path.into_inner().instance_id;
    let (mut page, _) = create_page(&user, &id).await?;
    let form = CreateForm {
        message_type: "NORMAL".into(),
        permission: "all".into(),
        queue_num: DEFAULT_QUEUES.to_string(),
        brokers: page.brokers.join(","),
        op: new_op_id(),
        ..CreateForm::default()
    };
    page.form = FormView::of(user.ui.lang, &form, FormErrors::new());
    render_page(hx, StatusCode::OK, &page)
}

/// `POST /instances/{instance_id}/new-topic`: previews, or (`step=confirm`) creates.
pub async fn create_topic(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageTopics)?;
    let id = path.into_inner().instance_id;
    let mut form = CreateForm::from_pairs(form.into_inner());
    let (mut page, instance) = create_page(&user, &id).await?;
    let new = match NewTopic::check(&form, is_5x(&instance), &page.brokers) {
        Ok(new) => new,
        Err(errors) => {
            page.form = FormView::of(user.ui.lang, &form, errors);
            return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    if Step::of(&form.step) == Step::Preview {
        page.changes = new.changes(user.ui.lang);
        page.form = FormView::of(user.ui.lang, &form, FormErrors::new());
        return render_page(hx, StatusCode::OK, &page);
    }
    let body = new.request();
    let action = Audited::new(
        &request,
        &user,
        Permission::ManageTopics,
        "CreateTopicOrBatchDeleteTopic",
        format!("instance/{id}/topic/{}", new.name),
        serde_json::to_value(&body).unwrap_or_default(),
        &form.op,
    );
    let result = audited(
        action,
        user.budget(&id)
            .run(user.dms.create_topic(id.as_str(), &body)),
    )
    .await?;
    user.state.lists.invalidate(id.as_str());
    let href = topic_href(id.as_str(), new.name.as_str());
    if let Err(error) = result {
        let mut errors = FormErrors::new();
        let field = refused_field(
            &error,
            &["name", "message_type", "permission", "queue_num", "brokers"],
            &[
                ("DMS.10240017", "name"),
                ("DMS.10240007", "name"),
                ("DMS.00400800", "name"),
            ],
            "_form",
        );
        errors.from_dms(field, &error);
        // A new operation id: trying again after a failure is a new, deliberate change.
        form.op = new_op_id();
        form.step = String::new();
        page.form = FormView::of(user.ui.lang, &form, errors);
        page.problem =
            Some(ErrorSummary::upstream("op-create-topic", &error).check_state_at(&href));
        return render_page(hx, upstream_status(&error), &page);
    }
    if new.description.is_empty() {
        return Ok(redirect(hx, &href));
    }
    // DMS takes a description only on update (§5.3.5): a second change, audited on its own.
    let describe = Audited::new(
        &request,
        &user,
        Permission::ManageTopics,
        "UpdateTopic",
        format!("instance/{id}/topic/{}", new.name),
        serde_json::json!({"topic_desc": new.description}),
        &format!("{}-d", form.op),
    );
    let body = UpdateTopicReq {
        topic_desc: Some(new.description.clone()),
        ..UpdateTopicReq::default()
    };
    let described = audited(
        describe,
        user.budget(&id)
            .run(user.dms.update_topic(id.as_str(), new.name.as_str(), &body)),
    )
    .await?;
    match described {
        Ok(_) => Ok(redirect(hx, &href)),
        Err(error) => {
            page.form = FormView::of(user.ui.lang, &form, FormErrors::new());
            page.problem = Some(ErrorSummary::upstream("op-save-topic-description", &error));
            page.created = Some(href);
            render_page(hx, upstream_status(&error), &page)
        }
    }
}

/// The edit form as posted.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EditForm {
    read_queue_num: String,
    write_queue_num: String,
    permission: String,
    description: String,
    op: String,
    step: String,
}

/// A valid edit: only what 4.8.0 lets change is set on 5.x too (the description).
struct TopicEdit {
    read: Option<u32>,
    write: Option<u32>,
    permission: Option<String>,
    description: String,
}

impl TopicEdit {
    fn check(form: &EditForm, five: bool) -> Result<Self, FormErrors> {
        let mut errors = FormErrors::new();
        errors.max_chars("description", &form.description, DESCRIPTION_MAX);
        let (read, write, permission) = if five {
            (None, None, None)
        } else {
            (
                errors
                    .integer("read_queue_num", &form.read_queue_num, 1, 50, None)
                    .map(|n| n as u32),
                errors
                    .integer("write_queue_num", &form.write_queue_num, 1, 50, None)
                    .map(|n| n as u32),
                errors
                    .one_of("permission", form.permission.trim(), PERMISSIONS)
                    .map(str::to_owned),
            )
        };
        errors.into_result(|| Self {
            read,
            write,
            permission,
            description: form.description.clone(),
        })
    }

    /// What changes, against `topic` now; the request sends only that.
    fn against(
        &self,
        topic: &Topic,
        lang: crate::web::i18n::Lang,
    ) -> (Vec<Change>, UpdateTopicReq) {
        let mut changes = Vec::new();
        let mut body = UpdateTopicReq::default();
        if let Some(read) = self.read {
            changes.push(Change::new(
                "topic-read-queues",
                topic.total_read_queue_num.to_string(),
                read.to_string(),
            ));
            if i64::from(read) != topic.total_read_queue_num {
                body.read_queue_num = Some(read);
            }
        }
        if let Some(write) = self.write {
            changes.push(Change::new(
                "topic-write-queues",
                topic.total_write_queue_num.to_string(),
                write.to_string(),
            ));
            if i64::from(write) != topic.total_write_queue_num {
                body.write_queue_num = Some(write);
            }
        }
        if let Some(permission) = &self.permission {
            changes.push(Change::new(
                "topics-col-permission",
                lang.t(kind_key(&topic.permission)),
                lang.t(kind_key(permission)),
            ));
            if *permission != topic.permission {
                body.permission = Some(permission.clone());
            }
        }
        changes.push(Change::new(
            "field-description",
            &topic.topic_desc,
            &self.description,
        ));
        if self.description != topic.topic_desc {
            body.topic_desc = Some(self.description.clone());
        }
        (changes, body)
    }
}

#[derive(Template)]
#[template(path = "topics/edit.html", blocks = ["content"])]
struct EditPage {
    layout: Layout,
    href: String,
    five: bool,
    permissions: &'static [&'static str],
    form: FormView,
    changes: Vec<Change>,
    problem: Option<ErrorSummary>,
}
crate::page!(EditPage);

impl EditPage {
    fn kind_label(&self, value: &str) -> String {
        self.t(kind_key(value))
    }
}

/// The topic `name` of `id`, the instance and the navigation.
async fn load_topic(
    user: &CurrentUser,
    id: &InstanceId,
    topic: &TopicName,
) -> Result<(Topic, Instance, InstanceNav), WebError> {
    let budget = user.budget(id);
    let (shown, loaded) = tokio::join!(
        budget.run(user.dms.show_topic(id.as_str(), topic.as_str())),
        instance_and_nav(user, id, Tab::Topics)
    );
    let (instance, nav) = loaded?;
    match shown {
        Ok(reply) => {
            let mut shown = reply.into_inner();
            shown.name = topic.to_string();
            Ok((shown, instance, nav))
        }
        Err(e) if is_missing(&e) => Err(topic_not_found(topic)),
        Err(e) => Err(WebError::upstream("op-read-topic", e)),
    }
}

/// Whether DMS says there is no such topic.
fn is_missing(error: &ApiError) -> bool {
    error.kind == ErrorKind::NotFound || error.code.as_deref() == Some("DMS.00400876")
}

fn edit_page(
    user: &CurrentUser,
    id: &InstanceId,
    topic: &TopicName,
    nav: InstanceNav,
    five: bool,
) -> EditPage {
    EditPage {
        layout: topic_layout(
            user,
            nav,
            "topic-edit-title",
            Some(topic),
            Some("topic-edit-title"),
        ),
        href: topic_href(id.as_str(), topic.as_str()),
        five,
        permissions: PERMISSIONS,
        form: FormView::empty(user.ui.lang),
        changes: Vec::new(),
        problem: None,
    }
}

/// `GET /instances/{instance_id}/topics/{topic}/edit`.
pub async fn edit_topic_form(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<TopicPath>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageTopics)?;
    let TopicPath { instance_id, topic } = path.into_inner();
    let (shown, instance, nav) = load_topic(&user, &instance_id, &topic).await?;
    let mut page = edit_page(&user, &instance_id, &topic, nav, is_5x(&instance));
    let form = EditForm {
        read_queue_num: shown.total_read_queue_num.to_string(),
        write_queue_num: shown.total_write_queue_num.to_string(),
        permission: shown.permission.clone(),
        description: shown.topic_desc.clone(),
        op: new_op_id(),
        step: String::new(),
    };
    page.form = FormView::of(user.ui.lang, &form, FormErrors::new());
    render_page(hx, StatusCode::OK, &page)
}

/// `POST /instances/{instance_id}/topics/{topic}/edit`: previews, or (`step=confirm`) saves.
pub async fn update_topic(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<TopicPath>,
    form: web::Form<EditForm>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageTopics)?;
    let TopicPath { instance_id, topic } = path.into_inner();
    let mut form = form.into_inner();
    let (shown, instance, nav) = load_topic(&user, &instance_id, &topic).await?;
    let mut page = edit_page(&user, &instance_id, &topic, nav, is_5x(&instance));
    let edit = match TopicEdit::check(&form, is_5x(&instance)) {
        Ok(edit) => edit,
        Err(errors) => {
            page.form = FormView::of(user.ui.lang, &form, errors);
            return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let (changes, body) = edit.against(&shown, user.ui.lang);
    if Step::of(&form.step) == Step::Preview {
        page.changes = changes;
        page.form = FormView::of(user.ui.lang, &form, FormErrors::new());
        return render_page(hx, StatusCode::OK, &page);
    }
    let action = Audited::new(
        &request,
        &user,
        Permission::ManageTopics,
        "UpdateTopic",
        format!("instance/{instance_id}/topic/{topic}"),
        serde_json::to_value(&body).unwrap_or_default(),
        &form.op,
    );
    let result = audited(
        action,
        user.budget(&instance_id).run(user.dms.update_topic(
            instance_id.as_str(),
            topic.as_str(),
            &body,
        )),
    )
    .await?;
    user.state.lists.invalidate(instance_id.as_str());
    match result {
        Ok(_) => Ok(redirect(hx, &page.href)),
        Err(error) => {
            let mut errors = FormErrors::new();
            let field = refused_field(
                &error,
                &[
                    "read_queue_num",
                    "write_queue_num",
                    "permission",
                    "topic_desc",
                ],
                &[],
                "_form",
            );
            errors.from_dms(
                if field == "topic_desc" {
                    "description"
                } else {
                    field
                },
                &error,
            );
            form.op = new_op_id();
            form.step = String::new();
            page.form = FormView::of(user.ui.lang, &form, errors);
            page.problem =
                Some(ErrorSummary::upstream("op-save-topic", &error).check_state_at(&page.href));
            render_page(hx, upstream_status(&error), &page)
        }
    }
}

/// A confirmation form: the typed name and the operation id.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DeleteForm {
    confirm: String,
    op: String,
}

#[derive(Template)]
#[template(path = "topics/delete.html", blocks = ["content"])]
struct DeletePage {
    layout: Layout,
    href: String,
    name: String,
    impact: Impact,
    form: FormView,
    problem: Option<ErrorSummary>,
}
crate::page!(DeletePage);

async fn delete_page(
    user: &CurrentUser,
    id: &InstanceId,
    topic: &TopicName,
    form: &DeleteForm,
    errors: FormErrors,
) -> Result<DeletePage, WebError> {
    let deadline = Instant::now() + IMPACT_DEADLINE;
    let (loaded, impact) = tokio::join!(
        load_topic(user, id, topic),
        impact::impact(user, id, topic.as_str(), deadline)
    );
    let (_, _, nav) = loaded?;
    Ok(DeletePage {
        layout: topic_layout(
            user,
            nav,
            "topic-delete-title",
            Some(topic),
            Some("topic-delete-title"),
        ),
        href: topic_href(id.as_str(), topic.as_str()),
        name: topic.to_string(),
        impact,
        form: FormView::of(user.ui.lang, form, errors),
        problem: None,
    })
}

/// `GET /instances/{instance_id}/topics/{topic}/delete`: what the topic feeds, and the form.
pub async fn delete_topic_form(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<TopicPath>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageTopics)?;
    let TopicPath { instance_id, topic } = path.into_inner();
    let form = DeleteForm {
        op: new_op_id(),
        ..DeleteForm::default()
    };
    let page = delete_page(&user, &instance_id, &topic, &form, FormErrors::new()).await?;
    render_page(hx, StatusCode::OK, &page)
}

/// `POST /instances/{instance_id}/topics/{topic}/delete`: needs the name typed.
pub async fn delete_topic(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<TopicPath>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageTopics)?;
    let TopicPath { instance_id, topic } = path.into_inner();
    let mut form = form.into_inner();
    let mut errors = FormErrors::new();
    confirm(&mut errors, "confirm", &form.confirm, topic.as_str());
    if !errors.is_empty() {
        let page = delete_page(&user, &instance_id, &topic, &form, errors).await?;
        return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let action = Audited::new(
        &request,
        &user,
        Permission::ManageTopics,
        "DeleteTopic",
        format!("instance/{instance_id}/topic/{topic}"),
        serde_json::json!({"topic": topic.as_str()}),
        &form.op,
    );
    let result = audited(
        action,
        user.budget(&instance_id)
            .run(user.dms.delete_topic(instance_id.as_str(), topic.as_str())),
    )
    .await?;
    user.state.lists.invalidate(instance_id.as_str());
    match result {
        Ok(_) => Ok(redirect(hx, &format!("/instances/{instance_id}/topics"))),
        Err(error) => {
            form.op = new_op_id();
            form.confirm = String::new();
            let mut page =
                match delete_page(&user, &instance_id, &topic, &form, FormErrors::new()).await {
                    Ok(page) => page,
                    // No readable answer, and the topic is gone: the delete happened.
                    Err(WebError::NotFound(_)) if error.outcome_unknown => {
                        return Ok(redirect(hx, &format!("/instances/{instance_id}/topics")));
                    }
                    Err(other) => return Err(other),
                };
            page.problem =
                Some(ErrorSummary::upstream("op-delete-topic", &error).check_state_at(&page.href));
            render_page(hx, upstream_status(&error), &page)
        }
    }
}
