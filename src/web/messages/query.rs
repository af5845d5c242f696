//! A search of one topic's messages: its parameters as they travel in the URL (so every search
//! is a link), checked into a [`Search`], and the newest-first paging DMS does not do itself.
//!
//! Parameters: `topic`; `msg_id` (an offset id or a UNIQ_KEY: no time range needed); else a
//! time window, `range` = `15m`, `1h`, `24h`, `3d` (ending at `at`, epoch ms, or now) or
//! `custom` with `from` and `to` (`YYYY-MM-DDTHH:MM` read in zone `tz`, the zone of whoever
//! wrote the link); optionally `key` and `queue`. Links to further pages carry `at`, so every
//! page of a search covers the same window.
//!
//! DMS answers matches oldest first (API reference §5.4.1 pages them with `offset`/`limit`
//! and gives their `total`); the newest page is the end of that order. [`find`] reads the
//! total once, then the range of the requested newest-first page, several DMS pages at once.

use std::collections::BTreeMap;

use futures_util::{Stream, StreamExt};

use crate::api::models::messages::{ListMessagesQuery, Message};
use crate::api::{ApiError, DmsClient};
use crate::domain::{MessageId, TopicName};
use crate::web::budget::Budget;
use crate::web::forms::FormErrors;
use crate::web::i18n::Msg;
use crate::web::list::ListParams;
use crate::web::time::Zone;

/// The time ranges offered: URL value, length, catalogue key of the label.
pub const PRESETS: &[(&str, i64, &str)] = &[
    ("15m", 15 * 60_000, "range-15m"),
    ("1h", 3_600_000, "range-1h"),
    ("24h", 24 * 3_600_000, "range-24h"),
    ("3d", 3 * 24 * 3_600_000, "range-3d"),
];

/// DMS pages messages 50 at a time.
pub const DMS_PAGE: u32 = 50;
/// A search shows at most its newest this many matches; a page says so when there are more.
pub const MAX_RESULTS: u64 = 10_000;
/// DMS pages read at once for one search.
const PAGES_AT_ONCE: usize = 4;

/// How a search finds messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum By {
    /// Everything in the window.
    Time,
    /// Messages whose `KEYS` hold this key, in the window.
    Key(String),
    /// The message with this offset id or UNIQ_KEY (no window).
    Id(String),
}

/// A window of store times, epoch ms, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The start.
    pub start_ms: i64,
    /// The end.
    pub end_ms: i64,
}

/// A checked search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    /// The topic.
    pub topic: String,
    /// By time, key or id.
    pub by: By,
    /// The store-time window (none for an id search).
    pub window: Option<Window>,
    /// Only this queue.
    pub queue: Option<u32>,
}

impl Search {
    /// The DMS query for ascending matches `offset..offset + limit`.
    pub fn query(&self, offset: u32, limit: u32) -> ListMessagesQuery {
        let (key, msg_id) = match &self.by {
            By::Time => (None, None),
            By::Key(key) => (Some(key.clone()), None),
            By::Id(id) => (None, Some(id.clone())),
        };
        ListMessagesQuery {
            topic: self.topic.clone(),
            msg_id,
            key,
            start_time: self.window.map(|w| w.start_ms),
            end_time: self.window.map(|w| w.end_ms),
            queue: self.queue.map(|q| q.to_string()),
            limit: Some(limit),
            offset: Some(offset),
        }
    }

    /// The same search by time alone (to see what a key search's window holds).
    pub fn by_time(&self) -> Self {
        Self {
            by: By::Time,
            ..self.clone()
        }
    }
}

/// What the URL asked for, checked.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The search, when the URL names a topic and nothing is wrong.
    pub search: Option<Search>,
    /// What is wrong, by field.
    pub errors: FormErrors,
    /// The form's values as the page shows them (windows in the reader's zone).
    pub form: BTreeMap<String, String>,
    /// The instant presets end at (what further pages carry as `at`).
    pub anchor: i64,
}

/// Reads the search of `params` for a reader in `zone` at `now_ms`; `default_range` applies
/// when the URL names none.
pub fn parse(params: &ListParams, zone: &Zone, now_ms: i64, default_range: &str) -> Parsed {
    parse_in(
        params.filter("topic").trim(),
        params,
        zone,
        now_ms,
        default_range,
    )
}

