//! The Configuration tab: every RocketMQ parameter of an instance (API reference §5.7.1) with
//! what it does, its default, the values it allows and whether changing it needs a restart;
//! and the audited change (§5.7.2), checked against those values and previewed as
//! before → after. The audit record holds that diff.
//!
//! `valid_values` is `min~max` for integers (the reference's only form); booleans take
//! `true` or `false`; a list of values separated by commas is accepted as the allowed set.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::api::models::common::Paging;
use crate::api::models::configs::{ConfigChange, RocketMqConfig, UpdateConfigsRequest};
use crate::api::walk::{self, Page};
use crate::api::{ApiError, DmsClient, ErrorKind};
use crate::domain::InstanceId;
use crate::web::audit::audited::{Audited, audited};
use crate::web::body::{self, FORM_LIMIT, Fields};
use crate::web::error::{ErrorSummary, WebError, upstream_status};
use crate::web::forms::{FormErrors, FormView, Step};
use crate::web::htmx::{HxRequest, redirect, render_page};
use crate::web::i18n::Msg;
use crate::web::layout::{InstanceNav, Layout, Section, Tab};
use crate::web::ledger::new_op_id;
use crate::web::paths::InstancePath;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

use super::not_found;

/// The form field of parameter `name`.
const FIELD: &str = "p:";

/// What a parameter allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allowed {
    /// An integer from `min` to `max`.
    Range(i64, i64),
    /// `true` or `false`.
    Boolean,
    /// One of these values.
    OneOf(Vec<String>),
    /// Anything (DMS said nothing we can read).
    Any,
}

impl Allowed {
    /// What `config` allows.
    pub fn of(config: &RocketMqConfig) -> Self {
        if config.value_type.eq_ignore_ascii_case("boolean") {
            return Self::Boolean;
        }
        let valid = config.valid_values.trim();
        if let Some((min, max)) = valid.split_once('~')
            && let (Ok(min), Ok(max)) = (min.trim().parse(), max.trim().parse())
        {
            return Self::Range(min, max);
        }
        if valid.contains(',') {
            return Self::OneOf(valid.split(',').map(|v| v.trim().to_owned()).collect());
        }
        Self::Any
    }

    /// Why `value` is not allowed, if it is not.
    pub fn check(&self, value: &str) -> Result<(), Msg> {
        match self {
            Self::Range(min, max) => match value.parse::<i64>() {
                Ok(n) if (*min..=*max).contains(&n) => Ok(()),
                _ => Err(Msg::new("form-integer-range")
                    .arg("min", *min)
                    .arg("max", *max)),
            },
            Self::Boolean if matches!(value, "true" | "false") => Ok(()),
            Self::Boolean => Err(Msg::new("form-one-of").text("allowed", "true, false")),
            Self::OneOf(values) if values.iter().any(|v| v == value) => Ok(()),
            Self::OneOf(values) => Err(Msg::new("form-one-of").text("allowed", values.join(", "))),
            Self::Any if value.is_empty() => Err(Msg::new("form-required")),
            Self::Any => Ok(()),
        }
    }

    /// The allowed values in the reader's terms: the catalogue key and its arguments.
    pub fn describe(&self) -> Msg {
        match self {
            Self::Range(min, max) => Msg::new("config-range").arg("min", *min).arg("max", *max),
            Self::Boolean => Msg::new("config-boolean"),
            Self::OneOf(values) => Msg::new("config-one-of").arg("values", values.join(", ")),
            Self::Any => Msg::new("config-any"),
        }
    }
}

/// One parameter as the page shows it.
pub struct ParamRow {
    /// The parameter.
    pub config: RocketMqConfig,
    /// What it allows.
    pub allowed: Allowed,
    /// What it allows, in the reader's terms.
    pub allowed_text: Msg,
    /// The catalogue key of its description.
    pub description_key: &'static str,
    /// Whether a change takes effect only after a restart.
    pub needs_restart: bool,
}

