//! The instance list (badges, counts, filters, paging) and the dashboard (overview, addresses,
//! storage, brokers, what needs attention), with upstream failures shown in place.

use dms_console::api::models::groups::CreateConsumerGroupReq;
use dms_console::emulator::instances::InitialState;
use serde_json::json;

use crate::support::calls::is_request_id;
use crate::support::console::{TestApp, spawn_app};

const UNKNOWN_ID: &str = "11c45539-0000-4000-8000-812c41f61f30";

async fn admin_app() -> TestApp {
    let app = spawn_app().await;
    app.login_as("admin").await.assert_redirect("/instances");
    app
}

#[tokio::test]
async fn the_list_shows_instances_with_status_badges_and_counts() {
    let app = admin_app().await;
    let running = app.create_instance("orders-prod");
    let frozen = app.create_instance_in("billing-prod", InitialState::Status("FROZEN".into()));
    app.create_instance("orders-test");

    let page = app.get_page("/instances").await;
    page.assert_status(200);
    assert_eq!(page.text("#list-count"), "Showing 1–3 of 3");
    assert_eq!(page.count("#instance-table tbody tr"), 3);
    let mut names = page.texts("#instance-table tbody tr td:first-child a");
    names.sort();
    assert_eq!(names, ["billing-prod", "orders-prod", "orders-test"]);

    let row = |id: &str| format!("#instance-table tr[data-instance-id='{id}']");
    assert_eq!(page.text(&format!("{} .badge", row(&running))), "RUNNING");
    assert_eq!(
        page.attr(&format!("{} .badge", row(&running)), "class")
            .as_deref(),
        Some("badge badge-ok")
    );
    assert_eq!(page.text(&format!("{} .badge", row(&frozen))), "FROZEN");
    assert_eq!(
        page.attr(&format!("{} .badge", row(&frozen)), "class")
            .as_deref(),
        Some("badge badge-bad")
    );
    assert!(
        page.attr(&format!("{} .badge", row(&frozen)), "title")
            .unwrap()
            .starts_with("Instance is frozen")
    );
    assert_eq!(
        page.attr(&format!("{} a", row(&running)), "href"),
        Some(format!("/instances/{running}"))
    );
    assert_eq!(
        page.text(&format!("{} td:nth-child(5)", row(&running))),
        "0 / 600 GB"
    );
    assert_eq!(
        page.text(&format!("{} td:nth-child(3)", row(&running))),
        "4.8.0"
    );
}

#[tokio::test]
async fn the_list_filters_by_name_and_status() {
    let app = admin_app().await;
    app.create_instance("orders-prod");
    app.create_instance("orders-test");
    app.create_instance_in("billing-prod", InitialState::Status("FROZEN".into()));

    let orders = app.get_page("/instances?name=orders").await;
    orders.assert_status(200);
    let mut names = orders.texts("#instance-table tbody tr td:first-child a");
    names.sort();
    assert_eq!(names, ["orders-prod", "orders-test"]);
    assert_eq!(orders.text("#list-count"), "Showing 1–2 of 2");
    assert_eq!(
        orders.attr("input[name=name]", "value").as_deref(),
        Some("orders")
    );

    let frozen = app.get_page("/instances?status=FROZEN").await;
    assert_eq!(
        frozen.texts("#instance-table tbody tr td:first-child a"),
        ["billing-prod"]
    );
    assert_eq!(
        frozen
            .attr("select[name=status] option[selected]", "value")
            .as_deref(),
        Some("FROZEN")
    );

    let both = app.get_page("/instances?name=prod&status=RUNNING").await;
    assert_eq!(
        both.texts("#instance-table tbody tr td:first-child a"),
        ["orders-prod"]
    );

    let none = app.get_page("/instances?name=nothing-like-this").await;
    none.assert_status(200);
    assert_eq!(
        none.text("#list-empty"),
        "No instance matches these filters. Clear them to see every instance."
    );
    assert!(!none.has("#instance-table"));

    // A status that is not offered is ignored rather than sent to DMS.
    let unknown = app.get_page("/instances?status=BOGUS").await;
    unknown.assert_status(200);
    assert_eq!(unknown.count("#instance-table tbody tr"), 3);
}

