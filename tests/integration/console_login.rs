//! Sign-in in each mode, validation next to the fields, and throttling of failures per
//! account and per client address, also for attempts sent all at once.

use crate::support::console::{
    Browser, Page, REGION, TestApp, password, spawn_app, spawn_app_with,
};
use crate::support::emulator::{AK, IAM_USER, PROJECT, SK};

/// The number of sessions `/metrics` reports.
async fn active_sessions(app: &crate::support::console::TestApp) -> u64 {
    let metrics = app.new_browser().get_page("/metrics").await;
    metrics.assert_status(200);
    metrics
        .body
        .lines()
        .find_map(|l| l.strip_prefix("dms_console_active_sessions "))
        .expect("the active sessions gauge")
        .trim()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_console_account_signs_in_and_the_header_shows_the_user_and_role() {
    let app = spawn_app().await;
    app.login_as("operator").await.assert_redirect("/instances");
    assert!(app.session_cookie().is_some(), "a session cookie is set");

    let page = app.get_page("/instances").await;
    page.assert_status(200);
    assert_eq!(page.text("#whoami .user"), "operator");
    assert_eq!(page.text("#whoami .role"), "operator");
    assert_eq!(
        page.attr("#whoami .role", "data-role").as_deref(),
        Some("operator")
    );
    assert_eq!(page.text("#whoami .conn"), "emulator");
    assert_eq!(active_sessions(&app).await, 1);
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_a_message_and_stores_nothing() {
    let app = spawn_app().await;
    let page = app.login_account("admin", "not-the-password").await;
    page.assert_status(422);
    assert_eq!(
        page.text("#login-problem"),
        "The account name or password is wrong."
    );
    assert!(page.set_cookie("dms-console-session").is_none());
    assert!(app.session_cookie().is_none());
    assert_eq!(active_sessions(&app).await, 0);
    // The form keeps the name but never the password.
    assert_eq!(
        page.attr("input[name=account]", "value").as_deref(),
        Some("admin")
    );
    assert_eq!(page.attr("input[name=password]", "value"), None);

    // An unknown account gets the same answer.
    let unknown = app.login_account("nobody", "whatever").await;
    unknown.assert_status(422);
    assert_eq!(
        unknown.text("#login-problem"),
        "The account name or password is wrong."
    );
    app.get_page("/instances").await.assert_redirect("/login");
}

#[tokio::test]
async fn an_access_key_signs_in_after_one_signed_call() {
    let app = spawn_app().await;
    let before = app.emulator_requests();
    app.login_access_key(AK, SK, PROJECT)
        .await
        .assert_redirect("/instances");
    assert_eq!(
        app.emulator_requests() - before,
        1,
        "one cheap signed call checks the key"
    );
    let page = app.get_page("/instances").await;
    page.assert_status(200);
    assert_eq!(page.text("#whoami .user"), AK);
    assert_eq!(page.text("#whoami .role"), "admin");
    assert_eq!(
        page.attr("#whoami .user", "title").as_deref(),
        Some("Signed in with access key")
    );
    assert!(page.text("#whoami .conn").starts_with(REGION));
}

#[tokio::test]
async fn a_wrong_secret_key_shows_the_dms_error_code_and_request_id() {
    let app = spawn_app().await;
    let page = app
        .login_access_key(AK, "not-the-secret-key", PROJECT)
        .await;
    page.assert_status(422);
    let problem = page.text("#login-problem");
    assert!(
        problem.starts_with("DMS refused the credentials"),
        "{problem}"
    );
    assert!(problem.contains("error code APIGW.0301"), "{problem}");
    let request_id = problem
        .split("request id ")
        .nth(1)
        .expect("a request id")
        .trim_end_matches(')');
    assert_eq!(request_id.len(), 32, "{problem}");
    assert!(request_id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(app.session_cookie().is_none());
    // The secret never comes back in the page.
    assert!(!page.body.contains("not-the-secret-key"));
    assert_eq!(
        page.attr("input[name=access_key]", "value").as_deref(),
        Some(AK)
    );
}

#[tokio::test]
async fn the_iam_test_user_signs_in_and_a_wrong_password_is_refused() {
    let app = spawn_app().await;
    let wrong = app
        .login_iam(IAM_USER.0, IAM_USER.1, "wrong-password")
        .await;
    wrong.assert_status(422);
    let problem = wrong.text("#login-problem");
    assert!(
        problem.starts_with(
            "IAM refused the credentials: The username or password is wrong. (error code IAM.0001, request id "
        ),
        "{problem}"
    );
    assert!(app.session_cookie().is_none());

    app.login_iam_test_user()
        .await
        .assert_redirect("/instances");
    let page = app.get_page("/instances").await;
    page.assert_status(200);
    assert_eq!(
        page.text("#whoami .user"),
        format!("{}/{}", IAM_USER.0, IAM_USER.1)
    );
    assert_eq!(
        page.attr("#whoami .user", "title").as_deref(),
        Some("Signed in with IAM user")
    );
}

#[tokio::test]
async fn empty_fields_get_messages_next_to_them() {
    let app = spawn_app().await;
    let account = app.login_account("", "").await;
    account.assert_status(422);
    assert_eq!(account.text("#login-problem"), "Check the marked fields.");
    let required = "This field is required.";
    assert_eq!(account.text("#error-account"), required);
    assert_eq!(account.text("#error-password"), required);
    // The message is tied to its field for screen readers.
    assert_eq!(
        account.attr("#f-account", "aria-describedby").as_deref(),
        Some("error-account")
    );
    assert_eq!(
        account.attr("#f-account", "aria-invalid").as_deref(),
        Some("true")
    );

    let access_key = app.login_access_key("", "", "").await;
    access_key.assert_status(422);
    for field in ["access_key", "secret_key", "project_id"] {
        assert_eq!(access_key.text(&format!("#error-{field}")), required);
    }
    let bad_project = app.login_access_key(AK, SK, "not a project").await;
    bad_project.assert_status(422);
    assert_eq!(
        bad_project.text("#error-project_id"),
        "A project id has only letters, digits, - and _."
    );

    let iam = app.login_iam("", "", "").await;
    iam.assert_status(422);
    for field in ["domain", "user", "password"] {
        assert_eq!(iam.text(&format!("#error-{field}")), required);
    }
    assert!(app.session_cookie().is_none());
}

#[tokio::test]
async fn after_too_many_failures_even_the_right_password_is_refused_for_that_account() {
    let app = spawn_app_with(|s| s.auth.max_failures = 3).await;
    for _ in 0..3 {
        app.login_account("admin", "wrong").await.assert_status(422);
    }
    let refused = app.login_as("admin").await;
    refused.assert_status(422);
    assert!(
        refused
            .text("#login-problem")
            .starts_with("Too many failed sign-ins. Try again in"),
        "{}",
        refused.text("#login-problem")
    );
    assert!(app.session_cookie().is_none());

    // Per account: from another address the account stays refused...
    let elsewhere = app.browser_from("127.0.0.2");
    let refused = elsewhere.login_as("admin").await;
    refused.assert_status(422);
    assert!(
        refused
            .text("#login-problem")
            .starts_with("Too many failed sign-ins")
    );
    // ...while another account from that address signs in.
    elsewhere
        .login_as("operator")
        .await
        .assert_redirect("/instances");
}

#[tokio::test]
async fn after_too_many_failures_from_one_address_every_account_is_refused_there() {
    let app = spawn_app_with(|s| s.auth.max_failures = 3).await;
    let attacker = app.browser_from("127.0.0.3");
    for name in ["alice", "bob", "carol"] {
        attacker
            .login_account(name, "guess")
            .await
            .assert_status(422);
    }
    let refused = attacker.login_as("viewer").await;
    refused.assert_status(422);
    assert!(
        refused
            .text("#login-problem")
            .starts_with("Too many failed sign-ins")
    );
    // Other modes from that address are refused as well.
    let refused = attacker.login_access_key(AK, SK, PROJECT).await;
    refused.assert_status(422);
    assert!(
        refused
            .text("#login-problem")
            .starts_with("Too many failed sign-ins")
    );
    // The same account from another address is fine.
    app.browser_from("127.0.0.4")
        .login_as("viewer")
        .await
        .assert_redirect("/instances");
}

/// Signs in through a proxy that says the client is `client`.
async fn login_through_proxy(
    app: &crate::support::console::TestApp,
    client: &str,
    account: &str,
    password: &str,
) -> u16 {
    let browser = app.new_browser();
    let token = browser.login_csrf().await;
    let page = browser
        .post_raw(
            "/login",
            &[
                ("mode", "account"),
                ("account", account),
                ("password", password),
            ],
            Some(&token),
            &[("Origin", &app.base), ("X-Forwarded-For", client)],
        )
        .await;
    page.status
}

#[tokio::test]
async fn behind_a_proxy_failures_are_counted_per_forwarded_client_not_for_the_proxy() {
    let app = spawn_app_with(|s| {
        s.auth.max_failures = 3;
        s.server.behind_tls_proxy = true;
        s.server.public_url = Some("https://console.example.test".to_owned());
    })
    .await;
    for name in ["alice", "bob", "carol"] {
        assert_eq!(
            login_through_proxy(&app, "198.51.100.7", name, "guess").await,
            422
        );
    }
    // The guessing client is blocked for every account...
    assert_eq!(
        login_through_proxy(&app, "198.51.100.7", "operator", &password("operator")).await,
        422
    );
    // ...while another client behind the same proxy signs in.
    assert_eq!(
        login_through_proxy(&app, "198.51.100.8", "operator", &password("operator")).await,
        303
    );
}

#[tokio::test]
async fn without_a_proxy_a_forwarded_for_header_cannot_dodge_the_throttle() {
    let app = spawn_app_with(|s| s.auth.max_failures = 3).await;
    for (index, name) in ["alice", "bob", "carol"].iter().enumerate() {
        let client = format!("198.51.100.{index}");
        assert_eq!(login_through_proxy(&app, &client, name, "guess").await, 422);
    }
    // Each attempt claimed another address, but all came from the same peer.
    assert_eq!(
        login_through_proxy(&app, "198.51.100.99", "operator", &password("operator")).await,
        422
    );
}

/// Sends one sign-in per browser, all at once, each with the sign-in form's token of its
/// browser and the fields `fields(index)`; returns the answers.
async fn sign_in_at_once(
    app: &TestApp,
    browsers: Vec<Browser>,
    fields: impl Fn(usize) -> Vec<(&'static str, String)>,
) -> Vec<Page> {
    let mut prepared = Vec::new();
    for (index, browser) in browsers.into_iter().enumerate() {
        let token = browser.login_csrf().await;
        prepared.push((browser, token, fields(index)));
    }
    let base = app.base.clone();
    let sends = prepared.iter().map(|(browser, token, fields)| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let base = base.clone();
        async move {
            browser
                .post_raw("/login", &fields, Some(token), &[("Origin", &base)])
                .await
        }
    });
    futures_util::future::join_all(sends).await
}

/// How many answers refused the attempt before checking it, and how many were checked and
/// found wrong. Every answer is one of the two.
fn throttled_and_checked(pages: &[Page]) -> (usize, usize) {
    let mut throttled = 0;
    let mut checked = 0;
    for page in pages {
        page.assert_status(422);
        if page
            .text("#login-problem")
            .starts_with("Too many failed sign-ins")
        {
            throttled += 1;
        } else {
            checked += 1;
        }
    }
    (throttled, checked)
}

#[tokio::test]
async fn guesses_for_one_account_sent_at_once_are_checked_at_most_max_failures_times() {
    let app = spawn_app().await;
    // Twenty addresses, so only the account's limit (5 by default) applies.
    let browsers = (0..20)
        .map(|n| app.browser_from(&format!("127.0.1.{}", n + 10)))
        .collect();
    let pages = sign_in_at_once(&app, browsers, |n| {
        vec![
            ("mode", "account".into()),
            ("account", "admin".into()),
            ("password", format!("guess-{n}")),
        ]
    })
    .await;
    let (throttled, checked) = throttled_and_checked(&pages);
    assert!(checked <= 5, "{checked} passwords were checked");
    assert_eq!(throttled + checked, 20);
    // The account stays closed, even to its password from a fresh address.
    let refused = app.browser_from("127.0.1.99").login_as("admin").await;
    assert!(
        refused
            .text("#login-problem")
            .starts_with("Too many failed sign-ins")
    );
}

#[tokio::test]
async fn guesses_from_one_address_sent_at_once_are_checked_at_most_max_failures_times() {
    let app = spawn_app().await;
    let browsers = (0..20).map(|_| app.browser_from("127.0.1.3")).collect();
    let pages = sign_in_at_once(&app, browsers, |n| {
        vec![
            ("mode", "account".into()),
            ("account", format!("someone-{n}")),
            ("password", "guess".into()),
        ]
    })
    .await;
    let (_, checked) = throttled_and_checked(&pages);
    assert!(checked <= 5, "{checked} passwords were checked");
}

#[tokio::test]
async fn access_keys_tried_at_once_reach_dms_at_most_max_failures_times() {
    let app = spawn_app().await;
    let before = app.emulator_requests();
    let browsers = (0..20)
        .map(|n| app.browser_from(&format!("127.0.2.{}", n + 10)))
        .collect();
    let pages = sign_in_at_once(&app, browsers, |n| {
        vec![
            ("mode", "access_key".into()),
            ("access_key", AK.into()),
            ("secret_key", format!("guessed-secret-key-{n}")),
            ("region", REGION.into()),
            ("project_id", PROJECT.into()),
        ]
    })
    .await;
    let (_, checked) = throttled_and_checked(&pages);
    let upstream = app.emulator_requests() - before;
    assert!(checked <= 5, "{checked} secret keys were checked");
    assert!(upstream <= 5, "{upstream} signed calls reached DMS");
}

#[tokio::test]
async fn iam_passwords_tried_at_once_reach_iam_at_most_max_failures_times() {
    let app = spawn_app().await;
    let before = app.emulator_requests();
    let browsers = (0..20).map(|_| app.browser_from("127.0.2.200")).collect();
    let pages = sign_in_at_once(&app, browsers, |n| {
        vec![
            ("mode", "iam".into()),
            ("domain", IAM_USER.0.into()),
            ("user", IAM_USER.1.into()),
            ("password", format!("guess-{n}")),
            ("region", REGION.into()),
        ]
    })
    .await;
    let (_, checked) = throttled_and_checked(&pages);
    let upstream = app.emulator_requests() - before;
    assert!(checked <= 5, "{checked} IAM passwords were checked");
    assert!(upstream <= 5, "{upstream} token requests reached IAM");
}

#[tokio::test]
async fn an_incomplete_form_takes_no_slot() {
    let app = spawn_app_with(|s| s.auth.max_failures = 2).await;
    for _ in 0..5 {
        app.login_account("admin", "").await.assert_status(422);
    }
    app.login_as("admin").await.assert_redirect("/instances");
}
