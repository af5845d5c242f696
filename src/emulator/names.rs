//! Input rules shared by the metadata modules (topics, consumer groups, ACL users, metadata
//! migration): the name rules, the permission enums, and typed readers of JSON body fields
//! that answer the documented error codes with a message naming the field.
//!
//! The name rules themselves are `crate::domain::NameRule`, the one table the console's forms
//! read too; this module only says which DMS error code each broken rule answers.
//!
//! It owns no documents and no routes.

use serde_json::{Map, Value};

use super::error::DmsError;
use crate::domain::{NameRule, Problem};

/// What is wrong with `name` under `rule`, and the message that says so, or `None` when it is
/// valid.
fn broken(rule: NameRule, name: &str) -> Option<(Problem, String)> {
    let invalid = rule.check(name).err()?;
    let what = invalid.what;
    let why = match invalid.problem {
        Problem::Char(c) => format!("The {what} `{name}` contains `{c}`"),
        Problem::FirstChar => format!("The {what} `{name}` does not start with a letter"),
        Problem::Length(length) => format!("The {what} `{name}` has {length} characters"),
    };
    Some((
        invalid.problem,
        format!("{why}; allowed: {}.", invalid.rule),
    ))
}

/// Checks a topic name (`NameRule::TOPIC`): `DMS.10240007` for a character outside the rule,
/// `DMS.00400800` for a length outside 3–64.
pub fn check_topic_name(name: &str) -> Result<(), DmsError> {
    match broken(NameRule::TOPIC, name) {
        None => Ok(()),
        Some((Problem::Char(_), why)) => Err(DmsError::of("DMS.10240007").detail(why)),
        Some((_, why)) => Err(DmsError::of("DMS.00400800").detail(why)),
    }
}

/// Checks a consumer group name (`NameRule::GROUP`): `DMS.10240016` (invalid group ID format)
/// for any violation.
pub fn check_group_name(name: &str) -> Result<(), DmsError> {
    match broken(NameRule::GROUP, name) {
        None => Ok(()),
        Some((_, why)) => Err(DmsError::of("DMS.10240016").detail(why)),
    }
}

/// Checks an ACL user name, the `access_key` (`NameRule::ACL_USER`): `DMS.00400015` for any
/// violation.
pub fn check_access_key(name: &str) -> Result<(), DmsError> {
    match broken(NameRule::ACL_USER, name) {
        None => Ok(()),
        Some((_, why)) => Err(DmsError::of("DMS.00400015").detail(why)),
    }
}

/// Checks a migration task name (`NameRule::MIGRATION_TASK`, the instance-name rule):
/// `DMS.00400800` for any violation.
pub fn check_task_name(name: &str) -> Result<(), DmsError> {
    match broken(NameRule::MIGRATION_TASK, name) {
        None => Ok(()),
        Some((_, why)) => Err(DmsError::of("DMS.00400800").detail(why)),
    }
}

/// The special characters a secret key may contain (API reference).
pub const SECRET_SPECIALS: &str = "`~!@#$%^&*()-_=+\\|[{}];:'\",<.>/?";

/// Checks an ACL secret key against its user name (API reference): 8–32 characters from
/// letters, digits and [`SECRET_SPECIALS`], at least three of the four classes, different from
/// the name and the reversed name. `DMS.00400019` otherwise. The secret is never quoted back.
pub fn check_secret_key(secret: &str, access_key: &str) -> Result<(), DmsError> {
    let fail = |why: &str| Err(DmsError::of("DMS.00400019").detail(why));
    let length = secret.chars().count();
    if !(8..=32).contains(&length) {
        return fail("The secret key must be 8 to 32 characters long.");
    }
    if secret
        .chars()
        .any(|c| !(c.is_ascii_alphanumeric() || SECRET_SPECIALS.contains(c)))
    {
        return fail(
            "The secret key may contain only letters, digits and the special characters `~!@#$%^&*()-_=+\\|[{}];:'\",<.>/?",
        );
    }
    let classes = [
        secret.chars().any(|c| c.is_ascii_uppercase()),
        secret.chars().any(|c| c.is_ascii_lowercase()),
        secret.chars().any(|c| c.is_ascii_digit()),
        secret.chars().any(|c| SECRET_SPECIALS.contains(c)),
    ];
    if classes.iter().filter(|present| **present).count() < 3 {
        return fail(
            "The secret key needs at least three of: upper-case letters, lower-case letters, digits, special characters.",
        );
    }
    let reversed: String = access_key.chars().rev().collect();
    if secret == access_key || secret == reversed {
        return fail("The secret key must differ from the user name and the reversed user name.");
    }
    Ok(())
}

