//! The audited changes of ACL users: create (the console generates the secret key and shows
//! it once, on the answer to the confirmation, never in a link, a log or the audit log),
//! edit (whitelist, administrator, default permissions, and a matrix of per-topic and
//! per-group permissions: one row per topic or group, one column per permission, "default"
//! removing the row's own permission) and delete (confirmed by typing the name).

use std::collections::BTreeMap;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::{
    ADDRESS_MAX, GROUP_PERMS, TOPIC_PERMS, group_perm, perm_key, user_href, user_not_found,
};
use crate::api::ErrorKind;
use crate::api::models::users::{Permission as Perm, User, UserRequest};
use crate::domain::{AclUserName, GroupName, InstanceId, NameRule, TopicName};
use crate::secret::Secret;
use crate::web::audit::audited::{Audited, audited};
use crate::web::error::{ErrorSummary, WebError, upstream_status};
use crate::web::forms::{Change, FormErrors, FormView, Step, confirm};
use crate::web::htmx::{HxRequest, redirect, render_page};
use crate::web::i18n::{Lang, Msg};
use crate::web::layout::{InstanceNav, Layout, Section, Tab};
use crate::web::ledger::new_op_id;
use crate::web::paths::{InstancePath, UserPath};
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;
use crate::web::topics::{catalog, instance_and_nav};

/// Blank rows offered under a user's own permissions, to add new ones.
const BLANK_ROWS: usize = 3;
/// Topic names offered to pick from in the matrix.
const SUGGESTED_TOPICS: usize = 1_000;
/// How long the matrix waits for the topic names it suggests.
const SUGGEST_DEADLINE: Duration = Duration::from_millis(1_000);

fn users_layout(
    user: &CurrentUser,
    nav: InstanceNav,
    title_key: &str,
    name: Option<&str>,
) -> Layout {
    let id = nav.id.clone();
    let mut layout = Layout::for_user(user, title_key, Section::Instances)
        .in_instance(nav)
        .crumb("tab-users", Some(format!("/instances/{id}/users")));
    if let Some(name) = name {
        layout = layout.crumb_value(name, None);
    }
    layout.crumb(title_key, None)
}

/// The fields of a user's settings as posted (create and edit share them).
fn settings_changes(
    lang: Lang,
    before: Option<&User>,
    address: &str,
    admin: bool,
    topic_default: &str,
    group_default: &str,
) -> Vec<Change> {
    let yes_no = |b: bool| {
        lang.t(if b {
            "users-admin-yes"
        } else {
            "users-admin-no"
        })
    };
    vec![
        Change::new(
            "users-col-address",
            before
                .map(|u| u.white_remote_address.clone())
                .unwrap_or_default(),
            address,
        ),
        Change::new(
            "users-col-admin",
            before.map(|u| yes_no(u.admin)).unwrap_or_default(),
            yes_no(admin),
        ),
        Change::new(
            "users-col-default-topic",
            before
                .map(|u| lang.t(perm_key(&u.default_topic_perm)))
                .unwrap_or_default(),
            lang.t(perm_key(topic_default)),
        ),
        Change::new(
            "users-col-default-group",
            before
                .map(|u| lang.t(perm_key(group_perm(&u.default_group_perm))))
                .unwrap_or_default(),
            lang.t(perm_key(group_default)),
        ),
    ]
}

/// A whitelist: no control characters, at most [`ADDRESS_MAX`] characters.
fn check_address(errors: &mut FormErrors, value: &str) -> String {
    let value = value.trim();
    if value.chars().any(char::is_control) {
        errors.add("white_remote_address", Msg::new("user-bad-address"));
    }
    errors.max_chars("white_remote_address", value, ADDRESS_MAX);
    value.to_owned()
}

/// The create form as posted.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CreateForm {
    access_key: String,
    white_remote_address: String,
    admin: String,
    default_topic_perm: String,
    default_group_perm: String,
    op: String,
    step: String,
}

/// A valid new user (without its secret, which is made at the last moment).
struct NewUser {
    name: AclUserName,
    address: String,
    admin: bool,
    topic_default: String,
    group_default: String,
}

