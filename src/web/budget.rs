//! How many DMS calls may be in flight for one instance, shared by every view and every user
//! of the console, so that several open dashboards cannot push a tenant into DMS flow control.
//!
//! Each instance (endpoint, project and instance id) has a [`Budget`]: a window of calls in
//! flight, 8 at first. A call that DMS throttles (`429` or `DMS.10240407`) halves the window
//! (down to 1) instead of every caller retrying; each run of 32 calls answered without
//! throttling widens it by one again (up to 16). Callers wait for a free slot in the window.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;

use crate::api::{ApiError, ErrorKind};

/// The window a budget starts with.
pub const INITIAL: usize = 8;
/// The widest window.
pub const MAX: usize = 16;
/// Calls answered without throttling before the window widens by one.
const WIDEN_AFTER: u32 = 32;

/// The calls in flight allowed for one instance.
pub struct Budget {
    permits: Semaphore,
    state: Mutex<Window>,
}

struct Window {
    /// The current window.
    size: usize,
    /// Permits to take back from the semaphore as calls finish (after a shrink).
    owed: usize,
    /// Calls answered without throttling since the last change.
    calm: u32,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            permits: Semaphore::new(INITIAL),
            state: Mutex::new(Window {
                size: INITIAL,
                owed: 0,
                calm: 0,
            }),
        }
    }
}

impl Budget {
    /// The current window.
    pub fn window(&self) -> usize {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).size
    }

    /// Runs `call` when the window has room, and adjusts the window to its answer.
    pub async fn run<T>(
        &self,
        call: impl Future<Output = Result<T, ApiError>>,
    ) -> Result<T, ApiError> {
        let permit = self
            .permits
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let result = call.await;
        let throttled = matches!(&result, Err(e) if e.kind == ErrorKind::Throttled);
        let mut window = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if throttled {
            let smaller = (window.size / 2).max(1);
            // Take back the free permits now; those held by calls in flight as they finish.
            let shrink = window.size - smaller;
            let taken = self.permits.forget_permits(shrink);
            window.owed += shrink - taken;
            window.size = smaller;
            window.calm = 0;
        } else {
            window.calm += 1;
            if window.calm >= WIDEN_AFTER && window.size < MAX && window.owed == 0 {
                window.size += 1;
                window.calm = 0;
                self.permits.add_permits(1);
            }
        }
        if window.owed > 0 {
            // This call's permit is one the window no longer has.
            window.owed -= 1;
            permit.forget();
        } else {
            drop(permit);
        }
        result
    }
}

/// The budgets of every instance the console talks to.
#[derive(Default)]
pub struct Budgets {
    by_instance: Mutex<HashMap<String, Arc<Budget>>>,
}

impl Budgets {
    /// The budget of `instance_id` of `tenant` (its DMS endpoint and project).
    pub fn of(&self, tenant: &str, instance_id: &str) -> Arc<Budget> {
        let key = format!("{tenant}|{instance_id}");
        let mut map = self.by_instance.lock().unwrap_or_else(|e| e.into_inner());
        // Bounded: an instance that nobody looks at any more loses its budget (and starts
        // afresh next time) once a thousand others have been seen.
        if map.len() >= 1000 && !map.contains_key(&key) {
            map.retain(|_, budget| Arc::strong_count(budget) > 1);
        }
        map.entry(key).or_default().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    fn throttled() -> ApiError {
        ApiError::from_response(
            "ListTopics",
            404,
            Some("DMS.10240407".into()),
            "flow control".into(),
            None,
        )
    }

    #[tokio::test]
    async fn throttling_halves_the_window_and_calm_widens_it() {
        let budget = Budget::default();
        assert_eq!(budget.window(), INITIAL);
        let _ = budget.run(async { Err::<(), _>(throttled()) }).await;
        assert_eq!(budget.window(), INITIAL / 2);
        let _ = budget.run(async { Err::<(), _>(throttled()) }).await;
        let _ = budget.run(async { Err::<(), _>(throttled()) }).await;
        let _ = budget.run(async { Err::<(), _>(throttled()) }).await;
        assert_eq!(budget.window(), 1);
        for _ in 0..WIDEN_AFTER {
            budget.run(async { Ok::<_, ApiError>(()) }).await.unwrap();
        }
        assert_eq!(budget.window(), 2);
    }

    #[tokio::test]
    async fn no_more_calls_than_the_window_are_in_flight() {
        let budget = Arc::new(Budget::default());
        let _ = budget.run(async { Err::<(), _>(throttled()) }).await;
        let in_flight = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let calls: Vec<_> = (0..20)
            .map(|_| {
                let (budget, in_flight, most) = (budget.clone(), in_flight.clone(), most.clone());
                tokio::spawn(async move {
                    budget
                        .run(async {
                            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                            most.fetch_max(now, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(5)).await;
                            in_flight.fetch_sub(1, Ordering::SeqCst);
                            Ok::<_, ApiError>(())
                        })
                        .await
                })
            })
            .collect();
        for call in calls {
            call.await.unwrap().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), INITIAL / 2);
    }
}