#[tokio::test]
async fn the_list_pages_with_next_and_previous_links() {
    let app = admin_app().await;
    for n in 1..=5 {
        app.create_instance(&format!("orders-{n}"));
    }
    let first = app.get_page("/instances?limit=2").await;
    first.assert_status(200);
    assert_eq!(first.text("#list-count"), "Showing 1–2 of 5");
    assert_eq!(first.count("#instance-table tbody tr"), 2);
    assert_eq!(
        first.attr("a[rel=next]", "href").as_deref(),
        Some("/instances?limit=2&offset=2")
    );
    assert!(!first.has("a[rel=prev]"));

    let second = app.get_page("/instances?limit=2&offset=2").await;
    assert_eq!(second.text("#list-count"), "Showing 3–4 of 5");
    assert_eq!(
        second.attr("a[rel=prev]", "href").as_deref(),
        Some("/instances?limit=2&offset=0")
    );
    assert_eq!(
        second.attr("a[rel=next]", "href").as_deref(),
        Some("/instances?limit=2&offset=4")
    );

    let last = app.get_page("/instances?limit=2&offset=4").await;
    assert_eq!(last.text("#list-count"), "Showing 5–5 of 5");
    assert_eq!(last.count("#instance-table tbody tr"), 1);
    assert!(!last.has("a[rel=next]"));

    // Every instance appears on exactly one page.
    let mut seen: Vec<String> = [&first, &second, &last]
        .iter()
        .flat_map(|p| p.texts("#instance-table tbody tr td:first-child a"))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        ["orders-1", "orders-2", "orders-3", "orders-4", "orders-5"]
    );

    // Past the end: said so, with the way back to the last page.
    let beyond = app.get_page("/instances?limit=2&offset=10").await;
    beyond.assert_status(200);
    assert_eq!(
        beyond.text("#list-count"),
        "This page is past the end of the list: 5 match."
    );
    assert_eq!(
        beyond.attr("a[rel=prev]", "href").as_deref(),
        Some("/instances?limit=2&offset=4")
    );
    assert!(!beyond.has("a[rel=next]"));

    // Malformed or huge numbers fall back instead of failing the page.
    let malformed = app.get_page("/instances?limit=abc&offset=-3").await;
    malformed.assert_status(200);
    assert_eq!(malformed.text("#list-count"), "Showing 1–5 of 5");
    assert_eq!(
        malformed.attr("input[name=limit]", "value").as_deref(),
        Some("20")
    );
    app.get_page("/instances?limit=1000&offset=4294967295")
        .await
        .assert_status(200);

    // Filters survive paging.
    let filtered = app.get_page("/instances?name=orders&limit=2").await;
    assert_eq!(
        filtered.attr("a[rel=next]", "href").as_deref(),
        Some("/instances?name=orders&limit=2&offset=2")
    );
}

#[tokio::test]
async fn the_dashboard_shows_overview_addresses_storage_brokers_and_attention() {
    let app = admin_app().await;
    let id = app.create_instance("orders-prod");

    let page = app
        .get_page(&format!("/instances/{id}?attention=now"))
        .await;
    page.assert_status(200);
    assert_eq!(page.text("#dashboard h1"), "orders-prod");
    assert_eq!(page.text("#instance-status"), "RUNNING");
    assert_eq!(
        page.attr("#instance-status", "class").as_deref(),
        Some("badge badge-ok")
    );
    let facts: Vec<(String, String)> = page
        .texts("#panel-overview dl.facts:not(.addresses) dt")
        .into_iter()
        .zip(page.texts("#panel-overview dl.facts:not(.addresses) dd"))
        .collect();
    let fact = |name: &str| {
        facts
            .iter()
            .find(|(dt, _)| dt == name)
            .map(|(_, dd)| dd.clone())
            .unwrap_or_else(|| panic!("no fact {name} in {facts:?}"))
    };
    assert_eq!(fact("Engine"), "RocketMQ 4.8.0");
    assert_eq!(fact("Instance id"), id);
    assert_eq!(fact("Brokers"), "1");
    assert_eq!(fact("Maintenance window"), "02:00:00–06:00:00 (UTC)");
    assert!(fact("Specification").contains("c6.4u8g.cluster"));
    assert!(
        fact("Created").ends_with("UTC"),
        "created time: {}",
        fact("Created")
    );

    // Storage: a meter and its numbers.
    assert_eq!(
        page.attr(".bar[role=meter]", "aria-valuenow").as_deref(),
        Some("0")
    );
    assert_eq!(page.attr(".bar-fill", "data-percent").as_deref(), Some("0"));
    assert!(fact("Storage").contains("0 of 600 GB used (0%)"));

    // Every address has a copy button holding exactly that address.
    let addresses = page.texts("dl.addresses code.addr");
    assert!(!addresses.is_empty(), "addresses are shown");
    assert_eq!(
        page.attrs("dl.addresses button.copy", "data-copy"),
        addresses
    );
    assert_eq!(page.texts("dl.addresses dt")[0], "Name server");
    assert!(
        addresses[0].contains(':'),
        "host:port, got {}",
        addresses[0]
    );

    // Brokers and their nodes.
    let brokers = page.texts("#panel-brokers table tbody tr td:first-child");
    assert_eq!(brokers, ["broker-0"]);
    assert!(!page.has("#panel-brokers .error-card"));

    // What needs attention: nothing, and it says how much it checked.
    assert_eq!(
        page.text("#panel-attention .ok-note"),
        "No consumer group is behind and none has dead letters."
    );
    assert!(
        page.text("#attention-checked")
            .starts_with("Checked 0 of 0 consumer groups."),
        "{}",
        page.text("#attention-checked")
    );
    assert!(!page.has("#panel-attention .error-card"));
}

