//! Sign-in and sign-out.
//!
//! Three modes with a form, each can be switched off: an access key (checked with one cheap
//! signed call before the session exists), an IAM user (password exchanged for a
//! project-scoped token), and console accounts (argon2 hashes) that use connections
//! configured on the server; beside them, when configured, single sign-on (`oidc`), which may
//! be the only mode. Users never choose the endpoint: it is server configuration. Sign-ins are
//! throttled per account and per client address, each attempt counted before its credentials
//! are checked (in Redis, across replicas, with the Redis backend). The sign-in form is
//! protected by a CSRF token bound to a nonce cookie, since no session exists yet.

use actix_session::Session;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use crate::api::models::instances::ListInstancesQuery;
use crate::api::{ApiError, ClientConfig, Credentials, ErrorKind, IamPassword};
use crate::config::regions;
use crate::secret::Secret;

use super::crypto::random_token;
use super::error::WebError;
use super::forms::{FormErrors, FormView};
use super::htmx::{HxRequest, redirect, render_page};
use super::i18n::Msg;
use super::layout::Layout;
use super::prefs::Ui;
use super::session::{SessionCredentials, SessionRecord, SignInMode, here};
use super::state::AppState;

/// The sign-in form's fields (every mode shares one form type; unused fields stay empty).
/// Secrets are never sent back to the browser: they do not serialize.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct LoginForm {
    mode: String,
    access_key: String,
    #[serde(skip_serializing)]
    secret_key: String,
    #[serde(skip_serializing)]
    security_token: String,
    region: String,
    project_id: String,
    domain: String,
    user: String,
    #[serde(skip_serializing)]
    password: String,
    project: String,
    account: String,
}

#[derive(Template)]
#[template(path = "login.html", blocks = ["content"])]
struct LoginPage {
    layout: Layout,
    mode: String,
    access_key_enabled: bool,
    iam_enabled: bool,
    accounts_enabled: bool,
    /// The identity provider's name, when single sign-on is offered.
    oidc_name: Option<String>,
    /// After signing out of a single-sign-on session: the provider's end-session URL.
    end_session: Option<String>,
    regions: Vec<String>,
    form: FormView,
    problem: Option<Msg>,
}
crate::page!(LoginPage);

fn region_list(state: &AppState) -> Vec<String> {
    let mut list: Vec<String> = regions::all().map(|(id, _)| id.to_owned()).collect();
    if let Some(default) = &state.auth.default_region
        && !list.contains(default)
    {
        list.insert(0, default.clone());
    }
    list
}

/// The form shown: the mode asked for when offered, else the first offered; none when only
/// single sign-on is.
fn shown_mode(state: &AppState, asked: &str) -> &'static str {
    let accounts = state.auth.console_accounts && !state.accounts.is_empty();
    match asked {
        "account" if accounts => "account",
        "access_key" if state.auth.access_key => "access_key",
        "iam" if state.auth.iam_user => "iam",
        _ if accounts => "account",
        _ if state.auth.access_key => "access_key",
        _ if state.auth.iam_user => "iam",
        _ => "",
    }
}

fn page(
    request: &HttpRequest,
    state: &AppState,
    csrf: String,
    form: FormView,
    mode: &str,
    problem: Option<Msg>,
) -> LoginPage {
    let ui = Ui::of(request);
    let mut form = form;
    if form.value("region").is_empty()
        && let Some(region) = &state.auth.default_region
    {
        form.set("region", region.clone());
    }
    LoginPage {
        layout: Layout::anonymous(ui, "login-title", csrf, here(request)),
        mode: shown_mode(state, mode).to_owned(),
        access_key_enabled: state.auth.access_key,
        iam_enabled: state.auth.iam_user,
        accounts_enabled: state.auth.console_accounts && !state.accounts.is_empty(),
        oidc_name: state
            .oidc
            .as_ref()
            .map(|o| o.provider.settings().name.clone()),
        end_session: None,
        regions: region_list(state),
        form,
        problem,
    }
}

/// `GET /login`. After signing out of a single-sign-on session (`?signed_out=oidc`) it offers
/// the provider's end-session URL, when the provider has one.
pub async fn login_form(
    request: HttpRequest,
    hx: HxRequest,
    state: web::Data<AppState>,
    query: web::Query<std::collections::BTreeMap<String, String>>,
) -> Result<HttpResponse, WebError> {
    let mode = query.get("mode").map(String::as_str).unwrap_or("");
    let mut end_session = None;
    if query.get("signed_out").map(String::as_str) == Some("oidc")
        && let Some(oidc) = &state.oidc
    {
        let back = format!("{}/login", state.origin_of(&request));
        end_session = oidc
            .provider
            .end_session_url(&back)
            .await
            .map(|u| u.to_string());
    }
    let problem = end_session
        .as_ref()
        .map(|_| Msg::new("oidc-signed-out").arg("provider", oidc_name(&state)));
    show(
        &request,
        hx,
        &state,
        mode,
        StatusCode::OK,
        problem,
        end_session,
    )
}

