//! The description of one DMS call: operation name, method, path, query, body and retry policy.
//!
//! Operation methods in `ops` build a [`Call`]; only `client` turns it into HTTP. Paths are
//! made of literal segments, the project placeholder and caller-supplied values, and the
//! values are percent-encoded the way the official SDK encodes path parameters.

use std::fmt;

use serde::Serialize;

use super::error::{ApiError, ErrorKind};

/// The engine segment of engine-prefixed paths. `reliability` is an alias the API reference also uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// `rocketmq`.
    #[default]
    Rocketmq,
    /// `reliability`, the historical name of the same engine.
    Reliability,
}

impl Engine {
    /// The path and query value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rocketmq => "rocketmq",
            Self::Reliability => "reliability",
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Engine {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "rocketmq" => Ok(Self::Rocketmq),
            "reliability" => Ok(Self::Reliability),
            other => Err(format!(
                "unknown engine `{other}`; allowed: rocketmq, reliability"
            )),
        }
    }
}

/// One path segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A fixed segment, sent as is.
    Literal(&'static str),
    /// The project id of the client's credentials.
    Project,
    /// The client's engine.
    Engine,
    /// A caller-supplied value, percent-encoded on the way out.
    Value(String),
}

/// A DMS resource path, e.g. `/v2/{project_id}/instances/{instance_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApiPath {
    segments: Vec<Segment>,
}

impl ApiPath {
    /// A path from literal segments separated by `/`, e.g. `ApiPath::new("v2")`.
    pub fn new(literal: &'static str) -> Self {
        let mut path = Self {
            segments: Vec::with_capacity(8),
        };
        path.push_literal(literal);
        path
    }

    fn push_literal(&mut self, literal: &'static str) {
        for part in literal.split('/').filter(|p| !p.is_empty()) {
            self.segments.push(Segment::Literal(part));
        }
    }

    /// Appends literal segments (`"instances"` or `"messages/deadletter-resend"`).
    pub fn lit(mut self, literal: &'static str) -> Self {
        self.push_literal(literal);
        self
    }

    /// Appends the project id.
    pub fn project(mut self) -> Self {
        self.segments.push(Segment::Project);
        self
    }

    /// Appends the engine.
    pub fn engine(mut self) -> Self {
        self.segments.push(Segment::Engine);
        self
    }

    /// Appends a caller-supplied value (an instance id, a topic or group name…).
    pub fn value(mut self, value: impl fmt::Display) -> Self {
        self.segments.push(Segment::Value(value.to_string()));
        self
    }

    /// The segments.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Renders the path as sent: every value and the project id percent-encoded with only the
    /// RFC 3986 unreserved characters left as they are.
    pub fn render(&self, project_id: &str, engine: Engine) -> String {
        let mut out = String::with_capacity(96);
        for segment in &self.segments {
            out.push('/');
            match segment {
                Segment::Literal(text) => out.push_str(text),
                Segment::Project => out.push_str(&crate::signing::encode(project_id)),
                Segment::Engine => out.push_str(engine.as_str()),
                Segment::Value(value) => out.push_str(&crate::signing::encode(value)),
            }
        }
        out
    }

    /// Whether the path contains the project id.
    pub fn needs_project(&self) -> bool {
        self.segments.contains(&Segment::Project)
    }

    /// The path as a template, for logs and metrics (`/v2/{project_id}/instances/{…}`).
    pub fn template(&self) -> String {
        let mut out = String::new();
        for segment in &self.segments {
            out.push('/');
            match segment {
                Segment::Literal(text) => out.push_str(text),
                Segment::Project => out.push_str("{project_id}"),
                Segment::Engine => out.push_str("{engine}"),
                Segment::Value(_) => out.push_str("{…}"),
            }
        }
        out
    }
}

/// Query parameters in the order given; `None` values are left out, as the SDK does.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// An empty query.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `name=value`.
    pub fn set(mut self, name: &str, value: impl fmt::Display) -> Self {
        self.pairs.push((name.to_owned(), value.to_string()));
        self
    }

    /// Adds `name=value` when `value` is `Some`.
    pub fn opt<V: fmt::Display>(self, name: &str, value: Option<V>) -> Self {
        match value {
            Some(value) => self.set(name, value),
            None => self,
        }
    }

    /// Adds one `name=value` pair per element (the SDK's list parameters).
    pub fn each<V: fmt::Display>(
        mut self,
        name: &str,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        for value in values {
            self.pairs.push((name.to_owned(), value.to_string()));
        }
        self
    }

    /// The raw pairs.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// Consumes the query into its raw pairs.
    pub fn into_pairs(self) -> Vec<(String, String)> {
        self.pairs
    }
}

