//! The signer against Huawei's golden vectors, and `verify` against tampering.

use dms_console::signing::{
    ReceivedRequest, SdkDate, SignableRequest, VerifyError, VerifyOptions, canonical_query, sign,
    verify,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct Vector {
    name: String,
    ak: String,
    sk: String,
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: serde_json::Map<String, serde_json::Value>,
    body: String,
    canonical_request: String,
    string_to_sign: String,
    authorization: String,
}

fn vectors() -> Vec<Vector> {
    let text = include_str!("../fixtures/signing-vectors.json");
    serde_json::from_str(text).expect("fixture parses")
}

fn headers_of(vector: &Vector) -> Vec<(String, String)> {
    vector
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("string header").to_owned()))
        .collect()
}

#[test]
fn every_golden_vector_is_reproduced_byte_for_byte() {
    let vectors = vectors();
    assert!(
        vectors.len() >= 30,
        "the fixture should hold all the vectors"
    );
    for vector in &vectors {
        let headers = headers_of(vector);
        let request = SignableRequest {
            method: &vector.method,
            path: &vector.path,
            query: &vector.query,
            headers: &headers,
            body: vector.body.as_bytes(),
        };
        let signed = sign(&request, &vector.ak, vector.sk.as_bytes()).expect("signs");
        assert_eq!(
            signed.canonical_request, vector.canonical_request,
            "canonical request of {}",
            vector.name
        );
        assert_eq!(
            signed.string_to_sign, vector.string_to_sign,
            "string to sign of {}",
            vector.name
        );
        assert_eq!(
            signed.authorization, vector.authorization,
            "authorization of {}",
            vector.name
        );
    }
}

