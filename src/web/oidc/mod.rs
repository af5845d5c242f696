//! Single sign-on with an OpenID Connect provider.
//!
//! `provider` speaks the protocol (discovery, the authorization request, the code exchange and
//! the ID token's checks), `pending` keeps sign-ins on their way through the provider (shared by
//! the replicas), and `flow` holds the two routes: `GET /login/oidc` sends the browser to the
//! provider, `GET /login/oidc/callback` checks what comes back and starts the session. Here:
//! [`Oidc`], what the state holds, and [`GroupMap`], which turns the groups claim into the
//! connections a user may use and the role on each.

pub mod flow;
pub mod pending;
pub mod provider;

use serde::{Deserialize, Serialize};

use super::rbac::Role;

/// A connection a single-sign-on user may use, with their role on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The `[[connections]]` name.
    pub connection: String,
    /// The role on it.
    pub role: Role,
}

/// One `[[oidc.groups]]` entry: members of `group` get `role` on `connections`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRule {
    /// The group's name in the groups claim.
    pub group: String,
    /// The role it gives.
    pub role: Role,
    /// The connections it gives the role on.
    pub connections: Vec<String>,
}

/// The mapping of groups to roles and connections.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupMap {
    /// The rules, in configuration order.
    pub rules: Vec<GroupRule>,
}

impl GroupMap {
    /// What a member of `groups` may use: each connection once, with the highest role any of
    /// the groups gives on it, in the order the configuration first names them. Empty when no
    /// group is mapped.
    pub fn grants(&self, groups: &[String]) -> Vec<Grant> {
        let mut grants: Vec<Grant> = Vec::new();
        for rule in self.rules.iter().filter(|r| groups.contains(&r.group)) {
            for connection in &rule.connections {
                match grants.iter_mut().find(|g| &g.connection == connection) {
                    Some(grant) => grant.role = grant.role.max(rule.role),
                    None => grants.push(Grant {
                        connection: connection.clone(),
                        role: rule.role,
                    }),
                }
            }
        }
        grants
    }
}

/// Single sign-on as configured: the provider, the group mapping and the pending sign-ins.
pub struct Oidc {
    /// The provider.
    pub provider: provider::Provider,
    /// Groups to roles and connections.
    pub groups: GroupMap,
    /// Sign-ins on their way through the provider.
    pub pending: pending::PendingSignIns,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(group: &str, role: Role, connections: &[&str]) -> GroupRule {
        GroupRule {
            group: group.into(),
            role,
            connections: connections.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    #[test]
    fn groups_give_each_connection_once_with_the_highest_role() {
        let map = GroupMap {
            rules: vec![
                rule("payments-admins", Role::Admin, &["prod-payments"]),
                rule("support", Role::Viewer, &["prod-payments", "prod-orders"]),
                rule("orders-operators", Role::Operator, &["prod-orders"]),
            ],
        };
        let grants = map.grants(&["support".into(), "orders-operators".into()]);
        assert_eq!(
            grants,
            vec![
                Grant {
                    connection: "prod-payments".into(),
                    role: Role::Viewer
                },
                Grant {
                    connection: "prod-orders".into(),
                    role: Role::Operator
                },
            ]
        );
        let admin = map.grants(&["payments-admins".into(), "support".into()]);
        assert_eq!(admin[0].role, Role::Admin);
        assert!(map.grants(&["marketing".into()]).is_empty());
        assert!(map.grants(&[]).is_empty());
    }
}
