//! Settings of the web console: sessions, sign-in modes, console accounts, named connections
//! and the audit log.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{DmsSettings, IamSettings};
use crate::secret::Secret;

/// `[session]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionSettings {
    /// `session.backend`: `memory` (one process) or `redis` (several replicas).
    pub backend: String,
    /// `session.redis_url`: e.g. `redis://127.0.0.1:6379/0`.
    pub redis_url: Option<String>,
    /// `session.key`: 128 hexadecimal characters (64 bytes); signs cookies and encrypts the
    /// credentials held in sessions. Every replica needs the same key.
    #[serde(skip_serializing)]
    pub key: Option<Secret>,
    /// `session.key_file`: a file holding the key.
    pub key_file: Option<PathBuf>,
    /// `session.idle_timeout_minutes`: sign-out after this much inactivity (default 30).
    pub idle_timeout_minutes: u64,
    /// `session.absolute_timeout_hours`: sign-out after this long in any case (default 12).
    pub absolute_timeout_hours: u64,
    /// `session.idle_timeout_seconds`: the idle timeout in seconds; when set it replaces
    /// `session.idle_timeout_minutes` (finer control, e.g. for tests).
    pub idle_timeout_seconds: Option<u64>,
    /// `session.absolute_timeout_seconds`: the absolute timeout in seconds; when set it
    /// replaces `session.absolute_timeout_hours`.
    pub absolute_timeout_seconds: Option<u64>,
    /// `session.redis_timeout_ms`: how long one Redis operation (taking a pooled connection
    /// included) may take before the request gets the "sessions are unavailable" page
    /// (default 2000).
    pub redis_timeout_ms: u64,
    /// `session.redis_key_prefix`: the prefix of every Redis key the console writes (default
    /// `dms-console`), so several consoles can share one Redis apart.
    pub redis_key_prefix: String,
    /// `session.max_per_user`: how many sessions one user may hold at once; signing in once
    /// more ends the oldest (default 0: no limit).
    pub max_per_user: usize,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            backend: "memory".to_owned(),
            redis_url: None,
            key: None,
            key_file: None,
            idle_timeout_minutes: 30,
            absolute_timeout_hours: 12,
            idle_timeout_seconds: None,
            absolute_timeout_seconds: None,
            redis_timeout_ms: 2000,
            redis_key_prefix: "dms-console".to_owned(),
            max_per_user: 0,
        }
    }
}

/// `[auth]`: which sign-in modes are offered.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// `auth.access_key`: sign in with an access key and secret key.
    pub access_key: bool,
    /// `auth.iam_user`: sign in as an IAM user (password → token).
    pub iam_user: bool,
    /// `auth.console_accounts`: sign in with a console account from `[[accounts]]`.
    pub console_accounts: bool,
    /// `auth.max_failures`: failed sign-ins allowed per account and per client address within
    /// `auth.failure_window_seconds` before further attempts are refused (default 5).
    pub max_failures: u32,
    /// `auth.failure_window_seconds`: the throttling window (default 300).
    pub failure_window_seconds: u64,
    /// `auth.default_region`: the region preselected on the sign-in form.
    pub default_region: Option<String>,
    /// `auth.endpoint`: the DMS endpoint used for access-key and IAM sign-ins (default: from
    /// the region). This is server configuration: users never choose where the console connects.
    pub endpoint: Option<String>,
    /// `auth.iam_endpoint`: the IAM endpoint used for IAM sign-ins (default: from the region).
    pub iam_endpoint: Option<String>,
    /// `auth.role`: the role of access-key and IAM sign-ins: `viewer`, `operator` or `admin`
    /// (default `admin`: whoever holds cloud credentials can already do everything with them).
    pub role: String,
    /// `auth.environment`: a label shown on every page of access-key and IAM sign-ins (e.g.
    /// `production`), so nobody mistakes one environment for another.
    pub environment: Option<String>,
    /// `auth.environment_colour`: the label's colour: `red`, `amber`, `green` or `grey`
    /// (default `grey`).
    pub environment_colour: Option<String>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            access_key: true,
            iam_user: true,
            console_accounts: true,
            max_failures: 5,
            failure_window_seconds: 300,
            default_region: None,
            endpoint: None,
            iam_endpoint: None,
            role: "admin".to_owned(),
            environment: None,
            environment_colour: None,
        }
    }
}

