//! The lag board: every consumer group of an instance with its figures (lag, how far behind it
//! is, online state, subscription consistency, dead letters), read in the background through
//! the instance's call budget and filled in as the answers arrive.
//!
//! The groups tab and the dashboard's attention panel read the same board, which the
//! per-credential cache keeps (`web::cache::Lists::lags`): a view never waits for 2,000 groups
//! to be read, and the next view does not read them again. A board holds one generation of
//! figures; once it is complete and older than [`FRESH`], a view that looks at it starts a new
//! generation in the background, which replaces the old one only when it is complete.
//! Groups a view shows are read first ([`Board::want`]). The console's own changes drop the
//! boards of the instance they changed (the cache's invalidation), and a dropped board stops
//! reading.
//!
//! Every call goes through the instance's [`Budget`] with [`budgeted`]: when DMS throttles, the
//! budget shrinks and the call waits its turn again, so throttling slows the board down rather
//! than failing it.
//!
//! This file knows nothing of sessions or pages (the cache, which the session reaches, holds
//! its boards).

use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio::sync::watch;

use crate::api::models::common::Paging;
use crate::api::models::groups::{
    ConsumerGroup, GroupTopicDetail, ListConsumerClientsQuery, ListConsumerGroupsQuery,
};
use crate::api::walk::{self, Page};
use crate::api::{ApiError, DmsClient, ErrorKind};
use crate::web::budget::Budget;
use crate::web::error::ErrorSummary;

/// A complete board older than this is read again (in the background) when a view looks at it.
pub const FRESH: Duration = Duration::from_secs(60);
/// A board whose group list could not be read tries again after this long, when viewed.
const RETRY_LISTING: Duration = Duration::from_secs(5);
/// Groups read at the same time (the budget decides how many calls are really in flight).
const GROUPS_AT_ONCE: usize = 16;
/// A group's topics read at the same time.
const TOPICS_AT_ONCE: usize = 4;
/// At most this many groups are read (DMS allows up to 16,000 per broker on large flavours).
pub const MAX_GROUPS: usize = 20_000;
/// At most this many topics of one group are read.
const MAX_TOPICS: usize = 1_000;
/// At most this many wanted groups are remembered (the latest views' rows).
const MAX_WANTED: usize = 500;
/// A throttled read waits its turn again at most this many times.
const THROTTLE_RETRIES: u32 = 4;
/// The longest `Retry-After` a throttled read waits for before it tries again.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);

/// Runs a DMS read in the instance's budget. A throttled answer (`429`, `DMS.10240407`) has
/// shrunk the budget; the read then waits (DMS's `Retry-After`, else a short backoff) and queues
/// again behind the smaller window, up to [`THROTTLE_RETRIES`] times. Only for reads: a change
/// goes through `Budget::run` once.
pub async fn budgeted<T, F, Fut>(budget: &Budget, call: F) -> Result<T, ApiError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let mut attempt = 0;
    loop {
        match budget.run(call()).await {
            Err(error) if error.kind == ErrorKind::Throttled && attempt < THROTTLE_RETRIES => {
                attempt += 1;
                let wait = error
                    .retry_after
                    .filter(|w| *w <= MAX_RETRY_AFTER)
                    .unwrap_or(Duration::from_millis(50 << attempt));
                tokio::time::sleep(wait).await;
            }
            other => return other,
        }
    }
}

/// How far behind a group is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behind {
    /// No lag.
    UpToDate,
    /// Lagging: the time from the newest message it consumed on a lagging queue to when the
    /// figures were read, in milliseconds.
    By(i64),
    /// Lagging on queues where it never consumed anything.
    NeverConsumed,
}

impl Behind {
    /// A sort key: up to date first, never consumed last.
    pub fn sort_key(self) -> i64 {
        match self {
            Self::UpToDate => -1,
            Self::By(ms) => ms.max(0),
            Self::NeverConsumed => i64::MAX,
        }
    }

