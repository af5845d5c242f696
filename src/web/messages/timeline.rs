//! A message's trace as lanes of events, and the SVG that draws them: the producer's sends
//! (and transaction ends), the broker's store, and one lane per consumer group with each
//! delivery from `SubBefore` to `SubAfter`. No chart library: the server writes the SVG.
//!
//! The drawing does not rely on colour: sends are circles, stores diamonds, deliveries bars
//! ending in a tick or a cross (failed deliveries are also dashed), and every event has its
//! words in a `<title>`; the page lists every record in a table below. Elapsed time runs on a
//! square-root scale, so the first milliseconds and hours-later retries both fit.
//! Colours come from the stylesheet (classes), as the content security policy wants.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::api::models::messages::MessageTrace;
use crate::web::i18n::{Lang, Msg, escape, reveal_bidi};
use crate::web::time::duration;

/// What a lane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaneKind {
    /// The producer's sends and transaction ends.
    Producer,
    /// The broker's store.
    Broker,
    /// A consumer group's deliveries.
    Consumer,
}

impl LaneKind {
    fn class(self) -> &'static str {
        match self {
            Self::Producer => "tl-producer",
            Self::Broker => "tl-broker",
            Self::Consumer => "tl-consumer",
        }
    }
}

/// How an event is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A send (`Pub`): a circle.
    Sent,
    /// The broker's store or receipt: a diamond.
    Stored,
    /// A delivery to a consumer: a bar with a tick or a cross.
    Delivery,
    /// A transaction's end or check-back: a square.
    Transaction,
    /// An acknowledgement: a triangle.
    Ack,
}

/// One event on a lane.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// When it started, epoch ms.
    pub at_ms: i64,
    /// When it ended (deliveries), epoch ms.
    pub end_ms: i64,
    /// How it is drawn.
    pub shape: Shape,
    /// Whether it went well.
    pub ok: bool,
    /// A short label in words.
    pub label: String,
    /// Everything about it in words (the tooltip).
    pub detail: String,
}

/// One lane.
#[derive(Debug, Clone, PartialEq)]
pub struct Lane {
    /// What it shows.
    pub kind: LaneKind,
    /// Its title (a group's name, or the producer's or broker's label).
    pub name: String,
    /// Its events, oldest first.
    pub events: Vec<Event>,
}

/// The lanes of a trace and the time they span.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// Producer, broker, then one lane per group.
    pub lanes: Vec<Lane>,
    /// The first event, epoch ms.
    pub start_ms: i64,
    /// The last event's end, epoch ms.
    pub end_ms: i64,
}

/// What a trace type means, in words.
pub fn type_words(lang: Lang, trace_type: &str) -> String {
    let key = match trace_type {
        "Pub" => "trace-type-pub",
        "SubBefore" => "trace-type-subbefore",
        "SubAfter" => "trace-type-subafter",
        "EndTransaction" => "trace-type-endtransaction",
        "Receive" => "trace-type-receive",
        "Ack" => "trace-type-ack",
        other => {
            return lang.msg(&Msg::new("trace-type-other").arg("type", other));
        }
    };
    lang.t(key)
}

/// What a consume status means, in words (API reference §5.4.2: there is no 4).
pub fn status_words(lang: Lang, status: i64) -> String {
    match status {
        0 => lang.t("consume-status-0"),
        1 => lang.t("consume-status-1"),
        2 => lang.t("consume-status-2"),
        3 => lang.t("consume-status-3"),
        5 => lang.t("consume-status-5"),
        other => lang.msg(&Msg::new("consume-status-other").arg("status", other)),
    }
}

/// What a transaction state means, in words.
pub fn transaction_words(lang: Lang, state: &str) -> String {
    match state {
        "COMMIT_MESSAGE" => lang.t("tx-state-commit"),
        "ROLLBACK_MESSAGE" => lang.t("tx-state-rollback"),
        "UNKNOW" | "UNKNOWN" => lang.t("tx-state-unknown"),
        other => other.to_owned(),
    }
}

/// What a message type means, in words.
pub fn msg_type_words(lang: Lang, msg_type: &str) -> String {
    let key = match msg_type {
        "Normal_Msg" => "msg-type-normal",
        "Trans_Msg_Half" => "msg-type-half",
        "Trans_msg_Commit" | "Trans_Msg_Commit" => "msg-type-commit",
        "Delay_Msg" => "msg-type-delay",
        "Order_Msg" => "msg-type-order",
        "" => return String::new(),
        other => return other.to_owned(),
    };
    lang.t(key)
}

