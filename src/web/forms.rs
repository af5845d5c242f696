//! Forms: one pattern for every form of the console.
//!
//! A handler deserializes the raw form (every field a `String`, so nothing the user typed is
//! lost), converts it with `TryFrom` into a typed command that fails with [`FormErrors`]
//! (field → message), and on failure renders the form again with the status 422 and a
//! [`FormView`]: what the user typed plus the message next to each field. DMS validation
//! errors are put next to the field they concern the same way ([`FormErrors::from_dms`]).
//! The shared macros of `templates/_forms.html` draw the fields.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::api::{ApiError, ErrorKind};
use crate::domain::{InvalidName, NameRule, Problem};

use super::i18n::{Lang, Msg};

/// Messages by field name; the field `_form` holds a message about the whole form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormErrors(BTreeMap<String, Msg>);

impl FormErrors {
    /// No errors.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `message` to `field` (the first message of a field wins).
    pub fn add(&mut self, field: &str, message: Msg) {
        self.0.entry(field.to_owned()).or_insert(message);
    }

    /// Adds `other`'s messages (a field's first message still wins).
    pub fn merge(&mut self, other: FormErrors) {
        for (field, message) in other.0 {
            self.0.entry(field).or_insert(message);
        }
    }

    /// Whether there is nothing to complain about.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message of `field`.
    pub fn get(&self, field: &str) -> Option<&Msg> {
        self.0.get(field)
    }

    /// The fields with a message.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// `Ok(self)`'s opposite: `Err(self)` when there are errors.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, Self> {
        if self.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }

    /// Records a failed parse of `field` and returns the value when it succeeded.
    pub fn check<T>(&mut self, field: &str, result: Result<T, InvalidName>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(invalid) => {
                self.add(field, name_message(&invalid));
                None
            }
        }
    }

    /// A required text field: its trimmed value, or a "required" message.
    pub fn required<'a>(&mut self, field: &str, value: &'a str) -> Option<&'a str> {
        let value = value.trim();
        if value.is_empty() {
            self.add(field, Msg::new("form-required"));
            None
        } else {
            Some(value)
        }
    }

    /// An integer field within `min..=max`; empty gives `default` when there is one.
    pub fn integer(
        &mut self,
        field: &str,
        value: &str,
        min: i64,
        max: i64,
        default: Option<i64>,
    ) -> Option<i64> {
        let value = value.trim();
        if value.is_empty()
            && let Some(default) = default
        {
            return Some(default);
        }
        match value.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.add(
                    field,
                    Msg::new("form-integer-range")
                        .arg("min", min)
                        .arg("max", max),
                );
                None
            }
        }
    }

    /// Text of at most `max` characters.
    pub fn max_chars<'a>(&mut self, field: &str, value: &'a str, max: usize) -> Option<&'a str> {
        if value.chars().count() > max {
            self.add(field, Msg::new("form-too-long").arg("max", max));
            None
        } else {
            Some(value)
        }
    }

    /// One of `allowed`.
    pub fn one_of<'a>(&mut self, field: &str, value: &'a str, allowed: &[&str]) -> Option<&'a str> {
        if allowed.contains(&value) {
            Some(value)
        } else {
            self.add(
                field,
                Msg::new("form-one-of").text("allowed", allowed.join(", ")),
            );
            None
        }
    }

    /// Puts a refusal from DMS next to `field` when it is a validation error (the user can
    /// fix it there); returns whether it did.
    pub fn from_dms(&mut self, field: &str, error: &ApiError) -> bool {
        if matches!(error.kind, ErrorKind::Validation | ErrorKind::Conflict) {
            let mut message = Msg::new("form-dms-refused").arg("detail", error.message.clone());
            if let Some(code) = &error.code {
                message = message.text("code", code.clone());
            } else {
                message = message.text("code", "-");
            }
            self.add(field, message);
            true
        } else {
            false
        }
    }
}

