//! The console as an OpenID Connect relying party (`openidconnect`): discovery from the issuer
//! URL, the authorization request (code flow, PKCE, `state`, `nonce`), and the code exchange
//! with every check of the ID token: signature against the provider's keys, issuer, audience,
//! expiry, nonce, and the access-token hash when the token carries one.
//!
//! Every HTTP request goes through the console's own reqwest client (no redirects followed, a
//! deadline and a size cap on each answer). The discovery document and the keys are cached for
//! a few minutes and read again after that, or at once when a token names a key the cache
//! does not know (the provider rotated its keys).

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken,
    EmptyAdditionalClaims, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    IdTokenFields, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    ProviderMetadataWithLogout, RedirectUrl, Scope, StandardErrorResponse, StandardTokenResponse,
    TokenResponse,
};

use crate::secret::Secret;

/// How long the discovery document and keys are used before they are read again.
const METADATA_TTL: Duration = Duration::from_secs(300);
/// The deadline of each request to the provider.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer accepted from the provider.
const MAX_ANSWER: usize = 1024 * 1024;

type Fields = IdTokenFields<
    EmptyAdditionalClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type Tokens = StandardTokenResponse<Fields, CoreTokenType>;
type RelyingParty = Client<
    EmptyAdditionalClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why single sign-on failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum OidcError {
    /// The provider's discovery document or keys could not be read.
    #[error("the identity provider could not be reached: {0}")]
    Unreachable(String),
    /// The code could not be exchanged for tokens.
    #[error("the identity provider refused the sign-in: {0}")]
    Exchange(String),
    /// The ID token failed a check.
    #[error("the identity provider's ID token was refused: {0}")]
    Token(String),
}

/// A failed HTTP exchange with the provider.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

/// Where to send the browser, and what the callback must find again.
pub struct Authorization {
    /// The provider's authorization URL with every parameter.
    pub url: url::Url,
    /// The `state` parameter.
    pub state: String,
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier of the code challenge sent.
    pub pkce_verifier: String,
}

/// Who signed in, as the verified ID token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The subject (`sub`).
    pub subject: String,
    /// The name to show: the configured claim, else `email`, else the subject.
    pub name: String,
    /// The groups claim's values.
    pub groups: Vec<String>,
}

/// What the console knows of its provider.
pub struct ProviderSettings {
    /// What the sign-in button calls it.
    pub name: String,
    /// The issuer.
    pub issuer: IssuerUrl,
    /// The console's client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: Secret,
    /// The callback URL registered at the provider.
    pub redirect_url: RedirectUrl,
    /// Scopes besides `openid`.
    pub scopes: Vec<String>,
    /// The claim listing groups.
    pub groups_claim: String,
    /// The claim naming the user.
    pub username_claim: String,
}

struct Discovered {
    at: Instant,
    metadata: Arc<ProviderMetadataWithLogout>,
}

/// The provider: its settings and the cached discovery document.
pub struct Provider {
    settings: ProviderSettings,
    http: reqwest::Client,
    cache: tokio::sync::Mutex<Option<Discovered>>,
}

/// Sends one request of `openidconnect` with the console's client.
async fn send(
    http: reqwest::Client,
    request: openidconnect::HttpRequest,
) -> Result<openidconnect::HttpResponse, HttpError> {
    let (parts, body) = request.into_parts();
    let mut builder = http
        .request(parts.method, parts.uri.to_string())
        .timeout(REQUEST_TIMEOUT)
        .body(body);
    for (name, value) in &parts.headers {
        builder = builder.header(name, value);
    }
    let mut response = builder
        .send()
        .await
        .map_err(|e| HttpError(format!("{}: {e}", parts.uri)))?;
    let mut answer = openidconnect::http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        answer = answer.header(name, value);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| HttpError(format!("{}: {e}", parts.uri)))?
    {
        if body.len() + chunk.len() > MAX_ANSWER {
            return Err(HttpError(format!(
                "{}: the answer is larger than {MAX_ANSWER} bytes",
                parts.uri
            )));
        }
        body.extend_from_slice(&chunk);
    }
    answer
        .body(body)
        .map_err(|e| HttpError(format!("{}: {e}", parts.uri)))
}

impl Provider {
    /// A provider reached with `http` (which must not follow redirects).
    pub fn new(settings: ProviderSettings, http: reqwest::Client) -> Self {
        Self {
            settings,
            http,
            cache: tokio::sync::Mutex::new(None),
        }
    }

    /// Its settings.
    pub fn settings(&self) -> &ProviderSettings {
        &self.settings
    }

    fn http_client(
        &self,
    ) -> impl Fn(
        openidconnect::HttpRequest,
    ) -> std::pin::Pin<
        Box<dyn Future<Output = Result<openidconnect::HttpResponse, HttpError>> + Send>,
    > + use<> {
        let http = self.http.clone();
        move |request| Box::pin(send(http.clone(), request))
    }

