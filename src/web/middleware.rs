//! Cross-cutting request handling: security headers, CSRF and origin checks, turning errors
//! into htmx-friendly answers, and session store failures into the "sessions are
//! unavailable" page.

use actix_session::SessionExt;
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError, web};
use askama::Template;

use super::crypto;
use super::error::{ErrorSummary, WebError};
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
    let secure = request
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.secure_cookies);
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
fn origin_problem(request: &ServiceRequest) -> Option<String> {
    let header_value = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header_value("sec-fetch-site") {
        return (!matches!(site, "same-origin" | "none"))
            .then(|| format!("Sec-Fetch-Site is `{site}`"));
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
        (Some(origin), _) => Some(format!("Origin `{origin}` is not this console")),
        (None, Some(referer)) if same_host(referer) => None,
        (None, Some(_)) => Some("the Referer is not this console".to_owned()),
        (None, None) => Some("the request has neither Origin nor Referer".to_owned()),
    }
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Checks every state-changing request: it must come from this origin and carry the
/// session's CSRF token (or, on the sign-in form, the token bound to its nonce cookie) in
/// `X-CSRF-Token` or the `_csrf` form field. A change to a signed route without a session is
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
    let refuse = |request: ServiceRequest, why: String| {
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
    if provided.is_none()
        && request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
    {
        let body = request.extract::<web::Bytes>().await?;
        provided = form_field(&body, "_csrf");
        request.set_payload(actix_web::dev::Payload::from(body));
    }
    let Some(provided) = provided else {
        return refuse(request, "the CSRF token is missing".to_owned());
    };
    // Signed routes take the session's token; the sign-in form takes the token bound to its
    // nonce cookie, also when a session exists (signing in again as someone else).
    let valid = match record.filter(|_| signed_route) {
        Some(record) => crypto::same(&provided, &record.csrf),
        None => request
            .cookie(state.login_nonce_cookie())
            .is_some_and(|nonce| state.key.verify_mac("login-csrf", nonce.value(), &provided)),
    };
    if !valid {
        return refuse(request, "the CSRF token is wrong or expired".to_owned());
    }
    Ok(next.call(request).await?.map_into_left_body())
}

#[derive(Template)]
#[template(path = "_toast.html")]
struct Toast<'a> {
    kind: &'a str,
    title: &'a str,
    message: &'a str,
    code: Option<&'a str>,
    request_id: Option<&'a str>,
}

/// Renders a toast fragment.
pub fn toast_html(kind: &str, summary: &ErrorSummary) -> String {
    Toast {
        kind,
        title: &summary.title,
        message: &summary.message,
        code: summary.code.as_deref(),
        request_id: summary.request_id.as_deref(),
    }
    .render()
    .unwrap_or_default()
}

/// For htmx requests: a sign-in redirect becomes `HX-Redirect` (never a login form inside a
/// panel), an error page becomes a toast swapped into `#toasts`, and a rendered answer that
/// shows its own problem (a form with errors, a list with an error card) is swapped like any
/// other. The last two answer 200 with the real status in `X-Console-Error-Status`: htmx
/// drops 4xx/5xx bodies and the browser logs each one as a console error.
pub async fn htmx_errors(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, actix_web::Error> {
    let is_htmx = request
        .headers()
        .get("hx-request")
        .and_then(|v| v.to_str().ok())
        == Some("true");
    let response = next.call(request).await?;
    if !is_htmx {
        return Ok(response.map_into_left_body());
    }
    let status = response.status();
    let to_login = status == StatusCode::SEE_OTHER
        && response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            == Some("/login");
    if to_login {
        // A 2xx, not a 401: htmx follows `HX-Redirect` whatever the status, but the browser
        // logs every 4xx of a script request as a console error, and an expired session is
        // not an error of the page.
        let (request, _) = response.into_parts();
        let replacement = HttpResponse::Ok()
            .insert_header(("HX-Redirect", "/login"))
            .finish();
        return Ok(ServiceResponse::new(request, replacement).map_into_right_body());
    }
    let summary = response
        .response()
        .extensions()
        .get::<ErrorSummary>()
        .cloned();
    match summary {
        Some(summary) if status.is_client_error() || status.is_server_error() => {
            let (request, _) = response.into_parts();
            let replacement = toast_answer(status, &summary);
            Ok(ServiceResponse::new(request, replacement).map_into_right_body())
        }
        _ if (status.is_client_error() || status.is_server_error())
            && response
                .response()
                .extensions()
                .get::<super::htmx::Rendered>()
                .is_some() =>
        {
            let mut response = response;
            *response.response_mut().status_mut() = StatusCode::OK;
            response.headers_mut().insert(
                header::HeaderName::from_static("x-console-error-status"),
                header::HeaderValue::from(status.as_u16()),
            );
            Ok(response.map_into_left_body())
        }
        _ => Ok(response.map_into_left_body()),
    }
}

/// What htmx gets instead of an error page: the page's toast, swapped into `#toasts`, with the
/// real status in `X-Console-Error-Status`.
fn toast_answer(status: StatusCode, summary: &ErrorSummary) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("HX-Retarget", "#toasts"))
        .insert_header(("HX-Reswap", "beforeend"))
        .insert_header(("X-Console-Error-Status", status.as_u16().to_string()))
        .body(toast_html("error", summary))
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
    let is_htmx = request
        .headers()
        .get("hx-request")
        .and_then(|v| v.to_str().ok())
        == Some("true");
    let state = request.app_data::<web::Data<AppState>>().cloned();
    match next.call(request).await {
        Err(error) if is_session_store_failure(&error) => {
            let secure = state.as_ref().is_some_and(|s| s.secure_cookies);
            let why = state
                .and_then(|s| s.store.last_failure())
                .unwrap_or_else(|| format!("it failed to keep the session: {error}"));
            let failure = WebError::SessionStore(why.clone());
            let page = failure.error_response();
            let mut answer = if is_htmx {
                toast_answer(page.status(), &failure.summary())
            } else {
                page
            };
            set_security_headers(answer.headers_mut(), secure, false);
            Err(actix_web::error::InternalError::from_response(why, answer).into())
        }
        other => other,
    }
}
