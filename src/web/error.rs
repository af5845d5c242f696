//! `WebError`: the one error type handlers return, and how it is shown.
//!
//! A full-page request gets an error page in the layout; an htmx request gets the same
//! message as a toast (the `htmx_errors` middleware swaps it in) or, when the session is gone,
//! `HX-Redirect` to sign-in so a login form never lands inside a panel. Upstream failures show
//! what failed, the DMS error code and the request id.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::api::{ApiError, ErrorKind};

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
    Csrf(String),
    /// A page or resource that does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request's parameters cannot be used (and there is no form to show them next to).
    #[error("{0}")]
    Invalid(String),
    /// A DMS call failed.
    #[error("{what}: {source}")]
    Upstream {
        /// What the console was doing.
        what: String,
        /// The failure.
        source: ApiError,
        /// For a change whose outcome is unknown: the page that shows the current state.
        check_state: Option<String>,
    },
    /// The audit log cannot record the intent, so the action is refused.
    #[error("the audit log is unavailable ({0}); the action was not carried out")]
    AuditUnavailable(String),
    /// The session store does not answer.
    #[error("the session store does not answer ({0})")]
    SessionStore(String),
    /// Anything else.
    #[error("{0}")]
    Unexpected(String),
}

impl WebError {
    /// An upstream failure while doing `what`.
    pub fn upstream(what: impl Into<String>, source: ApiError) -> Self {
        Self::Upstream {
            what: what.into(),
            source,
            check_state: None,
        }
    }

    /// A failed change while doing `what`; should its outcome be unknown, the page offers
    /// `check_state`, where the current state can be read back.
    pub fn upstream_change(
        what: impl Into<String>,
        source: ApiError,
        check_state: impl Into<String>,
    ) -> Self {
        Self::Upstream {
            what: what.into(),
            check_state: source.outcome_unknown.then(|| check_state.into()),
            source,
        }
    }
}

/// What the error page and the toast show, kept in the response's extensions.
#[derive(Debug, Clone)]
pub struct ErrorSummary {
    /// A short title.
    pub title: String,
    /// The explanation.
    pub message: String,
    /// The DMS error code, if any.
    pub code: Option<String>,
    /// The DMS request id, if any.
    pub request_id: Option<String>,
    /// After a change whose outcome is unknown: the page that shows the current state.
    pub check_state: Option<String>,
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage<'a> {
    status: u16,
    summary: &'a ErrorSummary,
}

impl WebError {
    /// The title, message, code and request id to show.
    pub fn summary(&self) -> ErrorSummary {
        match self {
            Self::SignInRequired => ErrorSummary {
                title: "Sign-in required".into(),
                message: "Your session has ended. Sign in again.".into(),
                code: None,
                request_id: None,
                check_state: None,
            },
            Self::Forbidden { needed } => ErrorSummary {
                title: "Not allowed".into(),
                message: format!(
                    "Your role cannot do this; it needs the `{}` permission.",
                    needed.action()
                ),
                code: None,
                request_id: None,
                check_state: None,
            },
            Self::Csrf(why) => ErrorSummary {
                title: "Request refused".into(),
                message: format!(
                    "The request did not come from this console ({why}). Reload the page and try again."
                ),
                code: None,
                request_id: None,
                check_state: None,
            },
            Self::NotFound(what) => ErrorSummary {
                title: "Not found".into(),
                message: what.clone(),
                code: None,
                request_id: None,
                check_state: None,
            },
            Self::Invalid(why) => ErrorSummary {
                title: "Check the request".into(),
                message: why.clone(),
                code: None,
                request_id: None,
                check_state: None,
            },
            Self::Upstream {
                what,
                source,
                check_state,
            } => ErrorSummary {
                check_state: check_state.clone(),
                ..upstream_summary(what, source)
            },
            Self::SessionStore(why) => ErrorSummary {
                title: "Sessions are unavailable".into(),
                message: format!(
                    "The console cannot reach its session store ({why}). Try again in a moment; nothing was changed."
                ),
                code: None,
                request_id: None,
                check_state: None,
            },
            Self::AuditUnavailable(_) | Self::Unexpected(_) => ErrorSummary {
                title: "Something went wrong".into(),
                message: self.to_string(),
                code: None,
                request_id: None,
                check_state: None,
            },
        }
    }
}

/// The title, message, code and request id of a failed DMS call made while doing `what`.
/// A change that DMS may have carried out is not called failed.
pub fn upstream_summary(what: &str, error: &ApiError) -> ErrorSummary {
    ErrorSummary {
        title: if error.outcome_unknown {
            format!("{what}: outcome unknown")
        } else {
            format!("{what} failed")
        },
        message: upstream_message(error),
        code: error.code.clone(),
        request_id: error.request_id.clone(),
        check_state: None,
    }
}

/// What to tell the operator about a DMS failure.
pub fn upstream_message(error: &ApiError) -> String {
    match error.kind {
        ErrorKind::Auth => format!("DMS refused the credentials: {}", error.message),
        ErrorKind::Forbidden => format!(
            "The credentials are not allowed to do this: {}",
            error.message
        ),
        ErrorKind::Throttled => match error.retry_after {
            Some(wait) => format!(
                "DMS is rate-limiting requests; retry in {} s.",
                wait.as_secs()
            ),
            None => format!("DMS is rate-limiting requests: {}", error.message),
        },
        _ if error.outcome_unknown => format!(
            "{}. DMS may have carried out the change: check the current state before trying again.",
            error.message.trim_end_matches('.')
        ),
        _ => error.message.clone(),
    }
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignInRequired => StatusCode::SEE_OTHER,
            Self::Forbidden { .. } | Self::Csrf(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Upstream { source, .. } => match source.kind {
                ErrorKind::NotFound => StatusCode::NOT_FOUND,
                ErrorKind::Validation | ErrorKind::Conflict => StatusCode::UNPROCESSABLE_ENTITY,
                ErrorKind::Throttled => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::BAD_GATEWAY,
            },
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
        match self {
            Self::Upstream { source, .. }
                if !matches!(source.kind, ErrorKind::NotFound | ErrorKind::Validation) =>
            {
                tracing::warn!(error = %self, dms.request_id = source.request_id.as_deref().unwrap_or(""), "upstream failure");
            }
            Self::Unexpected(_) | Self::AuditUnavailable(_) | Self::SessionStore(_) => {
                tracing::error!(error = %self, "request failed")
            }
            _ => {}
        }
        let status = self.status_code();
        let summary = self.summary();
        let page = ErrorPage {
            status: status.as_u16(),
            summary: &summary,
        };
        let body = page.render().unwrap_or_else(|_| summary.message.clone());
        let mut response = HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(body);
        response.extensions_mut().insert(summary);
        response
    }
}
