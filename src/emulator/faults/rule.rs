//! One fault rule: which requests it matches, when it fires, and what it does to the answer;
//! its flag syntax and the checks that refuse a rule that could never fire.

use serde::{Deserialize, Serialize};

use super::super::operations;

/// When a rule acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Instead of the handler: nothing is changed, the forced answer is sent.
    #[default]
    Before,
    /// After the handler ran and its transaction committed: the change is made, then its
    /// answer is delayed, replaced or lost.
    After,
}

/// What the answer's body becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyFault {
    /// No body at all (the JSON content type is kept).
    Empty,
    /// A plain-text message (`text/plain`).
    NotJson,
    /// The JSON cut in the middle (`application/json`).
    MalformedJson,
    /// A gateway's HTML page (`text/html`).
    Html,
}

impl BodyFault {
    /// The flag and JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::NotJson => "not_json",
            Self::MalformedJson => "malformed_json",
            Self::Html => "html",
        }
    }
}

/// What happens to the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionFault {
    /// The connection is dropped before anything is sent (shut down, and reset on close).
    Reset,
    /// The status line and headers are sent, then the connection is dropped.
    ResetAfterHeaders,
    /// The headers announce the whole body's `Content-Length`; half of it is sent, then the
    /// connection is closed.
    Truncate,
    /// The headers are sent, then nothing for `stall_ms`, then the body.
    Stall,
}

impl ConnectionFault {
    /// The flag and JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reset => "reset",
            Self::ResetAfterHeaders => "reset_after_headers",
            Self::Truncate => "truncate",
            Self::Stall => "stall",
        }
    }
}

/// The flag syntax, shown by `--help` and in error messages.
pub const RULE_SYNTAX: &str = "\
A fault rule: '[METHOD] [PATTERN][;key=value]...'; repeat the flag for several rules.

Which requests: METHOD (GET, POST, PUT, DELETE) and PATTERN match the decoded path ('*' is one
segment, '**' any number); operation=NAME matches an SDK operation (ListInstances,
RestartInstance, ...); exclude_iam=true skips IAM token requests (POST /v3/auth/tokens).

When it fires: count=N fires on the next N matching requests; probability=F (or error_rate=F)
on that share of them; both together: with that probability, at most N times. A rule that
only adds latency fires on every match; any other rule needs count or probability.

What it does: latency_ms=N waits N ms first (after the change when phase=after);
status=N, error_code=C, error_msg=M, request_id=ID and retry_after=S set the answer's status,
DMS error body, X-Request-Id and Retry-After (a forced answer is 500 DMS.00500000 unless told);
body=empty|not_json|malformed_json|html replaces the body (html: a gateway page, text/html);
connection=reset (dropped before anything is sent), reset_after_headers (dropped after the
headers), truncate (Content-Length larger than what is sent, then closed) or stall (headers,
then nothing for stall_ms=N, then the body).

phase=before (default) answers instead of the emulator: nothing changes. phase=after lets the
request be carried out and committed first, then applies the fault to its real answer:
\"acted, then the answer was lost\".

Example: 'POST /v2/*/*/instances/*/restart;phase=after;connection=truncate;count=1'.
Values cannot contain ';' here; the JSON form of /_emulator/faults takes the same keys.";

/// One rule. In JSON the keys are the flag's keys; `path` is matched against the decoded
/// path: `*` matches one segment, `**` any number of segments (including none).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// Only this method (any when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The path pattern, e.g. `/v2/*/instances/**` (any path when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Only requests of this SDK operation, e.g. `RestartInstance`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Never IAM token requests (`POST /v3/auth/tokens`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclude_iam: bool,
    /// Fires on the next `count` matching requests only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// The probability (0 to 1) of firing on a matching request.
    #[serde(default, alias = "error_rate", skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Before or after the handler.
    #[serde(default)]
    pub phase: Phase,
    /// Milliseconds to wait (before handling, or before answering with `phase = after`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub latency_ms: u64,
    /// The answer's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The `error_code` of the error body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The `error_msg` of the error body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_msg: Option<String>,
    /// The `X-Request-Id` sent instead of a fresh one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// A `Retry-After` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<String>,
    /// What the body becomes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<BodyFault>,
    /// What happens to the connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<ConnectionFault>,
    /// How long `connection = stall` withholds the body, in ms.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub stall_ms: u64,
}

/// One of an enum's snake_case spellings.
fn choice<T: serde::de::DeserializeOwned>(value: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(value.to_owned())).ok()
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