/// [`parse`] of a search in `topic` (which the caller names, not the URL).
pub fn parse_in(
    topic: &str,
    params: &ListParams,
    zone: &Zone,
    now_ms: i64,
    default_range: &str,
) -> Parsed {
    let mut errors = FormErrors::new();
    let mut form: BTreeMap<String, String> = BTreeMap::new();
    let value = |name: &str| params.filter(name).trim().to_owned();
    let topic_text = topic.to_owned();
    let topic = if topic_text.is_empty() {
        None
    } else {
        errors.check("topic", TopicName::try_from(topic_text.clone()))
    };
    form.insert("topic".into(), topic_text);
    let anchor = value("at")
        .parse::<i64>()
        .ok()
        .filter(|at| *at > 0 && *at <= now_ms + 60_000)
        .unwrap_or(now_ms);
    let msg_id = value("msg_id");
    let key = value("key");
    let by_id = !msg_id.is_empty();
    let range = match value("range") {
        r if r == "custom" || PRESETS.iter().any(|(p, _, _)| *p == r) => r,
        r if r.is_empty() => default_range.to_owned(),
        // An id search has no window, so its range does not matter.
        _ if by_id => default_range.to_owned(),
        other => {
            errors.add(
                "range",
                Msg::new("search-bad-range").arg("range", other.as_str()),
            );
            default_range.to_owned()
        }
    };
    let by = if by_id {
        errors
            .check("msg_id", MessageId::try_from(msg_id.clone()))
            .map(|id| By::Id(id.as_str().to_owned()))
    } else if !key.is_empty() {
        errors
            .max_chars("key", &key, 128)
            .map(|k| By::Key(k.to_owned()))
    } else {
        Some(By::Time)
    };
    let window = if matches!(by, Some(By::Id(_))) {
        None
    } else {
        window(params, zone, &range, anchor, &mut errors)
    };
    if let Some(w) = window {
        form.insert("from".into(), zone.local_input(w.start_ms));
        form.insert("to".into(), zone.local_input(w.end_ms));
    } else {
        form.insert("from".into(), value("from"));
        form.insert("to".into(), value("to"));
    }
    let queue = match value("queue") {
        q if q.is_empty() => None,
        q => errors.integer("queue", &q, 0, 1023, None).map(|n| n as u32),
    };
    form.insert("range".into(), range);
    form.insert("msg_id".into(), msg_id);
    form.insert("key".into(), key);
    form.insert("queue".into(), value("queue"));
    let search = match (topic, by) {
        (Some(topic), Some(by)) if errors.is_empty() => Some(Search {
            topic: topic.as_str().to_owned(),
            window: if matches!(by, By::Id(_)) {
                None
            } else {
                window
            },
            by,
            queue,
        }),
        _ => None,
    };
    Parsed {
        search,
        errors,
        form,
        anchor,
    }
}

/// The window of a preset, or of a custom `from`/`to` read in the link's zone.
fn window(
    params: &ListParams,
    zone: &Zone,
    range: &str,
    anchor: i64,
    errors: &mut FormErrors,
) -> Option<Window> {
    if let Some((_, length, _)) = PRESETS.iter().find(|(p, _, _)| *p == range) {
        return Some(Window {
            start_ms: anchor - length,
            end_ms: anchor,
        });
    }
    // A link carries the zone its times were written in, so it means the same to everyone.
    let link_zone = Zone::named(params.filter("tz")).unwrap_or_else(|| zone.clone());
    let mut read = |field: &str| {
        let text = params.filter(field).trim();
        if text.is_empty() {
            errors.add(field, Msg::new("search-time-required"));
            return None;
        }
        let parsed = link_zone.parse_local(text);
        if parsed.is_none() {
            errors.add(field, Msg::new("search-bad-time").arg("input", text));
        }
        parsed
    };
    let (start, end) = (read("from"), read("to"));
    let (start_ms, end_ms) = (start?, end?);
    if start_ms > end_ms {
        errors.add("to", Msg::new("search-end-before-start"));
        return None;
    }
    // `to` names a minute: the whole minute is in the window.
    Some(Window {
        start_ms,
        end_ms: end_ms + 59_999,
    })
}

/// One newest-first page of a search.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// The messages, newest first.
    pub messages: Vec<Message>,
    /// Every match, as DMS counts them.
    pub total: u64,
}

/// Ascending index ranges `start..end` cut into DMS pages.
fn pages(start: u64, end: u64) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut at = start;
    while at < end {
        let limit = (end - at).min(u64::from(DMS_PAGE));
        out.push((at as u32, limit as u32));
        at += limit;
    }
    out
}

async fn page(
    dms: &DmsClient,
    budget: &Budget,
    instance_id: &str,
    search: &Search,
    offset: u32,
    limit: u32,
) -> Result<(Vec<Message>, u64), ApiError> {
    let reply = budget
        .run(dms.list_messages(instance_id, &search.query(offset, limit)))
        .await?
        .into_inner();
    let total = reply.total.max(0) as u64;
    Ok((reply.messages, total))
}

