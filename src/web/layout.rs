//! `Layout`: what the base template needs on every page — title, the signed-in user with
//! role and connection, the CSRF token, navigation, breadcrumbs and what the role may do.

use super::rbac::Permission;
use super::session::CurrentUser;

/// The header's view of the user.
#[derive(Debug, Clone)]
pub struct UserBar {
    /// Who.
    pub name: String,
    /// The role's name.
    pub role: String,
    /// How they signed in.
    pub mode: &'static str,
    /// The connection (region and project, or connection name).
    pub connection: String,
}

/// One breadcrumb: a label and, except for the last, a link.
#[derive(Debug, Clone)]
pub struct Crumb {
    /// The label.
    pub label: String,
    /// The link.
    pub href: Option<String>,
}

/// Layout data of every page.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// The page title.
    pub title: String,
    /// The user, when signed in.
    pub user: Option<UserBar>,
    /// The CSRF token for forms and htmx.
    pub csrf: String,
    /// The section of the navigation that is active (`instances`, `audit`).
    pub section: &'static str,
    /// Breadcrumbs.
    pub crumbs: Vec<Crumb>,
    /// Whether the audit log link is shown.
    pub can_audit: bool,
    /// The instance switcher, on instance pages.
    pub switcher: Option<Switcher>,
}

/// The header's instance switcher: the current instance and the others to jump to.
#[derive(Debug, Clone, Default)]
pub struct Switcher {
    /// The current instance's name.
    pub current: String,
    /// The current instance's id.
    pub current_id: String,
    /// Instances to switch to: id, name, status.
    pub items: Vec<(String, String, String)>,
    /// Why the list is missing, when it could not be read.
    pub problem: Option<String>,
}

impl Layout {
    /// The layout of a page for `user`.
    pub fn for_user(user: &CurrentUser, title: impl Into<String>, section: &'static str) -> Self {
        Self {
            title: title.into(),
            user: Some(UserBar {
                name: user.record.user.clone(),
                role: user.record.role.to_string(),
                mode: user.record.mode.label(),
                connection: user.record.connection_label.clone(),
            }),
            csrf: user.record.csrf.clone(),
            section,
            crumbs: Vec::new(),
            can_audit: user.can(Permission::ReadAudit),
            switcher: None,
        }
    }

    /// Adds a breadcrumb.
    pub fn crumb(mut self, label: impl Into<String>, href: Option<String>) -> Self {
        self.crumbs.push(Crumb {
            label: label.into(),
            href,
        });
        self
    }
}