impl TryFrom<&CreateForm> for NewUser {
    type Error = FormErrors;
    fn try_from(form: &CreateForm) -> Result<Self, FormErrors> {
        let mut errors = FormErrors::new();
        let name = errors.check("access_key", AclUserName::try_from(form.access_key.trim()));
        let address = check_address(&mut errors, &form.white_remote_address);
        let topic_default = errors
            .one_of("default_topic_perm", &form.default_topic_perm, TOPIC_PERMS)
            .map(str::to_owned);
        let group_default = errors
            .one_of("default_group_perm", &form.default_group_perm, GROUP_PERMS)
            .map(str::to_owned);
        match (name, topic_default, group_default) {
            (Some(name), Some(topic_default), Some(group_default)) if errors.is_empty() => {
                Ok(Self {
                    name,
                    address,
                    admin: matches!(form.admin.as_str(), "on" | "true"),
                    topic_default,
                    group_default,
                })
            }
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "users/create.html", blocks = ["content"])]
struct CreatePage {
    layout: Layout,
    instance_id: String,
    acl: bool,
    form: FormView,
    changes: Vec<Change>,
    problem: Option<ErrorSummary>,
    topic_perms: &'static [&'static str],
    group_perms: &'static [&'static str],
    name_pattern: String,
}
crate::page!(CreatePage);

impl CreatePage {
    fn perm(&self, perm: &str) -> String {
        self.t(perm_key(perm))
    }
}

/// The page that shows a new user's secret key, once.
#[derive(Template)]
#[template(path = "users/created.html", blocks = ["content"])]
struct CreatedPage {
    layout: Layout,
    instance_id: String,
    name: String,
    secret: Secret,
}
crate::page!(CreatedPage);

impl CreatedPage {
    /// The secret, for the one page that shows it.
    fn secret_text(&self) -> &str {
        self.secret.expose()
    }
}

async fn create_page(user: &CurrentUser, id: &InstanceId) -> Result<CreatePage, WebError> {
    let (instance, nav) = instance_and_nav(user, id, Tab::Users).await?;
    Ok(CreatePage {
        layout: users_layout(user, nav, "user-create-title", None),
        instance_id: id.to_string(),
        acl: instance.enable_acl,
        form: FormView::empty(user.ui.lang),
        changes: Vec::new(),
        problem: None,
        topic_perms: TOPIC_PERMS,
        group_perms: GROUP_PERMS,
        name_pattern: NameRule::ACL_USER.html_pattern(),
    })
}

/// `GET /instances/{instance_id}/users/new`.
pub async fn create_user_form(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageUsers)?;
    let id = path.into_inner().instance_id;
    let mut page = create_page(&user, &id).await?;
    let form = CreateForm {
        default_topic_perm: "DENY".into(),
        default_group_perm: "DENY".into(),
        op: new_op_id(),
        ..CreateForm::default()
    };
    page.form = FormView::of(user.ui.lang, &form, FormErrors::new());
    render_page(hx, StatusCode::OK, &page)
}

