//! Two replicas of the console sharing Redis (sessions, throttle, rate limits, the ledger of
//! submitted changes, pending single sign-ons) and PostgreSQL (the audit log), started the way
//! a team runs them, without containers: signing in on one and using the other, an
//! administrator ending a session on one and the next request on the other being refused,
//! sign-in failures counted on both together, a change posted to both at once reaching DMS
//! once, a single sign-on started on one and finished on the other, the per-user session
//! limit, and "last seen" kept beside a session whose state is never rewritten.

use dms_console::web::ledger::{Claim, Ledger, OpState};
use std::time::Duration;

use deadpool_redis::redis::AsyncCommands;
use dms_console::config::Settings;
use dms_console::web::ratelimit::{Limited, RateLimiter};
use dms_console::web::shared::Redis;
use serde_json::json;

use crate::console_audit_postgres::TestDatabase;
use crate::console_oidc::apply_sso;
use crate::console_redis::{TestRedis, redis_pool, test_redis};
use crate::support::console::{Browser, Console, Page, TestApp, spawn_app_with};
use crate::support::oidc::{IdpBrowser, register_client};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .unwrap()
        .port()
}

/// Two replicas: `app` (with the emulator) and `second`, sharing this test's Redis keys
/// (a prefix of its own) and PostgreSQL schema.
struct Replicas {
    app: TestApp,
    second: Console,
    redis: TestRedis,
    prefix: String,
    db: TestDatabase,
}

impl Replicas {
    async fn start(adjust: impl FnOnce(&mut Settings)) -> Self {
        let redis = test_redis().await;
        let db = TestDatabase::new().await;
        let prefix = format!("dms-test-{}", rand::random::<u64>());
        let (url, audit, key_prefix) = (redis.url.clone(), db.url(), prefix.clone());
        let app = spawn_app_with(move |s| {
            s.session.backend = "redis".to_owned();
            s.session.redis_url = Some(url);
            s.session.redis_key_prefix = key_prefix;
            s.audit.url = audit;
            adjust(s);
        })
        .await;
        let mut settings = app.console.settings.clone();
        settings.server.listen = "127.0.0.1:0".to_owned();
        let second = Console::start(settings).await;
        Self {
            app,
            second,
            redis,
            prefix,
            db,
        }
    }

    /// `browser`'s cookies, aimed at the second replica.
    fn on_second(&self, browser: &Browser) -> Browser {
        browser.aimed_at(&self.second.url)
    }
}

/// The sign-in id (`data-sid`) of `user`'s sessions on a sessions page.
fn sids_of(page: &Page, user: &str) -> Vec<String> {
    page.attrs(
        &format!("#sessions-table tr[data-user='{user}']"),
        "data-sid",
    )
}

#[tokio::test]
async fn a_session_works_on_either_replica_and_ending_it_on_one_refuses_it_on_the_other() {
    let replicas = Replicas::start(|_| {}).await;
    let operator = replicas.app.new_browser();
    operator
        .login_as("operator")
        .await
        .assert_redirect("/instances");
    let operator_on_second = replicas.on_second(&operator);
    let page = operator_on_second.get_page("/instances").await;
    page.assert_status(200);
    assert_eq!(page.text("#whoami .user"), "operator");

    // The operator sees only their own sessions, and cannot end someone else's.
    let own = operator_on_second.get_page("/sessions").await;
    own.assert_status(200);
    assert_eq!(own.count("#sessions-table tbody tr"), 1);
    assert_eq!(sids_of(&own, "operator").len(), 1);

    // An administrator, signed in on the second replica, sees both sessions there.
    let admin = replicas.second.browser();
    admin.login_as("admin").await.assert_redirect("/instances");
    let everyone = admin.get_page("/sessions").await;
    everyone.assert_status(200);
    let sids = sids_of(&everyone, "operator");
    assert_eq!(sids.len(), 1, "{}", everyone.body);
    assert_eq!(sids_of(&everyone, "admin").len(), 1);
    let row = "#sessions-table tr[data-user='operator']";
    assert_eq!(everyone.text(&format!("{row} td.mode")), "Console account");
    assert_eq!(everyone.text(&format!("{row} td.role")), "operator");
    assert_eq!(everyone.text(&format!("{row} td.connection")), "emulator");
    assert_eq!(everyone.text(&format!("{row} td.client")), "127.0.0.1");

    // The operator may not end the admin's session.
    let admin_sid = sids_of(&everyone, "admin").remove(0);
    operator
        .post_form("/sessions/end", &[("sid", &admin_sid)])
        .await
        .assert_status(404);
    admin.get_page("/instances").await.assert_status(200);

    // Ending it on the second replica: the operator's next request on the first is refused.
    admin
        .post_form("/sessions/end", &[("sid", &sids[0])])
        .await
        .assert_redirect("/sessions?ended=1");
    operator
        .get_page("/instances")
        .await
        .assert_redirect("/login");
    operator_on_second
        .get_page("/instances")
        .await
        .assert_redirect("/login");
    let after = admin.get_page("/sessions?ended=1").await;
    assert!(sids_of(&after, "operator").is_empty());
    assert_eq!(after.text("#sessions-notice"), "One session ended.");
    // Audited in the log both replicas share: the operator's attempt found nothing of theirs
    // to end, the administrator's ended one.
    assert_eq!(
        replicas.db.operations_and_outcomes().await,
        vec![
            ("EndSession".to_owned(), "failed".to_owned()),
            ("EndSession".to_owned(), "ok".to_owned())
        ]
    );
}

