//! A topic's page: its settings, its messages per broker and queue (min and max offset, last
//! message time, total), the consumer groups that consume it with their lag, the ACL users
//! authorised on it, links to message search, and (for operators) the test-message form.
//!
//! The panels are read at the same time, within the instance's call budget, until the page's
//! deadline; each fails on its own, and a panel cut short says so.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use tokio::time::Instant;

use super::impact::{self, GroupFigure, Groups, Messages};
use super::{instance_and_nav, is_5x, kind_key, messages_href, segment, topic_href, topic_layout};
use crate::api::models::topics::Topic;
use crate::api::models::users::AccessPolicy;
use crate::api::walk;
use crate::api::{ApiError, ErrorKind};
use crate::domain::{InstanceId, MessageId, TopicName};
use crate::web::error::{ErrorSummary, WebError};
use crate::web::forms::FormView;
use crate::web::htmx::{HxRequest, render_page};
use crate::web::layout::{Layout, Tab};
use crate::web::ledger::new_op_id;
use crate::web::paths::TopicPath;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

/// How long the page waits for its panels.
const PAGE_DEADLINE: Duration = Duration::from_millis(2_500);
/// At most this many authorised users are listed.
const MAX_USERS: usize = 500;

/// The users authorised on a topic.
pub struct Users {
    /// Each user and its permission on the topic.
    pub rows: Vec<AccessPolicy>,
    /// Users DMS counts.
    pub total: i64,
    /// Whether more exist than are listed.
    pub more: bool,
}

/// The test-message form as the page shows it.
pub struct SendState {
    /// What was typed, and the messages next to the fields.
    pub form: FormView,
    /// Why the last send failed.
    pub problem: Option<ErrorSummary>,
}

#[derive(Template)]
#[template(path = "topics/show.html", blocks = ["content"])]
pub(super) struct TopicPage {
    layout: Layout,
    instance_id: String,
    topic: Topic,
    five: bool,
    href: String,
    messages_href: String,
    messages: Result<Messages, ErrorSummary>,
    groups: Result<Groups, ErrorSummary>,
    users: Result<Users, ErrorSummary>,
    acl: bool,
    can_manage: bool,
    can_send: bool,
    send: SendState,
    sent: Option<String>,
}
crate::page!(TopicPage);

impl TopicPage {
    fn kind_label(&self, value: &str) -> String {
        self.t(kind_key(value))
    }

    /// The address of a message's page.
    fn message_href(&self, msg_id: &str) -> String {
        format!(
            "/instances/{}/messages/{}?topic={}",
            self.instance_id,
            msg_id,
            super::query_value(&self.topic.name)
        )
    }

    /// The catalogue key of a user's permission on the topic.
    fn perm_key(&self, policy: &AccessPolicy) -> &'static str {
        if policy.admin {
            return "user-perm-admin";
        }
        match policy.perm.as_str() {
            "PUB" => "user-perm-PUB",
            "SUB" => "user-perm-SUB",
            "PUB|SUB" => "user-perm-PUB-SUB",
            "DENY" => "user-perm-DENY",
            "" => "user-perm-default",
            _ => "user-perm-other",
        }
    }

    fn user_href(&self, name: &str) -> String {
        format!(
            "/instances/{}/users/{}/edit",
            self.instance_id,
            segment(name)
        )
    }
}

/// `?sent=` after a test message.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShowParams {
    sent: String,
}

/// The users authorised on `topic` (§5.5.6).
async fn users(user: &CurrentUser, id: &InstanceId, topic: &str) -> Result<Users, ApiError> {
    let budget = user.budget(id);
    let mut total = 0;
    let walked = walk::collect(50, MAX_USERS, |offset, limit| {
        let (dms, budget) = (user.dms.clone(), budget.clone());
        async move {
            let reply = budget
                .run(dms.list_topic_access_policy(
                    id.as_str(),
                    topic,
                    &crate::api::models::common::Paging::new(limit, offset),
                ))
                .await?
                .into_inner();
            Ok(walk::Page {
                total: Some(reply.total.max(0) as u64),
                items: reply.policies,
            })
        }
    })
    .await?;
    if let Some(t) = walked.total {
        total = t as i64;
    }
    Ok(Users {
        rows: walked.items,
        total,
        more: walked.truncated,
    })
}

/// The page of `topic`, with the test-message form in `send`.
pub(super) async fn topic_page(
    user: &CurrentUser,
    id: &InstanceId,
    topic: &TopicName,
    send: SendState,
    sent: Option<String>,
) -> Result<TopicPage, WebError> {
    let deadline = Instant::now() + PAGE_DEADLINE;
    let name = topic.as_str();
    let budget = user.budget(id);
    let (shown, nav, messages, groups, users) = tokio::join!(
        budget.run(user.dms.show_topic(id.as_str(), name)),
        instance_and_nav(user, id, Tab::Topics),
        tokio::time::timeout_at(deadline, impact::messages(user, id, name)),
        impact::groups(user, id, name, GroupFigure::Lag, deadline),
        tokio::time::timeout_at(deadline, users(user, id, name)),
    );
    let (instance, nav) = nav?;
    let mut shown = match shown {
        Ok(reply) => reply.into_inner(),
        Err(e) if e.kind == ErrorKind::NotFound || e.code.as_deref() == Some("DMS.00400876") => {
            return Err(super::topic_not_found(topic));
        }
        Err(e) => return Err(WebError::upstream("op-read-topic", e)),
    };
    // The §5.3.4 example leaves the name out.
    shown.name = name.to_owned();
    let late = |operation| {
        ApiError::local(
            operation,
            ErrorKind::Transport,
            "no answer before the page's time limit",
        )
    };
    Ok(TopicPage {
        layout: topic_layout(user, nav, "topic-title", Some(topic), None),
        instance_id: id.to_string(),
        five: is_5x(&instance),
        href: topic_href(id.as_str(), name),
        messages_href: messages_href(id.as_str(), name),
        messages: messages
            .unwrap_or_else(|_| Err(late("ShowTopicStatus")))
            .map_err(|e| ErrorSummary::upstream("op-read-topic-status", &e)),
        groups: groups.map_err(|e| ErrorSummary::upstream("op-list-topic-groups", &e)),
        users: users
            .unwrap_or_else(|_| Err(late("ListTopicAccessPolicy")))
            .map_err(|e| ErrorSummary::upstream("op-list-topic-users", &e)),
        acl: instance.enable_acl,
        can_manage: user.can(Permission::ManageTopics),
        can_send: user.can(Permission::SendMessages),
        topic: shown,
        send,
        sent,
    })
}

/// A fresh test-message form.
pub(super) fn fresh_send_form(user: &CurrentUser) -> FormView {
    let mut form = FormView::empty(user.ui.lang);
    form.set("op", new_op_id());
    form
}

/// `GET /instances/{instance_id}/topics/{topic}`.
pub async fn show_topic(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<TopicPath>,
    query: web::Query<ShowParams>,
) -> Result<HttpResponse, WebError> {
    let TopicPath { instance_id, topic } = path.into_inner();
    let sent = MessageId::try_from(query.sent.as_str())
        .ok()
        .map(|m| m.as_str().to_owned());
    let send = SendState {
        form: fresh_send_form(&user),
        problem: None,
    };
    let page = topic_page(&user, &instance_id, &topic, send, sent).await?;
    render_page(hx, StatusCode::OK, &page)
}
