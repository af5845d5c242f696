//! What a fired rule does to the answer on the wire: the forced answer of a rule that fires
//! before the handler, the changes to a real answer (status, error body, request id,
//! `Retry-After`, a broken body), and the connection faults (reset, truncation, stall), which
//! need the connection's socket: the server stores a duplicate of it with every connection.

use std::net::Shutdown;
use std::sync::Arc;
use std::time::Duration;

use actix_web::HttpResponse;
use actix_web::body::SizedStream;
use actix_web::http::StatusCode;
use bytes::Bytes;
use futures_util::stream::{self, StreamExt};

use super::super::error::DmsError;
use super::rule::{BodyFault, ConnectionFault, FaultRule};

/// A duplicate of a connection's socket, kept in the connection's data so a fault can reset
/// or close it under the HTTP server.
#[derive(Clone)]
pub struct ConnectionSocket(pub Arc<socket2::Socket>);

impl ConnectionSocket {
    /// Ends the connection now: with `reset`, SO_LINGER 0 makes the final close a reset.
    fn end(&self, reset: bool) {
        if reset {
            let _ = self.0.set_linger(Some(Duration::ZERO));
        }
        let _ = self.0.shutdown(Shutdown::Both);
    }
}

/// An answer before it is sent.
#[derive(Debug, Clone)]
pub struct Wire {
    /// The status.
    pub status: u16,
    /// Headers, `X-Request-Id` first.
    pub headers: Vec<(String, String)>,
    /// The content type, when there is a body.
    pub content_type: Option<&'static str>,
    /// The body.
    pub body: Bytes,
}

const JSON: &str = "application/json;charset=UTF-8";

impl Wire {
    /// A JSON answer (no body when `body` is `None`).
    pub fn json(
        status: u16,
        request_id: &str,
        headers: Vec<(String, String)>,
        body: Option<&serde_json::Value>,
    ) -> Self {
        let mut all = Vec::with_capacity(headers.len() + 1);
        all.push(("X-Request-Id".to_owned(), request_id.to_owned()));
        all.extend(headers);
        Self {
            status,
            headers: all,
            content_type: body.is_some().then_some(JSON),
            body: body.map(|b| Bytes::from(b.to_string())).unwrap_or_default(),
        }
    }

    /// A DMS error answer.
    pub fn error(error: &DmsError, request_id: &str) -> Self {
        Self::json(error.status, request_id, Vec::new(), Some(&error.body()))
    }

    /// The response, sent as it is.
    pub fn into_response(self) -> HttpResponse {
        let (mut builder, body) = self.start();
        builder.body(body)
    }

    fn start(self) -> (actix_web::HttpResponseBuilder, Bytes) {
        let mut builder = HttpResponse::build(
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        );
        for (name, value) in self.headers {
            builder.insert_header((name, value));
        }
        if let Some(content_type) = self.content_type {
            builder.content_type(content_type);
        }
        (builder, self.body)
    }

    fn set_header(&mut self, name: &str, value: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_owned()));
    }
}

/// The error body a rule asks for: a documented DMS code keeps its message unless the rule
/// gives one.
fn envelope(rule: &FaultRule, status: u16) -> DmsError {
    let code = rule.error_code.as_deref().unwrap_or("DMS.00500000");
    let documented = DmsError::of(code);
    let message = match &rule.error_msg {
        Some(message) => message.clone(),
        None if documented.code == code => documented.message,
        None => "Fault injected by the emulator.".to_owned(),
    };
    DmsError::custom(status, code, message)
}

/// The answer of a rule that fires before the handler: the rule's status (500 by default)
/// with its error body, or `{}` for a forced 2xx, then its other changes.
pub fn forced(rule: &FaultRule, request_id: &str) -> Wire {
    let status = rule.status.unwrap_or(500);
    let wire = if (200..300).contains(&status) {
        Wire::json(status, request_id, Vec::new(), Some(&serde_json::json!({})))
    } else {
        Wire::error(&envelope(rule, status), request_id)
    };
    alter(wire, rule)
}

