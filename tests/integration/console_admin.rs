//! The administrator's instance life cycle: creating an instance (its rules, its preview and
//! its progress to RUNNING), resizing it (EXTENDING to RUNNING), restarting its nodes, and
//! batch restarts and deletes with a result per instance.

use std::collections::BTreeSet;
use std::time::Duration;

use dms_console::emulator::instances::InitialState;
use serde_json::json;

use crate::support::console::{Page, TestApp, spawn_app_on};
use crate::support::emulator::TestEmulator;
use crate::support::instances::{AZ, NET};

/// AZ1 and AZ2 of the emulator: AZ1 supports IPv6, AZ3 (the default) does not.
const AZ1: &str = "8c90c2a4e2594c0782faa6b205afeca7";
const AZ2: &str = "d539378ec1314c85b76fefa3f7071458";

/// An admin signed in to a console whose emulator runs every job in a second.
async fn admin_app() -> TestApp {
    let emulator = TestEmulator::start_with(|s| {
        // Long enough that the page sees the job running, short enough to wait for.
        s.create_seconds = 3;
        s.extend_seconds = 3;
        s.restart_seconds = 3;
        s.migration_seconds = 1;
    })
    .await;
    let app = spawn_app_on(emulator, |_| {}).await;
    app.login_as("admin").await.assert_redirect("/instances");
    app
}

/// Follows the progress block as htmx does, reading its next address until the job ends
/// (without waiting the block's own delays); returns the last block and every status seen.
pub async fn follow(app: &TestApp, first: Page) -> (Page, Vec<String>) {
    let mut page = first;
    let mut seen: Vec<String> = Vec::new();
    for _ in 0..200 {
        if let Some(status) = page.attr("#progress-status", "data-status")
            && seen.last() != Some(&status)
        {
            seen.push(status);
        }
        let stage = page
            .attr("#progress", "data-stage")
            .expect("a progress block");
        if matches!(stage.as_str(), "done" | "failed" | "gone") {
            assert!(
                !page.has("#progress[hx-get]"),
                "a finished block stops reading"
            );
            return (page, seen);
        }
        let next = page
            .attr("#progress", "hx-get")
            .expect("a running block reads itself again");
        tokio::time::sleep(Duration::from_millis(100)).await;
        page = app.get_fragment(&next).await;
        page.assert_status(200);
    }
    panic!("the job did not end; statuses seen: {seen:?}");
}

/// The audit records of `operation`: (outcome, params).
fn audited(app: &TestApp, operation: &str) -> Vec<(String, serde_json::Value)> {
    app.audit_records(operation)
        .into_iter()
        .map(|r| {
            let params = r.params_json();
            (r.outcome, params)
        })
        .collect()
}

/// The fields of a valid create form.
fn create_fields(name: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.to_owned()),
        ("engine_version", "4.8.0".to_owned()),
        ("product_id", "c6.4u8g.cluster".to_owned()),
        ("broker_num", "2".to_owned()),
        ("storage_space", "1200".to_owned()),
        (
            "storage_spec_code",
            "dms.physical.storage.ultra.v2".to_owned(),
        ),
        ("zone", AZ.to_owned()),
        ("vpc_id", NET.to_owned()),
        ("subnet_id", NET.to_owned()),
        ("security_group_id", NET.to_owned()),
        ("enable_acl", "on".to_owned()),
        ("tags", "env=staging\nteam=payments".to_owned()),
    ]
}

fn with<'a>(
    fields: &'a [(&'static str, String)],
    changes: &'a [(&'static str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut out: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(name, _)| !changes.iter().any(|(changed, _)| changed == name))
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    out.extend(changes.iter().copied());
    out
}

