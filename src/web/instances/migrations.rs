//! The Migration tab: metadata migration tasks (API reference §5.6). An administrator uploads
//! a metadata export of a self-built RocketMQ (`mqadmin exportMetadata`: `topicConfigTable`,
//! `subscriptionGroupTable`; also the console's own export) or RabbitMQ definitions, sees
//! which topics and groups the task will create, which exist already, which exist with other
//! settings and whether the instance's quotas allow it, then creates the task (§5.6.1); the
//! tasks are listed with their status and details (§5.6.2) and can be deleted (§5.6.3).
//!
//! The file arrives as `multipart/form-data` or pasted into a text area (`web::body` reads
//! both). RocketMQ's own topics and groups (`%RETRY%…`, `TBW102`, …) are left out of the task
//! and the preview says so. RabbitMQ exchanges become topics and queues consumer groups,
//! named `{vhost}-{name}` (just `{name}` on the vhost `/`), the naming of the task query of
//! §5.6.2; their settings are DMS's defaults, so only their names are compared.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;

use crate::api::ErrorKind;
use crate::api::models::groups::ConsumerGroup;
use crate::api::models::migration::{
    CreateMigrationTaskQuery, ListMigrationTasksQuery, MigrationMetadata, MigrationTask,
    MigrationType, ShowMigrationTaskQuery,
};
use crate::api::models::topics::Topic;
use crate::api::walk;
use crate::domain::{GroupName, InstanceId, InvalidName, NameRule, TopicName};
use crate::domain::{is_system_group, is_system_topic};
use crate::web::audit::audited::{Audited, audited};
use crate::web::body::{self, Fields, UPLOAD_LIMIT};
use crate::web::error::{ErrorSummary, WebError, upstream_status};
use crate::web::export::{self, Cell, Format};
use crate::web::forms::{FormErrors, FormView, Step, name_message};
use crate::web::htmx::{HxRequest, redirect, render_page};
use crate::web::i18n::Msg;
use crate::web::layout::{InstanceNav, Layout, Section, Tab};
use crate::web::ledger::new_op_id;
use crate::web::list::{ListParams, ListSpec, Pager};
use crate::web::paths::InstancePath;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

use super::create::is_uuid;
use super::metadata::{
    self, Difference, Interchange, Quota, file_group_settings, file_topic_settings, group_settings,
    topic_settings,
};
use super::not_found;

/// The task list pages like other DMS lists (its `offset` is a page number, converted here).
const SPEC: ListSpec = ListSpec::DMS;

/// What a migration will do with one topic or group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowState {
    /// It does not exist: the task creates it.
    Create,
    /// It exists with the same settings.
    Exists,
    /// It exists with other settings.
    Conflict,
    /// Its name breaks the naming rule: the task cannot create it.
    Invalid,
    /// One of RocketMQ's own: left out of the task.
    System,
}

impl RowState {
    /// Its name in the page (`data-state`) and its catalogue key's suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Exists => "exists",
            Self::Conflict => "conflict",
            Self::Invalid => "invalid",
            Self::System => "system",
        }
    }

    /// The catalogue key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Create => "migration-state-create",
            Self::Exists => "migration-state-exists",
            Self::Conflict => "migration-state-conflict",
            Self::Invalid => "migration-state-invalid",
            Self::System => "migration-state-system",
        }
    }
}

/// One topic or group of the file.
#[derive(Debug, Clone)]
pub struct PlanRow {
    /// `topic` or `group`.
    pub kind: &'static str,
    /// Its name.
    pub name: String,
    /// What the task will do with it.
    pub state: RowState,
    /// The settings that differ (existing → file), for conflicts.
    pub differences: Vec<Difference>,
    /// Why the name is refused, for invalid rows.
    pub problem: Option<Msg>,
}