/// Matches `offset..offset + limit` of `search`, newest first (at most [`MAX_RESULTS`] deep).
pub async fn find(
    dms: &DmsClient,
    budget: &Budget,
    instance_id: &str,
    search: &Search,
    offset: u32,
    limit: u32,
) -> Result<Found, ApiError> {
    let (first, total) = page(dms, budget, instance_id, search, 0, DMS_PAGE).await?;
    let total = total.max(first.len() as u64);
    let wanted_end = (u64::from(offset) + u64::from(limit)).min(MAX_RESULTS);
    // Newest-first positions offset..wanted_end are ascending positions start..end.
    let end = total.saturating_sub(u64::from(offset));
    let start = total.saturating_sub(wanted_end);
    if end <= start {
        return Ok(Found {
            messages: Vec::new(),
            total,
        });
    }
    let mut ascending: Vec<Message> = Vec::with_capacity((end - start) as usize);
    if end <= first.len() as u64 {
        ascending.extend(first.into_iter().take(end as usize).skip(start as usize));
    } else {
        let results: Vec<Result<(Vec<Message>, u64), ApiError>> =
            futures_util::stream::iter(pages(start, end))
                .map(|(offset, limit)| page(dms, budget, instance_id, search, offset, limit))
                .buffered(PAGES_AT_ONCE)
                .collect()
                .await;
        for result in results {
            ascending.extend(result?.0);
        }
    }
    Ok(Found {
        messages: newest_first(ascending),
        total,
    })
}

/// DMS's ascending answer reversed, then ordered by store time (newest first) should DMS's
/// order ever differ.
fn newest_first(mut ascending: Vec<Message>) -> Vec<Message> {
    ascending.reverse();
    ascending.sort_by_key(|m| std::cmp::Reverse(m.store_timestamp));
    ascending
}

/// Every match of `search`, newest first, up to `max`, read a few DMS pages ahead and never
/// held whole: the export of a search. A failure ends the stream with the error.
pub fn stream(
    dms: DmsClient,
    budget: std::sync::Arc<Budget>,
    instance_id: String,
    search: Search,
    max: u64,
) -> impl Stream<Item = Result<Vec<Message>, ApiError>> {
    let probe = {
        let (dms, budget, instance_id, search) = (
            dms.clone(),
            budget.clone(),
            instance_id.clone(),
            search.clone(),
        );
        async move {
            let (first, total) = page(&dms, &budget, &instance_id, &search, 0, DMS_PAGE).await?;
            let total = total.max(first_len(&first));
            Ok::<_, ApiError>((first, total))
        }
    };
    futures_util::stream::once(probe)
        .map(move |probed| {
            let (dms, budget, instance_id, search) = (
                dms.clone(),
                budget.clone(),
                instance_id.clone(),
                search.clone(),
            );
            match probed {
                Err(error) => futures_util::stream::iter(vec![Err(error)]).boxed_local(),
                Ok((first, total)) if total <= first_len(&first) => {
                    let newest: Vec<Message> =
                        newest_first(first).into_iter().take(max as usize).collect();
                    futures_util::stream::iter(vec![Ok(newest)]).boxed_local()
                }
                Ok((_, total)) => {
                    // Newest pages first: ascending ranges from the end backwards.
                    let start = total.saturating_sub(max);
                    let mut ranges = pages(start, total);
                    ranges.reverse();
                    futures_util::stream::iter(ranges)
                        .map(move |(offset, limit)| {
                            let (dms, budget, instance_id, search) = (
                                dms.clone(),
                                budget.clone(),
                                instance_id.clone(),
                                search.clone(),
                            );
                            async move {
                                page(&dms, &budget, &instance_id, &search, offset, limit)
                                    .await
                                    .map(|(rows, _)| newest_first(rows))
                            }
                        })
                        .buffered(PAGES_AT_ONCE)
                        .boxed_local()
                }
            }
        })
        .flatten()
        .scan(false, |failed, item| {
            // Nothing follows a failure: the export is cut off there.
            if *failed {
                return futures_util::future::ready(None);
            }
            *failed = item.is_err();
            futures_util::future::ready(Some(item))
        })
}

fn first_len(first: &[Message]) -> u64 {
    first.len() as u64
}

/// What kind of id a message id looks like (API reference, semantics S2): an offset id holds
/// the broker's address and port, a UNIQ_KEY the producer's address. Both are 32 hexadecimal
/// characters; an offset id's port field starts with four zeros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdKind {
    /// An offset message id, stored by the broker at this `ip:port`.
    Offset(String),
    /// A UNIQ_KEY, made by a producer at this IP address.
    UniqKey(String),
    /// Neither shape.
    Unknown,
}

