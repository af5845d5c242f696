//! The emulator's HTTP side: one actix service that takes every request, decodes it, names its
//! SDK operation, applies fault rules (before the handler, or to its answer after it
//! committed), routes IAM and admin calls, hands API calls to [`Emulator::handle`] on the
//! blocking pool and records the request in the request log. Every answer carries an
//! `X-Request-Id`; errors use the DMS envelope.

use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

use super::auth::{self, RawRequest};
use super::context::{Req, Resp};
use super::error::DmsError;
use super::faults::{ConnectionFault, ConnectionSocket, Phase, RequestFacts, Wire, answer};
use super::request_log::Entry;
use super::{Emulator, admin, operations};
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
    .on_connect(keep_socket)
    .workers(2)
    .listen(listener)?
    .disable_signals()
    .run())
}

/// Keeps a duplicate of each connection's socket, so connection faults can reset or close it.
fn keep_socket(connection: &dyn std::any::Any, data: &mut actix_web::dev::Extensions) {
    if let Some(stream) = connection.downcast_ref::<actix_web::rt::net::TcpStream>()
        && let Ok(socket) = socket2::SockRef::from(stream).try_clone()
    {
        data.insert(ConnectionSocket(Arc::new(socket)));
    }
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
        return admin::handle(&request, &req, &emulator, &request_id);
    }
    emulator
        .requests
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);

    let operation = operations::operation_of(&method, &segments);
    let is_token_request = method == "POST" && segments == ["v3", "auth", "tokens"];
    let decision = emulator.decide_faults(&RequestFacts {
        method: &method,
        segments: &segments,
        operation,
        is_iam: is_token_request,
    });
    if decision.before_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(decision.before_ms)).await;
    }
    let socket = request.conn_data::<ConnectionSocket>().cloned();
    let mut entry = Entry {
        seq: 0,
        method: method.clone(),
        path: raw_path.clone(),
        operation,
        faults: decision.fired_ids,
        handled: false,
        status: None,
    };
    let fired = decision.fired;
    if let Some(fired) = fired.as_ref().filter(|f| f.rule.phase == Phase::Before) {
        let wire = answer::forced(&fired.rule, &request_id);
        if fired.rule.connection != Some(ConnectionFault::Reset) {
            entry.status = Some(wire.status);
        }
        emulator.request_log().record(entry);
        return answer::send(wire, fired.rule.connection, fired.rule.stall_ms, socket).await;
    }

    entry.handled = true;
    let inner = emulator.clone().into_inner();
    let result = web::block(move || {
        let emulator = inner;
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
    let wire = match result {
        Ok(Ok(resp)) => Wire::json(resp.status, &request_id, resp.headers, resp.body.as_ref()),
        Ok(Err(error)) => Wire::error(&error, &request_id),
        Err(_) => Wire::error(&DmsError::internal("the handler panicked"), &request_id),
    };
    // Only a rule of the other phase can be left: the change is made, now its answer breaks.
    let (wire, connection, stall_ms) = match &fired {
        Some(fired) => (
            answer::alter(wire, &fired.rule),
            fired.rule.connection,
            fired.rule.stall_ms,
        ),
        None => (wire, None, 0),
    };
    if connection != Some(ConnectionFault::Reset) {
        entry.status = Some(wire.status);
    }
    // Recorded before any delay, so a test that gave up waiting still finds the request.
    emulator.request_log().record(entry);
    if decision.after_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(decision.after_ms)).await;
    }
    answer::send(wire, connection, stall_ms, socket).await
}