/// What a migration will do.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Every topic and group of the file.
    pub rows: Vec<PlanRow>,
    /// The instance's topic quota.
    pub topic_quota: Quota,
    /// The instance's group quota.
    pub group_quota: Quota,
    /// Why the task cannot be created as it is.
    pub blockers: Vec<Msg>,
    /// What the task would send (system entries left out).
    pub metadata: MigrationMetadata,
    /// ACL users in the file (a metadata task does not migrate them).
    pub ignored_users: usize,
}

impl Plan {
    /// How many rows are in `state` of `kind` (`topic`, `group`, or any with `""`).
    pub fn count(&self, kind: &str, state: RowState) -> usize {
        self.rows
            .iter()
            .filter(|r| r.state == state && (kind.is_empty() || r.kind == kind))
            .count()
    }
}

/// The row of one topic or group (`kind`) of the file: invalid when its name breaks the rule,
/// else classified against what the instance has.
fn plan_row(
    kind: &'static str,
    name: &str,
    valid: Result<(), InvalidName>,
    existing: impl FnOnce() -> Option<Vec<metadata::Setting>>,
    wanted: Vec<metadata::Setting>,
) -> PlanRow {
    let (state, differences, problem) = match valid {
        Err(invalid) => (RowState::Invalid, Vec::new(), Some(name_message(&invalid))),
        Ok(()) => {
            let (state, differences) = classify(existing(), wanted);
            (state, differences, None)
        }
    };
    PlanRow {
        kind,
        name: name.to_owned(),
        state,
        differences,
        problem,
    }
}

/// Whether an item exists with the `wanted` settings, with others, or not at all.
fn classify(
    existing: Option<Vec<metadata::Setting>>,
    wanted: Vec<metadata::Setting>,
) -> (RowState, Vec<Difference>) {
    match existing {
        None => (RowState::Create, Vec::new()),
        Some(now) => {
            let differences = metadata::differences(&now, &wanted);
            if differences.is_empty() {
                (RowState::Exists, differences)
            } else {
                (RowState::Conflict, differences)
            }
        }
    }
}

fn rabbit_name(vhost: &str, name: &str) -> String {
    if vhost.is_empty() || vhost == "/" {
        name.to_owned()
    } else {
        format!("{vhost}-{name}")
    }
}

