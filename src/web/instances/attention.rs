//! The dashboard's "needs attention" panel: the consumer groups with the largest lag and
//! those holding dead letters, over every group of the instance.
//!
//! The panel reads the instance's lag board (`web::groups::lag`), the same figures the groups
//! tab shows, kept per credential in the cache: a view reads nothing from DMS when the board is
//! fresh, and starts its reading otherwise. The panel waits a moment for the board; while the
//! board is still being read it shows what is known, says how far the reading is, and asks for
//! itself again every second. Every group it names links to its page.

use std::time::Duration;

use askama::Template;

use crate::domain::InstanceId;
use crate::web::error::{ErrorSummary, WebError};
use crate::web::groups::lag::{Figures, Progress};
use crate::web::groups::{board, dlq_href, group_href};
use crate::web::i18n::Msg;
use crate::web::prefs::Ui;
use crate::web::session::CurrentUser;

/// How long the panel waits for the board before it shows what it has (when the page loads
/// it, and when it asks for itself again): enough for a small instance's figures to be
/// complete at once, short enough that a large one's dashboard is not held up.
pub const PANEL_WAIT: Duration = Duration::from_millis(150);
/// How long the page waits for the board when it renders the panel itself (no JavaScript).
pub const PAGE_WAIT: Duration = Duration::from_secs(10);
/// Groups listed per kind.
const SHOWN: usize = 5;

/// One group in the attention panel.
pub struct GroupHealth {
    /// Group name.
    pub name: String,
    /// Its page.
    pub href: String,
    /// Its dead letters.
    pub dlq_href: String,
    /// Messages not yet consumed, over its topics.
    pub lag: i64,
    /// Messages in its dead-letter queue.
    pub dead_letters: i64,
}

/// What needs attention.
pub struct Attention {
    /// Groups with the largest lag (lag > 0).
    pub lagging: Vec<GroupHealth>,
    /// Groups with the most dead letters.
    pub dead_lettered: Vec<GroupHealth>,
    /// Groups whose figures could not be read (the first few).
    pub failures: Vec<ErrorSummary>,
    /// How many more failed than are shown.
    pub more_failures: usize,
    /// How far the reading is.
    pub progress: Progress,
}

impl Attention {
    /// "Checked N of M consumer groups", complete or so far.
    pub fn checked(&self) -> Msg {
        let total = self.progress.total.unwrap_or(self.progress.read);
        let key = if self.progress.complete {
            "attention-checked"
        } else {
            "attention-checked-so-far"
        };
        Msg::new(key)
            .arg("checked", self.progress.read)
            .arg("total", total)
    }

    /// How old the figures are.
    pub fn age_ms(&self) -> Option<i64> {
        self.progress.age.map(|a| a.as_millis() as i64)
    }
}

/// The attention of instance `id`, waiting up to `wait` for the lag board.
pub async fn attention(
    user: &CurrentUser,
    id: &InstanceId,
    wait: Duration,
    refresh: bool,
) -> Result<Attention, ErrorSummary> {
    let board = board(user, id, refresh).await;
    board.wait(wait).await;
    let progress = board.progress();
    if let Some(error) = &progress.listing_failed {
        return Err(error.clone());
    }
    let health = |name: &str, f: &Figures| GroupHealth {
        name: name.to_owned(),
        href: group_href(id.as_str(), name),
        dlq_href: dlq_href(id.as_str(), name),
        lag: f.lag,
        dead_letters: f.dead_letters,
    };
    let mut read = board.read();
    read.sort_by(|a, b| a.0.cmp(&b.0));
    let mut lagging = Vec::new();
    let mut dead_lettered = Vec::new();
    let mut failures = Vec::new();
    for (name, result) in &read {
        match result {
            Ok(f) => {
                if f.lag > 0 {
                    lagging.push(health(name, f));
                }
                if f.dead_letters > 0 {
                    dead_lettered.push(health(name, f));
                }
            }
            Err(error) => failures.push(error.clone()),
        }
    }
    lagging.sort_by(|a, b| b.lag.cmp(&a.lag).then(a.name.cmp(&b.name)));
    lagging.truncate(SHOWN);
    dead_lettered.sort_by(|a, b| {
        b.dead_letters
            .cmp(&a.dead_letters)
            .then(a.name.cmp(&b.name))
    });
    dead_lettered.truncate(SHOWN);
    let more_failures = failures.len().saturating_sub(SHOWN);
    failures.truncate(SHOWN);
    Ok(Attention {
        lagging,
        dead_lettered,
        failures,
        more_failures,
        progress,
    })
}

#[derive(Template)]
#[template(path = "instances/_attention.html")]
struct AttentionPanel<'a> {
    ui: Ui,
    instance_id: &'a str,
    panel: &'a Result<Attention, ErrorSummary>,
}
crate::fragment!(AttentionPanel<'_>, ui);

impl AttentionPanel<'_> {
    fn checked(&self, attention: &Attention) -> String {
        self.ui.lang.msg(&attention.checked())
    }
}

/// The attention panel before it is loaded: it asks for itself once the page is shown.
#[derive(Template)]
#[template(path = "instances/_attention_pending.html")]
struct AttentionPending<'a> {
    ui: Ui,
    instance_id: &'a str,
}
crate::fragment!(AttentionPending<'_>, ui);

/// The panel of instance `id`, read within `wait` (`refresh` reads every group again).
pub async fn panel(
    user: &CurrentUser,
    id: &InstanceId,
    wait: Duration,
    refresh: bool,
) -> Result<String, WebError> {
    let panel = attention(user, id, wait, refresh).await;
    Ok(AttentionPanel {
        ui: user.ui.clone(),
        instance_id: id.as_str(),
        panel: &panel,
    }
    .render()?)
}

/// The placeholder that loads the panel once the page is shown.
pub fn pending(user: &CurrentUser, id: &InstanceId) -> Result<String, WebError> {
    Ok(AttentionPending {
        ui: user.ui.clone(),
        instance_id: id.as_str(),
    }
    .render()?)
}
