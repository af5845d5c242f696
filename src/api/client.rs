//! `DmsClient`: the only code that sends requests to DMS.
//!
//! It renders a [`Call`] into an HTTP request, authenticates it (SDK-HMAC-SHA256 signature or
//! `X-Auth-Token`), applies the timeouts, caps the response size, turns error responses into
//! [`ApiError`] and repeats a failed attempt only when the call's [`RetryPolicy`] allows it.
//! The operation methods themselves live in `ops`, one file per chapter of the API reference.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use rand::Rng;
use serde::de::DeserializeOwned;
use tokio::sync::OnceCell;
use url::Url;

use super::auth::{Credentials, TokenCache};
use super::error::{ApiError, ErrorKind, FLOW_CONTROL_CODE, parse_error_body};
use super::request::{Call, Engine, Method, RetryPolicy};
use crate::signing::{self, SdkDate, SignableRequest};

/// The `User-Agent` the client sends (and signs).
pub const USER_AGENT: &str = concat!("dms-console/", env!("CARGO_PKG_VERSION"));

/// Timeouts of one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Opening the connection (TCP and TLS).
    pub connect: Duration,
    /// A whole read attempt, response body included.
    pub read: Duration,
    /// A whole mutation attempt, response body included.
    pub mutation: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(3),
            read: Duration::from_secs(10),
            mutation: Duration::from_secs(30),
        }
    }
}

/// How reads are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrySettings {
    /// Retries after the first attempt of a read.
    pub max_read_retries: u32,
    /// The first backoff; doubled per retry, with full jitter.
    pub base_backoff: Duration,
    /// The largest backoff.
    pub max_backoff: Duration,
    /// The longest `Retry-After` the client waits for; a longer one fails the call with
    /// `retry_after` set, so the caller can tell the user.
    pub max_retry_after: Duration,
}

impl Default for RetrySettings {
    fn default() -> Self {
        Self {
            max_read_retries: 2,
            base_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(10),
        }
    }
}

/// Told about every finished call: the operation, its outcome (`ok` or an error kind) and
/// how long it took, retries included. The console feeds its metrics with it.
#[derive(Clone)]
pub struct CallObserver(pub Arc<dyn Fn(&'static str, &'static str, Duration) + Send + Sync>);

impl std::fmt::Debug for CallObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CallObserver")
    }
}

/// Everything a [`DmsClient`] needs.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The DMS endpoint, e.g. `https://dms.cn-north-4.myhuaweicloud.com` or the emulator's URL.
    pub endpoint: Url,
    /// The project id; with an IAM password it may be left out and taken from the token.
    pub project_id: Option<String>,
    /// The engine segment used in engine-prefixed paths.
    pub engine: Engine,
    /// How to authenticate.
    pub credentials: Credentials,
    /// Timeouts.
    pub timeouts: Timeouts,
    /// Read retries.
    pub retry: RetrySettings,
    /// The largest response body accepted, in bytes.
    pub max_response_bytes: usize,
    /// Told about every finished call.
    pub observer: Option<CallObserver>,
}

impl ClientConfig {
    /// A configuration with default timeouts, retries and limits.
    pub fn new(endpoint: Url, project_id: Option<String>, credentials: Credentials) -> Self {
        Self {
            endpoint,
            project_id,
            engine: Engine::Rocketmq,
            credentials,
            timeouts: Timeouts::default(),
            retry: RetrySettings::default(),
            max_response_bytes: 8 * 1024 * 1024,
            observer: None,
        }
    }
}

/// A successful response: the decoded value and what DMS said about the request.
#[derive(Debug, Clone)]
pub struct Reply<T> {
    /// The decoded body.
    pub value: T,
    /// The HTTP status.
    pub status: u16,
    /// The `X-Request-Id`, for audit records and support.
    pub request_id: Option<String>,
}

impl<T> Reply<T> {
    /// The decoded body.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// Maps the value, keeping status and request id.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Reply<U> {
        Reply {
            value: f(self.value),
            status: self.status,
            request_id: self.request_id,
        }
    }
}

impl<T> std::ops::Deref for Reply<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// Any response, successful or not, as the raw `api` command shows it.
#[derive(Debug, Clone)]
pub struct RawReply {
    /// The HTTP status.
    pub status: u16,
    /// The `X-Request-Id`.
    pub request_id: Option<String>,
    /// The error code of an error body.
    pub error_code: Option<String>,
    /// The body bytes.
    pub body: Bytes,
}

/// A typed client of the DMS for RocketMQ REST API. Cheap to clone.
#[derive(Debug, Clone)]
pub struct DmsClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    config: ClientConfig,
    host: String,
    tokens: Option<TokenCache>,
    project_id: OnceCell<String>,
}