/// The kind of `id`.
pub fn id_kind(id: &str) -> IdKind {
    let id = id.trim();
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return IdKind::Unknown;
    }
    let byte = |i: usize| u8::from_str_radix(&id[i * 2..i * 2 + 2], 16).unwrap_or(0);
    let ip = format!("{}.{}.{}.{}", byte(0), byte(1), byte(2), byte(3));
    if &id[8..12] == "0000" {
        let port = u32::from_str_radix(&id[8..16], 16).unwrap_or(0);
        IdKind::Offset(format!("{ip}:{port}"))
    } else {
        IdKind::UniqKey(ip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::list::ListSpec;

    const SPEC: ListSpec = ListSpec {
        default_limit: 20,
        max_limit: 1000,
        sortable: &[],
    };
    const NOW: i64 = 1_713_261_221_000; // 2024-04-16T09:53:41Z

    fn parse_query(query: &str) -> Parsed {
        parse(&ListParams::parse(query, SPEC), &Zone::utc(), NOW, "1h")
    }

    #[test]
    fn a_preset_ends_at_the_anchor_and_needs_no_times() {
        let parsed = parse_query("topic=orders&range=15m&at=1713261000000");
        let search = parsed.search.unwrap();
        assert_eq!(search.by, By::Time);
        assert_eq!(
            search.window,
            Some(Window {
                start_ms: 1_713_261_000_000 - 15 * 60_000,
                end_ms: 1_713_261_000_000
            })
        );
        assert_eq!(parsed.form["from"], "2024-04-16T09:35");
        // No range means the default; an anchor in the future is ignored.
        let default = parse_query("topic=orders&at=9999999999999").search.unwrap();
        assert_eq!(default.window.unwrap().end_ms, NOW);
        assert_eq!(default.window.unwrap().start_ms, NOW - 3_600_000);
    }

    #[test]
    fn custom_windows_are_read_in_the_links_zone() {
        let parsed = parse_query(
            "topic=orders&range=custom&from=2024-04-16T17:00&to=2024-04-16T17:30&tz=Asia/Shanghai",
        );
        let window = parsed.search.unwrap().window.unwrap();
        assert_eq!(window.start_ms, 1_713_258_000_000);
        assert_eq!(window.end_ms, 1_713_259_800_000 + 59_999);
        // Shown in the reader's zone (UTC here).
        assert_eq!(parsed.form["from"], "2024-04-16T09:00");
        let missing = parse_query("topic=orders&range=custom&from=2024-04-16T17:00");
        assert!(missing.search.is_none());
        assert!(missing.errors.get("to").is_some());
        let backwards =
            parse_query("topic=orders&range=custom&from=2024-04-16T17:00&to=2024-04-16T16:00");
        assert!(backwards.errors.get("to").is_some());
    }

    #[test]
    fn an_id_search_needs_no_window_and_a_key_search_has_one() {
        let by_id = parse_query("topic=orders&msg_id=C0A8011700002774000000000013B19D&range=bogus");
        let search = by_id.search.unwrap();
        assert_eq!(search.by, By::Id("C0A8011700002774000000000013B19D".into()));
        assert_eq!(search.window, None);
        let query = search.query(0, 50);
        assert_eq!(query.start_time, None);
        assert_eq!(
            query.msg_id.as_deref(),
            Some("C0A8011700002774000000000013B19D")
        );
        let by_key = parse_query("topic=orders&key=ORD-1&queue=3")
            .search
            .unwrap();
        assert_eq!(by_key.by, By::Key("ORD-1".into()));
        assert_eq!(by_key.queue, Some(3));
        assert_eq!(by_key.query(0, 50).queue.as_deref(), Some("3"));
        assert!(parse_query("").search.is_none());
        assert!(parse_query("topic=bad topic").errors.get("topic").is_some());
        assert!(
            parse_query("topic=orders&msg_id=not%20an%20id")
                .errors
                .get("msg_id")
                .is_some()
        );
    }

    #[test]
    fn newest_first_pages_are_the_end_of_the_ascending_order() {
        assert_eq!(pages(0, 120), vec![(0, 50), (50, 50), (100, 20)]);
        assert_eq!(pages(70, 70), Vec::<(u32, u32)>::new());
    }

    #[test]
    fn ids_say_what_they_are() {
        assert_eq!(
            id_kind("C0A8011700002774000000000013B19D"),
            IdKind::Offset("192.168.1.23:10100".into())
        );
        assert_eq!(
            id_kind("7F000001561018B4AAC26B9A0D1D0004"),
            IdKind::UniqKey("127.0.0.1".into())
        );
        assert_eq!(id_kind("id1"), IdKind::Unknown);
    }
}
