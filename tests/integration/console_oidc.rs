//! Single sign-on against a real OpenID provider (`tests/oidc/provider.mjs`, oidc-provider):
//! each user gets the role and connections their groups map to and can switch connection;
//! a user in no mapped group is refused with a clear page; a tampered ID token, one issued
//! to another client, an expired one, a wrong nonce and a replayed `state` are all refused;
//! the sign-in page offers the provider beside the other modes or alone; signing out offers
//! the provider's end-session URL.

use dms_console::config::Settings;
use dms_console::config::web::GroupMapping;
use dms_console::secret::Secret;

use crate::support::console::{Browser, Page, TestApp, spawn_app_with};
use crate::support::oidc::{
    IdpBrowser, RegisteredClient, provider, query_param, register_client, rewrite_token,
    with_query_param,
};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .unwrap()
        .port()
}

fn mapping(group: &str, role: &str, connections: &[&str]) -> GroupMapping {
    GroupMapping {
        group: group.to_owned(),
        role: role.to_owned(),
        connections: connections.iter().map(|c| (*c).to_owned()).collect(),
    }
}

/// Single sign-on for a console at `base` registered at the test provider as `client`:
/// `payments-admins` are admins on `emulator` and `payments`, `support` viewers on
/// `emulator`, `orders-operators` operators on `orders` (all three connections reach the
/// test emulator).
pub fn apply_sso(settings: &mut Settings, base: &str, client: &RegisteredClient) {
    settings.oidc.issuer = Some(provider().issuer.clone());
    settings.oidc.client_id = client.client_id.clone();
    settings.oidc.client_secret = Some(Secret::new(client.client_secret.clone()));
    settings.oidc.redirect_url = Some(format!("{base}/login/oidc/callback"));
    settings.oidc.provider_name = "Test IdP".to_owned();
    let emulator = settings.connections[0].clone();
    for (name, label) in [("payments", "payments-prod"), ("orders", "orders-prod")] {
        let mut connection = emulator.clone();
        connection.name = name.to_owned();
        connection.environment = Some(label.to_owned());
        connection.environment_colour = Some("red".to_owned());
        settings.connections.push(connection);
    }
    settings.oidc.groups = vec![
        mapping("payments-admins", "admin", &["emulator", "payments"]),
        mapping("support", "viewer", &["emulator"]),
        mapping("orders-operators", "operator", &["orders"]),
    ];
}

/// A console on a port chosen first (its callback URL is registered at the provider), with
/// single sign-on, then `adjust`ed.
async fn sso_app(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = register_client(
        &format!("{base}/login/oidc/callback"),
        &format!("{base}/login"),
    )
    .await;
    spawn_app_with(move |s| {
        s.server.listen = format!("127.0.0.1:{port}");
        apply_sso(s, &base, &client);
        adjust(s);
    })
    .await
}

/// The path and query of `url`.
fn path_of(url: &str) -> String {
    let url = url::Url::parse(url).unwrap();
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}

/// Starts single sign-on in `browser` and goes through the provider as `login`; answers
/// the callback URL the provider sent the browser to (not yet followed).
async fn through_provider(browser: &Browser, login: &str) -> String {
    let start = browser.get_page("/login/oidc").await;
    start.assert_status(303);
    let authorize = start.location().expect("to the provider").to_owned();
    assert!(authorize.starts_with(&provider().issuer), "{authorize}");
    IdpBrowser::new()
        .sign_in(
            &authorize,
            login,
            &format!("{}/login/oidc/callback", browser.base),
        )
        .await
}

/// Signs `browser` in through the provider as `login`; answers the callback's page.
async fn sso_sign_in(browser: &Browser, login: &str) -> Page {
    let callback = through_provider(browser, login).await;
    browser.get_page(&path_of(&callback)).await
}

