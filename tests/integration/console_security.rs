//! CSRF and origin checks, roles (walking the route table), response headers, the hosts the
//! console answers to (DNS rebinding) and request size limits.

use dms_console::web::rbac::{Permission, Role, allows};
use dms_console::web::routes::{Access, table};

use crate::support::console::{Browser, TestApp, fill_pattern, spawn_app, spawn_app_with};

/// An app with one running instance and `role` signed in on the default browser.
async fn signed_in(role: &str) -> (TestApp, String) {
    let app = spawn_app().await;
    let id = app.create_instance("orders-prod");
    app.login_as(role).await.assert_redirect("/instances");
    (app, id)
}

/// The form fields a route's handler needs to get past its own validation.
fn fields_for(path: &str) -> Vec<(&'static str, &'static str)> {
    if path.ends_with("/edit") {
        vec![("name", "orders-renamed"), ("description", "changed")]
    } else if path.ends_with("/delete") {
        vec![("confirm", "orders-prod")]
    } else {
        Vec::new()
    }
}

#[tokio::test]
async fn a_change_without_a_valid_token_or_from_another_origin_is_refused() {
    let (app, id) = signed_in("admin").await;
    let path = format!("/instances/{id}/restart");
    let token = app.csrf().await;
    let origin = app.base.clone();
    let before = app.emulator_requests();

    let missing = app.post_raw(&path, &[], None, &[("Origin", &origin)]).await;
    missing.assert_status(403);
    assert!(
        missing
            .text(".error-card .message")
            .contains("the CSRF token is missing")
    );

    let wrong = app
        .post_raw(&path, &[], Some("not-the-token"), &[("Origin", &origin)])
        .await;
    wrong.assert_status(403);
    assert!(
        wrong
            .text(".error-card .message")
            .contains("the CSRF token is wrong or expired")
    );

    let evil = app
        .post_raw(
            &path,
            &[],
            Some(&token),
            &[("Origin", "http://evil.example")],
        )
        .await;
    evil.assert_status(403);
    assert!(
        evil.text(".error-card .message")
            .contains("the origin http://evil.example is not this console")
    );

    let cross_site = app
        .post_raw(
            &path,
            &[],
            Some(&token),
            &[("Origin", &origin), ("Sec-Fetch-Site", "cross-site")],
        )
        .await;
    cross_site.assert_status(403);
    assert!(
        cross_site
            .text(".error-card .message")
            .contains("Sec-Fetch-Site is cross-site")
    );

    let same_site = app
        .post_raw(&path, &[], Some(&token), &[("Sec-Fetch-Site", "same-site")])
        .await;
    same_site.assert_status(403);

    let anonymous = app.post_raw(&path, &[], Some(&token), &[]).await;
    anonymous.assert_status(403);
    assert!(
        anonymous
            .text(".error-card .message")
            .contains("neither Origin nor Referer")
    );

    let foreign_referer = app
        .post_raw(
            &path,
            &[],
            Some(&token),
            &[("Referer", "http://evil.example/page")],
        )
        .await;
    foreign_referer.assert_status(403);

    assert_eq!(
        app.emulator_requests(),
        before,
        "no refused request reached DMS"
    );

    // The console's own form works, with the token in the form or in the htmx header.
    let op = app.op_id(&path).await;
    let before = app.emulator_requests();
    app.post_form(&path, &[("op", &op)])
        .await
        .assert_redirect(&format!("/instances/{id}"));
    assert_eq!(app.emulator_requests(), before + 1);
}

#[tokio::test]
async fn the_token_is_accepted_in_the_htmx_header_and_with_fetch_metadata() {
    let (app, id) = signed_in("admin").await;
    let token = app.csrf().await;
    let op = app.op_id(&format!("/instances/{id}/restart")).await;
    let page = app
        .post_raw(
            &format!("/instances/{id}/restart"),
            &[("op", &op)],
            None,
            &[
                ("X-CSRF-Token", &token),
                ("Sec-Fetch-Site", "same-origin"),
                ("HX-Request", "true"),
            ],
        )
        .await;
    page.assert_status(200);
    assert_eq!(
        page.header("hx-redirect"),
        Some(format!("/instances/{id}").as_str())
    );
    // A same-origin Referer stands in for a missing Origin.
    let referer = format!("{}/instances/{id}", app.base);
    let op = app.op_id(&format!("/instances/{id}/edit")).await;
    app.post_raw(
        &format!("/instances/{id}/edit"),
        &[
            ("name", "orders-prod"),
            ("description", "via referer"),
            ("op", &op),
            ("step", "confirm"),
        ],
        Some(&token),
        &[("Referer", &referer)],
    )
    .await
    .assert_redirect(&format!("/instances/{id}"));
}

