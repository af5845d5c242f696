//! `/sessions`: the live sessions. An administrator sees everyone's and can end any one, or
//! every session of a user; others see their own and can end them. An ended session is
//! deleted from the store, so its next request, on any replica, is asked to sign in.
//!
//! Each row shows what the sign-in wrote (user, mode, role, connection, client address, user
//! agent, when) and when a request last extended the session's idle timeout. Sessions are
//! named by their sign-in id, never by their key. Every ending is audited (intent first: when
//! the audit log cannot record it, nothing is ended).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::error::{ErrorSummary, WebError};
use super::htmx::{HxRequest, redirect, render_page};
use super::i18n::Msg;
use super::layout::{Layout, Section};
use super::rbac::{Permission, Role};
use super::session::{CurrentUser, SessionRecord, SignInMode};

/// One session as the page shows it.
#[derive(Debug, Clone)]
pub struct SessionRow {
    /// The sign-in id.
    pub sid: String,
    /// Who.
    pub user: String,
    /// How they signed in.
    pub mode: SignInMode,
    /// The role.
    pub role: Role,
    /// The connection.
    pub connection: String,
    /// The client address at sign-in.
    pub client: String,
    /// The browser at sign-in.
    pub user_agent: String,
    /// Sign-in (Unix ms).
    pub started_ms: i64,
    /// Last request (Unix ms).
    pub last_seen_ms: i64,
    /// Whether it is the session of this request.
    pub current: bool,
}

#[derive(Template)]
#[template(path = "sessions/list.html", blocks = ["content"])]
struct SessionsPage {
    layout: Layout,
    rows: Result<Vec<SessionRow>, ErrorSummary>,
    everyone: bool,
    empty: Msg,
    notice: Option<Msg>,
}
crate::page!(SessionsPage);

/// The query of `/sessions`: what the last action did.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Notice {
    ended: Option<usize>,
}

/// `GET /sessions`.
pub async fn list_sessions(
    user: CurrentUser,
    hx: HxRequest,
    query: web::Query<Notice>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::Read)?;
    let everyone = user.can(Permission::ManageSessions);
    let who = (!everyone).then(|| user.record.user.clone());
    let rows = match user.state.store.list(who.as_deref()).await {
        Ok(live) => {
            let mut rows: Vec<SessionRow> = live
                .into_iter()
                .filter_map(|live| {
                    let record = SessionRecord::of_state(&live.state)?;
                    Some(SessionRow {
                        current: record.sid == user.record.sid,
                        sid: record.sid,
                        user: record.user,
                        mode: record.mode,
                        role: record.role,
                        connection: record.connection_label,
                        client: record.client,
                        user_agent: record.user_agent,
                        started_ms: record.signed_in_at,
                        last_seen_ms: live.last_seen_ms,
                    })
                })
                .collect();
            rows.sort_by(|a, b| {
                a.user
                    .cmp(&b.user)
                    .then(b.last_seen_ms.cmp(&a.last_seen_ms))
            });
            Ok(rows)
        }
        Err(error) => Err(ErrorSummary::new(
            Msg::new("sessions-list-failed"),
            Msg::new("error-sessions").arg("detail", error.to_string()),
        )),
    };
    let status = if rows.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let page = SessionsPage {
        layout: Layout::for_user(&user, "sessions-title", Section::Sessions)
            .crumb("sessions-title", None),
        rows,
        everyone,
        empty: Msg::new("sessions-none"),
        notice: query
            .ended
            .map(|n| Msg::new("sessions-ended").arg("count", n)),
    };
    render_page(hx, status, &page)
}

/// Ends sessions with `end`, audited as `operation` on `target` (intent before, outcome after).
async fn audited_end(
    request: &HttpRequest,
    user: &CurrentUser,
    operation: &str,
    target: String,
    end: impl Future<Output = Result<usize, anyhow::Error>>,
) -> Result<usize, WebError> {
    use sha2::{Digest, Sha256};
    let intent = super::audit::Intent {
        actor: user.record.user.clone(),
        role: user.record.role.to_string(),
        client: super::peer::address(request),
        action: "console:sessions:end".to_owned(),
        operation: operation.to_owned(),
        target,
        params: serde_json::json!({}),
        session: hex::encode(&Sha256::digest(user.record.sid.as_bytes())[..8]),
    };
    let audit = &user.state.audit;
    let id = audit
        .intent(intent)
        .await
        .map_err(|e| WebError::AuditUnavailable(e.to_string()))?;
    let result = end.await;
    let failed = |code: &str| super::audit::Outcome::Failed {
        code: code.to_owned(),
        request_id: None,
    };
    let outcome = match &result {
        Ok(0) => failed("not-found"),
        Ok(_) => super::audit::Outcome::Ok { request_id: None },
        Err(_) => failed("session-store"),
    };
    if let Err(error) = audit.outcome(id, outcome).await {
        tracing::error!(audit.id = id, error = %error, "could not record the outcome of ending sessions");
    }
    result.map_err(|e| WebError::SessionStore(e.to_string()))
}

/// The form of an ending.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct EndForm {
    sid: String,
    user: String,
}

/// `POST /sessions/end`: ends one session (an administrator's may be anyone's).
pub async fn end_session(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    form: web::Form<EndForm>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::Read)?;
    let owner = (!user.can(Permission::ManageSessions)).then_some(user.record.user.as_str());
    let sid = form.sid.trim();
    let ended = audited_end(
        &request,
        &user,
        "EndSession",
        format!("session/{sid}"),
        user.state.store.end(owner, sid),
    )
    .await?;
    if ended == 0 {
        return Err(WebError::NotFound(Msg::new("sessions-not-found")));
    }
    tracing::info!(by = %user.record.user, "ended a session");
    if form.sid.trim() == user.record.sid {
        return Ok(redirect(hx, "/login"));
    }
    Ok(redirect(hx, &format!("/sessions?ended={ended}")))
}

/// `POST /sessions/end-user`: ends every session of a user but the one of this request
/// (others than oneself: administrators only).
pub async fn end_user_sessions(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    form: web::Form<EndForm>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::Read)?;
    let target = form.user.trim();
    let target = if target.is_empty() {
        user.record.user.as_str()
    } else {
        target
    };
    if target != user.record.user {
        user.require(Permission::ManageSessions)?;
    }
    let keep = (target == user.record.user).then_some(user.record.sid.as_str());
    let ended = audited_end(
        &request,
        &user,
        "EndUserSessions",
        format!("user/{target}"),
        user.state.store.end_user(target, keep),
    )
    .await?;
    tracing::info!(by = %user.record.user, user = %target, ended, "ended a user's sessions");
    Ok(redirect(hx, &format!("/sessions?ended={ended}")))
}