impl ParamRow {
    fn of(config: RocketMqConfig) -> Self {
        // The reference documents one parameter; others are shown without a description.
        let description_key = if config.name == "fileReservedTime" {
            "param-fileReservedTime"
        } else {
            "param-undocumented"
        };
        let allowed = Allowed::of(&config);
        Self {
            allowed_text: allowed.describe(),
            allowed,
            needs_restart: config.config_type.eq_ignore_ascii_case("static"),
            description_key,
            config,
        }
    }

    /// The form field of this parameter.
    pub fn field(&self) -> String {
        format!("{FIELD}{}", self.config.name)
    }
}

/// One parameter that a change sets: its name and value now and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamChange {
    /// The parameter.
    pub name: String,
    /// Its value now.
    pub before: String,
    /// Its value after.
    pub after: String,
    /// Whether it needs a restart.
    pub needs_restart: bool,
}

#[derive(Template)]
#[template(path = "instances/config.html", blocks = ["content"])]
struct ConfigPage {
    layout: Layout,
    instance_id: String,
    params: Result<Vec<ParamRow>, ErrorSummary>,
    can_edit: bool,
    form: FormView,
    changes: Vec<ParamChange>,
    problem: Option<ErrorSummary>,
}
crate::page!(ConfigPage);

impl ConfigPage {
    fn restart_needed(&self) -> bool {
        self.changes.iter().any(|c| c.needs_restart)
    }
}

/// Every parameter of instance `id`, all pages.
pub(super) async fn all_configs(
    dms: &DmsClient,
    id: &str,
) -> Result<Vec<RocketMqConfig>, ApiError> {
    let walked = walk::collect(50, 10_000, |offset, limit| {
        let dms = dms.clone();
        let id = id.to_owned();
        async move {
            let list = dms
                .show_configs(&id, &Paging::new(limit, offset))
                .await?
                .into_inner();
            Ok(Page {
                total: list.total.map(|t| t.max(0) as u64),
                items: list.rocketmq_configs,
            })
        }
    })
    .await?;
    Ok(walked.items)
}

async fn config_page(
    user: &CurrentUser,
    id: &InstanceId,
) -> Result<(ConfigPage, StatusCode), WebError> {
    let (configs, nav) = tokio::join!(
        all_configs(&user.dms, id.as_str()),
        InstanceNav::load(user, id, Tab::Config)
    );
    if matches!(&configs, Err(e) if e.kind == ErrorKind::NotFound) {
        return Err(not_found(id));
    }
    let status = configs
        .as_ref()
        .err()
        .map_or(StatusCode::OK, upstream_status);
    let params = configs
        .map(|list| list.into_iter().map(ParamRow::of).collect::<Vec<_>>())
        .map_err(|e| ErrorSummary::upstream("op-list-configs", &e));
    let mut values: std::collections::BTreeMap<String, String> = Default::default();
    if let Ok(params) = &params {
        for row in params {
            values.insert(row.field(), row.config.value.clone());
        }
    }
    values.insert("op".to_owned(), new_op_id());
    Ok((
        ConfigPage {
            layout: Layout::for_user(user, "config-title", Section::Instances).in_instance(nav),
            instance_id: id.to_string(),
            params,
            can_edit: user.can(Permission::ManageConfig),
            form: FormView::of(user.ui.lang, &values, FormErrors::new()),
            changes: Vec::new(),
            problem: None,
        },
        status,
    ))
}

/// `GET /instances/{instance_id}/config`.
pub async fn show_config(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageConfig)?;
    let id = path.into_inner().instance_id;
    let (page, status) = config_page(&user, &id).await?;
    render_page(hx, status, &page)
}

/// The changes `fields` asks for, checked against `params`.
fn changes_of(fields: &Fields, params: &[ParamRow]) -> Result<Vec<ParamChange>, FormErrors> {
    let mut errors = FormErrors::new();
    let mut changes = Vec::new();
    for (name, value) in fields.prefixed(FIELD) {
        let value = value.trim().to_owned();
        let field = format!("{FIELD}{name}");
        let Some(row) = params.iter().find(|p| p.config.name == name) else {
            errors.add(
                &field,
                Msg::new("config-unknown").arg("name", name.as_str()),
            );
            continue;
        };
        if value == row.config.value {
            continue;
        }
        match row.allowed.check(&value) {
            Ok(()) => changes.push(ParamChange {
                name,
                before: row.config.value.clone(),
                after: value,
                needs_restart: row.needs_restart,
            }),
            Err(why) => errors.add(&field, why),
        }
    }
    if errors.is_empty() && changes.is_empty() {
        errors.add("_form", Msg::new("config-nothing-changed"));
    }
    errors.into_result(|| changes)
}

