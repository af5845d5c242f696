//! The test message of a topic's page: body, tag, keys and properties, sent once (SDK
//! `SendMessage`) and audited without its body; the page then shows the new message's id.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::page::{SendState, topic_page};
use super::topic_href;
use crate::api::models::messages::{MessageProperty, SendMessageRequest};
use crate::web::audit::audited::{Audited, audited};
use crate::web::error::{ErrorSummary, WebError, upstream_status};
use crate::web::forms::{FormErrors, FormView, refused_field};
use crate::web::htmx::{HxRequest, redirect, render_page};
use crate::web::i18n::Msg;
use crate::web::ledger::new_op_id;
use crate::web::paths::TopicPath;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

/// The longest body the console sends (the form itself is capped at 64 KiB).
const BODY_MAX: usize = 16_000;
/// The longest tag and key.
const TAG_MAX: usize = 128;
/// Properties RocketMQ sets itself.
const RESERVED: &[&str] = &["KEYS", "TAGS", "UNIQ_KEY", "MSG_REGION", "TRACE_ON"];

/// The form as posted.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SendForm {
    body: String,
    tags: String,
    keys: String,
    properties: String,
    op: String,
}

/// A valid test message.
struct TestMessage {
    body: String,
    tags: String,
    keys: Vec<String>,
    properties: Vec<MessageProperty>,
}

impl TryFrom<&SendForm> for TestMessage {
    type Error = FormErrors;
    fn try_from(form: &SendForm) -> Result<Self, FormErrors> {
        let mut errors = FormErrors::new();
        if form.body.is_empty() {
            errors.add("body", Msg::new("form-required"));
        }
        errors.max_chars("body", &form.body, BODY_MAX);
        let tags = form.tags.trim().to_owned();
        if tags.contains(char::is_whitespace) || tags.contains('|') {
            errors.add("tags", Msg::new("topic-send-bad-tag"));
        }
        errors.max_chars("tags", &tags, TAG_MAX);
        let keys: Vec<String> = form.keys.split_whitespace().map(str::to_owned).collect();
        if keys.iter().any(|k| k.chars().count() > TAG_MAX) {
            errors.add("keys", Msg::new("form-too-long").arg("max", TAG_MAX));
        }
        let mut properties = Vec::new();
        for (number, line) in form.properties.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let parsed = line.split_once('=').map(|(n, v)| (n.trim(), v.trim()));
            match parsed {
                Some((name, value))
                    if !name.is_empty()
                        && name
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
                        && !RESERVED.contains(&name.to_ascii_uppercase().as_str()) =>
                {
                    properties.push(MessageProperty::new(name, value));
                }
                _ => {
                    errors.add(
                        "properties",
                        Msg::new("topic-send-bad-property")
                            .arg("line", number + 1)
                            .arg("text", line),
                    );
                }
            }
        }
        errors.into_result(|| Self {
            body: form.body.clone(),
            tags,
            keys,
            properties,
        })
    }
}

impl TestMessage {
    fn request(&self, topic: &str) -> SendMessageRequest {
        let mut properties = self.properties.clone();
        if !self.tags.is_empty() {
            properties.push(MessageProperty::new("TAGS", self.tags.clone()));
        }
        if !self.keys.is_empty() {
            properties.push(MessageProperty::new("KEYS", self.keys.join(" ")));
        }
        SendMessageRequest {
            topic: topic.to_owned(),
            body: self.body.clone(),
            property_list: (!properties.is_empty()).then_some(properties),
        }
    }
}

/// `POST /instances/{instance_id}/topics/{topic}/send`.
pub async fn send_test_message(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<TopicPath>,
    form: web::Form<SendForm>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::SendMessages)?;
    let TopicPath { instance_id, topic } = path.into_inner();
    let mut form = form.into_inner();
    let message = match TestMessage::try_from(&form) {
        Ok(message) => message,
        Err(errors) => {
            let send = SendState {
                form: FormView::of(user.ui.lang, &form, errors),
                problem: None,
            };
            let page = topic_page(&user, &instance_id, &topic, send, None).await?;
            return render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    // The body is not recorded: test messages may carry real data.
    let params = serde_json::json!({
        "topic": topic.as_str(),
        "body_bytes": message.body.len(),
        "tags": message.tags,
        "keys": message.keys,
        "properties": message.properties.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
    });
    let action = Audited::new(
        &request,
        &user,
        Permission::SendMessages,
        "SendMessage",
        format!("instance/{instance_id}/topic/{topic}"),
        params,
        &form.op,
    );
    let body = message.request(topic.as_str());
    let budget = user.budget(&instance_id);
    let call = budget.run(user.dms.send_message(instance_id.as_str(), &body));
    let here = topic_href(instance_id.as_str(), topic.as_str());
    match audited(action, call).await? {
        Ok(reply) => {
            let sent = reply.into_inner();
            let query: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("sent", &sent.msg_id)
                .finish();
            Ok(redirect(hx, &format!("{here}?{query}")))
        }
        Err(error) => {
            let mut errors = FormErrors::new();
            let field = refused_field(&error, &["body", "tags", "keys"], &[], "body");
            errors.from_dms(field, &error);
            // A new operation id: sending again after a failure is a new, deliberate send.
            form.op = new_op_id();
            let send = SendState {
                form: FormView::of(user.ui.lang, &form, errors),
                problem: Some(
                    ErrorSummary::upstream("op-send-message", &error)
                        .check_state_at(super::messages_href(instance_id.as_str(), topic.as_str())),
                ),
            };
            let page = topic_page(&user, &instance_id, &topic, send, None).await?;
            render_page(hx, upstream_status(&error), &page)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(body: &str, tags: &str, keys: &str, properties: &str) -> SendForm {
        SendForm {
            body: body.into(),
            tags: tags.into(),
            keys: keys.into(),
            properties: properties.into(),
            op: String::new(),
        }
    }

    #[test]
    fn tags_keys_and_properties_become_the_property_list() {
        let message = TestMessage::try_from(&form(
            "{\"id\":1}",
            "created",
            "o-1 o-2",
            "source = console\n\n",
        ))
        .unwrap();
        let request = message.request("orders");
        let properties = request.property_list.unwrap();
        assert_eq!(
            properties,
            [
                MessageProperty::new("source", "console"),
                MessageProperty::new("TAGS", "created"),
                MessageProperty::new("KEYS", "o-1 o-2"),
            ]
        );
        assert!(
            TestMessage::try_from(&form("x", "", "", ""))
                .unwrap()
                .request("t")
                .property_list
                .is_none()
        );
    }

    #[test]
    fn bad_input_is_named_next_to_its_field() {
        let errors = TestMessage::try_from(&form("", "a b", "", "KEYS=x\nnovalue"))
            .err()
            .unwrap();
        assert!(errors.get("body").is_some());
        assert!(errors.get("tags").is_some());
        assert!(errors.get("properties").is_some());
    }
}