/// The longest latency or stall a rule may ask for.
const MAX_WAIT_MS: u64 = 120_000;

/// The methods a rule may name.
const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

impl FaultRule {
    /// Parses the flag form (see [`RULE_SYNTAX`]).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut rule = FaultRule::default();
        let mut parts = text.split(';').map(str::trim).peekable();
        if let Some(head) = parts.next_if(|p| !p.contains('=')) {
            let mut words = head.split_whitespace();
            match (words.next(), words.next(), words.next()) {
                (None, _, _) => {}
                (Some(only), None, _) if only.starts_with('/') => rule.path = Some(only.into()),
                (Some(only), None, _) => rule.method = Some(only.to_ascii_uppercase()),
                (Some(method), Some(path), None) => {
                    rule.method = Some(method.to_ascii_uppercase());
                    rule.path = Some(path.into());
                }
                _ => {
                    return Err(format!(
                        "fault `{text}`: `{head}` must be `METHOD PATTERN`, `PATTERN` or `METHOD`"
                    ));
                }
            }
        }
        for part in parts.filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .map(|(k, v)| (k.trim(), v.trim()))
                .ok_or_else(|| format!("fault `{text}`: `{part}` must be key=value"))?;
            let bad = |what: &str| format!("fault `{text}`: `{key}` must be {what}, not `{value}`");
            let number = || value.parse::<u64>().map_err(|_| bad("a whole number"));
            match key {
                "operation" => rule.operation = Some(value.into()),
                "exclude_iam" => {
                    rule.exclude_iam = value.parse().map_err(|_| bad("true or false"))?
                }
                "count" => rule.count = Some(number()?),
                "probability" | "error_rate" => {
                    rule.probability = Some(value.parse().map_err(|_| bad("a number from 0 to 1"))?)
                }
                "phase" => rule.phase = choice(value).ok_or_else(|| bad("before or after"))?,
                "latency_ms" => rule.latency_ms = number()?,
                "status" => rule.status = Some(value.parse().map_err(|_| bad("an HTTP status"))?),
                "error_code" => rule.error_code = Some(value.into()),
                "error_msg" => rule.error_msg = Some(value.into()),
                "request_id" => rule.request_id = Some(value.into()),
                "retry_after" => rule.retry_after = Some(value.into()),
                "body" => {
                    rule.body = Some(
                        choice(value)
                            .ok_or_else(|| bad("one of empty, not_json, malformed_json, html"))?,
                    )
                }
                "connection" => {
                    rule.connection =
                        Some(choice(value).ok_or_else(|| {
                            bad("one of reset, reset_after_headers, truncate, stall")
                        })?)
                }
                "stall_ms" => rule.stall_ms = number()?,
                other => {
                    return Err(format!(
                        "fault `{text}`: unknown key `{other}`; allowed: operation, exclude_iam, count, probability (error_rate), phase, latency_ms, status, error_code, error_msg, request_id, retry_after, body, connection, stall_ms"
                    ));
                }
            }
        }
        rule.check()
            .map_err(|why| format!("fault `{text}`: {why}"))?;
        Ok(rule)
    }

    /// A short name for messages: the method, pattern and operation it matches.
    pub fn label(&self) -> String {
        let mut label = [
            self.method.as_deref(),
            self.path.as_deref(),
            self.operation.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        if label.is_empty() {
            label.push_str("every request");
        }
        label
    }

    /// Whether the rule does more than add latency.
    pub fn has_effect(&self) -> bool {
        self.status.is_some()
            || self.error_code.is_some()
            || self.error_msg.is_some()
            || self.request_id.is_some()
            || self.retry_after.is_some()
            || self.body.is_some()
            || self.connection.is_some()
    }

    /// Refuses values out of range and rules that could never fire or whose settings could
    /// never be seen.
    pub fn check(&self) -> Result<(), String> {
        let never = |why: String| Err(format!("this rule can never fire: {why}"));
        if let Some(path) = &self.path
            && !path.starts_with('/')
        {
            return Err(format!("the pattern `{path}` must start with `/`"));
        }
        if let Some(method) = &self.method
            && !METHODS.contains(&method.to_ascii_uppercase().as_str())
        {
            return Err(format!(
                "unknown method `{method}`; allowed: {}",
                METHODS.join(", ")
            ));
        }
        if let Some(operation) = &self.operation {
            let methods = operations::methods_of(operation);
            if methods.is_empty() {
                return Err(format!(
                    "unknown operation `{operation}`; operations are SDK names such as {}",
                    operations::examples()
                ));
            }
            if let Some(method) = &self.method
                && !methods.iter().any(|m| m.eq_ignore_ascii_case(method))
            {
                return never(format!(
                    "{operation} is sent with {}, not {method}",
                    methods.join(" or ")
                ));
            }
            if self.exclude_iam && operation == "KeystoneCreateUserTokenByPassword" {
                return never(format!("it names {operation} and excludes IAM requests"));
            }
        }
        match self.probability {
            Some(p) if !(0.0..=1.0).contains(&p) => {
                return Err(format!("probability must be between 0 and 1, not {p}"));
            }
            Some(0.0) => return never("its probability is 0".into()),
            _ => {}
        }
        if self.count == Some(0) {
            return never("its count is 0".into());
        }
        if self.has_effect() && self.count.is_none() && self.probability.is_none() {
            return never(
                "it changes the answer but has neither count=N nor probability=F (only a rule that just adds latency fires on every match)"
                    .into(),
            );
        }
        if self.phase == Phase::After && !self.has_effect() && self.latency_ms == 0 {
            return Err(
                "phase=after needs something to do once the request is carried out (latency_ms, status, body, connection, ...)"
                    .into(),
            );
        }
        if let Some(status) = self.status
            && !(100..=599).contains(&status)
        {
            return Err(format!("status must be an HTTP status, not {status}"));
        }
        if self.latency_ms > MAX_WAIT_MS || self.stall_ms > MAX_WAIT_MS {
            return Err(format!(
                "latency_ms and stall_ms must be at most {MAX_WAIT_MS}"
            ));
        }
        match (self.connection, self.stall_ms) {
            (Some(ConnectionFault::Stall), 0) => {
                return Err("connection=stall needs stall_ms=N".into());
            }
            (Some(ConnectionFault::Stall), _) | (_, 0) => {}
            _ => return Err("stall_ms needs connection=stall".into()),
        }
        if self.connection == Some(ConnectionFault::Reset) {
            let unseen: Vec<&str> = [
                ("status", self.status.is_some()),
                ("error_code", self.error_code.is_some()),
                ("error_msg", self.error_msg.is_some()),
                ("request_id", self.request_id.is_some()),
                ("retry_after", self.retry_after.is_some()),
                ("body", self.body.is_some()),
            ]
            .into_iter()
            .filter_map(|(name, set)| set.then_some(name))
            .collect();
            if !unseen.is_empty() {
                return Err(format!(
                    "connection=reset sends nothing, so {} would never be seen",
                    unseen.join(", ")
                ));
            }
        }
        if let Some(body) = self.body
            && (self.error_code.is_some() || self.error_msg.is_some())
        {
            return Err(format!(
                "error_code and error_msg go in the JSON error body, which body={} replaces",
                body.as_str()
            ));
        }
        for (name, value) in [
            ("request_id", &self.request_id),
            ("retry_after", &self.retry_after),
        ] {
            if let Some(value) = value
                && (value.is_empty() || !value.bytes().all(|b| b.is_ascii_graphic() || b == b' '))
            {
                return Err(format!(
                    "{name} must be printable ASCII (it is sent as a header), not `{value}`"
                ));
            }
        }
        Ok(())
    }

    /// Whether the rule applies to a request.
    pub fn matches(&self, request: &RequestFacts<'_>) -> bool {
        if self.exclude_iam && request.is_iam {
            return false;
        }
        if let Some(m) = &self.method
            && !m.eq_ignore_ascii_case(request.method)
        {
            return false;
        }
        if let Some(operation) = &self.operation
            && request.operation != Some(operation.as_str())
        {
            return false;
        }
        match &self.path {
            Some(path) => {
                let pattern: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
                glob(&pattern, request.segments)
            }
            None => true,
        }
    }
}

