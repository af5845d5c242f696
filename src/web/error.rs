//! `WebError`: the one error type handlers return, and what it shows.
//!
//! A `WebError` becomes an answer with its status and an [`ErrorSummary`] (messages from the
//! catalogue, the DMS error code and request id) in the answer's extensions; the
//! `htmx::answer_errors` middleware then renders the summary in the reader's language, as the
//! error page (full page requests) or as a toast (htmx). This module knows nothing of pages. Upstream failures show what failed,
//! the DMS error code and the request id.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

use crate::api::{ApiError, ErrorKind};

use super::i18n::Msg;
use super::rbac::Permission;

/// A handler failure.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No valid session.
    #[error("sign-in required")]
    SignInRequired,
    /// The role lacks a permission.
    #[error("your role cannot do this (it needs `{}`)", needed.action())]
    Forbidden {
        /// The missing permission.
        needed: Permission,
    },
    /// A CSRF or origin check failed.
    #[error("the request was refused: {0}")]
    Csrf(Msg),
    /// A page or resource that does not exist.
    #[error("not found: {0}")]
    NotFound(Msg),
    /// The request's parameters cannot be used (and there is no form to show them next to).
    #[error("invalid request: {0}")]
    Invalid(Msg),
    /// The request is larger than the console accepts.
    #[error("too large: {0}")]
    TooLarge(Msg),
    /// A rate limit of the console refuses the action for now (see `web::ratelimit`).
    #[error("too many requests: {0}")]
    TooManyRequests(Msg),
    /// The console's settings do not let this reader do this (not a role permission, e.g.
    /// exports switched off for the role).
    #[error("refused: {0}")]
    Refused(Msg),
    /// A DMS call failed.
    #[error("{what}: {source}")]
    Upstream {
        /// What the console was doing.
        what: Msg,
        /// The failure.
        source: ApiError,
        /// For a change whose outcome is unknown: the page that shows the current state.
        check_state: Option<String>,
    },
    /// The same change (the same form's operation id) was submitted before; it was not sent
    /// again.
    #[error("already submitted ({0:?})")]
    AlreadySubmitted(super::ledger::OpState),
    /// The audit log cannot record the intent, so the action is refused.
    #[error("the audit log is unavailable ({0}); the action was not carried out")]
    AuditUnavailable(String),
    /// The session store does not answer.
    #[error("the session store does not answer ({0})")]
    SessionStore(String),
    /// Anything else (a template that cannot render, missing state): a bug or a broken
    /// deployment, logged with its cause.
    #[error("unexpected failure: {0}")]
    Unexpected(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl WebError {
    /// An upstream failure while doing `what` (a catalogue key such as `op-list-instances`).
    pub fn upstream(what: &'static str, source: ApiError) -> Self {
        Self::Upstream {
            what: Msg::new(what),
            source,
            check_state: None,
        }
    }

    /// A failed change while doing `what`; should its outcome be unknown, the page offers
    /// `check_state`, where the current state can be read back.
    pub fn upstream_change(
        what: &'static str,
        source: ApiError,
        check_state: impl Into<String>,
    ) -> Self {
        Self::Upstream {
            what: Msg::new(what),
            check_state: source.outcome_unknown.then(|| check_state.into()),
            source,
        }
    }

    /// An unexpected failure described by `text` (for logs; users see a generic message).
    pub fn unexpected(text: impl Into<String>) -> Self {
        Self::Unexpected(text.into().into())
    }
}

impl From<askama::Error> for WebError {
    fn from(error: askama::Error) -> Self {
        Self::Unexpected(Box::new(error))
    }
}

/// What the error page, a toast or an error card shows: catalogue messages, rendered in the
/// reader's language when the answer is written.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorSummary {
    /// A short title.
    pub title: Msg,
    /// The explanation.
    pub message: Msg,
    /// The DMS error code, if any.
    pub code: Option<String>,
    /// The DMS request id, if any.
    pub request_id: Option<String>,
    /// Whether a change may or may not have happened (no readable answer arrived).
    pub outcome_unknown: bool,
    /// After a change whose outcome is unknown: the page that shows the current state.
    pub check_state: Option<String>,
}

impl ErrorSummary {
    /// A summary without DMS details.
    pub fn new(title: Msg, message: Msg) -> Self {
        Self {
            title,
            message,
            code: None,
            request_id: None,
            outcome_unknown: false,
            check_state: None,
        }
    }

    /// Offers `href`, where the current state can be read back, when the outcome is unknown.
    pub fn check_state_at(mut self, href: impl Into<String>) -> Self {
        if self.outcome_unknown {
            self.check_state = Some(href.into());
        }
        self
    }

    /// The summary of a failed DMS call made while doing `what` (a catalogue key).
    pub fn upstream(what: &'static str, error: &ApiError) -> Self {
        upstream_summary(Msg::new(what), error)
    }
}

