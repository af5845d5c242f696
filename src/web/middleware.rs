//! Cross-cutting security checks: response headers, the CSRF and origin checks of every
//! state-changing request, and session store failures turned into the "sessions are
//! unavailable" page. (How other errors are answered is `htmx::answer_errors`.)

use actix_session::SessionExt;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, ResponseError, web};

use super::body;
use super::crypto;
use super::error::WebError;
use super::htmx::{self, HxRequest};
use super::i18n::Msg;
use super::peer::Exposure;
use super::prefs::Ui;
use super::session::SessionRecord;
use super::state::AppState;

/// The Content-Security-Policy: no inline script, no eval, nothing from elsewhere.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// Adds the security headers to every answer, and `Cache-Control: no-store` to everything
/// but static assets.
pub async fn security_headers(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let is_static = request.path().starts_with("/static/");
    let secure = Exposure::of(request.request()).behind_tls_proxy;
    let mut response = next.call(request).await?;
    set_security_headers(response.headers_mut(), secure, is_static);
    Ok(response)
}

/// The headers of [`security_headers`], for answers built outside it too.
fn set_security_headers(headers: &mut header::HeaderMap, secure: bool, is_static: bool) {
    let mut set = |name: &'static str, value: &'static str| {
        headers.insert(
            header::HeaderName::from_static(name),
            header::HeaderValue::from_static(value),
        );
    };
    set("content-security-policy", CSP);
    set("x-frame-options", "DENY");
    set("x-content-type-options", "nosniff");
    set("referrer-policy", "strict-origin-when-cross-origin");
    set("cross-origin-opener-policy", "same-origin");
    set("cross-origin-resource-policy", "same-origin");
    set(
        "permissions-policy",
        "geolocation=(), camera=(), microphone=()",
    );
    set("x-xss-protection", "0");
    if secure {
        set(
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        );
    }
    if !is_static {
        set("cache-control", "no-store");
    }
}

/// Why a state-changing request does not come from the console's own pages, if it does not.
fn origin_problem(request: &ServiceRequest) -> Option<Msg> {
    let header_value = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header_value("sec-fetch-site") {
        return (!matches!(site, "same-origin" | "none"))
            .then(|| Msg::new("csrf-fetch-site").arg("site", site));
    }
    let host = header_value("host").unwrap_or_default();
    let same_host = |url: &str| {
        url::Url::parse(url).ok().is_some_and(|u| {
            let authority = match u.port() {
                Some(port) => format!("{}:{port}", u.host_str().unwrap_or_default()),
                None => u.host_str().unwrap_or_default().to_owned(),
            };
            authority == host
        })
    };
    match (header_value("origin"), header_value("referer")) {
        (Some(origin), _) if same_host(origin) => None,
        (Some(origin), _) => Some(Msg::new("csrf-origin").arg("origin", origin)),
        (None, Some(referer)) if same_host(referer) => None,
        (None, Some(_)) => Some(Msg::new("csrf-referer")),
        (None, None) => Some(Msg::new("csrf-no-origin")),
    }
}

