//! Roles and permissions: who may do what.
//!
//! Reading needs only a session; every change names a [`Permission`] in the route table, and
//! [`allows`] is the one place that says which role holds it. Permissions carry the IAM action
//! of the API reference's chapter 7 that the change needs, which the audit log records.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A console role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Support staff: reads everything, changes nothing.
    Viewer,
    /// Operators: viewer plus topics, groups, offsets, messages, dead letters.
    Operator,
    /// Administrators: operator plus instances, ACL users, configuration, tags, migration, audit.
    Admin,
}

impl Role {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Operator => "operator",
            Self::Admin => "admin",
        }
    }
}

impl Role {
    /// The catalogue key of the role's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Viewer => "role-viewer",
            Self::Operator => "role-operator",
            Self::Admin => "role-admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "viewer" => Ok(Self::Viewer),
            "operator" => Ok(Self::Operator),
            "admin" => Ok(Self::Admin),
            other => Err(format!(
                "unknown role `{other}`; allowed: viewer, operator, admin"
            )),
        }
    }
}

/// What a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Any signed-in user (pages that only read).
    Read,
    /// Reading the audit log.
    ReadAudit,
    /// Showing a message body unmasked (audited).
    RevealMessageBody,
    /// Creating, changing and deleting topics.
    ManageTopics,
    /// Creating, changing and deleting consumer groups.
    ManageGroups,
    /// Resetting a group's consumption offsets.
    ResetOffsets,
    /// Sending test messages.
    SendMessages,
    /// Resending dead letters and verifying consumption.
    ResendMessages,
    /// Creating instances.
    CreateInstances,
    /// Changing, resizing and restarting instances.
    ModifyInstances,
    /// Deleting instances.
    DeleteInstances,
    /// ACL users and their permissions.
    ManageUsers,
    /// RocketMQ configuration parameters.
    ManageConfig,
    /// Instance tags.
    ManageTags,
    /// Metadata migration tasks.
    ManageMigration,
    /// Seeing and ending everyone's sessions (everyone sees and ends their own).
    ManageSessions,
}

impl Permission {
    /// The IAM action the change needs on DMS (API reference chapter 7), or a console action.
    pub fn action(self) -> &'static str {
        match self {
            Self::Read => "dms:instance:get",
            Self::ReadAudit => "console:audit:read",
            Self::ManageSessions => "console:sessions:manage",
            Self::RevealMessageBody => "dms:instance:get",
            Self::CreateInstances => "dms:instance:create",
            Self::DeleteInstances => "dms:instance:delete",
            Self::ManageTopics
            | Self::ManageGroups
            | Self::ResetOffsets
            | Self::SendMessages
            | Self::ResendMessages
            | Self::ModifyInstances
            | Self::ManageUsers
            | Self::ManageConfig
            | Self::ManageTags
            | Self::ManageMigration => "dms:instance:modify",
        }
    }
}

/// Whether `role` holds `permission`: the one table of the console's authorisation.
pub fn allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    match permission {
        Read | RevealMessageBody => true,
        ManageTopics | ManageGroups | ResetOffsets | SendMessages | ResendMessages => {
            role >= Role::Operator
        }
        ReadAudit | CreateInstances | ModifyInstances | DeleteInstances | ManageUsers
        | ManageConfig | ManageTags | ManageMigration | ManageSessions => role == Role::Admin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(permission: Permission, viewer: bool, operator: bool, admin: bool) {
        assert_eq!(
            allows(Role::Viewer, permission),
            viewer,
            "viewer {permission:?}"
        );
        assert_eq!(
            allows(Role::Operator, permission),
            operator,
            "operator {permission:?}"
        );
        assert_eq!(
            allows(Role::Admin, permission),
            admin,
            "admin {permission:?}"
        );
    }

    #[test]
    fn the_role_table_matches_the_design() {
        check(Permission::Read, true, true, true);
        check(Permission::ManageTopics, false, true, true);
        check(Permission::ResetOffsets, false, true, true);
        check(Permission::ResendMessages, false, true, true);
        check(Permission::SendMessages, false, true, true);
        check(Permission::CreateInstances, false, false, true);
        check(Permission::DeleteInstances, false, false, true);
        check(Permission::ManageUsers, false, false, true);
        check(Permission::ReadAudit, false, false, true);
        check(Permission::ManageSessions, false, false, true);
    }
}