    /// The milliseconds behind, when known.
    pub fn millis(self) -> Option<i64> {
        match self {
            Self::By(ms) => Some(ms.max(0)),
            _ => None,
        }
    }
}

/// What was read about one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    /// Messages not yet consumed, over its topics (API reference §5.2.7).
    pub lag: i64,
    /// Now minus the newest `last_message_time` of a lagging queue.
    pub behind: Behind,
    /// Topics it consumes.
    pub topics: usize,
    /// Online (§5.2.9).
    pub online: bool,
    /// Online clients.
    pub clients: i64,
    /// Whether its clients subscribe alike (§5.2.9).
    pub consistent: bool,
    /// Messages in its dead-letter queue (§5.3.7 of `%DLQ%group`).
    pub dead_letters: i64,
    /// When the figures were read (Unix ms).
    pub read_ms: i64,
}

/// The backlog of one topic's detail: the total and, among lagging queues, the newest
/// consumed message's store time (0 when none of them consumed anything).
fn topic_backlog(detail: &GroupTopicDetail) -> (i64, bool, i64) {
    let mut lagging = false;
    let mut newest = 0;
    for queue in detail.brokers.iter().flat_map(|b| b.queues.iter()) {
        if queue.lag > 0 {
            lagging = true;
            newest = newest.max(queue.last_message_time);
        }
    }
    (detail.lag.max(0), lagging, newest)
}

/// "Behind by" from a read at `now` of queues where `lagging` and whose newest consumed store
/// time is `newest` (0: never consumed).
pub fn behind_of(lag: i64, lagging: bool, newest: i64, now: i64) -> Behind {
    if lag <= 0 && !lagging {
        Behind::UpToDate
    } else if newest > 0 {
        Behind::By((now - newest).max(0))
    } else {
        Behind::NeverConsumed
    }
}

/// The ordinary topics `group` consumes (never its retry or dead-letter topic).
pub async fn group_topics(
    dms: &DmsClient,
    budget: &Budget,
    instance_id: &str,
    group: &str,
) -> Result<Vec<String>, ApiError> {
    let walked = walk::collect(50, MAX_TOPICS, |offset, limit| async move {
        let paging = Paging::new(limit, offset);
        let reply = budgeted(budget, || {
            dms.list_group_topics(instance_id, group, &paging)
        })
        .await?
        .into_inner();
        Ok(Page {
            total: Some(reply.total.max(0) as u64),
            items: reply.topics,
        })
    })
    .await?;
    Ok(walked
        .items
        .into_iter()
        .filter(|t| !t.starts_with('%'))
        .collect())
}

/// One topic's progress (§5.2.7 with `topic`).
pub async fn topic_detail(
    dms: &DmsClient,
    budget: &Budget,
    instance_id: &str,
    group: &str,
    topic: &str,
) -> Result<GroupTopicDetail, ApiError> {
    let paging = Paging::new(50, 0);
    budgeted(budget, || {
        dms.show_group_topic_detail(instance_id, group, topic, &paging)
    })
    .await
    .map(|r| r.into_inner())
}

/// The messages in `group`'s dead-letter queue (none when it has no such queue yet).
pub async fn dead_letters(
    dms: &DmsClient,
    budget: &Budget,
    instance_id: &str,
    group: &str,
) -> Result<i64, ApiError> {
    let topic = format!("%DLQ%{group}");
    match budgeted(budget, || dms.show_topic_status(instance_id, &topic)).await {
        Ok(status) => Ok(status
            .brokers
            .iter()
            .flat_map(|b| b.queues.iter())
            .map(|q| (q.max_offset - q.min_offset).max(0))
            .sum()),
        // No dead-letter topic means no dead letters yet.
        Err(error)
            if error.kind == ErrorKind::NotFound
                || error.code.as_deref() == Some("DMS.00400876") =>
        {
            Ok(0)
        }
        Err(error) => Err(error),
    }
}

