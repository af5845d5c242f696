//! How a message body is shown: as text, as JSON indented in its own key order, or as a hex
//! dump when it is not text; capped on the page; its CRC checked against what DMS stated;
//! and, for masked readers, only its length, kind and a keyed hash.
//!
//! DMS sends bodies as JSON strings (API reference §5.4.1), so a body that was not valid
//! UTF-8 arrives with its bad bytes replaced by U+FFFD: the hex dump shows that text form,
//! and the CRC cannot match it, which the page says rather than calling it corruption.

use crate::web::crypto::ServerKey;
use crate::web::i18n::reveal_bidi;

/// At most this many bytes of a body are shown on its page; the rest is in the download.
pub const PAGE_CAP: usize = 64 * 1024;
/// At most this many bytes of a binary body are shown as hex.
pub const HEX_CAP: usize = 4096;

/// What a body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// No bytes.
    Empty,
    /// Text.
    Text,
    /// A JSON object or array.
    Json,
    /// Not text: control characters, or bytes DMS could not send as UTF-8.
    Binary,
}

impl BodyKind {
    /// The catalogue key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Empty => "body-kind-empty",
            Self::Text => "body-kind-text",
            Self::Json => "body-kind-json",
            Self::Binary => "body-kind-binary",
        }
    }

    /// A short name for exports and attributes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::Text => "text",
            Self::Json => "json",
            Self::Binary => "binary",
        }
    }
}

/// The kind of `body`.
pub fn kind_of(body: &str) -> BodyKind {
    if body.is_empty() {
        return BodyKind::Empty;
    }
    if body.contains('\u{FFFD}')
        || body
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return BodyKind::Binary;
    }
    let trimmed = body.trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('['))
        && serde_json::from_str::<serde::de::IgnoredAny>(body).is_ok()
    {
        return BodyKind::Json;
    }
    BodyKind::Text
}

/// One line of a hex dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HexLine {
    /// The offset of its first byte, 8 hexadecimal digits.
    pub offset: String,
    /// Up to 16 bytes in hexadecimal.
    pub hex: String,
    /// The same bytes as ASCII, `.` for anything else.
    pub ascii: String,
}

/// The hex dump of `bytes`, 16 a line.
pub fn hex_dump(bytes: &[u8]) -> Vec<HexLine> {
    bytes
        .chunks(16)
        .enumerate()
        .map(|(line, chunk)| HexLine {
            offset: format!("{:08x}", line * 16),
            hex: chunk
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    if i == 8 {
                        format!(" {b:02x}")
                    } else {
                        format!("{b:02x}")
                    }
                })
                .collect::<Vec<_>>()
                .join(" "),
            ascii: chunk
                .iter()
                .map(|b| {
                    if b.is_ascii_graphic() || *b == b' ' {
                        *b as char
                    } else {
                        '.'
                    }
                })
                .collect(),
        })
        .collect()
}

/// `text` (valid JSON) indented two spaces a level, keys and numbers exactly as sent.
pub fn pretty_json(text: &str) -> String {
    fn newline(out: &mut String, depth: usize) {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                while chars.peek().is_some_and(|n| n.is_whitespace()) {
                    chars.next();
                }
                if chars.peek().is_some_and(|n| matches!(n, '}' | ']')) {
                    out.push(c);
                    out.push(chars.next().expect("peeked"));
                } else {
                    depth += 1;
                    out.push(c);
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// The body's CRC against the one DMS stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrcCheck {
    /// The stated CRC is the body's (RocketMQ states it masked to 31 bits).
    Matches,
    /// The body is binary and arrived as text with bytes replaced: its CRC cannot match.
    TextForm,
    /// The body is not what the CRC was computed over.
    Mismatch {
        /// What DMS stated.
        stated: i64,
        /// The body's CRC (masked like the stated one).
        computed: i64,
    },
    /// DMS stated none.
    NotStated,
}

/// Checks `stated` against `body`.
pub fn check_crc(body: &str, stated: i64) -> CrcCheck {
    if stated == 0 && !body.is_empty() {
        return CrcCheck::NotStated;
    }
    let crc = crc32fast::hash(body.as_bytes());
    let masked = i64::from(crc & 0x7FFF_FFFF);
    if stated == masked || stated == i64::from(crc) {
        CrcCheck::Matches
    } else if body.contains('\u{FFFD}') {
        CrcCheck::TextForm
    } else {
        CrcCheck::Mismatch {
            stated,
            computed: masked,
        }
    }
}

/// A body ready for its page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyView {
    /// What it is.
    pub kind: BodyKind,
    /// Its length in bytes (of the text DMS sent).
    pub bytes: usize,
    /// Text or indented JSON, capped, with bidi controls made visible (the template escapes it).
    pub text: String,
    /// The hex dump of a binary body, capped.
    pub hex: Vec<HexLine>,
    /// Whether the page shows less than the whole body.
    pub truncated: bool,
    /// The CRC check.
    pub crc: CrcCheck,
}

/// `body` cut to at most `cap` bytes at a character boundary.
fn cut(body: &str, cap: usize) -> &str {
    if body.len() <= cap {
        return body;
    }
    let mut end = cap;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    &body[..end]
}

/// How `body` (with the CRC DMS `stated`) is shown on its page.
pub fn view(body: &str, stated: i64) -> BodyView {
    let kind = kind_of(body);
    let crc = check_crc(body, stated);
    let bytes = body.len();
    match kind {
        BodyKind::Binary => BodyView {
            kind,
            bytes,
            text: String::new(),
            hex: hex_dump(&body.as_bytes()[..bytes.min(HEX_CAP)]),
            truncated: bytes > HEX_CAP,
            crc,
        },
        _ => {
            let shown = cut(body, PAGE_CAP);
            let text = if kind == BodyKind::Json && shown.len() == bytes {
                pretty_json(shown)
            } else {
                shown.to_owned()
            };
            BodyView {
                kind,
                bytes,
                text: reveal_bidi(&text).into_owned(),
                hex: Vec::new(),
                truncated: shown.len() < bytes,
                crc,
            }
        }
    }
}

/// What a masked reader sees of a value: its length, kind and a hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Masked {
    /// Length in bytes.
    pub bytes: usize,
    /// What it is.
    pub kind: BodyKind,
    /// A hash keyed with the server key (16 hexadecimal digits): equal values have equal
    /// hashes, and nobody without the key can test guesses against it.
    pub hash: String,
}

