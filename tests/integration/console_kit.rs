//! The console kit as a whole: every page in both languages, the catalogue complete in both,
//! no visible text outside it, preferences in cookies, typed paths, exports, bidi isolation,
//! environment labels, time zones, and changes that are never sent twice.

use std::collections::BTreeSet;

use dms_console::web::routes::table;
use regex::Regex;

use crate::support::console::{TestApp, fill_pattern, spawn_app, spawn_app_with};

async fn admin_app() -> (TestApp, String) {
    let app = spawn_app().await;
    let id = app.create_instance("orders-prod");
    app.emulator
        .client()
        .create_consumer_group(
            &id,
            &dms_console::api::models::groups::CreateConsumerGroupReq {
                name: crate::support::console::WALK_GROUP.into(),
                ..Default::default()
            },
        )
        .await
        .expect("the walk's consumer group");
    app.login_as("admin").await.assert_redirect("/instances");
    (app, id)
}

/// Visible text nodes and `title`/`placeholder`/`aria-label` values of an HTML page.
fn visible_texts(html: &str) -> Vec<String> {
    let document = scraper::Html::parse_document(html);
    let mut texts = Vec::new();
    for node in document.tree.nodes() {
        match node.value() {
            scraper::Node::Text(text) => {
                let hidden = node.ancestors().any(|a| {
                    a.value()
                        .as_element()
                        .is_some_and(|e| matches!(e.name(), "script" | "style" | "title"))
                });
                if !hidden && !text.trim().is_empty() {
                    texts.push(text.trim().to_owned());
                }
            }
            scraper::Node::Element(element) => {
                for attribute in ["title", "placeholder", "aria-label"] {
                    if let Some(value) = element.attr(attribute) {
                        texts.push(value.to_owned());
                    }
                }
            }
            _ => {}
        }
    }
    texts
}

/// Catalogue keys that leaked onto a page: a key missing from the catalogue shows as `⟦key⟧`.
fn leaked_keys(html: &str) -> Vec<String> {
    visible_texts(html)
        .into_iter()
        .filter(|t| t.contains('⟦'))
        .collect()
}

#[tokio::test]
async fn every_page_of_the_route_table_renders_in_english_and_chinese() {
    let (app, id) = admin_app().await;
    let mut walked = 0;
    for lang in ["en", "zh-CN"] {
        app.set_cookie("dms-console-lang", Some(lang));
        for route in table() {
            let html_page = route.method == "GET"
                && !route.path.starts_with("/static/")
                && !["/healthz", "/readyz", "/metrics", "/"].contains(&route.path);
            if !html_page {
                continue;
            }
            let path = fill_pattern(route.path, &id);
            let page = app.get_page(&path).await;
            page.assert_status(200);
            let expected_lang = if route.path.contains("/panels/") {
                None
            } else {
                Some(lang)
            };
            if let Some(expected) = expected_lang {
                assert_eq!(
                    page.attr("html", "lang").as_deref(),
                    Some(expected),
                    "{path}"
                );
            }
            assert_eq!(
                leaked_keys(&page.body),
                Vec::<String>::new(),
                "{lang} {path}"
            );
            if lang == "zh-CN" {
                assert!(
                    page.body
                        .chars()
                        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "{path} has no Chinese text"
                );
            }
            walked += 1;
        }
    }
    assert!(walked >= 14, "walked {walked} pages");
    // The sign-in page too, before anyone signs in.
    let anonymous = app.new_browser();
    anonymous.set_cookie("dms-console-lang", Some("zh-CN"));
    let login = anonymous.get_page("/login").await;
    assert_eq!(login.attr("html", "lang").as_deref(), Some("zh-CN"));
    assert_eq!(login.text("#login-form button[type=submit]"), "登录");
}

/// The keys of every `.ftl` file of one language.
fn catalogue_keys(lang: &str) -> BTreeSet<String> {
    let dir = format!("{}/src/web/locales/{lang}", env!("CARGO_MANIFEST_DIR"));
    let entry = Regex::new(r"(?m)^([a-zA-Z][a-zA-Z0-9_-]*)\s*=").unwrap();
    let mut keys = BTreeSet::new();
    for file in std::fs::read_dir(&dir).unwrap() {
        let path = file.unwrap().path();
        if path.extension().is_some_and(|e| e == "ftl") {
            let text = std::fs::read_to_string(&path).unwrap();
            for capture in entry.captures_iter(&text) {
                assert!(
                    keys.insert(capture[1].to_owned()),
                    "{} is defined twice in {lang}",
                    &capture[1]
                );
            }
        }
    }
    keys
}

