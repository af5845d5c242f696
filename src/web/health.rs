//! Operations endpoints: `/healthz` (the process answers), `/readyz` (the session store and,
//! when the server has its own connection, DMS answer) and `/metrics` (Prometheus text, to
//! loopback clients only: it is diagnostics, and diagnostics are never public).

use actix_web::{HttpRequest, HttpResponse, web};

use super::session_store::Store;
use super::state::AppState;

/// `GET /healthz`: a constant.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("ok\n")
}

/// `GET /readyz`.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let mut problems = Vec::new();
    if let Store::Redis(redis) = &state.store
        && !redis.ping().await
    {
        problems.push("the Redis session store does not answer".to_owned());
    }
    if let Some(client) = &state.server_connection {
        let query = crate::api::models::instances::ListInstancesQuery {
            limit: Some(1),
            ..Default::default()
        };
        if let Err(error) = client.list_instances(&query).await {
            problems.push(format!(
                "DMS does not answer the server's connection: {error}"
            ));
        }
    }
    if problems.is_empty() {
        HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body("ready\n")
    } else {
        HttpResponse::ServiceUnavailable()
            .content_type("text/plain; charset=utf-8")
            .body(problems.join("\n") + "\n")
    }
}

/// `GET /metrics`, for clients on this machine (loopback, not through a proxy).
pub async fn metrics(request: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if !super::peer::is_local(&request) {
        return HttpResponse::Forbidden()
            .content_type("text/plain; charset=utf-8")
            .body("metrics are served to loopback clients only\n");
    }
    let active = state.store.active().await;
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(active, &state.store.failures()))
}