/// Whether a `SubAfter` says the message was consumed.
pub fn consumed(record: &MessageTrace) -> bool {
    record.trace_type == "SubAfter" && record.success && record.consume_status == 0
}

fn delivery_detail(
    lang: Lang,
    before: Option<&MessageTrace>,
    after: Option<&MessageTrace>,
) -> (String, String, bool) {
    let any = before.or(after).expect("a delivery has a record");
    let mut detail = lang.msg(
        &Msg::new("trace-delivery-detail")
            .arg("group", any.group_name.as_str())
            .arg("client", any.client_host.as_str())
            .arg("retry", any.retry_times),
    );
    let (label, ok) = match after {
        Some(after) => {
            let words = status_words(lang, after.consume_status);
            detail.push_str(
                &lang.msg(
                    &Msg::new("trace-delivery-result")
                        .text("status", words.clone())
                        .text("cost", duration(after.cost_time.round() as i64, lang)),
                ),
            );
            (words, consumed(after))
        }
        None => (lang.t("trace-delivery-open"), false),
    };
    let label = if any.retry_times > 0 {
        lang.msg(
            &Msg::new("trace-label-retry")
                .text("label", label)
                .arg("retry", any.retry_times),
        )
    } else {
        label
    };
    (label, detail, ok)
}

/// A delivery's `SubBefore` and `SubAfter` records (either may be missing).
type Delivery<'a> = (Option<&'a MessageTrace>, Option<&'a MessageTrace>);