/// The title, message, code and request id of a failed DMS call made while doing `what`.
pub fn upstream_summary(what: Msg, error: &ApiError) -> ErrorSummary {
    let detail = error.message.clone();
    let message = match error.kind {
        ErrorKind::Auth => Msg::new("upstream-auth").arg("detail", detail),
        ErrorKind::Forbidden => Msg::new("upstream-forbidden").arg("detail", detail),
        ErrorKind::Throttled => match error.retry_after {
            Some(wait) => Msg::new("upstream-throttled-wait").arg("seconds", wait.as_secs()),
            None => Msg::new("upstream-throttled").arg("detail", detail),
        },
        _ if error.outcome_unknown => Msg::new("upstream-outcome-unknown").arg("detail", detail),
        _ => Msg::new("upstream-detail").arg("detail", detail),
    };
    ErrorSummary {
        title: if error.outcome_unknown {
            Msg::new("upstream-title-unknown").arg("what", what)
        } else {
            Msg::new("upstream-title").arg("what", what)
        },
        message,
        code: error.code.clone(),
        request_id: error.request_id.clone(),
        outcome_unknown: error.outcome_unknown,
        check_state: None,
    }
}

impl WebError {
    /// The title, message, code and request id to show.
    pub fn summary(&self) -> ErrorSummary {
        let plain = |title: &'static str, message: Msg| ErrorSummary::new(Msg::new(title), message);
        match self {
            Self::SignInRequired => plain("error-signin-title", Msg::new("error-signin")),
            Self::Forbidden { needed } => plain(
                "error-forbidden-title",
                Msg::new("error-forbidden").text("permission", needed.action()),
            ),
            Self::Csrf(why) => plain(
                "error-csrf-title",
                Msg::new("error-csrf").arg("why", why.clone()),
            ),
            Self::NotFound(what) => plain("error-notfound-title", what.clone()),
            Self::Invalid(why) => plain("error-invalid-title", why.clone()),
            Self::TooLarge(why) => plain("error-too-large-title", why.clone()),
            Self::TooManyRequests(why) => plain("error-too-many-title", why.clone()),
            Self::Refused(why) => plain("error-forbidden-title", why.clone()),
            Self::Upstream {
                what,
                source,
                check_state,
            } => ErrorSummary {
                check_state: check_state.clone(),
                ..upstream_summary(what.clone(), source)
            },
            Self::AlreadySubmitted(state) => {
                plain("op-already-title", Msg::new(state.message_key()))
            }
            Self::SessionStore(why) => plain(
                "error-sessions-title",
                Msg::new("error-sessions").arg("detail", why.clone()),
            ),
            Self::AuditUnavailable(why) => plain(
                "error-audit-title",
                Msg::new("error-audit").arg("detail", why.clone()),
            ),
            Self::Unexpected(_) => plain("error-unexpected-title", Msg::new("error-unexpected")),
        }
    }
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignInRequired => StatusCode::SEE_OTHER,
            Self::Forbidden { .. } | Self::Csrf(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Invalid(_) => StatusCode::BAD_REQUEST,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Refused(_) => StatusCode::FORBIDDEN,
            Self::Upstream { source, .. } => upstream_status(source),
            Self::AlreadySubmitted(_) => StatusCode::CONFLICT,
            Self::AuditUnavailable(_) | Self::SessionStore(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::SignInRequired = self {
            return HttpResponse::SeeOther()
                .insert_header(("Location", "/login"))
                .finish();
        }
        // Logged once, here, where the failure is turned into an answer.
        match self {
            Self::Upstream { source, .. }
                if !matches!(source.kind, ErrorKind::NotFound | ErrorKind::Validation) =>
            {
                tracing::warn!(error = %self, dms.request_id = source.request_id.as_deref().unwrap_or(""), "upstream failure");
            }
            Self::Unexpected(source) => {
                tracing::error!(error = %self, source = ?source, "request failed")
            }
            Self::AuditUnavailable(_) | Self::SessionStore(_) => {
                tracing::error!(error = %self, "request failed")
            }
            _ => {}
        }
        let summary = self.summary();
        // `answer_errors` replaces this body with the page or toast in the reader's language;
        // the English text is what is left if it is not in the chain.
        let mut response = HttpResponse::build(self.status_code())
            .content_type("text/plain; charset=utf-8")
            .body(format!(
                "{}: {}",
                summary.title.english(),
                summary.message.english()
            ));
        response.extensions_mut().insert(summary);
        response
    }
}

/// The status of a page or form that shows a failed DMS call: 404 when the thing is gone, 422
/// when DMS refused the input (the user can fix it), 429 when throttled, 502 otherwise.
pub fn upstream_status(error: &ApiError) -> StatusCode {
    match error.kind {
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Validation | ErrorKind::Conflict => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::Throttled => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::BAD_GATEWAY,
    }
}
