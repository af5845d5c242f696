//! Messages in the console, against the emulator's message plane: searches by time, key and
//! id (newest first, paged, every search a link), empty results that say why, the message page
//! with text, JSON and binary bodies and their CRC, parts that fail on their own, the trace
//! timeline with a lane per group and an empty trace that explains itself, and consumption
//! verification.

use dms_console::web::time::Zone;

use crate::support::console::Page;
use crate::support::messages::{MessagesApp, message, messages_app};

const MINUTE: i64 = 60_000;

/// 30 messages in `orders`, one a minute, the newest half a minute old: `key-{i}` and body
/// `message {i}`, tags alternating `paid`/`shipped`. Returns message `i`'s store time.
fn thirty_messages(app: &MessagesApp) -> impl Fn(i64) -> i64 {
    let now = dms_console::clock::now_ms();
    let stored = move |i: i64| now - (29 - i) * MINUTE - 30_000;
    let messages = (0..30)
        .map(|i| {
            message(
                format!("message {i}").as_bytes(),
                &format!("key-{i}"),
                if i % 2 == 0 { "paid" } else { "shipped" },
                Some(stored(i)),
            )
        })
        .collect();
    app.produce("orders", messages);
    stored
}

fn keys_of(page: &Page) -> Vec<String> {
    page.texts("#message-table tbody tr td:nth-child(3)")
}

#[tokio::test]
async fn searches_by_time_key_and_id_find_messages_newest_first_and_page_through_one_window() {
    let app = messages_app("operator").await;
    let stored = thirty_messages(&app);
    let search = format!("/instances/{}/messages", app.id());

    let page = app
        .get_page(&format!("{search}?topic=orders&range=1h"))
        .await;
    page.assert_status(200);
    let keys = keys_of(&page);
    assert_eq!(keys.len(), 20, "{}", page.body);
    assert_eq!(keys[0], "key-29", "newest first");
    assert_eq!(keys[19], "key-10");
    assert_eq!(page.text("#list-count"), "Showing 1–20 of 30");
    assert!(page.has("#search-window"), "the window is stated");
    assert!(
        page.text("#search-limits").contains("48 hours"),
        "the retention is stated"
    );
    // The next page covers the same window: its link carries the instant the window ends at.
    let next = page.attr("a[rel=next]", "href").expect("a next page");
    assert!(next.contains("at=") && next.contains("offset=20"), "{next}");
    let second = app.get_page(&next).await;
    assert_eq!(keys_of(&second).len(), 10);
    assert_eq!(keys_of(&second)[9], "key-0");
    // Every row links to its message, in its topic.
    let href = page.attr("#message-table a.msg-link", "href").unwrap();
    assert!(href.ends_with("?topic=orders"), "{href}");

    // The last 15 minutes hold the 15 newest.
    let recent = app
        .get_page(&format!("{search}?topic=orders&range=15m"))
        .await;
    assert_eq!(recent.texts("#message-table tbody tr").len(), 15);

    // A custom window, written in UTC: minutes 10 to 14 of the thirty.
    let utc = Zone::utc();
    let custom = app
        .get_page(&format!(
            "{search}?topic=orders&range=custom&tz=UTC&from={}&to={}",
            utc.local_input(stored(10)),
            utc.local_input(stored(14))
        ))
        .await;
    custom.assert_status(200);
    assert_eq!(
        keys_of(&custom),
        ["key-14", "key-13", "key-12", "key-11", "key-10"]
    );

    // By key.
    let by_key = app
        .get_page(&format!("{search}?topic=orders&range=1h&key=key-7"))
        .await;
    assert_eq!(keys_of(&by_key), ["key-7"]);

    // By offset id and by UNIQ_KEY, without a window.
    let row = page.attr("#message-table tbody tr", "data-msg-id").unwrap();
    let by_id = app
        .get_page(&format!("{search}?topic=orders&msg_id={row}"))
        .await;
    assert_eq!(
        by_id.attrs("#message-table tbody tr", "data-msg-id"),
        std::slice::from_ref(&row)
    );
    assert!(!by_id.has("#search-window"), "an id search has no window");
    let uniq = page.text("#message-table tbody tr td:nth-child(2) .sub");
    let by_uniq = app
        .get_page(&format!("{search}?topic=orders&msg_id={uniq}"))
        .await;
    assert_eq!(
        by_uniq.attrs("#message-table tbody tr", "data-msg-id"),
        [row]
    );

    // A big page of results.
    let all = app
        .get_page(&format!("{search}?topic=orders&range=1h&limit=1000"))
        .await;
    assert_eq!(keys_of(&all).len(), 30);
}

