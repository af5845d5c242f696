//! Configuration: a TOML file overridden by `DMS_CONSOLE__<SECTION>__<KEY>` variables.
//!
//! `Settings::load` reads and merges the sources; `Settings::dms_client_config` validates the
//! DMS and IAM sections and builds the client configuration. Every error names the key and
//! what it allows. Secrets are [`Secret`]s and may also come from files (`*_file` keys).

pub mod messages;
pub mod regions;
pub mod web;

use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::api::{ClientConfig, Credentials, Engine, IamPassword, RetrySettings, Timeouts};
use crate::secret::Secret;

/// The prefix of environment variables; sections and keys are separated by `__`.
pub const ENV_PREFIX: &str = "DMS_CONSOLE__";

/// The file read when `--config` is not given, if it exists.
pub const DEFAULT_FILE: &str = "dms-console.toml";

/// A configuration problem, naming the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration key `{key}`: {problem}")]
pub struct ConfigError {
    /// The dotted key, e.g. `dms.region`.
    pub key: String,
    /// What is wrong and what is allowed.
    pub problem: String,
}

impl ConfigError {
    fn new(key: &str, problem: impl Into<String>) -> Self {
        Self {
            key: key.to_owned(),
            problem: problem.into(),
        }
    }
}

/// All settings.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `[dms]`: the DMS endpoint and credentials.
    pub dms: DmsSettings,
    /// `[iam]`: IAM endpoint and user for token authentication.
    pub iam: IamSettings,
    /// `[server]`: the console's HTTP listener.
    pub server: ServerSettings,
    /// `[emulator]`: the built-in DMS emulator.
    pub emulator: crate::emulator::EmulatorSettings,
    /// `[session]`: console sessions.
    pub session: web::SessionSettings,
    /// `[auth]`: sign-in modes.
    pub auth: web::AuthSettings,
    /// `[[accounts]]`: console accounts.
    pub accounts: Vec<web::AccountSettings>,
    /// `[[connections]]`: named connections for console accounts.
    pub connections: Vec<web::ConnectionSettings>,
    /// `[audit]`: the audit log.
    pub audit: web::AuditSettings,
    /// `[oidc]`: single sign-on with an OpenID Connect provider.
    pub oidc: web::OidcSettings,
    /// `[messages]`: masking of message bodies, reveals, exports and resends.
    pub messages: messages::MessageSettings,
}

/// `[dms]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DmsSettings {
    /// `dms.region`: a region id of the official SDK, e.g. `cn-north-4`.
    pub region: Option<String>,
    /// `dms.endpoint`: overrides `https://dms.{region}.myhuaweicloud.com` (the emulator's URL).
    pub endpoint: Option<String>,
    /// `dms.project_id`: the IAM project id of the region.
    pub project_id: Option<String>,
    /// `dms.access_key`: the access key id.
    pub access_key: Option<String>,
    /// `dms.secret_key`: the secret access key.
    #[serde(skip_serializing)]
    pub secret_key: Option<Secret>,
    /// `dms.secret_key_file`: a file holding the secret access key.
    pub secret_key_file: Option<PathBuf>,
    /// `dms.security_token`: the security token of temporary credentials.
    #[serde(skip_serializing)]
    pub security_token: Option<Secret>,
    /// `dms.security_token_file`: a file holding the security token.
    pub security_token_file: Option<PathBuf>,
    /// `dms.engine`: `rocketmq` (default) or `reliability`, for engine-prefixed paths.
    pub engine: String,
    /// `dms.connect_timeout_ms`: connection timeout (default 3000).
    pub connect_timeout_ms: u64,
    /// `dms.read_timeout_ms`: timeout of a read attempt (default 10000).
    pub read_timeout_ms: u64,
    /// `dms.mutation_timeout_ms`: timeout of a mutation attempt (default 30000).
    pub mutation_timeout_ms: u64,
    /// `dms.read_retries`: retries of a failed read (default 2).
    pub read_retries: u32,
    /// `dms.max_response_bytes`: the largest response accepted (default 8 MiB).
    pub max_response_bytes: usize,
}