/// Reads the figures of `group`: its topics, then each topic's progress; at the same time its
/// clients (one row is enough: the answer carries the group's online state and consistency)
/// and its dead letters. Two round trips to DMS for any number of topics.
pub async fn read_figures(
    dms: &DmsClient,
    budget: &Budget,
    instance_id: &str,
    group: &str,
) -> Result<Figures, ApiError> {
    let backlog = async {
        let topics = group_topics(dms, budget, instance_id, group).await?;
        let details: Vec<Result<GroupTopicDetail, ApiError>> = futures_util::stream::iter(
            topics.iter().cloned(),
        )
        .map(|topic| async move { topic_detail(dms, budget, instance_id, group, &topic).await })
        .buffer_unordered(TOPICS_AT_ONCE)
        .collect()
        .await;
        let (mut lag, mut lagging, mut newest) = (0, false, 0);
        for detail in details {
            let (l, any, n) = topic_backlog(&detail?);
            lag += l;
            lagging |= any;
            newest = newest.max(n);
        }
        Ok::<_, ApiError>((lag, lagging, newest, topics.len()))
    };
    let clients = budgeted(budget, || {
        dms.list_consumer_clients(
            instance_id,
            group,
            &ListConsumerClientsQuery {
                limit: Some(1),
                offset: Some(0),
                is_detail: None,
            },
        )
    });
    let (backlog, clients, dead) = tokio::join!(
        backlog,
        clients,
        dead_letters(dms, budget, instance_id, group)
    );
    let (lag, lagging, newest, topics) = backlog?;
    let clients = clients?.into_inner();
    let now = crate::clock::now_ms();
    Ok(Figures {
        lag,
        behind: behind_of(lag, lagging, newest, now),
        topics,
        online: clients.online || clients.total > 0,
        clients: clients.total.max(0),
        consistent: clients.subscription_consistency,
        dead_letters: dead?,
        read_ms: now,
    })
}

/// Every consumer group of an instance (§5.2.1 pages, read a few at a time), and whether the
/// walk stopped at [`MAX_GROUPS`].
pub async fn list_groups(
    dms: &DmsClient,
    budget: &Budget,
    instance_id: &str,
    filter: &str,
) -> Result<(Vec<ConsumerGroup>, bool), ApiError> {
    let walked = walk::collect_concurrent(50, MAX_GROUPS, 4, |offset, limit| async move {
        let query = ListConsumerGroupsQuery {
            group: Some(filter.to_owned()).filter(|f| !f.is_empty()),
            limit: Some(limit),
            offset: Some(offset),
        };
        let reply = budgeted(budget, || dms.list_consumer_groups(instance_id, &query))
            .await?
            .into_inner();
        Ok(Page {
            total: Some(reply.total.max(0) as u64),
            items: reply.groups,
        })
    })
    .await?;
    Ok((walked.items, walked.truncated))
}

/// What a view shows for one group.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Not read yet.
    Pending,
    /// Read.
    Ready(Figures),
    /// Reading failed.
    Failed(ErrorSummary),
    /// The group was not there when the figures' list of groups was read.
    Missing,
}

/// How far a board is, for the label of the views that show it.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// Groups whose figures were read (or failed).
    pub read: usize,
    /// Groups of the instance, once listed.
    pub total: Option<usize>,
    /// Groups whose figures could not be read.
    pub failed: usize,
    /// Whether every group was read (or the listing failed).
    pub complete: bool,
    /// How long ago the figures were complete.
    pub age: Option<Duration>,
    /// Whether newer figures are being read in the background.
    pub refreshing: bool,
    /// Why the groups could not be listed.
    pub listing_failed: Option<ErrorSummary>,
    /// Whether the listing stopped at [`MAX_GROUPS`].
    pub truncated: bool,
    /// The budget's window now (calls in flight allowed).
    pub window: usize,
}