/// `POST /instances/{instance_id}/users/new`: previews, or (`step=confirm`) creates the user
/// and shows its secret key once.
pub async fn create_user(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
    form: web::Form<CreateForm>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageUsers)?;
    let id = path.into_inner().instance_id;
    let mut form = form.into_inner();
    let mut page = create_page(&user, &id).await?;
    let new = match NewUser::try_from(&form) {
        Ok(new) => new,
        Err(errors) => {
            page.form = FormView::of(user.ui.lang, &form, errors);
            return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    if Step::of(&form.step) == Step::Preview {
        let mut changes = vec![Change::new("users-col-name", "", new.name.as_str())];
        changes.extend(settings_changes(
            user.ui.lang,
            None,
            &new.address,
            new.admin,
            &new.topic_default,
            &new.group_default,
        ));
        page.changes = changes;
        page.form = FormView::of(user.ui.lang, &form, FormErrors::new());
        return render_page(hx, StatusCode::OK, &page);
    }
    let secret = super::secret::generate(new.name.as_str());
    let body = UserRequest {
        access_key: new.name.to_string(),
        secret_key: Some(secret.clone()),
        white_remote_address: Some(new.address.clone()),
        admin: Some(new.admin),
        default_topic_perm: Some(new.topic_default.clone()),
        default_group_perm: Some(new.group_default.clone()),
        topic_perms: None,
        group_perms: None,
    };
    // Never the secret: only what the user is and may do.
    let params = serde_json::json!({
        "access_key": body.access_key,
        "white_remote_address": body.white_remote_address,
        "admin": body.admin,
        "default_topic_perm": body.default_topic_perm,
        "default_group_perm": body.default_group_perm,
    });
    let action = Audited::new(
        &request,
        &user,
        Permission::ManageUsers,
        "CreateUser",
        format!("instance/{id}/user/{}", new.name),
        params,
        &form.op,
    );
    let result = audited(
        action,
        user.budget(&id)
            .run(user.dms.create_user(id.as_str(), &body)),
    )
    .await?;
    match result {
        Ok(_) => {
            let (_, nav) = instance_and_nav(&user, &id, Tab::Users).await?;
            let created = CreatedPage {
                layout: users_layout(&user, nav, "user-created-title", Some(new.name.as_str())),
                instance_id: id.to_string(),
                name: new.name.to_string(),
                secret,
            };
            render_page(hx, StatusCode::OK, &created)
        }
        Err(error) => {
            let mut errors = FormErrors::new();
            let field = match error.code.as_deref() {
                Some("DMS.00400015" | "DMS.00400800") => "access_key",
                _ if error.message.contains("white_remote_address") => "white_remote_address",
                _ => "_form",
            };
            errors.from_dms(field, &error);
            form.op = new_op_id();
            form.step = String::new();
            page.form = FormView::of(user.ui.lang, &form, errors);
            // An unknown outcome may have created the user with a secret nobody saw: the
            // users list shows whether it exists, and it can be deleted and made again.
            page.problem = Some(
                ErrorSummary::upstream("op-create-user", &error)
                    .check_state_at(format!("/instances/{id}/users")),
            );
            render_page(hx, upstream_status(&error), &page)
        }
    }
}

/// One row of the permission matrix.
pub struct MatrixRow {
    /// The field of the name (`tn-3`).
    pub name_field: String,
    /// The field of the permission (`tp-3`).
    pub perm_field: String,
}

#[derive(Template)]
#[template(path = "users/edit.html", blocks = ["content"])]
struct EditPage {
    layout: Layout,
    instance_id: String,
    name: String,
    acl: bool,
    form: FormView,
    topic_rows: Vec<MatrixRow>,
    group_rows: Vec<MatrixRow>,
    topic_perms: &'static [&'static str],
    group_perms: &'static [&'static str],
    topic_names: Vec<String>,
    changes: Vec<Change>,
    problem: Option<ErrorSummary>,
}
crate::page!(EditPage);

impl EditPage {
    fn perm(&self, perm: &str) -> String {
        self.t(perm_key(perm))
    }

    fn href(&self) -> String {
        user_href(&self.instance_id, &self.name)
    }
}

fn rows(prefix_name: &str, prefix_perm: &str, count: usize) -> Vec<MatrixRow> {
    (0..count)
        .map(|i| MatrixRow {
            name_field: format!("{prefix_name}-{i}"),
            perm_field: format!("{prefix_perm}-{i}"),
        })
        .collect()
}

/// How many matrix rows a posted form has (the highest index seen, plus one).
fn row_count(values: &BTreeMap<String, String>, prefix: &str) -> usize {
    values
        .keys()
        .filter_map(|k| {
            k.strip_prefix(prefix)?
                .strip_prefix('-')?
                .parse::<usize>()
                .ok()
        })
        .map(|i| i + 1)
        .max()
        .unwrap_or(0)
        .min(1_000)
}

/// A valid edit.
struct UserEdit {
    address: String,
    admin: bool,
    topic_default: String,
    group_default: String,
    topic_perms: Vec<Perm>,
    group_perms: Vec<Perm>,
}

impl UserEdit {
    fn check(values: &BTreeMap<String, String>) -> Result<Self, FormErrors> {
        let value = |k: &str| values.get(k).map(String::as_str).unwrap_or("");
        let mut errors = FormErrors::new();
        let address = check_address(&mut errors, value("white_remote_address"));
        let topic_default = errors
            .one_of(
                "default_topic_perm",
                value("default_topic_perm"),
                TOPIC_PERMS,
            )
            .map(str::to_owned);
        let group_default = errors
            .one_of(
                "default_group_perm",
                value("default_group_perm"),
                GROUP_PERMS,
            )
            .map(str::to_owned);
        let topic_perms = matrix(&mut errors, values, ("tn", "tp"), TOPIC_PERMS, |n| {
            TopicName::try_from(n).map(|t| t.to_string())
        });
        let group_perms = matrix(&mut errors, values, ("gn", "gp"), GROUP_PERMS, |n| {
            GroupName::try_from(n).map(|g| g.to_string())
        });
        match (topic_default, group_default) {
            (Some(topic_default), Some(group_default)) if errors.is_empty() => Ok(Self {
                address,
                admin: matches!(value("admin"), "on" | "true"),
                topic_default,
                group_default,
                topic_perms,
                group_perms,
            }),
            _ => Err(errors),
        }
    }
}

