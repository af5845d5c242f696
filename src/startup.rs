//! Building and running the console: settings → state → the actix server with its middleware
//! and the route table. Tests call [`ConsoleApp::build`] with port 0.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use actix_session::SessionMiddleware;
use actix_session::config::{BrowserSession, TtlExtensionPolicy};
use actix_web::cookie::SameSite;
use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};

use crate::api::CallObserver;
use crate::config::{ConfigError, Settings};
use crate::web::audit::Audit;
use crate::web::crypto::ServerKey;
use crate::web::hosts::{self, AllowedHosts};
use crate::web::ledger::Ledger;
use crate::web::masking::MessagePolicies;
use crate::web::metrics::Metrics;
use crate::web::oidc::pending::PendingSignIns;
use crate::web::oidc::provider::{Provider, ProviderSettings};
use crate::web::oidc::{GroupMap, GroupRule, Oidc};
use crate::web::ratelimit::RateLimiter;
use crate::web::rbac::Role;
use crate::web::session_store::{MemoryStore, RedisStore, Store};
use crate::web::shared::{Backend, Redis};
use crate::web::state::{Account, AppState, EnvColour, Environment};
use crate::web::throttle::Throttle;
use crate::web::{htmx, limits, metrics, middleware, routes};

/// A console that listens.
pub struct ConsoleApp {
    /// The bound address.
    pub addr: SocketAddr,
    server: Server,
}

fn config_error(key: &str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.to_owned(),
        problem: problem.into(),
    }
}

/// Reads the server key from `session.key` or `session.key_file`.
pub fn server_key(settings: &Settings) -> Result<ServerKey, ConfigError> {
    let text = match (&settings.session.key, &settings.session.key_file) {
        (Some(key), None) => key.expose().to_owned(),
        (None, Some(path)) => std::fs::read_to_string(path).map_err(|e| {
            config_error(
                "session.key_file",
                format!("cannot read `{}`: {e}", path.display()),
            )
        })?,
        (Some(_), Some(_)) => {
            return Err(config_error(
                "session.key",
                "set either session.key or session.key_file, not both",
            ));
        }
        (None, None) => {
            return Err(config_error(
                "session.key",
                "missing; set 128 hexadecimal characters (e.g. the output of `dms-console generate-key`), the same on every replica",
            ));
        }
    };
    ServerKey::from_hex(&text).map_err(|e| config_error("session.key", e))
}

/// Parses `server.public_url`, which a console behind a TLS proxy must have: the proxy
/// forwards the `Host` the browser sent, and only this setting says which one is right.
fn public_url(settings: &Settings) -> Result<Option<url::Url>, ConfigError> {
    let key = "server.public_url";
    let Some(text) = &settings.server.public_url else {
        if settings.server.behind_tls_proxy {
            return Err(config_error(
                key,
                "missing; needed with server.behind_tls_proxy = true: the URL users open, e.g. https://console.example.com",
            ));
        }
        return Ok(None);
    };
    let url = url::Url::parse(text).map_err(|e| config_error(key, format!("`{text}`: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(config_error(
            key,
            format!("`{text}` is not an http:// or https:// URL with a host"),
        ));
    }
    Ok(Some(url))
}

