//! The canonical forms of SDK-HMAC-SHA256: URI, query string, headers and payload hash.
//!
//! Everything here follows the official SDK signer byte for byte (`calling.md` §6.3–§6.6); the
//! golden vectors in `tests/fixtures/signing-vectors.json` are the judge.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

/// SHA-256 of the empty string, the payload hash of every request without a body.
pub const EMPTY_PAYLOAD_HASH: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The payload hash used when the body is deliberately not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Whether a byte stays as it is in every encoded part: the RFC 3986 unreserved set.
#[inline]
fn is_unreserved(byte: u8) -> bool {
    UNRESERVED[usize::from(byte)]
}

/// [`is_unreserved`] as a table, so the scans over paths and values stay branch-light.
static UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~');
        byte += 1;
    }
    table
};

/// Appends `input` to `out`, percent-encoding every byte outside the unreserved set with
/// upper-case hex (`%20` for a space, never `+`).
pub fn encode_into(out: &mut String, input: &[u8]) {
    let mut rest = input;
    // Copies runs of unreserved bytes at once: most names, values and segments are one run.
    while !rest.is_empty() {
        let run = rest
            .iter()
            .position(|&byte| !is_unreserved(byte))
            .unwrap_or(rest.len());
        out.push_str(ascii(&rest[..run]));
        let Some(&byte) = rest.get(run) else {
            break;
        };
        let escaped = [
            b'%',
            HEX_UPPER[usize::from(byte >> 4)],
            HEX_UPPER[usize::from(byte & 0x0f)],
        ];
        out.push_str(ascii(&escaped));
        rest = &rest[run + 1..];
    }
}

/// `bytes` as a `str`; only called on ASCII (unreserved bytes, `%XX`, hex digits).
#[inline]
fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("only ASCII is passed here")
}

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// Appends the lower-case hex of `bytes` to `out` (digests and signatures).
pub(crate) fn push_hex_lower(out: &mut String, bytes: &[u8]) {
    let mut buffer = [0u8; 128];
    for chunk in bytes.chunks(64) {
        let hex = &mut buffer[..chunk.len() * 2];
        for (pair, &byte) in hex.chunks_exact_mut(2).zip(chunk) {
            pair[0] = HEX_LOWER[usize::from(byte >> 4)];
            pair[1] = HEX_LOWER[usize::from(byte & 0x0f)];
        }
        out.push_str(ascii(hex));
    }
}

