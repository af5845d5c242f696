//! SDK-HMAC-SHA256, Huawei Cloud's request signature, as a pure function.
//!
//! `sign` turns a request (method, path, query pairs, headers, body) and a key into the
//! canonical request, the string to sign and the `Authorization` header; `verify` is the
//! emulator's side of the same algorithm. Neither reads a clock nor does IO: the date travels
//! in the `X-Sdk-Date` header and "now" is a parameter. No HTTP client types appear here.

mod canonical;
mod date;

use std::borrow::Cow;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

pub use canonical::{
    EMPTY_PAYLOAD_HASH, UNSIGNED_PAYLOAD, canonical_query, canonical_uri, encode, parse_raw_query,
    percent_decode, sha256_hex,
};
pub use date::{InvalidSdkDate, SdkDate};

/// The algorithm name that opens the string to sign and the `Authorization` header.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// The header that carries the signing time.
pub const DATE_HEADER: &str = "X-Sdk-Date";
/// The header that replaces the body hash with [`UNSIGNED_PAYLOAD`].
pub const CONTENT_SHA256_HEADER: &str = "X-Sdk-Content-Sha256";

type HmacSha256 = Hmac<Sha256>;

/// A request as it will be sent, before signing.
#[derive(Debug, Clone, Copy)]
pub struct SignableRequest<'a> {
    /// HTTP method; upper-cased in the canonical request.
    pub method: &'a str,
    /// The path as sent, raw or percent-encoded (both sign the same).
    pub path: &'a str,
    /// Raw (unencoded) query pairs; repeated names and empty values are allowed.
    pub query: &'a [(String, String)],
    /// Every header that will be sent, `Host` and `X-Sdk-Date` included.
    pub headers: &'a [(String, String)],
    /// The exact body bytes (empty when there is none).
    pub body: &'a [u8],
}

/// The result of signing: the intermediate strings (for tests and debugging) and the headers
/// to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The six-line canonical request.
    pub canonical_request: String,
    /// The three-line string to sign.
    pub string_to_sign: String,
    /// The value of the `Authorization` header.
    pub authorization: String,
    /// Headers the signer added that must also be sent (`X-Sdk-Content-Sha256` for
    /// non-JSON bodies).
    pub added_headers: Vec<(String, String)>,
}

/// Why a request could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// The request carries no `X-Sdk-Date` header.
    #[error("the request has no X-Sdk-Date header; add one before signing")]
    MissingDate,
    /// The `X-Sdk-Date` header is not in `YYYYMMDDTHHMMSSZ` form.
    #[error(transparent)]
    InvalidDate(#[from] InvalidSdkDate),
}

fn header_value<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Whether the SDK signs the body of a request with this `Content-Type` (JSON and BSON only).
fn content_type_is_signed(content_type: Option<&str>) -> bool {
    match content_type {
        None => true,
        Some(value) => {
            let value = value.trim_start().as_bytes();
            let starts = |prefix: &[u8]| {
                value.len() >= prefix.len() && value[..prefix.len()].eq_ignore_ascii_case(prefix)
            };
            starts(b"application/json") || starts(b"application/bson")
        }
    }
}

