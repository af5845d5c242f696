//! Who is on the other end of a request: the client address used for sign-in throttling and
//! audit records, and whether a request came through a proxy.
//!
//! Behind a TLS proxy (`server.behind_tls_proxy`) every connection comes from the proxy, so
//! the client is the last address the proxy appended to `X-Forwarded-For`; otherwise it is
//! the connection's peer and forwarding headers (which anyone can send) are ignored.

use actix_web::HttpRequest;
use actix_web::web;

/// How the console is exposed, as app data: whether a TLS proxy stands in front of it (then
/// the client is in `X-Forwarded-For`, and cookies are `Secure`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Exposure {
    /// `server.behind_tls_proxy`.
    pub behind_tls_proxy: bool,
}

impl Exposure {
    /// The exposure registered for `request`'s application (none: plain loopback HTTP).
    pub fn of(request: &HttpRequest) -> Self {
        request
            .app_data::<web::Data<Exposure>>()
            .map(|e| *e.get_ref())
            .unwrap_or_default()
    }
}

/// Headers a proxy adds to what it forwards.
const FORWARDING_HEADERS: &[&str] = &["forwarded", "x-forwarded-for", "x-real-ip"];

/// The client's address as text.
pub fn address(request: &HttpRequest) -> String {
    let behind_proxy = Exposure::of(request).behind_tls_proxy;
    if behind_proxy
        && let Some(forwarded) = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    {
        return forwarded.to_owned();
    }
    request
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Whether the request comes straight from this machine: a loopback peer and no sign of a
/// proxy in between (a proxy on the same host would otherwise make everyone look local).
pub fn is_local(request: &HttpRequest) -> bool {
    let loopback = request.peer_addr().is_some_and(|a| a.ip().is_loopback());
    loopback
        && FORWARDING_HEADERS
            .iter()
            .all(|h| request.headers().get(*h).is_none())
}