    /// The discovery document and keys, from the cache when fresh (and `refresh` is false).
    async fn metadata(&self, refresh: bool) -> Result<Arc<ProviderMetadataWithLogout>, OidcError> {
        let mut cache = self.cache.lock().await;
        if !refresh
            && let Some(found) = cache.as_ref()
            && found.at.elapsed() < METADATA_TTL
        {
            return Ok(found.metadata.clone());
        }
        let client = self.http_client();
        let metadata =
            ProviderMetadataWithLogout::discover_async(self.settings.issuer.clone(), &client)
                .await
                .map_err(|e| OidcError::Unreachable(error_chain(&e)))?;
        let metadata = Arc::new(metadata);
        *cache = Some(Discovered {
            at: Instant::now(),
            metadata: metadata.clone(),
        });
        Ok(metadata)
    }

    fn relying_party(&self, metadata: &ProviderMetadataWithLogout) -> RelyingParty {
        Client::from_provider_metadata(
            metadata.clone(),
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(
                self.settings.client_secret.expose().to_owned(),
            )),
        )
        .set_redirect_uri(self.settings.redirect_url.clone())
    }

    /// A new authorization request.
    pub async fn authorize(&self) -> Result<Authorization, OidcError> {
        let metadata = self.metadata(false).await?;
        let client = self.relying_party(&metadata);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in &self.settings.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        Ok(Authorization {
            url,
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// The provider's end-session URL, when it has one, with the console's client id and
    /// `post_logout` as where to come back to.
    pub async fn end_session_url(&self, post_logout: &str) -> Option<url::Url> {
        let metadata = self.metadata(false).await.ok()?;
        let endpoint = metadata
            .additional_metadata()
            .end_session_endpoint
            .as_ref()?;
        let mut url = endpoint.url().clone();
        url.query_pairs_mut()
            .append_pair("client_id", &self.settings.client_id)
            .append_pair("post_logout_redirect_uri", post_logout);
        Some(url)
    }

    /// Exchanges `code` (with the PKCE `verifier`) for tokens and checks the ID token against
    /// `nonce`; answers who signed in.
    pub async fn finish(
        &self,
        code: &str,
        verifier: &str,
        nonce: &str,
    ) -> Result<Identity, OidcError> {
        let metadata = self.metadata(false).await?;
        let client = self.relying_party(&metadata);
        let http = self.http_client();
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| OidcError::Exchange(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
            .request_async(&http)
            .await
            .map_err(|e| OidcError::Exchange(error_chain(&e)))?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| OidcError::Token("the answer has no ID token".to_owned()))?;
        let nonce = Nonce::new(nonce.to_owned());
        let verified = {
            let verifier = client.id_token_verifier();
            match id_token.claims(&verifier, &nonce) {
                Ok(claims) => Ok(claims.clone()),
                Err(error) => Err(error),
            }
        };
        let (claims, client) = match verified {
            Ok(claims) => (claims, client),
            // A key the cached set does not know: the provider may have rotated its keys.
            Err(openidconnect::ClaimsVerificationError::SignatureVerification(
                openidconnect::SignatureVerificationError::NoMatchingKey,
            )) => {
                let metadata = self.metadata(true).await?;
                let client = self.relying_party(&metadata);
                let claims = id_token
                    .claims(&client.id_token_verifier(), &nonce)
                    .map_err(|e| OidcError::Token(error_chain(&e)))?
                    .clone();
                (claims, client)
            }
            Err(error) => return Err(OidcError::Token(error_chain(&error))),
        };
        if let Some(expected) = claims.access_token_hash() {
            let verifier = client.id_token_verifier();
            let algorithm = id_token
                .signing_alg()
                .map_err(|e| OidcError::Token(error_chain(&e)))?;
            let key = id_token
                .signing_key(&verifier)
                .map_err(|e| OidcError::Token(error_chain(&e)))?;
            let actual = AccessTokenHash::from_token(tokens.access_token(), algorithm, key)
                .map_err(|e| OidcError::Token(error_chain(&e)))?;
            if actual != *expected {
                return Err(OidcError::Token(
                    "the access token does not match the ID token's at_hash".to_owned(),
                ));
            }
        }
        // The signature covers the token's payload as sent, so reading further claims from
        // it (the groups and name claims are configurable) reads verified data.
        let payload = id_token_payload(&id_token.to_string())
            .ok_or_else(|| OidcError::Token("the ID token's payload cannot be read".to_owned()))?;
        let subject = claims.subject().as_str().to_owned();
        let text = |claim: &str| {
            payload
                .get(claim)
                .and_then(|v| v.as_str())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let name = text(&self.settings.username_claim)
            .or_else(|| text("email"))
            .unwrap_or_else(|| subject.clone());
        let groups = match payload.get(&self.settings.groups_claim) {
            Some(serde_json::Value::Array(values)) => values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Some(serde_json::Value::String(one)) => vec![one.clone()],
            _ => Vec::new(),
        };
        Ok(Identity {
            subject,
            name,
            groups,
        })
    }
}

/// The JSON payload of a compact JWT.
fn id_token_payload(token: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// An error with its causes, for messages and logs.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_is_read_from_the_middle_of_a_compact_token() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"sub":"ana","groups":["payments-admins"]}"#);
        let token = format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2lnbmF0dXJl");
        let claims = id_token_payload(&token).unwrap();
        assert_eq!(claims["sub"], "ana");
        assert_eq!(claims["groups"][0], "payments-admins");
        assert!(id_token_payload("not-a-token").is_none());
    }
}
