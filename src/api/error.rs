//! `ApiError`: everything that can go wrong with one DMS call, classified for the caller.
//!
//! It keeps what an operator needs to act or to ask support: the operation, the HTTP status,
//! DMS's `error_code` and `error_msg`, and the `X-Request-Id`. Classification uses the error
//! code as well as the status, because DMS reports flow control (`DMS.10240407`) as a 404.

use std::fmt;
use std::time::Duration;

/// What kind of failure an [`ApiError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The credentials were refused (401, `APIGW.0301`, `APIGW.0303`, `DMS.1024010x`).
    Auth,
    /// The credentials are valid but not allowed to do this (403).
    Forbidden,
    /// The resource does not exist (404, except flow control).
    NotFound,
    /// Rate limited (429, `DMS.10240407`).
    Throttled,
    /// The request was refused as invalid (400 and other 4xx).
    Validation,
    /// The resource already exists or is in a state that forbids the change (409, "already exists" codes).
    Conflict,
    /// DMS failed (5xx).
    Server,
    /// The request did not complete: connection refused, reset, timed out, or the body was cut.
    Transport,
    /// DMS answered 2xx but the body could not be read as the expected model.
    Decode,
    /// The client could not build the request (configuration, credentials, a bad path).
    Request,
}

impl ErrorKind {
    /// A short lower-case name, for logs and metrics labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::Throttled => "throttled",
            Self::Validation => "validation",
            Self::Conflict => "conflict",
            Self::Server => "server",
            Self::Transport => "transport",
            Self::Decode => "decode",
            Self::Request => "request",
        }
    }
}

/// Error codes that mean "already exists": the caller's create has in effect been done before.
const CONFLICT_CODES: &[&str] = &[
    "DMS.00400060",
    "DMS.00400081",
    "DMS.00404027",
    "DMS.10240017",
    "DMS.10240018",
];

/// Error codes that mean the credentials or the token were refused.
const AUTH_CODES: &[&str] = &[
    "APIGW.0301",
    "APIGW.0303",
    "APIGW.0101",
    "DMS.10240101",
    "DMS.10240102",
    "DMS.10240103",
    "DMS.10240104",
    "DMS.00500960",
];

/// The flow-control code, which DMS sends with HTTP 404.
pub const FLOW_CONTROL_CODE: &str = "DMS.10240407";

/// The most of an upstream `error_msg` (or error body) an error keeps, in bytes: pages and
/// logs show this much and say how much was left out, because a gateway can answer with a
/// page of any size.
pub const MAX_MESSAGE_BYTES: usize = 2048;

/// `text` cut to [`MAX_MESSAGE_BYTES`] at a character boundary, followed by
/// `… (N more bytes)` when anything was cut.
pub fn cap_message(mut text: String) -> String {
    if text.len() <= MAX_MESSAGE_BYTES {
        return text;
    }
    let mut end = MAX_MESSAGE_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let rest = text.len() - end;
    text.truncate(end);
    text.push_str(&format!("… ({rest} more bytes)"));
    text
}

/// Classifies a DMS error response by its code first and its status second.
pub fn classify(status: u16, code: Option<&str>) -> ErrorKind {
    if let Some(code) = code {
        if code == FLOW_CONTROL_CODE {
            return ErrorKind::Throttled;
        }
        if AUTH_CODES.contains(&code) {
            return ErrorKind::Auth;
        }
        if CONFLICT_CODES.contains(&code) {
            return ErrorKind::Conflict;
        }
    }
    match status {
        401 => ErrorKind::Auth,
        403 => ErrorKind::Forbidden,
        404 => ErrorKind::NotFound,
        409 => ErrorKind::Conflict,
        429 => ErrorKind::Throttled,
        400..=499 => ErrorKind::Validation,
        _ => ErrorKind::Server,
    }
}

/// One failed DMS call.
#[derive(Debug)]
pub struct ApiError {
    /// The Huawei SDK operation name, e.g. `ListInstances`.
    pub operation: &'static str,
    /// The classification.
    pub kind: ErrorKind,
    /// The HTTP status, when a response arrived.
    pub status: Option<u16>,
    /// DMS's `error_code`, when the body carried one.
    pub code: Option<String>,
    /// DMS's `error_msg`, or a description of the local failure.
    pub message: String,
    /// The `X-Request-Id` of the response, when a response arrived.
    pub request_id: Option<String>,
    /// How long DMS asked the caller to wait (`Retry-After`), when it did.
    pub retry_after: Option<Duration>,
    /// Whether the request may have reached DMS and been acted on although no answer
    /// arrived (a timeout or a reset after the request was sent). A mutation with this flag
    /// has an unknown outcome and must be reconciled by reading state back.
    pub outcome_unknown: bool,
    /// How many attempts were made (1 when there was no retry).
    pub attempts: u32,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl ApiError {
    /// An error built from a DMS error response; `message` is capped with [`cap_message`].
    pub fn from_response(
        operation: &'static str,
        status: u16,
        code: Option<String>,
        message: String,
        request_id: Option<String>,
    ) -> Self {
        Self {
            operation,
            kind: classify(status, code.as_deref()),
            status: Some(status),
            code,
            message: cap_message(message),
            request_id,
            retry_after: None,
            outcome_unknown: false,
            attempts: 1,
            source: None,
        }
    }

    /// An error without a response.
    pub fn local(operation: &'static str, kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            operation,
            kind,
            status: None,
            code: None,
            message: message.into(),
            request_id: None,
            retry_after: None,
            outcome_unknown: false,
            attempts: 1,
            source: None,
        }
    }

