//! What a signed-in session holds and how a request gets its user.
//!
//! The session state is written once, at sign-in, and never on ordinary requests. Cloud
//! credentials are sealed with the server key before the store sees them. [`CurrentUser`]
//! is the extractor every page uses: it opens the session, checks token expiry and builds the
//! user's DMS client; without a session it asks for sign-in (a redirect, or `HX-Redirect` for
//! htmx).

use std::future::Future;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::{FromRequest, HttpRequest, web};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::api::{ClientConfig, Credentials, DmsClient};
use crate::secret::Secret;

use super::error::WebError;
use super::oidc::Grant;
use super::prefs::Ui;
use super::rbac::{Permission, Role, allows};
use super::session_store::{INDEX_KEY, IndexEntry};
use super::state::{AppState, Environment};

/// The session-state key of the record.
const RECORD_KEY: &str = "console";

/// How the user signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignInMode {
    /// Access key and secret key.
    AccessKey,
    /// IAM user (token).
    IamUser,
    /// Console account with a server-side connection.
    Account,
    /// Single sign-on (OpenID Connect), with server-side connections mapped from groups.
    Oidc,
}

impl SignInMode {
    /// A label for logs.
    pub fn label(self) -> &'static str {
        match self {
            Self::AccessKey => "access key",
            Self::IamUser => "IAM user",
            Self::Account => "console account",
            Self::Oidc => "single sign-on",
        }
    }

    /// The catalogue key of "signed in with …".
    pub fn signed_in_key(self) -> &'static str {
        match self {
            Self::AccessKey => "signed-in-with-access-key",
            Self::IamUser => "signed-in-with-iam",
            Self::Account => "signed-in-with-account",
            Self::Oidc => "signed-in-with-oidc",
        }
    }

    /// The catalogue key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::AccessKey => "mode-access-key",
            Self::IamUser => "mode-iam",
            Self::Account => "mode-account",
            Self::Oidc => "mode-oidc",
        }
    }
}

/// Cloud credentials of an access-key or IAM sign-in, sealed inside the session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionCredentials {
    /// DMS endpoint.
    pub endpoint: String,
    /// Region id.
    pub region: String,
    /// Project id.
    pub project_id: String,
    /// Access key (AK/SK mode).
    pub access_key: Option<String>,
    /// Secret key (AK/SK mode).
    pub secret_key: Option<String>,
    /// Security token of temporary credentials.
    pub security_token: Option<String>,
    /// IAM token (IAM mode).
    pub token: Option<String>,
}

impl SessionCredentials {
    /// The client configuration these credentials describe.
    pub fn client_config(&self) -> Result<ClientConfig, WebError> {
        let endpoint = Url::parse(&self.endpoint).map_err(|_| WebError::SignInRequired)?;
        let credentials = match (&self.access_key, &self.secret_key, &self.token) {
            (Some(access_key), Some(secret_key), _) => Credentials::AccessKey {
                access_key: access_key.clone(),
                secret_key: Secret::new(secret_key.clone()),
                security_token: self.security_token.clone().map(Secret::new),
            },
            (_, _, Some(token)) => Credentials::Token(Secret::new(token.clone())),
            _ => return Err(WebError::SignInRequired),
        };
        Ok(ClientConfig::new(
            endpoint,
            Some(self.project_id.clone()),
            credentials,
        ))
    }
}

/// The session record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Who: console account name, access key id or `domain/user`.
    pub user: String,
    /// Role.
    pub role: Role,
    /// Sign-in mode.
    pub mode: SignInMode,
    /// The CSRF token of this session.
    pub csrf: String,
    /// What the header shows as the connection (region and project, or connection name).
    pub connection_label: String,
    /// Sealed [`SessionCredentials`] (access-key and IAM modes).
    pub sealed: Option<String>,
    /// The `[[connections]]` name (console accounts).
    pub connection: Option<String>,
    /// A random id of this sign-in, for audit records and as the sealing context.
    pub sid: String,
    /// Sign-in time (Unix ms).
    pub signed_in_at: i64,
    /// When an IAM token expires (Unix seconds), so the session ends with it.
    pub token_expires_at: Option<i64>,
    /// The client address at sign-in.
    #[serde(default)]
    pub client: String,
    /// The browser's `User-Agent` at sign-in (at most 200 characters).
    #[serde(default)]
    pub user_agent: String,
    /// The connections a single-sign-on user may switch between, with the role on each
    /// (`connection` and `role` are the current one's).
    #[serde(default)]
    pub grants: Vec<Grant>,
}

impl SessionRecord {
    /// Stores the record in a freshly renewed session (new id: no fixation), with the index
    /// entry the store files it under and nothing left of an earlier session.
    pub fn start(self, session: &Session) -> Result<(), WebError> {
        session.clear();
        session.renew();
        let index = IndexEntry {
            user: self.user.clone(),
            sid: self.sid.clone(),
        };
        let index = serde_json::to_string(&index).expect("serialisable");
        session
            .insert(INDEX_KEY, index)
            .and_then(|_| session.insert(RECORD_KEY, &self))
            .map_err(|e| WebError::unexpected(format!("cannot store the session: {e}")))
    }

    /// Replaces the record of a live session in place: the one write after sign-in, when a
    /// single-sign-on user switches connection. The store never recreates a session that
    /// ended meanwhile.
    pub fn replace(self, session: &Session) -> Result<(), WebError> {
        session
            .insert(RECORD_KEY, &self)
            .map_err(|e| WebError::unexpected(format!("cannot store the session: {e}")))
    }