/// Signs `request` with the access key `access_key` and secret key `secret_key`.
///
/// Follows `calling.md` §6: headers whose name contains `_` are not signed, names are
/// lower-cased and sorted, values trimmed; the payload hash is that of the empty string for
/// an empty body, `UNSIGNED-PAYLOAD` when `X-Sdk-Content-Sha256` is present (the signer adds it
/// for non-JSON content types) and otherwise SHA-256 of the body.
pub fn sign(
    request: &SignableRequest<'_>,
    access_key: &str,
    secret_key: &[u8],
) -> Result<Signed, SignError> {
    let date = header_value(request.headers, DATE_HEADER).ok_or(SignError::MissingDate)?;
    date.trim().parse::<SdkDate>()?;

    let mut added_headers = Vec::new();
    if !content_type_is_signed(header_value(request.headers, "content-type"))
        && header_value(request.headers, CONTENT_SHA256_HEADER).is_none()
    {
        added_headers.push((
            CONTENT_SHA256_HEADER.to_owned(),
            UNSIGNED_PAYLOAD.to_owned(),
        ));
    }

    // The lower-cased names share one buffer: one allocation instead of one per header.
    let mut lower_names = String::with_capacity(
        request
            .headers
            .iter()
            .chain(added_headers.iter())
            .map(|(name, _)| name.len())
            .sum(),
    );
    let mut spans = Vec::with_capacity(request.headers.len() + added_headers.len());
    for (name, value) in request.headers.iter().chain(added_headers.iter()) {
        if name.contains('_') {
            continue;
        }
        let start = lower_names.len();
        lower_names.push_str(name);
        lower_names[start..].make_ascii_lowercase();
        spans.push((start..lower_names.len(), value.trim()));
    }
    let mut signed: Vec<(&str, &str)> = spans
        .into_iter()
        .map(|(span, value)| (&lower_names[span], value))
        .collect();
    signed.sort_unstable_by(|a, b| a.0.cmp(b.0));

    let payload_hash = payload_hash(
        request.body,
        header_value(&added_headers, CONTENT_SHA256_HEADER)
            .or_else(|| header_value(request.headers, CONTENT_SHA256_HEADER)),
    );
    let signed_names = join_names(signed.iter().map(|(n, _)| *n));
    let canonical_request = build_canonical_request(
        request.method,
        request.path,
        |out| canonical::canonical_query_into(out, request.query),
        &signed,
        &signed_names,
        &payload_hash,
    );
    let string_to_sign = string_to_sign(date.trim(), &canonical_request);

    let mut authorization =
        String::with_capacity(ALGORITHM.len() + access_key.len() + signed_names.len() + 64 + 40);
    authorization.push_str(ALGORITHM);
    authorization.push_str(" Access=");
    authorization.push_str(access_key);
    authorization.push_str(", SignedHeaders=");
    authorization.push_str(&signed_names);
    authorization.push_str(", Signature=");
    push_hmac_hex(&mut authorization, secret_key, &string_to_sign);
    Ok(Signed {
        canonical_request,
        string_to_sign,
        authorization,
        added_headers,
    })
}

fn payload_hash<'a>(body: &[u8], content_sha256: Option<&'a str>) -> Cow<'a, str> {
    if body.is_empty() {
        Cow::Borrowed(EMPTY_PAYLOAD_HASH)
    } else if let Some(value) = content_sha256 {
        Cow::Borrowed(value)
    } else {
        Cow::Owned(sha256_hex(body))
    }
}

fn join_names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::with_capacity(64);
    for (index, name) in names.enumerate() {
        if index > 0 {
            out.push(';');
        }
        out.push_str(name);
    }
    out
}

fn build_canonical_request(
    method: &str,
    path: &str,
    write_query: impl FnOnce(&mut String),
    signed_headers: &[(&str, &str)],
    signed_names: &str,
    payload_hash: &str,
) -> String {
    let mut capacity = 2 * signed_names.len() + 3 * path.len() / 2 + 128;
    for (_, value) in signed_headers {
        capacity += value.len() + 2;
    }
    let mut out = String::with_capacity(capacity);
    for byte in method.bytes() {
        out.push(byte.to_ascii_uppercase() as char);
    }
    out.push('\n');
    canonical::canonical_uri_into(&mut out, path);
    out.push('\n');
    write_query(&mut out);
    out.push('\n');
    for (name, value) in signed_headers {
        out.push_str(name);
        out.push(':');
        out.push_str(value);
        out.push('\n');
    }
    out.push('\n');
    out.push_str(signed_names);
    out.push('\n');
    out.push_str(payload_hash);
    out
}

fn string_to_sign(date: &str, canonical_request: &str) -> String {
    let mut out = String::with_capacity(ALGORITHM.len() + date.len() + 66);
    out.push_str(ALGORITHM);
    out.push('\n');
    out.push_str(date);
    out.push('\n');
    canonical::push_hex_lower(&mut out, &Sha256::digest(canonical_request.as_bytes()));
    out
}

