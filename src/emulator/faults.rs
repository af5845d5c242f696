//! Fault injection for tests: added latency, an error rate and forced status/error codes per
//! path pattern. Off unless rules are given by flags or, when `fault_admin` is on, set through
//! the loopback-only `/_emulator/faults` endpoint.

use rand::Rng;
use serde::{Deserialize, Serialize};

/// One rule. `path` is matched against the decoded path: `*` matches one segment, `**` any
/// number of segments (including none).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// Only this method (any when absent).
    #[serde(default)]
    pub method: Option<String>,
    /// The path pattern, e.g. `/v2/*/instances/**`.
    pub path: String,
    /// Milliseconds to wait before handling.
    #[serde(default)]
    pub latency_ms: u64,
    /// The probability (0 to 1) of answering with the forced error instead.
    #[serde(default)]
    pub error_rate: f64,
    /// The forced status (default 500).
    #[serde(default)]
    pub status: Option<u16>,
    /// The forced `error_code` (default `DMS.00500000`).
    #[serde(default)]
    pub error_code: Option<String>,
}

impl FaultRule {
    /// Parses the flag form `[METHOD ]PATTERN[;latency_ms=N][;error_rate=F][;status=N][;error_code=C]`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut parts = text.split(';');
        let head = parts.next().unwrap_or_default().trim();
        let (method, path) = match head.split_once(' ') {
            Some((m, p)) => (Some(m.trim().to_ascii_uppercase()), p.trim()),
            None => (None, head),
        };
        if !path.starts_with('/') {
            return Err(format!("fault `{text}`: the pattern must start with `/`"));
        }
        let mut rule = FaultRule {
            method,
            path: path.to_owned(),
            latency_ms: 0,
            error_rate: 0.0,
            status: None,
            error_code: None,
        };
        for part in parts {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("fault `{text}`: `{part}` must be key=value"))?;
            let bad = || format!("fault `{text}`: bad value for `{key}`");
            match key.trim() {
                "latency_ms" => rule.latency_ms = value.trim().parse().map_err(|_| bad())?,
                "error_rate" => rule.error_rate = value.trim().parse().map_err(|_| bad())?,
                "status" => rule.status = Some(value.trim().parse().map_err(|_| bad())?),
                "error_code" => rule.error_code = Some(value.trim().to_owned()),
                other => {
                    return Err(format!(
                        "fault `{text}`: unknown key `{other}`; allowed: latency_ms, error_rate, status, error_code"
                    ));
                }
            }
        }
        rule.check()?;
        Ok(rule)
    }

    /// Validates ranges.
    pub fn check(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.error_rate) {
            return Err(format!(
                "fault `{}`: error_rate must be between 0 and 1",
                self.path
            ));
        }
        if let Some(status) = self.status
            && !(100..=599).contains(&status)
        {
            return Err(format!(
                "fault `{}`: status must be an HTTP status",
                self.path
            ));
        }
        if self.latency_ms > 120_000 {
            return Err(format!(
                "fault `{}`: latency_ms must be at most 120000",
                self.path
            ));
        }
        Ok(())
    }

    /// Whether the rule applies to `method` and the decoded path `segments`.
    pub fn matches(&self, method: &str, segments: &[String]) -> bool {
        if let Some(m) = &self.method
            && !m.eq_ignore_ascii_case(method)
        {
            return false;
        }
        let pattern: Vec<&str> = self.path.split('/').filter(|s| !s.is_empty()).collect();
        glob(&pattern, segments)
    }
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

/// What the matching rules decided for one request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultDecision {
    /// Total added latency.
    pub latency_ms: u64,
    /// A forced error: status and code.
    pub error: Option<(u16, String)>,
}

/// Applies every matching rule: latencies add up, the first rule that fires its error wins.
pub fn decide(
    rules: &[FaultRule],
    method: &str,
    segments: &[String],
    rng: &mut impl Rng,
) -> FaultDecision {
    let mut decision = FaultDecision::default();
    for rule in rules.iter().filter(|r| r.matches(method, segments)) {
        decision.latency_ms += rule.latency_ms;
        if decision.error.is_none()
            && rule.error_rate > 0.0
            && rng.random::<f64>() < rule.error_rate
        {
            decision.error = Some((
                rule.status.unwrap_or(500),
                rule.error_code
                    .clone()
                    .unwrap_or_else(|| "DMS.00500000".to_owned()),
            ));
        }
    }
    decision
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

    #[test]
    fn patterns_match_single_and_any_segments() {
        let rule = FaultRule::parse("GET /v2/*/instances/**;latency_ms=5").unwrap();
        assert!(rule.matches("GET", &segs("/v2/p/instances")));
        assert!(rule.matches("get", &segs("/v2/p/instances/i-1/topics")));
        assert!(!rule.matches("POST", &segs("/v2/p/instances")));
        assert!(!rule.matches("GET", &segs("/v2/rocketmq/p/instances")));
        assert!(FaultRule::parse("/x;error_rate=2").is_err());
        assert!(FaultRule::parse("x").is_err());
        assert!(FaultRule::parse("/x;colour=red").is_err());
    }

    #[test]
    fn certain_errors_always_fire_and_latencies_add_up() {
        let rules = vec![
            FaultRule::parse("/v2/**;latency_ms=10").unwrap(),
            FaultRule::parse(
                "/v2/*/instances;latency_ms=5;error_rate=1;status=503;error_code=DMS.00500000",
            )
            .unwrap(),
        ];
        let mut rng = rand::rng();
        let decision = decide(&rules, "GET", &segs("/v2/p/instances"), &mut rng);
        assert_eq!(decision.latency_ms, 15);
        assert_eq!(decision.error, Some((503, "DMS.00500000".to_owned())));
        assert_eq!(
            decide(&rules, "GET", &segs("/v1.0/p"), &mut rng),
            FaultDecision::default()
        );
    }
}
