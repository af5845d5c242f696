//! The hosts the console answers to.
//!
//! A page on another site can point its own DNS name at this machine once it has loaded
//! ("DNS rebinding") and then read, as same-origin, whatever the console serves under that
//! name: the pages of a console on a laptop, or `/metrics`. The browser still sends the
//! attacker's name in `Host`, so a request naming a host the console is not served under is
//! refused (421) before anything else runs.
//!
//! Allowed: the host and port of `server.public_url`; and, on the port the console listens
//! on, `localhost`, loopback addresses and the listen address (any address literal when it
//! listens on all of them). Rebinding needs a name, so address literals are safe to accept;
//! a name other than `localhost` must be the configured public URL.

use std::net::{IpAddr, SocketAddr};

use super::error::ErrorSummary;
use super::htmx::{HxRequest, standalone_error};
use super::i18n::Msg;
use super::prefs::Ui;

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use actix_web::web;

/// The hosts of one console.
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    /// `host:port` of the public URL, lower case, and `host` alone when the port is the
    /// scheme's default (a browser leaves it out).
    public: Vec<String>,
    /// The address the console is bound to.
    bound: SocketAddr,
}

impl AllowedHosts {
    /// The hosts of a console bound to `bound` and opened at `public_url`, if configured.
    pub fn new(public_url: Option<&url::Url>, bound: SocketAddr) -> Self {
        let mut public = Vec::new();
        if let Some(url) = public_url
            && let Some(host) = url.host_str()
        {
            let host = host.to_ascii_lowercase();
            let port = url.port_or_known_default().unwrap_or(80);
            public.push(format!("{host}:{port}"));
            if url.port().is_none() {
                public.push(host);
            }
        }
        Self { public, bound }
    }

    /// Whether a request whose `Host` is `host` may be answered.
    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        if self.public.contains(&host) {
            return true;
        }
        let Some((name, port)) = split_host(&host) else {
            return false;
        };
        if port != self.bound.port() {
            return false;
        }
        if name == "localhost" {
            return true;
        }
        match name.parse::<IpAddr>() {
            Ok(ip) => ip.is_loopback() || ip == self.bound.ip() || self.bound.ip().is_unspecified(),
            Err(_) => false,
        }
    }
}

/// Splits `name:port`, `[v6]:port`, `name` or `[v6]` (port 80) into the name (without
/// brackets) and the port.
fn split_host(host: &str) -> Option<(&str, u16)> {
    if let Some(rest) = host.strip_prefix('[') {
        let (address, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(port) => port.parse().ok()?,
            None if after.is_empty() => 80,
            None => return None,
        };
        return Some((address, port));
    }
    match host.split_once(':') {
        Some((name, port)) => Some((name, port.parse().ok()?)),
        None => Some((host, 80)),
    }
}

/// Refuses a request whose `Host` (or HTTP/2 authority) is not one of the [`AllowedHosts`]
/// registered as app data.
pub async fn check(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, actix_web::Error> {
    let allowed = request.app_data::<web::Data<AllowedHosts>>().cloned();
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_owned()));
    let allowed = match (allowed, host) {
        (None, _) => true,
        (Some(allowed), Some(host)) => allowed.allows(&host),
        (Some(_), None) => false,
    };
    if allowed {
        return Ok(next.call(request).await?.map_into_left_body());
    }
    let summary = ErrorSummary::new(Msg::new("error-host-title"), Msg::new("error-host"));
    let response = standalone_error(
        HxRequest::of(request.request()),
        Ui::of(request.request()),
        StatusCode::MISDIRECTED_REQUEST,
        summary,
    );
    Ok(request.into_response(response).map_into_right_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(public: Option<&str>, bound: &str, host: &str, expected: bool) {
        let url = public.map(|u| url::Url::parse(u).expect("a URL"));
        let hosts = AllowedHosts::new(url.as_ref(), bound.parse().expect("an address"));
        assert_eq!(
            hosts.allows(host),
            expected,
            "public {public:?}, bound {bound}, Host {host:?}"
        );
    }

    #[test]
    fn local_names_and_addresses_on_the_console_port_are_allowed() {
        for host in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST:8080",
            "[::1]:8080",
            "127.0.0.2:8080",
        ] {
            check(None, "127.0.0.1:8080", host, true);
        }
        for host in [
            "attacker.example:8080",
            "localhost.attacker.example:8080",
            "127.0.0.1:8081",
            "localhost",
            "192.0.2.10:8080",
            "[::1",
            "127.0.0.1:port",
            "",
        ] {
            check(None, "127.0.0.1:8080", host, false);
        }
    }

    #[test]
    fn on_all_addresses_any_address_literal_is_allowed_but_no_other_name() {
        check(None, "0.0.0.0:8080", "192.0.2.10:8080", true);
        check(None, "[::]:8080", "[2001:db8::1]:8080", true);
        check(None, "0.0.0.0:8080", "console.example:8080", false);
        check(None, "192.0.2.10:8080", "192.0.2.10:8080", true);
        check(None, "192.0.2.10:8080", "192.0.2.11:8080", false);
    }

    #[test]
    fn the_public_url_is_allowed_with_or_without_its_default_port() {
        let public = Some("https://Console.Example.com/");
        check(public, "127.0.0.1:8080", "console.example.com", true);
        check(public, "127.0.0.1:8080", "console.example.com:443", true);
        check(public, "127.0.0.1:8080", "console.example.com:8443", false);
        check(public, "127.0.0.1:8080", "other.example.com", false);
        check(public, "127.0.0.1:8080", "localhost:8080", true);
        let with_port = Some("http://console.example.com:9000");
        check(with_port, "0.0.0.0:8080", "console.example.com:9000", true);
        check(with_port, "0.0.0.0:8080", "console.example.com", false);
    }
}