/// The explicit permissions of one matrix: rows with a name and a permission other than
/// "default"; a bad name, a name given twice or a bad permission is named next to its row.
fn matrix(
    errors: &mut FormErrors,
    values: &BTreeMap<String, String>,
    (name_prefix, perm_prefix): (&str, &str),
    allowed: &[&str],
    parse: fn(&str) -> Result<String, crate::domain::InvalidName>,
) -> Vec<Perm> {
    let mut out: Vec<Perm> = Vec::new();
    for i in 0..row_count(values, name_prefix).max(row_count(values, perm_prefix)) {
        let name_field = format!("{name_prefix}-{i}");
        let perm_field = format!("{perm_prefix}-{i}");
        let name = values.get(&name_field).map(|n| n.trim()).unwrap_or("");
        let perm = values.get(&perm_field).map(String::as_str).unwrap_or("");
        if name.is_empty() || perm.is_empty() {
            continue;
        }
        let Some(name) = errors.check(&name_field, parse(name)) else {
            continue;
        };
        if errors.one_of(&perm_field, perm, allowed).is_none() {
            continue;
        }
        if out.iter().any(|p| p.name == name) {
            errors.add(&name_field, Msg::new("user-perm-repeated"));
            continue;
        }
        out.push(Perm::new(name, perm));
    }
    out
}

fn perms_text(perms: &[Perm]) -> String {
    perms
        .iter()
        .map(|p| format!("{} {}", p.name, p.perm))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The form values of `user` now, with blank rows to add permissions.
fn values_of(user: &User, op: String) -> BTreeMap<String, String> {
    let mut values = BTreeMap::from([
        (
            "white_remote_address".to_owned(),
            user.white_remote_address.clone(),
        ),
        (
            "admin".to_owned(),
            if user.admin { "on" } else { "" }.to_owned(),
        ),
        (
            "default_topic_perm".to_owned(),
            user.default_topic_perm.clone(),
        ),
        (
            "default_group_perm".to_owned(),
            group_perm(&user.default_group_perm).to_owned(),
        ),
        ("op".to_owned(), op),
    ]);
    for (i, p) in user.topic_perms.iter().enumerate() {
        values.insert(format!("tn-{i}"), p.name.clone());
        values.insert(format!("tp-{i}"), p.perm.clone());
    }
    for (i, p) in user.group_perms.iter().enumerate() {
        values.insert(format!("gn-{i}"), p.name.clone());
        values.insert(format!("gp-{i}"), group_perm(&p.perm).to_owned());
    }
    values
}

async fn load_user(
    user: &CurrentUser,
    id: &InstanceId,
    name: &AclUserName,
) -> Result<(User, bool, InstanceNav), WebError> {
    let budget = user.budget(id);
    let (shown, loaded) = tokio::join!(
        budget.run(user.dms.show_user(id.as_str(), name.as_str())),
        instance_and_nav(user, id, Tab::Users)
    );
    let (instance, nav) = loaded?;
    match shown {
        Ok(reply) => Ok((reply.into_inner(), instance.enable_acl, nav)),
        Err(e) if e.kind == ErrorKind::NotFound => Err(user_not_found(name)),
        Err(e) => Err(WebError::upstream("op-read-user", e)),
    }
}

async fn edit_page(
    user: &CurrentUser,
    id: &InstanceId,
    name: &AclUserName,
    values: Option<BTreeMap<String, String>>,
    errors: FormErrors,
) -> Result<(EditPage, User), WebError> {
    let ((current, acl, nav), suggestions) = tokio::try_join!(load_user(user, id, name), async {
        Ok::<_, WebError>(catalog::load(user, id, false, SUGGEST_DEADLINE).await.ok())
    })?;
    let values = values.unwrap_or_else(|| values_of(&current, new_op_id()));
    let topic_count = row_count(&values, "tn").max(current.topic_perms.len()) + BLANK_ROWS;
    let group_count = row_count(&values, "gn").max(current.group_perms.len()) + BLANK_ROWS;
    let topic_names = suggestions
        .map(|c| {
            c.listing
                .topics
                .iter()
                .take(SUGGESTED_TOPICS)
                .map(|t| t.name.clone())
                .collect()
        })
        .unwrap_or_default();
    let page = EditPage {
        layout: users_layout(user, nav, "user-edit-title", Some(name.as_str())),
        instance_id: id.to_string(),
        name: name.to_string(),
        acl,
        form: FormView::of(user.ui.lang, &values, errors),
        topic_rows: rows("tn", "tp", topic_count),
        group_rows: rows("gn", "gp", group_count),
        topic_perms: TOPIC_PERMS,
        group_perms: GROUP_PERMS,
        topic_names,
        changes: Vec::new(),
        problem: None,
    };
    Ok((page, current))
}

/// `GET /instances/{instance_id}/users/{user}/edit`.
pub async fn edit_user_form(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<UserPath>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageUsers)?;
    let UserPath {
        instance_id,
        user: name,
    } = path.into_inner();
    let (page, _) = edit_page(&user, &instance_id, &name, None, FormErrors::new()).await?;
    render_page(hx, StatusCode::OK, &page)
}

