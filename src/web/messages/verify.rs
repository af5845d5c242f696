//! Consumption verification (API reference §5.4.5): a message is pushed straight to one
//! online client of a consumer group, to see whether that client consumes it. Offsets do not
//! move, but the client does consume the message again, so this is a change: operators only,
//! one-time operation id, audited, never repeated; an unknown outcome points at the trace,
//! where the delivery shows up if it happened.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use crate::api::models::common::Paging;
use crate::api::models::groups::{ConsumerClient, ListConsumerClientsQuery};
use crate::api::models::messages::{ResendResult, VerifyConsumptionRequest};
use crate::domain::{GroupName, InstanceId, TopicName};
use crate::web::audit::audited::{Audited, audited};
use crate::web::error::{ErrorSummary, WebError, upstream_status};
use crate::web::forms::{FormErrors, FormView};
use crate::web::htmx::{HxRequest, render_page};
use crate::web::layout::{InstanceNav, Layout, Section, Tab};
use crate::web::ledger::new_op_id;
use crate::web::paths::{MessagePath, query_param};
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

use super::message_href;
use super::reveal::target;
use super::trace::trace_href;

/// The verification form as posted (and as its page's query).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct VerifyForm {
    topic: String,
    group: String,
    client_id: String,
    op: String,
}

/// A checked verification.
struct Verification {
    topic: TopicName,
    group: GroupName,
    client_id: String,
}

impl TryFrom<&VerifyForm> for Verification {
    type Error = FormErrors;
    fn try_from(form: &VerifyForm) -> Result<Self, FormErrors> {
        let mut errors = FormErrors::new();
        let topic = errors
            .required("topic", &form.topic)
            .map(str::to_owned)
            .and_then(|t| errors.check("topic", TopicName::try_from(t)));
        let group = errors
            .required("group", &form.group)
            .map(str::to_owned)
            .and_then(|g| errors.check("group", GroupName::try_from(g)));
        let client_id = errors
            .required("client_id", &form.client_id)
            .map(str::to_owned);
        if let Some(client) = &client_id {
            errors.max_chars("client_id", client, 256);
        }
        match (topic, group, client_id) {
            (Some(topic), Some(group), Some(client_id)) if errors.is_empty() => Ok(Self {
                topic,
                group,
                client_id,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "messages/verify.html", blocks = ["content"])]
struct VerifyPage {
    layout: Layout,
    instance_id: String,
    msg_id: String,
    form: FormView,
    groups: Option<Result<Vec<String>, ErrorSummary>>,
    clients: Option<Result<Vec<ConsumerClient>, ErrorSummary>>,
    results: Option<Vec<ResendResult>>,
    problem: Option<ErrorSummary>,
    back: String,
    trace: String,
}
crate::page!(VerifyPage);

async fn page(
    user: &CurrentUser,
    instance_id: &InstanceId,
    msg_id: &str,
    form: &VerifyForm,
    errors: FormErrors,
) -> VerifyPage {
    let id = instance_id.as_str();
    let topic = TopicName::try_from(form.topic.clone()).ok();
    let group = GroupName::try_from(form.group.clone()).ok();
    let budget = user.budget(instance_id);
    let (nav, groups, clients) = tokio::join!(
        InstanceNav::load(user, instance_id, Tab::Messages),
        async {
            match &topic {
                Some(topic) => Some(
                    budget
                        .run(
                            user.dms
                                .list_topic_groups(id, topic.as_str(), &Paging::new(50, 0)),
                        )
                        .await
                        .map(|r| r.into_inner().groups)
                        .map_err(|e| ErrorSummary::upstream("op-list-topic-groups", &e)),
                ),
                None => None,
            }
        },
        async {
            match &group {
                Some(group) => {
                    let query = ListConsumerClientsQuery {
                        limit: Some(50),
                        offset: Some(0),
                        is_detail: None,
                    };
                    Some(
                        budget
                            .run(user.dms.list_consumer_clients(id, group.as_str(), &query))
                            .await
                            .map(|r| r.into_inner().clients)
                            .map_err(|e| ErrorSummary::upstream("op-list-clients", &e)),
                    )
                }
                None => None,
            }
        }
    );
    VerifyPage {
        layout: Layout::for_user(user, "verify-title", Section::Instances)
            .in_instance(nav)
            .crumb("messages-title", Some(format!("/instances/{id}/messages")))
            .crumb_value(
                msg_id.to_owned(),
                Some(message_href(id, msg_id, &form.topic)),
            )
            .crumb("verify-title", None),
        instance_id: id.to_owned(),
        msg_id: msg_id.to_owned(),
        form: FormView::of(user.ui.lang, form, errors),
        groups,
        clients,
        results: None,
        problem: None,
        back: message_href(id, msg_id, &form.topic),
        trace: trace_href(id, msg_id, &form.topic),
    }
}

/// `GET /instances/{instance_id}/messages/{msg_id}/verify?topic=&group=`: choose a group of
/// the topic, then one of its online clients.
pub async fn verify_form(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<MessagePath>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ResendMessages)?;
    let MessagePath {
        instance_id,
        msg_id,
    } = path.into_inner();
    let param = |name: &str| query_param(&request, name);
    let form = VerifyForm {
        topic: param("topic"),
        group: param("group"),
        client_id: String::new(),
        op: new_op_id(),
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

/// `POST /instances/{instance_id}/messages/{msg_id}/verify`: pushes the message to the chosen
/// client once and shows DMS's answer for it.
pub async fn verify_consumption(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<MessagePath>,
    form: web::Form<VerifyForm>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ResendMessages)?;
    let MessagePath {
        instance_id,
        msg_id,
    } = path.into_inner();
    let mut form = form.into_inner();
    let verification = match Verification::try_from(&form) {
        Ok(verification) => verification,
        Err(errors) => {
            let page = page(&user, &instance_id, msg_id.as_str(), &form, errors).await;
            return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let id = instance_id.as_str();
    let body = VerifyConsumptionRequest {
        group: verification.group.to_string(),
        topic: Some(verification.topic.to_string()),
        client_id: verification.client_id.clone(),
        msg_id_list: Some(vec![msg_id.to_string()]),
    };
    let action = Audited::new(
        &request,
        &user,
        Permission::ResendMessages,
        "ValidateConsumedMessage",
        target(id, msg_id.as_str()),
        serde_json::json!({
            "topic": body.topic,
            "group": body.group,
            "client_id": body.client_id,
            "msg_ids": body.msg_id_list,
        }),
        &form.op,
    );
    let result = audited(action, user.dms.verify_consumption(id, &body)).await?;
    // A new operation id: verifying again is a new, deliberate push.
    form.op = new_op_id();
    let mut page = page(
        &user,
        &instance_id,
        msg_id.as_str(),
        &form,
        FormErrors::new(),
    )
    .await;
    match result {
        Ok(reply) => {
            page.results = Some(reply.into_inner().resend_results);
            render_page(hx, StatusCode::OK, &page)
        }
        Err(error) => {
            let status = upstream_status(&error);
            page.problem = Some(
                ErrorSummary::upstream("op-verify-consumption", &error)
                    .check_state_at(page.trace.clone()),
            );
            render_page(hx, status, &page)
        }
    }
}