#[test]
fn both_languages_have_the_same_keys() {
    let english = catalogue_keys("en");
    let chinese = catalogue_keys("zh-CN");
    let only_english: Vec<_> = english.difference(&chinese).collect();
    let only_chinese: Vec<_> = chinese.difference(&english).collect();
    assert!(
        only_english.is_empty() && only_chinese.is_empty(),
        "only in English: {only_english:?}; only in Chinese: {only_chinese:?}"
    );
    assert!(english.len() > 200, "{} keys", english.len());
}

/// Every file under `dir` ending in one of `extensions`, as (path, text).
fn sources(dir: &str, extensions: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(format!(
        "{}/{dir}",
        env!("CARGO_MANIFEST_DIR")
    ))];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else if path
            .extension()
            .is_some_and(|e| extensions.iter().any(|x| e == *x))
        {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path.display().to_string(), text));
        }
    }
    out
}

#[test]
fn every_key_the_code_and_templates_name_is_in_the_catalogue() {
    let keys = catalogue_keys("en");
    let uses = Regex::new(
        r#"(?:\bt|\bt1|\bt2|form\.t|lang\.t|Msg::new|upstream|plain|crumb|for_user\(&user,|anonymous\(ui,|label_key:|WebError::upstream)\(?\s*"([a-z][a-z0-9]*(?:-[a-z0-9A-Z]+)+)""#,
    )
    .unwrap();
    let mut missing = BTreeSet::new();
    let mut named = 0;
    for (path, text) in sources("src/web", &["rs"])
        .into_iter()
        .chain(sources("templates", &["html"]))
    {
        for capture in uses.captures_iter(&text) {
            named += 1;
            if !keys.contains(&capture[1]) {
                missing.insert(format!("{} ({path})", &capture[1]));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "missing from the catalogue: {missing:#?}"
    );
    assert!(named > 150, "found {named} uses");
}

#[test]
fn templates_have_no_visible_text_outside_the_catalogue() {
    let expression = Regex::new(r"(?s)\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}").unwrap();
    let tag = Regex::new(r"(?s)<[^>]*>").unwrap();
    let attribute = Regex::new(r#"(?:title|placeholder|aria-label|alt)="([^"]*)""#).unwrap();
    let letters = Regex::new(r"[A-Za-z\u{4e00}-\u{9fff}]").unwrap();
    let mut found = Vec::new();
    for (path, text) in sources("templates", &["html"]) {
        let without_expressions = expression.replace_all(&text, "");
        for capture in attribute.captures_iter(&without_expressions) {
            if letters.is_match(&capture[1]) {
                found.push(format!("{path}: attribute text {:?}", &capture[1]));
            }
        }
        for line in tag.replace_all(&without_expressions, "\n").lines() {
            let line = line.trim();
            if letters.is_match(line) {
                found.push(format!("{path}: {line:?}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "visible text outside the catalogue: {found:#?}"
    );
}

#[tokio::test]
async fn the_language_follows_the_browser_then_the_choice_which_outlives_the_session() {
    let (app, _) = admin_app().await;
    let chinese_browser = app
        .get_with(
            "/instances",
            &[("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.5")],
        )
        .await;
    assert_eq!(
        chinese_browser.attr("html", "lang").as_deref(),
        Some("zh-CN")
    );
    assert_eq!(chinese_browser.text("#instances h1"), "实例");

    // Choosing English in the header sets a cookie and goes back where it was.
    let chosen = app
        .post_form(
            "/preferences",
            &[
                ("lang", "en"),
                ("theme", "dark"),
                ("tz", "UTC"),
                ("back", "/instances?name=orders"),
            ],
        )
        .await;
    chosen.assert_redirect("/instances?name=orders");
    assert!(
        chosen
            .set_cookie("dms-console-lang")
            .unwrap()
            .contains("en")
    );
    let page = app
        .get_with("/instances", &[("Accept-Language", "zh-CN")])
        .await;
    assert_eq!(page.attr("html", "lang").as_deref(), Some("en"));
    assert_eq!(page.attr("html", "data-theme").as_deref(), Some("dark"));
    assert_eq!(
        page.attr("#pref-lang option[selected]", "value").as_deref(),
        Some("en")
    );

    // Signing out ends the session, not the preferences.
    app.logout().await;
    let login = app
        .get_with("/login", &[("Accept-Language", "zh-CN")])
        .await;
    assert_eq!(login.attr("html", "lang").as_deref(), Some("en"));
    assert_eq!(login.attr("html", "data-theme").as_deref(), Some("dark"));

    // Going back never leaves the console.
    let away = app
        .post_form(
            "/preferences",
            &[("lang", "zh-CN"), ("back", "//evil.example/")],
        )
        .await;
    away.assert_redirect("/");
}

#[tokio::test]
async fn a_path_value_that_breaks_its_rule_is_not_found_without_asking_dms() {
    let (app, id) = admin_app().await;
    let before = app.emulator_requests();
    for path in [
        "/instances/not-an-instance".to_owned(),
        "/instances/11c45539-0000-4000-8000-812c41f61f3".to_owned(),
        format!("/instances/{id}x/edit"),
        "/instances/..%2F..%2Fetc/panels/overview".to_owned(),
    ] {
        let page = app.get_page(&path).await;
        page.assert_status(404);
        assert_eq!(page.text(".error-card h1"), "Not found", "{path}");
    }
    let page = app.get_page("/instances/not-an-instance").await;
    assert_eq!(
        page.text(".error-card .message"),
        "This address names nothing that can exist: “n” is not allowed: a UUID such as 11c45539-0000-0000-0000-812c41f61f30."
    );
    assert_eq!(app.emulator_requests(), before, "nothing reached DMS");
}

/// CSV rows of a download (quotes and doubled quotes handled, CR LF line ends).
fn csv_rows(body: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    rows
}

#[tokio::test]
async fn lists_export_every_match_as_csv_and_json_with_formulas_and_bidi_defused() {
    let (app, id) = admin_app().await;
    for name in ["orders-test", "billing-prod"] {
        app.create_instance(name);
    }
    // A description that a spreadsheet would run, with a right-to-left override in it.
    let description = "=HYPERLINK(\"http://evil.example\")\u{202E}txt.exe";
    app.submit(
        &format!("/instances/{id}/edit"),
        &[("name", "orders-prod"), ("description", description)],
    )
    .await
    .assert_status(303);

    let csv = app
        .get_page("/instances?name=prod&limit=1&format=csv")
        .await;
    csv.assert_status(200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert_eq!(
        csv.header("content-disposition"),
        Some("attachment; filename=\"dms-console-instances.csv\"")
    );
    let rows = csv_rows(&csv.body);
    assert_eq!(rows[0][0], "instance_id");
    // Every match, not only the page the link was on.
    assert_eq!(rows.len(), 3, "{rows:?}");
    let orders = rows
        .iter()
        .find(|r| r[0] == id)
        .expect("orders-prod exported");
    assert_eq!(
        orders[8],
        "'=HYPERLINK(\"http://evil.example\")\\u202Etxt.exe"
    );
    assert!(orders[7].ends_with('Z'), "{orders:?}");

    let json = app.get_page("/instances?name=prod&format=json").await;
    json.assert_status(200);
    assert!(
        json.body.contains("\\u202e"),
        "bidi control shown as an escape"
    );
    let value: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    let exported = value.as_array().unwrap();
    assert_eq!(exported.len(), 2);
    let orders = exported.iter().find(|r| r["instance_id"] == id).unwrap();
    assert_eq!(orders["description"], description);

    // The dashboard shows the description isolated, with the override made visible.
    let dashboard = app.get_page(&format!("/instances/{id}")).await;
    assert!(
        dashboard
            .body
            .contains("<bdi>=HYPERLINK(&quot;http://evil.example&quot;)\\u202Etxt.exe</bdi>"),
        "{}",
        dashboard.body
    );
    assert!(!dashboard.body.contains('\u{202E}'));
    // So does the audit log, in its record and on its page.
    let audit = app.get_page("/audit?format=csv").await;
    assert!(audit.body.contains("\\\\u202e") || audit.body.contains("\\u202e"));
    assert!(!audit.body.contains('\u{202E}'));
    let page = app.get_page("/audit").await;
    assert!(!page.body.contains('\u{202E}'));
}

#[tokio::test]
async fn a_change_posted_twice_reaches_dms_once() {
    let (app, id) = admin_app().await;
    let path = format!("/instances/{id}/restart");
    let op = app.op_id(&path).await;
    app.csrf().await;
    let before = app.emulator_requests();
    let fields = [("op", op.as_str())];
    let (first, second) =
        tokio::join!(app.post_form(&path, &fields), app.post_form(&path, &fields));
    let statuses: BTreeSet<u16> = [first.status, second.status].into();
    assert_eq!(
        statuses,
        [303, 409].into(),
        "one went through, one was stopped"
    );
    let again = app.post_form(&path, &[("op", &op)]).await;
    again.assert_status(409);
    assert_eq!(again.text(".error-card h1"), "Already submitted");
    assert!(again.text(".error-card .message").contains("carried out"));
    assert_eq!(
        app.emulator_requests(),
        before + 1,
        "one restart reached DMS"
    );
    let audited = app.audit_db().query_row(
        "SELECT count(*) FROM audit WHERE operation = 'RestartInstance'",
        [],
        |row| row.get::<_, i64>(0),
    );
    assert_eq!(audited.unwrap(), 1);
    // A form without its operation id is refused before DMS.
    let bare = app.post_form(&path, &[]).await;
    bare.assert_status(400);
    assert_eq!(app.emulator_requests(), before + 1);
}

#[tokio::test]
async fn a_labelled_connection_shows_its_environment_on_every_page() {
    let app = spawn_app_with(|settings| {
        settings.connections[0].environment = Some("production".into());
        settings.connections[0].environment_colour = Some("red".into());
    })
    .await;
    let id = app.create_instance("orders-prod");
    app.login_as("viewer").await.assert_redirect("/instances");
    for path in [
        "/instances".to_owned(),
        format!("/instances/{id}"),
        "/instances/nope".to_owned(),
    ] {
        let page = app.get_page(&path).await;
        assert_eq!(page.text("#environment strong"), "production", "{path}");
        assert_eq!(
            page.attr("#environment", "class").as_deref(),
            Some("env-banner env-red")
        );
    }
    // Access-key sign-ins have no label unless `auth.environment` is set.
    let other = app.new_browser();
    other
        .login_access_key(
            crate::support::emulator::AK,
            crate::support::emulator::SK,
            crate::support::emulator::PROJECT,
        )
        .await;
    assert!(!other.get_page("/instances").await.has("#environment"));
}

#[tokio::test]
async fn times_show_in_the_browsers_zone_or_utc_with_the_exact_instant_beside() {
    let (app, id) = admin_app().await;
    app.set_cookie("dms-console-browser-tz", Some("Asia/Shanghai"));
    let page = app.get_page(&format!("/instances/{id}")).await;
    let shown = page.text("#panel-overview time");
    assert!(shown.ends_with(" CST"), "{shown}");
    let title = page.attr("#panel-overview time", "title").unwrap();
    assert!(title.ends_with(" UTC"), "{title}");
    let iso = page.attr("#panel-overview time", "datetime").unwrap();
    assert!(iso.ends_with('Z') && iso.contains('T'), "{iso}");
    app.set_cookie("dms-console-tz", Some("UTC"));
    let utc = app.get_page(&format!("/instances/{id}")).await;
    assert_eq!(utc.text("#panel-overview time"), title);
}

#[test]
fn the_tabs_shown_are_exactly_the_instance_pages_that_exist() {
    use dms_console::web::layout::Tab;
    use dms_console::web::routes::has_get;
    for tab in Tab::ALL {
        let pattern = format!("/instances/{{instance_id}}{}", tab.suffix());
        assert_eq!(tab.exists(), has_get(&pattern), "{tab:?} ({pattern})");
    }
}