#[tokio::test]
async fn each_user_gets_the_role_and_connections_their_groups_map_to() {
    let app = sso_app(|_| {}).await;

    // ana: payments-admins, so admin on `emulator` and `payments`.
    sso_sign_in(&app.browser, "ana")
        .await
        .assert_redirect("/instances");
    let page = app.get_page("/instances").await;
    page.assert_status(200);
    assert_eq!(page.text("#whoami .user"), "ana");
    assert_eq!(
        page.attr("#whoami .role", "data-role").as_deref(),
        Some("admin")
    );
    assert_eq!(page.text("#whoami .conn"), "emulator");
    assert!(page.has("a[href='/audit']"), "an admin reads the audit log");
    let offered: Vec<String> = page.attrs("#connection-switcher input[name=connection]", "value");
    assert_eq!(offered, vec!["payments".to_owned()]);
    // Switching connection keeps the role mapped for it and shows the connection's label.
    app.post_form("/connection", &[("connection", "payments")])
        .await
        .assert_redirect("/instances");
    let page = app.get_page("/instances").await;
    assert_eq!(page.text("#whoami .conn"), "payments");
    assert_eq!(
        page.attr("#whoami .role", "data-role").as_deref(),
        Some("admin")
    );
    assert_eq!(page.text("#environment strong"), "payments-prod");
    // A connection the groups do not give is refused.
    app.post_form("/connection", &[("connection", "orders")])
        .await
        .assert_status(400);

    // ben: support (viewer on `emulator`) and orders-operators (operator on `orders`).
    let ben = app.new_browser();
    sso_sign_in(&ben, "ben").await.assert_redirect("/instances");
    let page = ben.get_page("/instances").await;
    assert_eq!(page.text("#whoami .user"), "ben");
    assert_eq!(
        page.attr("#whoami .role", "data-role").as_deref(),
        Some("viewer")
    );
    assert!(!page.has("a[href='/audit']"));
    let id = app.create_instance("orders-prod");
    ben.get_page(&format!("/instances/{id}/restart"))
        .await
        .assert_status(403);
    ben.post_form("/connection", &[("connection", "orders")])
        .await
        .assert_redirect("/instances");
    let page = ben.get_page("/instances").await;
    assert_eq!(
        page.attr("#whoami .role", "data-role").as_deref(),
        Some("operator")
    );
    assert_eq!(page.text("#whoami .conn"), "orders");

    // The sessions page shows how they signed in.
    let sessions = app.get_page("/sessions").await;
    sessions.assert_status(200);
    let modes = sessions.texts("#sessions-table td.mode");
    assert!(modes.iter().all(|m| m == "Single sign-on"), "{modes:?}");
    assert_eq!(
        sessions.count("#sessions-table tbody tr"),
        2,
        "ana sees everyone's"
    );
}

#[tokio::test]
async fn a_user_in_no_mapped_group_is_refused_with_a_clear_page() {
    let app = sso_app(|_| {}).await;
    let page = sso_sign_in(&app.browser, "cleo").await;
    page.assert_status(403);
    let problem = page.text("#login-problem");
    assert!(problem.contains("cleo"), "{problem}");
    assert!(
        problem.contains("not in any group that this console gives access to"),
        "{problem}"
    );
    assert!(problem.contains("marketing"), "{problem}");
    assert!(app.session_cookie().is_none());
    app.get_page("/instances").await.assert_redirect("/login");
    // The page offers to try again.
    assert!(page.has("a#login-oidc[href='/login/oidc']"));
}

#[tokio::test]
async fn tampered_wrongly_addressed_and_expired_id_tokens_are_refused() {
    let app = sso_app(|_| {}).await;
    for (action, reason) in [
        ("tamper", "signature"),
        ("other-audience", "audience"),
        ("expired", "expired"),
    ] {
        let browser = app.new_browser();
        let callback = through_provider(&browser, "ana").await;
        let code = query_param(&callback, "code").expect("a code");
        rewrite_token(&code, action).await;
        let page = browser.get_page(&path_of(&callback)).await;
        page.assert_status(401);
        let problem = page.text("#login-problem").to_lowercase();
        assert!(
            problem.contains("the sign-in was refused"),
            "{action}: {problem}"
        );
        assert!(problem.contains(reason), "{action}: {problem}");
        assert!(browser.session_cookie().is_none(), "{action}");
        browser
            .get_page("/instances")
            .await
            .assert_redirect("/login");
    }
    // The same flow untouched signs in: the refusals came from the tokens.
    sso_sign_in(&app.new_browser(), "ana")
        .await
        .assert_redirect("/instances");
}