    /// Attaches the underlying error.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The same failure without its underlying error (which cannot be copied), for an error
    /// shared between callers.
    pub fn duplicate(&self) -> Self {
        Self {
            operation: self.operation,
            kind: self.kind,
            status: self.status,
            code: self.code.clone(),
            message: self.message.clone(),
            request_id: self.request_id.clone(),
            retry_after: self.retry_after,
            outcome_unknown: self.outcome_unknown,
            attempts: self.attempts,
            source: None,
        }
    }

    /// Whether DMS said the resource does not exist.
    pub fn is_not_found(&self) -> bool {
        self.kind == ErrorKind::NotFound
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed", self.operation)?;
        match (self.status, &self.code) {
            (Some(status), Some(code)) => write!(f, " with HTTP {status} {code}")?,
            (Some(status), None) => write!(f, " with HTTP {status}")?,
            _ => {}
        }
        write!(f, ": {}", self.message)?;
        if let Some(request_id) = &self.request_id {
            write!(f, " (request id {request_id})")?;
        }
        if self.outcome_unknown {
            f.write_str("; the request may have been carried out")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Reads `error_code` and `error_msg` out of an error body the way the official SDK does:
/// the first pair among `error_code`/`error_msg`, `errorCode`/`errorMsg`, `code`/`message`,
/// searched at the top level and then in nested objects; a body that is not a JSON object
/// becomes the message.
pub fn parse_error_body(body: &[u8]) -> (Option<String>, Option<String>) {
    fn scalar(value: &serde_json::Value) -> Option<String> {
        match value {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
    fn search(
        object: &serde_json::Map<String, serde_json::Value>,
        depth: u32,
    ) -> Option<(Option<String>, Option<String>)> {
        for (code_key, msg_key) in [
            ("error_code", "error_msg"),
            ("errorCode", "errorMsg"),
            ("code", "message"),
        ] {
            let code = object.get(code_key).and_then(scalar);
            let message = object.get(msg_key).and_then(scalar);
            if code.is_some() || message.is_some() {
                return Some((code, message));
            }
        }
        if depth < 4 {
            for value in object.values() {
                if let serde_json::Value::Object(inner) = value
                    && let Some(found) = search(inner, depth + 1)
                {
                    return Some(found);
                }
            }
        }
        None
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(object)) => search(&object, 0).unwrap_or((None, None)),
        _ => {
            let text = String::from_utf8_lossy(body).trim().to_owned();
            (None, (!text.is_empty()).then_some(text))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_follows_codes_before_statuses() {
        let cases = [
            (404, Some("DMS.10240407"), ErrorKind::Throttled),
            (404, Some("DMS.00404022"), ErrorKind::NotFound),
            (429, None, ErrorKind::Throttled),
            (401, Some("APIGW.0303"), ErrorKind::Auth),
            (400, Some("DMS.10240104"), ErrorKind::Auth),
            (403, None, ErrorKind::Forbidden),
            (400, Some("DMS.10240018"), ErrorKind::Conflict),
            (409, None, ErrorKind::Conflict),
            (400, Some("DMS.00400030"), ErrorKind::Validation),
            (422, None, ErrorKind::Validation),
            (500, Some("DMS.00500000"), ErrorKind::Server),
            (502, None, ErrorKind::Server),
        ];
        for (status, code, expected) in cases {
            assert_eq!(classify(status, code), expected, "{status} {code:?}");
        }
    }

    #[test]
    fn error_bodies_are_read_in_every_spelling() {
        let cases: [(&[u8], Option<&str>, Option<&str>); 5] = [
            (br#"{"error_code":"DMS.1","error_msg":"bad"}"#, Some("DMS.1"), Some("bad")),
            (br#"{"errorCode":"DMS.2","errorMsg":"worse"}"#, Some("DMS.2"), Some("worse")),
            (br#"{"error":{"code":"APIGW.0301","message":"Incorrect IAM authentication information"}}"#, Some("APIGW.0301"), Some("Incorrect IAM authentication information")),
            (b"<html>Bad Gateway</html>", None, Some("<html>Bad Gateway</html>")),
            (b"", None, None),
        ];
        for (body, code, message) in cases {
            let (c, m) = parse_error_body(body);
            assert_eq!((c.as_deref(), m.as_deref()), (code, message));
        }
    }

    #[test]
    fn long_messages_are_capped_at_a_character_boundary() {
        assert_eq!(cap_message("short".into()), "short");
        let exact = "a".repeat(MAX_MESSAGE_BYTES);
        assert_eq!(cap_message(exact.clone()), exact);
        // Two-byte characters: the cut falls inside one and moves back to its start.
        let long = format!("a{}", "é".repeat(2000));
        let capped = cap_message(long.clone());
        let kept = capped.split('…').next().unwrap();
        assert_eq!(kept.len(), MAX_MESSAGE_BYTES - 1);
        assert!(capped.ends_with(&format!("… ({} more bytes)", long.len() - kept.len())));
    }

    #[test]
    fn display_names_operation_status_code_and_request_id() {
        let error = ApiError::from_response(
            "ShowInstance",
            404,
            Some("DMS.00404022".into()),
            "This instance does not exist.".into(),
            Some("req-1".into()),
        );
        assert_eq!(
            error.to_string(),
            "ShowInstance failed with HTTP 404 DMS.00404022: This instance does not exist. (request id req-1)"
        );
    }
}