/// `POST /instances/{instance_id}/users/{user}/edit`: previews, or (`step=confirm`) saves.
pub async fn update_user(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<UserPath>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageUsers)?;
    let UserPath {
        instance_id,
        user: name,
    } = path.into_inner();
    let mut values: BTreeMap<String, String> = form
        .into_inner()
        .into_iter()
        .filter(|(k, _)| k != "_csrf")
        .collect();
    let step = values.remove("step").unwrap_or_default();
    let edit = UserEdit::check(&values);
    let errors = edit.as_ref().err().cloned().unwrap_or_default();
    let (mut page, current) =
        edit_page(&user, &instance_id, &name, Some(values.clone()), errors).await?;
    let Ok(edit) = edit else {
        return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    if Step::of(&step) == Step::Preview {
        let mut changes = settings_changes(
            user.ui.lang,
            Some(&current),
            &edit.address,
            edit.admin,
            &edit.topic_default,
            &edit.group_default,
        );
        changes.push(Change::new(
            "users-col-topic-perms",
            perms_text(&current.topic_perms),
            perms_text(&edit.topic_perms),
        ));
        changes.push(Change::new(
            "users-col-group-perms",
            perms_text(&current.group_perms),
            perms_text(&edit.group_perms),
        ));
        page.changes = changes;
        return render_page(hx, StatusCode::OK, &page);
    }
    let body = UserRequest {
        access_key: name.to_string(),
        secret_key: None,
        white_remote_address: Some(edit.address.clone()),
        admin: Some(edit.admin),
        default_topic_perm: Some(edit.topic_default.clone()),
        default_group_perm: Some(edit.group_default.clone()),
        topic_perms: Some(edit.topic_perms.clone()),
        group_perms: Some(edit.group_perms.clone()),
    };
    let params = serde_json::json!({
        "white_remote_address": {"before": current.white_remote_address, "after": body.white_remote_address},
        "admin": {"before": current.admin, "after": body.admin},
        "default_topic_perm": {"before": current.default_topic_perm, "after": body.default_topic_perm},
        "default_group_perm": {"before": current.default_group_perm, "after": body.default_group_perm},
        "topic_perms": {"before": current.topic_perms, "after": body.topic_perms},
        "group_perms": {"before": current.group_perms, "after": body.group_perms},
    });
    let op = values.get("op").cloned().unwrap_or_default();
    let action = Audited::new(
        &request,
        &user,
        Permission::ManageUsers,
        "UpdateUser",
        format!("instance/{instance_id}/user/{name}"),
        params,
        &op,
    );
    let result = audited(
        action,
        user.budget(&instance_id).run(user.dms.update_user(
            instance_id.as_str(),
            name.as_str(),
            &body,
        )),
    )
    .await?;
    match result {
        Ok(_) => Ok(redirect(hx, &format!("/instances/{instance_id}/users"))),
        Err(error) => {
            let mut errors = FormErrors::new();
            let field = [
                "white_remote_address",
                "default_topic_perm",
                "default_group_perm",
            ]
            .into_iter()
            .find(|f| error.message.contains(f))
            .unwrap_or("_form");
            errors.from_dms(field, &error);
            values.insert("op".into(), new_op_id());
            let (mut page, _) = edit_page(&user, &instance_id, &name, Some(values), errors).await?;
            page.problem = Some(
                ErrorSummary::upstream("op-save-user", &error)
                    .check_state_at(user_href(instance_id.as_str(), name.as_str())),
            );
            render_page(hx, upstream_status(&error), &page)
        }
    }
}

/// The delete confirmation as posted.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct DeleteForm {
    confirm: String,
    op: String,
}