#[tokio::test]
async fn the_sign_in_form_needs_its_token_too() {
    let app = spawn_app().await;
    let token = app.login_csrf().await;
    let origin = app.base.clone();
    let fields = [
        ("mode", "account"),
        ("account", "admin"),
        ("password", "admin-correct-horse-battery"),
    ];
    app.post_raw("/login", &fields, None, &[("Origin", &origin)])
        .await
        .assert_status(403);
    app.post_raw("/login", &fields, Some("forged"), &[("Origin", &origin)])
        .await
        .assert_status(403);
    // A token is bound to its nonce cookie: another browser's token does not fit.
    let other = app.new_browser();
    let others_token = other.login_csrf().await;
    assert_ne!(token, others_token);
    app.post_raw(
        "/login",
        &fields,
        Some(&others_token),
        &[("Origin", &origin)],
    )
    .await
    .assert_status(403);
    app.post_raw("/login", &fields, Some(&token), &[("Origin", &origin)])
        .await
        .assert_redirect("/instances");
}

#[tokio::test]
async fn every_signed_change_in_the_route_table_refuses_a_missing_token() {
    let (app, id) = signed_in("admin").await;
    let origin = app.base.clone();
    let mut checked = 0;
    for route in table() {
        if !route.is_mutation() || !matches!(route.access, Access::Signed(_)) {
            continue;
        }
        let path = fill_pattern(route.path, &id);
        let before = app.emulator_requests();
        let page = app
            .post_raw(&path, &fields_for(&path), None, &[("Origin", &origin)])
            .await;
        assert_eq!(page.status, 403, "{route:?} without a token: {}", page.body);
        assert_eq!(
            app.emulator_requests(),
            before,
            "{route:?} reached DMS without a token"
        );
        checked += 1;
    }
    assert!(checked >= 4, "the table has signed changes ({checked})");
    // Still signed in: the refusals changed nothing.
    app.get_page("/instances").await.assert_status(200);
}

/// Checks every route of the table that `role` may not use: 403, and nothing reaches DMS.
async fn refused_everything_beyond(role: &str, parsed: Role) {
    let (app, id) = signed_in(role).await;
    let token = app.csrf().await;
    let origin = app.base.clone();
    let mut checked = Vec::new();
    for route in table() {
        let Access::Signed(permission) = route.access else {
            continue;
        };
        if allows(parsed, permission) {
            continue;
        }
        let path = fill_pattern(route.path, &id);
        let before = app.emulator_requests();
        let page = if route.is_mutation() {
            app.post_raw(
                &path,
                &fields_for(&path),
                Some(&token),
                &[("Origin", &origin)],
            )
            .await
        } else {
            app.get_page(&path).await
        };
        assert_eq!(
            page.status, 403,
            "{role} on {route:?} ({path}): {}",
            page.body
        );
        assert_eq!(page.text(".error-card h1"), "Not allowed");
        assert!(
            page.text(".error-card .message")
                .contains(permission.action()),
            "{}",
            page.body
        );
        assert_eq!(
            app.emulator_requests(),
            before,
            "{role} on {route:?} reached DMS"
        );
        checked.push(format!("{} {}", route.method, route.path));
    }
    for expected in [
        "POST /instances/{instance_id}/restart",
        "POST /instances/{instance_id}/edit",
        "POST /instances/{instance_id}/delete",
        "GET /instances/{instance_id}/edit",
        "GET /instances/{instance_id}/delete",
        "GET /audit",
        "GET /instances/new",
        "POST /instances",
        "GET /instances/batch",
        "POST /instances/batch",
        "GET /instances/{instance_id}/resize",
        "POST /instances/{instance_id}/resize",
        "POST /instances/{instance_id}/nodes/restart",
        "POST /instances/{instance_id}/tags",
        "POST /instances/{instance_id}/config",
        "POST /instances/{instance_id}/migrations",
        "POST /instances/{instance_id}/migrations/delete",
    ] {
        assert!(checked.iter().any(|c| c == expected), "{expected} checked");
    }
    // The instance is untouched.
    let dashboard = app.get_page(&format!("/instances/{id}")).await;
    dashboard.assert_status(200);
    assert_eq!(dashboard.text("#instance-status"), "RUNNING");
    assert_eq!(dashboard.text("#dashboard h1"), "orders-prod");
}