/// The lanes of `records`. `stored_ms` is the message's store time when known; `groups` are
/// the topic's consumer groups, each of which gets a lane even without records.
pub fn build(
    records: &[MessageTrace],
    stored_ms: Option<i64>,
    groups: &[String],
    lang: Lang,
) -> Timeline {
    let mut producer = Lane {
        kind: LaneKind::Producer,
        name: lang.t("trace-lane-producer"),
        events: Vec::new(),
    };
    let mut broker = Lane {
        kind: LaneKind::Broker,
        name: lang.t("trace-lane-broker"),
        events: Vec::new(),
    };
    let mut producers: Vec<&str> = Vec::new();
    // Deliveries per group, paired by request id.
    let mut deliveries: BTreeMap<&str, Vec<Delivery<'_>>> = BTreeMap::new();
    let mut acks: BTreeMap<&str, Vec<&MessageTrace>> = BTreeMap::new();
    for group in groups {
        deliveries.entry(group.as_str()).or_default();
    }
    for record in records {
        match record.trace_type.as_str() {
            "Pub" => {
                if !producers.contains(&record.group_name.as_str()) && !record.group_name.is_empty()
                {
                    producers.push(&record.group_name);
                }
                producer.events.push(Event {
                    at_ms: record.timestamp,
                    end_ms: record.timestamp + record.cost_time.round() as i64,
                    shape: Shape::Sent,
                    ok: record.success,
                    label: type_words(lang, "Pub"),
                    detail: lang.msg(
                        &Msg::new("trace-pub-detail")
                            .arg("group", record.group_name.as_str())
                            .arg("client", record.client_host.as_str())
                            .text("cost", duration(record.cost_time.round() as i64, lang))
                            .text("type", msg_type_words(lang, &record.msg_type)),
                    ),
                });
            }
            "EndTransaction" => producer.events.push(Event {
                at_ms: record.timestamp,
                end_ms: record.timestamp,
                shape: Shape::Transaction,
                ok: record.success,
                label: transaction_words(lang, record.transaction_state.as_deref().unwrap_or("")),
                detail: lang.msg(
                    &Msg::new(if record.from_transaction_check {
                        "trace-tx-check-detail"
                    } else {
                        "trace-tx-detail"
                    })
                    .text(
                        "state",
                        transaction_words(lang, record.transaction_state.as_deref().unwrap_or("")),
                    )
                    .arg("id", record.transaction_id.clone().unwrap_or_default()),
                ),
            }),
            "Receive" => broker.events.push(Event {
                at_ms: record.timestamp,
                end_ms: record.timestamp,
                shape: Shape::Stored,
                ok: record.success,
                label: type_words(lang, "Receive"),
                detail: type_words(lang, "Receive"),
            }),
            "SubBefore" | "SubAfter" => {
                let list = deliveries.entry(record.group_name.as_str()).or_default();
                let paired = list.iter_mut().find(|(before, after)| {
                    let other = before.or(*after).expect("a pair has a record");
                    other.request_id == record.request_id
                        && !record.request_id.is_empty()
                        && if record.trace_type == "SubBefore" {
                            before.is_none()
                        } else {
                            after.is_none()
                        }
                });
                match (paired, record.trace_type.as_str()) {
                    (Some(pair), "SubBefore") => pair.0 = Some(record),
                    (Some(pair), _) => pair.1 = Some(record),
                    (None, "SubBefore") => list.push((Some(record), None)),
                    (None, _) => list.push((None, Some(record))),
                }
            }
            "Ack" => acks
                .entry(record.group_name.as_str())
                .or_default()
                .push(record),
            _ => {}
        }
    }
    if let Some(stored) = stored_ms {
        broker.events.push(Event {
            at_ms: stored,
            end_ms: stored,
            shape: Shape::Stored,
            ok: true,
            label: lang.t("trace-stored"),
            detail: lang.t("trace-stored"),
        });
    }
    if !producers.is_empty() {
        // Lane names are drawn as they are: values in them have their bidi controls revealed
        // here, not isolated (an isolate would itself be revealed as a marker).
        producer.name = lang.msg(
            &Msg::new("trace-lane-producer-named")
                .text("group", reveal_bidi(&producers.join(", ")).into_owned()),
        );
    }
    let mut lanes = vec![producer, broker];
    for (group, pairs) in &deliveries {
        let mut events: Vec<Event> = pairs
            .iter()
            .map(|(before, after)| {
                let (label, detail, ok) = delivery_detail(lang, *before, *after);
                let start = before.or(*after).map(|r| r.timestamp).unwrap_or_default();
                let end = match (before, after) {
                    (_, Some(after)) => after.timestamp.max(start),
                    (Some(before), None) => before.timestamp,
                    (None, None) => start,
                };
                Event {
                    at_ms: start,
                    end_ms: end,
                    shape: Shape::Delivery,
                    ok,
                    label,
                    detail,
                }
            })
            .collect();
        for ack in acks.get(group).into_iter().flatten() {
            events.push(Event {
                at_ms: ack.timestamp,
                end_ms: ack.timestamp,
                shape: Shape::Ack,
                ok: ack.success,
                label: type_words(lang, "Ack"),
                detail: type_words(lang, "Ack"),
            });
        }
        events.sort_by_key(|e| e.at_ms);
        lanes.push(Lane {
            kind: LaneKind::Consumer,
            name: reveal_bidi(group).into_owned(),
            events,
        });
    }
    for lane in &mut lanes {
        lane.events.sort_by_key(|e| e.at_ms);
    }
    let times = lanes.iter().flat_map(|l| l.events.iter());
    let start_ms = times.clone().map(|e| e.at_ms).min().unwrap_or(0);
    let end_ms = times
        .map(|e| e.end_ms.max(e.at_ms))
        .max()
        .unwrap_or(start_ms);
    Timeline {
        lanes,
        start_ms,
        end_ms,
    }
}

const WIDTH: f64 = 960.0;
const PLOT_START: f64 = 214.0;
const PLOT_END: f64 = 930.0;
const AXIS_HEIGHT: f64 = 34.0;
const LANE_HEIGHT: f64 = 46.0;

impl Timeline {
    /// The x position of instant `ms`.
    fn x(&self, ms: i64) -> f64 {
        let span = (self.end_ms - self.start_ms).max(0) as f64;
        if span == 0.0 {
            return PLOT_START;
        }
        let fraction = ((ms - self.start_ms).max(0) as f64 / span).min(1.0);
        PLOT_START + (PLOT_END - PLOT_START) * fraction.sqrt()
    }

