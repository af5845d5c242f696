//! htmx conventions: which requests want a fragment, and how to answer them.
//!
//! A page handler renders the full page unless the request is an htmx request that is not
//! boosted and not a history restore; either way the answer says `Vary: HX-Request`.

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use std::future::{Ready, ready};

/// The htmx headers of a request.
#[derive(Debug, Clone, Copy, Default)]
pub struct HxRequest {
    /// `HX-Request: true`.
    pub is_htmx: bool,
    /// `HX-Boosted: true`.
    pub boosted: bool,
    /// `HX-History-Restore-Request: true`.
    pub history_restore: bool,
}

impl HxRequest {
    /// Reads the headers of `request`.
    pub fn of(request: &HttpRequest) -> Self {
        let flag =
            |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok()) == Some("true");
        Self {
            is_htmx: flag("hx-request"),
            boosted: flag("hx-boosted"),
            history_restore: flag("hx-history-restore-request"),
        }
    }

    /// Whether to answer with the page's fragment rather than the whole page.
    pub fn wants_fragment(&self) -> bool {
        self.is_htmx && !self.boosted && !self.history_restore
    }
}

impl FromRequest for HxRequest {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;
    fn from_request(request: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(Ok(Self::of(request)))
    }
}

/// Marks an answer rendered by the console itself (a page or fragment that shows its own
/// problem, e.g. a form with errors), as opposed to an error answer without content.
#[derive(Debug, Clone, Copy)]
pub struct Rendered;

/// An HTML answer with `Vary: HX-Request`.
pub fn html(status: actix_web::http::StatusCode, body: String) -> HttpResponse {
    let mut response = HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::VARY, "HX-Request"))
        .body(body);
    response.extensions_mut().insert(Rendered);
    response
}

/// Sends the browser to `location`: `HX-Redirect` for htmx, `303 See Other` otherwise.
pub fn redirect(hx: HxRequest, location: &str) -> HttpResponse {
    if hx.is_htmx {
        HttpResponse::Ok()
            .insert_header(("HX-Redirect", location.to_owned()))
            .finish()
    } else {
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, location.to_owned()))
            .finish()
    }
}
