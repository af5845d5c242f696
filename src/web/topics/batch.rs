//! Batch delete: the topics selected on the topics tab, each with the same impact preview as
//! a single delete, confirmed by typing `delete N`, deleted with one audited call (API
//! reference §5.3.1, `action=delete`), then read back one by one so that the result says, per
//! topic, whether it is gone.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;

use super::impact::{self, Impact};
use super::{instance_and_nav, topic_href, topic_layout};
use crate::api::ErrorKind;
use crate::domain::{InstanceId, TopicName};
use crate::web::audit::audited::{Audited, audited};
use crate::web::error::{ErrorSummary, WebError, upstream_status};
use crate::web::forms::{FormErrors, FormView, confirm};
use crate::web::htmx::{HxRequest, render_page};
use crate::web::i18n::Msg;
use crate::web::layout::{Layout, Tab};
use crate::web::ledger::new_op_id;
use crate::web::paths::InstancePath;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

/// The most topics one batch deletes (each is previewed).
pub const MAX_BATCH: usize = 50;
/// How long the preview waits for the topics' consumers.
const IMPACT_DEADLINE: Duration = Duration::from_secs(5);

/// What became of one topic of the batch.
pub struct Outcome {
    /// The topic.
    pub topic: String,
    /// `ok` (gone), `failed` (still there) or `unknown` (could not be read back).
    pub state: &'static str,
    /// The catalogue key that says so.
    pub message_key: &'static str,
    /// Its page, while it still exists.
    pub href: Option<String>,
}

#[derive(Template)]
#[template(path = "topics/batch_delete.html", blocks = ["content"])]
struct BatchPage {
    layout: Layout,
    instance_id: String,
    topics: Vec<String>,
    impacts: Vec<Impact>,
    expected: String,
    form: FormView,
    problem: Option<ErrorSummary>,
    /// After the delete: each topic's fate.
    outcomes: Vec<Outcome>,
    /// The form could not be used (nothing selected, too many, a bad name).
    refusal: Option<Msg>,
}
crate::page!(BatchPage);

/// The selected topics and the form's other fields.
struct Selection {
    topics: Vec<TopicName>,
    refusal: Option<Msg>,
    step: String,
    op: String,
    confirm: String,
}

fn selection(pairs: Vec<(String, String)>) -> Selection {
    let mut out = Selection {
        topics: Vec::new(),
        refusal: None,
        step: String::new(),
        op: String::new(),
        confirm: String::new(),
    };
    for (name, value) in pairs {
        match name.as_str() {
            "topic" => match TopicName::try_from(value.trim()) {
                Ok(topic) if !out.topics.contains(&topic) => out.topics.push(topic),
                Ok(_) => {}
                Err(_) => {
                    out.refusal = Some(Msg::new("batch-bad-topic").arg("topic", value.as_str()))
                }
            },
            "step" => out.step = value,
            "op" => out.op = value,
            "confirm" => out.confirm = value,
            _ => {}
        }
    }
    if out.refusal.is_none() {
        if out.topics.is_empty() {
            out.refusal = Some(Msg::new("topics-batch-none-selected"));
        } else if out.topics.len() > MAX_BATCH {
            out.refusal = Some(
                Msg::new("topics-batch-too-many")
                    .arg("count", out.topics.len())
                    .arg("max", MAX_BATCH),
            );
        }
    }
    out
}

/// `POST /instances/{instance_id}/delete-topics`: previews the selected topics' deletion, or
/// (`step=confirm`, `delete N` typed) deletes them.
pub async fn delete_topics(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageTopics)?;
    let id = path.into_inner().instance_id;
    let chosen = selection(form.into_inner());
    let (_, nav) = instance_and_nav(&user, &id, Tab::Topics).await?;
    let names: Vec<String> = chosen.topics.iter().map(ToString::to_string).collect();
    let expected = format!("delete {}", names.len());
    let mut page = BatchPage {
        layout: topic_layout(
            &user,
            nav,
            "topics-batch-delete-title",
            None,
            Some("topics-batch-delete-title"),
        ),
        instance_id: id.to_string(),
        topics: names.clone(),
        impacts: Vec::new(),
        expected: expected.clone(),
        form: FormView::empty(user.ui.lang),
        problem: None,
        outcomes: Vec::new(),
        refusal: chosen.refusal.clone(),
    };
    if page.refusal.is_some() {
        return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let mut errors = FormErrors::new();
    if chosen.step == "confirm" {
        confirm(&mut errors, "confirm", &chosen.confirm, &expected);
    }
    if chosen.step != "confirm" || !errors.is_empty() {
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        page.impacts = impact::impacts(&user, &id, &names, IMPACT_DEADLINE).await;
        page.form = confirm_form(&user, &chosen, errors);
        return render_page(hx, status, &page);
    }
    let action = Audited::new(
        &request,
        &user,
        Permission::ManageTopics,
        "CreateTopicOrBatchDeleteTopic",
        format!("instance/{id}/topics"),
        serde_json::json!({"action": "delete", "topics": names}),
        &chosen.op,
    );
    let result = audited(
        action,
        user.budget(&id)
            .run(user.dms.batch_delete_topics(id.as_str(), &names)),
    )
    .await?;
    user.state.lists.invalidate(id.as_str());
    let status = match &result {
        Ok(_) => StatusCode::OK,
        Err(error) => {
            page.problem = Some(
                ErrorSummary::upstream("op-delete-topics", error)
                    .check_state_at(format!("/instances/{id}/topics")),
            );
            upstream_status(error)
        }
    };
    // Whatever DMS answered, each topic is read back: the result says what is true now.
    page.outcomes = read_back(&user, &id, &names).await;
    render_page(hx, status, &page)
}

/// The typed confirmation, with a fresh operation id when the form is first shown (a
/// corrected confirmation keeps its id: nothing was sent yet).
fn confirm_form(user: &CurrentUser, chosen: &Selection, errors: FormErrors) -> FormView {
    let op = if chosen.op.is_empty() || chosen.step != "confirm" {
        new_op_id()
    } else {
        chosen.op.clone()
    };
    let values: std::collections::BTreeMap<&str, String> =
        [("confirm", chosen.confirm.clone()), ("op", op)].into();
    FormView::of(user.ui.lang, &values, errors)
}

/// Whether each topic still exists, read a few at a time.
async fn read_back(user: &CurrentUser, id: &InstanceId, names: &[String]) -> Vec<Outcome> {
    futures_util::stream::iter(names)
        .map(|topic| async move {
            let read = user
                .budget(id)
                .run(user.dms.show_topic(id.as_str(), topic))
                .await;
            let (state, message_key, href) = match read {
                Err(e)
                    if e.kind == ErrorKind::NotFound
                        || e.code.as_deref() == Some("DMS.00400876") =>
                {
                    ("ok", "batch-deleted", None)
                }
                Ok(_) => (
                    "failed",
                    "batch-still-there",
                    Some(topic_href(id.as_str(), topic)),
                ),
                Err(_) => (
                    "unknown",
                    "batch-unknown",
                    Some(topic_href(id.as_str(), topic)),
                ),
            };
            Outcome {
                topic: topic.clone(),
                state,
                message_key,
                href,
            }
        })
        .buffered(4)
        .collect()
        .await
}
