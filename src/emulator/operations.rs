//! Which SDK operation a request is: the method and path templates of every operation, so
//! fault rules can name an operation and the request log can count calls per operation.
//!
//! The table (`operations.tsv`) is the operation table of Huawei's Python SDK
//! (huaweicloudsdkrocketmq 3.1.219), plus `ExportDlqMessage` (API reference §5.4.3, absent from
//! that SDK version) and IAM's `KeystoneCreateUserTokenByPassword`. Paths of the historical
//! APIs (chapter 8) have no SDK operation and are named by none. In a template `{engine}`
//! matches `rocketmq` or `reliability` and any other `{…}` one segment; when several templates
//! match, the one with the most literal segments wins, so `/v2/{project_id}/rocketmq/tags`
//! is not taken for an instance's tags.

use std::sync::OnceLock;

use super::context::is_engine;

/// One segment of a path template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Literal(&'static str),
    Engine,
    Any,
}

/// One operation: method, template and SDK name.
#[derive(Debug)]
struct Operation {
    method: &'static str,
    parts: Vec<Part>,
    name: &'static str,
}

impl Operation {
    fn literals(&self) -> usize {
        self.parts
            .iter()
            .filter(|p| matches!(p, Part::Literal(_)))
            .count()
    }

    fn matches(&self, method: &str, segments: &[String]) -> bool {
        self.method.eq_ignore_ascii_case(method)
            && self.parts.len() == segments.len()
            && self
                .parts
                .iter()
                .zip(segments)
                .all(|(part, segment)| match part {
                    Part::Literal(text) => text == segment,
                    Part::Engine => is_engine(segment),
                    Part::Any => true,
                })
    }
}

fn table() -> &'static [Operation] {
    static TABLE: OnceLock<Vec<Operation>> = OnceLock::new();
    TABLE.get_or_init(|| {
        include_str!("operations.tsv")
            .lines()
            .skip(1)
            .filter_map(|line| {
                let mut fields = line.split('\t');
                let method = fields.next()?.trim();
                let path = fields.next()?.trim();
                let name = fields.next()?.trim();
                let parts = path
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(|s| match s {
                        "{engine}" => Part::Engine,
                        s if s.starts_with('{') => Part::Any,
                        s => Part::Literal(s),
                    })
                    .collect();
                Some(Operation {
                    method,
                    parts,
                    name,
                })
            })
            .collect()
    })
}

/// The SDK operation of `method` on the decoded path `segments`, if the table knows one.
pub fn operation_of(method: &str, segments: &[String]) -> Option<&'static str> {
    table()
        .iter()
        .filter(|op| op.matches(method, segments))
        .max_by_key(|op| op.literals())
        .map(|op| op.name)
}

/// The methods the operation `name` is sent with; empty when the name is unknown.
pub fn methods_of(name: &str) -> Vec<&'static str> {
    let mut methods: Vec<&'static str> = table()
        .iter()
        .filter(|op| op.name == name)
        .map(|op| op.method)
        .collect();
    methods.dedup();
    methods
}

/// A few operation names, for error messages that list what is allowed.
pub fn examples() -> &'static str {
    "ListInstances, ShowInstance, RestartInstance, DeleteInstance, CreateTopicOrBatchDeleteTopic, KeystoneCreateUserTokenByPassword"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(method: &str, path: &str) -> Option<&'static str> {
        let segments: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        operation_of(method, &segments)
    }

    #[test]
    fn requests_are_named_by_their_sdk_operation() {
        let cases = [
            ("GET", "/v2/p/instances", Some("ListInstances")),
            (
                "POST",
                "/v2/rocketmq/p/instances",
                Some("CreateInstanceByEngine"),
            ),
            (
                "POST",
                "/v2/p/instances/action",
                Some("BatchDeleteInstances"),
            ),
            ("GET", "/v2/p/instances/i", Some("ShowInstance")),
            ("DELETE", "/v2/p/instances/i", Some("DeleteInstance")),
            (
                "POST",
                "/v2/p/rocketmq/instances/i/restart",
                Some("RestartInstance"),
            ),
            (
                "POST",
                "/v2/p/reliability/instances/i/restart",
                Some("RestartInstance"),
            ),
            (
                "GET",
                "/v2/p/rocketmq/tags",
                Some("ShowRocketmqProjectTags"),
            ),
            ("GET", "/v2/p/rocketmq/i/tags", Some("ShowRocketmqTags")),
            ("GET", "/v2/rocketmq/products", Some("ListEngineProducts")),
            (
                "GET",
                "/v2/rocketmq/products/cores",
                Some("ShowRocketMqProductCores"),
            ),
            (
                "POST",
                "/v3/auth/tokens",
                Some("KeystoneCreateUserTokenByPassword"),
            ),
            ("GET", "/v2/kafka/products", None),
            ("GET", "/v1.0/p/instances", None),
            ("PATCH", "/v2/p/instances", None),
        ];
        for (method, path, expected) in cases {
            assert_eq!(op(method, path), expected, "{method} {path}");
        }
    }

    #[test]
    fn methods_are_known_per_operation() {
        assert_eq!(methods_of("RestartInstance"), ["POST"]);
        assert!(methods_of("NoSuchOperation").is_empty());
    }
}