/// Where a board reads from.
struct Source {
    dms: DmsClient,
    budget: Arc<Budget>,
    instance_id: String,
}

/// The list of groups a generation reads.
enum Listing {
    Reading,
    Read {
        groups: Arc<Vec<ConsumerGroup>>,
        members: HashSet<String>,
        truncated: bool,
    },
    Failed(ErrorSummary),
}

/// One complete reading of every group's figures (or one under way).
struct Generation {
    id: u64,
    listing: Listing,
    figures: HashMap<String, Result<Figures, ErrorSummary>>,
    in_flight: HashSet<String>,
    priority: VecDeque<String>,
    cursor: usize,
    finished: Option<Instant>,
}

impl Generation {
    fn new(id: u64) -> Self {
        Self {
            id,
            listing: Listing::Reading,
            figures: HashMap::new(),
            in_flight: HashSet::new(),
            priority: VecDeque::new(),
            cursor: 0,
            finished: None,
        }
    }

    /// The next group to read: a wanted one first, else the next in DMS order.
    fn next(&mut self) -> Option<String> {
        let Listing::Read {
            groups, members, ..
        } = &self.listing
        else {
            return None;
        };
        while let Some(name) = self.priority.pop_front() {
            if members.contains(&name)
                && !self.figures.contains_key(&name)
                && !self.in_flight.contains(&name)
            {
                self.in_flight.insert(name.clone());
                return Some(name);
            }
        }
        while let Some(group) = groups.get(self.cursor) {
            self.cursor += 1;
            if !self.figures.contains_key(&group.name) && !self.in_flight.contains(&group.name) {
                self.in_flight.insert(group.name.clone());
                return Some(group.name.clone());
            }
        }
        None
    }
}

struct State {
    /// What views show.
    current: Generation,
    /// A newer generation read in the background; it replaces `current` once complete.
    next: Option<Generation>,
    next_id: u64,
    /// When a background reading last started (so a failing one is not restarted at once).
    last_refill: Option<Instant>,
}

impl State {
    fn generation(&mut self, id: u64) -> Option<&mut Generation> {
        if self.current.id == id {
            Some(&mut self.current)
        } else {
            self.next.as_mut().filter(|g| g.id == id)
        }
    }
}

struct Inner {
    state: Mutex<State>,
    source: Source,
    /// Bumped whenever figures arrive, so views can wait for more.
    changed: watch::Sender<u64>,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn bump(&self) {
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }
}

/// The lag board of one instance as one credential sees it (a cheap handle).
#[derive(Clone)]
pub struct Board(Arc<Inner>);

impl Board {
    /// A board of `instance_id` that starts reading at once (on the Tokio runtime).
    pub fn start(dms: DmsClient, budget: Arc<Budget>, instance_id: &str) -> Self {
        let (changed, _) = watch::channel(0);
        let board = Self(Arc::new(Inner {
            state: Mutex::new(State {
                current: Generation::new(0),
                next: None,
                next_id: 1,
                last_refill: None,
            }),
            source: Source {
                dms,
                budget,
                instance_id: instance_id.to_owned(),
            },
            changed,
        }));
        tokio::spawn(fill(Arc::downgrade(&board.0), 0));
        board
    }

    /// Starts a background reading when the figures are complete and older than [`FRESH`]
    /// (and no reading started within [`FRESH`]); after a failed listing, a new visible
    /// reading once [`RETRY_LISTING`] has passed.
    pub fn touch(&self) {
        let id = {
            let mut state = self.0.lock();
            let Some(finished) = state.current.finished else {
                return;
            };
            let id = state.next_id;
            if matches!(state.current.listing, Listing::Failed(_)) {
                // Nothing to show meanwhile: the new reading is shown as it goes.
                if finished.elapsed() < RETRY_LISTING {
                    return;
                }
                state.current = Generation::new(id);
            } else {
                let recently = state.last_refill.is_some_and(|at| at.elapsed() < FRESH);
                if finished.elapsed() < FRESH || state.next.is_some() || recently {
                    return;
                }
                state.next = Some(Generation::new(id));
                state.last_refill = Some(Instant::now());
            }
            state.next_id += 1;
            id
        };
        tokio::spawn(fill(Arc::downgrade(&self.0), id));
    }