#[tokio::test]
async fn an_empty_search_says_why_and_a_wrong_topic_shows_the_dms_error() {
    let app = messages_app("operator").await;
    let _ = thirty_messages(&app);
    // Messages without keys in `payments`.
    app.produce(
        "payments",
        vec![
            message(b"no key", "", "", None),
            message(b"none either", "", "", None),
        ],
    );
    let search = format!("/instances/{}/messages", app.id());

    let other_key = app
        .get_page(&format!("{search}?topic=orders&range=1h&key=nobody"))
        .await;
    other_key.assert_status(200);
    assert!(other_key.has("#list-empty"));
    assert!(
        other_key
            .text("#why-empty")
            .contains("none has nobody as one of them"),
        "{}",
        other_key.text("#why-empty")
    );

    let no_keys = app
        .get_page(&format!("{search}?topic=payments&range=1h&key=ORD-1"))
        .await;
    assert!(
        no_keys
            .text("#why-empty")
            .contains("the producer does not set KEYS"),
        "{}",
        no_keys.text("#why-empty")
    );

    let utc = Zone::utc();
    let now = dms_console::clock::now_ms();
    let long_ago = app
        .get_page(&format!(
            "{search}?topic=orders&range=custom&tz=UTC&from={}&to={}",
            utc.local_input(now - 72 * 3_600_000),
            utc.local_input(now - 71 * 3_600_000)
        ))
        .await;
    let why = long_ago.text("#why-empty");
    assert!(
        why.contains("older than the instance's retention (48 hours)"),
        "{why}"
    );
    assert!(why.contains("The topic holds 30 messages"), "{why}");

    let nothing = app
        .get_page(&format!("{search}?topic=audit&range=1h"))
        .await;
    assert!(
        nothing
            .text("#why-empty")
            .contains("holds no messages at all")
    );

    let unknown_id = app
        .get_page(&format!(
            "{search}?topic=orders&msg_id=C0A8011700002774000000000013B19D"
        ))
        .await;
    let why = unknown_id.text("#why-empty");
    assert!(
        why.contains("offset message id, stored by the broker at 192.168.1.23:10100"),
        "{why}"
    );

    let wrong_topic = app
        .get_page(&format!("{search}?topic=nosuchtopic&range=1h"))
        .await;
    wrong_topic.assert_status(422);
    assert_eq!(wrong_topic.text(".error-card .error-code"), "DMS.00400876");
    assert!(
        !wrong_topic.has("#message-table"),
        "a failed search is not an empty list"
    );

    // Without a topic the page asks for one; a bad time is shown next to the form.
    let prompt = app.get_page(&search).await;
    prompt.assert_status(200);
    assert!(prompt.has("#search-prompt"));
    let bad = app
        .get_page(&format!(
            "{search}?topic=orders&range=custom&from=yesterday&to=today"
        ))
        .await;
    bad.assert_status(422);
    assert!(bad.has("#error-from"));
}

