//! Newtypes for validated names and ids (API reference §5.1.2, §5.1.5, §5.2.2, §5.3.1, §5.5.1,
//! §5.6.1): parse, don't validate.
//!
//! [`NameRule`] is the one table of naming rules. The console's forms and paths and the
//! emulator's request checks read the same constants, so both sides refuse the same names.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What exactly is wrong with a name, so that each caller can say it in its own words (the
/// console in the user's language, the emulator with the DMS error code of that case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Shorter or longer than the rule allows (length in characters).
    Length(usize),
    /// The first character must be an ASCII letter.
    FirstChar,
    /// A character outside the allowed set.
    Char(char),
}

/// Why a name was refused: what it is, the input, and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} `{input}`: {rule}")]
pub struct InvalidName {
    /// What was being named.
    pub what: &'static str,
    /// The input.
    pub input: String,
    /// What is allowed, in words.
    pub rule: &'static str,
    /// What broke the rule.
    pub problem: Problem,
    /// The rule that was broken.
    pub broken: NameRule,
}

/// A naming rule: length bounds (in characters) and allowed characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameRule {
    /// What is named (also the rule's key in the console's message catalogue).
    pub what: &'static str,
    /// Shortest length.
    pub min: usize,
    /// Longest length.
    pub max: usize,
    /// Whether the first character must be an ASCII letter.
    pub letter_first: bool,
    /// Allowed punctuation besides ASCII letters and digits.
    pub punctuation: &'static str,
    /// The rule in words (English; the console shows its catalogue's wording).
    pub description: &'static str,
}

impl NameRule {
    /// Instance names at creation (§5.1.2): `^[A-Za-z][A-Za-z0-9_-]{3,63}$`.
    pub const INSTANCE: Self = Self {
        what: "instance name",
        min: 4,
        max: 64,
        letter_first: true,
        punctuation: "-_",
        description: "4 to 64 characters, starting with a letter, then letters, digits, `-` and `_`",
    };
    /// Instance names when renaming (§5.1.5): `^[A-Za-z][A-Za-z0-9-]{3,63}$` (no `_`).
    pub const INSTANCE_RENAME: Self = Self {
        what: "instance name",
        min: 4,
        max: 64,
        letter_first: true,
        punctuation: "-",
        description: "4 to 64 characters, starting with a letter, then letters, digits and `-`",
    };
    /// Topic names (§5.3.1): `^[A-Za-z0-9%|_-]{3,64}$`.
    pub const TOPIC: Self = Self {
        what: "topic name",
        min: 3,
        max: 64,
        letter_first: false,
        punctuation: "%|-_",
        description: "3 to 64 characters: letters, digits, `%`, `|`, `-` and `_`",
    };
    /// Consumer group names (§5.2.2): the topic rule.
    pub const GROUP: Self = Self {
        what: "consumer group name",
        min: 3,
        max: 64,
        letter_first: false,
        punctuation: "%|-_",
        description: "3 to 64 characters: letters, digits, `%`, `|`, `-` and `_`",
    };
    /// ACL user names, the `access_key` (§5.5.1): a letter, then 6 to 63 letters, digits, `-`, `_`.
    pub const ACL_USER: Self = Self {
        what: "ACL user name",
        min: 7,
        max: 64,
        letter_first: true,
        punctuation: "-_",
        description: "7 to 64 characters, starting with a letter, then letters, digits, `-` and `_`",
    };
    /// Metadata migration task names (§5.6.1): the instance-name rule.
    pub const MIGRATION_TASK: Self = Self {
        what: "migration task name",
        ..Self::INSTANCE
    };
    /// Message ids: an offset message id or a UNIQ_KEY, hexadecimal in practice (the API
    /// reference's own examples print a letter `O` for a zero, so any ASCII letter passes).
    pub const MESSAGE_ID: Self = Self {
        what: "message id",
        min: 1,
        max: 128,
        letter_first: false,
        punctuation: "",
        description: "1 to 128 letters and digits",
    };