/// When a failed attempt may be repeated. Chosen per operation, never by
/// HTTP method: DMS uses POST for reads-free actions such as restart and DLQ resend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryPolicy {
    /// A read: up to the configured number of retries on connect errors, 502/504, 429 and
    /// flow control, with jittered backoff and `Retry-After` honoured within a cap.
    Read,
    /// A mutation that must run at most once: never repeated, whatever happened.
    Never,
    /// A mutation repeated at most once, and only when the connection could not be opened,
    /// so no byte of it reached DMS (single deletes).
    ConnectOnce,
    /// An idempotent replacement (PUT of the same body): repeated at most once on connect
    /// errors, 502 and 504.
    IdempotentOnce,
}

impl RetryPolicy {
    /// Whether the call changes state (decides the timeout and the log wording).
    pub fn is_mutation(self) -> bool {
        !matches!(self, Self::Read)
    }
}

/// HTTP methods DMS uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// DELETE.
    Delete,
}

impl Method {
    /// The upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Delete => "DELETE",
        }
    }
}

impl std::str::FromStr for Method {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_uppercase().as_str() {
            "GET" => Ok(Self::Get),
            "POST" => Ok(Self::Post),
            "PUT" => Ok(Self::Put),
            "DELETE" => Ok(Self::Delete),
            _ => Err(format!(
                "unsupported HTTP method `{s}`; allowed: GET, POST, PUT, DELETE"
            )),
        }
    }
}

/// Everything needed to send one DMS request.
#[derive(Debug, Clone)]
pub struct Call {
    /// The Huawei SDK operation name (`ListInstances`), for errors, logs and metrics.
    pub operation: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path.
    pub path: ApiPath,
    /// The query.
    pub query: Query,
    /// The JSON body bytes, if any.
    pub body: Option<Vec<u8>>,
    /// When the call may be repeated.
    pub retry: RetryPolicy,
}

impl Call {
    fn new(operation: &'static str, method: Method, path: ApiPath, retry: RetryPolicy) -> Self {
        Self {
            operation,
            method,
            path,
            query: Query::new(),
            body: None,
            retry,
        }
    }

    /// A GET (a read, retried per [`RetryPolicy::Read`]).
    pub fn get(operation: &'static str, path: ApiPath) -> Self {
        Self::new(operation, Method::Get, path, RetryPolicy::Read)
    }

    /// A POST that changes state and is never repeated.
    pub fn post(operation: &'static str, path: ApiPath) -> Self {
        Self::new(operation, Method::Post, path, RetryPolicy::Never)
    }

    /// A POST that only reads (DMS has a few, e.g. the DLQ export); retried like a GET.
    pub fn post_read(operation: &'static str, path: ApiPath) -> Self {
        Self::new(operation, Method::Post, path, RetryPolicy::Read)
    }

    /// A PUT: an idempotent replacement, repeated at most once.
    pub fn put(operation: &'static str, path: ApiPath) -> Self {
        Self::new(operation, Method::Put, path, RetryPolicy::IdempotentOnce)
    }

    /// A DELETE, repeated at most once and only if the connection never opened.
    pub fn delete(operation: &'static str, path: ApiPath) -> Self {
        Self::new(operation, Method::Delete, path, RetryPolicy::ConnectOnce)
    }

    /// Sets the query.
    pub fn query(mut self, query: Query) -> Self {
        self.query = query;
        self
    }

    /// Sets the JSON body. Serialised once, here, so the bytes signed are the bytes sent.
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self, ApiError> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            ApiError::local(
                self.operation,
                ErrorKind::Request,
                format!("could not encode the request body: {e}"),
            )
        })?;
        self.body = Some(bytes);
        Ok(self)
    }

    /// Overrides the retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_encoded_like_the_sdk_encodes_path_parameters() {
        let path = ApiPath::new("v2")
            .engine()
            .project()
            .lit("instances")
            .value("i-1")
            .lit("groups")
            .value("%DLQ%a|b c/d");
        assert_eq!(
            path.render("0123", Engine::Reliability),
            "/v2/reliability/0123/instances/i-1/groups/%25DLQ%25a%7Cb%20c%2Fd"
        );
        assert_eq!(
            path.template(),
            "/v2/{engine}/{project_id}/instances/{…}/groups/{…}"
        );
    }

    #[test]
    fn none_query_values_are_left_out() {
        let query = Query::new()
            .set("limit", 10)
            .opt("name", None::<&str>)
            .opt("status", Some("RUNNING"))
            .set("flag", true);
        assert_eq!(
            query.pairs(),
            &[
                ("limit".into(), "10".into()),
                ("status".into(), "RUNNING".into()),
                ("flag".into(), "true".into())
            ]
        );
    }
}
