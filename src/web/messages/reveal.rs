//! Revealing a masked message body: a reader whose bodies are masked gives a reason, and for
//! `messages.reveal_minutes` that one message's body and masked properties are shown to them.
//!
//! The audit record is the grant: `RevealMessageBody` on `message/{instance}/{msg_id}` with
//! the reason, written before anything is shown. A page shows a body when the reader's own
//! record is younger than the reveal window, so every replica sharing the audit log agrees,
//! and a reveal can never happen without its record.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use crate::domain::{InstanceId, TopicName};
use crate::web::audit::Filter;
use crate::web::audit::audited::{Audited, record_local};
use crate::web::error::WebError;
use crate::web::forms::{FormErrors, FormView};
use crate::web::htmx::{HxRequest, redirect, render_page};
use crate::web::layout::{InstanceNav, Layout, Section, Tab};
use crate::web::ledger::{OpState, new_op_id};
use crate::web::paths::{MessagePath, query_param};
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

use super::{message_href, policy};

/// The audit operation of a reveal.
pub const OPERATION: &str = "RevealMessageBody";
/// A reason must say something: at least this many characters.
const REASON_MIN: usize = 8;
/// And at most this many.
const REASON_MAX: usize = 500;

/// A reveal in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// When it ends, epoch ms.
    pub until_ms: i64,
    /// Why it was asked for.
    pub reason: String,
}

/// The audit target of message `msg_id` of instance `instance_id` (ids are hexadecimal and
/// DMS matches them in any case, so the target is in upper case).
pub fn target(instance_id: &str, msg_id: &str) -> String {
    format!("message/{instance_id}/{}", msg_id.to_ascii_uppercase())
}

/// The reveal of message `msg_id` that `user` holds now, if any. When the audit log cannot be
/// read the body stays masked.
pub async fn grant(user: &CurrentUser, instance_id: &str, msg_id: &str) -> Option<Grant> {
    let window = policy(user).reveal_for.as_millis() as i64;
    let now = crate::clock::now_ms();
    let target = target(instance_id, msg_id);
    let filter = Filter {
        user: user.record.user.clone(),
        action: OPERATION.to_owned(),
        target: target.clone(),
        from_ms: Some(now - window),
        to_ms: None,
    };
    let records = match user.state.audit.search(filter, 0, 20).await {
        Ok(records) => records,
        Err(error) => {
            tracing::error!(error = %error, "reveals cannot be read from the audit log; bodies stay masked");
            return None;
        }
    };
    // The search matches substrings; only the reader's own completed record counts.
    records
        .into_iter()
        .find(|r| {
            r.actor == user.record.user
                && r.operation == OPERATION
                && r.target == target
                && r.outcome == "ok"
        })
        .map(|record| Grant {
            until_ms: record.at_ms + window,
            reason: serde_json::from_str::<serde_json::Value>(&record.params)
                .ok()
                .and_then(|p| p["reason"].as_str().map(str::to_owned))
                .unwrap_or_default(),
        })
}

/// The reveal form as posted.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RevealForm {
    topic: String,
    reason: String,
    op: String,
}

#[derive(Template)]
#[template(path = "messages/reveal.html", blocks = ["content"])]
struct RevealPage {
    layout: Layout,
    instance_id: String,
    msg_id: String,
    form: FormView,
    minutes: u64,
    masked: bool,
    back: String,
}
crate::page!(RevealPage);

async fn page(
    user: &CurrentUser,
    instance_id: &InstanceId,
    msg_id: &str,
    form: &RevealForm,
    errors: FormErrors,
) -> RevealPage {
    let nav = InstanceNav::load(user, instance_id, Tab::Messages).await;
    let back = message_href(instance_id.as_str(), msg_id, &form.topic);
    RevealPage {
        layout: Layout::for_user(user, "reveal-title", Section::Instances)
            .in_instance(nav)
            .crumb(
                "messages-title",
                Some(format!("/instances/{instance_id}/messages")),
            )
            .crumb_value(msg_id.to_owned(), Some(back.clone()))
            .crumb("reveal-title", None),
        instance_id: instance_id.to_string(),
        msg_id: msg_id.to_owned(),
        form: FormView::of(user.ui.lang, form, errors),
        minutes: policy(user).reveal_for.as_secs() / 60,
        masked: policy(user).masked,
        back,
    }
}

/// `GET /instances/{instance_id}/messages/{msg_id}/reveal?topic=`: why the body is masked and
/// the form that asks for a reason.
pub async fn reveal_form(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<MessagePath>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::RevealMessageBody)?;
    let MessagePath {
        instance_id,
        msg_id,
    } = path.into_inner();
    let form = RevealForm {
        topic: query_param(&request, "topic"),
        op: new_op_id(),
        ..Default::default()
    };
    let page = page(
        &user,
        &instance_id,
        msg_id.as_str(),
        &form,
        FormErrors::new(),
    )
    .await;
    render_page(hx, StatusCode::OK, &page)
}

/// `POST /instances/{instance_id}/messages/{msg_id}/reveal`: records the reveal with its reason
/// and goes back to the message, which now shows its body.
pub async fn reveal_body(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<MessagePath>,
    form: web::Form<RevealForm>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::RevealMessageBody)?;
    let MessagePath {
        instance_id,
        msg_id,
    } = path.into_inner();
    let mut form = form.into_inner();
    let mut errors = FormErrors::new();
    let reason = errors
        .required("reason", &form.reason)
        .map(str::to_owned)
        .unwrap_or_default();
    if !reason.is_empty() && reason.chars().count() < REASON_MIN {
        errors.add(
            "reason",
            crate::web::i18n::Msg::new("reveal-reason-short").arg("min", REASON_MIN),
        );
    }
    errors.max_chars("reason", &reason, REASON_MAX);
    if !form.topic.is_empty() {
        errors.check("topic", TopicName::try_from(form.topic.clone()));
    }
    if !errors.is_empty() {
        let page = page(&user, &instance_id, msg_id.as_str(), &form, errors).await;
        return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let back = message_href(instance_id.as_str(), msg_id.as_str(), &form.topic);
    if !policy(&user).masked {
        // Nothing is masked for this reader: there is nothing to reveal or to record.
        return Ok(redirect(hx, &back));
    }
    let action = Audited::new(
        &request,
        &user,
        Permission::RevealMessageBody,
        OPERATION,
        target(instance_id.as_str(), msg_id.as_str()),
        serde_json::json!({"topic": form.topic, "reason": reason}),
        &form.op,
    );
    match record_local(action).await {
        Ok(()) | Err(WebError::AlreadySubmitted(OpState::Done)) => Ok(redirect(hx, &back)),
        Err(WebError::Invalid(message)) => {
            form.op = new_op_id();
            let mut errors = FormErrors::new();
            errors.add("_form", message);
            let page = page(&user, &instance_id, msg_id.as_str(), &form, errors).await;
            render_page(hx, StatusCode::BAD_REQUEST, &page)
        }
        Err(other) => Err(other),
    }
}
