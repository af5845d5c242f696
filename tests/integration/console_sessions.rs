//! Sessions: cookie attributes, a new id at sign-in, idle and absolute timeouts, sign-out that
//! deletes the server state (even against a request running at the same time), and htmx
//! requests after the session ended.

use std::time::Duration;

use serde_json::json;

use crate::support::console::{Browser, SESSION_COOKIE, TestApp, spawn_app, spawn_app_with};

/// The number of sessions `/metrics` reports.
async fn active_sessions(app: &TestApp) -> u64 {
    app.new_browser()
        .get_page("/metrics")
        .await
        .body
        .lines()
        .find_map(|l| l.strip_prefix("dms_console_active_sessions "))
        .expect("the active sessions gauge")
        .trim()
        .parse()
        .unwrap()
}

/// A browser holding only the session cookie `value`.
fn with_session(app: &TestApp, value: &str) -> Browser {
    let browser = app.new_browser();
    browser.set_cookie(SESSION_COOKIE, Some(value));
    browser
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax() {
    let app = spawn_app().await;
    let login_form = app.get_page("/login").await;
    let nonce = login_form
        .set_cookie("dms-console-login")
        .expect("the sign-in form sets its nonce cookie");
    assert!(nonce.contains("HttpOnly"), "{nonce}");
    assert!(nonce.contains("SameSite=Strict"), "{nonce}");

    let signed_in = app.login_as("viewer").await;
    signed_in.assert_redirect("/instances");
    let cookie = signed_in
        .set_cookie(SESSION_COOKIE)
        .expect("sign-in sets the session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP without a TLS proxy: {cookie}"
    );
    // The cookie carries an opaque id, never the user or the credentials.
    let value = app.session_cookie().unwrap();
    assert!(!value.contains("viewer"), "{value}");
}

#[tokio::test]
async fn behind_a_tls_proxy_the_cookie_is_secure_and_host_prefixed() {
    let app = spawn_app_with(|s| {
        s.server.behind_tls_proxy = true;
        s.server.public_url = Some("https://console.example.test".to_owned());
    })
    .await;
    let signed_in = app.login_as("viewer").await;
    signed_in.assert_redirect("/instances");
    let cookie = signed_in
        .set_cookie("__Host-dms-console-session")
        .expect("the __Host- cookie");
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(!cookie.contains("Domain="), "{cookie}");
    assert!(
        signed_in
            .header("strict-transport-security")
            .is_some_and(|h| h.starts_with("max-age=31536000"))
    );
}

#[tokio::test]
async fn signing_in_gives_a_new_session_id_and_ends_the_old_one() {
    let app = spawn_app().await;
    // A cookie value planted by someone else is not adopted.
    app.set_cookie(SESSION_COOKIE, Some("planted-by-an-attacker"));
    app.login_as("viewer").await.assert_redirect("/instances");
    let first = app.session_cookie().expect("a session");
    assert_ne!(first, "planted-by-an-attacker");

    // Signing in again while holding a session replaces its id.
    app.login_as("admin").await.assert_redirect("/instances");
    let second = app.session_cookie().expect("a session");
    assert_ne!(first, second);
    assert_eq!(
        app.get_page("/instances").await.text("#whoami .user"),
        "admin"
    );
    with_session(&app, &first)
        .get_page("/instances")
        .await
        .assert_redirect("/login");
    assert_eq!(active_sessions(&app).await, 1);
}

#[tokio::test]
async fn an_idle_session_expires_and_htmx_is_sent_to_sign_in() {
    let app = spawn_app_with(|s| {
        s.session.idle_timeout_seconds = Some(2);
        s.session.absolute_timeout_seconds = Some(600);
    })
    .await;
    app.login_as("admin").await.assert_redirect("/instances");
    let token = app.csrf().await;
    // Activity keeps it alive past the idle timeout.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(900)).await;
        app.get_page("/instances").await.assert_status(200);
    }
    tokio::time::sleep(Duration::from_millis(3100)).await;

    let fragment = app.get_fragment("/instances").await;
    fragment.assert_status(200);
    assert_eq!(fragment.header("hx-redirect"), Some("/login"));
    assert!(!fragment.body.contains("<form"), "{}", fragment.body);

    let post = app
        .post_raw(
            "/instances/11c45539-0000-4000-8000-812c41f61f30/restart",
            &[],
            Some(&token),
            &[("Origin", &app.base), ("HX-Request", "true")],
        )
        .await;
    post.assert_status(200);
    assert_eq!(post.header("hx-redirect"), Some("/login"));
    assert!(!post.body.contains("<form"), "{}", post.body);

    app.get_page("/instances").await.assert_redirect("/login");
    assert_eq!(active_sessions(&app).await, 0);
}