    /// The SVG of the timeline, titled `title` and described by `description`.
    pub fn svg(&self, lang: Lang, title: &str, description: &str) -> String {
        let height = AXIS_HEIGHT + LANE_HEIGHT * self.lanes.len() as f64 + 8.0;
        let mut out = String::with_capacity(4096 + 600 * self.lanes.len());
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="timeline" id="trace-timeline" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="timeline-title timeline-desc"><title id="timeline-title">{}</title><desc id="timeline-desc">{}</desc>"#,
            escape(title),
            escape(description)
        );
        self.axis(&mut out, lang, height);
        for (index, lane) in self.lanes.iter().enumerate() {
            self.lane(&mut out, lang, index, lane);
        }
        out.push_str("</svg>");
        out
    }

    fn axis(&self, out: &mut String, lang: Lang, height: f64) {
        let span = (self.end_ms - self.start_ms).max(0);
        let _ = write!(
            out,
            r#"<g class="tl-axis" aria-hidden="true"><text class="tl-axis-caption" x="8" y="16">{}</text>"#,
            escape(&lang.t("trace-axis-caption"))
        );
        for step in 0..=4 {
            let fraction = f64::from(step) / 4.0;
            let x = PLOT_START + (PLOT_END - PLOT_START) * fraction;
            let elapsed = (span as f64 * fraction * fraction).round() as i64;
            let label = format!("+{}", duration(elapsed, lang));
            let anchor = match step {
                0 => "start",
                4 => "end",
                _ => "middle",
            };
            let _ = write!(
                out,
                r#"<line class="tl-tick" x1="{x:.1}" y1="{AXIS_HEIGHT}" x2="{x:.1}" y2="{height:.1}"/><text class="tl-tick-label" x="{x:.1}" y="26" text-anchor="{anchor}">{}</text>"#,
                escape(&label)
            );
        }
        out.push_str("</g>");
    }

    fn lane(&self, out: &mut String, lang: Lang, index: usize, lane: &Lane) {
        let top = AXIS_HEIGHT + LANE_HEIGHT * index as f64;
        let middle = top + LANE_HEIGHT / 2.0;
        let name = &lane.name;
        let short: String = if name.chars().count() > 26 {
            format!("{}…", name.chars().take(25).collect::<String>())
        } else {
            name.to_string()
        };
        let _ = write!(
            out,
            r#"<g class="tl-lane {}" data-lane="{}"><rect class="tl-band" x="0" y="{top:.1}" width="{WIDTH}" height="{LANE_HEIGHT}"/><text class="tl-name" x="8" y="{:.1}"><title>{}</title>{}</text>"#,
            lane.kind.class(),
            escape(name),
            middle + 4.0,
            escape(name),
            escape(&short)
        );
        if lane.events.is_empty() {
            let _ = write!(
                out,
                r#"<text class="tl-none" x="{PLOT_START}" y="{:.1}">{}</text>"#,
                middle + 4.0,
                escape(&lang.t("trace-lane-empty"))
            );
        }
        let mut last_label_end = f64::MIN;
        for event in &lane.events {
            let x = self.x(event.at_ms);
            let tone = if event.ok { "tl-ok" } else { "tl-bad" };
            let _ = write!(
                out,
                r#"<g class="tl-event {tone}"><title>{}</title>"#,
                escape(&event.detail)
            );
            let mark_x = match event.shape {
                Shape::Sent => {
                    let _ = write!(
                        out,
                        r#"<circle class="tl-mark" cx="{x:.1}" cy="{middle:.1}" r="7"/>"#
                    );
                    x
                }
                Shape::Stored => {
                    let _ = write!(
                        out,
                        r#"<polygon class="tl-mark" points="{:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1}"/>"#,
                        x,
                        middle - 8.0,
                        x + 8.0,
                        middle,
                        x,
                        middle + 8.0,
                        x - 8.0,
                        middle
                    );
                    x
                }
                Shape::Transaction => {
                    let _ = write!(
                        out,
                        r#"<rect class="tl-mark" x="{:.1}" y="{:.1}" width="12" height="12"/>"#,
                        x - 6.0,
                        middle - 6.0
                    );
                    x
                }
                Shape::Ack => {
                    let _ = write!(
                        out,
                        r#"<polygon class="tl-mark" points="{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}"/>"#,
                        x - 7.0,
                        middle + 6.0,
                        x + 7.0,
                        middle + 6.0,
                        x,
                        middle - 7.0
                    );
                    x
                }
                Shape::Delivery => {
                    let end = self.x(event.end_ms).max(x + 6.0);
                    let _ = write!(
                        out,
                        r#"<rect class="tl-bar" x="{x:.1}" y="{:.1}" width="{:.1}" height="10" rx="2"/>"#,
                        middle - 5.0,
                        end - x
                    );
                    if event.ok {
                        let _ = write!(
                            out,
                            r#"<path class="tl-sign" d="M{:.1} {:.1} l4 4 l8 -9"/>"#,
                            end + 3.0,
                            middle
                        );
                    } else {
                        let _ = write!(
                            out,
                            r#"<path class="tl-sign" d="M{:.1} {:.1} l8 8 m0 -8 l-8 8"/>"#,
                            end + 3.0,
                            middle - 4.0
                        );
                    }
                    end + 12.0
                }
            };
            // Labels that would overlap the previous one are left to the tooltip and the table.
            if mark_x + 10.0 > last_label_end && mark_x < PLOT_END - 20.0 {
                let _ = write!(
                    out,
                    r#"<text class="tl-event-label" x="{:.1}" y="{:.1}">{}</text>"#,
                    mark_x + 10.0,
                    middle + 16.0,
                    escape(&event.label)
                );
                last_label_end = mark_x + 10.0 + 6.5 * event.label.chars().count() as f64;
            }
            out.push_str("</g>");
        }
        out.push_str("</g>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(
        trace_type: &str,
        group: &str,
        at: i64,
        request: &str,
        ok: bool,
        status: i64,
    ) -> MessageTrace {
        MessageTrace {
            success: ok,
            trace_type: trace_type.into(),
            timestamp: at,
            group_name: group.into(),
            cost_time: 5.0,
            request_id: request.into(),
            consume_status: status,
            client_host: "10.0.0.1".into(),
            msg_type: "Normal_Msg".into(),
            ..Default::default()
        }
    }

    fn sample() -> Vec<MessageTrace> {
        vec![
            record("Pub", "PID_orders", 1_000, "p", true, 0),
            record("SubBefore", "GID_a", 1_020, "r1", true, 0),
            record("SubAfter", "GID_a", 1_030, "r1", true, 0),
            record("SubBefore", "GID_b", 1_040, "r2", true, 0),
            record("SubAfter", "GID_b", 1_050, "r2", false, 2),
            MessageTrace {
                retry_times: 1,
                ..record("SubBefore", "GID_b", 61_040, "r3", true, 0)
            },
            MessageTrace {
                retry_times: 1,
                ..record("SubAfter", "GID_b", 61_060, "r3", true, 0)
            },
        ]
    }

    #[test]
    fn lanes_pair_deliveries_per_group_and_keep_silent_groups() {
        let groups = vec!["GID_a".to_owned(), "GID_c".to_owned()];
        let timeline = build(&sample(), Some(1_004), &groups, Lang::En);
        let names: Vec<&str> = timeline.lanes.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(
            names,
            ["Producer (PID_orders)", "Broker", "GID_a", "GID_b", "GID_c"]
        );
        let b = &timeline.lanes[3];
        assert_eq!(b.events.len(), 2);
        assert!(!b.events[0].ok && b.events[1].ok);
        assert_eq!((b.events[1].at_ms, b.events[1].end_ms), (61_040, 61_060));
        assert!(
            b.events[0].label.contains("exception"),
            "{}",
            b.events[0].label
        );
        assert!(
            b.events[1].label.contains("retry 1"),
            "{}",
            b.events[1].label
        );
        assert!(timeline.lanes[4].events.is_empty());
        assert_eq!((timeline.start_ms, timeline.end_ms), (1_000, 61_060));
    }

    #[test]
    fn the_svg_escapes_names_and_marks_outcomes_with_shapes() {
        let groups = vec!["<b>GID</b>".to_owned()];
        let svg = build(&sample(), None, &groups, Lang::En).svg(Lang::En, "Trace <x>", "desc");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("&lt;b&gt;GID&lt;/b&gt;") && !svg.contains("<b>GID"));
        assert!(svg.contains("Trace &lt;x&gt;"));
        assert_eq!(svg.matches("class=\"tl-lane tl-consumer\"").count(), 3);
        assert!(svg.contains("<circle"));
        assert!(
            svg.contains("l8 8 m0 -8 l-8 8"),
            "a failed delivery is crossed"
        );
        assert!(svg.contains("l4 4 l8 -9"), "a consumed one is ticked");
        assert!(!svg.contains("style="));
    }

    #[test]
    fn statuses_and_states_are_in_words() {
        assert_eq!(status_words(Lang::En, 0), "consumed");
        assert_eq!(status_words(Lang::En, 4), "status 4 (undocumented)");
        assert_eq!(
            transaction_words(Lang::En, "UNKNOW"),
            "unknown: the broker will check back"
        );
        assert_eq!(
            type_words(Lang::En, "Mystery"),
            "\u{2068}Mystery\u{2069} (undocumented)"
        );
    }
}