/// One attempt's failure, before the retry decision.
struct AttemptError {
    error: ApiError,
    /// The connection never opened, so nothing reached DMS.
    connect_failed: bool,
}

impl DmsClient {
    /// A client for `config`. Fails when the endpoint has no host.
    pub fn new(config: ClientConfig) -> Result<Self, ApiError> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.timeouts.connect)
            .user_agent(USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| {
                ApiError::local(
                    "Client",
                    ErrorKind::Request,
                    format!("could not build the HTTP client: {e}"),
                )
            })?;
        Self::with_http(config, http)
    }

    /// A client that sends through `http` (shared connection pools, tests).
    pub fn with_http(config: ClientConfig, http: reqwest::Client) -> Result<Self, ApiError> {
        let host = host_of(&config.endpoint).ok_or_else(|| {
            ApiError::local(
                "Client",
                ErrorKind::Request,
                format!("the DMS endpoint `{}` has no host", config.endpoint),
            )
        })?;
        let tokens = match &config.credentials {
            Credentials::IamPassword(iam) => Some(TokenCache::new(iam.clone())),
            _ => None,
        };
        let project_id = OnceCell::new();
        if let Some(id) = &config.project_id {
            project_id.set(id.clone()).expect("a new cell is empty");
        }
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                config,
                host,
                tokens,
                project_id,
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The project id, asking IAM for a token first when it comes from there.
    pub async fn project_id(&self) -> Result<String, ApiError> {
        if let Some(id) = self.inner.project_id.get() {
            return Ok(id.clone());
        }
        match &self.inner.tokens {
            Some(tokens) => {
                let token = tokens
                    .token(
                        &self.inner.http,
                        self.inner.config.timeouts.read,
                        SdkDate::now(),
                    )
                    .await?;
                let id = token.project_id.ok_or_else(|| {
                    ApiError::local(
                        "Client",
                        ErrorKind::Request,
                        "IAM did not say which project the token is for; set dms.project_id",
                    )
                })?;
                Ok(self
                    .inner
                    .project_id
                    .get_or_init(|| async { id })
                    .await
                    .clone())
            }
            None => Err(ApiError::local(
                "Client",
                ErrorKind::Request,
                "no project id is configured; set dms.project_id to the IAM project id of the region",
            )),
        }
    }

    /// Sends `call` and decodes a JSON body into `T`. An empty body decodes as `null` or, failing
    /// that, as `{}`, so options and models that default every field accept a 204.
    pub async fn send<T: DeserializeOwned>(&self, call: Call) -> Result<Reply<T>, ApiError> {
        let (operation, is_mutation) = (call.operation, call.retry.is_mutation());
        let reply = self.execute(call).await?;
        let body: &[u8] = if reply.value.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &reply.value
        };
        match serde_json::from_slice::<T>(body) {
            Ok(value) => Ok(Reply {
                value,
                status: reply.status,
                request_id: reply.request_id,
            }),
            Err(e) => Err(unreadable(operation, is_mutation, reply, e)),
        }
    }

    /// Sends `call` and ignores the body (204 and bodies the caller does not need). A body
    /// that is not JSON at all (a gateway's HTML page) is not DMS's answer, so it is an error
    /// like an undecodable one.
    pub async fn send_empty(&self, call: Call) -> Result<Reply<()>, ApiError> {
        let (operation, is_mutation) = (call.operation, call.retry.is_mutation());
        let reply = self.execute(call).await?;
        if !reply.value.iter().all(u8::is_ascii_whitespace)
            && let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&reply.value)
        {
            return Err(unreadable(operation, is_mutation, reply, e));
        }
        Ok(reply.map(|_| ()))
    }

    /// Sends `call` with its retry policy; a non-2xx status is an error.
    pub async fn execute(&self, call: Call) -> Result<Reply<Bytes>, ApiError> {
        let operation = call.operation;
        let started = std::time::Instant::now();
        let result = self.execute_with_retries(call).await;
        if let Some(observer) = &self.inner.config.observer {
            let outcome = match &result {
                Ok(_) => "ok",
                Err(error) => error.kind.as_str(),
            };
            (observer.0)(operation, outcome, started.elapsed());
        }
        result
    }

    async fn execute_with_retries(&self, call: Call) -> Result<Reply<Bytes>, ApiError> {
        let project_id = if call.path.needs_project() {
            self.project_id().await?
        } else {
            String::new()
        };
        let path = call.path.render(&project_id, self.inner.config.engine);
        let query = call.query.pairs().to_vec();
        let mut attempt: u32 = 0;
        let mut token_refreshed = false;
        loop {
            attempt += 1;
            let result = self.attempt(&call, &path, &query, &project_id).await;
            let (failure, status) = match result {
                Ok((status, request_id, body)) if (200..300).contains(&status) => {
                    return Ok(Reply {
                        value: body,
                        status,
                        request_id,
                    });
                }
                Ok((status, request_id, body)) => {
                    let (code, message) = parse_error_body(&body);
                    let message = message
                        .unwrap_or_else(|| format!("HTTP {status} without an error message"));
                    let error =
                        ApiError::from_response(call.operation, status, code, message, request_id);
                    (
                        AttemptError {
                            error,
                            connect_failed: false,
                        },
                        Some(status),
                    )
                }
                Err(failure) => {
                    let status = failure.error.status;
                    (failure, status)
                }
            };
            let mut error = failure.error;
            error.attempts = attempt;

            // A refused token did nothing on the server: fetch a fresh one and try once more.
            if error.kind == ErrorKind::Auth
                && status == Some(401)
                && !token_refreshed
                && let Some(tokens) = &self.inner.tokens
            {
                tokens.invalidate().await;
                token_refreshed = true;
                attempt -= 1;
                continue;
            }

            match self.retry_delay(call.retry, attempt, &error, status, failure.connect_failed) {
                Some(delay) => {
                    tracing::debug!(
                        dms.operation = call.operation,
                        attempt,
                        delay_ms = delay.as_millis() as u64,
                        error = %error,
                        "retrying DMS call"
                    );
                    tokio::time::sleep(delay).await;
                }
                None => {
                    // A mutation that was sent but not answered, or answered 2xx with a body
                    // that was cut or too large, may have been carried out.
                    let answered_2xx = matches!(status, Some(200..=299));
                    if error.kind == ErrorKind::Transport
                        && call.retry.is_mutation()
                        && !failure.connect_failed
                        && (status.is_none() || answered_2xx)
                    {
                        error.outcome_unknown = true;
                        if answered_2xx {
                            error.message = format!(
                                "DMS answered HTTP {} but the answer could not be read ({})",
                                status.unwrap_or_default(),
                                error.message
                            );
                        }
                    }
                    return Err(error);
                }
            }
        }
    }

    /// Whether and after how long to repeat a failed attempt.
    fn retry_delay(
        &self,
        policy: RetryPolicy,
        attempt: u32,
        error: &ApiError,
        status: Option<u16>,
        connect_failed: bool,
    ) -> Option<Duration> {
        let settings = &self.inner.config.retry;
        let retryable = match policy {
            RetryPolicy::Never => false,
            RetryPolicy::ConnectOnce => attempt < 2 && connect_failed,
            RetryPolicy::IdempotentOnce => {
                attempt < 2 && (connect_failed || matches!(status, Some(502 | 504)))
            }
            RetryPolicy::Read => {
                attempt <= settings.max_read_retries
                    && (connect_failed
                        || matches!(status, Some(502 | 504 | 429))
                        || error.code.as_deref() == Some(FLOW_CONTROL_CODE))
            }
        };
        if !retryable {
            return None;
        }
        if let Some(wait) = error.retry_after {
            return (wait <= settings.max_retry_after).then_some(wait);
        }
        let exponential = settings
            .base_backoff
            .saturating_mul(1 << (attempt - 1).min(16));
        let ceiling = exponential.min(settings.max_backoff);
        let jittered = rand::rng().random_range(ceiling / 2..=ceiling);
        Some(jittered)
    }

    /// Adds authentication headers for one attempt.
    #[allow(clippy::too_many_arguments)]
    async fn authenticate(
        &self,
        operation: &'static str,
        method: Method,
        path: &str,
        query: &[(String, String)],
        headers: &mut Vec<(String, String)>,
        body: &[u8],
        project_id: &str,
    ) -> Result<(), ApiError> {
        match &self.inner.config.credentials {
            Credentials::AccessKey {
                access_key,
                secret_key,
                security_token,
            } => {
                if !project_id.is_empty() {
                    headers.push(("X-Project-Id".into(), project_id.to_owned()));
                } else if let Some(id) = self.inner.project_id.get() {
                    headers.push(("X-Project-Id".into(), id.clone()));
                }
                if let Some(token) = security_token {
                    headers.push(("X-Security-Token".into(), token.expose().to_owned()));
                }
                headers.push((signing::DATE_HEADER.into(), SdkDate::now().to_string()));
                let request = SignableRequest {
                    method: method.as_str(),
                    path,
                    query,
                    headers,
                    body,
                };
                let signed = signing::sign(&request, access_key, secret_key.expose().as_bytes())
                    .map_err(|e| ApiError::local(operation, ErrorKind::Request, e.to_string()))?;
                headers.extend(signed.added_headers);
                headers.push(("Authorization".into(), signed.authorization));
            }
            Credentials::Token(token) => {
                headers.push(("X-Auth-Token".into(), token.expose().to_owned()));
            }
            Credentials::IamPassword(_) => {
                let tokens = self
                    .inner
                    .tokens
                    .as_ref()
                    .expect("IAM password credentials have a token cache");
                let token = tokens
                    .token(
                        &self.inner.http,
                        self.inner.config.timeouts.read,
                        SdkDate::now(),
                    )
                    .await?;
                headers.push(("X-Auth-Token".into(), token.token.expose().to_owned()));
            }
        }
        Ok(())
    }

    /// One attempt: the status, request id and (size-capped) body, or why none arrived.
    async fn attempt(
        &self,
        call: &Call,
        path: &str,
        query: &[(String, String)],
        project_id: &str,
    ) -> Result<(u16, Option<String>, Bytes), AttemptError> {
        let body = call.body.as_deref().unwrap_or(&[]);
        self.send_raw(
            call.operation,
            call.method,
            path,
            query,
            body,
            project_id,
            call.retry.is_mutation(),
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn send_raw(
        &self,
        operation: &'static str,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: &[u8],
        project_id: &str,
        is_mutation: bool,
    ) -> Result<(u16, Option<String>, Bytes), AttemptError> {
        let local = |error: ApiError| AttemptError {
            error,
            connect_failed: false,
        };
        let mut headers = vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("Host".to_owned(), self.inner.host.clone()),
            ("User-Agent".to_owned(), USER_AGENT.to_owned()),
        ];
        self.authenticate(
            operation,
            method,
            path,
            query,
            &mut headers,
            body,
            project_id,
        )
        .await
        .map_err(local)?;

        let mut url = self.inner.config.endpoint.clone();
        let canonical_query = signing::canonical_query(query);
        // The path is already encoded; `set_path` keeps `%XX` sequences as they are.
        url.set_path(path);
        url.set_query((!canonical_query.is_empty()).then_some(canonical_query.as_str()));

        let http_method = match method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        };
        let timeout = if is_mutation {
            self.inner.config.timeouts.mutation
        } else {
            self.inner.config.timeouts.read
        };
        let mut request = self.inner.http.request(http_method, url).timeout(timeout);
        for (name, value) in &headers {
            // reqwest derives Host from the URL; sending it twice would be refused by some servers.
            if !name.eq_ignore_ascii_case("host") {
                request = request.header(name.as_str(), value.trim());
            }
        }
        if !body.is_empty() {
            request = request.body(body.to_vec());
        } else if matches!(method, Method::Post | Method::Put) {
            // As the SDK does: gateways may answer 411 to a body-less POST without a length.
            request = request
                .header(reqwest::header::CONTENT_LENGTH, "0")
                .body(Vec::new());
        }

        let started = std::time::Instant::now();
        let mut response = request.send().await.map_err(|e| {
            let connect_failed = e.is_connect();
            let what = if e.is_timeout() {
                format!("no answer within {} s", timeout.as_secs_f32())
            } else if connect_failed {
                format!(
                    "could not connect to {}: {}",
                    self.inner.host,
                    root_cause(&e)
                )
            } else {
                format!("the request failed: {}", root_cause(&e))
            };
            AttemptError {
                error: ApiError::local(operation, ErrorKind::Transport, what).with_source(e),
                connect_failed,
            }
        })?;
        let status = response.status().as_u16();
        let request_id = response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);

        let cap = self.inner.config.max_response_bytes;
        let mut buffer = bytes::BytesMut::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if buffer.len() + chunk.len() > cap {
                        let mut error = ApiError::local(
                            operation,
                            ErrorKind::Transport,
                            format!("the response is larger than the {cap}-byte limit"),
                        );
                        error.status = Some(status);
                        error.request_id = request_id;
                        return Err(local(error));
                    }
                    buffer.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    let mut error = ApiError::local(
                        operation,
                        ErrorKind::Transport,
                        format!("the response was cut short: {}", root_cause(&e)),
                    )
                    .with_source(e);
                    error.status = Some(status);
                    error.request_id = request_id;
                    return Err(local(error));
                }
            }
        }
        tracing::debug!(
            dms.operation = operation,
            http.method = method.as_str(),
            http.status = status,
            dms.request_id = request_id.as_deref().unwrap_or(""),
            duration_ms = started.elapsed().as_millis() as u64,
            "DMS call"
        );
        if let Some(wait) = retry_after
            && !(200..300).contains(&status)
        {
            // Carried to the retry decision through the error built by the caller.
            let (code, message) = parse_error_body(&buffer);
            let mut error = ApiError::from_response(
                operation,
                status,
                code,
                message.unwrap_or_else(|| format!("HTTP {status}")),
                request_id,
            );
            error.retry_after = Some(wait);
            return Err(AttemptError {
                error,
                connect_failed: false,
            });
        }
        Ok((status, request_id, buffer.freeze()))
    }

    /// One request exactly as given, for the `api` command: `path` may be raw or
    /// percent-encoded and may contain `{project_id}`; every segment is re-encoded the way the
    /// official SDK encodes path parameters. Never retried. Any status is returned.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&[u8]>,
    ) -> Result<RawReply, ApiError> {
        const OPERATION: &str = "RawApiCall";
        let project_id = if path.contains("{project_id}") {
            self.project_id().await?
        } else {
            String::new()
        };
        let path = encode_raw_path(path, &project_id);
        let result = self
            .send_raw(
                OPERATION,
                method,
                &path,
                query,
                body.unwrap_or(&[]),
                &project_id,
                method != Method::Get,
            )
            .await;
        match result {
            Ok((status, request_id, body)) => {
                let error_code = if (200..300).contains(&status) {
                    None
                } else {
                    parse_error_body(&body).0
                };
                Ok(RawReply {
                    status,
                    request_id,
                    error_code,
                    body,
                })
            }
            Err(AttemptError { error, .. })
                if error.status.is_some() && error.retry_after.is_some() =>
            {
                Ok(RawReply {
                    status: error.status.unwrap_or_default(),
                    request_id: error.request_id,
                    error_code: error.code,
                    body: Bytes::from(error.message.into_bytes()),
                })
            }
            Err(AttemptError { error, .. }) => Err(error),
        }
    }
}