#[tokio::test]
async fn groups_whose_lag_cannot_be_read_are_shown_as_errors_never_as_fine() {
    let app = admin_app().await;
    let id = app.create_instance("orders-prod");
    let client = app.emulator.client();
    for name in ["billing-consumers", "orders-consumers"] {
        client
            .create_consumer_group(
                &id,
                &CreateConsumerGroupReq {
                    name: name.into(),
                    brokers: Some(vec!["broker-0".into()]),
                    ..Default::default()
                },
            )
            .await
            .expect("the emulator creates the group");
    }
    app.set_faults(json!([{
        "method": "GET",
        "path": "/v2/*/instances/*/groups/*/topics",
        "error_rate": 1.0,
        "status": 500,
        "error_code": "DMS.00500000"
    }]))
    .await;
    let page = app
        .get_page(&format!("/instances/{id}?attention=now"))
        .await;
    page.assert_status(200);
    assert!(!page.has("#panel-attention .ok-note"), "{}", page.body);
    assert_eq!(
        page.texts("#panel-attention .error-card .title"),
        [
            "Reading a group's lag failed",
            "Reading a group's lag failed"
        ]
    );
    assert_eq!(
        page.texts("#panel-attention .error-code"),
        ["DMS.00500000", "DMS.00500000"]
    );
    assert!(
        page.text("#attention-checked")
            .starts_with("Checked 2 of 2 consumer groups."),
        "{}",
        page.text("#attention-checked")
    );
    assert_eq!(page.text("#instance-status"), "RUNNING");
}

#[tokio::test]
async fn a_failing_panel_shows_its_error_while_the_others_render() {
    let app = admin_app().await;
    let id = app.create_instance("orders-prod");
    app.set_faults(json!([{
        "method": "GET",
        "path": "/v2/*/instances/*/brokers",
        "error_rate": 1.0,
        "status": 500,
        "error_code": "DMS.00500000"
    }]))
    .await;

    let page = app
        .get_page(&format!("/instances/{id}?attention=now"))
        .await;
    page.assert_status(200);
    assert_eq!(
        page.text("#panel-brokers .error-card .title"),
        "Listing brokers and nodes failed"
    );
    assert_eq!(
        page.text("#panel-brokers .error-card .error-code"),
        "DMS.00500000"
    );
    assert!(is_request_id(
        &page.text("#panel-brokers .error-card .request-id")
    ));
    assert_eq!(
        page.attr("#panel-brokers button[hx-get]", "hx-get"),
        Some(format!("/instances/{id}/panels/brokers"))
    );
    assert!(!page.has("#panel-brokers table"));
    // The rest of the dashboard is there.
    assert_eq!(page.text("#instance-status"), "RUNNING");
    assert!(!page.has("#panel-overview .error-card"));
    assert!(page.has("#panel-attention .ok-note"));

    // The panel alone, as its Retry button asks for it: still failing, then fine.
    let panel = app
        .get_fragment(&format!("/instances/{id}/panels/brokers"))
        .await;
    panel.assert_status(200);
    assert_eq!(panel.text("#panel-brokers .error-code"), "DMS.00500000");
    app.clear_faults().await;
    let panel = app
        .get_fragment(&format!("/instances/{id}/panels/brokers"))
        .await;
    panel.assert_status(200);
    assert!(!panel.body.contains("<html"));
    assert_eq!(
        panel.texts("#panel-brokers table tbody tr td:first-child"),
        ["broker-0"]
    );
}