impl Default for DmsSettings {
    fn default() -> Self {
        let timeouts = Timeouts::default();
        Self {
            region: None,
            endpoint: None,
            project_id: None,
            access_key: None,
            secret_key: None,
            secret_key_file: None,
            security_token: None,
            security_token_file: None,
            engine: "rocketmq".to_owned(),
            connect_timeout_ms: timeouts.connect.as_millis() as u64,
            read_timeout_ms: timeouts.read.as_millis() as u64,
            mutation_timeout_ms: timeouts.mutation.as_millis() as u64,
            read_retries: RetrySettings::default().max_read_retries,
            max_response_bytes: 8 * 1024 * 1024,
        }
    }
}

/// `[iam]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct IamSettings {
    /// `iam.endpoint`: overrides `https://iam.{region}.myhuaweicloud.com`.
    pub endpoint: Option<String>,
    /// `iam.domain`: the account (domain) name that owns the IAM user.
    pub domain: Option<String>,
    /// `iam.user`: the IAM user name.
    pub user: Option<String>,
    /// `iam.password`: the IAM user's password.
    #[serde(skip_serializing)]
    pub password: Option<Secret>,
    /// `iam.password_file`: a file holding the password.
    pub password_file: Option<PathBuf>,
    /// `iam.project`: the project name to scope tokens to (default: the region id).
    pub project: Option<String>,
}

/// `[server]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    /// `server.listen`: the console's listen address (default `127.0.0.1:8080`).
    pub listen: String,
    /// `server.behind_tls_proxy`: the console is served over HTTPS by a proxy in front of it,
    /// so cookies are `Secure` and `__Host-` prefixed (default false). Needs
    /// `server.public_url`.
    pub behind_tls_proxy: bool,
    /// `server.public_url`: the URL users open the console at (e.g.
    /// `https://console.example.com`). Requests naming another host are refused, except
    /// `localhost` and address literals on the listen port.
    pub public_url: Option<String>,
    /// `server.workers`: HTTP worker threads (default: the number of cores).
    pub workers: Option<usize>,
    /// `server.log_json`: log JSON lines instead of plain text.
    pub log_json: bool,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".to_owned(),
            behind_tls_proxy: false,
            public_url: None,
            workers: None,
            log_json: false,
        }
    }
}

impl Settings {
    /// Loads the defaults, then `file` (or `dms-console.toml` when present), then the
    /// environment. A named file that does not exist is an error.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_from(file, Env::prefixed(ENV_PREFIX).split("__"))
    }

    /// Like [`Settings::load`] with an explicit environment provider (tests).
    pub fn load_from(file: Option<&Path>, env: Env) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        match file {
            Some(path) => {
                if !path.exists() {
                    return Err(ConfigError::new(
                        "--config",
                        format!("the file `{}` does not exist", path.display()),
                    ));
                }
                figment = figment.merge(Toml::file_exact(path));
            }
            None => figment = figment.merge(Toml::file(DEFAULT_FILE)),
        }
        figment.merge(env).extract().map_err(|error| {
            let key = error.path.join(".");
            let problem = match &error.kind {
                figment::error::Kind::UnknownField(field, allowed) => {
                    format!("unknown key `{field}`; allowed: {}", allowed.join(", "))
                }
                other => other.to_string(),
            };
            // Figment's path usually ends with the unknown field already; add it only when not.
            let key = match &error.kind {
                figment::error::Kind::UnknownField(field, _)
                    if error.path.last() != Some(field) =>
                {
                    if key.is_empty() {
                        field.clone()
                    } else {
                        format!("{key}.{field}")
                    }
                }
                _ => key,
            };
            ConfigError::new(if key.is_empty() { "(file)" } else { &key }, problem)
        })
    }

    /// Validates `[dms]` and `[iam]` and builds the DMS client configuration.
    pub fn dms_client_config(&self) -> Result<ClientConfig, ConfigError> {
        client_config(&self.dms, &self.iam)
    }

    /// Validates the `[[connections]]` entry `name` and builds its client configuration.
    pub fn connection_client_config(&self, name: &str) -> Result<ClientConfig, ConfigError> {
        let connection = self
            .connections
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| {
                ConfigError::new("connections", format!("no connection named `{name}`"))
            })?;
        client_config(&connection.dms, &connection.iam).map_err(|mut error| {
            error.key = format!("connections.{name}.{}", error.key);
            error
        })
    }
}