#[tokio::test]
async fn a_viewer_is_refused_every_change_and_nothing_reaches_dms() {
    refused_everything_beyond("viewer", Role::Viewer).await;
}

#[tokio::test]
async fn an_operator_is_refused_every_admin_route_and_nothing_reaches_dms() {
    refused_everything_beyond("operator", Role::Operator).await;
}

#[tokio::test]
async fn the_table_names_a_permission_for_every_change() {
    for route in table() {
        // Signing in and choosing a language or theme work without a session.
        if route.is_mutation() && !["/login", "/preferences"].contains(&route.path) {
            assert!(
                matches!(route.access, Access::Signed(_)),
                "{route:?} must need a session"
            );
        }
    }
    assert!(allows(Role::Admin, Permission::ModifyInstances));
}

#[tokio::test]
async fn only_roles_that_may_change_instances_see_the_controls() {
    let app = spawn_app().await;
    let id = app.create_instance("orders-prod");
    let path = format!("/instances/{id}");
    for (role, modify, delete) in [
        ("viewer", false, false),
        ("operator", false, false),
        ("admin", true, true),
    ] {
        let browser: Browser = app.new_browser();
        browser.login_as(role).await.assert_redirect("/instances");
        let page = browser.get_page(&path).await;
        page.assert_status(200);
        assert_eq!(page.has("#instance-actions"), modify || delete, "{role}");
        assert_eq!(page.has("#restart-button"), modify, "{role}");
        assert_eq!(
            page.has(&format!("a[href='/instances/{id}/edit']")),
            modify,
            "{role}"
        );
        assert_eq!(
            page.has(&format!("a[href='/instances/{id}/delete']")),
            delete,
            "{role}"
        );
        assert_eq!(page.has("a[href='/audit']"), role == "admin", "{role}");
    }
}

#[tokio::test]
async fn pages_carry_the_security_headers() {
    let (app, _) = signed_in("admin").await;
    for page in [
        app.new_browser().get_page("/login").await,
        app.get_page("/instances").await,
        app.get_page("/nowhere").await,
    ] {
        let csp = page.header("content-security-policy").expect("a CSP");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(!csp.contains("unsafe-eval"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert!(csp.contains("object-src 'none'"), "{csp}");
        assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(page.header("x-frame-options"), Some("DENY"));
        assert_eq!(
            page.header("referrer-policy"),
            Some("strict-origin-when-cross-origin")
        );
        assert_eq!(page.header("cache-control"), Some("no-store"));
        assert!(page.header("strict-transport-security").is_none());
    }
    let page = app.get_page("/instances").await;
    assert!(
        page.header_all("vary")
            .iter()
            .any(|v| v.contains("HX-Request")),
        "{:?}",
        page.headers
    );
    // Nothing inline that the CSP would have to allow.
    assert!(!page.body.contains("<script>"), "inline script");
    assert!(!page.body.contains("style="), "inline style");
    assert!(!page.has("script:not([src])"));
    assert!(!page.has("style"));
    let config = page
        .attr("meta[name=htmx-config]", "content")
        .expect("htmx configuration");
    let config: serde_json::Value = serde_json::from_str(&config).unwrap();
    assert_eq!(config["allowEval"], false);
    assert_eq!(config["allowScriptTags"], false);
    assert_eq!(config["historyCacheSize"], 0);
    assert_eq!(config["includeIndicatorStyles"], false);
}

#[tokio::test]
async fn the_vendored_htmx_is_cached_long_and_revalidates_by_etag() {
    let app = spawn_app().await;
    let htmx = app.get_page("/static/htmx-2.0.11.min.js").await;
    htmx.assert_status(200);
    let cache = htmx.header("cache-control").unwrap();
    assert!(cache.contains("max-age=31536000"), "{cache}");
    assert!(cache.contains("immutable"), "{cache}");
    assert!(htmx.header("content-type").unwrap().contains("javascript"));
    assert!(htmx.body.contains("htmx"));
    let etag = htmx.header("etag").expect("an ETag").to_owned();
    let again = app
        .get_with("/static/htmx-2.0.11.min.js", &[("If-None-Match", &etag)])
        .await;
    again.assert_status(304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));

    // Files without a version in their name revalidate sooner.
    let css = app.get_page("/static/app.css").await;
    css.assert_status(200);
    assert_eq!(css.header("cache-control"), Some("public, max-age=86400"));
    app.get_page("/static/nothing.js").await.assert_status(404);
}

#[tokio::test]
async fn htmx_requests_get_the_fragment_and_others_the_whole_page() {
    let (app, _) = signed_in("viewer").await;
    let full = app.get_page("/instances").await;
    full.assert_status(200);
    assert!(full.body.contains("<html"));
    assert!(full.has("header.topbar"));
    assert!(full.has("section#instances"));

    let fragment = app.get_fragment("/instances").await;
    fragment.assert_status(200);
    assert!(!fragment.body.contains("<html"), "{}", fragment.body);
    assert!(!fragment.body.contains("<body"));
    assert!(fragment.has("section#instances"));
    assert!(
        fragment
            .header_all("vary")
            .iter()
            .any(|v| v.contains("HX-Request"))
    );

    // A boosted request and a history restore want the whole page.
    let boosted = app
        .get_with(
            "/instances",
            &[("HX-Request", "true"), ("HX-Boosted", "true")],
        )
        .await;
    assert!(boosted.body.contains("<html"));
    let restore = app
        .get_with(
            "/instances",
            &[
                ("HX-Request", "true"),
                ("HX-History-Restore-Request", "true"),
            ],
        )
        .await;
    assert!(restore.body.contains("<html"));
}

#[tokio::test]
async fn a_request_naming_another_host_is_refused_even_for_metrics() {
    let (app, _) = signed_in("admin").await;
    let port = app.console.addr.port();
    // What a page on attacker.example sends once its name points at this machine.
    let rebound = format!("attacker.example:{port}");
    for path in ["/metrics", "/instances", "/login", "/healthz"] {
        let page = app.get_with(path, &[("Host", &rebound)]).await;
        page.assert_status(421);
        assert!(
            page.body.contains("not served under the host"),
            "{}",
            page.body
        );
        assert!(!page.body.contains("dms_console_requests_total"));
        assert!(page.header("content-security-policy").is_some());
    }
    // Local names and addresses on the console's port are this console.
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ] {
        app.get_with("/instances", &[("Host", &host)])
            .await
            .assert_status(200);
    }
    app.get_with("/metrics", &[("Host", &format!("localhost:{port}"))])
        .await
        .assert_status(200);
}

