//! How a page answers: the whole page or its fragment, and the htmx error convention.
//!
//! A handler builds its page struct (a template with a `layout` field, declared with
//! [`page!`]) and returns [`render_page`]: the full page for navigation, the `content` block
//! for htmx requests that are not boosted and not history restores, always with
//! `Vary: HX-Request`. Panels and other fragments rendered on their own use [`fragment!`] and
//! [`render_fragment`].
//!
//! **The error convention, decided here and only here** ([`answer_errors`]): an htmx request
//! always gets a 2xx answer, so htmx swaps it and the browser logs no error; the real status
//! travels in `X-Console-Error-Status`. A page that shows its own problem (a form with errors
//! next to its fields, a list with an error card) is swapped where it was aimed; a bare
//! failure (a `WebError`) becomes a toast swapped into `#toasts`; an ended session becomes
//! `HX-Redirect: /login`. Full-page requests keep their status and get the error page in the
//! layout. The `htmx-config` meta of `base.html` only keeps htmx from swapping anything the
//! server did not mean (4xx/5xx never arrive for htmx requests from the console's own pages).

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use askama::Template;
use std::future::{Ready, ready};

use super::error::{ErrorSummary, WebError};
use super::layout::Layout;
use super::prefs::Ui;
use super::view::Localized;

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
        Self::from_headers(request.headers())
    }

    fn from_headers(headers: &header::HeaderMap) -> Self {
        let flag = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()) == Some("true");
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

/// A page: a template extending `base.html` with a `content` block and a `layout` field.
pub trait PageTemplate: Template + Localized {
    /// Renders only the `content` block.
    fn render_content(&self) -> askama::Result<String>;
}

/// Declares a page struct: `crate::page!(TopicsPage);` after
/// `#[derive(Template)] #[template(path = "…", blocks = ["content"])]`.
#[macro_export]
macro_rules! page {
    ($page:ty) => {
        // The template calls the `Localized` helpers as methods.
        #[allow(unused_imports)]
        use $crate::web::view::Localized as _;
        impl $crate::web::htmx::PageTemplate for $page {
            fn render_content(&self) -> askama::Result<String> {
                askama::Template::render(&self.as_content())
            }
        }
        impl $crate::web::view::Localized for $page {
            fn ui(&self) -> &$crate::web::prefs::Ui {
                &self.layout.ui
            }
        }
    };
}

/// Declares a fragment struct rendered on its own, whose [`Ui`] is in field `$ui`:
/// `crate::fragment!(OverviewPanel, ui);`.
#[macro_export]
macro_rules! fragment {
    ($fragment:ty, $ui:ident) => {
        #[allow(unused_imports)]
        use $crate::web::view::Localized as _;
        impl $crate::web::view::Localized for $fragment {
            fn ui(&self) -> &$crate::web::prefs::Ui {
                &self.$ui
            }
        }
    };
}

/// Marks an answer the console rendered itself (a page or fragment that shows its own
/// problem), as opposed to a bare failure.
#[derive(Debug, Clone, Copy)]
pub struct Rendered;

/// An HTML answer with `Vary: HX-Request`.
pub fn html(status: StatusCode, body: String) -> HttpResponse {
    let mut response = HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::VARY, "HX-Request"))
        .body(body);
    response.extensions_mut().insert(Rendered);
    response
}

/// Renders `page` whole, or its `content` block for htmx, with `status`.
pub fn render_page<P: PageTemplate>(
    hx: HxRequest,
    status: StatusCode,
    page: &P,
) -> Result<HttpResponse, WebError> {
    let body = if hx.wants_fragment() {
        page.render_content()?
    } else {
        page.render()?
    };
    Ok(html(status, body))
}