fn oidc_name(state: &AppState) -> String {
    state
        .oidc
        .as_ref()
        .map(|o| o.provider.settings().name.clone())
        .unwrap_or_default()
}

/// The sign-in page with `status` and `problem` (and the sign-in nonce cookie when the browser
/// has none): also the page that says why a single sign-on was refused.
pub fn show(
    request: &HttpRequest,
    hx: HxRequest,
    state: &AppState,
    mode: &str,
    status: StatusCode,
    problem: Option<Msg>,
    end_session: Option<String>,
) -> Result<HttpResponse, WebError> {
    let cookie_name = state.login_nonce_cookie();
    let existing = request.cookie(cookie_name).map(|c| c.value().to_owned());
    let nonce = existing.clone().unwrap_or_else(|| random_token(24));
    let csrf = state.key.mac("login-csrf", &nonce);
    let ui = Ui::of(request);
    let mut login = page(
        request,
        state,
        csrf,
        FormView::empty(ui.lang),
        mode,
        problem,
    );
    login.end_session = end_session;
    let mut response = render_page(hx, status, &login)?;
    if existing.is_none() {
        let cookie = Cookie::build(cookie_name, nonce)
            .path("/")
            .http_only(true)
            .secure(state.secure_cookies)
            .same_site(SameSite::Strict)
            .finish();
        let _ = response.add_cookie(&cookie);
    }
    Ok(response)
}

/// The form again with what was typed (never the secrets), `problem` and field `errors`.
fn refused(
    request: &HttpRequest,
    hx: HxRequest,
    state: &AppState,
    form: &LoginForm,
    csrf: String,
    problem: Msg,
    errors: FormErrors,
) -> Result<HttpResponse, WebError> {
    let view = FormView::of(Ui::of(request).lang, form, errors);
    let login = page(request, state, csrf, view, &form.mode, Some(problem));
    render_page(hx, StatusCode::UNPROCESSABLE_ENTITY, &login)
}

/// What to tell the user about a failed sign-in call to `service` (`DMS` or `IAM`).
fn describe(service: &'static str, error: &ApiError) -> Msg {
    let message = match error.kind {
        ErrorKind::Auth => Msg::new("login-refused-by"),
        ErrorKind::Transport => Msg::new("login-unreachable"),
        _ => Msg::new("login-failed-by"),
    }
    .text("service", service)
    .arg("detail", error.message.clone());
    match (&error.code, &error.request_id) {
        (Some(code), Some(id)) => Msg::new("login-with-code-and-id")
            .arg("message", message)
            .text("code", code.clone())
            .text("request_id", id.clone()),
        (Some(code), None) => Msg::new("login-with-code")
            .arg("message", message)
            .text("code", code.clone()),
        _ => message,
    }
}

/// The endpoint of access-key and IAM sign-ins: server configuration or the region's.
fn dms_endpoint(state: &AppState, region: &str) -> Option<url::Url> {
    let text = match &state.auth.endpoint {
        Some(endpoint) => endpoint.clone(),
        None => regions::dms_endpoint(region)?.to_owned(),
    };
    url::Url::parse(&text).ok()
}

fn iam_endpoint(state: &AppState, region: &str) -> Option<url::Url> {
    let text = match &state.auth.iam_endpoint {
        Some(endpoint) => endpoint.clone(),
        None => regions::iam_endpoint(region)?,
    };
    url::Url::parse(&text).ok()
}