/// Percent-encodes `input` the way the SDK encodes path parameters and query parts.
pub fn encode(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 8);
    encode_into(&mut out, input.as_bytes());
    out
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` sequences; a `%` not followed by two hex digits and a `+` stay literal.
pub fn percent_decode(input: &str) -> Vec<u8> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%'
            && index + 2 < bytes.len()
            && let (Some(high), Some(low)) =
                (hex_value(bytes[index + 1]), hex_value(bytes[index + 2]))
        {
            out.push(high << 4 | low);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    out
}

/// Appends the canonical URI of `path` (§6.3): decode, split on `/`, encode each segment, and
/// end with a `/` whether or not the path does.
pub fn canonical_uri_into(out: &mut String, path: &str) {
    if path.bytes().all(|b| b == b'/' || is_unreserved(b)) {
        // Nothing to decode or encode: the common case, copied as it is.
        out.push_str(path);
    } else {
        let decoded = percent_decode(path);
        for (index, segment) in decoded.split(|&b| b == b'/').enumerate() {
            if index > 0 {
                out.push('/');
            }
            encode_into(out, segment);
        }
    }
    if !out.ends_with('/') {
        out.push('/');
    }
}

/// The canonical URI of `path` as a new string.
pub fn canonical_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 16);
    canonical_uri_into(&mut out, path);
    out
}

/// Appends the canonical query string (§6.4) for raw, unencoded pairs: sorted by name, then by
/// value, each part encoded, joined with `&`. Repeated names and empty values are kept.
pub fn canonical_query_into<K: AsRef<str>, V: AsRef<str>>(out: &mut String, pairs: &[(K, V)]) {
    match pairs.len() {
        0 => {}
        1 => push_pair(out, pairs[0].0.as_ref(), pairs[0].1.as_ref()),
        count => {
            // Up to 16 pairs (every DMS operation) are sorted on the stack.
            let mut stack = [("", ""); 16];
            let mut heap = Vec::new();
            let sorted: &mut [(&str, &str)] = if count <= stack.len() {
                for (slot, (k, v)) in stack.iter_mut().zip(pairs) {
                    *slot = (k.as_ref(), v.as_ref());
                }
                &mut stack[..count]
            } else {
                heap.extend(pairs.iter().map(|(k, v)| (k.as_ref(), v.as_ref())));
                &mut heap
            };
            sorted.sort_unstable();
            for (index, (name, value)) in sorted.iter().enumerate() {
                if index > 0 {
                    out.push('&');
                }
                push_pair(out, name, value);
            }
        }
    }
}

fn push_pair(out: &mut String, name: &str, value: &str) {
    encode_into(out, name.as_bytes());
    out.push('=');
    encode_into(out, value.as_bytes());
}

/// The canonical query string as a new string; also what the SDK puts on the wire.
pub fn canonical_query<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    let mut out = String::new();
    canonical_query_into(&mut out, pairs);
    out
}

/// Splits a raw query string from the wire into decoded (name, value) pairs, the inverse of
/// [`canonical_query`] (§6.13 step 4). A piece without `=` has an empty value.
pub fn parse_raw_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
            (
                String::from_utf8_lossy(&percent_decode(name)).into_owned(),
                String::from_utf8_lossy(&percent_decode(value)).into_owned(),
            )
        })
        .collect()
}

/// Like [`parse_raw_query`], borrowing the pieces that contain no `%` escape (the verifier's
/// common case).
pub(crate) fn parse_raw_query_borrowed(raw: &str) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
    fn decode(part: &str) -> Cow<'_, str> {
        if part.contains('%') {
            Cow::Owned(String::from_utf8_lossy(&percent_decode(part)).into_owned())
        } else {
            Cow::Borrowed(part)
        }
    }
    raw.split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
            (decode(name), decode(value))
        })
        .collect()
}

/// Lower-case hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    let mut out = String::with_capacity(64);
    push_hex_lower(&mut out, &Sha256::digest(data));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_keeps_only_unreserved_characters() {
        assert_eq!(encode("a b*~+/=&:@,;"), "a%20b%2A~%2B%2F%3D%26%3A%40%2C%3B");
        assert_eq!(encode("%DLQ%group|1"), "%25DLQ%25group%7C1");
        assert_eq!(encode("订单"), "%E8%AE%A2%E5%8D%95");
    }

    #[test]
    fn canonical_uri_decodes_then_splits_then_encodes() {
        assert_eq!(canonical_uri("/v2/p/instances"), "/v2/p/instances/");
        assert_eq!(canonical_uri("/v2/p/instances/"), "/v2/p/instances/");
        assert_eq!(canonical_uri("/t/%25DLQ%25g"), "/t/%25DLQ%25g/");
        assert_eq!(canonical_uri("/t/a%2Fb"), "/t/a/b/");
        assert_eq!(canonical_uri("/t/a b+c"), "/t/a%20b%2Bc/");
        assert_eq!(canonical_uri("/t/100%"), "/t/100%25/");
        assert_eq!(canonical_uri("/t/%zz"), "/t/%25zz/");
    }

    #[test]
    fn canonical_query_sorts_by_name_then_value() {
        let pairs = [("b", "true"), ("a", "z"), ("a", "y"), ("k", "a b*~+/")];
        assert_eq!(canonical_query(&pairs), "a=y&a=z&b=true&k=a%20b%2A~%2B%2F");
        assert_eq!(canonical_query::<&str, &str>(&[]), "");
        assert_eq!(
            canonical_query(&[("name", ""), ("engine", "rocketmq")]),
            "engine=rocketmq&name="
        );
    }

    #[test]
    fn hex_digits_are_lower_case_like_the_hex_crate() {
        let bytes: Vec<u8> = (0..=255).collect();
        let mut out = String::new();
        push_hex_lower(&mut out, &bytes);
        assert_eq!(out, hex::encode(&bytes));
        assert_eq!(sha256_hex(b""), EMPTY_PAYLOAD_HASH);
    }

    #[test]
    fn more_than_sixteen_query_pairs_sort_too() {
        let pairs: Vec<(String, String)> = (0..20)
            .rev()
            .map(|i| (format!("k{i:02}"), i.to_string()))
            .collect();
        let canonical = canonical_query(&pairs);
        assert!(canonical.starts_with("k00=0&k01=1&"), "{canonical}");
        assert!(canonical.ends_with("&k19=19"), "{canonical}");
    }

    #[test]
    fn borrowed_query_parsing_agrees_with_the_owned_one() {
        for raw in ["a=1&b=%25x&c", "k=a%20b%2A~%2B%2F&k=%zz&=v", ""] {
            let owned = parse_raw_query(raw);
            let borrowed: Vec<(String, String)> = parse_raw_query_borrowed(raw)
                .into_iter()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            assert_eq!(owned, borrowed, "{raw}");
        }
    }

    #[test]
    fn raw_queries_parse_back_to_the_pairs_that_made_them() {
        let pairs = vec![
            ("key".to_owned(), "order id/7+8=15".to_owned()),
            ("topic".to_owned(), "%DLQ%group-1".to_owned()),
            ("empty".to_owned(), String::new()),
        ];
        let mut parsed = parse_raw_query(&canonical_query(&pairs));
        let mut expected = pairs.clone();
        parsed.sort();
        expected.sort();
        assert_eq!(parsed, expected);
        assert_eq!(
            parse_raw_query("a&b=1+2"),
            vec![("a".into(), "".into()), ("b".into(), "1+2".into())]
        );
    }
}