#[tokio::test]
async fn the_create_form_explains_every_rule_before_anything_reaches_dms() {
    let app = admin_app().await;
    let form = app.get_page("/instances/new").await;
    form.assert_status(200);
    // Fed by the zones and products of the region.
    assert_eq!(form.count("input[name=zone]"), 3);
    assert!(form.has("#flavour-table tr[data-flavour='c6.4u8g.cluster']"));
    assert!(form.has("#flavour-table tr[data-flavour='rocketmq.p2.large.8']"));
    assert!(
        form.texts("select[name=engine_version] option")
            .contains(&"5.x".to_owned())
    );
    let op = form.attr("input[name=op]", "value").unwrap();
    app.reset_requests().await;

    let base = create_fields("orders-new");
    // (the fields changed, the field that complains, what it says)
    type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![("name", "1orders")],
            "name",
            "The first character must be a letter",
        ),
        (vec![("zone", AZ1), ("zone", AZ2)], "zones", "three or more"),
        (vec![("storage_space", "300")], "storage_space", "600 to"),
        (
            vec![("storage_space", "1250")],
            "storage_space",
            "multiple of 100",
        ),
        (vec![("broker_num", "11")], "broker_num", "1 to 10"),
        (
            vec![("product_id", "rocketmq.b1.large.1")],
            "product_id",
            "flavour of RocketMQ 5.x",
        ),
        (
            vec![("enable_publicip", "on")],
            "publicip_id",
            "at least one elastic IP",
        ),
        (
            vec![("ipv6_enable", "on")],
            "zones",
            "does not support IPv6",
        ),
        (vec![("vpc_id", "vpc-1")], "vpc_id", "Enter an id such as"),
        (vec![("tags", "bad#key=x")], "tags", "is not allowed"),
    ];
    for (changes, field, expected) in cases {
        let mut changes = changes;
        changes.push(("op", &op));
        changes.push(("step", "preview"));
        // Each case replaces the fields it names (both zones replace the one zone).
        let fields = with(&base, &changes);
        let page = app.post_form("/instances", &fields).await;
        page.assert_status(422);
        let error = page.text(&format!("[data-field={field}] .field-error"));
        assert!(
            error.contains(expected),
            "{changes:?}: `{error}` lacks `{expected}`"
        );
    }
    let counts = app.operation_counts().await;
    assert!(
        !counts.contains_key("CreateInstanceByEngine"),
        "nothing was created: {counts:?}"
    );
}

#[tokio::test]
async fn a_created_instance_is_previewed_then_followed_from_creating_to_running() {
    let app = admin_app().await;
    let op = app.op_id("/instances/new").await;
    let base = create_fields("orders-new");
    let preview = app
        .post_form(
            "/instances",
            &with(&base, &[("op", &op), ("step", "preview")]),
        )
        .await;
    preview.assert_status(200);
    let summary = preview.text("#create-summary");
    for expected in [
        "orders-new",
        "c6.4u8g.cluster",
        "1200 GB",
        "AZ3",
        "env=staging",
    ] {
        assert!(summary.contains(expected), "{summary}");
    }
    // The billing cores of two brokers of the flavour (API reference §5.9.3).
    assert!(preview.text("#create-cores").parse::<i64>().unwrap() > 0);
    let counts = app.operation_counts().await;
    assert_eq!(counts.get("ShowRocketMqProductCores"), Some(&1));
    assert!(!counts.contains_key("CreateInstanceByEngine"));

    // The confirmation carries the values; the zone list travels as one field.
    let names = preview.attrs("#create-confirm input[type=hidden]", "name");
    let values = preview.attrs("#create-confirm input[type=hidden]", "value");
    let carried: Vec<(&str, &str)> = names
        .iter()
        .zip(&values)
        .filter(|(name, _)| *name != "_csrf")
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert!(carried.contains(&("zones", AZ)), "{carried:?}");
    let created = app.post_form("/instances", &carried).await;
    created.assert_status(303);
    let location = created.location().unwrap().to_owned();
    assert!(location.ends_with("/progress?job=create"), "{location}");
    let id = location.split('/').nth(2).unwrap().to_owned();

    let page = app.get_page(&location).await;
    page.assert_status(200);
    assert_eq!(
        page.attr("#progress", "data-job").as_deref(),
        Some("create")
    );
    let (last, seen) = follow(&app, page).await;
    assert_eq!(
        seen.first().map(String::as_str),
        Some("CREATING"),
        "{seen:?}"
    );
    assert_eq!(seen.last().map(String::as_str), Some("RUNNING"), "{seen:?}");
    assert_eq!(
        last.attr("#progress", "data-stage").as_deref(),
        Some("done")
    );
    assert_eq!(last.text("#progress-brokers"), "2");

    // Created once, its tags added after it, both audited.
    let counts = app.operation_counts().await;
    assert_eq!(counts.get("CreateInstanceByEngine"), Some(&1));
    let creates = audited(&app, "CreateInstanceByEngine");
    assert_eq!(creates.len(), 1);
    assert_eq!(creates[0].0, "ok");
    assert_eq!(creates[0].1["broker_num"], 2);
    assert_eq!(creates[0].1["enable_acl"], true);
    let tags = audited(&app, "BatchCreateOrDeleteRocketmqTag");
    assert_eq!(tags.len(), 1, "{tags:?}");
    let listed = app
        .emulator
        .client()
        .show_instance_tags(&id, &Default::default())
        .await
        .unwrap()
        .into_inner()
        .tags;
    let listed: BTreeSet<(String, String)> = listed.into_iter().map(|t| (t.key, t.value)).collect();
    assert!(listed.contains(&("env".to_owned(), "staging".to_owned())));

    // Submitting the same confirmation again sends nothing.
    let again = app.post_form("/instances", &carried).await;
    again.assert_status(409);
    assert_eq!(
        app.operation_counts().await.get("CreateInstanceByEngine"),
        Some(&1)
    );
}

