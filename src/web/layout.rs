//! `Layout`: what `base.html` needs on every page: the reader's preferences, the title, the
//! signed-in user, the CSRF token, navigation, breadcrumbs, the connection's environment
//! banner, and on instance pages the instance's tabs and switcher.

use actix_session::SessionExt;
use actix_web::{HttpRequest, web};

use crate::api::DmsClient;
use crate::api::models::instances::{Instance, ListInstancesQuery};
use crate::api::walk;
use crate::domain::InstanceId;

use super::cache::Cached;
use super::i18n::{Lang, Msg};
use super::prefs::{Theme, Ui, ZoneChoice};
use super::rbac::{Permission, Role, allows};
use super::session::{CurrentUser, SessionRecord, SignInMode, environment};
use super::state::{AppState, Environment};

/// The header's view of the user.
#[derive(Debug, Clone)]
pub struct UserBar {
    /// Who.
    pub name: String,
    /// The role.
    pub role: Role,
    /// How they signed in.
    pub mode: SignInMode,
    /// The connection (region and project, or connection name).
    pub connection: String,
    /// The connections a single-sign-on user may switch between (empty otherwise).
    pub grants: Vec<super::oidc::Grant>,
}

/// One breadcrumb: a label and, except for the last, a link.
#[derive(Debug, Clone)]
pub struct Crumb {
    /// The label.
    pub label: String,
    /// Whether the label is a value from DMS or a user (shown isolated) rather than
    /// catalogue text.
    pub is_value: bool,
    /// The link.
    pub href: Option<String>,
}

/// The top-level section a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Section {
    /// Instances and everything inside them.
    #[default]
    Instances,
    /// The audit log.
    Audit,
    /// The live sessions.
    Sessions,
    /// Anything else (sign-in, errors).
    Other,
}

/// The tabs of an instance, in order. A tab is shown only when its page exists in the route
/// table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// The dashboard.
    Overview,
    /// Topics.
    Topics,
    /// Consumer groups.
    Groups,
    /// Message search.
    Messages,
    /// Dead letters.
    DeadLetters,
    /// ACL users.
    Users,
    /// RocketMQ parameters.
    Config,
    /// Metadata migration.
    Migrations,
    /// Tags.
    Tags,
}

impl Tab {
    /// Every tab, in display order.
    pub const ALL: [Tab; 9] = [
        Tab::Overview,
        Tab::Topics,
        Tab::Groups,
        Tab::Messages,
        Tab::DeadLetters,
        Tab::Users,
        Tab::Config,
        Tab::Migrations,
        Tab::Tags,
    ];

    /// The path after `/instances/{id}`.
    pub fn suffix(self) -> &'static str {
        match self {
            Self::Overview => "",
            Self::Topics => "/topics",
            Self::Groups => "/groups",
            Self::Messages => "/messages",
            Self::DeadLetters => "/dlq",
            Self::Users => "/users",
            Self::Config => "/config",
            Self::Migrations => "/migrations",
            Self::Tags => "/tags",
        }
    }

    /// The catalogue key of its label.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Overview => "tab-overview",
            Self::Topics => "tab-topics",
            Self::Groups => "tab-groups",
            Self::Messages => "tab-messages",
            Self::DeadLetters => "tab-dead-letters",
            Self::Users => "tab-users",
            Self::Config => "tab-config",
            Self::Migrations => "tab-migrations",
            Self::Tags => "tab-tags",
        }
    }

    /// What a role needs to see the tab (the administrator's tabs are theirs alone).
    pub fn permission(self) -> Permission {
        match self {
            Self::Config => Permission::ManageConfig,
            Self::Migrations => Permission::ManageMigration,
            Self::Tags => Permission::ManageTags,
            _ => Permission::Read,
        }
    }

    /// Whether the tab's page exists (a test checks this against the route table).
    pub fn exists(self) -> bool {
        EXISTING_TABS.contains(&self)
    }

    /// The tab's address for instance `id`.
    pub fn href(self, id: &str) -> String {
        format!("/instances/{id}{}", self.suffix())
    }
}

