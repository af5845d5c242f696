//! Typed paths: the route parameters of every page, as validated newtypes, and the one place
//! that turns a bad value (a path, a query, a form body) into the console's own error page.
//!
//! A handler takes `web::Path<TopicPath>`; a topic name that breaks the naming rule never
//! reaches it (nor DMS): [`path_error`] answers 404 with the rule that was broken.

use actix_web::error::{PathError, QueryPayloadError, UrlencodedError};
use actix_web::{HttpRequest, web};
use serde::Deserialize;

use crate::domain::{AclUserName, GroupName, InstanceId, MessageId, TopicName};

use super::error::WebError;
use super::forms::name_message;
use super::i18n::Msg;

/// The first value of `name` in the request's query, trimmed (empty when absent): for the
/// single optional parameters that a typed `web::Query` would refuse whole when malformed.
pub fn query_param(request: &HttpRequest, name: &str) -> String {
    url::form_urlencoded::parse(request.query_string().as_bytes())
        .find(|(n, _)| n == name)
        .map(|(_, value)| value.trim().to_owned())
        .unwrap_or_default()
}

/// `/instances/{instance_id}…`.
#[derive(Debug, Clone, Deserialize)]
pub struct InstancePath {
    /// The instance.
    pub instance_id: InstanceId,
}

/// `/instances/{instance_id}/topics/{topic}…`.
#[derive(Debug, Clone, Deserialize)]
pub struct TopicPath {
    /// The instance.
    pub instance_id: InstanceId,
    /// The topic.
    pub topic: TopicName,
}

/// `/instances/{instance_id}/groups/{group}…`.
#[derive(Debug, Clone, Deserialize)]
pub struct GroupPath {
    /// The instance.
    pub instance_id: InstanceId,
    /// The consumer group.
    pub group: GroupName,
}

/// `/instances/{instance_id}/users/{user}…`.
#[derive(Debug, Clone, Deserialize)]
pub struct UserPath {
    /// The instance.
    pub instance_id: InstanceId,
    /// The ACL user.
    pub user: AclUserName,
}

/// `/instances/{instance_id}/messages/{msg_id}…`.
#[derive(Debug, Clone, Deserialize)]
pub struct MessagePath {
    /// The instance.
    pub instance_id: InstanceId,
    /// The message.
    pub msg_id: MessageId,
}

/// `/instances/{instance_id}/panels/{panel}`.
#[derive(Debug, Clone, Deserialize)]
pub struct PanelPath {
    /// The instance.
    pub instance_id: InstanceId,
    /// The panel's name.
    pub panel: String,
}

/// A path parameter that breaks its rule: the console's 404 page, with the rule. Nothing is
/// asked of DMS.
pub fn path_error(error: PathError, _request: &HttpRequest) -> actix_web::Error {
    let message = match &error {
        PathError::Deserialize(inner) => described(&inner.to_string()),
        _ => Msg::new("error-bad-path"),
    };
    WebError::NotFound(message).into()
}

/// A query string that cannot be read: 400 with the console's error page.
pub fn query_error(error: QueryPayloadError, _request: &HttpRequest) -> actix_web::Error {
    WebError::Invalid(Msg::new("error-bad-query").arg("detail", error.to_string())).into()
}

/// A form body that cannot be read (too large, wrong content type, malformed): the console's
/// error page with 413 or 400.
pub fn form_error(error: UrlencodedError, _request: &HttpRequest) -> actix_web::Error {
    match error {
        UrlencodedError::Overflow { .. } => {
            WebError::TooLarge(Msg::new("error-form-too-large")).into()
        }
        other => {
            WebError::Invalid(Msg::new("error-bad-form").arg("detail", other.to_string())).into()
        }
    }
}

/// The message of a path parameter that failed to parse. Serde reports our `InvalidName`
/// through its `Display`; the rules are matched back to give the reader's-language message.
fn described(text: &str) -> Msg {
    for (what, parse) in NAME_PARSERS {
        if text.contains(what)
            && let Some(input) = quoted(text)
            && let Err(invalid) = parse(input)
        {
            return Msg::new("error-bad-path-value").arg("detail", name_message(&invalid));
        }
    }
    Msg::new("error-bad-path")
}

type Parser = fn(&str) -> Result<(), crate::domain::InvalidName>;

const NAME_PARSERS: &[(&str, Parser)] = &[
    ("instance id", |s| InstanceId::try_from(s).map(drop)),
    ("topic name", |s| TopicName::try_from(s).map(drop)),
    ("consumer group name", |s| GroupName::try_from(s).map(drop)),
    ("ACL user name", |s| AclUserName::try_from(s).map(drop)),
    ("message id", |s| MessageId::try_from(s).map(drop)),
];

/// The text between the first backquote pair (`InvalidName`'s display quotes the input).
fn quoted(text: &str) -> Option<&str> {
    let start = text.find('`')? + 1;
    let end = text[start..].rfind('`')? + start;
    Some(&text[start..end])
}

/// The extractor settings that route every bad value through the handlers above.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(
            web::FormConfig::default()
                .limit(64 * 1024)
                .error_handler(form_error),
        );
}