/// Builds the request a server would receive for `vector`, with the signature added.
struct Wire {
    method: String,
    raw_path: String,
    raw_query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Wire {
    fn from_vector(vector: &Vector) -> Self {
        let mut headers = headers_of(vector);
        let request = SignableRequest {
            method: &vector.method,
            path: &vector.path,
            query: &vector.query,
            headers: &headers,
            body: vector.body.as_bytes(),
        };
        let signed = sign(&request, &vector.ak, vector.sk.as_bytes()).unwrap();
        headers.extend(signed.added_headers);
        headers.push(("Authorization".into(), signed.authorization));
        // The path travels percent-encoded per segment, as the SDK sends it.
        let raw_path = vector
            .path
            .split('/')
            .map(dms_console::signing::encode)
            .collect::<Vec<_>>()
            .join("/");
        Wire {
            method: vector.method.clone(),
            raw_path,
            raw_query: canonical_query(&vector.query),
            headers,
            body: vector.body.as_bytes().to_vec(),
        }
    }

    fn check(&self, sk: &str, now: SdkDate) -> Result<(), VerifyError> {
        let request = ReceivedRequest {
            method: &self.method,
            raw_path: &self.raw_path,
            raw_query: &self.raw_query,
            headers: &self.headers,
            body: &self.body,
        };
        let secret = sk.as_bytes().to_vec();
        verify(&request, move |_| Some(secret), VerifyOptions::at(now)).map(|_| ())
    }

    fn set_header(&mut self, name: &str, value: &str) {
        for (n, v) in &mut self.headers {
            if n.eq_ignore_ascii_case(name) {
                *v = value.to_owned();
            }
        }
    }
}

fn date_of(vector: &Vector) -> SdkDate {
    vector.headers["X-Sdk-Date"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn verify_accepts_every_vector_as_sent_on_the_wire() {
    for vector in vectors() {
        let wire = Wire::from_vector(&vector);
        assert_eq!(
            wire.check(&vector.sk, date_of(&vector)),
            Ok(()),
            "{}",
            vector.name
        );
    }
}

#[test]
fn verify_rejects_each_kind_of_tampering() {
    let all = vectors();
    let vector = all
        .iter()
        .find(|v| v.name == "random_0")
        .expect("random_0 has query, body and X-Project-Id");
    let now = date_of(vector);
    let pristine = Wire::from_vector(vector);
    assert_eq!(pristine.check(&vector.sk, now), Ok(()));

    type Tamper = Box<dyn Fn(&mut Wire)>;
    let tampered: Vec<(&str, Tamper)> = vec![
        ("method", Box::new(|w| w.method = "PUT".into())),
        ("path", Box::new(|w| w.raw_path.push('x'))),
        (
            "query value",
            Box::new(|w| w.raw_query = w.raw_query.replace("offset=", "offset=1")),
        ),
        (
            "query added",
            Box::new(|w| w.raw_query.push_str("&limit=1")),
        ),
        (
            "signed header",
            Box::new(|w| w.set_header("X-Project-Id", "another-project")),
        ),
        ("body", Box::new(|w| w.body.push(b' '))),
        (
            "date within window but changed",
            Box::new(|w| w.set_header("X-Sdk-Date", "20250803T021731Z")),
        ),
    ];
    for (what, tamper) in tampered {
        let mut wire = Wire::from_vector(vector);
        tamper(&mut wire);
        assert_eq!(
            wire.check(&vector.sk, now),
            Err(VerifyError::SignatureMismatch),
            "tampered {what}"
        );
    }

    assert_eq!(
        pristine.check("a-different-secret-key", now),
        Err(VerifyError::SignatureMismatch)
    );

    let sixteen_minutes = 16 * 60;
    for later in [
        SdkDate::from_unix(now.unix_seconds() + sixteen_minutes),
        SdkDate::from_unix(now.unix_seconds() - sixteen_minutes),
    ] {
        assert!(matches!(
            pristine.check(&vector.sk, later),
            Err(VerifyError::DateOutOfWindow { .. })
        ));
    }
    let fourteen_minutes = SdkDate::from_unix(now.unix_seconds() + 14 * 60);
    assert_eq!(pristine.check(&vector.sk, fourteen_minutes), Ok(()));
}

#[test]
fn verify_rejects_unknown_keys_missing_parts_and_unsigned_tokens() {
    let all = vectors();
    let vector = &all[0];
    let now = date_of(vector);
    let wire = Wire::from_vector(vector);
    let request = ReceivedRequest {
        method: &wire.method,
        raw_path: &wire.raw_path,
        raw_query: &wire.raw_query,
        headers: &wire.headers,
        body: &wire.body,
    };
    assert_eq!(
        verify(&request, |_| None, VerifyOptions::at(now)),
        Err(VerifyError::UnknownAccessKey(vector.ak.clone()))
    );

    let mut without_auth = Wire::from_vector(vector);
    without_auth.headers.retain(|(n, _)| n != "Authorization");
    assert_eq!(
        without_auth.check(&vector.sk, now),
        Err(VerifyError::MissingAuthorization)
    );

    let mut garbled = Wire::from_vector(vector);
    garbled.set_header("Authorization", "SDK-HMAC-SHA256 Access=x");
    assert!(matches!(
        garbled.check(&vector.sk, now),
        Err(VerifyError::MalformedAuthorization(_))
    ));

    let mut other_algorithm = Wire::from_vector(vector);
    let value = other_algorithm
        .headers
        .iter()
        .find(|(n, _)| n == "Authorization")
        .unwrap()
        .1
        .replace("SDK-HMAC-SHA256", "SDK-HMAC-SM3");
    other_algorithm.set_header("Authorization", &value);
    assert!(matches!(
        other_algorithm.check(&vector.sk, now),
        Err(VerifyError::MalformedAuthorization(_))
    ));

    let mut smuggled_token = Wire::from_vector(vector);
    smuggled_token
        .headers
        .push(("X-Security-Token".into(), "token".into()));
    assert_eq!(
        smuggled_token.check(&vector.sk, now),
        Err(VerifyError::UnsignedHeader("x-security-token"))
    );

    let mut bad_date = Wire::from_vector(vector);
    bad_date.set_header("X-Sdk-Date", "2024-12-20T08:15:00Z");
    assert!(matches!(
        bad_date.check(&vector.sk, now),
        Err(VerifyError::InvalidDate(_))
    ));
}
