//! Newtypes for validated names (API reference §5.1.2, §5.1.5): parse, don't validate.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a name was refused: what it is, the input, and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} `{input}`: {rule}")]
pub struct InvalidName {
    /// What was being named.
    pub what: &'static str,
    /// The input.
    pub input: String,
    /// What is allowed.
    pub rule: &'static str,
}

/// A naming rule: length bounds and allowed characters.
#[derive(Debug, Clone, Copy)]
pub struct NameRule {
    /// What is named.
    pub what: &'static str,
    /// Shortest length.
    pub min: usize,
    /// Longest length.
    pub max: usize,
    /// Whether the first character must be an ASCII letter.
    pub letter_first: bool,
    /// Allowed punctuation besides ASCII letters and digits.
    pub punctuation: &'static str,
    /// The rule in words.
    pub description: &'static str,
}

impl NameRule {
    /// Instance names at creation: `^[A-Za-z][A-Za-z0-9_-]{3,63}$`.
    pub const INSTANCE: Self = Self {
        what: "instance name",
        min: 4,
        max: 64,
        letter_first: true,
        punctuation: "-_",
        description: "4 to 64 characters, starting with a letter, then letters, digits, `-` and `_`",
    };
    /// Instance names when renaming: `^[A-Za-z][A-Za-z0-9-]{3,63}$` (no `_`).
    pub const INSTANCE_RENAME: Self = Self {
        what: "instance name",
        min: 4,
        max: 64,
        letter_first: true,
        punctuation: "-",
        description: "4 to 64 characters, starting with a letter, then letters, digits and `-`",
    };

    /// Checks `input` against the rule.
    pub fn check(&self, input: &str) -> Result<(), InvalidName> {
        let invalid = || InvalidName {
            what: self.what,
            input: input.to_owned(),
            rule: self.description,
        };
        let length = input.chars().count();
        if length < self.min || length > self.max {
            return Err(invalid());
        }
        let mut chars = input.chars();
        if self.letter_first && !chars.next().is_some_and(|c| c.is_ascii_alphabetic()) {
            return Err(invalid());
        }
        if input
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || self.punctuation.contains(c))
        {
            Ok(())
        } else {
            Err(invalid())
        }
    }
}

/// An instance name valid for renaming (the stricter of the two rules).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InstanceName(String);

impl TryFrom<String> for InstanceName {
    type Error = InvalidName;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        NameRule::INSTANCE_RENAME.check(&value)?;
        Ok(Self(value))
    }
}

impl From<InstanceName> for String {
    fn from(value: InstanceName) -> Self {
        value.0
    }
}

impl AsRef<str> for InstanceName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InstanceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An instance id: a UUID (`8-4-4-4-12` hexadecimal), as DMS requires.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InstanceId(String);

impl TryFrom<String> for InstanceId {
    type Error = InvalidName;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        let bytes = value.as_bytes();
        let ok = bytes.len() == 36
            && bytes.iter().enumerate().all(|(i, b)| match i {
                8 | 13 | 18 | 23 => *b == b'-',
                _ => b.is_ascii_hexdigit(),
            });
        if ok {
            Ok(Self(value))
        } else {
            Err(InvalidName {
                what: "instance id",
                input: value,
                rule: "a UUID such as 11c45539-0000-0000-0000-812c41f61f30",
            })
        }
    }
}

impl From<InstanceId> for String {
    fn from(value: InstanceId) -> Self {
        value.0
    }
}

impl AsRef<str> for InstanceId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(rule: NameRule, input: &str, ok: bool) {
        assert_eq!(rule.check(input).is_ok(), ok, "{} `{input}`", rule.what);
    }

    #[test]
    fn instance_name_rules() {
        check(NameRule::INSTANCE, "orders-prod_1", true);
        check(NameRule::INSTANCE, "abc", false);
        check(NameRule::INSTANCE, "1abc", false);
        check(NameRule::INSTANCE, &"a".repeat(64), true);
        check(NameRule::INSTANCE, &"a".repeat(65), false);
        check(NameRule::INSTANCE_RENAME, "orders_prod", false);
        check(NameRule::INSTANCE_RENAME, "orders-prod", true);
        check(NameRule::INSTANCE, "订单系统", false);
    }

    #[test]
    fn instance_ids_are_uuids() {
        assert!(InstanceId::try_from("11c45539-0000-0000-0000-812c41f61f30".to_owned()).is_ok());
        let error = InstanceId::try_from("i-1".to_owned()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid instance id `i-1`: a UUID such as 11c45539-0000-0000-0000-812c41f61f30"
        );
    }
}