#[tokio::test]
async fn behind_a_proxy_the_public_url_names_the_host() {
    let app = spawn_app_with(|s| {
        s.server.behind_tls_proxy = true;
        s.server.public_url = Some("https://console.example.test".to_owned());
    })
    .await;
    app.get_with("/login", &[("Host", "console.example.test")])
        .await
        .assert_status(200);
    app.get_with("/login", &[("Host", "console.example.test:443")])
        .await
        .assert_status(200);
    app.get_with("/login", &[("Host", "attacker.example")])
        .await
        .assert_status(421);
}

#[test]
fn behind_a_proxy_the_public_url_is_required() {
    let mut settings = dms_console::config::Settings::default();
    settings.session.key = Some(dms_console::secret::Secret::new(
        dms_console::web::crypto::ServerKey::generate().to_hex(),
    ));
    let dir = tempfile::tempdir().unwrap();
    settings.audit.url = format!("sqlite:{}", dir.path().join("audit.sqlite3").display());
    settings.server.behind_tls_proxy = true;
    let key = dms_console::startup::server_key(&settings).unwrap();
    let error = dms_console::startup::build_state(&settings, key.clone())
        .err()
        .expect("refused");
    assert_eq!(error.key, "server.public_url");
    settings.server.public_url = Some("console.example.test".to_owned());
    let error = dms_console::startup::build_state(&settings, key)
        .err()
        .expect("refused");
    assert_eq!(error.key, "server.public_url");
}

#[tokio::test]
async fn oversized_headers_and_urls_are_refused_before_anything_runs() {
    let (app, _) = signed_in("viewer").await;
    let before = app.emulator_requests();
    let padding = "a".repeat(20 * 1024);
    let page = app.get_with("/instances", &[("X-Padding", &padding)]).await;
    page.assert_status(431);
    let split: Vec<String> = (0..4).map(|_| "b".repeat(5 * 1024)).collect();
    let headers: Vec<(&str, &str)> = ["X-A", "X-B", "X-C", "X-D"]
        .into_iter()
        .zip(split.iter().map(String::as_str))
        .collect();
    app.get_with("/instances", &headers)
        .await
        .assert_status(431);
    let query = format!("/instances?name={}", "c".repeat(9 * 1024));
    app.get_page(&query).await.assert_status(414);
    assert_eq!(app.emulator_requests(), before, "nothing reached DMS");

    // Below the limits a request is served as usual.
    let padding = "a".repeat(12 * 1024);
    app.get_with("/instances", &[("X-Padding", &padding)])
        .await
        .assert_status(200);
}