/// The tabs whose pages exist: a tab is added here with its page's route.
pub const EXISTING_TABS: &[Tab] = &[
    Tab::Overview,
    Tab::Topics,
    Tab::Groups,
    Tab::Messages,
    Tab::DeadLetters,
    Tab::Users,
    Tab::Config,
    Tab::Migrations,
    Tab::Tags,
];

/// One tab as the page shows it.
#[derive(Debug, Clone)]
pub struct TabLink {
    /// The catalogue key of its label.
    pub label_key: &'static str,
    /// Where it goes.
    pub href: String,
    /// Whether it is the current page's tab.
    pub current: bool,
}

/// One instance in the switcher.
#[derive(Debug, Clone)]
pub struct SwitcherItem {
    /// The instance's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its status.
    pub status: String,
    /// The same tab of that instance.
    pub href: String,
    /// Whether it is the current instance.
    pub current: bool,
}

/// The navigation of an instance page: its name, tabs and the instance switcher.
#[derive(Debug, Clone)]
pub struct InstanceNav {
    /// The instance's id.
    pub id: String,
    /// The instance's name (its id when the name is unknown).
    pub name: String,
    /// The tabs whose pages exist and that the reader's role may open.
    pub tabs: Vec<TabLink>,
    /// Instances to switch to, on the same tab.
    pub switcher: Vec<SwitcherItem>,
    /// Why the switcher is empty, when the instances could not be listed.
    pub switcher_problem: Option<Msg>,
}

impl InstanceNav {
    /// The navigation of instance `id` on `tab`: the project's instances for the switcher and
    /// the instance's name, from the credential's cached list (read from DMS when it is not
    /// cached or too old).
    pub async fn load(user: &CurrentUser, id: &InstanceId, tab: Tab) -> Self {
        let (instances, problem) = match switcher_instances(user).await {
            Ok(listed) => (listed.value.as_ref().clone(), None),
            Err(error) => (
                Vec::new(),
                Some(Msg::new("switcher-problem").arg(
                    "detail",
                    super::error::upstream_summary(Msg::new("op-list-instances"), &error).message,
                )),
            ),
        };
        let name = instances
            .iter()
            .find(|i| i.instance_id == id.as_str())
            .map(|i| i.name.clone());
        Self::new(
            id,
            name,
            tab,
            user.record.role,
            instances
                .iter()
                .map(|i| (i.instance_id.clone(), i.name.clone(), i.status.clone())),
            problem,
        )
    }

    /// The navigation from what the caller already knows.
    pub fn new(
        id: &InstanceId,
        name: Option<String>,
        tab: Tab,
        role: Role,
        instances: impl Iterator<Item = (String, String, String)>,
        switcher_problem: Option<Msg>,
    ) -> Self {
        let id = id.as_str();
        Self {
            id: id.to_owned(),
            name: name.unwrap_or_else(|| id.to_owned()),
            tabs: Tab::ALL
                .into_iter()
                .filter(|t| t.exists() && allows(role, t.permission()))
                .map(|t| TabLink {
                    label_key: t.label_key(),
                    href: t.href(id),
                    current: t == tab,
                })
                .collect(),
            switcher: instances
                .map(|(other, name, status)| SwitcherItem {
                    href: tab.href(&other),
                    current: other == id,
                    id: other,
                    name,
                    status,
                })
                .collect(),
            switcher_problem,
        }
    }
}

/// At most this many instances are listed in the switcher.
const SWITCHER_LIMIT: usize = 200;

/// The project's instances as the switcher lists them, cached per credential.
pub async fn switcher_instances(
    user: &CurrentUser,
) -> Result<Cached<Vec<Instance>>, crate::api::ApiError> {
    let dms = user.dms.clone();
    user.state
        .lists
        .instances
        .get(user.cache_key("", "switcher"), false, move || async move {
            switcher_walk(&dms).await
        })
        .await
}