#[tokio::test]
async fn a_create_dms_refuses_shows_its_reason_next_to_the_field() {
    let app = admin_app().await;
    app.add_fault(json!({
        "operation": "CreateInstanceByEngine", "count": 1, "status": 400,
        "error_code": "DMS.00400060", "error_msg": "The instance name already exists."
    }))
    .await;
    let op = app.op_id("/instances/new").await;
    let base = create_fields("orders-taken");
    let page = app
        .post_form(
            "/instances",
            &with(&base, &[("op", &op), ("step", "confirm"), ("zones", AZ)]),
        )
        .await;
    page.assert_status(422);
    assert!(
        page.text("[data-field=name] .field-error")
            .contains("DMS.00400060"),
        "{}",
        page.body
    );
    assert_eq!(
        page.text(".error-card .title"),
        "Creating the instance failed"
    );
    // The form is offered again with a new operation id.
    assert_ne!(page.attr("input[name=op]", "value"), Some(op));
    assert_eq!(audited(&app, "CreateInstanceByEngine")[0].0, "failed");
}

#[tokio::test]
async fn a_resize_offers_what_dms_lists_previews_before_and_after_and_follows_extending() {
    let app = admin_app().await;
    let id = app.create_instance("orders-prod");
    let form = app.get_page(&format!("/instances/{id}/resize")).await;
    form.assert_status(200);
    let changes = form.attrs("select[name=change] option", "value");
    assert_eq!(changes, ["storage", "brokers", "flavour"]);
    let targets = form.texts("#resize-targets td.mono");
    assert!(
        targets.contains(&"c6.8u16g.cluster".to_owned()),
        "{targets:?}"
    );
    assert!(
        !targets.contains(&"c6.4u8g.cluster".to_owned()),
        "not its own flavour"
    );
    let op = form.attr("input[name=op]", "value").unwrap();
    let path = format!("/instances/{id}/resize");

    // Storage only grows, by at least 100 GB per broker.
    let small = app
        .post_form(
            &path,
            &[
                ("change", "storage"),
                ("new_storage_space", "650"),
                ("op", &op),
            ],
        )
        .await;
    small.assert_status(422);
    assert!(
        small
            .text("[data-field=new_storage_space] .field-error")
            .contains("700 to"),
        "{}",
        small.body
    );

    let preview = app
        .post_form(
            &path,
            &[
                ("change", "storage"),
                ("new_storage_space", "1000"),
                ("op", &op),
            ],
        )
        .await;
    preview.assert_status(200);
    assert_eq!(
        preview.texts("#change-preview tr.changed th"),
        ["Total storage (GB)"]
    );
    assert_eq!(
        preview.texts("#change-preview tr.changed td"),
        ["600", "1000"]
    );
    assert!(
        preview
            .text("#resize-meaning")
            .starts_with("Storage only grows")
    );
    assert!(!app.operation_counts().await.contains_key("ResizeInstance"));

    let started = app
        .post_form(
            &path,
            &[
                ("change", "storage"),
                ("new_storage_space", "1000"),
                ("op", &op),
                ("step", "confirm"),
            ],
        )
        .await;
    started.assert_status(303);
    let location = started.location().unwrap().to_owned();
    assert_eq!(location, format!("/instances/{id}/progress?job=resize"));
    let (last, seen) = follow(&app, app.get_page(&location).await).await;
    assert_eq!(seen, ["EXTENDING", "RUNNING"]);
    assert_eq!(last.text("#progress-storage"), "1000 GB");

    // More brokers: the storage per broker stays.
    let op = app.op_id(&path).await;
    let preview = app
        .post_form(
            &path,
            &[("change", "brokers"), ("new_broker_num", "3"), ("op", &op)],
        )
        .await;
    preview.assert_status(200);
    assert_eq!(
        preview.texts("#change-preview tr.changed th"),
        ["Brokers", "Total storage (GB)"]
    );
    assert_eq!(
        preview.texts("#change-preview tr.changed td"),
        ["1", "3", "1000", "3000"]
    );
    assert!(preview.text("#resize-meaning").contains("rebalance"));
    let started = app
        .post_form(
            &path,
            &[
                ("change", "brokers"),
                ("new_broker_num", "3"),
                ("op", &op),
                ("step", "confirm"),
            ],
        )
        .await;
    started.assert_status(303);
    let (last, seen) = follow(&app, app.get_page(&location).await).await;
    assert_eq!(seen, ["EXTENDING", "RUNNING"]);
    assert_eq!(last.text("#progress-brokers"), "3");
    let resizes = audited(&app, "ResizeInstance");
    assert_eq!(resizes.len(), 2);
    assert_eq!(resizes[1].1["request"]["new_broker_num"], 3);
    assert_eq!(app.operation_counts().await.get("ResizeInstance"), Some(&2));
}