/// ACL permissions on topics (API reference).
pub const TOPIC_PERMS: &[&str] = &["PUB", "SUB", "PUB|SUB", "DENY"];

/// Checks an ACL topic permission.
pub fn topic_perm(value: &str, field: &str) -> Result<String, DmsError> {
    if TOPIC_PERMS.contains(&value) {
        Ok(value.to_owned())
    } else {
        Err(DmsError::bad_body(format!(
            "`{field}` is `{value}`; allowed are PUB, SUB, PUB|SUB and DENY."
        )))
    }
}

/// Checks an ACL group permission: `SUB` or `DENY`; the API reference's `PUB|SUB` is accepted and
/// stored as `SUB`, since a group can only subscribe (API reference).
pub fn group_perm(value: &str, field: &str) -> Result<String, DmsError> {
    match value {
        "SUB" | "PUB|SUB" => Ok("SUB".to_owned()),
        "DENY" => Ok("DENY".to_owned()),
        _ => Err(DmsError::bad_body(format!(
            "`{field}` is `{value}`; allowed are SUB and DENY."
        ))),
    }
}

/// A string field; `null` counts as absent.
pub fn string<'v>(value: Option<&'v Value>, field: &str) -> Result<Option<&'v str>, DmsError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(other) => Err(DmsError::bad_body(format!(
            "`{field}` must be a string, not {other}."
        ))),
    }
}

/// A boolean field; `null` counts as absent.
pub fn boolean(value: Option<&Value>, field: &str) -> Result<Option<bool>, DmsError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(flag)) => Ok(Some(*flag)),
        Some(other) => Err(DmsError::bad_body(format!(
            "`{field}` must be true or false, not {other}."
        ))),
    }
}

/// An integer field in `min..=max` (integral floats such as `3.0` are accepted, since the SDK
/// types several counts as floats); `null` counts as absent.
pub fn integer(
    value: Option<&Value>,
    field: &str,
    min: i64,
    max: i64,
) -> Result<Option<i64>, DmsError> {
    let number = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(number)) => number.as_i64().or_else(|| {
            number
                .as_f64()
                .filter(|f| f.fract() == 0.0)
                .map(|f| f as i64)
        }),
        Some(_) => None,
    };
    match number {
        Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(DmsError::bad_body(format!(
            "`{field}` must be an integer from {min} to {max}; got {}.",
            value.map(Value::to_string).unwrap_or_default()
        ))),
    }
}

/// An array field; `null` counts as absent.
pub fn array<'v>(value: Option<&'v Value>, field: &str) -> Result<Option<&'v [Value]>, DmsError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items)),
        Some(other) => Err(DmsError::bad_body(format!(
            "`{field}` must be an array, not {other}."
        ))),
    }
}

/// An array-of-strings field; `null` counts as absent.
pub fn strings(value: Option<&Value>, field: &str) -> Result<Option<Vec<String>>, DmsError> {
    let Some(items) = array(value, field)? else {
        return Ok(None);
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            item.as_str().map(str::to_owned).ok_or_else(|| {
                DmsError::bad_body(format!("`{field}[{index}]` must be a string, not {item}."))
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// An object field; `null` counts as absent.
pub fn object<'v>(
    value: Option<&'v Value>,
    field: &str,
) -> Result<Option<&'v Map<String, Value>>, DmsError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(other) => Err(DmsError::bad_body(format!(
            "`{field}` must be an object, not {other}."
        ))),
    }
}

