//! SDK-HMAC-SHA256 cost per request: signing a GET with five query parameters, signing a POST
//! with a ~100-byte JSON body, and verifying the signed GET as the emulator does.
//!
//! The reference is the official Python SDK's signer at about 12.6 µs per request; the goal
//! is a tenth of that (≤ 1.26 µs per signature).
//!
//! Run with `cargo bench --bench signing`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use dms_console::signing::{self, ReceivedRequest, SdkDate, SignableRequest, VerifyOptions};

const AK: &str = "AKEXAMPLE0000000";
const SK: &[u8] = b"SKEXAMPLESECRET000000000000000000000000";
const PROJECT: &str = "0123456789abcdef0123456789abcdef";
const DATE: &str = "20240416T095341Z";

fn headers() -> Vec<(String, String)> {
    [
        ("Content-Type", "application/json"),
        ("Host", "dms.cn-north-4.myhuaweicloud.com"),
        ("User-Agent", "dms-console/0.1.0"),
        ("X-Project-Id", PROJECT),
        ("X-Sdk-Date", DATE),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_owned(), v.to_owned()))
    .collect()
}

fn list_messages_query() -> Vec<(String, String)> {
    [
        ("topic", "topic-test"),
        ("start_time", "1648888166000"),
        ("end_time", "1648888266000"),
        ("limit", "10"),
        ("offset", "0"),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_owned(), v.to_owned()))
    .collect()
}

const LIST_MESSAGES_PATH: &str = "/v2/rocketmq/0123456789abcdef0123456789abcdef/instances/11c45539-0000-0000-0000-812c41f61f30/messages";
const RESEND_PATH: &str = "/v2/rocketmq/0123456789abcdef0123456789abcdef/instances/11c45539-0000-0000-0000-812c41f61f30/messages/deadletter-resend";
const RESEND_BODY: &[u8] =
    br#"{"topic": "%DLQ%group1", "msg_id_list": ["C0A8149E00002776000000000000B683"]}"#;

fn benches(c: &mut Criterion) {
    let headers = headers();
    let query = list_messages_query();
    let get = SignableRequest {
        method: "GET",
        path: LIST_MESSAGES_PATH,
        query: &query,
        headers: &headers,
        body: &[],
    };
    c.bench_function("sign_get_list_messages", |b| {
        b.iter(|| signing::sign(black_box(&get), black_box(AK), black_box(SK)).unwrap())
    });

    let post = SignableRequest {
        method: "POST",
        path: RESEND_PATH,
        query: &[],
        headers: &headers,
        body: RESEND_BODY,
    };
    c.bench_function("sign_post_json", |b| {
        b.iter(|| signing::sign(black_box(&post), black_box(AK), black_box(SK)).unwrap())
    });

    // The GET as a server receives it: canonical query on the wire plus Authorization.
    let signed = signing::sign(&get, AK, SK).unwrap();
    let mut received_headers = headers.clone();
    received_headers.push(("Authorization".to_owned(), signed.authorization));
    received_headers.push(("Accept".to_owned(), "*/*".to_owned()));
    let raw_query = signing::canonical_query(&query);
    let received = ReceivedRequest {
        method: "GET",
        raw_path: LIST_MESSAGES_PATH,
        raw_query: &raw_query,
        headers: &received_headers,
        body: &[],
    };
    let now: SdkDate = DATE.parse().unwrap();
    signing::verify(&received, |_| Some(SK.to_vec()), VerifyOptions::at(now))
        .expect("the benchmark request verifies");
    c.bench_function("verify_get", |b| {
        b.iter(|| {
            signing::verify(
                black_box(&received),
                |ak| (ak == AK).then(|| SK.to_vec()),
                VerifyOptions::at(now),
            )
            .unwrap()
        })
    });
}

criterion_group!(signing_benches, benches);
criterion_main!(signing_benches);
