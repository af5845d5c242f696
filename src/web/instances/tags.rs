//! The Tags tab: an instance's tags (API reference §5.8.2), each linking to the instance list
//! filtered by it, and the audited change that adds or removes one (§5.8.1), with the
//! project's tags (§5.8.3) as suggestions.
//!
//! The rules of the reference are checked before anything is sent: a key of 1–128 characters
//! and a value of at most 255, both of letters of any language, digits, spaces and
//! `_ . : = + - @`, neither starting nor ending with a space; at most 20 tags per instance.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use crate::api::models::common::{Paging, Tag};
use crate::api::models::tags::ProjectTag;
use crate::api::walk::{self, Page};
use crate::api::{ApiError, DmsClient};
use crate::domain::InstanceId;
use crate::web::audit::audited::{Audited, audited};
use crate::web::error::{ErrorSummary, WebError, upstream_status};
use crate::web::forms::{FormErrors, FormView, Step};
use crate::web::htmx::{HxRequest, redirect, render_page};
use crate::web::i18n::Msg;
use crate::web::layout::{InstanceNav, Layout, Section, Tab};
use crate::web::ledger::new_op_id;
use crate::web::paths::InstancePath;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

/// The most tags an instance may carry (API reference §5.8.1, SDK).
pub const MAX_TAGS: usize = 20;
/// The longest key.
const KEY_MAX: usize = 128;
/// The longest value.
const VALUE_MAX: usize = 255;

fn allowed(text: &str) -> Result<(), Msg> {
    if let Some(c) = text
        .chars()
        .find(|c| !(c.is_alphanumeric() || *c == ' ' || "_.:=+-@".contains(*c)))
    {
        return Err(Msg::new("tag-bad-char").arg("char", c.to_string()));
    }
    if text.starts_with(' ') || text.ends_with(' ') {
        return Err(Msg::new("tag-space-edge"));
    }
    Ok(())
}

/// Checks a tag key against the reference's rules.
pub fn check_key(key: &str) -> Result<(), Msg> {
    let length = key.chars().count();
    if length == 0 || length > KEY_MAX {
        return Err(Msg::new("tag-key-length").arg("max", KEY_MAX));
    }
    allowed(key)
}

/// Checks a tag value against the reference's rules.
pub fn check_value(value: &str) -> Result<(), Msg> {
    if value.chars().count() > VALUE_MAX {
        return Err(Msg::new("tag-value-length").arg("max", VALUE_MAX));
    }
    allowed(value)
}

/// Reads tags written one per line as `key=value` (or `key` alone for an empty value).
pub fn parse_lines(text: &str) -> Result<Vec<Tag>, Msg> {
    let mut tags: Vec<Tag> = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (key, value) = line.split_once('=').unwrap_or((line, ""));
        let (key, value) = (key.trim(), value.trim());
        check_key(key).map_err(|why| Msg::new("tag-line").arg("line", line).arg("why", why))?;
        check_value(value).map_err(|why| Msg::new("tag-line").arg("line", line).arg("why", why))?;
        if tags.iter().any(|t| t.key == key) {
            return Err(Msg::new("tag-repeated").arg("key", key));
        }
        tags.push(Tag {
            key: key.to_owned(),
            value: value.to_owned(),
        });
    }
    if tags.len() > MAX_TAGS {
        return Err(Msg::new("tag-too-many").arg("max", MAX_TAGS));
    }
    Ok(tags)
}

/// The instance list filtered by `tag`.
pub fn filter_href(tag: &Tag) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("tag", &format!("{}={}", tag.key, tag.value))
        .finish();
    format!("/instances?{query}")
}

/// The tag change form as posted.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TagForm {
    /// `add` or `remove`.
    action: String,
    key: String,
    value: String,
    op: String,
    step: String,
}

/// A valid tag change.
struct TagChange {
    add: bool,
    tag: Tag,
}

