//! ACL users (API reference §5.5): the users tab (each user, its defaults and how many
//! topics and groups it has its own permission on; what it means when ACL is off), and the
//! audited changes: create (the secret key is generated, shown once and never again, never
//! logged, never audited), edit (whitelist, administrator, default permissions, and the
//! per-topic and per-group permissions as a matrix) and delete.
//!
//! `list` is the tab; `changes` the changes; `secret` the generated secret keys.

pub mod changes;
pub mod list;
pub mod secret;

use crate::domain::AclUserName;

use super::error::WebError;
use super::i18n::Msg;

/// Permissions on topics (API reference §5.5): publish, subscribe, both, none.
const TOPIC_PERMS: &[&str] = &["PUB", "SUB", "PUB|SUB", "DENY"];
/// Permissions on consumer groups: subscribe or none.
const GROUP_PERMS: &[&str] = &["SUB", "DENY"];
/// The longest whitelist the console sends.
const ADDRESS_MAX: usize = 512;

/// The catalogue key of a permission's name (`""`: the user's default applies).
fn perm_key(perm: &str) -> &'static str {
    match perm {
        "PUB" => "user-perm-PUB",
        "SUB" => "user-perm-SUB",
        "PUB|SUB" => "user-perm-PUB-SUB",
        "DENY" => "user-perm-DENY",
        "" => "user-perm-default",
        _ => "user-perm-other",
    }
}

/// A group permission as the console offers it: the reference's example also sends
/// `PUB|SUB` for groups, which means `SUB` (a group can only subscribe).
fn group_perm(perm: &str) -> &str {
    if perm == "PUB|SUB" { "SUB" } else { perm }
}

/// The address of a user's edit page.
fn user_href(instance_id: &str, user: &str) -> String {
    format!("/instances/{instance_id}/users/{user}/edit")
}

/// "There is no such ACL user on this instance."
fn user_not_found(user: &AclUserName) -> WebError {
    WebError::NotFound(Msg::new("user-not-found").arg("user", user.as_str()))
}
