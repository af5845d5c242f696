//! Who is calling: SDK-HMAC-SHA256 verification against the configured credentials, and IAM
//! emulation (`POST /v3/auth/tokens` issues project-scoped tokens, accepted as `X-Auth-Token`
//! until they expire; `GET /v3/projects` lists the caller's project, which is how the SDKs
//! find a project id that the user did not give). Tokens are stored hashed, so the database
//! never holds a usable token.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::context::{Ctx, Req, Resp, Routed};
use super::error::DmsError;
use super::settings::EmulatorSettings;
use super::store::Docs;
use crate::signing::{self, ReceivedRequest, SdkDate, VerifyError, VerifyOptions};

/// The document kind of issued tokens (scope empty, id: SHA-256 of the token).
const TOKEN: &str = "iam-token";

/// A request as it arrived, before decoding, for signature verification.
pub struct RawRequest<'a> {
    /// Method.
    pub method: &'a str,
    /// The raw path.
    pub raw_path: &'a str,
    /// The raw query string.
    pub raw_query: &'a str,
    /// Headers.
    pub headers: &'a [(String, String)],
    /// Body.
    pub body: &'a [u8],
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn token_key(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The project of the caller: from a valid token, or from the credential whose signature
/// verifies. Unauthenticated, badly signed, stale or foreign requests get a 401.
pub fn authenticate(
    raw: &RawRequest<'_>,
    settings: &EmulatorSettings,
    docs: &Docs<'_>,
    now_ms: i64,
) -> Result<String, DmsError> {
    if let Some(token) = header(raw.headers, "x-auth-token") {
        let record = docs
            .get(TOKEN, "", &token_key(token.trim()))?
            .ok_or_else(|| DmsError::of("DMS.10240101"))?;
        if record["expires_at_ms"].as_i64().unwrap_or(0) <= now_ms {
            return Err(DmsError::of("DMS.10240102"));
        }
        return Ok(record["project_id"].as_str().unwrap_or_default().to_owned());
    }
    if header(raw.headers, "authorization").is_none() {
        return Err(DmsError::of("DMS.10240103")
            .detail("Send an SDK-HMAC-SHA256 Authorization header or an X-Auth-Token."));
    }
    let request = ReceivedRequest {
        method: raw.method,
        raw_path: raw.raw_path,
        raw_query: raw.raw_query,
        headers: raw.headers,
        body: raw.body,
    };
    let options = VerifyOptions {
        now: SdkDate::from_unix(now_ms.div_euclid(1000)),
        max_skew_seconds: settings.max_clock_skew_seconds,
    };
    let mut access_key = String::new();
    let verified = signing::verify(
        &request,
        |ak| {
            access_key = ak.to_owned();
            settings
                .credential(ak)
                .map(|c| c.secret_key.expose().as_bytes().to_vec())
        },
        options,
    );
    match verified {
        Ok(_) => {}
        Err(VerifyError::DateOutOfWindow {
            skew_seconds,
            max_skew_seconds,
        }) => {
            return Err(DmsError::custom(
                401,
                "APIGW.0303",
                format!(
                    "Incorrect app authentication information: the X-Sdk-Date is {skew_seconds} s from the server time (at most {max_skew_seconds} s allowed)."
                ),
            ));
        }
        Err(VerifyError::UnknownAccessKey(ak)) => {
            return Err(DmsError::custom(
                401,
                "APIGW.0301",
                format!("Incorrect IAM authentication information: unknown access key `{ak}`."),
            ));
        }
        Err(other) => {
            return Err(DmsError::custom(
                401,
                "APIGW.0301",
                format!("Incorrect IAM authentication information: {other}."),
            ));
        }
    }
    let credential = settings
        .credential(&access_key)
        .expect("verified keys exist");
    if let Some(expected) = &credential.security_token {
        match header(raw.headers, "x-security-token") {
            Some(token) if token.trim() == expected.expose() => {}
            _ => {
                return Err(DmsError::custom(
                    401,
                    "APIGW.0301",
                    "Incorrect IAM authentication information: the security token of the temporary credential is missing or wrong.",
                ));
            }
        }
    }
    if let Some(project) = header(raw.headers, "x-project-id")
        && project.trim() != credential.project_id
    {
        return Err(DmsError::of("DMS.10240104").detail(format!(
            "X-Project-Id `{}` is not the credential's project.",
            project.trim()
        )));
    }
    Ok(credential.project_id.clone())
}

/// Routes the authenticated IAM calls: `GET /v3/projects`.
pub fn route(ctx: &mut Ctx<'_>, req: &Req, segments: &[&str]) -> Routed {
    match segments {
        ["v3", "projects"] => Some(match req.method.as_str() {
            "GET" => Ok(list_projects(ctx, req)),
            _ => Err(DmsError::bad_method()),
        }),
        _ => None,
    }
}

/// IAM (Keystone) `GET /v3/projects?name=…`, signed with AK/SK or sent with a token: the
/// caller's project, when `name` (if given) is its name. The official SDKs call it to look up
/// the project id of a region when the credentials carry none (`BasicCredentials(ak, sk)`
/// with a region).
fn list_projects(ctx: &Ctx<'_>, req: &Req) -> Resp {
    let project_name = ctx
        .settings
        .credentials
        .iter()
        .find(|c| c.project_id == ctx.project)
        .map(|c| c.project_name.as_str())
        .unwrap_or("emulator-region");
    let wanted = req.q("name").filter(|n| !n.is_empty());
    let projects: Vec<Value> = if wanted.is_none_or(|n| n == project_name) {
        vec![json!({
            "id": ctx.project,
            "name": project_name,
            "description": "",
            "enabled": true,
            "is_domain": false,
        })]
    } else {
        Vec::new()
    };
    let links = json!({"self": null, "previous": null, "next": null});
    Resp::ok(json!({"projects": projects, "links": links}))
}

/// `POST /v3/auth/tokens`: the IAM password method with project scope (by name or id).
/// Accepts `domain` inside `user` (standard) or beside it (the API reference's sample).
/// Answers 201 with the token in `X-Subject-Token`.
pub fn issue_token(
    req: &Req,
    settings: &EmulatorSettings,
    docs: &Docs<'_>,
    now_ms: i64,
    token: String,
) -> Result<(Value, String), DmsError> {
    let invalid =
        |why: &str| DmsError::custom(400, "IAM.0011", format!("Request parameter error: {why}"));
    let unauthorized = || DmsError::custom(401, "IAM.0001", "The username or password is wrong.");
    let body = req.json()?;
    let auth = body
        .get("auth")
        .ok_or_else(|| invalid("`auth` is required"))?;
    let identity = &auth["identity"];
    let methods = identity["methods"].as_array().cloned().unwrap_or_default();
    if !methods.iter().any(|m| m == "password") {
        return Err(invalid("`auth.identity.methods` must contain `password`"));
    }
    let password = &identity["password"];
    let user = &password["user"];
    let name = user["name"]
        .as_str()
        .ok_or_else(|| invalid("`auth.identity.password.user.name` is required"))?;
    let secret = user["password"]
        .as_str()
        .ok_or_else(|| invalid("`auth.identity.password.user.password` is required"))?;
    let domain = user["domain"]["name"]
        .as_str()
        .or_else(|| password["domain"]["name"].as_str())
        .ok_or_else(|| invalid("`auth.identity.password.user.domain.name` is required"))?;
    let scope = &auth["scope"]["project"];
    if scope.is_null() {
        return Err(invalid(
            "the scope must be a project (`auth.scope.project.name` or `.id`); DMS is a project-level service",
        ));
    }
    let iam_user = settings
        .iam_users
        .iter()
        .find(|u| u.name == name && u.domain == domain && u.password.expose() == secret)
        .ok_or_else(unauthorized)?;
    let credential = settings
        .credentials
        .iter()
        .find(|c| c.project_id == iam_user.project_id)
        .ok_or_else(unauthorized)?;
    let scoped_ok = match (scope["id"].as_str(), scope["name"].as_str()) {
        (Some(id), _) => id == credential.project_id,
        (None, Some(project_name)) => project_name == credential.project_name,
        (None, None) => false,
    };
    if !scoped_ok {
        return Err(DmsError::custom(
            401,
            "IAM.0002",
            "The user has no access to the requested project.",
        ));
    }
    let expires_at_ms = now_ms + (settings.token_ttl_seconds as i64) * 1000;
    docs.put(
        TOKEN,
        "",
        &token_key(&token),
        &json!({"project_id": credential.project_id, "user": name, "domain": domain, "expires_at_ms": expires_at_ms}),
    )?;
    let iso = |ms: i64| {
        let date = SdkDate::from_unix(ms.div_euclid(1000)).to_string();
        format!(
            "{}-{}-{}T{}:{}:{}.{:03}000Z",
            &date[0..4],
            &date[4..6],
            &date[6..8],
            &date[9..11],
            &date[11..13],
            &date[13..15],
            ms.rem_euclid(1000)
        )
    };
    let body = json!({
        "token": {
            "methods": ["password"],
            "expires_at": iso(expires_at_ms),
            "issued_at": iso(now_ms),
            "user": {"name": name, "domain": {"name": domain}},
            "project": {"id": credential.project_id, "name": credential.project_name},
            "catalog": []
        }
    });
    Ok((body, token))
}
