//! An instance's whole topic list, as the pages that search, sort, count or check names need
//! it (the list API pages and nothing else: no name filter, no sort).
//!
//! The list is read page by page with `api::walk::collect_concurrent` (a few pages at a time,
//! each call inside the instance's budget of calls in flight, up to [`MAX_TOPICS`]) into the
//! credential's cache entry (`lists.topics`), so one view's read serves the next views of the
//! same credential for a few seconds and is served stale while it is read again. A view
//! waits for it until its deadline; past that it shows the pages read so far, marked
//! partial, while the read goes on in the background and fills the cache for the next view.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::api::models::common::Paging;
use crate::api::models::topics::Topic;
use crate::api::walk::{self, Page};
use crate::api::{ApiError, ErrorKind};
use crate::domain::InstanceId;
use crate::web::cache::TopicListing;
use crate::web::session::CurrentUser;

/// The most topics read for one instance (DMS quotas are far below it).
pub const MAX_TOPICS: usize = 50_000;
/// Topics per page (the API's largest).
const PAGE: u32 = 50;
/// Pages read at the same time by one walk (the instance's budget may allow fewer).
const PAGES_AT_ONCE: usize = 8;
/// How long a page waits for the list before it shows what it has.
pub const VIEW_DEADLINE: Duration = Duration::from_millis(2_500);

/// The topic list as a view gets it.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// The list (whole, or as far as it was read by the deadline).
    pub listing: Arc<TopicListing>,
    /// How old it is.
    pub age: Duration,
    /// Whether the deadline came first: `listing` holds only the pages read so far.
    pub partial: bool,
}

impl Catalog {
    /// Its age in whole seconds, for "as of N s ago".
    pub fn age_seconds(&self) -> u64 {
        self.age.as_secs()
    }

    /// Whether some topics are missing (the deadline, or the walk's limit).
    pub fn incomplete(&self) -> bool {
        self.partial || self.listing.truncated
    }
}

/// The pages a walk has read so far, by offset, with the quota of the first answer.
#[derive(Default)]
struct Progress {
    pages: BTreeMap<u32, Vec<Topic>>,
    total: u64,
    max: i64,
    remaining: i64,
}

/// Reads the topic list of `id` for `user` (from the cache when it has it; `refresh` reads
/// it again), waiting at most `deadline`.
pub async fn load(
    user: &CurrentUser,
    id: &InstanceId,
    refresh: bool,
    deadline: Duration,
) -> Result<Catalog, ApiError> {
    let progress = Arc::new(Mutex::new(Progress::default()));
    let state = user.state.clone();
    let key = user.cache_key(id.as_str(), "");
    let loader = walker(user, id, progress.clone());
    // The read runs on its own task, so a view that stops waiting does not stop it: its
    // result lands in the cache for whoever looks next.
    let mut task = tokio::spawn(async move { state.lists.topics.get(key, refresh, loader).await });
    match tokio::time::timeout(deadline, &mut task).await {
        Ok(Ok(result)) => result.map(|cached| Catalog {
            age: cached.age(),
            listing: cached.value,
            partial: false,
        }),
        Ok(Err(join)) => Err(ApiError::local(
            "ListRocketInstanceTopics",
            ErrorKind::Transport,
            format!("the topic list could not be read: {join}"),
        )),
        Err(_) => {
            let progress = progress.lock().unwrap_or_else(|e| e.into_inner());
            Ok(Catalog {
                listing: Arc::new(TopicListing {
                    topics: progress.pages.values().flatten().cloned().collect(),
                    total: progress.total,
                    max: progress.max,
                    remaining: progress.remaining,
                    truncated: false,
                }),
                age: Duration::ZERO,
                partial: true,
            })
        }
    }
}