impl TagChange {
    fn of(form: &TagForm, current: &[Tag]) -> Result<Self, FormErrors> {
        let mut errors = FormErrors::new();
        let add = match form.action.as_str() {
            "add" => true,
            "remove" => false,
            _ => {
                errors.add("action", Msg::new("tag-bad-action"));
                return Err(errors);
            }
        };
        let key = form.key.trim();
        let value = form.value.trim();
        if let Err(why) = check_key(key) {
            errors.add("key", why);
        }
        if add && let Err(why) = check_value(value) {
            errors.add("value", why);
        }
        let exists = current.iter().any(|t| t.key == key);
        if add && !exists && current.len() >= MAX_TAGS {
            errors.add("key", Msg::new("tag-too-many").arg("max", MAX_TAGS));
        }
        if !add && !exists {
            errors.add("key", Msg::new("tag-no-such-key").arg("key", key));
        }
        errors.into_result(|| Self {
            add,
            tag: Tag {
                key: key.to_owned(),
                value: if add {
                    value.to_owned()
                } else {
                    current
                        .iter()
                        .find(|t| t.key == key)
                        .map(|t| t.value.clone())
                        .unwrap_or_default()
                },
            },
        })
    }
}

/// One line of a tag change's preview.
pub struct TagPreview {
    /// The key.
    pub key: String,
    /// Its value now (`None` when the key is not set).
    pub before: Option<String>,
    /// Its value after (`None` when removed).
    pub after: Option<String>,
}

#[derive(Template)]
#[template(path = "instances/tags.html", blocks = ["content"])]
struct TagsPage {
    layout: Layout,
    instance_id: String,
    tags: Result<Vec<Tag>, ErrorSummary>,
    suggestions: Vec<ProjectTag>,
    suggestions_problem: Option<ErrorSummary>,
    can_manage: bool,
    form: FormView,
    preview: Option<TagPreview>,
    problem: Option<ErrorSummary>,
}
crate::page!(TagsPage);

impl TagsPage {
    fn filter_href(&self, tag: &Tag) -> String {
        filter_href(tag)
    }

    /// Every value used in the project, once each (suggestions for the value field).
    fn suggested_values(&self) -> Vec<String> {
        let mut values: Vec<String> = self
            .suggestions
            .iter()
            .flat_map(|t| t.values.iter().cloned())
            .filter(|v| !v.is_empty())
            .collect();
        values.sort();
        values.dedup();
        values
    }
}

async fn instance_tags(dms: &DmsClient, id: &str) -> Result<Vec<Tag>, ApiError> {
    // An instance holds at most 20 tags: one page of 50 holds them all.
    Ok(dms
        .show_instance_tags(id, &Paging::new(50, 0))
        .await?
        .into_inner()
        .tags)
}

async fn project_tags(dms: &DmsClient) -> Result<Vec<ProjectTag>, ApiError> {
    let walked = walk::collect(50, 1_000, |offset, limit| {
        let dms = dms.clone();
        async move {
            let list = dms
                .show_project_tags(&Paging::new(limit, offset))
                .await?
                .into_inner();
            Ok(Page {
                total: list.total.map(|t| t.max(0) as u64),
                items: list.tags,
            })
        }
    })
    .await?;
    Ok(walked.items)
}

async fn tags_page(
    user: &CurrentUser,
    id: &InstanceId,
    form: FormView,
) -> Result<(TagsPage, StatusCode), WebError> {
    let (tags, suggestions, nav) = tokio::join!(
        instance_tags(&user.dms, id.as_str()),
        project_tags(&user.dms),
        InstanceNav::load(user, id, Tab::Tags)
    );
    let status = match &tags {
        Err(error) if error.kind == crate::api::ErrorKind::NotFound => {
            return Err(super::not_found(id));
        }
        Err(error) => upstream_status(error),
        Ok(_) => StatusCode::OK,
    };
    let (suggestions, suggestions_problem) = match suggestions {
        Ok(list) => (list, None),
        Err(error) => (
            Vec::new(),
            Some(ErrorSummary::upstream("op-list-project-tags", &error)),
        ),
    };
    let page = TagsPage {
        layout: Layout::for_user(user, "tags-title", Section::Instances).in_instance(nav),
        instance_id: id.to_string(),
        tags: tags.map_err(|e| ErrorSummary::upstream("op-list-tags", &e)),
        suggestions,
        suggestions_problem,
        can_manage: user.can(Permission::ManageTags),
        form,
        preview: None,
        problem: None,
    };
    Ok((page, status))
}