/// Validates one pair of `[dms]`/`[iam]`-shaped sections and builds a client configuration.
pub fn client_config(
    dms: &DmsSettings,
    iam_settings: &IamSettings,
) -> Result<ClientConfig, ConfigError> {
    {
        let region = dms
            .region
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        if let Some(region) = region
            && !region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(ConfigError::new(
                "dms.region",
                format!(
                    "`{region}` is not a region id (lower-case letters, digits and `-`, e.g. cn-north-4)"
                ),
            ));
        }
        let endpoint = match (dms.endpoint.as_deref(), region) {
            (Some(endpoint), _) => parse_endpoint("dms.endpoint", endpoint)?,
            (None, Some(region)) => match regions::dms_endpoint(region) {
                Some(endpoint) => parse_endpoint("dms.endpoint", endpoint)?,
                // Like the SDK's region table: an unknown region is refused rather than
                // guessed, since a typo would otherwise send signed requests to a made-up host.
                None => {
                    return Err(ConfigError::new(
                        "dms.region",
                        format!(
                            "unknown region `{region}`; known: {}; or set dms.endpoint",
                            regions::all()
                                .map(|(id, _)| id)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
            },
            (None, None) => {
                return Err(ConfigError::new(
                    "dms.region",
                    format!(
                        "missing; set a region (one of: {}) or dms.endpoint",
                        regions::all()
                            .map(|(id, _)| id)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        };
        let project_id = match dms
            .project_id
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(id)
                if id.len() <= 64
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                Some(id.to_owned())
            }
            Some(id) => {
                return Err(ConfigError::new(
                    "dms.project_id",
                    format!(
                        "`{id}` is not a project id (letters, digits, `-` and `_`, usually 32 hexadecimal characters)"
                    ),
                ));
            }
            None => None,
        };
        let engine: Engine = dms
            .engine
            .parse()
            .map_err(|e: String| ConfigError::new("dms.engine", e))?;

        let secret_key = secret_from(
            "dms.secret_key",
            dms.secret_key.as_ref(),
            dms.secret_key_file.as_deref(),
        )?;
        let security_token = secret_from(
            "dms.security_token",
            dms.security_token.as_ref(),
            dms.security_token_file.as_deref(),
        )?;
        let password = secret_from(
            "iam.password",
            iam_settings.password.as_ref(),
            iam_settings.password_file.as_deref(),
        )?;

        let credentials = match (
            dms.access_key.as_deref().filter(|a| !a.is_empty()),
            secret_key,
        ) {
            (Some(access_key), Some(secret_key)) => {
                if project_id.is_none() {
                    return Err(ConfigError::new(
                        "dms.project_id",
                        "missing; AK/SK calls need the IAM project id of the region",
                    ));
                }
                Credentials::AccessKey {
                    access_key: access_key.to_owned(),
                    secret_key,
                    security_token,
                }
            }
            (Some(_), None) => {
                return Err(ConfigError::new(
                    "dms.secret_key",
                    "missing; dms.access_key is set, so the secret key is needed too (or dms.secret_key_file)",
                ));
            }
            (None, Some(_)) => {
                return Err(ConfigError::new(
                    "dms.access_key",
                    "missing; dms.secret_key is set, so the access key id is needed too",
                ));
            }
            (None, None) => {
                let iam = iam_settings;
                match (iam.user.as_deref(), password) {
                    (Some(user), Some(password)) => {
                        let domain = iam.domain.clone().filter(|d| !d.is_empty()).ok_or_else(|| {
                            ConfigError::new("iam.domain", "missing; the account name that owns the IAM user is needed with iam.user")
                        })?;
                        let iam_endpoint = match (iam.endpoint.as_deref(), region) {
                            (Some(endpoint), _) => parse_endpoint("iam.endpoint", endpoint)?,
                            (None, Some(region)) => parse_endpoint(
                                "iam.endpoint",
                                &regions::iam_endpoint(region).unwrap_or_else(|| {
                                    format!("https://iam.{region}.myhuaweicloud.com")
                                }),
                            )?,
                            (None, None) => {
                                return Err(ConfigError::new(
                                    "iam.endpoint",
                                    "missing; set dms.region or iam.endpoint",
                                ));
                            }
                        };
                        let project_name = iam.project.clone().or_else(|| region.map(str::to_owned)).ok_or_else(|| {
                            ConfigError::new("iam.project", "missing; set the project name (usually the region id) or dms.region")
                        })?;
                        Credentials::IamPassword(IamPassword {
                            endpoint: iam_endpoint,
                            domain,
                            user: user.to_owned(),
                            password,
                            project_name,
                            renew_before: Duration::from_secs(15 * 60),
                        })
                    }
                    (Some(_), None) => {
                        return Err(ConfigError::new(
                            "iam.password",
                            "missing; iam.user is set, so its password is needed (or iam.password_file)",
                        ));
                    }
                    (None, Some(_)) => {
                        return Err(ConfigError::new(
                            "iam.user",
                            "missing; iam.password is set, so the user name is needed",
                        ));
                    }
                    (None, None) => {
                        return Err(ConfigError::new(
                            "dms.access_key",
                            "no credentials; set dms.access_key and dms.secret_key, or iam.domain, iam.user and iam.password",
                        ));
                    }
                }
            }
        };

        let timeout = |key: &str, millis: u64| {
            if (1..=600_000).contains(&millis) {
                Ok(Duration::from_millis(millis))
            } else {
                Err(ConfigError::new(
                    key,
                    format!("{millis} is out of range; allowed: 1 to 600000 milliseconds"),
                ))
            }
        };
        let mut config = ClientConfig::new(endpoint, project_id, credentials);
        config.engine = engine;
        config.timeouts = Timeouts {
            connect: timeout("dms.connect_timeout_ms", dms.connect_timeout_ms)?,
            read: timeout("dms.read_timeout_ms", dms.read_timeout_ms)?,
            mutation: timeout("dms.mutation_timeout_ms", dms.mutation_timeout_ms)?,
        };
        if dms.read_retries > 5 {
            return Err(ConfigError::new(
                "dms.read_retries",
                format!("{} is out of range; allowed: 0 to 5", dms.read_retries),
            ));
        }
        config.retry.max_read_retries = dms.read_retries;
        if dms.max_response_bytes < 1024 {
            return Err(ConfigError::new(
                "dms.max_response_bytes",
                "must be at least 1024",
            ));
        }
        config.max_response_bytes = dms.max_response_bytes;
        Ok(config)
    }
}

fn parse_endpoint(key: &str, value: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(value.trim()).map_err(|e| {
        ConfigError::new(key, format!("`{value}` is not a URL ({e}); expected e.g. https://dms.cn-north-4.myhuaweicloud.com"))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ConfigError::new(
            key,
            format!("`{value}` must be an http or https URL with a host"),
        ));
    }
    if url.path() != "/" && !url.path().is_empty() || url.query().is_some() {
        return Err(ConfigError::new(
            key,
            format!("`{value}` must not have a path or query; give scheme, host and port only"),
        ));
    }
    Ok(url)
}

/// A secret given inline (`key`) or in a file (`key_file`), not both; `None` when neither is.
pub fn secret_from(
    key: &str,
    inline: Option<&Secret>,
    file: Option<&Path>,
) -> Result<Option<Secret>, ConfigError> {
    match (inline.filter(|s| !s.is_empty()), file) {
        (Some(_), Some(_)) => Err(ConfigError::new(
            key,
            format!("set either {key} or {key}_file, not both"),
        )),
        (Some(secret), None) => Ok(Some(secret.clone())),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                ConfigError::new(
                    &format!("{key}_file"),
                    format!("cannot read `{}`: {e}", path.display()),
                )
            })?;
            let trimmed = text.trim_end_matches(['\n', '\r']);
            if trimmed.is_empty() {
                return Err(ConfigError::new(
                    &format!("{key}_file"),
                    format!("`{}` is empty", path.display()),
                ));
            }
            Ok(Some(Secret::new(trimmed)))
        }
        (None, None) => Ok(None),
    }
}
