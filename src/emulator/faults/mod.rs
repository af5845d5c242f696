//! Fault injection for tests: rules that match requests by method, path pattern and SDK
//! operation and, on the next N matches or with a probability, add latency, force an answer
//! (any status, error code and message, request id, `Retry-After`), break the body (empty,
//! not JSON, malformed JSON, an HTML page) or the connection (reset, truncation, stall),
//! either instead of the handler or after it carried the request out and committed.
//!
//! Off unless rules are given by flags or the configuration, or, when `fault_admin` is on,
//! through the loopback-only `/_emulator/faults` endpoint. `rule` is the rule and its syntax;
//! `answer` does to the wire what a fired rule says.

pub mod answer;
pub mod rule;

use rand::Rng;
use serde::Serialize;

pub use answer::{ConnectionSocket, Wire};
pub use rule::{BodyFault, ConnectionFault, FaultRule, Phase, RULE_SYNTAX, RequestFacts};

/// A rule in force, with the id that removes it and how often it fired.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActiveRule {
    /// Its id (unique for the emulator's life).
    pub id: u64,
    /// How many requests it fired on.
    pub fired: u64,
    /// How many more times it may fire, when it has a count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
    /// The rule.
    #[serde(flatten)]
    pub rule: FaultRule,
}

/// The rules in force.
#[derive(Debug, Default)]
pub struct FaultTable {
    next_id: u64,
    rules: Vec<ActiveRule>,
}

/// A rule that fired with an effect on the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Fired {
    /// The rule's id.
    pub id: u64,
    /// The rule.
    pub rule: FaultRule,
}

/// What the rules decided for one request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decision {
    /// Latency to add before handling.
    pub before_ms: u64,
    /// Latency to add after handling (rules with `phase = after`).
    pub after_ms: u64,
    /// The first rule that fired with an effect on the answer.
    pub fired: Option<Fired>,
    /// Every rule that fired, latency-only ones included.
    pub fired_ids: Vec<u64>,
}

impl FaultTable {
    /// A table holding `rules` (checked first).
    pub fn new(rules: Vec<FaultRule>) -> Result<Self, String> {
        let mut table = Self::default();
        table.replace(rules)?;
        Ok(table)
    }

    /// The rules in force.
    pub fn list(&self) -> Vec<ActiveRule> {
        self.rules.clone()
    }

    /// Replaces every rule; nothing changes when one of them is refused.
    pub fn replace(&mut self, rules: Vec<FaultRule>) -> Result<Vec<ActiveRule>, String> {
        for rule in &rules {
            rule.check()
                .map_err(|why| format!("fault `{}`: {why}", rule.label()))?;
        }
        self.rules.clear();
        for rule in rules {
            self.push(rule);
        }
        Ok(self.list())
    }

    /// Adds one rule after the others.
    pub fn add(&mut self, rule: FaultRule) -> Result<ActiveRule, String> {
        rule.check()
            .map_err(|why| format!("fault `{}`: {why}", rule.label()))?;
        Ok(self.push(rule))
    }

    fn push(&mut self, rule: FaultRule) -> ActiveRule {
        self.next_id += 1;
        let active = ActiveRule {
            id: self.next_id,
            fired: 0,
            remaining: rule.count,
            rule,
        };
        self.rules.push(active.clone());
        active
    }

    /// Removes rule `id`; false when there is none.
    pub fn remove(&mut self, id: u64) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        self.rules.len() != before
    }

    /// Whether no rule is in force.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Applies the matching rules in order: each that fires adds its latency, and the first
    /// that fires with an effect on the answer decides it. A rule only spends its count when
    /// it fires, and a rule with an effect is not tried once another has decided the answer.
    pub fn decide(&mut self, request: &RequestFacts<'_>, rng: &mut impl Rng) -> Decision {
        let mut decision = Decision::default();
        for active in self.rules.iter_mut() {
            if active.remaining == Some(0) || !active.rule.matches(request) {
                continue;
            }
            let effect = active.rule.has_effect();
            if effect && decision.fired.is_some() {
                continue;
            }
            if let Some(probability) = active.rule.probability
                && rng.random::<f64>() >= probability
            {
                continue;
            }
            if let Some(remaining) = &mut active.remaining {
                *remaining -= 1;
            }
            active.fired += 1;
            decision.fired_ids.push(active.id);
            match active.rule.phase {
                Phase::Before => decision.before_ms += active.rule.latency_ms,
                Phase::After => decision.after_ms += active.rule.latency_ms,
            }
            if effect {
                decision.fired = Some(Fired {
                    id: active.id,
                    rule: active.rule.clone(),
                });
            }
        }
        decision
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

    fn request(segments: &[String]) -> RequestFacts<'_> {
        RequestFacts {
            method: "GET",
            segments,
            operation: None,
            is_iam: false,
        }
    }

    #[test]
    fn certain_errors_always_fire_and_latencies_add_up() {
        let mut table = FaultTable::new(vec![
            FaultRule::parse("/v2/**;latency_ms=10").unwrap(),
            FaultRule::parse(
                "/v2/*/instances;latency_ms=5;error_rate=1;status=503;error_code=DMS.00500000",
            )
            .unwrap(),
        ])
        .unwrap();
        let mut rng = rand::rng();
        let path = segs("/v2/p/instances");
        let decision = table.decide(&request(&path), &mut rng);
        assert_eq!(decision.before_ms, 15);
        let fired = decision.fired.unwrap();
        assert_eq!((fired.id, fired.rule.status), (2, Some(503)));
        assert_eq!(
            table.decide(&request(&segs("/v1.0/p")), &mut rng),
            Decision::default()
        );
    }

    #[test]
    fn a_count_fires_on_the_next_matches_only_and_ids_stay_unique() {
        let mut table = FaultTable::default();
        let first = table
            .add(FaultRule::parse("/x;status=500;count=2").unwrap())
            .unwrap();
        let second = table
            .add(FaultRule::parse("/x;status=502;count=1").unwrap())
            .unwrap();
        let mut rng = rand::rng();
        let path = segs("/x");
        let statuses: Vec<Option<u16>> = (0..4)
            .map(|_| {
                table
                    .decide(&request(&path), &mut rng)
                    .fired
                    .and_then(|f| f.rule.status)
            })
            .collect();
        assert_eq!(statuses, [Some(500), Some(500), Some(502), None]);
        let listed = table.list();
        assert_eq!(
            listed
                .iter()
                .map(|r| (r.id, r.fired, r.remaining))
                .collect::<Vec<_>>(),
            [(first.id, 2, Some(0)), (second.id, 1, Some(0))]
        );
        assert!(table.remove(first.id));
        assert!(!table.remove(first.id));
        let third = table
            .add(FaultRule::parse("/x;latency_ms=1").unwrap())
            .unwrap();
        assert_eq!(third.id, 3);
        let never_fires = FaultRule {
            status: Some(500),
            ..FaultRule::default()
        };
        let refused = table.replace(vec![
            FaultRule::parse("/y;latency_ms=1").unwrap(),
            never_fires,
        ]);
        assert!(refused.unwrap_err().contains("can never fire"));
        assert_eq!(
            table.list().len(),
            2,
            "a refused replacement changes nothing"
        );
    }
}