/// `POST /instances/{instance_id}/config`: previews the parameters that change, or
/// (`step=confirm`) changes them.
pub async fn update_config(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageConfig)?;
    let id = path.into_inner().instance_id;
    let fields = body::form(&request, payload, FORM_LIMIT).await?;
    let (mut page, status) = config_page(&user, &id).await?;
    let mut values: std::collections::BTreeMap<String, String> = fields
        .prefixed(FIELD)
        .into_iter()
        .map(|(name, value)| (format!("{FIELD}{name}"), value))
        .collect();
    let op = fields.text("op");
    values.insert("op".to_owned(), op.clone());
    page.form = FormView::of(user.ui.lang, &values, FormErrors::new());
    let params = match &page.params {
        Ok(params) => params,
        Err(_) => return render_page(hx, status, &page),
    };
    let changes = match changes_of(&fields, params) {
        Ok(changes) => changes,
        Err(errors) => {
            page.form = FormView::of(user.ui.lang, &values, errors);
            return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    if Step::of(&fields.text("step")) == Step::Preview {
        page.changes = changes;
        return render_page(hx, StatusCode::OK, &page);
    }
    let diff: serde_json::Map<String, serde_json::Value> = changes
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                serde_json::json!({"before": c.before, "after": c.after}),
            )
        })
        .collect();
    let action = Audited::new(
        &request,
        &user,
        Permission::ManageConfig,
        "UpdateRocketMqConfigs",
        format!("instance/{id}"),
        serde_json::Value::Object(diff),
        &op,
    );
    let body = UpdateConfigsRequest {
        rocketmq_configs: changes
            .iter()
            .map(|c| ConfigChange::new(c.name.clone(), &c.after))
            .collect(),
    };
    let result = audited(action, user.dms.update_configs(id.as_str(), &body)).await?;
    match result {
        Ok(_) => Ok(redirect(hx, &format!("/instances/{id}/config"))),
        Err(error) => {
            let mut errors = FormErrors::new();
            // DMS names the refused parameter in its message (`DMS.00400063`).
            let field = changes
                .iter()
                .find(|c| error.message.contains(&c.name))
                .map(|c| format!("{FIELD}{}", c.name))
                .unwrap_or_else(|| "_form".to_owned());
            errors.from_dms(&field, &error);
            values.insert("op".to_owned(), new_op_id());
            page.form = FormView::of(user.ui.lang, &values, errors);
            page.problem = Some(
                ErrorSummary::upstream("op-update-configs", &error)
                    .check_state_at(format!("/instances/{id}/config")),
            );
            render_page(hx, upstream_status(&error), &page)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(valid: &str, kind: &str) -> RocketMqConfig {
        RocketMqConfig {
            name: "p".into(),
            valid_values: valid.into(),
            value_type: kind.into(),
            ..Default::default()
        }
    }

    #[test]
    fn allowed_values_are_read_from_what_dms_says() {
        let range = Allowed::of(&config("1~720", "integer"));
        assert_eq!(range, Allowed::Range(1, 720));
        assert!(range.check("72").is_ok());
        assert!(range.check("0").is_err());
        assert!(range.check("721").is_err());
        assert!(range.check("7.5").is_err());
        let flag = Allowed::of(&config("", "boolean"));
        assert!(flag.check("true").is_ok());
        assert!(flag.check("yes").is_err());
        let set = Allowed::of(&config("ASYNC_FLUSH, SYNC_FLUSH", "string"));
        assert!(set.check("SYNC_FLUSH").is_ok());
        assert!(set.check("NONE").is_err());
    }
}