/// The form field a DMS refusal is about: the first of `fields` its message names in
/// backquotes (the emulator's and DMS's way of naming a parameter), or `by_code`'s field
/// for its error code, else `fallback`.
pub fn refused_field<'a>(
    error: &ApiError,
    fields: &[&'a str],
    by_code: &[(&str, &'a str)],
    fallback: &'a str,
) -> &'a str {
    fields
        .iter()
        .find(|f| error.message.contains(&format!("`{f}`")))
        .copied()
        .or_else(|| {
            by_code
                .iter()
                .find(|(code, _)| error.code.as_deref() == Some(*code))
                .map(|(_, field)| *field)
        })
        .unwrap_or(fallback)
}

/// What to say about a name that breaks its rule.
pub fn name_message(invalid: &InvalidName) -> Msg {
    let rule = rule_key(&invalid.broken);
    match invalid.problem {
        Problem::Char(c) => Msg::new("name-bad-char")
            .arg("char", c.to_string())
            .arg("rule", Msg::new(rule)),
        Problem::FirstChar => Msg::new("name-first-letter").arg("rule", Msg::new(rule)),
        Problem::Length(length) => Msg::new("name-bad-length")
            .arg("length", length)
            .arg("rule", Msg::new(rule)),
    }
}

/// The catalogue key of a name rule's description.
pub fn rule_key(rule: &NameRule) -> &'static str {
    match rule.what {
        "topic name" => "rule-topic",
        "consumer group name" => "rule-group",
        "ACL user name" => "rule-acl-user",
        "migration task name" => "rule-task",
        "message id" => "rule-message-id",
        "instance id" => "rule-instance-id",
        _ if rule.punctuation == "-" => "rule-instance-rename",
        _ => "rule-instance",
    }
}

/// A form as the template shows it: what the user typed and the message of each field.
#[derive(Debug, Clone, Default)]
pub struct FormView {
    lang: Lang,
    values: BTreeMap<String, String>,
    errors: FormErrors,
}

impl FormView {
    /// The form `raw` (any struct whose fields serialize to strings, numbers or booleans)
    /// with `errors`.
    pub fn of<T: Serialize>(lang: Lang, raw: &T, errors: FormErrors) -> Self {
        let values = match serde_json::to_value(raw) {
            Ok(serde_json::Value::Object(map)) => map
                .into_iter()
                .map(|(k, v)| {
                    let text = match v {
                        serde_json::Value::String(s) => s,
                        serde_json::Value::Null => String::new(),
                        other => other.to_string(),
                    };
                    (k, text)
                })
                .collect(),
            _ => BTreeMap::new(),
        };
        Self {
            lang,
            values,
            errors,
        }
    }

    /// An empty form.
    pub fn empty(lang: Lang) -> Self {
        Self {
            lang,
            ..Self::default()
        }
    }

    /// Sets a value (e.g. a default before first display).
    pub fn set(&mut self, field: &str, value: impl Into<String>) {
        self.values.insert(field.to_owned(), value.into());
    }

    /// The value typed into `field`.
    pub fn value(&self, field: &str) -> &str {
        self.values.get(field).map(String::as_str).unwrap_or("")
    }

    /// Whether `field` (a checkbox) is on.
    pub fn checked(&self, field: &str) -> bool {
        matches!(self.value(field), "on" | "true" | "1" | "yes")
    }

    /// Whether `option` is the value of `field` (a select).
    pub fn selected(&self, field: &str, option: &str) -> bool {
        self.value(field) == option
    }

    /// The message next to `field`, in the reader's language.
    pub fn error(&self, field: &str) -> Option<String> {
        self.errors.get(field).map(|m| self.lang.msg(m))
    }

    /// Whether `field` has a message.
    pub fn has_error(&self, field: &str) -> bool {
        self.errors.get(field).is_some()
    }

