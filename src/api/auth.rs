//! Credentials and IAM: AK/SK (optionally temporary, with a security token), a fixed IAM
//! token, or an IAM user's password exchanged for a project-scoped token that is cached and
//! renewed before it expires.
//!
//! The IAM exchange is `POST {iam}/v3/auth/tokens` (password method, project scope); the token
//! arrives in `X-Subject-Token` and its expiry in the body's `token.expires_at`.

use std::time::Duration;

use serde::Deserialize;
use tokio::sync::Mutex;
use url::Url;

use super::error::{ApiError, ErrorKind, parse_error_body};
use crate::secret::Secret;
use crate::signing::SdkDate;

/// How the client authenticates.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// Access key and secret key; `security_token` for temporary credentials.
    AccessKey {
        /// The access key id.
        access_key: String,
        /// The secret access key.
        secret_key: Secret,
        /// The security token of temporary credentials (sent as `X-Security-Token`, signed).
        security_token: Option<Secret>,
    },
    /// An IAM user's password, exchanged for tokens as needed.
    IamPassword(IamPassword),
    /// A ready IAM token (sent as `X-Auth-Token`), e.g. one obtained at sign-in.
    Token(Secret),
}

/// An IAM user and the project scope to ask a token for.
#[derive(Debug, Clone)]
pub struct IamPassword {
    /// The IAM endpoint, e.g. `https://iam.cn-north-4.myhuaweicloud.com`.
    pub endpoint: Url,
    /// The account (domain) that owns the user.
    pub domain: String,
    /// The IAM user name.
    pub user: String,
    /// The user's password.
    pub password: Secret,
    /// The project name to scope the token to (the region id for default projects).
    pub project_name: String,
    /// Renew the token when less than this is left before it expires.
    pub renew_before: Duration,
}

/// A token and what IAM said about it.
#[derive(Debug, Clone)]
pub struct IamToken {
    /// The token.
    pub token: Secret,
    /// When it expires, as Unix seconds.
    pub expires_at: i64,
    /// The project the token is scoped to, when IAM said.
    pub project_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TokenBody {
    token: TokenInner,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TokenInner {
    expires_at: Option<String>,
    project: Option<ProjectRef>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ProjectRef {
    id: Option<String>,
}

/// Parses IAM's `expires_at` (`2024-04-17T09:53:41.123000Z`) into Unix seconds.
pub fn parse_expires_at(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.len() < 20 || !text.ends_with('Z') {
        return None;
    }
    let compact: String = text[..19]
        .chars()
        .filter(|c| *c != '-' && *c != ':')
        .collect();
    format!("{compact}Z")
        .parse::<SdkDate>()
        .ok()
        .map(SdkDate::unix_seconds)
}

/// Exchanges an IAM user's password for a project-scoped token.
pub async fn fetch_token(
    http: &reqwest::Client,
    iam: &IamPassword,
    timeout: Duration,
) -> Result<IamToken, ApiError> {
    const OPERATION: &str = "KeystoneCreateUserTokenByPassword";
    let body = serde_json::json!({
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": iam.user,
                        "password": iam.password.expose(),
                        "domain": { "name": iam.domain }
                    }
                }
            },
            "scope": { "project": { "name": iam.project_name } }
        }
    });
    let url = iam.endpoint.join("/v3/auth/tokens").map_err(|e| {
        ApiError::local(
            OPERATION,
            ErrorKind::Request,
            format!("bad IAM endpoint: {e}"),
        )
    })?;
    let response = http
        .post(url)
        .timeout(timeout)
        .header("Content-Type", "application/json;charset=utf8")
        .body(serde_json::to_vec(&body).expect("a JSON value always serialises"))
        .send()
        .await
        .map_err(|e| {
            ApiError::local(
                OPERATION,
                ErrorKind::Transport,
                format!("could not reach IAM: {e}"),
            )
            .with_source(e)
        })?;
    let status = response.status().as_u16();
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let subject_token = response
        .headers()
        .get("x-subject-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = response.bytes().await.map_err(|e| {
        ApiError::local(
            OPERATION,
            ErrorKind::Transport,
            format!("IAM response cut short: {e}"),
        )
    })?;
    if !(200..300).contains(&status) {
        let (code, message) = parse_error_body(&bytes);
        let mut error = ApiError::from_response(
            OPERATION,
            status,
            code,
            message.unwrap_or_else(|| "IAM refused the user name, password or project".to_owned()),
            request_id,
        );
        if status == 400 || status == 401 {
            error.kind = ErrorKind::Auth;
        }
        return Err(error);
    }
    let token = subject_token.ok_or_else(|| {
        ApiError::local(
            OPERATION,
            ErrorKind::Decode,
            "IAM answered without an X-Subject-Token header",
        )
    })?;
    let parsed: TokenBody = serde_json::from_slice(&bytes).unwrap_or_default();
    // IAM tokens live 24 hours; if the body does not say, assume that.
    let expires_at = parsed
        .token
        .expires_at
        .as_deref()
        .and_then(parse_expires_at)
        .unwrap_or_else(|| SdkDate::now().unix_seconds() + 24 * 3600);
    Ok(IamToken {
        token: Secret::new(token),
        expires_at,
        project_id: parsed.token.project.and_then(|p| p.id),
    })
}

/// A cached IAM token, renewed before it expires.
#[derive(Debug)]
pub struct TokenCache {
    iam: IamPassword,
    current: Mutex<Option<IamToken>>,
}

impl TokenCache {
    /// A cache for `iam` that holds no token yet.
    pub fn new(iam: IamPassword) -> Self {
        Self {
            iam,
            current: Mutex::new(None),
        }
    }

    /// A valid token: the cached one unless it is within `renew_before` of its expiry.
    pub async fn token(
        &self,
        http: &reqwest::Client,
        timeout: Duration,
        now: SdkDate,
    ) -> Result<IamToken, ApiError> {
        let mut current = self.current.lock().await;
        if let Some(token) = current.as_ref()
            && token.expires_at - now.unix_seconds() > self.iam.renew_before.as_secs() as i64
        {
            return Ok(token.clone());
        }
        let fresh = fetch_token(http, &self.iam, timeout).await?;
        *current = Some(fresh.clone());
        Ok(fresh)
    }

    /// Forgets the cached token (after DMS refused it).
    pub async fn invalidate(&self) {
        *self.current.lock().await = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iam_expiry_times_parse_to_unix_seconds() {
        assert_eq!(
            parse_expires_at("2024-04-16T09:53:41.000000Z"),
            Some(1_713_261_221)
        );
        assert_eq!(
            parse_expires_at("2024-04-16T09:53:41Z"),
            Some(1_713_261_221)
        );
        assert_eq!(parse_expires_at("2024-04-16 09:53"), None);
        assert_eq!(parse_expires_at("2024-04-16T09:53:41+08:00"), None);
    }
}