#[tokio::test]
async fn an_administrator_ends_every_session_of_a_user_across_replicas() {
    let replicas = Replicas::start(|_| {}).await;
    let first = replicas.app.new_browser();
    first.login_as("viewer").await.assert_redirect("/instances");
    let second = replicas.second.browser();
    second
        .login_as("viewer")
        .await
        .assert_redirect("/instances");
    let admin = replicas.app.new_browser();
    admin.login_as("admin").await.assert_redirect("/instances");
    admin
        .post_form("/sessions/end-user", &[("user", "viewer")])
        .await
        .assert_redirect("/sessions?ended=2");
    first.get_page("/instances").await.assert_redirect("/login");
    second
        .get_page("/instances")
        .await
        .assert_redirect("/login");
    admin.get_page("/instances").await.assert_status(200);
    // A viewer may not end another user's sessions.
    first.login_as("viewer").await.assert_redirect("/instances");
    let page = first
        .post_form("/sessions/end-user", &[("user", "admin")])
        .await;
    page.assert_status(403);
    admin.get_page("/instances").await.assert_status(200);
}

#[tokio::test]
async fn sign_in_failures_on_both_replicas_count_together() {
    let replicas = Replicas::start(|s| s.auth.max_failures = 3).await;
    let first = replicas.app.new_browser();
    let second = replicas.second.browser();
    for browser in [&first, &second, &first] {
        let page = browser.login_account("admin", "wrong password").await;
        page.assert_status(422);
        assert_eq!(
            page.text("#login-problem"),
            "The account name or password is wrong."
        );
    }
    // A fourth try, on either replica, even with the right password, waits.
    for browser in [&second, &first] {
        let page = browser.login_as("admin").await;
        page.assert_status(422);
        assert!(
            page.text("#login-problem")
                .starts_with("Too many failed sign-ins."),
            "{}",
            page.text("#login-problem")
        );
        assert!(browser.session_cookie().is_none());
    }
    // Another account from another address is not held back.
    replicas
        .app
        .browser_from("127.0.0.2")
        .login_as("viewer")
        .await
        .assert_redirect("/instances");
}

#[tokio::test]
async fn a_change_posted_to_both_replicas_at_once_reaches_dms_once() {
    let replicas = Replicas::start(|_| {}).await;
    let app = &replicas.app;
    app.login_as("admin").await.assert_redirect("/instances");
    let id = app.create_instance("orders-prod");
    let path = format!("/instances/{id}/restart");
    let op = app.op_id(&path).await;
    // DMS answers slowly, so both posts are in flight together.
    app.add_fault(json!({"operation": "RestartInstance", "latency_ms": 500}))
        .await;
    app.reset_requests().await;
    let on_second = replicas.on_second(&app.browser);
    let fields = [("op", op.as_str()), ("step", "confirm")];
    let (one, two) = tokio::join!(
        app.post_form(&path, &fields),
        on_second.post_form(&path, &fields)
    );
    let mut statuses = [one.status, two.status];
    statuses.sort();
    assert_eq!(statuses, [303, 409], "{}\n{}", one.body, two.body);
    let refused = if one.status == 409 { &one } else { &two };
    assert_eq!(
        refused.text(".error-card .message"),
        "This change was already submitted a moment ago and is still being carried out. It was not sent again."
    );
    assert_eq!(
        app.operation_counts().await.get("RestartInstance"),
        Some(&1)
    );
    // Once more on either replica: done, not sent.
    let again = on_second.post_form(&path, &fields).await;
    again.assert_status(409);
    assert_eq!(
        app.operation_counts().await.get("RestartInstance"),
        Some(&1)
    );
    // One record in the audit log both replicas share.
    let records = replicas.db.operations_and_outcomes().await;
    assert_eq!(
        records,
        vec![("RestartInstance".to_owned(), "ok".to_owned())]
    );
}