/// The masked form of `value`.
pub fn masked(key: &ServerKey, value: &str) -> Masked {
    let mut hash = key.mac("dms-console masked message value v1", value);
    hash.truncate(16);
    Masked {
        bytes: value.len(),
        kind: kind_of(value),
        hash,
    }
}

impl Masked {
    /// What the page says instead of the value.
    pub fn describe(&self) -> crate::web::i18n::Msg {
        crate::web::i18n::Msg::new("masked-summary")
            .arg("bytes", self.bytes)
            .arg("kind", crate::web::i18n::Msg::new(self.kind.label_key()))
            .text("hash", self.hash.clone())
    }

    /// One line for exports: `masked: 123 bytes, json, hash 0123abcd…`.
    pub fn summary(&self) -> String {
        format!(
            "masked: {} bytes, {}, hash {}",
            self.bytes,
            self.kind.as_str(),
            self.hash
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_text_json_or_binary() {
        assert_eq!(kind_of(""), BodyKind::Empty);
        assert_eq!(kind_of("hello\nworld"), BodyKind::Text);
        assert_eq!(kind_of(r#" {"a": [1, 2]} "#), BodyKind::Json);
        assert_eq!(kind_of("123"), BodyKind::Text);
        assert_eq!(kind_of("{not json"), BodyKind::Text);
        assert_eq!(kind_of("\u{FFFD}\u{FFFD}ab"), BodyKind::Binary);
        assert_eq!(kind_of("a\0b"), BodyKind::Binary);
        assert_eq!(kind_of("<img src=x onerror=alert(1)>"), BodyKind::Text);
    }

    #[test]
    fn json_is_indented_in_its_own_order_with_its_own_numbers() {
        assert_eq!(
            pretty_json(r#"{"z":1,"a":[1.50,{}],"s":"x, {y}: \"q\"","e":[ ]}"#),
            "{\n  \"z\": 1,\n  \"a\": [\n    1.50,\n    {}\n  ],\n  \"s\": \"x, {y}: \\\"q\\\"\",\n  \"e\": []\n}"
        );
    }

    #[test]
    fn the_crc_is_checked_masked_or_not_and_text_forms_are_told_apart() {
        // The IEEE check value of "123456789".
        assert_eq!(crc32fast::hash(b"123456789"), 0xCBF4_3926);
        let masked = i64::from(0xCBF4_3926u32 & 0x7FFF_FFFF);
        assert_eq!(check_crc("123456789", masked), CrcCheck::Matches);
        assert_eq!(check_crc("123456789", 0xCBF4_3926), CrcCheck::Matches);
        assert_eq!(
            check_crc("123456780", masked),
            CrcCheck::Mismatch {
                stated: masked,
                computed: i64::from(crc32fast::hash(b"123456780") & 0x7FFF_FFFF)
            }
        );
        assert_eq!(check_crc("\u{FFFD}x", 12345), CrcCheck::TextForm);
        assert_eq!(check_crc("abc", 0), CrcCheck::NotStated);
    }

    #[test]
    fn binary_bodies_become_hex_and_long_ones_are_capped() {
        let dump = hex_dump(b"\xca\xfe hello world, this is 33 bytes!");
        assert_eq!(dump.len(), 3);
        assert_eq!(dump[0].offset, "00000000");
        assert_eq!(
            dump[0].hex,
            "ca fe 20 68 65 6c 6c 6f  20 77 6f 72 6c 64 2c 20"
        );
        assert_eq!(dump[0].ascii, ".. hello world, ");
        let long = "x".repeat(PAGE_CAP + 10);
        let shown = view(&long, 0);
        assert!(shown.truncated);
        assert_eq!(shown.text.len(), PAGE_CAP);
        let binary = view(&"\u{FFFD}".repeat(2000), 0);
        assert_eq!(binary.kind, BodyKind::Binary);
        assert!(binary.truncated && binary.hex.len() == HEX_CAP / 16);
    }

    #[test]
    fn masked_values_keep_length_kind_and_a_keyed_hash() {
        let key = ServerKey::generate();
        let a = masked(&key, r#"{"card":"4111"}"#);
        assert_eq!((a.bytes, a.kind), (15, BodyKind::Json));
        assert_eq!(a.hash.len(), 16);
        assert_eq!(a.hash, masked(&key, r#"{"card":"4111"}"#).hash);
        assert_ne!(
            a.hash,
            masked(&ServerKey::generate(), r#"{"card":"4111"}"#).hash
        );
        assert!(!a.summary().contains("4111"));
    }
}