    /// The record of a state the store holds (the sessions page reads them).
    pub fn of_state(state: &std::collections::HashMap<String, String>) -> Option<Self> {
        serde_json::from_str(state.get(RECORD_KEY)?).ok()
    }

    /// Notes the client address and `User-Agent` of the sign-in `request`.
    pub fn seen_from(mut self, request: &HttpRequest) -> Self {
        self.client = super::peer::address(request);
        self.user_agent = request
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        self
    }

    /// The record of `session`, if signed in.
    pub fn of(session: &Session) -> Option<Self> {
        session.get::<Self>(RECORD_KEY).ok().flatten()
    }
}

/// The signed-in user of a request.
pub struct CurrentUser {
    /// The record.
    pub record: SessionRecord,
    /// A DMS client with the user's credentials.
    pub dms: DmsClient,
    /// The session (for sign-out).
    pub session: Session,
    /// The reader's language, zone and theme.
    pub ui: Ui,
    /// The path and query of the request (for forms that come back to it).
    pub here: String,
    /// The connection's environment label.
    pub environment: Option<Environment>,
    /// The credential's scope: what cached lists are keyed by.
    pub scope: String,
    /// The DMS endpoint and project (instances' call budgets are per tenant and instance).
    pub tenant: String,
    /// The application's state (caches, budgets, the audit log).
    pub state: web::Data<AppState>,
}

impl CurrentUser {
    /// Fails with 403 unless the user's role holds `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), WebError> {
        if allows(self.record.role, permission) {
            Ok(())
        } else {
            Err(WebError::Forbidden { needed: permission })
        }
    }

    /// The budget of DMS calls in flight for `instance_id`, shared by every view.
    pub fn budget(
        &self,
        instance_id: &crate::domain::InstanceId,
    ) -> std::sync::Arc<super::budget::Budget> {
        self.state.budgets.of(&self.tenant, instance_id.as_str())
    }

    /// The cache key of a list of `instance` (empty for project-wide lists) in this user's eyes.
    pub fn cache_key(&self, instance: &str, variant: impl Into<String>) -> super::cache::CacheKey {
        super::cache::CacheKey {
            scope: self.scope.clone(),
            instance: instance.to_owned(),
            variant: variant.into(),
        }
    }

    /// Whether the user's role holds `permission` (for hiding controls).
    pub fn can(&self, permission: Permission) -> bool {
        allows(self.record.role, permission)
    }
}

/// Who the DMS credential of a session is, as far as DMS cares: its kind, user or key, the
/// endpoint and project. Two sessions with the same scope see the same things in DMS, so they
/// may share cached lists; two different scopes never do. (A hash, so that keys and names do
/// not sit in cache keys.)
fn scope_of(record: &SessionRecord, config: &ClientConfig) -> String {
    use sha2::{Digest, Sha256};
    let identity = match &record.connection {
        Some(name) => format!("connection:{name}"),
        None => format!("{:?}:{}", record.mode, record.user),
    };
    let text = format!(
        "{identity}|{}|{}",
        config.endpoint,
        config.project_id.as_deref().unwrap_or_default()
    );
    hex::encode(&Sha256::digest(text.as_bytes())[..12])
}

/// The environment label of a session's connection.
pub fn environment(state: &AppState, record: &SessionRecord) -> Option<Environment> {
    match &record.connection {
        Some(name) => state.environments.get(name).cloned(),
        None => state.cloud_environment.clone(),
    }
}

/// The path and query of `request` (what forms that come back to the page send).
pub fn here(request: &HttpRequest) -> String {
    match request.query_string() {
        "" => request.path().to_owned(),
        query => format!("{}?{query}", request.path()),
    }
}

/// Builds the user of `request` from its session.
pub fn current_user(request: &HttpRequest) -> Result<CurrentUser, WebError> {
    let state = request
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| WebError::unexpected("no application state"))?;
    let session = request.get_session();
    if let Ok(Some(why)) = session.get::<String>(super::session_store::UNAVAILABLE_KEY) {
        return Err(WebError::SessionStore(why));
    }
    let record = SessionRecord::of(&session).ok_or(WebError::SignInRequired)?;
    if let Some(expires_at) = record.token_expires_at
        && expires_at <= crate::signing::SdkDate::now().unix_seconds()
    {
        session.purge();
        return Err(WebError::SignInRequired);
    }
    let config = match (&record.sealed, &record.connection) {
        (Some(sealed), _) => {
            let plain = state
                .key
                .open(sealed, &record.sid)
                .map_err(|_| WebError::SignInRequired)?;
            let credentials: SessionCredentials =
                serde_json::from_slice(&plain).map_err(|_| WebError::SignInRequired)?;
            credentials.client_config()?
        }
        (None, Some(name)) => state.connections.get(name).cloned().ok_or_else(|| {
            WebError::unexpected(format!("the connection `{name}` is no longer configured"))
        })?,
        (None, None) => return Err(WebError::SignInRequired),
    };
    let scope = scope_of(&record, &config);
    let tenant = format!(
        "{}|{}",
        config.endpoint,
        config.project_id.as_deref().unwrap_or_default()
    );
    let dms = state
        .client(config)
        .map_err(|e| WebError::unexpected(e.to_string()))?;
    Ok(CurrentUser {
        environment: environment(state, &record),
        scope,
        tenant,
        state: state.clone(),
        record,
        dms,
        session,
        ui: Ui::of(request),
        here: here(request),
    })
}

impl FromRequest for CurrentUser {
    type Error = WebError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(request: &HttpRequest, _payload: &mut actix_web::dev::Payload) -> Self::Future {
        let result = current_user(request);
        Box::pin(async move { result })
    }
}
