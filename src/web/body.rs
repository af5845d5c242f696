//! Request bodies read by hand, for the forms `web::Form` cannot take: fields that repeat (the
//! instances checked in a list, the zones of a new instance) and `multipart/form-data`
//! uploads (a metadata file).
//!
//! A body is read to at most a cap ([`read`]), then parsed by its content type
//! ([`Fields::parse`]): `application/x-www-form-urlencoded` or `multipart/form-data` (a small
//! reader of RFC 7578 bodies: parts with a `Content-Disposition: form-data` name and, for
//! files, a file name). The CSRF check reads `_csrf` through the same parser, so an upload form
//! needs no script to carry its token.

use std::borrow::Cow;

use actix_web::HttpRequest;
use actix_web::http::header;
use actix_web::web::Bytes;
use futures_util::{Stream, StreamExt};

use super::error::WebError;
use super::i18n::Msg;

/// The most a change form posted by a signed-in user may carry: room for a metadata export of
/// a few thousand topics and groups (a file, or the same JSON carried again to confirm).
pub const UPLOAD_LIMIT: usize = 4 * 1024 * 1024;

/// The most a form posted without a session (sign-in, preferences) may carry.
pub const FORM_LIMIT: usize = 64 * 1024;

/// At most this many fields (parts) are read from one body.
const MAX_FIELDS: usize = 2_000;

/// Why a body cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// Larger than the cap (bytes).
    #[error("the body is larger than {0} bytes")]
    TooLarge(usize),
    /// Not a form the console can read.
    #[error("the body cannot be read: {0}")]
    Malformed(String),
}

impl From<BodyError> for WebError {
    fn from(error: BodyError) -> Self {
        match error {
            BodyError::TooLarge(limit) => {
                WebError::TooLarge(Msg::new("error-body-too-large").arg("bytes", limit))
            }
            BodyError::Malformed(detail) => {
                WebError::Invalid(Msg::new("error-bad-form").arg("detail", detail))
            }
        }
    }
}

/// Reads `payload` to its end, refusing it as soon as it passes `limit` bytes.
pub async fn read<S, E>(mut payload: S, limit: usize) -> Result<Bytes, BodyError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| BodyError::Malformed(e.to_string()))?;
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Reads the form `request` posted (`payload`, at most `limit` bytes) and parses it as its
/// content type says.
pub async fn form<S, E>(
    request: &HttpRequest,
    payload: S,
    limit: usize,
) -> Result<Fields, BodyError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let body = read(payload, limit).await?;
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    Fields::parse(content_type, &body)
}

/// One field of a form: its name, its bytes and, for a file, the file's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The field name.
    pub name: String,
    /// The file name of an uploaded file (`None` for ordinary fields).
    pub filename: Option<String>,
    /// The content.
    pub data: Vec<u8>,
}

impl Part {
    /// The content as text (invalid UTF-8 replaced).
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.data)
    }
}

/// The fields of a form body, in the order sent (a name may repeat).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    parts: Vec<Part>,
}

impl Fields {
    /// Parses `body` as its `content_type` says.
    pub fn parse(content_type: &str, body: &[u8]) -> Result<Self, BodyError> {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "application/x-www-form-urlencoded" | "" => Ok(Self::urlencoded(body)),
            "multipart/form-data" => {
                let boundary = parameter(content_type, "boundary").ok_or_else(|| {
                    BodyError::Malformed("a multipart body without a boundary".to_owned())
                })?;
                Self::multipart(&boundary, body)
            }
            other => Err(BodyError::Malformed(format!(
                "the content type `{other}` is not a form"
            ))),
        }
    }

    /// The fields of a query string or an urlencoded body.
    pub fn urlencoded(body: &[u8]) -> Self {
        Self {
            parts: url::form_urlencoded::parse(body)
                .take(MAX_FIELDS)
                .map(|(name, value)| Part {
                    name: name.into_owned(),
                    filename: None,
                    data: value.into_owned().into_bytes(),
                })
                .collect(),
        }
    }

    /// The fields of a `multipart/form-data` body delimited by `boundary`.
    pub fn multipart(boundary: &str, body: &[u8]) -> Result<Self, BodyError> {
        let malformed = |why: &str| BodyError::Malformed(format!("multipart body: {why}"));
        let delimiter = format!("--{boundary}").into_bytes();
        let mut rest = match find(body, &delimiter) {
            Some(at) => &body[at + delimiter.len()..],
            None => return Err(malformed("no boundary line")),
        };
        let mut parts = Vec::new();
        loop {
            if rest.starts_with(b"--") {
                return Ok(Self { parts });
            }
            rest = rest
                .strip_prefix(b"\r\n")
                .ok_or_else(|| malformed("a boundary line without its line end"))?;
            let head_end =
                find(rest, b"\r\n\r\n").ok_or_else(|| malformed("a part without headers"))?;
            let head = std::str::from_utf8(&rest[..head_end])
                .map_err(|_| malformed("part headers that are not UTF-8"))?;
            rest = &rest[head_end + 4..];
            let mut closing = b"\r\n".to_vec();
            closing.extend_from_slice(&delimiter);
            let end = find(rest, &closing).ok_or_else(|| malformed("a part without its end"))?;
            let (name, filename) =
                disposition(head).ok_or_else(|| malformed("a part without a name"))?;
            if parts.len() >= MAX_FIELDS {
                return Err(malformed("too many parts"));
            }
            parts.push(Part {
                name,
                filename,
                data: rest[..end].to_vec(),
            });
            rest = &rest[end + closing.len()..];
        }
    }

    /// The first value of `name` ("" when absent).
    pub fn text(&self, name: &str) -> String {
        self.parts
            .iter()
            .find(|p| p.name == name && p.filename.is_none())
            .map(|p| p.text().into_owned())
            .unwrap_or_default()
    }

    /// The first value of `name`, if sent.
    pub fn get(&self, name: &str) -> Option<String> {
        self.parts
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.text().into_owned())
    }

    /// Every value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.parts
            .iter()
            .filter(|p| p.name == name && p.filename.is_none())
            .map(|p| p.text().into_owned())
            .collect()
    }

    /// The uploaded file of field `name`, when one was chosen (browsers send an empty part
    /// without a file name when none was).
    pub fn file(&self, name: &str) -> Option<&Part> {
        self.parts
            .iter()
            .find(|p| p.name == name && p.filename.as_deref().is_some_and(|f| !f.is_empty()))
    }

    /// The names and first values of the fields whose name starts with `prefix` (without it).
    pub fn prefixed(&self, prefix: &str) -> Vec<(String, String)> {
        let mut seen = std::collections::BTreeSet::new();
        self.parts
            .iter()
            .filter(|p| p.filename.is_none())
            .filter_map(|p| {
                let name = p.name.strip_prefix(prefix)?;
                seen.insert(name.to_owned())
                    .then(|| (name.to_owned(), p.text().into_owned()))
            })
            .collect()
    }
}