/// What a rule is matched against.
#[derive(Debug, Clone, Copy)]
pub struct RequestFacts<'a> {
    /// The upper-case method.
    pub method: &'a str,
    /// The decoded path segments.
    pub segments: &'a [String],
    /// The SDK operation, when the path is one.
    pub operation: Option<&'static str>,
    /// Whether this is an IAM token request.
    pub is_iam: bool,
}

fn glob(pattern: &[&str], segments: &[String]) -> bool {
    match pattern.split_first() {
        None => segments.is_empty(),
        Some((&"**", rest)) => (0..=segments.len()).any(|skip| glob(rest, &segments[skip..])),
        Some((first, rest)) => match segments.split_first() {
            Some((segment, tail)) => (*first == "*" || first == segment) && glob(rest, tail),
            None => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(path: &str) -> Vec<String> {
        path.split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    fn facts<'a>(method: &'a str, segments: &'a [String]) -> RequestFacts<'a> {
        RequestFacts {
            method,
            segments,
            operation: operations::operation_of(method, segments),
            is_iam: segments == ["v3", "auth", "tokens"],
        }
    }

    #[test]
    fn patterns_methods_and_operations_match() {
        let rule = FaultRule::parse("GET /v2/*/instances/**;latency_ms=5").unwrap();
        let (list, topics) = (segs("/v2/p/instances"), segs("/v2/p/instances/i-1/topics"));
        assert!(rule.matches(&facts("GET", &list)));
        assert!(rule.matches(&facts("get", &topics)));
        assert!(!rule.matches(&facts("POST", &list)));
        assert!(!rule.matches(&facts("GET", &segs("/v2/rocketmq/p/instances"))));

        let restart = FaultRule::parse("operation=RestartInstance;status=503;count=1").unwrap();
        let path = segs("/v2/p/rocketmq/instances/i/restart");
        assert!(restart.matches(&facts("POST", &path)));
        assert!(!restart.matches(&facts("POST", &list)));

        let tokens = segs("/v3/auth/tokens");
        let everything = FaultRule::parse("/**;status=500;count=1").unwrap();
        assert!(everything.matches(&facts("POST", &tokens)));
        let not_iam = FaultRule::parse("/**;status=500;count=1;exclude_iam=true").unwrap();
        assert!(!not_iam.matches(&facts("POST", &tokens)));
        assert!(not_iam.matches(&facts("GET", &list)));
    }

    #[test]
    fn the_flag_form_reads_every_key() {
        let rule = FaultRule::parse(
            "POST /v2/**;operation=RestartInstance;exclude_iam=true;count=2;probability=0.5;phase=after;latency_ms=3;status=200;request_id=abc;retry_after=7;body=html",
        )
        .unwrap();
        assert_eq!(rule.method.as_deref(), Some("POST"));
        assert_eq!(rule.path.as_deref(), Some("/v2/**"));
        assert_eq!(rule.operation.as_deref(), Some("RestartInstance"));
        assert!(rule.exclude_iam);
        assert_eq!((rule.count, rule.probability), (Some(2), Some(0.5)));
        assert_eq!(rule.phase, Phase::After);
        assert_eq!((rule.latency_ms, rule.status), (3, Some(200)));
        assert_eq!(rule.request_id.as_deref(), Some("abc"));
        assert_eq!(rule.retry_after.as_deref(), Some("7"));
        assert_eq!(rule.body, Some(BodyFault::Html));
        let stall = FaultRule::parse("/x;connection=stall;stall_ms=50;count=1").unwrap();
        assert_eq!(stall.connection, Some(ConnectionFault::Stall));
        let old = FaultRule::parse("/x;error_rate=1;status=503;error_code=DMS.00500000").unwrap();
        assert_eq!(old.probability, Some(1.0));
    }

    #[test]
    fn rules_that_could_never_fire_or_be_seen_are_refused() {
        let cases = [
            ("GET x", "must start with `/`"),
            ("x", "unknown method `X`"),
            ("/x;colour=red", "unknown key `colour`"),
            ("/x;error_rate=2", "between 0 and 1"),
            ("/x;status=503", "can never fire"),
            ("/x;status=503;probability=0", "can never fire"),
            ("/x;status=503;count=0", "can never fire"),
            (
                "GET;operation=RestartInstance;count=1;status=500",
                "sent with POST",
            ),
            (
                "/x;operation=Nope;count=1;status=500",
                "unknown operation `Nope`",
            ),
            (
                "/x;connection=reset;status=500;count=1",
                "would never be seen",
            ),
            ("/x;connection=stall;count=1", "needs stall_ms"),
            ("/x;stall_ms=5;count=1;status=500", "needs connection=stall"),
            ("/x;phase=after;count=1", "phase=after needs"),
            (
                "/x;body=html;error_code=DMS.1;count=1",
                "body=html replaces",
            ),
            ("/x;body=xml;count=1", "one of empty"),
            ("/x;latency_ms=999999", "at most 120000"),
            ("/x;status=99;count=1", "HTTP status"),
        ];
        for (text, expected) in cases {
            let error = FaultRule::parse(text).unwrap_err();
            assert!(error.contains(expected), "`{text}`: {error}");
        }
        // Latency alone fires on every match, as it always did.
        assert!(FaultRule::parse("/x;latency_ms=5").is_ok());
    }
}