/// Re-encodes a user-typed path the way the SDK sends paths: each segment percent-decoded,
/// then encoded with only unreserved characters kept; `{project_id}` replaced.
pub fn encode_raw_path(path: &str, project_id: &str) -> String {
    let path = path.replace("{project_id}", project_id);
    let mut out = String::with_capacity(path.len() + 16);
    for (index, segment) in path.trim_start_matches('/').split('/').enumerate() {
        if index > 0 || path.starts_with('/') || !segment.is_empty() {
            out.push('/');
        }
        let decoded = signing::percent_decode(segment);
        out.push_str(&signing::encode(&String::from_utf8_lossy(&decoded)));
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// The error for a 2xx answer whose body cannot be read: a decode error, and for a mutation
/// an unknown outcome, because DMS accepted the request and may have carried it out.
fn unreadable(
    operation: &'static str,
    is_mutation: bool,
    reply: Reply<Bytes>,
    cause: serde_json::Error,
) -> ApiError {
    let message = if is_mutation {
        format!(
            "DMS answered HTTP {} but the answer could not be read ({cause})",
            reply.status
        )
    } else {
        format!("could not decode the response: {cause}")
    };
    let mut error = ApiError::local(operation, ErrorKind::Decode, message).with_source(cause);
    error.status = Some(reply.status);
    error.request_id = reply.request_id;
    error.outcome_unknown = is_mutation;
    error
}

fn host_of(url: &Url) -> Option<String> {
    let host = url.host_str()?;
    // The SDK signs the authority as configured: the port only when the URL names one.
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_paths_are_reencoded_like_the_sdk_does() {
        assert_eq!(
            encode_raw_path("/v2/{project_id}/instances", "p1"),
            "/v2/p1/instances"
        );
        assert_eq!(
            encode_raw_path("/v2/p/instances/i/groups/%DLQ%g 1", "p"),
            "/v2/p/instances/i/groups/%25DLQ%25g%201"
        );
        assert_eq!(
            encode_raw_path("/v2/p/instances/i/groups/%25DLQ%25g%201", "p"),
            "/v2/p/instances/i/groups/%25DLQ%25g%201"
        );
        assert_eq!(
            encode_raw_path("v2/available-zones", ""),
            "/v2/available-zones"
        );
    }

    #[test]
    fn the_signed_host_carries_a_port_only_when_configured() {
        assert_eq!(
            host_of(&Url::parse("https://dms.cn-north-4.myhuaweicloud.com").unwrap()).unwrap(),
            "dms.cn-north-4.myhuaweicloud.com"
        );
        assert_eq!(
            host_of(&Url::parse("http://127.0.0.1:9100").unwrap()).unwrap(),
            "127.0.0.1:9100"
        );
    }
}