/// The plan of `document` as a `task_type` task on an instance holding `topics` and `groups`
/// (`five`: a 5.x instance), with its quotas.
pub fn plan(
    document: &Interchange,
    task_type: MigrationType,
    overwrite: bool,
    topics: &[Topic],
    groups: &[ConsumerGroup],
    five: bool,
    quotas: (Quota, Quota),
) -> Plan {
    let mut rows = Vec::new();
    let mut metadata = document.metadata.clone();
    let topic_row = |name: &str, wanted: Vec<metadata::Setting>| {
        let valid = TopicName::try_from(name).map(drop);
        let existing = || topics.iter().find(|t| t.name == name).map(topic_settings);
        plan_row("topic", name, valid, existing, wanted)
    };
    let group_row = |name: &str, wanted: Vec<metadata::Setting>| {
        let valid = GroupName::try_from(name).map(drop);
        let existing = || groups.iter().find(|g| g.name == name).map(group_settings);
        plan_row("group", name, valid, existing, wanted)
    };
    match task_type {
        MigrationType::Rocketmq => {
            if let Some(table) = &mut metadata.topic_config_table {
                for (name, config) in table.iter() {
                    rows.push(if is_system_topic(name) {
                        system_row("topic", name)
                    } else {
                        // An existing topic keeps its message type; compare it on 5.x only.
                        let mut wanted = file_topic_settings(config, false);
                        if five
                            && let Some(topic) = topics.iter().find(|t| t.name == *name)
                            && !topic.message_type.is_empty()
                        {
                            wanted = file_topic_settings(config, true);
                        }
                        topic_row(name, wanted)
                    });
                }
                table.retain(|name, _| !is_system_topic(name));
            }
            if let Some(table) = &mut metadata.subscription_group_table {
                for (name, config) in table.iter() {
                    rows.push(if is_system_group(name) {
                        system_row("group", name)
                    } else {
                        group_row(name, file_group_settings(config))
                    });
                }
                table.retain(|name, _| !is_system_group(name));
            }
        }
        MigrationType::RabbitToRocket => {
            for exchange in metadata.exchanges.iter().flatten() {
                if exchange.name.is_empty() || exchange.name.starts_with("amq.") {
                    continue;
                }
                let name = rabbit_name(&exchange.vhost, &exchange.name);
                if rows
                    .iter()
                    .all(|r: &PlanRow| r.kind != "topic" || r.name != name)
                {
                    let wanted = topics
                        .iter()
                        .find(|t| t.name == name)
                        .map(topic_settings)
                        .unwrap_or_default();
                    rows.push(topic_row(&name, wanted));
                }
            }
            for queue in metadata.queues.iter().flatten() {
                let name = rabbit_name(&queue.vhost, &queue.name);
                if rows
                    .iter()
                    .all(|r: &PlanRow| r.kind != "group" || r.name != name)
                {
                    let wanted = groups
                        .iter()
                        .find(|g| g.name == name)
                        .map(group_settings)
                        .unwrap_or_default();
                    rows.push(group_row(&name, wanted));
                }
            }
        }
    }
    let mut plan = Plan {
        rows,
        topic_quota: quotas.0,
        group_quota: quotas.1,
        blockers: Vec::new(),
        metadata,
        ignored_users: document.acl_users.len(),
    };
    let invalid = plan.count("", RowState::Invalid);
    if invalid > 0 {
        plan.blockers
            .push(Msg::new("migration-block-invalid").arg("count", invalid));
    }
    let existing = plan.count("", RowState::Exists) + plan.count("", RowState::Conflict);
    if !overwrite && existing > 0 {
        plan.blockers
            .push(Msg::new("migration-block-existing").arg("count", existing));
    }
    let new_topics = plan.count("topic", RowState::Create) as i64;
    if new_topics > plan.topic_quota.remaining {
        plan.blockers.push(
            Msg::new("migration-block-topic-quota")
                .arg("count", new_topics)
                .arg("remaining", plan.topic_quota.remaining),
        );
    }
    let new_groups = plan.count("group", RowState::Create) as i64;
    if new_groups > plan.group_quota.remaining {
        plan.blockers.push(
            Msg::new("migration-block-group-quota")
                .arg("count", new_groups)
                .arg("remaining", plan.group_quota.remaining),
        );
    }
    if plan.rows.iter().all(|r| r.state == RowState::System) {
        plan.blockers.push(Msg::new("migration-block-empty"));
    }
    plan
}

fn system_row(kind: &'static str, name: &str) -> PlanRow {
    PlanRow {
        kind,
        name: name.to_owned(),
        state: RowState::System,
        differences: Vec::new(),
        problem: None,
    }
}

/// The upload form as read from the body.
#[derive(Debug, Default, serde::Serialize)]
struct UploadForm {
    name: String,
    task_type: String,
    overwrite: String,
    metadata: String,
    op: String,
    step: String,
}

/// A checked upload: the task's query and the document.
struct Upload {
    query: CreateMigrationTaskQuery,
    document: Interchange,
}

/// Reads the upload `fields`: the file when one was chosen, else the pasted text.
fn read_upload(fields: &Fields) -> (UploadForm, Option<String>) {
    let file = fields
        .file("file")
        .map(|part| match std::str::from_utf8(&part.data) {
            Ok(text) => Ok(text.to_owned()),
            Err(_) => Err(part.filename.clone().unwrap_or_default()),
        });
    let mut form = UploadForm {
        name: fields.text("name"),
        task_type: fields.text("task_type"),
        overwrite: fields.text("overwrite"),
        metadata: fields.text("metadata"),
        op: fields.text("op"),
        step: fields.text("step"),
    };
    let mut not_text = None;
    match file {
        Some(Ok(text)) => form.metadata = text,
        Some(Err(filename)) => not_text = Some(filename),
        None => {}
    }
    (form, not_text)
}

