//! A short-lived cache of lists that DMS cannot filter or sort (every topic of an instance,
//! every consumer group, the instance switcher's list), so that a name search or a sort does
//! not read thousands of rows on every view.
//!
//! Entries are keyed by the credential that read them as well as by instance: what one access
//! key or IAM user may see is never served to another. An entry is fresh for a few seconds;
//! after that it is still served (stale-while-revalidate) while one refresh runs in the
//! background, until it is too old to show. The console's own changes invalidate the entries
//! of the instance they changed, for every credential. The cache is bounded (`moka`): old and
//! least used entries go first. Pages say how old what they show is ([`Cached::age`]).

use std::collections::HashSet;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::api::ApiError;

/// What a cached list is of, in whose eyes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    /// The credential's scope ([`crate::web::session::CurrentUser::scope`]).
    pub scope: String,
    /// The instance (empty for project-wide lists).
    pub instance: String,
    /// A variant of the list (a filter), empty for the whole list.
    pub variant: String,
}

/// A cached value and when it was read from DMS.
#[derive(Debug)]
pub struct Cached<T> {
    /// The value.
    pub value: Arc<T>,
    /// When DMS answered.
    pub fetched: Instant,
}

impl<T> Clone for Cached<T> {
    fn clone(&self) -> Self {
        Self {
            value: self.value.clone(),
            fetched: self.fetched,
        }
    }
}

impl<T> Cached<T> {
    /// How old the value is.
    pub fn age(&self) -> Duration {
        self.fetched.elapsed()
    }
}

/// One kind of cached list.
pub struct ListCache<T> {
    entries: moka::future::Cache<CacheKey, Cached<T>>,
    fresh: Duration,
    refreshing: Arc<Mutex<HashSet<CacheKey>>>,
}

impl<T: Send + Sync + 'static> ListCache<T> {
    /// A cache of at most `capacity` lists, fresh for `fresh` and shown up to `max_age`.
    pub fn new(capacity: u64, fresh: Duration, max_age: Duration) -> Self {
        Self {
            entries: moka::future::Cache::builder()
                .max_capacity(capacity)
                .time_to_live(max_age)
                .support_invalidation_closures()
                .build(),
            fresh,
            refreshing: Arc::default(),
        }
    }

    /// Like [`ListCache::new`], bounded by the total `weigh` of its lists (their rows, say)
    /// rather than by their number: one instance's 10,000 topics weigh what 10,000 small
    /// lists do.
    pub fn weighted(
        max_weight: u64,
        fresh: Duration,
        max_age: Duration,
        weigh: fn(&T) -> u32,
    ) -> Self {
        Self {
            entries: moka::future::Cache::builder()
                .max_capacity(max_weight)
                .weigher(move |_key: &CacheKey, value: &Cached<T>| weigh(&value.value))
                .time_to_live(max_age)
                .support_invalidation_closures()
                .build(),
            fresh,
            refreshing: Arc::default(),
        }
    }

    /// The list of `key`: fresh from the cache; stale from the cache while `load` refreshes it
    /// in the background; or from `load` now (concurrent callers for the same key share one
    /// load). `refresh` forces a load now.
    pub async fn get<F, Fut>(
        &self,
        key: CacheKey,
        refresh: bool,
        load: F,
    ) -> Result<Cached<T>, ApiError>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, ApiError>> + Send + 'static,
    {
        if refresh {
            self.entries.invalidate(&key).await;
        }
        if let Some(entry) = self.entries.get(&key).await {
            if entry.age() > self.fresh {
                self.refresh_in_background(key, load);
            }
            return Ok(entry);
        }
        self.entries
            .try_get_with(key, async move {
                load().await.map(|value| Cached {
                    value: Arc::new(value),
                    fetched: Instant::now(),
                })
            })
            .await
            .map_err(|shared| shared.duplicate())
    }

    fn refresh_in_background<F, Fut>(&self, key: CacheKey, load: F)
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, ApiError>> + Send + 'static,
    {
        {
            let mut refreshing = self.refreshing.lock().unwrap_or_else(|e| e.into_inner());
            if !refreshing.insert(key.clone()) {
                return;
            }
        }
        let entries = self.entries.clone();
        let refreshing = self.refreshing.clone();
        tokio::spawn(async move {
            match load().await {
                Ok(value) => {
                    let entry = Cached {
                        value: Arc::new(value),
                        fetched: Instant::now(),
                    };
                    entries.insert(key.clone(), entry).await;
                }
                // The stale entry stays until it is too old; the next view tries again.
                Err(error) => {
                    tracing::debug!(error = %error, "a cached list could not be refreshed")
                }
            }
            refreshing
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&key);
        });
    }

    /// Forgets every list of `instance`, whoever read it (after the console changed it).
    pub fn invalidate_instance(&self, instance: &str) {
        let instance = instance.to_owned();
        if let Err(error) = self
            .entries
            .invalidate_entries_if(move |key, _| key.instance == instance)
        {
            tracing::error!(error = %error, "the cache cannot be invalidated");
        }
    }

    /// Forgets every list of every credential.
    pub fn invalidate_all(&self) {
        self.entries.invalidate_all();
    }

    /// How many lists are cached (approximately: `moka` counts lazily).
    pub fn entry_count(&self) -> u64 {
        self.entries.entry_count()
    }
}

