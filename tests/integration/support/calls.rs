//! One signed call to the emulator (or any DMS endpoint) as the tests make it, its answer
//! decoded into a [`Reply`], and the small checks and JSON pickers the tests share.

use dms_console::api::{DmsClient, Method};
use serde_json::Value;

/// An answer: status, DMS error code, request id and JSON body (`Null` when empty).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub code: Option<String>,
    pub request_id: Option<String>,
    pub body: Value,
}

impl Reply {
    /// `(status, error code)`.
    pub fn outcome(&self) -> (u16, Option<&str>) {
        (self.status, self.code.as_deref())
    }
}

/// A reply equals `(status, body)`: most assertions compare exactly that.
impl PartialEq<(u16, Value)> for Reply {
    fn eq(&self, other: &(u16, Value)) -> bool {
        self.status == other.0 && self.body == other.1
    }
}

/// One call with a JSON body (or none); the query pairs are sent as given.
pub async fn call(
    client: &DmsClient,
    method: Method,
    path: &str,
    query: &[(&str, &str)],
    body: Option<Value>,
) -> Reply {
    let bytes = body.map(|b| b.to_string().into_bytes());
    call_bytes(client, method, path, query, bytes.as_deref()).await
}

/// One call with a raw body.
pub async fn call_bytes(
    client: &DmsClient,
    method: Method,
    path: &str,
    query: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Reply {
    let query: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let reply = client
        .raw(method, path, &query, body)
        .await
        .unwrap_or_else(|e| panic!("{path}: the endpoint answers ({e})"));
    let body = if reply.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&reply.body).unwrap_or_else(|e| {
            panic!(
                "{path}: a JSON body ({e}): {}",
                String::from_utf8_lossy(&reply.body)
            )
        })
    };
    Reply {
        status: reply.status,
        code: reply.error_code,
        request_id: reply.request_id,
        body,
    }
}

/// A GET that must answer 200; its body.
pub async fn get_ok(client: &DmsClient, path: &str, query: &[(&str, &str)]) -> Value {
    let reply = call(client, Method::Get, path, query, None).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    reply.body
}

/// Query pairs from `a=1&b=2` (values taken as they are; the client encodes them).
pub fn pairs(query: &str) -> Vec<(&str, &str)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect()
}

/// Asserts an error answer's status and code.
#[track_caller]
pub fn assert_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(
        (reply.status, reply.body["error_code"].as_str()),
        (status, Some(code)),
        "answer: {}",
        reply.body
    );
}

/// Whether `text` is a request id in the form DMS (and the emulator) use: 32 hexadecimal
/// characters.
pub fn is_request_id(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// An object holding only the space-separated `fields` of `value`.
pub fn pick(value: &Value, fields: &str) -> Value {
    let picked = fields
        .split_whitespace()
        .map(|f| (f.to_owned(), value[f].clone()));
    Value::Object(picked.collect())
}

/// `field` of every element of the array `items`.
pub fn column(items: &Value, field: &str) -> Vec<Value> {
    let items = items.as_array().map(Vec::as_slice).unwrap_or_default();
    items.iter().map(|item| item[field].clone()).collect()
}

/// The value of property `name` in a wire `property_list`.
pub fn property<'a>(message: &'a Value, name: &str) -> Option<&'a str> {
    let list = message["property_list"].as_array()?;
    list.iter().find(|p| p["name"] == name)?["value"].as_str()
}