    /// Reads the figures of `names` before any other group still waiting.
    pub fn want<'a>(&self, names: impl IntoIterator<Item = &'a str>) {
        let mut state = self.0.lock();
        let current = &mut state.current;
        for name in names {
            if !current.figures.contains_key(name) && !current.in_flight.contains(name) {
                current.priority.push_back(name.to_owned());
            }
        }
        // Views ask again every second: the oldest wishes go first.
        let excess = current.priority.len().saturating_sub(MAX_WANTED);
        current.priority.drain(..excess);
    }

    /// What a view shows for `name`.
    pub fn cell(&self, name: &str) -> Cell {
        cell_of(&self.0.lock().current, name)
    }

    /// What a view shows for each of `names`.
    pub fn cells<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> Vec<Cell> {
        let state = self.0.lock();
        names
            .into_iter()
            .map(|name| cell_of(&state.current, name))
            .collect()
    }

    /// Every group read so far, with its figures or why they could not be read.
    pub fn read(&self) -> Vec<(String, Result<Figures, ErrorSummary>)> {
        let state = self.0.lock();
        state
            .current
            .figures
            .iter()
            .map(|(name, result)| (name.clone(), result.clone()))
            .collect()
    }

    /// The groups of the instance, once listed (in DMS order).
    pub fn groups(&self) -> Option<Arc<Vec<ConsumerGroup>>> {
        match &self.0.lock().current.listing {
            Listing::Read { groups, .. } => Some(groups.clone()),
            _ => None,
        }
    }

    /// How far the board is.
    pub fn progress(&self) -> Progress {
        let state = self.0.lock();
        let current = &state.current;
        let (total, listing_failed, truncated) = match &current.listing {
            Listing::Reading => (None, None, false),
            Listing::Read {
                groups, truncated, ..
            } => (Some(groups.len()), None, *truncated),
            Listing::Failed(error) => (None, Some(error.clone()), false),
        };
        Progress {
            read: current.figures.len(),
            total,
            failed: current.figures.values().filter(|r| r.is_err()).count(),
            complete: current.finished.is_some(),
            age: current.finished.map(|at| at.elapsed()),
            refreshing: state.next.is_some(),
            listing_failed,
            truncated,
            window: self.0.source.budget.window(),
        }
    }

    /// Waits until the figures are complete or `deadline` passes; whether they are complete.
    pub async fn wait(&self, deadline: Duration) -> bool {
        let mut changes = self.0.changed.subscribe();
        let until = tokio::time::Instant::now() + deadline;
        loop {
            if self.0.lock().current.finished.is_some() {
                return true;
            }
            match tokio::time::timeout_at(until, changes.changed()).await {
                Ok(Ok(())) => continue,
                _ => return self.0.lock().current.finished.is_some(),
            }
        }
    }
}

fn cell_of(generation: &Generation, name: &str) -> Cell {
    match generation.figures.get(name) {
        None if matches!(&generation.listing, Listing::Read { members, .. } if !members.contains(name)) => {
            Cell::Missing
        }
        None => Cell::Pending,
        Some(Ok(figures)) => Cell::Ready(figures.clone()),
        Some(Err(error)) => Cell::Failed(error.clone()),
    }
}