/// The walk that reads the whole list, reporting each page to `progress` as it arrives.
fn walker(
    user: &CurrentUser,
    id: &InstanceId,
    progress: Arc<Mutex<Progress>>,
) -> impl FnOnce() -> std::pin::Pin<Box<dyn Future<Output = Result<TopicListing, ApiError>> + Send>>
+ Send
+ 'static {
    let dms = user.dms.clone();
    let budget = user.budget(id);
    let instance = id.to_string();
    move || {
        Box::pin(async move {
            let walked =
                walk::collect_concurrent(PAGE, MAX_TOPICS, PAGES_AT_ONCE, |offset, limit| {
                    let (dms, budget, instance, progress) = (
                        dms.clone(),
                        budget.clone(),
                        instance.clone(),
                        progress.clone(),
                    );
                    async move {
                        let reply = budget
                            .run(dms.list_topics(&instance, &Paging::new(limit, offset)))
                            .await?
                            .into_inner();
                        let total = reply.total.max(0) as u64;
                        let mut seen = progress.lock().unwrap_or_else(|e| e.into_inner());
                        if offset == 0 {
                            seen.total = total;
                            seen.max = reply.max;
                            seen.remaining = reply.remaining;
                        }
                        seen.pages.insert(offset, reply.topics.clone());
                        Ok(Page {
                            items: reply.topics,
                            total: Some(total),
                        })
                    }
                })
                .await?;
            let seen = progress.lock().unwrap_or_else(|e| e.into_inner());
            Ok(TopicListing {
                total: walked.total.unwrap_or(walked.items.len() as u64),
                topics: walked.items,
                max: seen.max,
                remaining: seen.remaining,
                truncated: walked.truncated,
            })
        })
    }
}

/// The topics of `listing` whose name contains `needle` (ignoring case), of message type
/// `kind` and permission `permission` (empty: any).
pub fn matching<'a>(
    listing: &'a TopicListing,
    needle: &str,
    kind: &str,
    permission: &str,
) -> Vec<&'a Topic> {
    let needle = needle.to_lowercase();
    listing
        .topics
        .iter()
        .filter(|t| needle.is_empty() || t.name.to_lowercase().contains(&needle))
        .filter(|t| kind.is_empty() || t.message_type == kind)
        .filter(|t| permission.is_empty() || t.permission == permission)
        .collect()
}

/// How many topics of `listing` have each value of `field` (message type or permission), in
/// descending order of count.
pub fn counts(listing: &TopicListing, field: fn(&Topic) -> &str) -> Vec<(String, usize)> {
    let mut by_value: BTreeMap<&str, usize> = BTreeMap::new();
    for topic in &listing.topics {
        let value = field(topic);
        if !value.is_empty() {
            *by_value.entry(value).or_default() += 1;
        }
    }
    let mut out: Vec<(String, usize)> = by_value
        .into_iter()
        .map(|(value, count)| (value.to_owned(), count))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topic(name: &str, kind: &str, permission: &str) -> Topic {
        Topic {
            name: name.into(),
            message_type: kind.into(),
            permission: permission.into(),
            ..Topic::default()
        }
    }

    #[test]
    fn search_and_counts_read_the_whole_list() {
        let listing = TopicListing {
            topics: vec![
                topic("Orders-created", "NORMAL", "all"),
                topic("orders-updated", "FIFO", "all"),
                topic("payments", "NORMAL", "pub"),
            ],
            total: 3,
            ..TopicListing::default()
        };
        let names = |found: Vec<&Topic>| found.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(matching(&listing, "ORDERS", "", "")),
            ["Orders-created", "orders-updated"]
        );
        assert_eq!(names(matching(&listing, "", "NORMAL", "pub")), ["payments"]);
        assert_eq!(
            counts(&listing, |t| &t.message_type),
            [("NORMAL".to_owned(), 2), ("FIFO".to_owned(), 1)]
        );
        assert_eq!(
            counts(&listing, |t| &t.permission),
            [("all".to_owned(), 2), ("pub".to_owned(), 1)]
        );
    }
}