fn check_upload(form: &UploadForm, not_text: Option<String>) -> Result<Upload, FormErrors> {
    let mut errors = FormErrors::new();
    errors.check("name", NameRule::MIGRATION_TASK.check(form.name.trim()));
    let task_type = match form.task_type.as_str() {
        "rocketmq" => Some(MigrationType::Rocketmq),
        "rabbitToRocket" => Some(MigrationType::RabbitToRocket),
        _ => {
            errors.add(
                "task_type",
                Msg::new("form-one-of").text("allowed", "rocketmq, rabbitToRocket"),
            );
            None
        }
    };
    let document = if let Some(filename) = not_text {
        errors.add(
            "metadata",
            Msg::new("migration-not-text").arg("file", filename),
        );
        None
    } else if form.metadata.trim().is_empty() {
        errors.add("metadata", Msg::new("migration-no-metadata"));
        None
    } else {
        match serde_json::from_str::<Interchange>(&form.metadata) {
            Ok(document) => Some(document),
            Err(error) => {
                errors.add(
                    "metadata",
                    Msg::new("migration-bad-json")
                        .arg("line", error.line())
                        .arg("column", error.column())
                        .text("detail", error.to_string()),
                );
                None
            }
        }
    };
    if let (Some(kind), Some(document)) = (task_type, &document) {
        let m = &document.metadata;
        let rocket = m.topic_config_table.is_some() || m.subscription_group_table.is_some();
        let rabbit = m.exchanges.is_some() || m.queues.is_some() || m.vhosts.is_some();
        match kind {
            MigrationType::Rocketmq if !rocket => errors.add(
                "metadata",
                Msg::new(if rabbit {
                    "migration-looks-rabbit"
                } else {
                    "migration-no-tables"
                }),
            ),
            MigrationType::RabbitToRocket
                if m.vhosts.is_none()
                    || m.queues.is_none()
                    || m.exchanges.is_none()
                    || m.bindings.is_none() =>
            {
                errors.add(
                    "metadata",
                    Msg::new(if rocket {
                        "migration-looks-rocket"
                    } else {
                        "migration-no-definitions"
                    }),
                )
            }
            _ => {}
        }
    }
    match (task_type, document) {
        (Some(task_type), Some(document)) if errors.is_empty() => Ok(Upload {
            query: CreateMigrationTaskQuery {
                overwrite: matches!(form.overwrite.as_str(), "on" | "true"),
                name: form.name.trim().to_owned(),
                task_type,
            },
            document,
        }),
        _ => Err(errors),
    }
}

#[derive(Template)]
#[template(path = "instances/migrations.html", blocks = ["content"])]
struct MigrationsPage {
    layout: Layout,
    instance_id: String,
    tasks: Result<Vec<MigrationTask>, ErrorSummary>,
    pager: Pager,
    busy: bool,
    detail: Option<Result<MigrationTask, ErrorSummary>>,
    can_manage: bool,
    form: FormView,
    plan: Option<Plan>,
    deleting: Vec<String>,
    problem: Option<ErrorSummary>,
}
crate::page!(MigrationsPage);

impl MigrationsPage {
    /// The badge tone of a task status.
    fn task_tone(&self, status: &str) -> &'static str {
        match status {
            "finished" => "ok",
            "failed" => "bad",
            "creating" | "starting" => "busy",
            _ => "neutral",
        }
    }

    /// The catalogue key of a task status's name.
    fn task_status_key(&self, status: &str) -> &'static str {
        match status {
            "creating" => "migration-status-creating",
            "starting" => "migration-status-starting",
            "failed" => "migration-status-failed",
            "finished" => "migration-status-finished",
            _ => "migration-status-other",
        }
    }

    /// The catalogue key of a task type's name.
    fn task_type_key(&self, kind: &str) -> &'static str {
        match kind {
            "rabbitToRocket" => "migration-type-rabbit",
            _ => "migration-type-rocketmq",
        }
    }

    fn detail_href(&self, task: &MigrationTask) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("task", &task.id)
            .finish();
        format!("/instances/{}/migrations?{query}", self.instance_id)
    }
}

