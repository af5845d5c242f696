//! Audited actions and the audit pages.
//!
//! [`audited`] wraps every mutating DMS call: it writes the intent first (refusing the action
//! when it cannot), makes the call once, and records the outcome with the DMS request id. The
//! `/audit` page (admins) filters the log; `/audit.csv` exports it.

use std::future::Future;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::api::{ApiError, ErrorKind, Reply};

use super::audit::{Filter, Intent, Outcome, Record, csv_field};
use super::error::WebError;
use super::format;
use super::htmx::{HxRequest, html};
use super::layout::Layout;
use super::rbac::Permission;
use super::session::CurrentUser;
use super::state::AppState;

/// An action about to be carried out.
pub struct Audited {
    state: web::Data<AppState>,
    intent: Intent,
}

impl Audited {
    /// Describes `operation` on `target` by `user`, with `params` (never secrets).
    pub fn new(
        request: &HttpRequest,
        user: &CurrentUser,
        permission: Permission,
        operation: &str,
        target: String,
        params: serde_json::Value,
    ) -> Self {
        let state = request
            .app_data::<web::Data<AppState>>()
            .cloned()
            .expect("application state");
        let intent = Intent {
            actor: user.record.user.clone(),
            role: user.record.role.to_string(),
            client: super::client::address(request),
            action: permission.action().to_owned(),
            operation: operation.to_owned(),
            target,
            params,
            session: hex::encode(&Sha256::digest(user.record.sid.as_bytes())[..8]),
        };
        Self { state, intent }
    }
}

/// Records the intent, runs `call` once, records the outcome. The outer error means the audit
/// log refused the intent and nothing was sent to DMS.
pub async fn audited<T>(
    action: Audited,
    call: impl Future<Output = Result<Reply<T>, ApiError>>,
) -> Result<Result<Reply<T>, ApiError>, WebError> {
    let audit = action.state.audit.clone();
    let id = audit
        .intent(action.intent)
        .await
        .map_err(|e| WebError::AuditUnavailable(e.to_string()))?;
    let result = call.await;
    let outcome = match &result {
        Ok(reply) => Outcome::Ok {
            request_id: reply.request_id.clone(),
        },
        // Whatever the kind (no answer, a cut body, an undecodable 2xx), DMS may have acted.
        Err(error) if error.outcome_unknown => Outcome::Unknown {
            reason: error.message.clone(),
            request_id: error.request_id.clone(),
        },
        Err(error) => Outcome::Failed {
            code: error.code.clone().unwrap_or_else(|| match error.kind {
                ErrorKind::Transport => "transport".to_owned(),
                other => other.as_str().to_owned(),
            }),
            request_id: error.request_id.clone(),
        },
    };
    if let Err(error) = audit.outcome(id, outcome).await {
        // The action happened; losing its outcome is logged loudly, the record stays "pending".
        tracing::error!(audit.id = id, error = %error, "could not record the outcome of an audited action");
    }
    Ok(result)
}

/// Filters as typed in the form (times as `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`, UTC).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuditParams {
    user: String,
    action: String,
    target: String,
    from: String,
    to: String,
}

fn parse_time(text: &str, end_of_day: bool) -> Result<Option<i64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let compact: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
    let (date, time) = match compact.len() {
        8 => (
            &compact[..8],
            if end_of_day {
                "235959".to_owned()
            } else {
                "000000".to_owned()
            },
        ),
        12 => (&compact[..8], format!("{}00", &compact[8..12])),
        14 => (&compact[..8], compact[8..14].to_owned()),
        _ => {
            return Err(format!(
                "`{text}` is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM, UTC)"
            ));
        }
    };
    format!("{date}T{time}Z")
        .parse::<crate::signing::SdkDate>()
        .map(|d| {
            Some(
                d.unix_seconds() * 1000
                    + if end_of_day && compact.len() == 8 {
                        999
                    } else {
                        0
                    },
            )
        })
        .map_err(|_| format!("`{text}` is not a valid date"))
}

/// A record as the page shows it.
pub struct Row {
    record: Record,
    when: (String, String),
}

#[derive(Template)]
#[template(path = "audit/list.html", blocks = ["content"])]
struct AuditPage {
    layout: Layout,
    params: AuditParams,
    rows: Vec<Row>,
    from_error: String,
    to_error: String,
    csv_href: String,
}

fn filter_of(params: &AuditParams) -> (Filter, String, String) {
    let (from, from_error) = match parse_time(&params.from, false) {
        Ok(v) => (v, String::new()),
        Err(e) => (None, e),
    };
    let (to, to_error) = match parse_time(&params.to, true) {
        Ok(v) => (v, String::new()),
        Err(e) => (None, e),
    };
    let filter = Filter {
        user: params.user.trim().to_owned(),
        action: params.action.trim().to_owned(),
        target: params.target.trim().to_owned(),
        from_ms: from,
        to_ms: to,
    };
    (filter, from_error, to_error)
}

/// `GET /audit`.
pub async fn list_audit(
    user: CurrentUser,
    hx: HxRequest,
    state: web::Data<AppState>,
    params: web::Query<AuditParams>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ReadAudit)?;
    let params = params.into_inner();
    let (filter, from_error, to_error) = filter_of(&params);
    let records = state
        .audit
        .search(filter, 500)
        .await
        .map_err(|e| WebError::Unexpected(e.to_string()))?;
    let rows = records
        .into_iter()
        .map(|record| Row {
            when: format::utc(record.at_ms),
            record,
        })
        .collect();
    let mut csv = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in [
        ("user", &params.user),
        ("action", &params.action),
        ("target", &params.target),
        ("from", &params.from),
        ("to", &params.to),
    ] {
        if !value.is_empty() {
            csv.append_pair(name, value);
        }
    }
    let page = AuditPage {
        layout: Layout::for_user(&user, "Audit log", "audit").crumb("Audit log", None),
        csv_href: format!("/audit.csv?{}", csv.finish()),
        params,
        rows,
        from_error,
        to_error,
    };
    let status = if page.from_error.is_empty() && page.to_error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = if hx.wants_fragment() {
        page.as_content().render()
    } else {
        page.render()
    };
    Ok(html(
        status,
        body.map_err(|e| WebError::Unexpected(e.to_string()))?,
    ))
}

/// `GET /audit.csv`.
pub async fn export_audit(
    user: CurrentUser,
    state: web::Data<AppState>,
    params: web::Query<AuditParams>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ReadAudit)?;
    let (filter, from_error, to_error) = filter_of(&params);
    // An unreadable date must not silently widen the export to every record.
    let problems: Vec<String> = [from_error, to_error]
        .into_iter()
        .filter(|e| !e.is_empty())
        .collect();
    if !problems.is_empty() {
        return Err(WebError::Invalid(format!(
            "Nothing was exported: {}.",
            problems.join("; ")
        )));
    }
    let records = state
        .audit
        .search(filter, 100_000)
        .await
        .map_err(|e| WebError::Unexpected(e.to_string()))?;
    let mut out = String::from(
        "id,time_utc,actor,role,client,action,operation,target,params,outcome,detail,request_id\n",
    );
    for r in records {
        let fields = [
            r.id.to_string(),
            format::utc(r.at_ms).1,
            r.actor,
            r.role,
            r.client,
            r.action,
            r.operation,
            r.target,
            r.params,
            r.outcome,
            r.detail,
            r.request_id,
        ];
        out.push_str(
            &fields
                .iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"dms-console-audit.csv\"",
        ))
        .body(out))
}