#[tokio::test]
async fn a_single_sign_on_started_on_one_replica_finishes_on_the_other() {
    let port = free_port();
    let second_port = free_port();
    let second_base = format!("http://127.0.0.1:{second_port}");
    let client = register_client(
        &format!("{second_base}/login/oidc/callback"),
        &format!("{second_base}/login"),
    )
    .await;
    let replicas = Replicas::start(move |s| {
        s.server.listen = format!("127.0.0.1:{port}");
        apply_sso(s, &second_base, &client);
    })
    .await;
    // The second replica on the port the provider sends browsers back to.
    let mut settings = replicas.app.console.settings.clone();
    settings.server.listen = format!("127.0.0.1:{second_port}");
    let second = Console::start(settings).await;

    let browser = replicas.app.new_browser();
    let start = browser.get_page("/login/oidc").await;
    start.assert_status(303);
    let callback = IdpBrowser::new()
        .sign_in(
            start.location().unwrap(),
            "ana",
            &format!("{}/login/oidc/callback", second.url),
        )
        .await;
    let on_second = browser.aimed_at(&second.url);
    let path = callback.strip_prefix(&second.url).unwrap();
    on_second.get_page(path).await.assert_redirect("/instances");
    let page = on_second.get_page("/instances").await;
    page.assert_status(200);
    assert_eq!(page.text("#whoami .user"), "ana");
    // The session works on the first replica too; the state was used once, everywhere.
    let back = on_second.aimed_at(&replicas.app.console.url);
    back.get_page("/instances").await.assert_status(200);
    let replay = replicas.app.new_browser().get_page(path).await;
    replay.assert_status(400);
}

#[tokio::test]
async fn signing_in_beyond_the_per_user_limit_ends_the_oldest_session() {
    let replicas = Replicas::start(|s| s.session.max_per_user = 2).await;
    let oldest = replicas.app.new_browser();
    oldest
        .login_as("viewer")
        .await
        .assert_redirect("/instances");
    let middle = replicas.second.browser();
    middle
        .login_as("viewer")
        .await
        .assert_redirect("/instances");
    oldest.get_page("/instances").await.assert_status(200);
    let newest = replicas.app.new_browser();
    newest
        .login_as("viewer")
        .await
        .assert_redirect("/instances");
    oldest
        .get_page("/instances")
        .await
        .assert_redirect("/login");
    middle.get_page("/instances").await.assert_status(200);
    newest.get_page("/instances").await.assert_status(200);
    // Other users are not affected.
    let admin = replicas.second.browser();
    admin.login_as("admin").await.assert_redirect("/instances");
    let page = admin.get_page("/sessions").await;
    assert_eq!(sids_of(&page, "viewer").len(), 2);
}