#[derive(Template)]
#[template(path = "users/delete.html", blocks = ["content"])]
struct DeletePage {
    layout: Layout,
    instance_id: String,
    user: User,
    form: FormView,
    problem: Option<ErrorSummary>,
}
crate::page!(DeletePage);

impl DeletePage {
    fn perm(&self, perm: &str) -> String {
        self.t(perm_key(perm))
    }
}

async fn delete_page(
    user: &CurrentUser,
    id: &InstanceId,
    name: &AclUserName,
    form: &DeleteForm,
    errors: FormErrors,
) -> Result<DeletePage, WebError> {
    let (shown, _, nav) = load_user(user, id, name).await?;
    Ok(DeletePage {
        layout: users_layout(user, nav, "user-delete-title", Some(name.as_str())),
        instance_id: id.to_string(),
        user: shown,
        form: FormView::of(user.ui.lang, form, errors),
        problem: None,
    })
}

/// `GET /instances/{instance_id}/users/{user}/delete`.
pub async fn delete_user_form(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<UserPath>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageUsers)?;
    let UserPath {
        instance_id,
        user: name,
    } = path.into_inner();
    let form = DeleteForm {
        op: new_op_id(),
        ..DeleteForm::default()
    };
    let page = delete_page(&user, &instance_id, &name, &form, FormErrors::new()).await?;
    render_page(hx, StatusCode::OK, &page)
}

/// `POST /instances/{instance_id}/users/{user}/delete`: needs the name typed.
pub async fn delete_user(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<UserPath>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageUsers)?;
    let UserPath {
        instance_id,
        user: name,
    } = path.into_inner();
    let mut form = form.into_inner();
    let mut errors = FormErrors::new();
    confirm(&mut errors, "confirm", &form.confirm, name.as_str());
    if !errors.is_empty() {
        let page = delete_page(&user, &instance_id, &name, &form, errors).await?;
        return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let action = Audited::new(
        &request,
        &user,
        Permission::ManageUsers,
        "DeleteUser",
        format!("instance/{instance_id}/user/{name}"),
        serde_json::json!({"access_key": name.as_str()}),
        &form.op,
    );
    let result = audited(
        action,
        user.budget(&instance_id)
            .run(user.dms.delete_user(instance_id.as_str(), name.as_str())),
    )
    .await?;
    let list = format!("/instances/{instance_id}/users");
    match result {
        Ok(_) => Ok(redirect(hx, &list)),
        Err(error) => {
            form.op = new_op_id();
            form.confirm = String::new();
            let mut page =
                match delete_page(&user, &instance_id, &name, &form, FormErrors::new()).await {
                    Ok(page) => page,
                    // No readable answer, and the user is gone: the delete happened.
                    Err(WebError::NotFound(_)) if error.outcome_unknown => {
                        return Ok(redirect(hx, &list));
                    }
                    Err(other) => return Err(other),
                };
            page.problem =
                Some(ErrorSummary::upstream("op-delete-user", &error).check_state_at(&list));
            render_page(hx, upstream_status(&error), &page)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_matrix_keeps_explicit_rows_and_drops_defaults_and_blanks() {
        let edit = UserEdit::check(&values(&[
            ("default_topic_perm", "SUB"),
            ("default_group_perm", "DENY"),
            ("admin", "on"),
            ("tn-0", "orders"),
            ("tp-0", "PUB|SUB"),
            ("tn-1", "payments"),
            ("tp-1", ""),
            ("tn-2", ""),
            ("tp-2", "PUB"),
            ("gn-0", "billing"),
            ("gp-0", "SUB"),
        ]))
        .ok()
        .unwrap();
        assert!(edit.admin);
        assert_eq!(edit.topic_perms, [Perm::new("orders", "PUB|SUB")]);
        assert_eq!(edit.group_perms, [Perm::new("billing", "SUB")]);
    }

    #[test]
    fn bad_rows_are_named_next_to_themselves() {
        let errors = UserEdit::check(&values(&[
            ("default_topic_perm", "SUB"),
            ("default_group_perm", "PUB"),
            ("tn-0", "a b"),
            ("tp-0", "SUB"),
            ("tn-1", "orders"),
            ("tp-1", "SUB"),
            ("tn-2", "orders"),
            ("tp-2", "DENY"),
            ("gn-0", "billing"),
            ("gp-0", "PUB"),
        ]))
        .err()
        .unwrap();
        for field in ["default_group_perm", "tn-0", "tn-2", "gp-0"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }
}
