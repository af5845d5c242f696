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
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::ETAG, etag))
        // File names of vendored libraries carry their version; the rest revalidate by ETag
        // after a day.
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(file.data.into_owned())
}
