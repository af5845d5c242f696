//! The team settings: every problem of `[oidc]` and the shared-state keys stops the console
//! with the key named, before anything listens.

use dms_console::config::Settings;
use dms_console::config::web::GroupMapping;
use dms_console::secret::Secret;
use dms_console::startup::{build_state, server_key};

use crate::support::console::console_settings;

fn base() -> (Settings, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = console_settings("http://127.0.0.1:1", &dir.path().join("audit.sqlite3"));
    settings.oidc.issuer = Some("https://idp.example.com/realms/team".to_owned());
    settings.oidc.client_id = "dms-console".to_owned();
    settings.oidc.client_secret = Some(Secret::new("s3cret"));
    settings.oidc.redirect_url = Some("https://console.example.com/login/oidc/callback".to_owned());
    settings.oidc.groups = vec![GroupMapping {
        group: "payments-admins".to_owned(),
        role: "admin".to_owned(),
        connections: vec!["emulator".to_owned()],
    }];
    (settings, dir)
}

/// The key and problem `settings` are refused with.
fn refusal(settings: &Settings) -> (String, String) {
    let key = server_key(settings).expect("a server key");
    match build_state(settings, key) {
        Ok(_) => panic!("the settings were accepted"),
        Err(error) => (error.key, error.problem),
    }
}

#[test]
fn single_sign_on_settings_are_checked_and_name_the_key() {
    let (settings, _dir) = base();
    let key = server_key(&settings).unwrap();
    let state = build_state(&settings, key).expect("complete settings are accepted");
    assert!(state.oidc.is_some());

    let (mut no_secret, _d) = base();
    no_secret.oidc.client_secret = None;
    assert_eq!(refusal(&no_secret).0, "oidc.client_secret");

    let (mut no_client, _d) = base();
    no_client.oidc.client_id = String::new();
    assert_eq!(refusal(&no_client).0, "oidc.client_id");

    let (mut no_redirect, _d) = base();
    no_redirect.oidc.redirect_url = None;
    let (key, problem) = refusal(&no_redirect);
    assert_eq!(key, "oidc.redirect_url");
    assert!(problem.contains("server.public_url"), "{problem}");
    // ... which server.public_url supplies.
    no_redirect.server.public_url = Some("https://console.example.com".to_owned());
    no_redirect.server.behind_tls_proxy = true;
    let key = server_key(&no_redirect).unwrap();
    build_state(&no_redirect, key).expect("the callback follows the public URL");

    let (mut unknown, _d) = base();
    unknown.oidc.groups[0].connections = vec!["nowhere".to_owned()];
    let (key, problem) = refusal(&unknown);
    assert_eq!(key, "oidc.groups[0].connections");
    assert!(problem.contains("nowhere"), "{problem}");

    let (mut role, _d) = base();
    role.oidc.groups[0].role = "root".to_owned();
    assert_eq!(refusal(&role).0, "oidc.groups[0].role");

    let (mut none, _d) = base();
    none.oidc.groups.clear();
    assert_eq!(refusal(&none).0, "oidc.groups");

    let (mut issuer, _d) = base();
    issuer.oidc.issuer = Some("not a url".to_owned());
    assert_eq!(refusal(&issuer).0, "oidc.issuer");
}

#[test]
fn the_redis_key_prefix_must_be_a_word() {
    let (mut settings, _dir) = base();
    settings.session.backend = "redis".to_owned();
    settings.session.redis_url = Some("redis://127.0.0.1:1/0".to_owned());
    settings.session.redis_key_prefix = "two words".to_owned();
    assert_eq!(refusal(&settings).0, "session.redis_key_prefix");
}