/// Renders a fragment on its own (a panel, a table body) with `status`.
pub fn render_fragment<T: Template>(
    status: StatusCode,
    fragment: &T,
) -> Result<HttpResponse, WebError> {
    Ok(html(status, fragment.render()?))
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

/// The error page: the summary in the layout.
#[derive(Template)]
#[template(path = "errors/error.html", blocks = ["content"])]
pub struct ErrorPage {
    /// The layout (with the user bar when signed in).
    pub layout: Layout,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong.
    pub error: ErrorSummary,
}
crate::page!(ErrorPage);

/// A toast: an error summary shown in the corner.
#[derive(Template)]
#[template(path = "_toast.html")]
pub struct Toast {
    /// The reader's preferences.
    pub ui: Ui,
    /// `error` or `ok`.
    pub kind: &'static str,
    /// What to say.
    pub error: ErrorSummary,
}
crate::fragment!(Toast, ui);

/// The error convention (see the module documentation), for every answer of the console.
pub async fn answer_errors(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, actix_web::Error> {
    let hx = HxRequest::from_headers(request.headers());
    let response = next.call(request).await?;
    let status = response.status();
    if hx.is_htmx
        && status == StatusCode::SEE_OTHER
        && response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            == Some("/login")
    {
        // A 2xx: htmx follows `HX-Redirect` whatever the status, and an ended session is not
        // an error of the page.
        let (request, _) = response.into_parts();
        let replacement = HttpResponse::Ok()
            .insert_header(("HX-Redirect", "/login"))
            .finish();
        return Ok(ServiceResponse::new(request, replacement).map_into_right_body());
    }
    if !(status.is_client_error() || status.is_server_error()) {
        return Ok(response.map_into_left_body());
    }
    let summary = response
        .response()
        .extensions()
        .get::<ErrorSummary>()
        .cloned();
    match summary {
        Some(summary) => {
            let (request, _) = response.into_parts();
            let ui = Ui::of(&request);
            let replacement = if hx.is_htmx {
                toast(ui, status, summary)
            } else {
                error_page(Layout::for_request(&request, ui), status, summary)
            };
            Ok(ServiceResponse::new(request, replacement).map_into_right_body())
        }
        None if hx.is_htmx && response.response().extensions().get::<Rendered>().is_some() => {
            let mut response = response;
            *response.response_mut().status_mut() = StatusCode::OK;
            response.headers_mut().insert(
                header::HeaderName::from_static("x-console-error-status"),
                header::HeaderValue::from(status.as_u16()),
            );
            Ok(response.map_into_left_body())
        }
        None => Ok(response.map_into_left_body()),
    }
}

/// The toast of `summary` for htmx: swapped into `#toasts`, the real status in a header.
fn toast(ui: Ui, status: StatusCode, summary: ErrorSummary) -> HttpResponse {
    let body = Toast {
        ui,
        kind: "error",
        error: summary,
    }
    .render()
    .unwrap_or_default();
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("HX-Retarget", "#toasts"))
        .insert_header(("HX-Reswap", "beforeend"))
        .insert_header(("X-Console-Error-Status", status.as_u16().to_string()))
        .body(body)
}

/// The answer to a failure found where the request is no longer at hand (around the session
/// middleware): the toast for htmx, else the error page without a user bar.
pub fn standalone_error(
    hx: HxRequest,
    ui: Ui,
    status: StatusCode,
    summary: ErrorSummary,
) -> HttpResponse {
    if hx.is_htmx {
        toast(ui, status, summary)
    } else {
        let layout = Layout {
            ui,
            section: super::layout::Section::Other,
            ..Default::default()
        };
        error_page(layout, status, summary)
    }
}

/// The error page for `summary` in `layout`.
fn error_page(mut layout: Layout, status: StatusCode, error: ErrorSummary) -> HttpResponse {
    layout.title = layout.ui.lang.msg(&error.title);
    let page = ErrorPage {
        layout,
        status: status.as_u16(),
        error,
    };
    match page.render() {
        Ok(body) => html(status, body),
        Err(e) => {
            tracing::error!(error = %e, "the error page does not render");
            HttpResponse::build(status)
                .content_type("text/plain; charset=utf-8")
                .body(page.error.message.english())
        }
    }
}
