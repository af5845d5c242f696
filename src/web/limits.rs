//! Size limits on what a request may carry before any handler, session load or Redis call
//! runs: the request target (path and query) and the request headers. Bodies are capped where
//! they are read (`FormConfig`, 64 KiB).
//!
//! The HTTP parser itself buffers up to 128 KiB of headers, and it has no setting to lower
//! that; this refuses what it let through, so nothing downstream works on, logs or stores
//! oversized input.

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;

use super::error::ErrorSummary;
use super::htmx::{HxRequest, standalone_error};
use super::i18n::Msg;
use super::prefs::Ui;

/// The longest request target (path and query) accepted: the console's own URLs are short,
/// and browsers keep theirs far below this.
pub const MAX_TARGET_BYTES: usize = 8 * 1024;

/// The most header bytes (names, values and the `: ` and line end of each) accepted in one
/// request: several times what a browser sends with the console's cookies.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Refuses a request whose target is longer than [`MAX_TARGET_BYTES`] (414) or whose
/// headers exceed [`MAX_HEADER_BYTES`] (431).
pub async fn check(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, actix_web::Error> {
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    let refusal = if target > MAX_TARGET_BYTES {
        Some((
            StatusCode::URI_TOO_LONG,
            Msg::new("error-url-too-long").arg("bytes", MAX_TARGET_BYTES),
        ))
    } else if headers > MAX_HEADER_BYTES {
        Some((
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Msg::new("error-headers-too-large").arg("bytes", MAX_HEADER_BYTES),
        ))
    } else {
        None
    };
    match refusal {
        None => Ok(next.call(request).await?.map_into_left_body()),
        Some((status, message)) => {
            let summary = ErrorSummary::new(Msg::new("error-too-large-title"), message);
            let response = standalone_error(
                HxRequest::of(request.request()),
                Ui::of(request.request()),
                status,
                summary,
            );
            Ok(request.into_response(response).map_into_right_body())
        }
    }
}