async fn migrations_page(
    user: &CurrentUser,
    id: &InstanceId,
    query: &str,
) -> Result<(MigrationsPage, StatusCode), WebError> {
    let params = ListParams::parse(query, SPEC);
    let limit = params.limit;
    let list_query = ListMigrationTasksQuery {
        page: Some(params.offset / limit + 1),
        limit: Some(limit),
    };
    let task_id = params.filter("task").to_owned();
    let detail = async {
        if task_id.is_empty() {
            return None;
        }
        let found = user
            .dms
            .show_migration_task(id.as_str(), &task_id, &ShowMigrationTaskQuery::default())
            .await;
        Some(match found {
            Ok(reply) => reply.into_inner().find(&task_id).cloned().ok_or_else(|| {
                ErrorSummary::new(
                    Msg::new("migration-task-missing-title"),
                    Msg::new("migration-task-missing").arg("task", task_id.as_str()),
                )
            }),
            Err(error) => Err(ErrorSummary::upstream("op-show-migration", &error)),
        })
    };
    let (tasks, detail, nav) = tokio::join!(
        user.dms.list_migration_tasks(id.as_str(), &list_query),
        detail,
        InstanceNav::load(user, id, Tab::Migrations)
    );
    if matches!(&tasks, Err(e) if e.kind == ErrorKind::NotFound) {
        return Err(not_found(id));
    }
    let status = tasks.as_ref().err().map_or(StatusCode::OK, upstream_status);
    let (tasks, total) = match tasks {
        Ok(reply) => {
            let list = reply.into_inner();
            (Ok(list.tasks), Some(list.total.max(0) as u64))
        }
        Err(error) => (
            Err(ErrorSummary::upstream("op-list-migrations", &error)),
            None,
        ),
    };
    let shown = tasks.as_ref().map(Vec::len).unwrap_or(0);
    let busy = tasks.as_ref().is_ok_and(|t| {
        t.iter()
            .any(|task| matches!(task.status.as_str(), "creating" | "starting"))
    });
    let form = UploadForm {
        task_type: "rocketmq".to_owned(),
        op: new_op_id(),
        ..Default::default()
    };
    Ok((
        MigrationsPage {
            layout: Layout::for_user(user, "migrations-title", Section::Instances).in_instance(nav),
            instance_id: id.to_string(),
            tasks,
            pager: Pager::new(format!("/instances/{id}/migrations"), params, shown, total),
            busy,
            detail,
            can_manage: user.can(Permission::ManageMigration),
            form: FormView::of(user.ui.lang, &form, FormErrors::new()),
            plan: None,
            deleting: Vec::new(),
            problem: None,
        },
        status,
    ))
}

const COLUMNS: &[&str] = &["id", "name", "type", "status", "start_date"];

/// Every task of instance `id` as an export (the task list pages by page number).
fn export_tasks(dms: crate::api::DmsClient, id: InstanceId, format: Format) -> HttpResponse {
    let rows = walk::stream(50, 100_000, move |offset, limit| {
        let dms = dms.clone();
        let id = id.clone();
        async move {
            let query = ListMigrationTasksQuery {
                page: Some(offset / limit + 1),
                limit: Some(limit),
            };
            let list = dms
                .list_migration_tasks(id.as_str(), &query)
                .await?
                .into_inner();
            Ok(walk::Page {
                total: Some(list.total.max(0) as u64),
                items: list.tasks,
            })
        }
    })
    .map(|row| {
        row.map(|task| {
            vec![
                Cell::from(&task.id),
                Cell::from(&task.name),
                Cell::from(&task.task_type),
                Cell::from(&task.status),
                Cell::from(&task.start_date),
            ]
        })
        .map_err(|e| WebError::upstream("op-list-migrations", e))
    });
    export::export(format, "migration-tasks", COLUMNS, rows)
}

