//! Sign-in and sign-out.
//!
//! Three modes, each can be switched off: an access key (checked with one cheap signed call
//! before the session exists), an IAM user (password exchanged for a project-scoped token),
//! and console accounts (argon2 hashes) that use connections configured on the server. Users
//! never choose the endpoint: it is server configuration. Sign-ins are throttled per account
//! and per client address, each attempt counted before its credentials are checked. The
//! sign-in form is protected by a CSRF token bound to a nonce cookie, since no session exists
//! yet.

use std::collections::BTreeMap;

use actix_session::Session;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::api::models::instances::ListInstancesQuery;
use crate::api::{ApiError, ClientConfig, Credentials, ErrorKind, IamPassword};
use crate::config::regions;
use crate::secret::Secret;

use super::crypto::random_token;
use super::error::WebError;
use super::htmx::{HxRequest, html, redirect};
use super::session::{SessionCredentials, SessionRecord, SignInMode};
use super::state::AppState;

/// The sign-in form's fields (every mode shares one form type; unused fields stay empty).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    mode: String,
    access_key: String,
    secret_key: String,
    security_token: String,
    region: String,
    project_id: String,
    domain: String,
    user: String,
    password: String,
    project: String,
    account: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    mode: String,
    access_key_enabled: bool,
    iam_enabled: bool,
    accounts_enabled: bool,
    regions: Vec<String>,
    values: BTreeMap<&'static str, String>,
    errors: BTreeMap<&'static str, String>,
    problem: Option<String>,
}

impl LoginPage {
    fn value(&self, field: &str) -> &str {
        self.values.get(field).map(String::as_str).unwrap_or("")
    }
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).map(String::as_str).unwrap_or("")
    }
}

fn region_list(state: &AppState) -> Vec<String> {
    let mut list: Vec<String> = regions::all().map(|(id, _)| id.to_owned()).collect();
    if let Some(default) = &state.auth.default_region
        && !list.contains(default)
    {
        list.insert(0, default.clone());
    }
    list
}

fn page(state: &AppState, csrf: String, mode: &str) -> LoginPage {
    let mode = if mode.is_empty() {
        if state.auth.console_accounts && !state.accounts.is_empty() {
            "account"
        } else if state.auth.access_key {
            "access_key"
        } else {
            "iam"
        }
    } else {
        mode
    };
    let mut values = BTreeMap::new();
    if let Some(region) = &state.auth.default_region {
        values.insert("region", region.clone());
    }
    LoginPage {
        csrf,
        mode: mode.to_owned(),
        access_key_enabled: state.auth.access_key,
        iam_enabled: state.auth.iam_user,
        accounts_enabled: state.auth.console_accounts && !state.accounts.is_empty(),
        regions: region_list(state),
        values,
        errors: BTreeMap::new(),
        problem: None,
    }
}

/// `GET /login`.
pub async fn login_form(
    request: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<BTreeMap<String, String>>,
) -> HttpResponse {
    let cookie_name = state.login_nonce_cookie();
    let existing = request.cookie(cookie_name).map(|c| c.value().to_owned());
    let nonce = existing.clone().unwrap_or_else(|| random_token(24));
    let csrf = state.key.mac("login-csrf", &nonce);
    let mode = query.get("mode").map(String::as_str).unwrap_or("");
    let body = page(&state, csrf, mode).render().unwrap_or_default();
    let mut response = html(StatusCode::OK, body);
    if existing.is_none() {
        let cookie = Cookie::build(cookie_name, nonce)
            .path("/")
            .http_only(true)
            .secure(state.secure_cookies)
            .same_site(SameSite::Strict)
            .finish();
        let _ = response.add_cookie(&cookie);
    }
    response
}

fn refused(
    state: &AppState,
    form: &LoginForm,
    csrf: String,
    problem: String,
    errors: BTreeMap<&'static str, String>,
) -> HttpResponse {
    let mut page = page(state, csrf, &form.mode);
    for (field, value) in [
        ("access_key", &form.access_key),
        ("region", &form.region),
        ("project_id", &form.project_id),
        ("domain", &form.domain),
        ("user", &form.user),
        ("project", &form.project),
        ("account", &form.account),
    ] {
        if !value.is_empty() {
            page.values.insert(field, value.clone());
        }
    }
    page.errors = errors;
    page.problem = Some(problem);
    html(
        StatusCode::UNPROCESSABLE_ENTITY,
        page.render().unwrap_or_default(),
    )
}

fn required(
    errors: &mut BTreeMap<&'static str, String>,
    field: &'static str,
    value: &str,
    what: &str,
) {
    if value.trim().is_empty() {
        errors.insert(field, format!("Enter {what}."));
    }
}