fn fresh_form(user: &CurrentUser) -> FormView {
    let form = TagForm {
        action: "add".to_owned(),
        op: new_op_id(),
        ..Default::default()
    };
    FormView::of(user.ui.lang, &form, FormErrors::new())
}

/// `GET /instances/{instance_id}/tags`.
pub async fn show_tags(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageTags)?;
    let id = path.into_inner().instance_id;
    let (page, status) = tags_page(&user, &id, fresh_form(&user)).await?;
    render_page(hx, status, &page)
}

/// `POST /instances/{instance_id}/tags`: previews adding or removing a tag, or
/// (`step=confirm`) does it.
pub async fn change_tags(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
    form: web::Form<TagForm>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageTags)?;
    let id = path.into_inner().instance_id;
    let mut form = form.into_inner();
    let (mut page, status) = tags_page(
        &user,
        &id,
        FormView::of(user.ui.lang, &form, FormErrors::new()),
    )
    .await?;
    let current = match &page.tags {
        Ok(tags) => tags.clone(),
        // Without the current tags the change cannot be checked or previewed.
        Err(_) => return render_page(hx, status, &page),
    };
    let change = match TagChange::of(&form, &current) {
        Ok(change) => change,
        Err(errors) => {
            page.form = FormView::of(user.ui.lang, &form, errors);
            return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let before = current
        .iter()
        .find(|t| t.key == change.tag.key)
        .map(|t| t.value.clone());
    if Step::of(&form.step) == Step::Preview {
        page.preview = Some(TagPreview {
            key: change.tag.key.clone(),
            before,
            after: change.add.then(|| change.tag.value.clone()),
        });
        return render_page(hx, StatusCode::OK, &page);
    }
    let params = serde_json::json!({
        "action": if change.add { "create" } else { "delete" },
        "key": change.tag.key,
        "before": before,
        "after": change.add.then(|| change.tag.value.clone()),
    });
    let action = Audited::new(
        &request,
        &user,
        Permission::ManageTags,
        "BatchCreateOrDeleteRocketmqTag",
        format!("instance/{id}"),
        params,
        &form.op,
    );
    let tags = [change.tag.clone()];
    let call = async {
        if change.add {
            user.dms.add_instance_tags(id.as_str(), &tags).await
        } else {
            user.dms.delete_instance_tags(id.as_str(), &tags).await
        }
    };
    let result = audited(action, call).await?;
    user.state.lists.invalidate(id.as_str());
    match result {
        Ok(_) => Ok(redirect(hx, &format!("/instances/{id}/tags"))),
        Err(error) => {
            let mut errors = FormErrors::new();
            errors.from_dms("key", &error);
            form.op = new_op_id();
            form.step = String::new();
            page.form = FormView::of(user.ui.lang, &form, errors);
            page.problem = Some(
                ErrorSummary::upstream("op-change-tags", &error)
                    .check_state_at(format!("/instances/{id}/tags")),
            );
            render_page(hx, upstream_status(&error), &page)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_rules_follow_the_reference() {
        assert!(check_key("env").is_ok());
        assert!(check_key("环境 1.a:b=c+d-e@f_g").is_ok());
        assert!(check_key("").is_err());
        assert!(check_key(&"k".repeat(129)).is_err());
        assert!(check_key(" lead").is_err());
        assert!(check_key("bad/slash").is_err());
        assert!(check_value("").is_ok());
        assert!(check_value(&"v".repeat(256)).is_err());
        assert!(check_value("trail ").is_err());
    }

    #[test]
    fn tag_lines_parse_with_their_rules() {
        let tags = parse_lines("env=prod\n\nteam = payments \nflag").unwrap();
        assert_eq!(
            tags.iter()
                .map(|t| (t.key.as_str(), t.value.as_str()))
                .collect::<Vec<_>>(),
            vec![("env", "prod"), ("team", "payments"), ("flag", "")]
        );
        assert!(parse_lines("a=1\na=2").is_err());
        assert!(parse_lines("a#=1").is_err());
        let many: String = (0..21).map(|i| format!("k{i}=v\n")).collect();
        assert!(parse_lines(&many).is_err());
    }
}