/// `GET /instances/{instance_id}/migrations` (`?task=ID` shows one task's details,
/// `?format=csv|json` exports every task).
pub async fn list_migrations(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageMigration)?;
    let id = path.into_inner().instance_id;
    if let Some(format) = Format::requested(request.query_string()) {
        return Ok(export_tasks(user.dms.clone(), id, format));
    }
    let (page, status) = migrations_page(&user, &id, request.query_string()).await?;
    render_page(hx, status, &page)
}

/// What the instance holds now, for a plan: its topics, groups, quotas and version.
async fn target(
    user: &CurrentUser,
    id: &InstanceId,
) -> Result<(Vec<Topic>, Vec<ConsumerGroup>, (Quota, Quota), bool), ErrorSummary> {
    // Read afresh: the preview must not be built on a list cached before someone changed it.
    let (topics, groups, quotas, instance) = tokio::join!(
        metadata::cached_topics(user, id, true),
        metadata::cached_groups(user, id.as_str(), true),
        metadata::quotas(&user.dms, id.as_str()),
        user.dms.show_instance(id.as_str())
    );
    // The page shows the failure in place; it is logged here, where it is handled.
    let failed = |what: &'static str, error: crate::api::ApiError| {
        tracing::warn!(error = %error, dms.request_id = error.request_id.as_deref().unwrap_or(""), "{what} failed for a migration preview");
        ErrorSummary::upstream(what, &error)
    };
    let topics = topics.map_err(|e| failed("op-list-topics", e))?;
    let groups = groups.map_err(|e| failed("op-list-groups", e))?;
    let quotas = quotas.map_err(|e| failed("op-list-topics", e))?;
    let instance = instance.map_err(|e| failed("op-read-instance", e))?;
    Ok((
        topics,
        groups.value.as_ref().clone(),
        quotas,
        instance.into_inner().engine_version.starts_with('5'),
    ))
}