#[tokio::test]
async fn an_instance_that_is_not_running_is_not_offered_a_resize() {
    let app = admin_app().await;
    let id = app.create_instance_in("orders-new", InitialState::Creating { seconds: Some(600) });
    let page = app.get_page(&format!("/instances/{id}/resize")).await;
    page.assert_status(200);
    assert!(page.text("#resize-blocked").contains("CREATING"));
    assert!(!page.has("#resize-form"));
    let op = app.op_id(&format!("/instances/{id}/edit")).await;
    let refused = app
        .post_form(
            &format!("/instances/{id}/resize"),
            &[
                ("change", "storage"),
                ("new_storage_space", "1000"),
                ("op", &op),
                ("step", "confirm"),
            ],
        )
        .await;
    refused.assert_status(409);
    assert!(!app.operation_counts().await.contains_key("ResizeInstance"));
}

#[tokio::test]
async fn nodes_are_listed_and_restarted_together_with_the_progress_on_the_page() {
    let app = admin_app().await;
    let id = app.create_instance("orders-prod");
    let path = format!("/instances/{id}/nodes");
    let page = app.get_page(&path).await;
    page.assert_status(200);
    assert!(page.count("#node-table tbody tr") >= 1);
    assert!(page.texts("#node-table td").contains(&"master".to_owned()));
    assert!(!page.has(".node-restarting"));
    assert!(
        page.text("#nodes-whole")
            .contains("restarts an instance as a whole")
    );
    let op = page.attr("#restart-nodes input[name=op]", "value").unwrap();

    let restarted = app
        .post_form(&format!("{path}/restart"), &[("op", &op)])
        .await;
    restarted.assert_redirect(&path);
    let page = app.get_page(&path).await;
    assert!(page.has(".node-restarting"), "{}", page.body);
    assert_eq!(
        page.attr("#progress-status", "data-status").as_deref(),
        Some("RESTARTING")
    );
    let (last, _) = follow(&app, page).await;
    assert_eq!(
        last.attr("#progress-status", "data-status").as_deref(),
        Some("RUNNING")
    );
    assert_eq!(
        app.operation_counts().await.get("RestartInstance"),
        Some(&1)
    );
    assert_eq!(audited(&app, "RestartInstance")[0].0, "ok");
}