/// A required array-of-names field of a batch operation: present, non-empty, strings, without
/// repetitions (a repeated name is dropped).
pub fn name_list(body: &Map<String, Value>, field: &str) -> Result<Vec<String>, DmsError> {
    let names = strings(body.get(field), field)?.unwrap_or_default();
    if names.is_empty() {
        return Err(DmsError::bad_body(format!(
            "`{field}` must be a non-empty array of names."
        )));
    }
    let mut unique: Vec<String> = Vec::with_capacity(names.len());
    for name in names {
        if !unique.contains(&name) {
            unique.push(name);
        }
    }
    Ok(unique)
}

/// A copy of a stored document without the internal `_emu` object.
pub fn public(document: &Value) -> Value {
    let mut copy = document.clone();
    if let Some(map) = copy.as_object_mut() {
        map.remove("_emu");
    }
    copy
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_broken_name_rule_answers_its_dms_code() {
        for good in ["abc", "a%b|c-d_e", &"x".repeat(64), "%DLQ%group"] {
            assert!(check_topic_name(good).is_ok(), "{good}");
            assert!(check_group_name(good).is_ok(), "{good}");
        }
        for (bad, code) in [
            ("a#b", "DMS.10240007"),
            ("topic.1", "DMS.10240007"),
            ("tópico", "DMS.10240007"),
            ("ab", "DMS.00400800"),
            ("", "DMS.00400800"),
            (&"x".repeat(65), "DMS.00400800"),
        ] {
            assert_eq!(check_topic_name(bad).unwrap_err().code, code, "{bad}");
            assert_eq!(
                check_group_name(bad).unwrap_err().code,
                "DMS.10240016",
                "{bad}"
            );
        }
        assert!(check_task_name("task-1_a").is_ok());
        for bad in ["1task", "abc", "task.1", &"t".repeat(65)] {
            assert_eq!(
                check_task_name(bad).unwrap_err().code,
                "DMS.00400800",
                "{bad}"
            );
        }
    }

    #[test]
    fn messages_name_the_input_and_the_rule() {
        let error = check_topic_name("a#b").unwrap_err();
        assert!(
            error
                .message
                .contains("The topic name `a#b` contains `#`; allowed: 3 to 64"),
            "{}",
            error.message
        );
        let error = check_access_key("1app_user").unwrap_err();
        assert!(
            error.message.contains("does not start with a letter"),
            "{}",
            error.message
        );
    }

    #[test]
    fn acl_user_names_and_secrets_follow_catalogue_b_s9() {
        assert!(check_access_key("app_user-1").is_ok());
        for bad in ["1app_user", "short", "app.user1", &"a".repeat(65)] {
            assert_eq!(
                check_access_key(bad).unwrap_err().code,
                "DMS.00400015",
                "{bad}"
            );
        }
        assert!(check_secret_key("Secret_123", "app_user").is_ok());
        assert!(check_secret_key("secret123!", "app_user").is_ok());
        for bad in ["Sh0rt!", "alllowercase1", "NoDigitsNoSpecial", "Secret 123"] {
            assert_eq!(
                check_secret_key(bad, "app_user").unwrap_err().code,
                "DMS.00400019",
                "{bad}"
            );
        }
        assert!(check_secret_key("App_user1", "App_user1").is_err());
        assert!(check_secret_key("1resu_ppA", "App_user1").is_err());
    }

    #[test]
    fn integers_accept_integral_floats_and_refuse_the_rest() {
        let value = serde_json::json!(3.0);
        assert_eq!(integer(Some(&value), "n", 1, 50).unwrap(), Some(3));
        for bad in [
            serde_json::json!(3.5),
            serde_json::json!("3"),
            serde_json::json!(51),
        ] {
            assert_eq!(
                integer(Some(&bad), "n", 1, 50).unwrap_err().code,
                "DMS.00400005"
            );
        }
        assert_eq!(
            integer(Some(&Value::Null), "n", 1, 50).unwrap(),
            None,
            "null is absent"
        );
    }
}