/// The real answer `wire` changed as the rule says: status, error body (when the rule gives a
/// code or message, or turns the status into an error), request id, `Retry-After`, body.
pub fn alter(mut wire: Wire, rule: &FaultRule) -> Wire {
    if let Some(status) = rule.status {
        let was_error = wire.status >= 400;
        wire.status = status;
        if status >= 400 && !was_error && rule.error_code.is_none() && rule.error_msg.is_none() {
            wire.body = Bytes::from(envelope(rule, status).body().to_string());
            wire.content_type = Some(JSON);
        }
    }
    if rule.error_code.is_some() || rule.error_msg.is_some() {
        wire.body = Bytes::from(envelope(rule, wire.status).body().to_string());
        wire.content_type = Some(JSON);
    }
    if let Some(request_id) = &rule.request_id {
        wire.set_header("X-Request-Id", request_id);
    }
    if let Some(retry_after) = &rule.retry_after {
        wire.set_header("Retry-After", retry_after);
    }
    match rule.body {
        None => {}
        Some(BodyFault::Empty) => wire.body = Bytes::new(),
        Some(BodyFault::NotJson) => {
            wire.content_type = Some("text/plain; charset=utf-8");
            wire.body = Bytes::from_static(b"Service temporarily unavailable; try again later.\n");
        }
        Some(BodyFault::MalformedJson) => {
            let whole = if wire.body.is_empty() {
                Bytes::from_static(br#"{"error_code":"DMS.00500000"}"#)
            } else {
                wire.body.clone()
            };
            // Cut inside the outermost object or array, so it can never parse.
            wire.body = whole.slice(..(whole.len() / 2).max(1));
            wire.content_type = Some(JSON);
        }
        Some(BodyFault::Html) => {
            let reason = StatusCode::from_u16(wire.status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Notice");
            wire.content_type = Some("text/html; charset=utf-8");
            wire.body = Bytes::from(format!(
                "<!DOCTYPE html>\n<html><head><title>{status} {reason}</title></head>\n<body><h1>{reason}</h1><p>This page was served by a gateway in front of the service.</p></body></html>\n",
                status = wire.status
            ));
        }
    }
    wire
}

type Chunk = Result<Bytes, std::io::Error>;

fn cut_error() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::ConnectionAborted,
        "connection cut by a fault rule",
    )
}

/// Sends `wire`, doing to the connection what the rule says.
pub async fn send(
    wire: Wire,
    connection: Option<ConnectionFault>,
    stall_ms: u64,
    socket: Option<ConnectionSocket>,
) -> HttpResponse {
    let Some(fault) = connection else {
        return wire.into_response();
    };
    let mut wire = wire;
    if wire.body.is_empty() && fault != ConnectionFault::Reset {
        if fault == ConnectionFault::Stall {
            // Nothing to withhold after the headers: hold the whole answer back instead.
            tokio::time::sleep(Duration::from_millis(stall_ms)).await;
            return wire.into_response();
        }
        // A 204 cannot announce a body; a cut answer must announce one it then lacks.
        if wire.status == 204 {
            wire.status = 200;
        }
    }
    match fault {
        ConnectionFault::Reset => {
            if let Some(socket) = &socket {
                socket.end(true);
            }
            // Whatever is returned now fails to be written, and the server drops the
            // connection; without a socket the headers may still go out before the cut.
            body_stream(wire, 1, stream::once(async { Err(cut_error()) }).boxed())
        }
        ConnectionFault::ResetAfterHeaders => {
            let size = wire.body.len().max(1) as u64;
            body_stream(wire, size, after_flush(socket, true, None))
        }
        ConnectionFault::Truncate => {
            let size = wire.body.len().max(2) as u64;
            let half = wire.body.slice(..wire.body.len() / 2);
            body_stream(wire, size, after_flush(socket, false, Some(half)))
        }
        ConnectionFault::Stall => {
            let body = wire.body.clone();
            let size = body.len() as u64;
            let later = stream::once(async move {
                tokio::time::sleep(Duration::from_millis(stall_ms)).await;
                Ok::<_, std::io::Error>(body)
            });
            body_stream(wire, size, later.boxed())
        }
    }
}

/// A body that sends `first` (if any), lets the server flush what it has written, then ends
/// the connection and fails, so nothing more is sent.
fn after_flush(
    socket: Option<ConnectionSocket>,
    reset: bool,
    first: Option<Bytes>,
) -> futures_util::stream::BoxStream<'static, Chunk> {
    let first = stream::iter(first.filter(|b| !b.is_empty()).map(Ok));
    let end = stream::once(async move {
        // The server writes out what it holds whenever the body is not ready, so one yield
        // puts the headers (and the first part) on the wire before the cut.
        tokio::task::yield_now().await;
        if let Some(socket) = socket {
            socket.end(reset);
        }
        Err(cut_error())
    });
    first.chain(end).boxed()
}

fn body_stream(
    wire: Wire,
    size: u64,
    stream: futures_util::stream::BoxStream<'static, Chunk>,
) -> HttpResponse {
    let (mut builder, _) = wire.start();
    builder.body(SizedStream::new(size, stream))
}