/// `POST /instances/{instance_id}/migrations`: previews what a metadata file will create, or
/// (`step=confirm`) creates the task.
pub async fn create_migration(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageMigration)?;
    let id = path.into_inner().instance_id;
    let fields = body::form(&request, payload, UPLOAD_LIMIT).await?;
    let (mut form, not_text) = read_upload(&fields);
    let (mut page, _) = migrations_page(&user, &id, "").await?;
    page.form = FormView::of(user.ui.lang, &form, FormErrors::new());
    let upload = match check_upload(&form, not_text) {
        Ok(upload) => upload,
        Err(errors) => {
            page.form = FormView::of(user.ui.lang, &form, errors);
            return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let (topics, groups, quotas, five) = match target(&user, &id).await {
        Ok(found) => found,
        Err(summary) => {
            page.problem = Some(summary);
            return render_page(hx, StatusCode::BAD_GATEWAY, &page);
        }
    };
    let plan = plan(
        &upload.document,
        upload.query.task_type,
        upload.query.overwrite,
        &topics,
        &groups,
        five,
        quotas,
    );
    // What the confirmation carries is what will be sent: the metadata without system entries.
    form.metadata = serde_json::to_string(&plan.metadata).unwrap_or_default();
    page.form = FormView::of(user.ui.lang, &form, FormErrors::new());
    let blocked = !plan.blockers.is_empty();
    if Step::of(&form.step) == Step::Preview || blocked {
        let status = if blocked && Step::of(&form.step) == Step::Confirm {
            StatusCode::CONFLICT
        } else {
            StatusCode::OK
        };
        page.plan = Some(plan);
        return render_page(hx, status, &page);
    }
    let params = serde_json::json!({
        "name": upload.query.name,
        "type": upload.query.task_type.as_str(),
        "overwrite": upload.query.overwrite,
        "topics": plan.rows.iter().filter(|r| r.kind == "topic" && r.state != RowState::System).count(),
        "groups": plan.rows.iter().filter(|r| r.kind == "group" && r.state != RowState::System).count(),
        "create": plan.count("", RowState::Create),
        "overwrite_existing": plan.count("", RowState::Exists) + plan.count("", RowState::Conflict),
    });
    let action = Audited::new(
        &request,
        &user,
        Permission::ManageMigration,
        "CreateRocketMqMigrationTask",
        format!("instance/{id}"),
        params,
        &form.op,
    );
    let result = audited(
        action,
        user.dms
            .create_migration_task(id.as_str(), &upload.query, &plan.metadata),
    )
    .await?;
    user.state.lists.invalidate(id.as_str());
    match result {
        Ok(reply) => {
            let task = reply.into_inner().task_id;
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("task", &task)
                .finish();
            Ok(redirect(hx, &format!("/instances/{id}/migrations?{query}")))
        }
        Err(error) => {
            let mut errors = FormErrors::new();
            let field = if error.code.as_deref() == Some("DMS.00400010") {
                "name"
            } else {
                "metadata"
            };
            errors.from_dms(field, &error);
            form.op = new_op_id();
            form.step = String::new();
            page.form = FormView::of(user.ui.lang, &form, errors);
            page.plan = Some(plan);
            page.problem = Some(
                ErrorSummary::upstream("op-create-migration", &error)
                    .check_state_at(format!("/instances/{id}/migrations")),
            );
            render_page(hx, upstream_status(&error), &page)
        }
    }
}

/// `POST /instances/{instance_id}/migrations/delete`: asks to confirm deleting the checked
/// tasks, or (`step=confirm`) deletes them.
pub async fn delete_migrations(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageMigration)?;
    let id = path.into_inner().instance_id;
    let fields = body::form(&request, payload, body::FORM_LIMIT).await?;
    let mut tasks: Vec<String> = Vec::new();
    for task in fields.all("task") {
        if !is_uuid(task.trim()) {
            return Err(WebError::Invalid(
                Msg::new("migration-bad-task").arg("task", task.as_str()),
            ));
        }
        if !tasks.contains(&task) {
            tasks.push(task);
        }
    }
    if tasks.is_empty() {
        return Err(WebError::Invalid(Msg::new("migration-none-selected")));
    }
    let op = fields.text("op");
    if Step::of(&fields.text("step")) == Step::Preview {
        let (mut page, status) = migrations_page(&user, &id, "").await?;
        page.deleting = tasks;
        let mut values = std::collections::BTreeMap::new();
        values.insert("op".to_owned(), op);
        page.form = FormView::of(user.ui.lang, &values, FormErrors::new());
        return render_page(hx, status, &page);
    }
    let action = Audited::new(
        &request,
        &user,
        Permission::ManageMigration,
        "DeleteRocketMqMigrationTask",
        format!("instance/{id}"),
        serde_json::json!({"task_ids": tasks}),
        &op,
    );
    let result = audited(action, user.dms.delete_migration_tasks(id.as_str(), &tasks)).await?;
    match result {
        Ok(_) => Ok(redirect(hx, &format!("/instances/{id}/migrations"))),
        Err(error) => {
            let (mut page, _) = migrations_page(&user, &id, "").await?;
            page.problem = Some(
                ErrorSummary::upstream("op-delete-migrations", &error)
                    .check_state_at(format!("/instances/{id}/migrations")),
            );
            render_page(hx, upstream_status(&error), &page)
        }
    }
}

