//! The emulator's HTTP side: one actix service that takes every request, decodes it, applies
//! fault rules, routes IAM and admin calls, and hands API calls to [`Emulator::handle`] on the
//! blocking pool. Every answer carries an `X-Request-Id`; errors use the DMS envelope.

use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

use super::Emulator;
use super::auth::{self, RawRequest};
use super::context::{Req, Resp};
use super::error::DmsError;
use super::faults::{self, FaultRule};
use crate::signing;

/// The largest request body accepted (AK/SK-signed bodies are limited to 12 MB by DMS).
const MAX_BODY: usize = 12 * 1024 * 1024;

/// Builds the server on `listener`.
pub fn server(emulator: Arc<Emulator>, listener: std::net::TcpListener) -> std::io::Result<Server> {
    let data = web::Data::from(emulator);
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(MAX_BODY))
            .default_service(web::to(handle))
    })
    .workers(2)
    .listen(listener)?
    .disable_signals()
    .run())
}

impl Emulator {
    /// How many API and IAM requests the emulator has received (faulted ones included, the
    /// `/_emulator` admin endpoint not): tests compare it before and after an action to prove
    /// that nothing reached the emulator.
    pub fn requests_served(&self) -> u64 {
        self.requests.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// A request id in the form the real service uses: 32 hexadecimal characters.
fn request_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

fn answer(resp: Resp, request_id: &str) -> HttpResponse {
    let mut builder = HttpResponse::build(
        StatusCode::from_u16(resp.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
    );
    builder.insert_header(("X-Request-Id", request_id.to_owned()));
    for (name, value) in resp.headers {
        builder.insert_header((name, value));
    }
    match resp.body {
        Some(body) => builder
            .content_type("application/json;charset=UTF-8")
            .body(body.to_string()),
        None => builder.finish(),
    }
}

fn failure(error: DmsError, request_id: &str) -> HttpResponse {
    answer(Resp::json(error.status, error.body()), request_id)
}

/// Splits a raw path into percent-decoded segments.
pub fn decode_segments(raw_path: &str) -> Vec<String> {
    raw_path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(&signing::percent_decode(s)).into_owned())
        .collect()
}

async fn handle(
    request: HttpRequest,
    body: web::Bytes,
    emulator: web::Data<Emulator>,
) -> HttpResponse {
    let request_id = request_id();
    let method = request.method().as_str().to_ascii_uppercase();
    let raw_path = request.uri().path().to_owned();
    let raw_query = request.uri().query().unwrap_or("").to_owned();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let segments = decode_segments(&raw_path);
    let req = Req {
        method: method.clone(),
        segments: segments.clone(),
        query: signing::parse_raw_query(&raw_query),
        headers: headers.clone(),
        body: body.to_vec(),
    };

    if segments.first().map(String::as_str) == Some("_emulator") {
        return admin(&request, &req, &emulator, &request_id);
    }
    emulator
        .requests
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);

    let decision = {
        let rules = emulator.faults();
        if rules.is_empty() {
            faults::FaultDecision::default()
        } else {
            faults::decide(&rules, &method, &segments, &mut rand::rng())
        }
    };
    if decision.latency_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(decision.latency_ms)).await;
    }
    if let Some((status, code)) = decision.error {
        let error = if code.starts_with("DMS.") && DmsError::of(&code).code == code {
            DmsError {
                status,
                ..DmsError::of(&code)
            }
        } else {
            DmsError::custom(status, &code, "Fault injected by the emulator.")
        };
        return failure(error, &request_id);
    }

    let emulator = emulator.into_inner();
    let is_token_request = method == "POST" && segments == ["v3", "auth", "tokens"];
    let result = web::block(move || {
        if is_token_request {
            let token = format!("MIIemu{}", hex::encode(rand::random::<[u8; 48]>()));
            return emulator
                .transact("", |ctx| {
                    auth::issue_token(&req, &emulator.settings, &ctx.docs, ctx.now_ms, token)
                })
                .map(|(body, token)| Resp::json(201, body).header("X-Subject-Token", token));
        }
        let raw = RawRequest {
            method: &method,
            raw_path: &raw_path,
            raw_query: &raw_query,
            headers: &headers,
            body: &req.body,
        };
        emulator.handle(&raw, &req)
    })
    .await;
    match result {
        Ok(Ok(resp)) => answer(resp, &request_id),
        Ok(Err(error)) => failure(error, &request_id),
        Err(_) => failure(DmsError::internal("the handler panicked"), &request_id),
    }
}

/// `/_emulator/faults`: GET lists the rules, PUT replaces them (a JSON array), DELETE clears
/// them. Served only when `fault_admin` is on, and only to loopback clients.
fn admin(request: &HttpRequest, req: &Req, emulator: &Emulator, request_id: &str) -> HttpResponse {
    if !emulator.settings().fault_admin {
        return failure(DmsError::no_route(), request_id);
    }
    let loopback = request
        .peer_addr()
        .map(|a| a.ip().is_loopback())
        .unwrap_or(false);
    if !loopback {
        return failure(
            DmsError::custom(
                403,
                "DMS.00403002",
                "The emulator admin endpoint only answers loopback clients.",
            ),
            request_id,
        );
    }
    if req.segments.len() != 2 || req.segments[1] != "faults" {
        return failure(DmsError::no_route(), request_id);
    }
    match req.method.as_str() {
        "GET" => answer(
            Resp::ok(serde_json::json!({ "faults": emulator.faults() })),
            request_id,
        ),
        "DELETE" => {
            emulator.set_faults(Vec::new());
            answer(Resp::empty(204), request_id)
        }
        "PUT" => match serde_json::from_slice::<Vec<FaultRule>>(&req.body) {
            Ok(rules) => match rules.iter().try_for_each(FaultRule::check) {
                Ok(()) => {
                    emulator.set_faults(rules.clone());
                    answer(Resp::ok(serde_json::json!({ "faults": rules })), request_id)
                }
                Err(why) => failure(DmsError::bad_body(why), request_id),
            },
            Err(e) => failure(
                DmsError::bad_body(format!("expected a JSON array of fault rules ({e})")),
                request_id,
            ),
        },
        _ => failure(DmsError::bad_method(), request_id),
    }
}