/// Checks every state-changing request: it must come from this origin and carry the
/// session's CSRF token (or, on the sign-in form, the token bound to its nonce cookie) in
/// `X-CSRF-Token` or the `_csrf` field of a form or upload (`body`). A change to a signed route without a session is
/// sent to sign-in.
pub async fn csrf(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return Ok(next.call(request).await?.map_into_left_body());
    }
    let refuse = |request: ServiceRequest, why: Msg| {
        let response = WebError::Csrf(why).error_response();
        Ok(request.into_response(response).map_into_right_body())
    };
    if let Some(problem) = origin_problem(&request) {
        return refuse(request, problem);
    }
    let state = request
        .app_data::<web::Data<AppState>>()
        .cloned()
        .expect("application state");
    let session = request.get_session();
    if let Ok(Some(why)) = session.get::<String>(super::session_store::UNAVAILABLE_KEY) {
        let response = WebError::SessionStore(why).error_response();
        return Ok(request.into_response(response).map_into_right_body());
    }
    let record = SessionRecord::of(&session);
    let signed_route = request
        .match_pattern()
        .and_then(|pattern| super::routes::lookup(request.method().as_str(), &pattern))
        .is_some_and(|route| matches!(route.access, super::routes::Access::Signed(_)));
    if record.is_none() && signed_route {
        // The session ended (or never was): ask for sign-in, which htmx requests get as
        // `HX-Redirect`, rather than a "reload the page" refusal that leads nowhere.
        let response = WebError::SignInRequired.error_response();
        return Ok(request.into_response(response).map_into_right_body());
    }
    let mut provided = request
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded")
        || content_type.starts_with("multipart/form-data");
    if provided.is_none() && is_form {
        // Upload forms carry their token as a field too; only a signed-in user may send
        // more than an ordinary form's worth.
        let limit = if record.is_some() {
            body::UPLOAD_LIMIT
        } else {
            body::FORM_LIMIT
        };
        let bytes = match body::read(request.take_payload(), limit).await {
            Ok(bytes) => bytes,
            Err(error) => {
                let response = WebError::from(error).error_response();
                return Ok(request.into_response(response).map_into_right_body());
            }
        };
        provided = body::Fields::parse(&content_type, &bytes)
            .ok()
            .and_then(|fields| fields.get("_csrf"));
        request.set_payload(actix_web::dev::Payload::from(bytes));
    }
    let Some(provided) = provided else {
        return refuse(request, Msg::new("csrf-missing"));
    };
    // Signed routes take the session's token. Public forms (sign-in, preferences) take the
    // token bound to the sign-in nonce cookie, also when a session exists (signing in again
    // as someone else), or the session's own token (preferences changed from a signed-in
    // page).
    let session_token = record
        .as_ref()
        .is_some_and(|r| crypto::same(&provided, &r.csrf));
    let valid = if signed_route {
        session_token
    } else {
        session_token
            || request
                .cookie(state.login_nonce_cookie())
                .is_some_and(|nonce| state.key.verify_mac("login-csrf", nonce.value(), &provided))
    };
    if !valid {
        return refuse(request, Msg::new("csrf-wrong"));
    }
    Ok(next.call(request).await?.map_into_left_body())
}

/// Whether `error` is a session store failure that actix-session reports after the handler:
/// saving a new session (sign-in), updating, extending or deleting one. Only the session
/// middleware produces these error types.
fn is_session_store_failure(error: &actix_web::Error) -> bool {
    use actix_session::storage::{SaveError, UpdateError};
    use actix_web::error::InternalError;
    error.as_error::<InternalError<SaveError>>().is_some()
        || error.as_error::<InternalError<UpdateError>>().is_some()
        || error.as_error::<InternalError<anyhow::Error>>().is_some()
}

/// Wraps the session middleware: a session store failure after the handler (e.g. signing in
/// while Redis hangs) answers the "sessions are unavailable" page (or its toast for htmx),
/// like a failed load does, instead of actix-session's empty 500.
///
/// The answer travels as an error carrying the finished response (with the security headers,
/// which the middleware around does not add to errors): a middleware cannot keep the request
/// to build a response of its own, since routing needs it unshared.
pub async fn session_store_errors(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let hx = HxRequest::of(request.request());
    let ui = Ui::of(request.request());
    let secure = Exposure::of(request.request()).behind_tls_proxy;
    let state = request.app_data::<web::Data<AppState>>().cloned();
    match next.call(request).await {
        Err(error) if is_session_store_failure(&error) => {
            let why = state
                .and_then(|s| s.store.last_failure())
                .unwrap_or_else(|| format!("it failed to keep the session: {error}"));
            let failure = WebError::SessionStore(why.clone());
            let mut answer =
                htmx::standalone_error(hx, ui, failure.status_code(), failure.summary());
            set_security_headers(answer.headers_mut(), secure, false);
            Err(actix_web::error::InternalError::from_response(why, answer).into())
        }
        other => other,
    }
}