/// `POST /login`.
pub async fn login(
    request: HttpRequest,
    hx: HxRequest,
    session: Session,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let nonce = request
        .cookie(state.login_nonce_cookie())
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let csrf = state.key.mac("login-csrf", &nonce);
    let address = super::peer::address(&request);
    let name = match form.mode.as_str() {
        "access_key" => form.access_key.trim().to_owned(),
        "iam" => format!("{}/{}", form.domain.trim(), form.user.trim()),
        _ => form.account.trim().to_owned(),
    };
    let keys = vec![
        format!("account:{}:{name}", form.mode),
        format!("address:{address}"),
    ];
    // The attempt counts against the limit before any credential is checked; an incomplete
    // form gives its slot back (the attempt is dropped).
    let attempt = match state.throttle.begin(keys).await {
        Ok(attempt) => attempt,
        Err(super::throttle::Refusal::Unavailable(why)) => {
            return Err(WebError::SessionStore(why));
        }
        Err(super::throttle::Refusal::Wait(wait)) => {
            let problem = Msg::new("login-throttled").arg("seconds", wait.as_secs().max(1));
            return refused(
                &request,
                hx,
                &state,
                &form,
                csrf,
                problem,
                FormErrors::new(),
            );
        }
    };
    let mut errors = FormErrors::new();
    let required = |errors: &mut FormErrors, fields: &[(&str, &str)]| {
        for (field, value) in fields {
            errors.required(field, value);
        }
    };
    match form.mode.as_str() {
        "access_key" if state.auth.access_key => {
            required(
                &mut errors,
                &[
                    ("access_key", &form.access_key),
                    ("secret_key", &form.secret_key),
                    ("project_id", &form.project_id),
                    ("region", &form.region),
                ],
            );
            let project_id = form.project_id.trim();
            if !project_id.is_empty()
                && !project_id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                errors.add("project_id", Msg::new("login-bad-project-id"));
            }
        }
        "iam" if state.auth.iam_user => required(
            &mut errors,
            &[
                ("domain", &form.domain),
                ("user", &form.user),
                ("password", &form.password),
                ("region", &form.region),
            ],
        ),
        "account" if state.auth.console_accounts => required(
            &mut errors,
            &[("account", &form.account), ("password", &form.password)],
        ),
        _ => {}
    }
    if !errors.is_empty() {
        let problem = Msg::new("form-check-fields");
        return refused(&request, hx, &state, &form, csrf, problem, errors);
    }
    let result: Result<SessionRecord, Msg> = match form.mode.as_str() {
        "access_key" if state.auth.access_key => sign_in_access_key(&state, &form).await,
        "iam" if state.auth.iam_user => sign_in_iam(&state, &form).await,
        "account" if state.auth.console_accounts => sign_in_account(&state, &form).await,
        _ => Err(Msg::new("login-mode-off")),
    };
    match result {
        Ok(record) => {
            attempt.succeeded();
            tracing::info!(user = %record.user, role = %record.role, mode = record.mode.label(), "signed in");
            record.seen_from(&request).start(&session)?;
            Ok(redirect(hx, "/instances"))
        }
        Err(problem) => {
            attempt.failed();
            tracing::info!(user = %name, client = %address, "sign-in refused");
            refused(
                &request,
                hx,
                &state,
                &form,
                csrf,
                problem,
                FormErrors::new(),
            )
        }
    }
}

/// A new record of a sign-in by `user` (the caller adds credentials or connections).
pub fn new_record(
    user: String,
    role: super::rbac::Role,
    mode: SignInMode,
    connection_label: String,
) -> SessionRecord {
    SessionRecord {
        user,
        role,
        mode,
        csrf: random_token(32),
        connection_label,
        sealed: None,
        connection: None,
        sid: random_token(16),
        signed_in_at: crate::clock::now_ms(),
        token_expires_at: None,
        client: String::new(),
        user_agent: String::new(),
        grants: Vec::new(),
    }
}

fn short_project(project_id: &str) -> String {
    if project_id.len() > 12 {
        format!("{}…", &project_id[..8])
    } else {
        project_id.to_owned()
    }
}

async fn check(state: &AppState, config: ClientConfig) -> Result<(), Msg> {
    let client = state.client(config).map_err(|e| describe("DMS", &e))?;
    let query = ListInstancesQuery {
        limit: Some(1),
        ..Default::default()
    };
    client
        .list_instances(&query)
        .await
        .map(|_| ())
        .map_err(|e| describe("DMS", &e))
}