fn new_mac(secret_key: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    <HmacSha256 as KeyInit>::new_from_slice(secret_key).expect("HMAC takes keys of any length")
}

fn push_hmac_hex(out: &mut String, secret_key: &[u8], message: &str) {
    let mut mac = new_mac(secret_key);
    mac.update(message.as_bytes());
    canonical::push_hex_lower(out, &mac.finalize().into_bytes());
}

/// A request as received by a server, for [`verify`].
#[derive(Debug, Clone, Copy)]
pub struct ReceivedRequest<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// The raw path from the request line, before any decoding.
    pub raw_path: &'a str,
    /// The raw query string from the request line, without `?` (empty when absent).
    pub raw_query: &'a str,
    /// The received headers, any case.
    pub headers: &'a [(String, String)],
    /// The raw body bytes.
    pub body: &'a [u8],
}

/// Options of [`verify`].
#[derive(Debug, Clone, Copy)]
pub struct VerifyOptions {
    /// The verifier's current time.
    pub now: SdkDate,
    /// The largest accepted difference between `X-Sdk-Date` and `now`, either way, in seconds.
    pub max_skew_seconds: i64,
}

impl VerifyOptions {
    /// The default window: 15 minutes either way, as Huawei's API gateway documents.
    pub const DEFAULT_MAX_SKEW_SECONDS: i64 = 15 * 60;

    /// Options with the default skew window at `now`.
    pub fn at(now: SdkDate) -> Self {
        Self {
            now,
            max_skew_seconds: Self::DEFAULT_MAX_SKEW_SECONDS,
        }
    }
}

/// What a successful [`verify`] established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The access key that signed the request.
    pub access_key: String,
    /// The lower-cased signed header names.
    pub signed_headers: Vec<String>,
    /// The signing time.
    pub date: SdkDate,
}

/// Why a request's signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// No `Authorization` header.
    #[error("the request has no Authorization header")]
    MissingAuthorization,
    /// `Authorization` does not have the `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…` form.
    #[error("the Authorization header is malformed: {0}")]
    MalformedAuthorization(&'static str),
    /// The access key is not known to the verifier.
    #[error("unknown access key `{0}`")]
    UnknownAccessKey(String),
    /// No `X-Sdk-Date` header.
    #[error("the request has no X-Sdk-Date header")]
    MissingDate,
    /// `X-Sdk-Date` is malformed.
    #[error(transparent)]
    InvalidDate(#[from] InvalidSdkDate),
    /// `X-Sdk-Date` is too far from the verifier's clock.
    #[error(
        "X-Sdk-Date is {skew_seconds} s away from the server clock (at most {max_skew_seconds} s allowed)"
    )]
    DateOutOfWindow {
        /// Signing time minus server time.
        skew_seconds: i64,
        /// The allowed window.
        max_skew_seconds: i64,
    },
    /// A header named in `SignedHeaders` is absent.
    #[error("signed header `{0}` is missing from the request")]
    MissingSignedHeader(String),
    /// A header that must be signed when present is not in `SignedHeaders`.
    #[error("header `{0}` is present but not signed")]
    UnsignedHeader(&'static str),
    /// The signature does not match.
    #[error("the signature does not match the request")]
    SignatureMismatch,
}

struct ParsedAuthorization<'a> {
    access_key: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Result<ParsedAuthorization<'_>, VerifyError> {
    let rest = value
        .strip_prefix(ALGORITHM)
        .and_then(|r| r.strip_prefix(' '))
        .ok_or(VerifyError::MalformedAuthorization(
            "it must start with `SDK-HMAC-SHA256 `",
        ))?;
    let mut access_key = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let part = part.trim();
        let (name, field) = part
            .split_once('=')
            .ok_or(VerifyError::MalformedAuthorization(
                "each field must be `name=value`",
            ))?;
        match name {
            "Access" => access_key = Some(field),
            "SignedHeaders" => signed_headers = Some(field),
            "Signature" => signature = Some(field),
            _ => return Err(VerifyError::MalformedAuthorization("unknown field")),
        }
    }
    Ok(ParsedAuthorization {
        access_key: access_key.ok_or(VerifyError::MalformedAuthorization("no Access field"))?,
        signed_headers: signed_headers.ok_or(VerifyError::MalformedAuthorization(
            "no SignedHeaders field",
        ))?,
        signature: signature.ok_or(VerifyError::MalformedAuthorization("no Signature field"))?,
    })
}