    /// Every rule, for tests and documentation.
    pub const ALL: [Self; 7] = [
        Self::INSTANCE,
        Self::INSTANCE_RENAME,
        Self::TOPIC,
        Self::GROUP,
        Self::ACL_USER,
        Self::MIGRATION_TASK,
        Self::MESSAGE_ID,
    ];

    /// Whether `c` may appear in a name (ignoring the first-letter rule).
    pub fn allows(&self, c: char) -> bool {
        c.is_ascii_alphanumeric() || (c.is_ascii() && self.punctuation.contains(c))
    }

    /// Checks `input` against the rule. A bad character is reported before a bad length, so
    /// the message points at what to fix first.
    pub fn check(&self, input: &str) -> Result<(), InvalidName> {
        let invalid = |problem| InvalidName {
            what: self.what,
            input: input.to_owned(),
            rule: self.description,
            problem,
            broken: *self,
        };
        if let Some(bad) = input.chars().find(|c| !self.allows(*c)) {
            return Err(invalid(Problem::Char(bad)));
        }
        if self.letter_first
            && let Some(first) = input.chars().next()
            && !first.is_ascii_alphabetic()
        {
            return Err(invalid(Problem::FirstChar));
        }
        let length = input.chars().count();
        if length < self.min || length > self.max {
            return Err(invalid(Problem::Length(length)));
        }
        Ok(())
    }

    /// The HTML `pattern` attribute that checks the rule in the browser (the server checks
    /// again).
    pub fn html_pattern(&self) -> String {
        let mut class = String::from("A-Za-z0-9");
        for c in self.punctuation.chars() {
            // Inside a character class of a `v`-mode pattern these need escaping.
            if "|-%".contains(c) {
                class.push('\\');
            }
            class.push(c);
        }
        if self.letter_first {
            format!("[A-Za-z][{class}]{{{},{}}}", self.min - 1, self.max - 1)
        } else {
            format!("[{class}]{{{},{}}}", self.min, self.max)
        }
    }
}

