//! `multipart/form-data` bodies: the forms that upload a file (a list of topics to create).
//!
//! Only what the console's own forms send is read: parts with a `name`, an optional
//! `filename`, and their bytes. The body was read whole first, within the payload limit, so
//! parsing is bounded by it. A body that does not follow the format yields the parts found
//! before the problem, and the handler complains about what is missing.

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The form field's name.
    pub name: String,
    /// The uploaded file's name, for file fields.
    pub filename: Option<String>,
    /// The content.
    pub data: Vec<u8>,
}

impl Part {
    /// The content as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// The boundary of a `multipart/form-data` content type, if it is one.
pub fn boundary(content_type: &str) -> Option<String> {
    let mut pieces = content_type.split(';');
    if !pieces
        .next()?
        .trim()
        .eq_ignore_ascii_case("multipart/form-data")
    {
        return None;
    }
    pieces.find_map(|piece| {
        let (key, value) = piece.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty() && b.len() <= 200)
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The value of `key="…"` in a `Content-Disposition` header.
fn disposition_value(header: &str, key: &str) -> Option<String> {
    header.split(';').find_map(|piece| {
        let (k, v) = piece.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(key)
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// The parts of `body`, delimited by `boundary`.
pub fn parts(body: &[u8], boundary: &str) -> Vec<Part> {
    let delimiter = format!("--{boundary}");
    let mut out = Vec::new();
    let Some(mut at) = find(body, delimiter.as_bytes(), 0) else {
        return out;
    };
    loop {
        let start = at + delimiter.len();
        // `--` after a delimiter ends the body.
        if body[start..].starts_with(b"--") {
            break;
        }
        let Some(headers_end) = find(body, b"\r\n\r\n", start) else {
            break;
        };
        let headers = String::from_utf8_lossy(&body[start..headers_end]);
        let content_start = headers_end + 4;
        let closing = format!("\r\n--{boundary}");
        let Some(content_end) = find(body, closing.as_bytes(), content_start) else {
            break;
        };
        let disposition = headers
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.trim()
                    .eq_ignore_ascii_case("content-disposition")
                    .then(|| value.to_owned())
            })
            .unwrap_or_default();
        if let Some(name) = disposition_value(&disposition, "name") {
            out.push(Part {
                name,
                filename: disposition_value(&disposition, "filename"),
                data: body[content_start..content_end].to_vec(),
            });
        }
        at = content_end + 2;
    }
    out
}

/// The text of field `name` in a multipart `body`.
pub fn field(body: &[u8], boundary: &str, name: &str) -> Option<String> {
    parts(body, boundary)
        .into_iter()
        .find(|p| p.name == name)
        .map(|p| p.text())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntoken-1\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"topics.csv\"\r\nContent-Type: text/csv\r\n\r\n\
name,message_type\r\norders,NORMAL\r\n\r\n--XyZ--\r\n";

    #[test]
    fn fields_and_files_are_read_with_their_bytes() {
        let boundary = boundary("multipart/form-data; boundary=XyZ").unwrap();
        let parts = parts(BODY.as_bytes(), &boundary);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "_csrf");
        assert_eq!(parts[0].text(), "token-1");
        assert_eq!(parts[1].filename.as_deref(), Some("topics.csv"));
        assert_eq!(parts[1].text(), "name,message_type\r\norders,NORMAL\r\n");
        assert_eq!(
            field(BODY.as_bytes(), &boundary, "_csrf").as_deref(),
            Some("token-1")
        );
    }

    #[test]
    fn other_content_types_and_broken_bodies_give_nothing_made_up() {
        assert_eq!(boundary("application/x-www-form-urlencoded"), None);
        assert_eq!(boundary("multipart/form-data"), None);
        assert_eq!(
            boundary("multipart/form-data; boundary=\"a b\"").as_deref(),
            Some("a b")
        );
        let cut = &BODY[..60];
        assert!(parts(cut.as_bytes(), "XyZ").is_empty());
        assert!(parts(b"no delimiter at all", "XyZ").is_empty());
    }
}