/// The position of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The value of parameter `name` of a header value such as
/// `multipart/form-data; boundary="abc"`.
fn parameter(header: &str, name: &str) -> Option<String> {
    header.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| unquote(value.trim()))
    })
}

fn unquote(value: &str) -> String {
    match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => value.to_owned(),
    }
}

/// The field name and file name of a part's `Content-Disposition: form-data` header.
fn disposition(head: &str) -> Option<(String, Option<String>)> {
    let line = head.split("\r\n").find(|line| {
        line.split(':')
            .next()
            .is_some_and(|n| n.trim().eq_ignore_ascii_case("content-disposition"))
    })?;
    let value = line.split_once(':')?.1;
    let mut name = None;
    let mut filename = None;
    for param in split_params(value).into_iter().skip(1) {
        let Some((key, raw)) = param.split_once('=') else {
            continue;
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "name" => name = Some(unquote(raw.trim())),
            "filename" => filename = Some(unquote(raw.trim())),
            _ => {}
        }
    }
    Some((name?, filename))
}

/// Splits a header value at the semicolons outside quotes.
fn split_params(value: &str) -> Vec<String> {
    let mut params = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in value.chars() {
        match c {
            _ if escaped => {
                current.push(c);
                escaped = false;
            }
            '\\' if quoted => {
                current.push(c);
                escaped = true;
            }
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ';' if !quoted => params.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    params.push(current);
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntoken-1\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"meta; v1.json\"\r\nContent-Type: application/json\r\n\r\n{\"a\":\r\n1}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"empty\"; filename=\"\"\r\n\r\n\r\n--XyZ\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\nb\r\n--XyZ--\r\n";

    #[test]
    fn a_multipart_body_gives_its_fields_and_files() {
        let fields =
            Fields::parse("multipart/form-data; boundary=\"XyZ\"", BODY.as_bytes()).unwrap();
        assert_eq!(fields.text("_csrf"), "token-1");
        let file = fields.file("file").unwrap();
        assert_eq!(file.filename.as_deref(), Some("meta; v1.json"));
        assert_eq!(file.text(), "{\"a\":\r\n1}");
        assert!(fields.file("empty").is_none(), "no file chosen");
        assert_eq!(fields.all("id"), vec!["b"]);
        assert_eq!(fields.text("missing"), "");
    }

    #[test]
    fn broken_multipart_bodies_are_refused() {
        let content_type = "multipart/form-data; boundary=XyZ";
        for body in [
            "no boundary at all",
            "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nnever ends",
            "--XyZ\r\nX-Other: 1\r\n\r\nvalue\r\n--XyZ--",
        ] {
            assert!(
                Fields::parse(content_type, body.as_bytes()).is_err(),
                "{body:?}"
            );
        }
        assert!(Fields::parse("multipart/form-data", b"--a--").is_err());
        assert!(Fields::parse("application/json", b"{}").is_err());
    }

    #[test]
    fn urlencoded_fields_may_repeat() {
        let fields = Fields::parse(
            "application/x-www-form-urlencoded",
            b"id=a&id=b&p%3AfileReservedTime=72&x=",
        )
        .unwrap();
        assert_eq!(fields.all("id"), vec!["a", "b"]);
        assert_eq!(
            fields.prefixed("p:"),
            vec![("fileReservedTime".to_owned(), "72".to_owned())]
        );
        assert_eq!(fields.get("x").as_deref(), Some(""));
    }

    #[tokio::test]
    async fn reading_stops_at_the_cap() {
        let chunks = || {
            futures_util::stream::iter(vec![
                Ok::<_, std::io::Error>(Bytes::from_static(b"12345")),
                Ok(Bytes::from_static(b"6789")),
            ])
        };
        assert_eq!(
            read(chunks(), 9).await.unwrap(),
            Bytes::from_static(b"123456789")
        );
        assert_eq!(read(chunks(), 8).await, Err(BodyError::TooLarge(8)));
    }
}