/// Declares a validated string newtype checked by a [`NameRule`].
macro_rules! name_type {
    ($(#[$doc:meta])* $name:ident, $rule:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The rule names of this kind follow.
            pub const RULE: NameRule = $rule;

            /// The name as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidName;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::RULE.check(&value)?;
                Ok(Self(value))
            }
        }

        impl TryFrom<&str> for $name {
            type Error = InvalidName;
            fn try_from(value: &str) -> Result<Self, Self::Error> {
                Self::try_from(value.to_owned())
            }
        }

        impl std::str::FromStr for $name {
            type Err = InvalidName;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Self::try_from(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

name_type!(
    /// An instance name valid for renaming (the stricter of the two instance rules).
    InstanceName,
    NameRule::INSTANCE_RENAME
);
name_type!(
    /// A topic name (API reference §5.3.1).
    TopicName,
    NameRule::TOPIC
);
name_type!(
    /// A consumer group name (API reference §5.2.2).
    GroupName,
    NameRule::GROUP
);
name_type!(
    /// An ACL user name, DMS's `access_key` (API reference §5.5.1).
    AclUserName,
    NameRule::ACL_USER
);
name_type!(
    /// A message id: an offset message id or a UNIQ_KEY.
    MessageId,
    NameRule::MESSAGE_ID
);

/// An instance id: a UUID (`8-4-4-4-12` hexadecimal), as DMS requires.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct InstanceId(String);

impl InstanceId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for InstanceId {
    type Error = InvalidName;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        let bytes = value.as_bytes();
        let bad = bytes.iter().enumerate().find(|(i, b)| match i {
            8 | 13 | 18 | 23 => **b != b'-',
            _ => !b.is_ascii_hexdigit(),
        });
        let problem = match (bytes.len(), bad) {
            (36, None) => return Ok(Self(value)),
            (_, Some((i, _))) => Problem::Char(value[i..].chars().next().unwrap_or('?')),
            (length, None) => Problem::Length(length),
        };
        Err(InvalidName {
            what: "instance id",
            input: value,
            rule: "a UUID such as 11c45539-0000-0000-0000-812c41f61f30",
            problem,
            broken: NameRule {
                what: "instance id",
                min: 36,
                max: 36,
                letter_first: false,
                punctuation: "-",
                description: "a UUID such as 11c45539-0000-0000-0000-812c41f61f30",
            },
        })
    }
}

impl TryFrom<&str> for InstanceId {
    type Error = InvalidName;
    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::try_from(value.to_owned())
    }
}

impl std::str::FromStr for InstanceId {
    type Err = InvalidName;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::try_from(value)
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

    fn check(rule: NameRule, input: &str, expected: Result<(), Problem>) {
        assert_eq!(
            rule.check(input).map_err(|e| e.problem),
            expected,
            "{} `{input}`",
            rule.what
        );
    }

    #[test]
    fn instance_name_rules() {
        check(NameRule::INSTANCE, "orders-prod_1", Ok(()));
        check(NameRule::INSTANCE, "abc", Err(Problem::Length(3)));
        check(NameRule::INSTANCE, "1abc", Err(Problem::FirstChar));
        check(NameRule::INSTANCE, &"a".repeat(64), Ok(()));
        check(NameRule::INSTANCE, &"a".repeat(65), Err(Problem::Length(65)));
        check(NameRule::INSTANCE_RENAME, "orders_prod", Err(Problem::Char('_')));
        check(NameRule::INSTANCE_RENAME, "orders-prod", Ok(()));
        check(NameRule::INSTANCE, "订单系统", Err(Problem::Char('订')));
    }

    #[test]
    fn topic_and_group_names_follow_the_reference_rule() {
        for rule in [NameRule::TOPIC, NameRule::GROUP] {
            for good in ["abc", "a%b|c-d_e", &"x".repeat(64), "%DLQ%group", "123"] {
                check(rule, good, Ok(()));
            }
            check(rule, "ab", Err(Problem::Length(2)));
            check(rule, "", Err(Problem::Length(0)));
            check(rule, "a b c", Err(Problem::Char(' ')));
            check(rule, "topic.1", Err(Problem::Char('.')));
            check(rule, &"x".repeat(65), Err(Problem::Length(65)));
            check(rule, "tópico", Err(Problem::Char('ó')));
        }
    }

    #[test]
    fn a_64_character_topic_name_is_valid_and_65_is_not() {
        assert!(TopicName::try_from("t".repeat(64)).is_ok());
        assert!(TopicName::try_from("t".repeat(65)).is_err());
    }

    #[test]
    fn acl_user_names_start_with_a_letter() {
        check(NameRule::ACL_USER, "app_user-1", Ok(()));
        check(NameRule::ACL_USER, "1app_user", Err(Problem::FirstChar));
        check(NameRule::ACL_USER, "short", Err(Problem::Length(5)));
        check(NameRule::ACL_USER, "app.user1", Err(Problem::Char('.')));
        check(NameRule::ACL_USER, &"a".repeat(65), Err(Problem::Length(65)));
    }

    #[test]
    fn message_ids_are_letters_and_digits() {
        check(
            NameRule::MESSAGE_ID,
            "C0A8011700002774000000000013B19D",
            Ok(()),
        );
        check(NameRule::MESSAGE_ID, "C0A8/../x", Err(Problem::Char('/')));
        check(NameRule::MESSAGE_ID, "", Err(Problem::Length(0)));
    }

    #[test]
    fn html_patterns_match_what_the_server_accepts() {
        assert_eq!(NameRule::TOPIC.html_pattern(), "[A-Za-z0-9\\%\\|\\-_]{3,64}");
        assert_eq!(
            NameRule::ACL_USER.html_pattern(),
            "[A-Za-z][A-Za-z0-9\\-_]{6,63}"
        );
    }

    #[test]
    fn instance_ids_are_uuids() {
        assert!(InstanceId::try_from("11c45539-0000-0000-0000-812c41f61f30").is_ok());
        let error = InstanceId::try_from("i-1").unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid instance id `i-1`: a UUID such as 11c45539-0000-0000-0000-812c41f61f30"
        );
        assert_eq!(
            InstanceId::try_from("../../etc/passwd").unwrap_err().problem,
            Problem::Char('.')
        );
    }
}