/// The first instances (up to the switcher's limit) that `dms` lists, page by page.
pub async fn switcher_walk(dms: &DmsClient) -> Result<Vec<Instance>, crate::api::ApiError> {
    let walked = walk::collect(50, SWITCHER_LIMIT, |offset, limit| {
        let query = ListInstancesQuery {
            offset: Some(offset),
            limit: Some(limit),
            ..Default::default()
        };
        let dms = dms.clone();
        async move {
            let reply = dms.list_instances(&query).await?.into_inner();
            Ok(walk::Page {
                total: Some(reply.instance_num.max(0) as u64),
                items: reply.instances,
            })
        }
    })
    .await?;
    Ok(walked.items)
}

/// Layout data of every page.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// The reader's language, zone and theme.
    pub ui: Ui,
    /// The page title (already in the reader's language).
    pub title: String,
    /// The user, when signed in.
    pub user: Option<UserBar>,
    /// The CSRF token for forms and htmx (the session's, or the sign-in form's).
    pub csrf: String,
    /// The section of the navigation that is active.
    pub section: Section,
    /// Breadcrumbs.
    pub crumbs: Vec<Crumb>,
    /// Whether the audit log link is shown.
    pub can_audit: bool,
    /// The instance's tabs and switcher, on instance pages.
    pub instance: Option<InstanceNav>,
    /// The connection's environment label.
    pub environment: Option<Environment>,
    /// This page's path and query, for the preference forms to come back to.
    pub here: String,
}

impl Layout {
    /// The layout of a page for `user`; `title` is a catalogue key.
    pub fn for_user(user: &CurrentUser, title_key: &str, section: Section) -> Self {
        Self {
            title: user.ui.lang.t(title_key),
            user: Some(UserBar {
                name: user.record.user.clone(),
                role: user.record.role,
                mode: user.record.mode,
                connection: user.record.connection_label.clone(),
                grants: user.record.grants.clone(),
            }),
            csrf: user.record.csrf.clone(),
            section,
            crumbs: Vec::new(),
            can_audit: user.can(Permission::ReadAudit),
            instance: None,
            environment: user.environment.clone(),
            here: user.here.clone(),
            ui: user.ui.clone(),
        }
    }

    /// The layout of a page nobody is signed in to (sign-in); `csrf` is the sign-in form's.
    pub fn anonymous(ui: Ui, title_key: &str, csrf: String, here: String) -> Self {
        Self {
            title: ui.lang.t(title_key),
            csrf,
            section: Section::Other,
            here,
            ui,
            ..Default::default()
        }
    }

    /// The layout for whoever sent `request` (the error page): the user bar when a session
    /// exists.
    pub fn for_request(request: &HttpRequest, ui: Ui) -> Self {
        let record = SessionRecord::of(&request.get_session());
        let here = super::session::here(request);
        let Some(record) = record else {
            return Self {
                section: Section::Other,
                here,
                ui,
                ..Default::default()
            };
        };
        let environment = request
            .app_data::<web::Data<AppState>>()
            .and_then(|state| environment(state, &record));
        Self {
            user: Some(UserBar {
                name: record.user.clone(),
                role: record.role,
                mode: record.mode,
                connection: record.connection_label.clone(),
                grants: record.grants.clone(),
            }),
            csrf: record.csrf.clone(),
            section: Section::Other,
            can_audit: allows(record.role, Permission::ReadAudit),
            environment,
            here,
            ui,
            ..Default::default()
        }
    }

    /// Adds a breadcrumb of catalogue text.
    pub fn crumb(mut self, key: &str, href: Option<String>) -> Self {
        self.crumbs.push(Crumb {
            label: self.ui.lang.t(key),
            is_value: false,
            href,
        });
        self
    }

    /// Adds a breadcrumb showing a value (an instance's or topic's name).
    pub fn crumb_value(mut self, value: impl Into<String>, href: Option<String>) -> Self {
        self.crumbs.push(Crumb {
            label: value.into(),
            is_value: true,
            href,
        });
        self
    }