    /// Whether any field has a message.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Catalogue text (labels and hints of the form macros).
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// Every value, for the hidden fields of a preview (the operation id and step excluded:
    /// the preview sets its own).
    pub fn values(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "op" | "step" | "_csrf"))
            .map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The HTML pattern of a name rule.
    pub fn pattern(&self, rule: &NameRule) -> String {
        rule.html_pattern()
    }

    /// A value shown isolated (the expected text of a typed confirmation).
    pub fn v(&self, value: &str) -> super::view::Bdi {
        super::view::Bdi(value.to_owned())
    }
}

/// The two steps of every change: the form is posted once to see what will happen
/// (`step=preview`), then again to do it (`step=confirm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Show what the change will do.
    Preview,
    /// Carry it out.
    Confirm,
}

impl Step {
    /// The step a form asks for (`preview` unless it says `confirm`).
    pub fn of(field: &str) -> Self {
        if field == "confirm" {
            Self::Confirm
        } else {
            Self::Preview
        }
    }
}

/// One line of a change's preview: a setting, its value now and after the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The catalogue key of the setting's name.
    pub label_key: &'static str,
    /// Its value now.
    pub before: String,
    /// Its value after the change.
    pub after: String,
}

impl Change {
    /// A line of the preview.
    pub fn new(
        label_key: &'static str,
        before: impl Into<String>,
        after: impl Into<String>,
    ) -> Self {
        Self {
            label_key,
            before: before.into(),
            after: after.into(),
        }
    }

    /// Whether the value changes.
    pub fn changes(&self) -> bool {
        self.before != self.after
    }
}

/// Checks a typed confirmation: the user must type `expected` exactly.
pub fn confirm(errors: &mut FormErrors, field: &str, typed: &str, expected: &str) {
    if typed.trim() != expected {
        errors.add(
            field,
            Msg::new("form-confirm-mismatch").arg("expected", expected),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TopicName;

    #[derive(Serialize)]
    struct Raw {
        name: String,
        queues: String,
        enabled: bool,
    }

    #[test]
    fn a_form_keeps_what_was_typed_and_puts_messages_next_to_fields() {
        let raw = Raw {
            name: "bad name".into(),
            queues: "99".into(),
            enabled: true,
        };
        let mut errors = FormErrors::new();
        errors.check("name", TopicName::try_from(raw.name.clone()));
        errors.integer("queues", &raw.queues, 1, 50, None);
        let view = FormView::of(Lang::En, &raw, errors);
        assert_eq!(view.value("name"), "bad name");
        assert!(view.checked("enabled"));
        assert_eq!(
            view.error("name").unwrap(),
            "“\u{2068} \u{2069}” is not allowed: 3 to 64 characters: letters, digits, %, |, - and _."
        );
        assert_eq!(
            view.error("queues").unwrap(),
            "Enter a whole number from 1 to 50."
        );
        assert!(view.error("enabled").is_none());
    }

    #[test]
    fn confirmations_must_match_exactly() {
        let mut errors = FormErrors::new();
        confirm(&mut errors, "confirm", " orders ", "orders");
        assert!(errors.is_empty());
        confirm(&mut errors, "confirm", "order", "orders");
        assert!(errors.get("confirm").is_some());
    }

    #[test]
    fn a_refusal_lands_on_the_field_it_names() {
        let error = ApiError::from_response(
            "CreateTopicOrBatchDeleteTopic",
            400,
            Some("DMS.00400005".into()),
            "`queue_num` must be 1 to 50.".into(),
            None,
        );
        assert_eq!(
            refused_field(&error, &["name", "queue_num"], &[], "_form"),
            "queue_num"
        );
        let exists = ApiError::from_response(
            "CreateTopicOrBatchDeleteTopic",
            400,
            Some("DMS.10240017".into()),
            "exists".into(),
            None,
        );
        assert_eq!(
            refused_field(
                &exists,
                &["queue_num"],
                &[("DMS.10240017", "name")],
                "_form"
            ),
            "name"
        );
    }
}