#[tokio::test]
async fn last_seen_is_kept_beside_a_session_whose_state_is_never_rewritten() {
    let replicas = Replicas::start(|_| {}).await;
    let browser = replicas.app.new_browser();
    browser
        .login_as("viewer")
        .await
        .assert_redirect("/instances");
    let mut redis = redis_pool(&replicas.redis.url).get().await.unwrap();
    let sessions: Vec<String> = redis
        .keys(format!("{}:session:*", replicas.prefix))
        .await
        .unwrap();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let key = sessions[0].rsplit(':').next().unwrap().to_owned();
    let seen_key = format!("{}:seen:{key}", replicas.prefix);
    let state_before: String = redis.get(&sessions[0]).await.unwrap();
    let seen_before: i64 = redis.get(&seen_key).await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    replicas
        .on_second(&browser)
        .get_page("/instances")
        .await
        .assert_status(200);
    let state_after: String = redis.get(&sessions[0]).await.unwrap();
    let seen_after: i64 = redis.get(&seen_key).await.unwrap();
    assert_eq!(state_before, state_after, "the state is written once");
    assert!(seen_after > seen_before, "{seen_before} → {seen_after}");
    let seen_ttl: i64 = redis.ttl(&seen_key).await.unwrap();
    let session_ttl: i64 = redis.ttl(&sessions[0]).await.unwrap();
    assert!(seen_ttl > 0 && (seen_ttl - session_ttl).abs() <= 1);
    // Signing out removes both.
    browser.logout().await.assert_redirect("/login");
    let left: Vec<String> = redis
        .keys(format!("{}:se*", replicas.prefix))
        .await
        .unwrap();
    assert!(left.iter().all(|k| !k.contains(&key)), "{left:?}");
}

#[tokio::test]
async fn rate_limits_are_counted_across_replicas() {
    let redis = test_redis().await;
    let prefix = format!("dms-test-{}", rand::random::<u64>());
    let shared = || {
        RateLimiter::in_redis(
            Redis::new(&redis.url, &prefix, Duration::from_secs(2)).expect("a Redis URL"),
        )
    };
    let (one, two) = (shared(), shared());
    let minute = Duration::from_secs(60);
    one.allow("ana", "dlq-resend", 2, minute).await.unwrap();
    two.allow("ana", "dlq-resend", 2, minute).await.unwrap();
    match one.allow("ana", "dlq-resend", 2, minute).await {
        Err(Limited::Wait(wait)) => assert!(wait > Duration::from_secs(50), "{wait:?}"),
        other => panic!("the third resend in a minute is refused: {other:?}"),
    }
    assert!(matches!(
        two.allow("ana", "dlq-resend", 2, minute).await,
        Err(Limited::Wait(_))
    ));
    // Per user and per action.
    two.allow("ben", "dlq-resend", 2, minute).await.unwrap();
    two.allow("ana", "offset-reset", 2, minute).await.unwrap();
    // A Redis that does not answer refuses rather than letting everything through.
    let down = RateLimiter::in_redis(
        Redis::new(
            &format!("redis://127.0.0.1:{}/0", free_port()),
            &prefix,
            Duration::from_millis(300),
        )
        .unwrap(),
    );
    assert!(matches!(
        down.allow("ana", "dlq-resend", 2, minute).await,
        Err(Limited::Unavailable(_))
    ));
}

#[tokio::test]
async fn a_set_of_claims_is_taken_once_across_replicas() {
    // The dead letters of a resend are claimed a set at a time: two replicas given
    // overlapping selections never both get the same message.
    let redis = test_redis().await;
    let prefix = format!("dms-test-{}", rand::random::<u64>());
    let shared = || {
        Ledger::in_redis(
            Redis::new(&redis.url, &prefix, Duration::from_secs(2)).expect("a Redis URL"),
        )
    };
    let (one, two) = (shared(), shared());
    let first: Vec<String> = ["m1", "m2", "m3"].map(String::from).to_vec();
    let second: Vec<String> = ["m3", "m4"].map(String::from).to_vec();
    let (a, b) = tokio::join!(one.claim_all("dlq", &first), two.claim_all("dlq", &second));
    let (a, b) = (a.unwrap(), b.unwrap());
    let m3_fresh = [a[2], b[0]].iter().filter(|c| **c == Claim::Fresh).count();
    assert_eq!(m3_fresh, 1, "m3 is claimed by exactly one: {a:?} {b:?}");
    assert_eq!(
        (a[0], a[1], b[1]),
        (Claim::Fresh, Claim::Fresh, Claim::Fresh)
    );
    // What became of a message is seen by the other replica.
    one.finish("dlq", "m1", OpState::Done).await;
    assert_eq!(
        two.claim_all("dlq", &["m1".to_owned()]).await.unwrap(),
        [Claim::Seen(OpState::Done)]
    );
    // A refused message is released and may be claimed again.
    two.release("dlq", "m4").await;
    assert_eq!(
        one.claim_all("dlq", &["m4".to_owned()]).await.unwrap(),
        [Claim::Fresh]
    );
}