    /// The layout of a page inside an instance: its tabs, switcher and the breadcrumbs
    /// "Instances › name".
    pub fn in_instance(mut self, nav: InstanceNav) -> Self {
        self = self
            .crumb("nav-instances", Some("/instances".into()))
            .crumb_value(nav.name.clone(), Some(format!("/instances/{}", nav.id)));
        self.instance = Some(nav);
        self
    }
}

/// A language the switcher offers: its tag and its own name for itself.
#[derive(Debug, Clone)]
pub struct LangOption {
    /// The BCP 47 tag.
    pub tag: &'static str,
    /// The language's name, in that language.
    pub name: String,
    /// Whether it is the current language.
    pub current: bool,
}

impl Layout {
    /// The languages of the switcher.
    pub fn languages(&self) -> Vec<LangOption> {
        Lang::ALL
            .iter()
            .map(|lang| LangOption {
                tag: lang.tag(),
                name: lang.t("language-name"),
                current: *lang == self.ui.lang,
            })
            .collect()
    }

    /// The themes of the switcher.
    pub fn themes(&self) -> Vec<ThemeOption> {
        Theme::ALL
            .iter()
            .map(|theme| ThemeOption {
                value: theme.as_str(),
                label_key: match theme {
                    Theme::System => "theme-system",
                    Theme::Light => "theme-light",
                    Theme::Dark => "theme-dark",
                },
                current: *theme == self.ui.theme,
            })
            .collect()
    }

    /// Whether the page belongs to `section` (`instances`, `audit`).
    pub fn in_section(&self, section: &str) -> bool {
        matches!(
            (self.section, section),
            (Section::Instances, "instances")
                | (Section::Audit, "audit")
                | (Section::Sessions, "sessions")
        )
    }

    /// Whether times are shown in the browser's zone (not UTC).
    pub fn zone_is_browser(&self) -> bool {
        self.ui.zone_choice == ZoneChoice::Browser
    }

    /// The keyboard shortcuts.
    pub fn shortcuts(&self) -> &'static [Shortcut] {
        SHORTCUTS
    }

    /// Where the `g t`, `g g`, … shortcuts go: the current instance's pages.
    pub fn instance_base(&self) -> String {
        self.instance
            .as_ref()
            .map(|nav| format!("/instances/{}", nav.id))
            .unwrap_or_default()
    }
}

/// A keyboard shortcut of the help overlay (keys are named as printed on keyboards).
#[derive(Debug, Clone, Copy)]
pub struct Shortcut {
    /// The keys, pressed one after the other.
    pub keys: &'static [&'static str],
    /// The catalogue key of what it does.
    pub label_key: &'static str,
}

/// The shortcuts `static/app.js` implements.
pub const SHORTCUTS: &[Shortcut] = &[
    Shortcut {
        keys: &["?"],
        label_key: "shortcut-help",
    },
    Shortcut {
        keys: &["/"],
        label_key: "shortcut-filter",
    },
    Shortcut {
        keys: &["g", "i"],
        label_key: "shortcut-instances",
    },
    Shortcut {
        keys: &["g", "t"],
        label_key: "shortcut-topics",
    },
    Shortcut {
        keys: &["g", "g"],
        label_key: "shortcut-groups",
    },
    Shortcut {
        keys: &["g", "m"],
        label_key: "shortcut-messages",
    },
    Shortcut {
        keys: &["g", "d"],
        label_key: "shortcut-dead-letters",
    },
    Shortcut {
        keys: &["Esc"],
        label_key: "shortcut-close",
    },
];

/// A theme the switcher offers.
#[derive(Debug, Clone)]
pub struct ThemeOption {
    /// The value sent.
    pub value: &'static str,
    /// The catalogue key of its label.
    pub label_key: &'static str,
    /// Whether it is the current theme.
    pub current: bool,
}
