//! `AppState`: what every handler shares — the server key, sign-in settings, console
//! accounts, configured connections, the HTTP client pool, the sign-in throttle, the session
//! store, single sign-on, metrics, the audit log, and what the replicas share through it (the
//! ledger of submitted changes and the rate limits).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::api::{ClientConfig, DmsClient};
use crate::config::web::AuthSettings;

use super::audit::Audit;
use super::crypto::ServerKey;
use super::metrics::Metrics;
use super::rbac::Role;
use super::session_store::Store;
use super::throttle::Throttle;

/// A console account from `[[accounts]]`.
#[derive(Debug, Clone)]
pub struct Account {
    /// Sign-in name.
    pub name: String,
    /// Argon2 PHC hash.
    pub password_hash: String,
    /// Role.
    pub role: Role,
    /// Connection name.
    pub connection: String,
    /// Other connections it may read, to compare instances across them.
    pub also_reads: Vec<String>,
}

/// The colour of an environment label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvColour {
    /// Production: be careful.
    Red,
    /// Staging and the like.
    Amber,
    /// Development, demos.
    Green,
    /// No particular meaning.
    Grey,
}

impl EnvColour {
    /// The colour named in configuration.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "red" => Ok(Self::Red),
            "amber" | "yellow" | "orange" => Ok(Self::Amber),
            "green" => Ok(Self::Green),
            "grey" | "gray" | "" => Ok(Self::Grey),
            other => Err(format!(
                "`{other}` is not a colour; allowed: red, amber, green, grey"
            )),
        }
    }

    /// The CSS class suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Red => "red",
            Self::Amber => "amber",
            Self::Green => "green",
            Self::Grey => "grey",
        }
    }
}

/// The environment label of a connection, shown on every page of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// What it says (e.g. `production`).
    pub label: String,
    /// Its colour.
    pub colour: EnvColour,
}

/// Shared state.
pub struct AppState {
    /// The server key.
    pub key: ServerKey,
    /// Sign-in settings.
    pub auth: AuthSettings,
    /// The role of access-key and IAM sign-ins.
    pub cloud_role: Role,
    /// Console accounts.
    pub accounts: Vec<Account>,
    /// Client configurations of `[[connections]]`, by name.
    pub connections: HashMap<String, ClientConfig>,
    /// Environment labels of `[[connections]]`, by name.
    pub environments: HashMap<String, Environment>,
    /// The environment label of access-key and IAM sign-ins.
    pub cloud_environment: Option<Environment>,
    /// The server's own connection (`[dms]`), for readiness, when configured.
    pub server_connection: Option<DmsClient>,
    /// The HTTP client every DMS client shares (one connection pool).
    pub http: reqwest::Client,
    /// Failed sign-in throttle.
    pub throttle: Throttle,
    /// The session store.
    pub store: Store,
    /// Whether cookies are `Secure` and `__Host-` prefixed.
    pub secure_cookies: bool,
    /// `server.public_url`, parsed.
    pub public_url: Option<url::Url>,
    /// The idle timeout.
    pub idle_timeout: Duration,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// The audit log.
    pub audit: Audit,
    /// Operation ids of submitted changes, so none is sent twice (shared by the replicas
    /// with the Redis backend).
    pub ledger: super::ledger::Ledger,
    /// Per-user rate limits of dangerous changes (shared by the replicas with the Redis
    /// backend): `state.limits.allow(user, "dlq-resend", 10, window)`.
    pub limits: super::ratelimit::RateLimiter,
    /// Single sign-on, when `[oidc]` is configured.
    pub oidc: Option<super::oidc::Oidc>,
    /// How many sessions one user may hold (0: no limit).
    pub max_sessions_per_user: usize,
    /// DMS calls in flight per instance.
    pub budgets: super::budget::Budgets,
    /// Short-lived lists per credential.
    pub lists: super::cache::Lists,
    /// Who sees message bodies, per role and connection (`[messages]`).
    pub messages: super::masking::MessagePolicies,
    /// When the process started.
    pub started: std::time::Instant,
}

impl AppState {
    /// The name of the session cookie.
    pub fn session_cookie(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-dms-console-session"
        } else {
            "dms-console-session"
        }
    }

    /// The name of the cookie that binds a single sign-on to the browser that started it.
    /// (SameSite=Lax: it must come back with the provider's redirect, a cross-site
    /// navigation.)
    pub fn oidc_cookie(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-dms-console-oidc"
        } else {
            "dms-console-oidc"
        }
    }

    /// The origin users reach the console at: `server.public_url`, else plain HTTP on the
    /// `Host` of `request` (which the allowed-hosts check has vetted; forwarding headers are
    /// not trusted).
    pub fn origin_of(&self, request: &actix_web::HttpRequest) -> String {
        match &self.public_url {
            Some(url) => url.origin().ascii_serialization(),
            None => {
                let host = request
                    .headers()
                    .get(actix_web::http::header::HOST)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("localhost");
                format!("http://{host}")
            }
        }
    }

    /// The name of the sign-in CSRF nonce cookie.
    pub fn login_nonce_cookie(&self) -> &'static str {
        if self.secure_cookies {
            "__Host-dms-console-login"
        } else {
            "dms-console-login"
        }
    }

    /// A client for `config` that shares the pool and reports its calls to the metrics
    /// (also for access-key and IAM sessions, whose configuration is built per request).
    pub fn client(&self, mut config: ClientConfig) -> Result<DmsClient, crate::api::ApiError> {
        if config.observer.is_none() {
            let metrics = self.metrics.clone();
            config.observer = Some(crate::api::CallObserver(Arc::new(
                move |operation, outcome, elapsed| metrics.upstream(operation, outcome, elapsed),
            )));
        }
        DmsClient::with_http(config, self.http.clone())
    }
}