/// What to tell the user about a failed sign-in call to `service` (`DMS` or `IAM`).
fn describe(service: &str, error: &ApiError) -> String {
    let mut text = match error.kind {
        ErrorKind::Auth => format!("{service} refused the credentials: {}", error.message),
        ErrorKind::Transport => format!("{service} could not be reached: {}", error.message),
        _ => error.message.clone(),
    };
    if let Some(code) = &error.code {
        text.push_str(&format!(" (error code {code}"));
        if let Some(id) = &error.request_id {
            text.push_str(&format!(", request id {id}"));
        }
        text.push(')');
    }
    text
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
    let address = super::client::address(&request);
    let name = match form.mode.as_str() {
        "access_key" => form.access_key.trim().to_owned(),
        "iam" => format!("{}/{}", form.domain.trim(), form.user.trim()),
        _ => form.account.trim().to_owned(),
    };
    let keys = vec![
        format!("account:{}:{name}", form.mode),
        format!("address:{address}"),
    ];
    let attempt = match state.throttle.begin(keys).await {
        Ok(attempt) => attempt,
        Err(wait) => {
            return Ok(refused(
                &state,
                &form,
                csrf,
                format!(
                    "Too many failed sign-ins. Try again in {} s.",
                    wait.as_secs().max(1)
                ),
                BTreeMap::new(),
            ));
        }
    };
    let mut errors = BTreeMap::new();
    let result: Result<SessionRecord, String> = match form.mode.as_str() {
        "access_key" if state.auth.access_key => {
            required(
                &mut errors,
                "access_key",
                &form.access_key,
                "the access key id",
            );
            required(
                &mut errors,
                "secret_key",
                &form.secret_key,
                "the secret access key",
            );
            required(
                &mut errors,
                "project_id",
                &form.project_id,
                "the project id",
            );
            required(&mut errors, "region", &form.region, "the region");
            if !form.project_id.trim().is_empty()
                && !form
                    .project_id
                    .trim()
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                errors.insert(
                    "project_id",
                    "A project id has only letters, digits, `-` and `_`.".into(),
                );
            }
            if !errors.is_empty() {
                return Ok(refused(
                    &state,
                    &form,
                    csrf,
                    "Check the marked fields.".into(),
                    errors,
                ));
            }
            sign_in_access_key(&state, &form).await
        }
        "iam" if state.auth.iam_user => {
            required(&mut errors, "domain", &form.domain, "the account name");
            required(&mut errors, "user", &form.user, "the IAM user name");
            required(&mut errors, "password", &form.password, "the password");
            required(&mut errors, "region", &form.region, "the region");
            if !errors.is_empty() {
                return Ok(refused(
                    &state,
                    &form,
                    csrf,
                    "Check the marked fields.".into(),
                    errors,
                ));
            }
            sign_in_iam(&state, &form).await
        }
        "account" if state.auth.console_accounts => {
            required(&mut errors, "account", &form.account, "the account name");
            required(&mut errors, "password", &form.password, "the password");
            if !errors.is_empty() {
                return Ok(refused(
                    &state,
                    &form,
                    csrf,
                    "Check the marked fields.".into(),
                    errors,
                ));
            }
            sign_in_account(&state, &form).await
        }
        _ => Err("This sign-in mode is switched off.".into()),
    };
    match result {
        Ok(record) => {
            attempt.succeeded();
            tracing::info!(user = %record.user, role = %record.role, mode = record.mode.label(), "signed in");
            record.start(&session)?;
            Ok(redirect(hx, "/instances"))
        }
        Err(problem) => {
            attempt.failed();
            tracing::info!(user = %name, client = %address, "sign-in refused");
            Ok(refused(&state, &form, csrf, problem, BTreeMap::new()))
        }
    }
}

fn new_record(
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
        signed_in_at: crate::emulator::now_ms(),
        token_expires_at: None,
    }
}

fn short_project(project_id: &str) -> String {
    if project_id.len() > 12 {
        format!("{}…", &project_id[..8])
    } else {
        project_id.to_owned()
    }
}

async fn check(state: &AppState, config: ClientConfig) -> Result<(), String> {
    let client = state.client(config).map_err(|e| e.to_string())?;
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

async fn sign_in_access_key(state: &AppState, form: &LoginForm) -> Result<SessionRecord, String> {
    let region = form.region.trim();
    let endpoint = dms_endpoint(state, region)
        .ok_or_else(|| format!("The region `{region}` is not known."))?;
    let credentials = SessionCredentials {
        endpoint: endpoint.to_string(),
        region: region.to_owned(),
        project_id: form.project_id.trim().to_owned(),
        access_key: Some(form.access_key.trim().to_owned()),
        secret_key: Some(form.secret_key.trim().to_owned()),
        security_token: Some(form.security_token.trim().to_owned()).filter(|t| !t.is_empty()),
        token: None,
    };
    let config = credentials.client_config().map_err(|e| e.to_string())?;
    check(state, config).await?;
    let mut record = new_record(
        credentials.access_key.clone().unwrap_or_default(),
        state.cloud_role,
        SignInMode::AccessKey,
        format!(
            "{region} · project {}",
            short_project(&credentials.project_id)
        ),
    );
    record.sealed = Some(state.key.seal(
        &serde_json::to_vec(&credentials).expect("serialisable"),
        &record.sid,
    ));
    Ok(record)
}

async fn sign_in_iam(state: &AppState, form: &LoginForm) -> Result<SessionRecord, String> {
    let region = form.region.trim();
    let endpoint = dms_endpoint(state, region)
        .ok_or_else(|| format!("The region `{region}` is not known."))?;
    let iam = iam_endpoint(state, region)
        .ok_or_else(|| format!("The region `{region}` is not known."))?;
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
        .ok_or("IAM did not say which project the token is for.")?;
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
        format!("{region} · project {}", short_project(&project_id)),
    );
    record.sealed = Some(state.key.seal(
        &serde_json::to_vec(&credentials).expect("serialisable"),
        &record.sid,
    ));
    record.token_expires_at = Some(token.expires_at);
    Ok(record)
}

async fn sign_in_account(state: &AppState, form: &LoginForm) -> Result<SessionRecord, String> {
    let refused = || "The account name or password is wrong.".to_owned();
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

/// `POST /logout`: deletes the server-side session, so the old cookie is worthless, and asks
/// the browser to clear what it kept.
pub async fn logout(session: Session, hx: HxRequest) -> HttpResponse {
    if let Some(record) = SessionRecord::of(&session) {
        tracing::info!(user = %record.user, "signed out");
    }
    session.purge();
    let mut response = redirect(hx, "/login");
    response.headers_mut().insert(
        actix_web::http::header::HeaderName::from_static("clear-site-data"),
        actix_web::http::header::HeaderValue::from_static("\"cache\", \"cookies\", \"storage\""),
    );
    response
}
