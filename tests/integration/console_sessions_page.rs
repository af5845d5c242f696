//! The sessions page with the memory backend: everyone sees and ends their own sessions, an
//! administrator everyone's; the record shows the client address and browser of the sign-in;
//! the per-user limit ends the oldest session.

use crate::support::console::spawn_app_with;

#[tokio::test]
async fn users_see_and_end_their_own_sessions_and_admins_everyones() {
    let app = spawn_app_with(|_| {}).await;
    let laptop = app.new_browser();
    laptop
        .login_as("viewer")
        .await
        .assert_redirect("/instances");
    let phone = app.browser_from("127.0.0.2");
    phone.login_as("viewer").await.assert_redirect("/instances");
    let admin = app.new_browser();
    admin.login_as("admin").await.assert_redirect("/instances");

    let own = laptop
        .get_with("/sessions", &[("User-Agent", "laptop-browser/1.0")])
        .await;
    own.assert_status(200);
    assert_eq!(
        own.count("#sessions-table tbody tr"),
        2,
        "only the viewer's"
    );
    assert_eq!(own.count("#sessions-table tr[data-user='admin']"), 0);
    assert_eq!(own.count("#this-session"), 1);
    assert!(
        !own.has("form.end-user"),
        "ending another user's sessions is for admins"
    );
    let clients = own.texts("#sessions-table td.client");
    assert!(clients.contains(&"127.0.0.2".to_owned()), "{clients:?}");
    assert_eq!(own.text("a#nav-sessions"), "Sessions");

    // The phone's session, ended from the laptop.
    let phone_sid = own
        .attrs("#sessions-table tr:not(.current)", "data-sid")
        .remove(0);
    laptop
        .post_form("/sessions/end", &[("sid", &phone_sid)])
        .await
        .assert_redirect("/sessions?ended=1");
    phone.get_page("/instances").await.assert_redirect("/login");
    laptop.get_page("/instances").await.assert_status(200);

    // The admin sees everyone; "end my other sessions" keeps the one in use.
    let everyone = admin.get_page("/sessions").await;
    assert_eq!(everyone.count("#sessions-table tbody tr"), 2);
    assert!(everyone.has("form.end-user"));
    let second_admin = app.new_browser();
    second_admin
        .login_as("admin")
        .await
        .assert_redirect("/instances");
    admin
        .post_form("/sessions/end-user", &[])
        .await
        .assert_redirect("/sessions?ended=1");
    second_admin
        .get_page("/instances")
        .await
        .assert_redirect("/login");
    admin.get_page("/instances").await.assert_status(200);

    // Ending one's own session signs out.
    let own = laptop.get_page("/sessions").await;
    let mine = own.attr("#sessions-table tr.current", "data-sid").unwrap();
    laptop
        .post_form("/sessions/end", &[("sid", &mine)])
        .await
        .assert_redirect("/login");
    laptop
        .get_page("/instances")
        .await
        .assert_redirect("/login");
}

#[tokio::test]
async fn the_sign_in_record_keeps_the_browser_and_the_limit_ends_the_oldest() {
    let app = spawn_app_with(|s| s.session.max_per_user = 1).await;
    let first = app.new_browser();
    first
        .post_raw(
            "/login",
            &[
                ("mode", "account"),
                ("account", "operator"),
                ("password", &crate::support::console::password("operator")),
            ],
            Some(&first.login_csrf().await),
            &[("Origin", &app.base), ("User-Agent", "Firefox/140 (tests)")],
        )
        .await
        .assert_redirect("/instances");
    let page = first.get_page("/sessions").await;
    assert_eq!(page.text("#sessions-table td.agent"), "Firefox/140 (tests)");
    assert_eq!(page.text("#sessions-table td.role"), "operator");
    let second = app.new_browser();
    second
        .login_as("operator")
        .await
        .assert_redirect("/instances");
    first.get_page("/instances").await.assert_redirect("/login");
    second.get_page("/instances").await.assert_status(200);
}