#[tokio::test]
async fn an_id_token_with_another_nonce_is_refused() {
    let app = sso_app(|_| {}).await;
    let start = app.get_page("/login/oidc").await;
    let authorize = start.location().unwrap().to_owned();
    let nonce = query_param(&authorize, "nonce").expect("the console sends a nonce");
    assert!(nonce.len() >= 16, "{nonce}");
    assert!(query_param(&authorize, "code_challenge").is_some(), "PKCE");
    assert_eq!(
        query_param(&authorize, "code_challenge_method").as_deref(),
        Some("S256")
    );
    let altered = with_query_param(&authorize, "nonce", "a-nonce-the-console-never-issued");
    let callback = IdpBrowser::new()
        .sign_in(
            &altered,
            "ana",
            &format!("{}/login/oidc/callback", app.base),
        )
        .await;
    let page = app.get_page(&path_of(&callback)).await;
    page.assert_status(401);
    assert!(
        page.text("#login-problem").to_lowercase().contains("nonce"),
        "{}",
        page.text("#login-problem")
    );
    assert!(app.session_cookie().is_none());
}

#[tokio::test]
async fn a_replayed_state_is_refused() {
    let app = sso_app(|_| {}).await;
    let callback = through_provider(&app.browser, "ana").await;
    app.get_page(&path_of(&callback))
        .await
        .assert_redirect("/instances");
    app.get_page("/instances").await.assert_status(200);

    // The same callback again, from the same browser or another: the state was used.
    for browser in [app.browser.clone(), app.new_browser()] {
        let page = browser.get_page(&path_of(&callback)).await;
        page.assert_status(400);
        assert!(
            page.text("#login-problem")
                .contains("expired or was already used"),
            "{}",
            page.text("#login-problem")
        );
    }
    // A state the console never issued, and a callback in a browser that did not start it.
    let page = app
        .new_browser()
        .get_page("/login/oidc/callback?state=never-issued-state&code=x")
        .await;
    page.assert_status(400);
    let elsewhere = app.new_browser();
    let callback = through_provider(&elsewhere, "ana").await;
    let stranger = app.new_browser();
    let page = stranger.get_page(&path_of(&callback)).await;
    page.assert_status(400);
    assert!(page.text("#login-problem").contains("another browser"));
    assert!(stranger.session_cookie().is_none());
}

#[tokio::test]
async fn the_sign_in_page_offers_the_provider_beside_the_other_modes_or_alone() {
    let app = sso_app(|_| {}).await;
    let page = app.get_page("/login").await;
    page.assert_status(200);
    assert_eq!(page.text("#login-oidc"), "Sign in with Test IdP");
    assert!(page.has("#login-form"), "the account form is offered too");

    let alone = sso_app(|s| {
        s.auth.access_key = false;
        s.auth.iam_user = false;
        s.auth.console_accounts = false;
    })
    .await;
    let page = alone.get_page("/login").await;
    page.assert_status(200);
    assert_eq!(page.text("#login-oidc"), "Sign in with Test IdP");
    assert!(!page.has("#login-form"), "{}", page.body);
    assert!(!page.has("nav.tabs"));
    sso_sign_in(&alone.browser, "ben")
        .await
        .assert_redirect("/instances");
}

#[tokio::test]
async fn signing_out_ends_the_console_session_and_offers_the_providers() {
    let app = sso_app(|_| {}).await;
    sso_sign_in(&app.browser, "ana")
        .await
        .assert_redirect("/instances");
    let old = app.session_cookie().unwrap();
    app.logout().await.assert_redirect("/login?signed_out=oidc");
    let page = app.get_page("/login?signed_out=oidc").await;
    page.assert_status(200);
    let href = page
        .attr("#end-session-link", "href")
        .expect("the provider's end-session URL");
    assert!(
        href.starts_with(&format!("{}/session/end?", provider().issuer)),
        "{href}"
    );
    assert_eq!(
        query_param(&href, "post_logout_redirect_uri").as_deref(),
        Some(format!("{}/login", app.base).as_str())
    );
    // The console session is over, also for a copy of the old cookie.
    let replay = app.new_browser();
    replay.set_cookie(crate::support::console::SESSION_COOKIE, Some(&old));
    replay
        .get_page("/instances")
        .await
        .assert_redirect("/login");
}
