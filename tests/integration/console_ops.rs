//! Operations endpoints: liveness, readiness against the server's DMS connection, and the
//! Prometheus metrics (requests by route and status, upstream calls by operation and outcome,
//! active sessions).

use serde_json::json;

use crate::support::console::{Page, spawn_app};
use crate::support::emulator::{AK, PROJECT, SK};

/// The value of the sample `name{labels}` in a Prometheus text page.
fn sample(metrics: &Page, series: &str) -> Option<f64> {
    metrics.body.lines().find_map(|line| {
        line.strip_prefix(series)
            .and_then(|rest| rest.strip_prefix(' '))
            .and_then(|value| value.trim().parse().ok())
    })
}

#[tokio::test]
async fn healthz_answers_without_a_session() {
    let app = spawn_app().await;
    let page = app.get_page("/healthz").await;
    page.assert_status(200);
    assert_eq!(page.body, "ok\n");
    assert!(app.session_cookie().is_none());
}

#[tokio::test]
async fn readyz_follows_the_server_connection_to_dms() {
    let app = spawn_app().await;
    let ready = app.get_page("/readyz").await;
    ready.assert_status(200);
    assert_eq!(ready.body, "ready\n");

    app.set_faults(json!([{
        "method": "GET",
        "path": "/v2/*/instances",
        "error_rate": 1.0,
        "status": 500,
        "error_code": "DMS.00500000"
    }]))
    .await;
    let not_ready = app.get_page("/readyz").await;
    not_ready.assert_status(503);
    assert!(
        not_ready
            .body
            .starts_with("DMS does not answer the server's connection"),
        "{}",
        not_ready.body
    );
    assert!(
        not_ready.body.contains("DMS.00500000"),
        "{}",
        not_ready.body
    );

    app.clear_faults().await;
    app.get_page("/readyz").await.assert_status(200);
}

#[tokio::test]
async fn metrics_count_requests_upstream_calls_and_sessions() {
    let app = spawn_app().await;
    let id = app.create_instance("orders-prod");
    app.login_as("admin").await.assert_redirect("/instances");
    for _ in 0..3 {
        app.get_page("/instances").await.assert_status(200);
    }
    app.get_page(&format!("/instances/{id}"))
        .await
        .assert_status(200);
    app.get_page("/instances/11c45539-0000-4000-8000-812c41f61f30")
        .await
        .assert_status(404);
    // An access-key session is counted too, and so are its upstream calls.
    let other = app.new_browser();
    other
        .login_access_key(AK, SK, PROJECT)
        .await
        .assert_redirect("/instances");
    other.get_page("/instances").await.assert_status(200);
    app.set_faults(json!([{
        "method": "GET",
        "path": "/v2/*/instances",
        "error_rate": 1.0,
        "status": 500,
        "error_code": "DMS.00500000"
    }]))
    .await;
    app.get_page("/instances").await.assert_status(502);
    app.clear_faults().await;

    let metrics = app.new_browser().get_page("/metrics").await;
    metrics.assert_status(200);
    assert!(
        metrics
            .header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    assert_eq!(
        sample(
            &metrics,
            "dms_console_requests_total{method=\"GET\",route=\"/instances\",status=\"200\"}"
        ),
        Some(4.0),
        "{}",
        metrics.body
    );
    assert_eq!(
        sample(
            &metrics,
            "dms_console_requests_total{method=\"GET\",route=\"/instances\",status=\"502\"}"
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &metrics,
            "dms_console_requests_total{method=\"GET\",route=\"/instances/{instance_id}\",status=\"200\"}"
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &metrics,
            "dms_console_requests_total{method=\"GET\",route=\"/instances/{instance_id}\",status=\"404\"}"
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &metrics,
            "dms_console_requests_total{method=\"POST\",route=\"/login\",status=\"303\"}"
        ),
        Some(2.0)
    );
    // ListInstances: three lists by the admin, the instance switcher of the first dashboard
    // (the second reads the admin's cached list), the access key's check and list.
    assert_eq!(
        sample(
            &metrics,
            "dms_console_upstream_calls_total{operation=\"ListInstances\",outcome=\"ok\"}"
        ),
        Some(6.0),
        "{}",
        metrics.body
    );
    let failed: f64 = metrics
        .body
        .lines()
        .filter(|l| {
            l.starts_with("dms_console_upstream_calls_total{operation=\"ListInstances\"")
                && !l.contains("outcome=\"ok\"")
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    assert_eq!(failed, 1.0, "{}", metrics.body);
    assert_eq!(
        sample(
            &metrics,
            "dms_console_upstream_calls_total{operation=\"ShowInstance\",outcome=\"ok\"}"
        ),
        Some(1.0)
    );
    assert_eq!(sample(&metrics, "dms_console_active_sessions"), Some(2.0));
    assert!(
        metrics
            .body
            .contains("dms_console_request_duration_seconds_count{route=\"/instances\"}")
    );

    app.logout().await.assert_redirect("/login");
    let metrics = app.new_browser().get_page("/metrics").await;
    assert_eq!(sample(&metrics, "dms_console_active_sessions"), Some(1.0));
}

#[tokio::test]
async fn metrics_are_refused_when_a_proxy_forwards_the_request() {
    let app = spawn_app().await;
    app.new_browser()
        .get_page("/metrics")
        .await
        .assert_status(200);
    for header in ["X-Forwarded-For", "Forwarded", "X-Real-IP"] {
        let page = app
            .new_browser()
            .get_with("/metrics", &[(header, "203.0.113.9")])
            .await;
        page.assert_status(403);
        assert!(
            !page.body.contains("dms_console_requests_total"),
            "{header}"
        );
    }
}