#[tokio::test]
async fn a_batch_restart_confirms_by_typing_and_reports_each_instance_when_one_fails() {
    let app = admin_app().await;
    let ids: Vec<String> = ["orders-a", "orders-b", "orders-c"]
        .iter()
        .map(|name| app.create_instance(name))
        .collect();
    // Admins select instances in the list.
    let list = app.get_page("/instances").await;
    assert_eq!(list.count("input[name=id][form=batch-form]"), 3);
    let query: String = ids.iter().map(|id| format!("&id={id}")).collect();
    let page = app
        .get_page(&format!("/instances/batch?action=restart{query}"))
        .await;
    page.assert_status(200);
    assert_eq!(page.count("#batch-impact tbody tr"), 3);
    assert_eq!(page.text(".confirm-expected"), "restart 3");
    assert!(
        page.text("#batch-impact tbody tr")
            .contains("0 topics, 0 consumer groups")
    );
    let op = page.attr("input[name=op]", "value").unwrap();
    let mut fields: Vec<(&str, &str)> = vec![("action", "restart"), ("op", &op)];
    for id in &ids {
        fields.push(("id", id));
    }
    app.reset_requests().await;

    let mut wrong = fields.clone();
    wrong.push(("confirm", "restart 2"));
    let refused = app.post_form("/instances/batch", &wrong).await;
    refused.assert_status(422);
    assert!(refused.has("[data-field=confirm] .field-error"));
    assert!(!app.operation_counts().await.contains_key("RestartInstance"));

    // The first restart fails; the other two go ahead.
    app.add_fault(json!({
        "operation": "RestartInstance", "count": 1, "status": 400,
        "error_code": "DMS.00400026", "error_msg": "The instance status does not allow this."
    }))
    .await;
    let mut right = fields.clone();
    right.push(("confirm", "restart 3"));
    let done = app.post_form("/instances/batch", &right).await;
    done.assert_status(200);
    assert_eq!(done.text("#batch-summary"), "2 of 3 succeeded.");
    let outcome = |id: &str| {
        done.attr(
            &format!("#batch-results tr[data-instance-id='{id}'] .outcome"),
            "data-outcome",
        )
        .unwrap()
    };
    let outcomes: Vec<String> = ids.iter().map(|id| outcome(id)).collect();
    assert_eq!(outcomes, ["failed", "ok", "ok"]);
    assert!(
        done.text(&format!(
            "#batch-results tr[data-instance-id='{}'] .error-code",
            ids[0]
        ))
        .contains("DMS.00400026")
    );
    assert_eq!(
        app.operation_counts().await.get("RestartInstance"),
        Some(&3)
    );
    let records: Vec<String> = audited(&app, "RestartInstance")
        .into_iter()
        .map(|(outcome, _)| outcome)
        .collect();
    assert_eq!(records, ["failed", "ok", "ok"]);

    // The same submission again reaches DMS no more.
    let again = app.post_form("/instances/batch", &right).await;
    again.assert_status(409);
    assert_eq!(
        app.operation_counts().await.get("RestartInstance"),
        Some(&3)
    );
}