/// Checks the SDK-HMAC-SHA256 signature of a received request (`calling.md` §6.13).
///
/// `secret_for` maps an access key to its secret key. The signature is compared in constant
/// time; the date must lie within `options.max_skew_seconds` of `options.now`; an
/// `X-Security-Token` or `X-Project-Id` that is present must be among the signed headers.
pub fn verify(
    request: &ReceivedRequest<'_>,
    secret_for: impl FnOnce(&str) -> Option<Vec<u8>>,
    options: VerifyOptions,
) -> Result<Verified, VerifyError> {
    let authorization =
        header_value(request.headers, "authorization").ok_or(VerifyError::MissingAuthorization)?;
    let parsed = parse_authorization(authorization.trim())?;
    if parsed.signed_headers.is_empty() || parsed.signature.len() != 64 {
        return Err(VerifyError::MalformedAuthorization(
            "empty SignedHeaders or a signature that is not 64 hex digits",
        ));
    }
    let expected = hex::decode(parsed.signature)
        .map_err(|_| VerifyError::MalformedAuthorization("the signature is not hex"))?;

    let date_text = header_value(request.headers, DATE_HEADER)
        .ok_or(VerifyError::MissingDate)?
        .trim();
    let date: SdkDate = date_text.parse()?;
    let skew_seconds = date.unix_seconds() - options.now.unix_seconds();
    if skew_seconds.abs() > options.max_skew_seconds {
        return Err(VerifyError::DateOutOfWindow {
            skew_seconds,
            max_skew_seconds: options.max_skew_seconds,
        });
    }

    let names: Vec<String> = parsed
        .signed_headers
        .split(';')
        .map(str::to_ascii_lowercase)
        .collect();
    if !names.iter().any(|n| n == "x-sdk-date") {
        return Err(VerifyError::UnsignedHeader("x-sdk-date"));
    }
    for must_sign in ["x-security-token", "x-project-id"] {
        if header_value(request.headers, must_sign).is_some()
            && !names.iter().any(|n| n == must_sign)
        {
            return Err(VerifyError::UnsignedHeader(must_sign));
        }
    }
    let mut signed = Vec::with_capacity(names.len());
    for name in &names {
        let value = header_value(request.headers, name)
            .ok_or_else(|| VerifyError::MissingSignedHeader(name.clone()))?;
        signed.push((name.as_str(), value.trim()));
    }

    let secret = secret_for(parsed.access_key)
        .ok_or_else(|| VerifyError::UnknownAccessKey(parsed.access_key.to_owned()))?;
    let payload_hash = payload_hash(
        request.body,
        header_value(request.headers, CONTENT_SHA256_HEADER),
    );
    let query = canonical::parse_raw_query_borrowed(request.raw_query);
    let signed_names = join_names(signed.iter().map(|(n, _)| *n));
    let canonical_request = build_canonical_request(
        request.method,
        request.raw_path,
        |out| canonical::canonical_query_into(out, &query),
        &signed,
        &signed_names,
        &payload_hash,
    );
    let string_to_sign = string_to_sign(date_text, &canonical_request);
    let mut mac = new_mac(&secret);
    mac.update(string_to_sign.as_bytes());
    // `verify_slice` compares in constant time.
    mac.verify_slice(&expected)
        .map_err(|_| VerifyError::SignatureMismatch)?;

    Ok(Verified {
        access_key: parsed.access_key.to_owned(),
        signed_headers: names,
        date,
    })
}