/// Reads generation `id` of the board behind `board`: the group list, then every group's
/// figures, [`GROUPS_AT_ONCE`] at a time. Stops when the board is dropped or the generation
/// is no longer one of its two.
async fn fill(board: Weak<Inner>, id: u64) {
    let Some(source) = board.upgrade().map(|inner| {
        (
            inner.source.dms.clone(),
            inner.source.budget.clone(),
            inner.source.instance_id.clone(),
        )
    }) else {
        return;
    };
    let (dms, budget, instance_id) = source;
    let listing = match list_groups(&dms, &budget, &instance_id, "").await {
        Ok((groups, truncated)) => Listing::Read {
            members: groups.iter().map(|g| g.name.clone()).collect(),
            groups: Arc::new(groups),
            truncated,
        },
        Err(error) => Listing::Failed(ErrorSummary::upstream("groups-op-list", &error)),
    };
    let listed = matches!(listing, Listing::Read { .. });
    if !store(&board, id, |generation| generation.listing = listing) {
        return;
    }
    if listed {
        let names = futures_util::stream::unfold((), |()| {
            let board = board.clone();
            async move {
                let inner = board.upgrade()?;
                let mut state = inner.lock();
                let name = state.generation(id)?.next()?;
                Some((name, ()))
            }
        });
        names
            .map(|name| {
                let (dms, budget, instance_id) = (&dms, &budget, &instance_id);
                async move {
                    let result = read_figures(dms, budget, instance_id, &name).await;
                    (name, result)
                }
            })
            .buffer_unordered(GROUPS_AT_ONCE)
            .for_each(|(name, result)| {
                let result =
                    result.map_err(|error| ErrorSummary::upstream("op-read-group-lag", &error));
                store(&board, id, move |generation| {
                    generation.in_flight.remove(&name);
                    generation.figures.insert(name, result);
                });
                async {}
            })
            .await;
    }
    // Complete: a background generation now replaces what views show.
    if let Some(inner) = board.upgrade() {
        let mut state = inner.lock();
        if let Some(generation) = state.generation(id) {
            generation.finished = Some(Instant::now());
        }
        if state.next.as_ref().is_some_and(|g| g.id == id) {
            let next = state.next.take().expect("checked");
            state.current = next;
        }
        drop(state);
        inner.bump();
    }
}

/// Applies `change` to generation `id` of the board, if both still exist; whether they did.
fn store(board: &Weak<Inner>, id: u64, change: impl FnOnce(&mut Generation)) -> bool {
    let Some(inner) = board.upgrade() else {
        return false;
    };
    let found = {
        let mut state = inner.lock();
        match state.generation(id) {
            Some(generation) => {
                change(generation);
                true
            }
            None => false,
        }
    };
    if found {
        inner.bump();
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behind_is_measured_from_the_newest_consumed_message_of_a_lagging_queue() {
        assert_eq!(behind_of(0, false, 0, 10_000), Behind::UpToDate);
        assert_eq!(behind_of(5, true, 4_000, 10_000), Behind::By(6_000));
        assert_eq!(behind_of(5, true, 0, 10_000), Behind::NeverConsumed);
        assert!(Behind::NeverConsumed.sort_key() > Behind::By(1_000_000).sort_key());
        assert!(Behind::UpToDate.sort_key() < Behind::By(0).sort_key());
    }

    #[test]
    fn wanted_groups_are_read_first_and_every_group_once() {
        let names = ["a", "b", "c", "d"];
        let groups: Vec<ConsumerGroup> = names
            .iter()
            .map(|n| ConsumerGroup {
                name: (*n).to_owned(),
                ..Default::default()
            })
            .collect();
        let mut generation = Generation::new(0);
        assert_eq!(generation.next(), None, "nothing before the list is read");
        generation.listing = Listing::Read {
            members: names.iter().map(|n| (*n).to_owned()).collect(),
            groups: Arc::new(groups),
            truncated: false,
        };
        generation
            .priority
            .extend(["c", "not-listed", "c"].map(str::to_owned));
        let order: Vec<String> = std::iter::from_fn(|| generation.next()).collect();
        assert_eq!(order, ["c", "a", "b", "d"]);
    }
}