#[tokio::test]
async fn a_batch_delete_warns_about_an_instance_dms_will_refuse_and_reports_it_failed() {
    let app = admin_app().await;
    let running = app.create_instance("orders-old");
    let creating =
        app.create_instance_in("orders-new", InitialState::Creating { seconds: Some(600) });
    let page = app
        .get_page(&format!(
            "/instances/batch?action=delete&id={running}&id={creating}"
        ))
        .await;
    page.assert_status(200);
    assert!(page.has(".danger-zone"));
    assert_eq!(page.text(".confirm-expected"), "delete 2");
    assert!(
        page.text(&format!("tr[data-instance-id='{creating}'] .field-error"))
            .contains("CREATING")
    );
    assert!(page.text("#batch-warnings").starts_with("One instance"));
    let op = page.attr("input[name=op]", "value").unwrap();
    let done = app
        .post_form(
            "/instances/batch",
            &[
                ("action", "delete"),
                ("id", &running),
                ("id", &creating),
                ("confirm", "delete 2"),
                ("op", &op),
            ],
        )
        .await;
    done.assert_status(200);
    assert_eq!(done.text("#batch-summary"), "1 of 2 succeeded.");
    assert_eq!(
        done.attr(
            &format!("tr[data-instance-id='{creating}'] .outcome"),
            "data-outcome"
        )
        .as_deref(),
        Some("failed")
    );
    assert_eq!(
        app.operation_counts().await.get("BatchDeleteInstances"),
        Some(&1)
    );
    let list = app.get_page("/instances").await;
    assert_eq!(
        list.texts("#instance-table tbody tr td a"),
        ["orders-new"],
        "only the refused one is left"
    );
    // Nothing selected: the page says how to select, and nothing is sent.
    let empty = app.get_page("/instances/batch?action=delete").await;
    empty.assert_status(200);
    assert!(empty.has("#batch-empty"));
}

#[tokio::test]
async fn operators_and_viewers_get_403_on_every_administration_route() {
    let app = admin_app().await;
    let id = app.create_instance("orders-prod");
    let other = app.create_instance("orders-staging");
    let gets = [
        "/instances/new".to_owned(),
        "/instances/batch?action=restart&id={id}".to_owned(),
        "/instances/{id}/progress?job=create".to_owned(),
        "/instances/{id}/resize".to_owned(),
        "/instances/{id}/nodes".to_owned(),
        "/instances/{id}/tags".to_owned(),
        "/instances/{id}/config".to_owned(),
        "/instances/{id}/migrations".to_owned(),
        "/instances/{id}/export".to_owned(),
        "/compare?a={id}&b={other}".to_owned(),
    ]
    .map(|p| p.replace("{id}", &id).replace("{other}", &other));
    let posts = [
        "/instances",
        "/instances/batch",
        "/instances/{id}/resize",
        "/instances/{id}/nodes/restart",
        "/instances/{id}/tags",
        "/instances/{id}/config",
        "/instances/{id}/migrations",
        "/instances/{id}/migrations/delete",
    ]
    .map(|p| p.replace("{id}", &id));
    for role in ["operator", "viewer"] {
        let browser = app.new_browser();
        browser.login_as(role).await.assert_redirect("/instances");
        browser.csrf().await;
        let before = app.emulator_requests();
        for path in &gets {
            let page = browser.get_page(path).await;
            assert_eq!(page.status, 403, "{role} GET {path}");
        }
        for path in &posts {
            let page = browser
                .post_form(path, &[("id", id.as_str()), ("step", "confirm")])
                .await;
            assert_eq!(page.status, 403, "{role} POST {path}");
        }
        assert_eq!(
            app.emulator_requests(),
            before,
            "a refused request reached DMS"
        );
        // Nothing leads there: no administration links, buttons or tabs.
        let list = browser.get_page("/instances").await;
        assert!(!list.has("#batch-form"), "{role}");
        assert!(!list.has("#create-instance-link"), "{role}");
        assert!(!list.has("#compare-link"), "{role}");
        let dashboard = browser.get_page(&format!("/instances/{id}")).await;
        dashboard.assert_status(200);
        assert!(dashboard.has("#instance-tabs"), "{role}");
        for href in ["nodes", "tags", "config", "migrations", "export"] {
            let link = format!("a[href^='/instances/{id}/{href}']");
            assert!(!dashboard.has(&link), "{role} sees {href}");
        }
        assert!(!dashboard.has("a[href^='/compare']"), "{role}");
    }
    let admin = app.new_browser();
    admin.login_as("admin").await.assert_redirect("/instances");
    let dashboard = admin.get_page(&format!("/instances/{id}")).await;
    for href in ["nodes", "tags", "config", "migrations", "export"] {
        let link = format!("a[href^='/instances/{id}/{href}']");
        assert!(dashboard.has(&link), "the administrator sees {href}");
    }
    assert!(admin.get_page("/instances").await.has("#compare-link"));
}