#[tokio::test]
async fn the_message_page_shows_text_json_and_binary_bodies_checks_the_crc_and_keeps_html_inert() {
    let app = messages_app("operator").await;
    app.produce(
        "orders",
        vec![
            message(
                br#"{"order":"ORD-1","items":[{"sku":"A","n":2}],"total":12.50}"#,
                "ORD-1",
                "paid",
                None,
            ),
            message(b"plain text body", "TXT-1", "", None),
            message(
                &[0xCA, 0xFE, 0x00, 0x01, 0xFF, b'a', b'b'],
                "BIN-1",
                "",
                None,
            ),
            message(b"<img src=x onerror=alert(1)>", "XSS-1", "", None),
        ],
    );
    let ids: Vec<(String, String)> = app
        .listed("orders", |_| {})
        .await
        .into_iter()
        .map(|m| (m.property("KEYS").unwrap().to_owned(), m.msg_id))
        .collect();
    let page_of = |key: &str| {
        let id = &ids.iter().find(|(k, _)| k == key).unwrap().1;
        format!("/instances/{}/messages/{id}?topic=orders", app.id())
    };

    let json = app.get_page(&page_of("ORD-1")).await;
    json.assert_status(200);
    assert_eq!(
        json.attr("#body-kind", "data-kind").as_deref(),
        Some("json")
    );
    let shown = json.texts("#body-text")[0].clone();
    assert!(shown.contains(r#""order": "ORD-1", "items": ["#), "{shown}");
    assert!(
        json.body
            .contains("{\n  &#34;order&#34;: &#34;ORD-1&#34;,\n  &#34;items&#34;: ["),
        "indented in its own order"
    );
    assert!(json.body.contains("12.50"), "numbers as sent");
    assert_eq!(
        json.attr("#fact-crc .badge", "data-crc").as_deref(),
        Some("crc-matches")
    );
    assert_eq!(json.text("#fact-topic"), "orders");
    let properties = json.attrs("#property-table tr[data-property]", "data-property");
    for name in ["KEYS", "UNIQ_KEY", "TAGS"] {
        assert!(properties.iter().any(|p| p == name), "{properties:?}");
    }
    assert!(json.has("#trace-link") && json.has("#verify-link"));

    let text = app.get_page(&page_of("TXT-1")).await;
    assert_eq!(
        text.attr("#body-kind", "data-kind").as_deref(),
        Some("text")
    );
    assert_eq!(text.text("#body-text"), "plain text body");

    let binary = app.get_page(&page_of("BIN-1")).await;
    assert_eq!(
        binary.attr("#body-kind", "data-kind").as_deref(),
        Some("binary")
    );
    assert!(
        binary.text("#body-hex").starts_with("00000000"),
        "{}",
        binary.text("#body-hex")
    );
    // DMS sent the bytes as text with replacements: the CRC cannot match, and the page says so.
    assert_eq!(
        binary.attr("#fact-crc .badge", "data-crc").as_deref(),
        Some("crc-text-form")
    );

    let xss = app.get_page(&page_of("XSS-1")).await;
    assert!(xss.body.contains("&#60;img src=x onerror=alert(1)&#62;"));
    assert_eq!(xss.text("#body-text"), "<img src=x onerror=alert(1)>");
    assert!(!xss.body.contains("<img src=x"), "the body is escaped");
    assert!(
        xss.has("div.body-view[hx-disable] #body-text"),
        "inside an hx-disable container"
    );

    // The whole body downloads as a file.
    let download = app
        .get_page(&page_of("ORD-1").replace("?topic", "/body?topic"))
        .await;
    download.assert_status(200);
    assert!(
        download
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
    assert!(download.body.starts_with(r#"{"order":"ORD-1""#));

    // An unknown id is a 404 page that says why.
    let missing = app
        .get_page(&format!(
            "/instances/{}/messages/7F000001561018B4AAC26B9A0D1D0004?topic=orders",
            app.id()
        ))
        .await;
    missing.assert_status(404);
    assert!(missing.text("#why-empty").contains("UNIQ_KEY"));
}

#[tokio::test]
async fn a_failed_part_of_the_message_page_shows_its_own_error_card() {
    let app = messages_app("operator").await;
    app.produce("orders", vec![message(b"hello", "K-1", "paid", None)]);
    app.consume("GID_orders", "orders", |_| false);
    let id = app.listed("orders", |_| {}).await[0].msg_id.clone();
    let path = format!("/instances/{}/messages/{id}?topic=orders", app.id());

    let page = app.get_page(&path).await;
    assert_eq!(
        page.attr("#group-table tr[data-group]", "data-group")
            .as_deref(),
        Some("GID_orders")
    );
    assert_eq!(
        page.attr("#group-table [data-position]", "data-position")
            .as_deref(),
        Some("position-past")
    );

    app.add_fault(serde_json::json!({
        "operation": "ListConsumerGroupOfTopic",
        "status": 500,
        "error_code": "DMS.00500000",
        "request_id": "req-groups-failed",
        "count": 1,
    }))
    .await;
    let page = app.get_page(&path).await;
    page.assert_status(200);
    assert_eq!(page.text("#fact-msg-id"), id, "the message still shows");
    assert_eq!(
        page.text("#message-groups .error-card .error-code"),
        "DMS.00500000"
    );
    assert_eq!(
        page.text("#message-groups .error-card .request-id"),
        "req-groups-failed"
    );
    assert!(
        !page.has("#groups-empty"),
        "a failed part is not an empty list"
    );
}

#[tokio::test]
async fn a_trace_draws_a_lane_per_group_says_why_one_did_not_consume_and_an_empty_trace_explains_itself()
 {
    let app = messages_app("operator").await;
    app.register("GID_orders", "10.0.0.5", 101, &["orders"]);
    app.register("GID_payments", "10.0.0.6", 102, &["orders"]);
    app.produce("orders", vec![message(b"traced", "T-1", "paid", None)]);
    // GID_payments fails once, then consumes; GID_orders fails until it gives up.
    app.consume("GID_payments", "orders", |_| true);
    app.consume("GID_payments", "orders", |_| false);
    for _ in 0..4 {
        app.consume("GID_orders", "orders", |_| true);
    }
    let id = app.listed("orders", |_| {}).await[0].msg_id.clone();
    let trace = app
        .get_page(&format!(
            "/instances/{}/messages/{id}/trace?topic=orders",
            app.id()
        ))
        .await;
    trace.assert_status(200);
    assert!(trace.has("svg#trace-timeline[role=img]"));
    let lanes = trace.attrs("svg g.tl-consumer", "data-lane");
    assert!(
        lanes.iter().any(|l| l == "GID_orders") && lanes.iter().any(|l| l == "GID_payments"),
        "{lanes:?}"
    );
    assert!(trace.has("svg title#timeline-title") && trace.has("svg desc#timeline-desc"));
    // Every record is in the table: one send and three deliveries to each group but one.
    let rows = trace.texts("#trace-table tbody tr");
    assert_eq!(rows.len(), 1 + 2 * (2 + 3), "{rows:#?}");
    assert!(
        rows.iter()
            .any(|r| r.contains("the consumer threw an exception") || r.contains("consume failed"))
    );
    let verdict = |group: &str| {
        trace.attr(
            &format!("article.diagnosis[data-group={group}]"),
            "data-verdict",
        )
    };
    assert_eq!(verdict("GID_payments").as_deref(), Some("verdict-consumed"));
    assert_eq!(
        verdict("GID_orders").as_deref(),
        Some("verdict-dead-lettered")
    );
    let orders_box = trace.text("article.diagnosis[data-group=GID_orders]");
    assert!(
        orders_box.contains("dead-letter queue after 3 deliveries"),
        "{orders_box}"
    );
    assert!(orders_box.contains("1 consumer is online"), "{orders_box}");
    assert!(trace.has("article.diagnosis[data-group=GID_orders] a.dlq-link"));

    // `audit` is not traced: the page says what an empty trace means.
    app.produce("audit", vec![message(b"untraced", "U-1", "", None)]);
    let untraced = app.listed("audit", |_| {}).await[0].msg_id.clone();
    let empty = app
        .get_page(&format!(
            "/instances/{}/messages/{untraced}/trace?topic=audit",
            app.id()
        ))
        .await;
    empty.assert_status(200);
    assert!(!empty.has("svg"), "no empty box");
    assert!(
        empty
            .text("#why-empty")
            .contains("message tracing is not switched on")
    );
    // An id nobody knows, without a topic: every reason, and the id's kind.
    let unknown = app
        .get_page(&format!(
            "/instances/{}/messages/C0A8011700002774000000000013B19D/trace",
            app.id()
        ))
        .await;
    let why = unknown.text("#why-empty");
    assert!(
        why.contains("offset message id") && why.contains("retention (48 hours)"),
        "{why}"
    );
}

#[tokio::test]
async fn verification_pushes_the_message_to_the_chosen_client_once_and_is_audited() {
    let app = messages_app("operator").await;
    let client = app.register("GID_orders", "10.0.0.5", 101, &["orders"]);
    app.produce("orders", vec![message(b"check me", "V-1", "", None)]);
    let id = app.listed("orders", |_| {}).await[0].msg_id.clone();
    let form_path = format!(
        "/instances/{}/messages/{id}/verify?topic=orders&group=GID_orders",
        app.id()
    );
    let form = app.get_page(&form_path).await;
    form.assert_status(200);
    assert_eq!(
        form.attr("#verify-form input[name=client_id]", "value"),
        Some(client.clone())
    );
    let op = form.attr("#verify-form input[name=op]", "value").unwrap();
    app.reset_requests().await;
    let action = format!("/instances/{}/messages/{id}/verify", app.id());
    let fields = [
        ("topic", "orders"),
        ("group", "GID_orders"),
        ("client_id", client.as_str()),
        ("op", op.as_str()),
    ];
    let done = app.post_form(&action, &fields).await;
    done.assert_status(200);
    assert_eq!(
        done.attr("#verify-results tbody tr", "data-outcome")
            .as_deref(),
        Some("ok")
    );
    assert_eq!(
        app.operation_counts().await.get("ValidateConsumedMessage"),
        Some(&1)
    );
    // The same form again is not sent again.
    let again = app.post_form(&action, &fields).await;
    again.assert_status(409);
    assert_eq!(
        app.operation_counts().await.get("ValidateConsumedMessage"),
        Some(&1)
    );
    let (operation, target, params, outcome): (String, String, String, String) = app
        .audit_db()
        .query_row(
            "SELECT operation, target, params, outcome FROM audit WHERE operation = 'ValidateConsumedMessage'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .unwrap();
    assert_eq!(operation, "ValidateConsumedMessage");
    assert_eq!(target, format!("message/{}/{id}", app.id()));
    assert!(params.contains(&id) && params.contains(&client), "{params}");
    assert_eq!(outcome, "ok");
    // The delivery shows in the trace.
    let trace = app
        .get_page(&format!(
            "/instances/{}/messages/{id}/trace?topic=orders",
            app.id()
        ))
        .await;
    assert!(
        trace
            .attrs("svg g.tl-consumer", "data-lane")
            .contains(&"GID_orders".to_owned())
    );
}

#[tokio::test]
async fn a_search_exports_every_match_newest_first() {
    let app = messages_app("operator").await;
    let _ = thirty_messages(&app);
    let csv = app
        .get_page(&format!(
            "/instances/{}/messages?topic=orders&range=1h&format=csv",
            app.id()
        ))
        .await;
    csv.assert_status(200);
    let lines: Vec<&str> = csv.body.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 31);
    assert!(lines[0].starts_with("msg_id,uniq_key,topic"));
    assert!(lines[1].contains(",key-29,"), "{}", lines[1]);
    assert!(lines[1].ends_with(",message 29"), "{}", lines[1]);
}
