//! Typed reads of JSON request bodies and query strings: every wrong type is a 400 that
//! names the field and says what was expected.

use serde_json::{Map, Value};

use crate::emulator::context::Req;
use crate::emulator::error::DmsError;

/// A decoded JSON object body.
pub type Body = Map<String, Value>;

/// `field` as a string; absent or `null` is `None`.
pub fn opt_str(body: &Body, field: &str) -> Result<Option<String>, DmsError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => Err(DmsError::bad_body(format!(
            "`{field}` must be a string, got {other}."
        ))),
    }
}

/// `field` as a boolean; absent or `null` is `None`.
pub fn opt_bool(body: &Body, field: &str) -> Result<Option<bool>, DmsError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(flag)) => Ok(Some(*flag)),
        Some(other) => Err(DmsError::bad_body(format!(
            "`{field}` must be true or false, got {other}."
        ))),
    }
}

/// `field` as an integer (a JSON integer, or a float without fraction); absent or `null` is
/// `None`.
pub fn opt_int(body: &Body, field: &str) -> Result<Option<i64>, DmsError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => as_int(value).map(Some).ok_or_else(|| {
            DmsError::bad_body(format!("`{field}` must be an integer, got {value}."))
        }),
    }
}

/// A JSON number without fraction as an integer.
pub fn as_int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64().or_else(|| {
            number
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        _ => None,
    }
}

/// `field` as an array of strings; absent or `null` is `None`.
pub fn opt_str_list(body: &Body, field: &str) -> Result<Option<Vec<String>>, DmsError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(text) => Ok(text.clone()),
                other => Err(DmsError::bad_body(format!(
                    "`{field}` must be an array of strings, and {other} is not a string."
                ))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(DmsError::bad_body(format!(
            "`{field}` must be an array of strings, got {other}."
        ))),
    }
}

/// A required value: `None` is a 400 naming `field`.
pub fn required<T>(value: Option<T>, field: &str) -> Result<T, DmsError> {
    value.ok_or_else(|| DmsError::bad_body(format!("`{field}` is required.")))
}

/// 400 `DMS.00400800` for a bad query parameter.
pub fn bad_query(detail: impl AsRef<str>) -> DmsError {
    DmsError::of("DMS.00400800").detail(detail)
}

/// Query parameter `name` that must be `true` or `false` when present (these flags are
/// strings on the wire).
pub fn query_flag(req: &Req, name: &str) -> Result<Option<bool>, DmsError> {
    match req.q(name) {
        None | Some("") => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(bad_query(format!(
            "`{name}` must be `true` or `false`, got `{other}`."
        ))),
    }
}

/// A non-empty query parameter.
pub fn query_text<'r>(req: &'r Req, name: &str) -> Option<&'r str> {
    req.q(name).filter(|text| !text.is_empty())
}