async fn sign_in_access_key(state: &AppState, form: &LoginForm) -> Result<SessionRecord, Msg> {
    let region = form.region.trim();
    let endpoint = dms_endpoint(state, region)
        .ok_or_else(|| Msg::new("login-unknown-region").arg("region", region))?;
    let credentials = SessionCredentials {
        endpoint: endpoint.to_string(),
        region: region.to_owned(),
        project_id: form.project_id.trim().to_owned(),
        access_key: Some(form.access_key.trim().to_owned()),
        secret_key: Some(form.secret_key.trim().to_owned()),
        security_token: Some(form.security_token.trim().to_owned()).filter(|t| !t.is_empty()),
        token: None,
    };
    let config = credentials
        .client_config()
        .map_err(|_| Msg::new("login-unknown-region").arg("region", region))?;
    check(state, config).await?;
    let mut record = new_record(
        credentials.access_key.clone().unwrap_or_default(),
        state.cloud_role,
        SignInMode::AccessKey,
        format!("{region} · {}", short_project(&credentials.project_id)),
    );
    record.sealed = Some(state.key.seal(
        &serde_json::to_vec(&credentials).expect("serialisable"),
        &record.sid,
    ));
    Ok(record)
}

async fn sign_in_iam(state: &AppState, form: &LoginForm) -> Result<SessionRecord, Msg> {
    let region = form.region.trim();
    let endpoint = dms_endpoint(state, region)
        .ok_or_else(|| Msg::new("login-unknown-region").arg("region", region))?;
    let iam = iam_endpoint(state, region)
        .ok_or_else(|| Msg::new("login-unknown-region").arg("region", region))?;
    let project_name = if form.project.trim().is_empty() {
        region.to_owned()
    } else {
        form.project.trim().to_owned()
    };
    let password = IamPassword {
        endpoint: iam,
        domain: form.domain.trim().to_owned(),
        user: form.user.trim().to_owned(),
        password: Secret::new(form.password.clone()),
        project_name,
        renew_before: std::time::Duration::from_secs(0),
    };
    let token =
        crate::api::auth::fetch_token(&state.http, &password, std::time::Duration::from_secs(10))
            .await
            .map_err(|e| describe("IAM", &e))?;
    let project_id = token
        .project_id
        .clone()
        .ok_or_else(|| Msg::new("login-iam-no-project"))?;
    let credentials = SessionCredentials {
        endpoint: endpoint.to_string(),
        region: region.to_owned(),
        project_id: project_id.clone(),
        access_key: None,
        secret_key: None,
        security_token: None,
        token: Some(token.token.expose().to_owned()),
    };
    let config = ClientConfig::new(
        endpoint,
        Some(project_id.clone()),
        Credentials::Token(token.token.clone()),
    );
    check(state, config).await?;
    let mut record = new_record(
        format!("{}/{}", password.domain, password.user),
        state.cloud_role,
        SignInMode::IamUser,
        format!("{region} · {}", short_project(&project_id)),
    );
    record.sealed = Some(state.key.seal(
        &serde_json::to_vec(&credentials).expect("serialisable"),
        &record.sid,
    ));
    record.token_expires_at = Some(token.expires_at);
    Ok(record)
}

async fn sign_in_account(state: &AppState, form: &LoginForm) -> Result<SessionRecord, Msg> {
    let refused = || Msg::new("login-wrong-password");
    let name = form.account.trim().to_owned();
    let account = state.accounts.iter().find(|a| a.name == name).cloned();
    let password = form.password.clone();
    // Hash even for unknown names, so timing does not tell which names exist.
    let hash = account
        .as_ref()
        .map(|a| a.password_hash.clone())
        .unwrap_or_else(|| dummy_hash().to_owned());
    let matches = super::passwords::verify_queued(password, hash).await;
    let account = account.filter(|_| matches).ok_or_else(refused)?;
    let mut record = new_record(
        account.name.clone(),
        account.role,
        SignInMode::Account,
        account.connection.clone(),
    );
    record.connection = Some(account.connection.clone());
    Ok(record)
}

/// A valid hash of a random password, verified against for unknown account names.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| super::passwords::hash(&random_token(16)))
}

/// `POST /logout`: deletes the server-side session, so the old cookie is worthless (and removes
/// it), and asks the browser to clear its cache and storage. Cookies are not cleared wholesale:
/// the reader's language, theme and zone outlive the session. A single-sign-on session comes
/// back to a sign-in page that offers to end the provider's session too.
pub async fn logout(session: Session, hx: HxRequest) -> HttpResponse {
    let record = SessionRecord::of(&session);
    if let Some(record) = &record {
        tracing::info!(user = %record.user, "signed out");
    }
    session.purge();
    let target = match record.map(|r| r.mode) {
        Some(SignInMode::Oidc) => "/login?signed_out=oidc",
        _ => "/login",
    };
    let mut response = redirect(hx, target);
    response.headers_mut().insert(
        actix_web::http::header::HeaderName::from_static("clear-site-data"),
        actix_web::http::header::HeaderValue::from_static("\"cache\", \"storage\""),
    );
    response
}