/// `[oidc]`: single sign-on with an OpenID Connect provider (authorization code flow with
/// PKCE). Offered on the sign-in page when `oidc.issuer` is set.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct OidcSettings {
    /// `oidc.issuer`: the provider's issuer URL; its discovery document is read from
    /// `<issuer>/.well-known/openid-configuration`.
    pub issuer: Option<String>,
    /// `oidc.provider_name`: what the sign-in button calls the provider ("Sign in with …").
    pub provider_name: String,
    /// `oidc.client_id`: the console's client id at the provider.
    pub client_id: String,
    /// `oidc.client_secret`: the client secret (prefer `oidc.client_secret_file`).
    #[serde(skip_serializing)]
    pub client_secret: Option<Secret>,
    /// `oidc.client_secret_file`: a file holding the client secret.
    pub client_secret_file: Option<PathBuf>,
    /// `oidc.redirect_url`: where the provider sends the browser back (default:
    /// `server.public_url` + `/login/oidc/callback`); register it at the provider.
    pub redirect_url: Option<String>,
    /// `oidc.scopes`: scopes asked for besides `openid` (default `profile`, `email`, `groups`).
    pub scopes: Vec<String>,
    /// `oidc.groups_claim`: the ID token claim that lists the user's groups (default `groups`).
    pub groups_claim: String,
    /// `oidc.username_claim`: the claim shown as the user's name (default
    /// `preferred_username`, else `email`, else the subject).
    pub username_claim: String,
    /// `[[oidc.groups]]`: which groups get which role on which connections.
    pub groups: Vec<GroupMapping>,
}

impl Default for OidcSettings {
    fn default() -> Self {
        Self {
            issuer: None,
            provider_name: "OpenID Connect".to_owned(),
            client_id: String::new(),
            client_secret: None,
            client_secret_file: None,
            redirect_url: None,
            scopes: vec![
                "profile".to_owned(),
                "email".to_owned(),
                "groups".to_owned(),
            ],
            groups_claim: "groups".to_owned(),
            username_claim: "preferred_username".to_owned(),
            groups: Vec::new(),
        }
    }
}

/// `[[oidc.groups]]`: members of `group` get `role` on each of `connections`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GroupMapping {
    /// The group's name as the groups claim lists it.
    pub group: String,
    /// `viewer`, `operator` or `admin`.
    pub role: String,
    /// Names of `[[connections]]` entries.
    pub connections: Vec<String>,
}

/// `[[accounts]]`: a console account.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AccountSettings {
    /// The sign-in name.
    pub name: String,
    /// An argon2 PHC hash (`dms-console hash-password`).
    pub password_hash: String,
    /// `viewer`, `operator` or `admin`.
    pub role: String,
    /// The name of the `[[connections]]` entry the account uses.
    pub connection: String,
    /// Other `[[connections]]` the account may read to compare instances across them
    /// (default none).
    #[serde(default)]
    pub also_reads: Vec<String>,
}

/// `[[connections]]`: cloud credentials configured on the server for console accounts.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionSettings {
    /// The connection's name.
    pub name: String,
    /// Endpoint, region, project and AK/SK, as in `[dms]`.
    #[serde(default)]
    pub dms: DmsSettings,
    /// IAM user, as in `[iam]`.
    #[serde(default)]
    pub iam: IamSettings,
    /// A label shown on every page of this connection (e.g. `production`, `staging`).
    #[serde(default)]
    pub environment: Option<String>,
    /// The label's colour: `red`, `amber`, `green` or `grey` (default `grey`).
    #[serde(default)]
    pub environment_colour: Option<String>,
}

/// `[audit]`.
#[derive(Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditSettings {
    /// `audit.url`: `sqlite:PATH` (default: `audit.sqlite3` in the user's state directory,
    /// `$XDG_STATE_HOME/dms-console/` or `~/.local/state/dms-console/`, never the working
    /// directory) or a `postgres://USER:PASSWORD@HOST:PORT/DATABASE` URL (`postgresql://` too).
    pub url: String,
}

impl std::fmt::Debug for AuditSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a database password.
        f.debug_struct("AuditSettings")
            .field("url", &crate::web::audit::redact_url(&self.url))
            .finish()
    }
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self {
            url: format!("sqlite:{}", default_audit_path().display()),
        }
    }
}

/// Where the audit log lives by default: the user's state directory, outside any working
/// tree (`$XDG_STATE_HOME/dms-console/audit.sqlite3`, else
/// `~/.local/state/dms-console/audit.sqlite3`, else the system's temporary directory).
pub fn default_audit_path() -> PathBuf {
    let state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .map(|home| home.join(".local").join("state"))
        })
        .unwrap_or_else(std::env::temp_dir);
    state.join("dms-console").join("audit.sqlite3")
}