/// Validates `[oidc]` and builds single sign-on, when `oidc.issuer` is set.
fn oidc(
    settings: &Settings,
    public_url: &Option<url::Url>,
    connections: &HashMap<String, crate::api::ClientConfig>,
    backend: &Backend,
    key: &ServerKey,
    http: &reqwest::Client,
) -> Result<Option<Oidc>, ConfigError> {
    let oidc = &settings.oidc;
    let Some(issuer) = oidc
        .issuer
        .as_deref()
        .map(str::trim)
        .filter(|i| !i.is_empty())
    else {
        return Ok(None);
    };
    let issuer = openidconnect::IssuerUrl::new(issuer.to_owned())
        .map_err(|e| config_error("oidc.issuer", format!("`{issuer}`: {e}")))?;
    if !matches!(issuer.url().scheme(), "https" | "http") {
        return Err(config_error("oidc.issuer", "must be an https:// URL"));
    }
    if oidc.client_id.trim().is_empty() {
        return Err(config_error(
            "oidc.client_id",
            "missing; the console's client id at the provider",
        ));
    }
    let client_secret = crate::config::secret_from(
        "oidc.client_secret",
        oidc.client_secret.as_ref(),
        oidc.client_secret_file.as_deref(),
    )?
    .ok_or_else(|| {
        config_error(
            "oidc.client_secret",
            "missing; set oidc.client_secret_file (or oidc.client_secret)",
        )
    })?;
    let redirect = match (&oidc.redirect_url, public_url) {
        (Some(url), _) => url.clone(),
        (None, Some(public)) => format!(
            "{}/login/oidc/callback",
            public.as_str().trim_end_matches('/')
        ),
        (None, None) => {
            return Err(config_error(
                "oidc.redirect_url",
                "missing; set it (e.g. https://console.example.com/login/oidc/callback) or server.public_url",
            ));
        }
    };
    let redirect_url = openidconnect::RedirectUrl::new(redirect.clone())
        .map_err(|e| config_error("oidc.redirect_url", format!("`{redirect}`: {e}")))?;
    let mut rules = Vec::new();
    for (n, mapping) in oidc.groups.iter().enumerate() {
        let key = format!("oidc.groups[{n}]");
        if mapping.group.trim().is_empty() {
            return Err(config_error(&format!("{key}.group"), "missing"));
        }
        let role: Role = mapping
            .role
            .parse()
            .map_err(|e: String| config_error(&format!("{key}.role"), e))?;
        if mapping.connections.is_empty() {
            return Err(config_error(
                &format!("{key}.connections"),
                "name at least one [[connections]] entry",
            ));
        }
        for connection in &mapping.connections {
            if !connections.contains_key(connection) {
                return Err(config_error(
                    &format!("{key}.connections"),
                    format!("no [[connections]] entry is named `{connection}`"),
                ));
            }
        }
        rules.push(GroupRule {
            group: mapping.group.clone(),
            role,
            connections: mapping.connections.clone(),
        });
    }
    if rules.is_empty() {
        return Err(config_error(
            "oidc.groups",
            "missing; map at least one group to a role and connections ([[oidc.groups]])",
        ));
    }
    let mut scopes: Vec<String> = oidc
        .scopes
        .iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty() && s != "openid")
        .collect();
    scopes.dedup();
    let provider = Provider::new(
        ProviderSettings {
            name: oidc.provider_name.trim().to_owned(),
            issuer,
            client_id: oidc.client_id.trim().to_owned(),
            client_secret,
            redirect_url,
            scopes,
            groups_claim: oidc.groups_claim.clone(),
            username_claim: oidc.username_claim.clone(),
        },
        http.clone(),
    );
    let pending = match backend {
        Backend::Memory => PendingSignIns::in_memory(),
        Backend::Redis(redis) => PendingSignIns::in_redis(redis.clone(), key.clone()),
    };
    Ok(Some(Oidc {
        provider,
        groups: GroupMap { rules },
        pending,
    }))
}