#[tokio::test]
async fn a_failed_instance_list_is_an_error_never_an_empty_list() {
    let app = admin_app().await;
    app.create_instance("orders-prod");
    app.set_faults(json!([{
        "method": "GET",
        "path": "/v2/*/instances",
        "error_rate": 1.0,
        "status": 500,
        "error_code": "DMS.00500000"
    }]))
    .await;
    let fragment = app.get_fragment("/instances?name=orders").await;
    // htmx swaps the error card in: 200, with the real status in a header.
    fragment.assert_status(200);
    assert_eq!(fragment.header("x-console-error-status"), Some("502"));
    for page in [app.get_page("/instances").await, fragment] {
        assert_eq!(
            page.text("#instances .error-card .title"),
            "Listing instances failed"
        );
        assert_eq!(page.text("#instances .error-code"), "DMS.00500000");
        assert!(is_request_id(&page.text("#instances .request-id")));
        assert!(!page.body.contains("No instances"));
        assert!(!page.has("#list-count"));
        assert!(!page.has("#instance-table"));
    }
    // The page itself keeps the real status for navigation and bookmarks.
    app.get_page("/instances").await.assert_status(502);
}

#[tokio::test]
async fn an_unknown_instance_is_a_not_found_page() {
    let app = admin_app().await;
    let page = app.get_page(&format!("/instances/{UNKNOWN_ID}")).await;
    page.assert_status(404);
    assert_eq!(page.text(".error-card h1"), "Not found");
    assert_eq!(
        page.text(".error-card .message"),
        format!("There is no instance with id {UNKNOWN_ID} in this project.")
    );
    let malformed = app.get_page("/instances/not-an-instance-id").await;
    malformed.assert_status(404);
    assert_eq!(malformed.text(".error-card h1"), "Not found");
    for path in [
        format!("/instances/{UNKNOWN_ID}/edit"),
        format!("/instances/{UNKNOWN_ID}/delete"),
        format!("/instances/{UNKNOWN_ID}/panels/overview"),
    ] {
        app.get_page(&path).await.assert_status(404);
    }
    let id = app.create_instance("orders-prod");
    app.get_page(&format!("/instances/{id}/panels/nothing"))
        .await
        .assert_status(404);
    // An address outside the route table gets the console's page, not an empty answer.
    let nowhere = app.get_page("/nowhere/at/all").await;
    nowhere.assert_status(404);
    assert_eq!(nowhere.text(".error-card h1"), "Not found");
    assert_eq!(
        nowhere.text(".error-card .message"),
        "There is no page at this address."
    );
    // The root sends signed-in users to the list.
    app.get_page("/").await.assert_redirect("/instances");
}

#[tokio::test]
async fn the_dashboard_has_an_instance_switcher_listing_the_other_instances() {
    let app = admin_app().await;
    let orders = app.create_instance("orders-prod");
    let billing = app.create_instance("billing-prod");
    let page = app.get_page(&format!("/instances/{orders}")).await;
    page.assert_status(200);
    assert_eq!(page.text("#instance-switcher summary"), "orders-prod");
    let mut links = page.attrs("#instance-switcher li a", "href");
    links.sort();
    let mut expected = vec![
        format!("/instances/{orders}"),
        format!("/instances/{billing}"),
        "/instances".to_owned(),
    ];
    expected.sort();
    assert_eq!(links, expected);
    assert_eq!(
        page.attr("#instance-switcher a[aria-current='page']", "href"),
        Some(format!("/instances/{orders}"))
    );
    let list = app.get_page("/instances").await;
    assert!(
        !list.has("#instance-switcher"),
        "the list page needs no switcher"
    );
}

#[tokio::test]
async fn the_dashboard_does_not_wait_for_the_attention_panel() {
    let app = admin_app().await;
    let id = app.create_instance("orders-prod");
    let page = app.get_page(&format!("/instances/{id}")).await;
    page.assert_status(200);
    assert_eq!(
        page.attr("#panel-attention", "hx-get"),
        Some(format!("/instances/{id}/panels/attention"))
    );
    assert_eq!(
        page.attr("#panel-attention", "hx-trigger").as_deref(),
        Some("load")
    );
    assert!(
        page.body
            .contains(&format!("href=\"/instances/{id}?attention=now\"")),
        "a link for browsers without JavaScript"
    );
    let panel = app
        .get_fragment(&format!("/instances/{id}/panels/attention"))
        .await;
    panel.assert_status(200);
    assert_eq!(
        panel.text("#panel-attention .ok-note"),
        "No consumer group is behind and none has dead letters."
    );
}