/// Every topic of an instance as one walk of the topic list read it, with the instance's
/// topic quota from the same answers.
#[derive(Debug, Clone, Default)]
pub struct TopicListing {
    /// The topics, in DMS's order.
    pub topics: Vec<crate::api::models::topics::Topic>,
    /// How many topics DMS said there are.
    pub total: u64,
    /// The most topics the instance can have.
    pub max: i64,
    /// How many more can be created.
    pub remaining: i64,
    /// Whether the walk stopped at its limit before the end of the list.
    pub truncated: bool,
}

/// The most topic rows the topic lists of all instances and credentials hold together
/// (about 200 bytes each).
const TOPIC_ROWS: u64 = 200_000;

/// The cached lists of the console.
pub struct Lists {
    /// The project's instances (the switcher, at most the first 200), keyed by credential.
    pub instances: ListCache<Vec<crate::api::models::instances::Instance>>,
    /// Every topic of an instance, and its topic quota; bounded by rows, not lists.
    pub topics: ListCache<TopicListing>,
    /// Every consumer group of an instance.
    pub groups: ListCache<Vec<crate::api::models::groups::ConsumerGroup>>,
    /// The lag board of an instance (`web::groups::lag`): every group's figures, filled in as
    /// they are read and read again by the board itself when stale, so the cache never
    /// refreshes it.
    pub lags: ListCache<crate::web::groups::lag::Board>,
}

/// How long an instance's lag board is kept after it was created (it renews its own figures).
const LAG_BOARD_AGE: Duration = Duration::from_secs(1800);

impl Default for Lists {
    fn default() -> Self {
        let fresh = Duration::from_secs(15);
        let max_age = Duration::from_secs(300);
        Self {
            instances: ListCache::new(1_000, fresh, max_age),
            topics: ListCache::weighted(TOPIC_ROWS, fresh, max_age, |listing| {
                u32::try_from(listing.topics.len())
                    .unwrap_or(u32::MAX)
                    .max(1)
            }),
            groups: ListCache::new(256, fresh, max_age),
            lags: ListCache::new(64, LAG_BOARD_AGE, LAG_BOARD_AGE),
        }
    }
}

impl Lists {
    /// Forgets everything cached about `instance` (after the console changed it).
    pub fn invalidate(&self, instance: &str) {
        self.topics.invalidate_instance(instance);
        self.groups.invalidate_instance(instance);
        self.lags.invalidate_instance(instance);
        // The switcher shows names and statuses, which changes may have changed too.
        self.instances.invalidate_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn key(scope: &str) -> CacheKey {
        CacheKey {
            scope: scope.into(),
            instance: "i-1".into(),
            variant: String::new(),
        }
    }

    #[tokio::test]
    async fn a_list_is_read_once_per_credential_and_served_stale_while_refreshed() {
        let cache: ListCache<usize> =
            ListCache::new(100, Duration::from_millis(50), Duration::from_secs(60));
        let loads = Arc::new(AtomicUsize::new(0));
        let loader = |loads: Arc<AtomicUsize>| {
            move || async move { Ok(loads.fetch_add(1, Ordering::SeqCst) + 1) }
        };
        let first = cache
            .get(key("alice"), false, loader(loads.clone()))
            .await
            .unwrap();
        let again = cache
            .get(key("alice"), false, loader(loads.clone()))
            .await
            .unwrap();
        assert_eq!((*first.value, *again.value), (1, 1));
        // Another credential never sees alice's list.
        let bob = cache
            .get(key("bob"), false, loader(loads.clone()))
            .await
            .unwrap();
        assert_eq!(*bob.value, 2);
        // Past freshness: the stale value now, the new one after the background refresh.
        tokio::time::sleep(Duration::from_millis(80)).await;
        let stale = cache
            .get(key("alice"), false, loader(loads.clone()))
            .await
            .unwrap();
        assert_eq!(*stale.value, 1);
        tokio::time::sleep(Duration::from_millis(50)).await;
        let refreshed = cache
            .get(key("alice"), false, loader(loads.clone()))
            .await
            .unwrap();
        assert_eq!(*refreshed.value, 3);
        // A change to the instance drops every credential's list of it.
        cache.invalidate_instance("i-1");
        let reloaded = cache
            .get(key("bob"), false, loader(loads.clone()))
            .await
            .unwrap();
        assert_eq!(*reloaded.value, 4);
    }

    #[tokio::test]
    async fn concurrent_misses_share_one_load_and_errors_are_not_cached() {
        let cache: ListCache<usize> =
            ListCache::new(100, Duration::from_secs(5), Duration::from_secs(60));
        let loads = Arc::new(AtomicUsize::new(0));
        let slow = |loads: Arc<AtomicUsize>| {
            move || async move {
                tokio::time::sleep(Duration::from_millis(30)).await;
                Ok(loads.fetch_add(1, Ordering::SeqCst) + 1)
            }
        };
        let (a, b) = tokio::join!(
            cache.get(key("alice"), false, slow(loads.clone())),
            cache.get(key("alice"), false, slow(loads.clone()))
        );
        assert_eq!((*a.unwrap().value, *b.unwrap().value), (1, 1));
        assert_eq!(loads.load(Ordering::SeqCst), 1);
        let failing = cache
            .get(key("carol"), false, || async {
                Err(ApiError::local(
                    "ListTopics",
                    crate::api::ErrorKind::Transport,
                    "down",
                ))
            })
            .await;
        assert!(failing.is_err());
        let after = cache
            .get(key("carol"), false, slow(loads.clone()))
            .await
            .unwrap();
        assert_eq!(*after.value, 2);
    }
}
