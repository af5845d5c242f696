//! The two routes of single sign-on.
//!
//! `GET /login/oidc` asks the provider for an authorization request, remembers its `state`,
//! `nonce` and PKCE verifier (shared by the replicas), binds it to this browser with a
//! random cookie, and sends the browser to the provider. `GET /login/oidc/callback` takes the
//! pending sign-in by its `state` (once: a replayed `state` finds nothing), checks the browser
//! is the one that started it, exchanges the code and checks the ID token, maps the user's
//! groups to connections and roles, and starts the session on the first connection. Whoever
//! is refused sees the sign-in page with the reason.

use actix_session::Session;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::web::crypto::random_token;
use crate::web::error::WebError;
use crate::web::htmx::{HxRequest, redirect};
use crate::web::i18n::Msg;
use crate::web::login::{new_record, show};
use crate::web::session::SignInMode;
use crate::web::state::AppState;

use super::pending::Pending;

fn hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn configured(state: &AppState) -> Result<&super::Oidc, WebError> {
    state
        .oidc
        .as_ref()
        .ok_or_else(|| WebError::NotFound(Msg::new("oidc-off")))
}

/// The sign-in page saying why single sign-on did not work.
/// The cookie that binds a sign-on to the browser that started it.
fn binding_cookie(state: &AppState, value: String) -> actix_web::cookie::CookieBuilder<'static> {
    Cookie::build(state.oidc_cookie(), value)
        .path("/")
        .http_only(true)
        .secure(state.secure_cookies)
        .same_site(SameSite::Lax)
}

/// The binding cookie's removal, once it has done its work (or cannot help any more).
fn binding_removal(state: &AppState) -> Cookie<'static> {
    let mut gone = binding_cookie(state, String::new()).finish();
    gone.make_removal();
    gone
}

fn refused(
    request: &HttpRequest,
    hx: HxRequest,
    state: &AppState,
    status: StatusCode,
    problem: Msg,
) -> Result<HttpResponse, WebError> {
    let mut response = show(request, hx, state, "", status, Some(problem), None)?;
    let _ = response.add_cookie(&binding_removal(state));
    Ok(response)
}

/// `GET /login/oidc`: to the provider.
pub async fn start(
    request: HttpRequest,
    hx: HxRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, WebError> {
    let oidc = configured(&state)?;
    let authorization = match oidc.provider.authorize().await {
        Ok(authorization) => authorization,
        Err(error) => {
            tracing::warn!(error = %error, "single sign-on cannot start");
            let problem = Msg::new("oidc-unreachable").arg("detail", error.to_string());
            return refused(&request, hx, &state, StatusCode::BAD_GATEWAY, problem);
        }
    };
    let binding = random_token(24);
    let pending = Pending {
        nonce: authorization.nonce,
        pkce_verifier: authorization.pkce_verifier,
        browser: hash(&binding),
    };
    oidc.pending
        .put(&authorization.state, &pending)
        .await
        .map_err(WebError::SessionStore)?;
    let cookie = binding_cookie(&state, binding)
        .max_age(actix_web::cookie::time::Duration::seconds(
            super::pending::TTL.as_secs() as i64,
        ))
        .finish();
    let mut response = HttpResponse::SeeOther()
        .insert_header(("Location", authorization.url.to_string()))
        .finish();
    let _ = response.add_cookie(&cookie);
    Ok(response)
}

/// What the provider sends back.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Callback {
    state: String,
    code: String,
    error: String,
    error_description: String,
    iss: String,
}

/// `GET /login/oidc/callback`: back from the provider.
pub async fn callback(
    request: HttpRequest,
    hx: HxRequest,
    session: Session,
    state: web::Data<AppState>,
    query: web::Query<Callback>,
) -> Result<HttpResponse, WebError> {
    let oidc = configured(&state)?;
    let query = query.into_inner();
    let no = |status: StatusCode, problem: Msg| refused(&request, hx, &state, status, problem);
    let Some(pending) = oidc
        .pending
        .take(&query.state)
        .await
        .map_err(WebError::SessionStore)?
    else {
        tracing::warn!("a single sign-on came back with an unknown or used state");
        return no(StatusCode::BAD_REQUEST, Msg::new("oidc-state-unknown"));
    };
    let browser = request
        .cookie(state.oidc_cookie())
        .map(|c| hash(c.value()))
        .unwrap_or_default();
    if !crate::web::crypto::same(&browser, &pending.browser) {
        tracing::warn!(
            "a single sign-on came back to another browser than the one that started it"
        );
        return no(StatusCode::BAD_REQUEST, Msg::new("oidc-other-browser"));
    }
    // RFC 9207: a provider that names itself must be ours (a mix-up attack names another).
    if !query.iss.is_empty() && query.iss != oidc.provider.settings().issuer.as_str() {
        tracing::warn!(iss = %query.iss, "a single sign-on came back naming another issuer");
        return no(StatusCode::BAD_REQUEST, Msg::new("oidc-other-issuer"));
    }
    if !query.error.is_empty() {
        let problem = Msg::new("oidc-provider-error")
            .arg("error", query.error.clone())
            .arg("detail", query.error_description.clone());
        return no(StatusCode::UNAUTHORIZED, problem);
    }
    if query.code.is_empty() {
        return no(StatusCode::BAD_REQUEST, Msg::new("oidc-no-code"));
    }
    let identity = match oidc
        .provider
        .finish(&query.code, &pending.pkce_verifier, &pending.nonce)
        .await
    {
        Ok(identity) => identity,
        Err(error) => {
            tracing::warn!(error = %error, "single sign-on refused");
            let problem = Msg::new("oidc-refused").arg("detail", error.to_string());
            return no(StatusCode::UNAUTHORIZED, problem);
        }
    };
    let grants = oidc.groups.grants(&identity.groups);
    let Some(first) = grants.first().cloned() else {
        tracing::info!(user = %identity.name, groups = ?identity.groups, "single sign-on of a user in no mapped group refused");
        let problem = Msg::new("oidc-no-role")
            .arg("user", identity.name.clone())
            .arg("groups", identity.groups.join(", "));
        return no(StatusCode::FORBIDDEN, problem);
    };
    let mut record = new_record(
        identity.name.clone(),
        first.role,
        SignInMode::Oidc,
        first.connection.clone(),
    );
    record.connection = Some(first.connection.clone());
    record.grants = grants;
    tracing::info!(user = %record.user, subject = %identity.subject, role = %record.role, connection = %first.connection, "signed in");
    record.seen_from(&request).start(&session)?;
    let mut response = redirect(hx, "/instances");
    let _ = response.add_cookie(&binding_removal(&state));
    Ok(response)
}
