//! Static files (htmx, CSS, JavaScript, icons) embedded in the binary with rust-embed and
//! served with their SHA-256 as `ETag` and a long cache lifetime.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

/// The files of `static/`.
#[derive(rust_embed::Embed)]
#[folder = "static/"]
pub struct Assets;

/// `GET /static/{path}`.
pub async fn serve(request: HttpRequest, path: web::Path<String>) -> HttpResponse {
    let Some(file) = Assets::get(&path) else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no such file");
    };
    let etag = format!("\"{}\"", hex::encode(file.metadata.sha256_hash()));
    if request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish();
    }
    let mut content_type = file.metadata.mimetype().to_owned();
    if content_type.starts_with("text/") || content_type.contains("javascript") {
        content_type.push_str("; charset=utf-8");
    }
    // File names of vendored libraries carry their version, so they never change: cache
    // them for a year. The rest revalidate by ETag after a day.
    let cache = if is_versioned(&path) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=86400"
    };
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache))
        .body(file.data.into_owned())
}

/// Whether a file name carries a version, like `htmx-2.0.11.min.js`.
fn is_versioned(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.split('-').skip(1).any(|part| {
        let mut pieces = part.split('.');
        let numeric = |p: Option<&str>| {
            p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        };
        numeric(pieces.next()) && numeric(pieces.next())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_versioned_names_count_as_versioned() {
        assert!(super::is_versioned("htmx-2.0.11.min.js"));
        assert!(super::is_versioned("vendor/lib-1.2.js"));
        assert!(!super::is_versioned("app.js"));
        assert!(!super::is_versioned("app-shell.css"));
        assert!(!super::is_versioned("icon-2x.png"));
    }
}