/// Builds the shared state from `settings`.
pub fn build_state(settings: &Settings, key: ServerKey) -> Result<AppState, ConfigError> {
    crate::allocator::tune();
    let metrics = Arc::new(Metrics::default());
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_millis(
            settings.dms.connect_timeout_ms.max(1),
        ))
        .user_agent(crate::api::client::USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(32)
        .build()
        .map_err(|e| config_error("dms", format!("cannot build the HTTP client: {e}")))?;
    let observer = {
        let metrics = metrics.clone();
        CallObserver(Arc::new(move |operation, outcome, elapsed| {
            metrics.upstream(operation, outcome, elapsed)
        }))
    };

    let environment = |key: String, label: &Option<String>, colour: &Option<String>| {
        let Some(label) = label.as_ref().map(|l| l.trim()).filter(|l| !l.is_empty()) else {
            return Ok(None);
        };
        let colour = EnvColour::parse(colour.as_deref().unwrap_or_default())
            .map_err(|e| config_error(&key, e))?;
        Ok::<_, ConfigError>(Some(Environment {
            label: label.to_owned(),
            colour,
        }))
    };
    let mut connections = HashMap::new();
    let mut environments = HashMap::new();
    for connection in &settings.connections {
        let mut config = settings.connection_client_config(&connection.name)?;
        config.observer = Some(observer.clone());
        connections.insert(connection.name.clone(), config);
        if let Some(env) = environment(
            format!("connections.{}.environment_colour", connection.name),
            &connection.environment,
            &connection.environment_colour,
        )? {
            environments.insert(connection.name.clone(), env);
        }
    }
    let cloud_environment = environment(
        "auth.environment_colour".to_owned(),
        &settings.auth.environment,
        &settings.auth.environment_colour,
    )?;
    let mut accounts = Vec::new();
    for account in &settings.accounts {
        let role: Role = account
            .role
            .parse()
            .map_err(|e: String| config_error(&format!("accounts.{}.role", account.name), e))?;
        if !connections.contains_key(&account.connection) {
            return Err(config_error(
                &format!("accounts.{}.connection", account.name),
                format!("no [[connections]] entry is named `{}`", account.connection),
            ));
        }
        if let Some(unknown) = account
            .also_reads
            .iter()
            .find(|name| !connections.contains_key(*name))
        {
            return Err(config_error(
                &format!("accounts.{}.also_reads", account.name),
                format!("no [[connections]] entry is named `{unknown}`"),
            ));
        }
        if !account.password_hash.starts_with("$argon2") {
            return Err(config_error(
                &format!("accounts.{}.password_hash", account.name),
                "must be an argon2 PHC hash from `dms-console hash-password`",
            ));
        }
        accounts.push(Account {
            name: account.name.clone(),
            password_hash: account.password_hash.clone(),
            role,
            connection: account.connection.clone(),
            also_reads: account.also_reads.clone(),
        });
    }
    let cloud_role: Role = settings
        .auth
        .role
        .parse()
        .map_err(|e: String| config_error("auth.role", e))?;
    let server_connection = if settings.dms.region.is_some() || settings.dms.endpoint.is_some() {
        let mut config = settings.dms_client_config()?;
        config.observer = Some(observer.clone());
        Some(
            crate::api::DmsClient::with_http(config, http.clone())
                .map_err(|e| config_error("dms.endpoint", e.to_string()))?,
        )
    } else {
        None
    };
    let session = &settings.session;
    let absolute = Duration::from_secs(match session.absolute_timeout_seconds {
        Some(seconds) => seconds.max(1),
        None => session.absolute_timeout_hours.max(1) * 3600,
    });
    let idle = Duration::from_secs(match session.idle_timeout_seconds {
        Some(seconds) => seconds.max(1),
        None => session.idle_timeout_minutes.max(1) * 60,
    });
    if idle > absolute {
        return Err(config_error(
            if session.idle_timeout_seconds.is_some() {
                "session.idle_timeout_seconds"
            } else {
                "session.idle_timeout_minutes"
            },
            "the idle timeout must not exceed the absolute timeout",
        ));
    }
    let backend = match settings.session.backend.as_str() {
        "memory" => Backend::Memory,
        "redis" => {
            let url = settings.session.redis_url.as_deref().ok_or_else(|| {
                config_error(
                    "session.redis_url",
                    "missing; needed with session.backend = \"redis\"",
                )
            })?;
            let prefix = settings.session.redis_key_prefix.trim();
            if prefix.is_empty() || prefix.contains(char::is_whitespace) {
                return Err(config_error(
                    "session.redis_key_prefix",
                    "must be a word without spaces, e.g. dms-console",
                ));
            }
            let timeout = Duration::from_millis(settings.session.redis_timeout_ms.max(1));
            Backend::Redis(
                Redis::new(url, prefix, timeout)
                    .map_err(|e| config_error("session.redis_url", e))?,
            )
        }
        other => {
            return Err(config_error(
                "session.backend",
                format!("`{other}` is not a backend; allowed: memory, redis"),
            ));
        }
    };
    let max_per_user = settings.session.max_per_user;
    let max_failures = settings.auth.max_failures.max(1);
    let failure_window = Duration::from_secs(settings.auth.failure_window_seconds.max(1));
    let (store, throttle, ledger, limits) = match &backend {
        Backend::Memory => (
            Store::Memory(MemoryStore::new(absolute, max_per_user)),
            Throttle::in_memory(max_failures, failure_window),
            Ledger::in_memory(),
            RateLimiter::in_memory(),
        ),
        Backend::Redis(redis) => (
            Store::Redis(RedisStore::new(redis.clone(), absolute, max_per_user)),
            Throttle::in_redis(redis.clone(), max_failures, failure_window),
            Ledger::in_redis(redis.clone()),
            RateLimiter::in_redis(redis.clone()),
        ),
    };
    let public_url = public_url(settings)?;
    let oidc = oidc(settings, &public_url, &connections, &backend, &key, &http)?;
    let audit = Audit::open(&settings.audit.url).map_err(|e| config_error("audit.url", e.0))?;
    let connection_names: Vec<String> = settings
        .connections
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let messages = MessagePolicies::from_settings(&settings.messages, &connection_names)?;
    Ok(AppState {
        key,
        auth: settings.auth.clone(),
        cloud_role,
        accounts,
        connections,
        environments,
        cloud_environment,
        server_connection,
        http,
        throttle,
        store,
        secure_cookies: settings.server.behind_tls_proxy,
        public_url,
        idle_timeout: idle,
        metrics,
        audit,
        ledger,
        limits,
        oidc,
        max_sessions_per_user: max_per_user,
        budgets: Default::default(),
        lists: Default::default(),
        messages,
        started: std::time::Instant::now(),
    })
}