#[tokio::test]
async fn a_session_ends_at_the_absolute_timeout_even_when_active() {
    let app = spawn_app_with(|s| {
        s.session.idle_timeout_seconds = Some(3);
        s.session.absolute_timeout_seconds = Some(4);
    })
    .await;
    app.login_as("viewer").await.assert_redirect("/instances");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    app.get_page("/instances").await.assert_status(200);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    app.get_page("/instances").await.assert_status(200);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Used 1.5 s ago (well within the idle timeout), but signed in 4.5 s ago.
    app.get_page("/instances").await.assert_redirect("/login");
}

#[tokio::test]
async fn the_idle_timeout_may_not_exceed_the_absolute_timeout() {
    let emulator_url = "http://127.0.0.1:9";
    let dir = tempfile::tempdir().unwrap();
    let mut settings =
        crate::support::console::console_settings(emulator_url, &dir.path().join("a.sqlite3"));
    settings.session.idle_timeout_seconds = Some(120);
    settings.session.absolute_timeout_seconds = Some(60);
    let key = dms_console::startup::server_key(&settings).unwrap();
    let error = dms_console::startup::build_state(&settings, key)
        .err()
        .expect("refused");
    assert_eq!(error.key, "session.idle_timeout_seconds");
}

#[tokio::test]
async fn sign_out_deletes_the_server_state_and_clears_the_browser() {
    let app = spawn_app().await;
    app.login_as("operator").await.assert_redirect("/instances");
    let old = app.session_cookie().unwrap();
    let token = app.csrf().await;

    let out = app.logout().await;
    out.assert_redirect("/login");
    assert_eq!(
        out.header("clear-site-data"),
        Some("\"cache\", \"storage\"")
    );
    let removal = out
        .set_cookie(SESSION_COOKIE)
        .expect("the cookie is removed");
    assert!(
        removal.contains("Max-Age=0") || removal.contains("max-age=0"),
        "{removal}"
    );
    assert!(app.session_cookie().is_none());
    assert_eq!(active_sessions(&app).await, 0);

    // Replaying the old cookie is worthless, for pages, fragments and changes alike.
    let replay = with_session(&app, &old);
    replay
        .get_page("/instances")
        .await
        .assert_redirect("/login");
    let fragment = replay.get_fragment("/instances").await;
    fragment.assert_status(200);
    assert_eq!(fragment.header("hx-redirect"), Some("/login"));
    replay
        .post_raw("/logout", &[], Some(&token), &[("Origin", &app.base)])
        .await
        .assert_redirect("/login");
    assert_eq!(active_sessions(&app).await, 0);
}

#[tokio::test]
async fn a_request_running_during_sign_out_cannot_bring_the_session_back() {
    let app = spawn_app().await;
    app.login_as("admin").await.assert_redirect("/instances");
    let old = app.session_cookie().unwrap();
    app.csrf().await;
    app.set_faults(json!([{"method": "GET", "path": "/v2/*/instances", "latency_ms": 1500}]))
        .await;

    let slow_browser = app.browser.aimed_at(&app.base);
    let slow = tokio::spawn(async move { slow_browser.get_page("/instances").await });
    tokio::time::sleep(Duration::from_millis(400)).await;
    let before_logout_finished = !slow.is_finished();
    app.logout().await.assert_redirect("/login");
    assert!(
        before_logout_finished,
        "the slow request was still running when sign-out started"
    );
    let slow = slow.await.unwrap();
    slow.assert_status(200);
    app.clear_faults().await;

    let mut cookies = vec![old];
    if let Some(set) = slow.set_cookie(SESSION_COOKIE) {
        let value = set
            .split(';')
            .next()
            .unwrap()
            .split_once('=')
            .unwrap()
            .1
            .to_owned();
        if !value.is_empty() {
            cookies.push(value);
        }
    }
    for cookie in cookies {
        with_session(&app, &cookie)
            .get_page("/instances")
            .await
            .assert_redirect("/login");
    }
    assert_eq!(active_sessions(&app).await, 0);
}