impl MigrationsPage {
    /// The migration types of the upload form: (value, catalogue key of the label).
    fn type_options(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("rocketmq", "migration-type-rocketmq"),
            ("rabbitToRocket", "migration-type-rabbit"),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::topics::TopicBroker;

    fn topic(name: &str, read: i64) -> Topic {
        Topic {
            name: name.into(),
            permission: "all".into(),
            total_read_queue_num: read,
            total_write_queue_num: read,
            brokers: vec![TopicBroker {
                broker_name: "broker-0".into(),
                read_queue_num: read,
                write_queue_num: read,
            }],
            ..Default::default()
        }
    }

    fn document(text: &str) -> Interchange {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn a_plan_sorts_topics_and_groups_into_new_existing_conflicting_and_system() {
        let file = document(
            r#"{"topicConfigTable": {
                "new-topic": {"readQueueNums": 8, "writeQueueNums": 8, "perm": 6},
                "same-topic": {"readQueueNums": 8, "writeQueueNums": 8, "perm": 6},
                "other-topic": {"readQueueNums": 4, "writeQueueNums": 4, "perm": 6},
                "%RETRY%billing": {},
                "bad#name": {}
              },
              "subscriptionGroupTable": {"billing": {"retryMaxTimes": 3}, "TOOLS_CONSUMER": {}}}"#,
        );
        let topics = [topic("same-topic", 8), topic("other-topic", 8)];
        let quota = Quota {
            max: 100,
            remaining: 98,
        };
        let plan = plan(
            &file,
            MigrationType::Rocketmq,
            true,
            &topics,
            &[],
            false,
            (quota, quota),
        );
        let state = |name: &str| plan.rows.iter().find(|r| r.name == name).unwrap().state;
        assert_eq!(state("new-topic"), RowState::Create);
        assert_eq!(state("same-topic"), RowState::Exists);
        assert_eq!(state("other-topic"), RowState::Conflict);
        assert_eq!(state("%RETRY%billing"), RowState::System);
        assert_eq!(state("bad#name"), RowState::Invalid);
        assert_eq!(state("billing"), RowState::Create);
        assert_eq!(state("TOOLS_CONSUMER"), RowState::System);
        let conflict = plan.rows.iter().find(|r| r.name == "other-topic").unwrap();
        assert_eq!(conflict.differences.len(), 2, "{conflict:?}");
        // The invalid name blocks the task; system entries are not sent.
        assert_eq!(plan.blockers.len(), 1);
        let sent = plan.metadata.topic_config_table.as_ref().unwrap();
        assert!(!sent.contains_key("%RETRY%billing"));
        assert!(sent.contains_key("new-topic"));
    }

    #[test]
    fn quotas_and_overwrite_block_a_task() {
        let file = document(r#"{"topicConfigTable": {"a-topic": {}, "b-topic": {}}}"#);
        let tight = Quota {
            max: 10,
            remaining: 1,
        };
        let plan = plan(
            &file,
            MigrationType::Rocketmq,
            false,
            &[topic("b-topic", 16)],
            &[],
            false,
            (tight, tight),
        );
        // `b-topic` exists (with the defaults' settings) and overwrite is off; one new topic
        // fits the one remaining.
        assert_eq!(plan.count("topic", RowState::Exists), 1);
        assert_eq!(plan.blockers.len(), 1, "{:?}", plan.blockers);
    }

    #[test]
    fn rabbit_exchanges_become_topics_and_queues_groups() {
        let file = document(
            r#"{"vhosts": [{"name": "/"}, {"name": "shop"}],
                "exchanges": [{"vhost": "shop", "name": "orders", "type": "topic"},
                              {"vhost": "/", "name": "amq.direct", "type": "direct"}],
                "queues": [{"vhost": "/", "name": "billing"}],
                "bindings": []}"#,
        );
        let quota = Quota {
            max: 10,
            remaining: 10,
        };
        let plan = plan(
            &file,
            MigrationType::RabbitToRocket,
            false,
            &[],
            &[],
            false,
            (quota, quota),
        );
        let names: Vec<(&str, &str)> = plan
            .rows
            .iter()
            .map(|r| (r.kind, r.name.as_str()))
            .collect();
        assert_eq!(names, vec![("topic", "shop-orders"), ("group", "billing")]);
        assert!(plan.blockers.is_empty());
    }
}