impl ConsoleApp {
    /// Binds `settings.server.listen` and prepares the server.
    pub fn build(settings: &Settings, state: AppState) -> Result<Self, std::io::Error> {
        let listener = std::net::TcpListener::bind(&settings.server.listen)?;
        let addr = listener.local_addr()?;
        let key = state.key.cookie_key();
        let cookie_name = state.session_cookie().to_owned();
        let secure = state.secure_cookies;
        let idle = state.idle_timeout;
        let store = state.store.clone();
        let metrics = web::Data::from(state.metrics.clone());
        let exposure = web::Data::new(crate::web::peer::Exposure {
            behind_tls_proxy: state.secure_cookies,
        });
        let allowed_hosts = web::Data::new(AllowedHosts::new(state.public_url.as_ref(), addr));
        let state = web::Data::new(state);
        let workers = settings.server.workers;
        let mut server = HttpServer::new(move || {
            let session = SessionMiddleware::builder(store.clone(), key.clone())
                .cookie_name(cookie_name.clone())
                .cookie_secure(secure)
                .cookie_http_only(true)
                .cookie_same_site(SameSite::Lax)
                .cookie_path("/".to_owned())
                .session_lifecycle(
                    BrowserSession::default()
                        .state_ttl(actix_web::cookie::time::Duration::seconds(
                            idle.as_secs() as i64
                        ))
                        .state_ttl_extension_policy(TtlExtensionPolicy::OnEveryRequest),
                )
                .build();
            // Listed innermost first: actix runs the last `wrap` first.
            App::new()
                .app_data(state.clone())
                .app_data(metrics.clone())
                .app_data(exposure.clone())
                .app_data(allowed_hosts.clone())
                .configure(routes::configure)
                .wrap(from_fn(routes::permissions))
                .wrap(from_fn(middleware::csrf))
                .wrap(from_fn(htmx::answer_errors))
                .wrap(session)
                .wrap(from_fn(middleware::session_store_errors))
                .wrap(from_fn(hosts::check))
                .wrap(from_fn(limits::check))
                .wrap(from_fn(middleware::security_headers))
                .wrap(from_fn(metrics::record))
        })
        .listen(listener)?
        .disable_signals();
        if let Some(workers) = workers {
            server = server.workers(workers.max(1));
        }
        Ok(Self {
            addr,
            server: server.run(),
        })
    }

    /// A handle to stop the server.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
