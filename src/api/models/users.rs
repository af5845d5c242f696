//! ACL users (API reference §5.5): users, their permissions and the access policies of topics
//! and consumer groups.
//!
//! User details are read from `default_topic_perm` / `default_group_perm`, falling back to the
//! `default_topic_permission` / `default_group_permission` spelling of the API reference's table; access
//! policy lists accept a single object where a list is documented.

use serde::{Deserialize, Serialize, Serializer};

use crate::api::de;
use crate::secret::Secret;

/// A permission on one topic or consumer group. Huawei schema: `UserTopicPerms`,
/// `UserGroupPerms` (requests) and `UserRespGroupPerms` (responses).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Permission {
    /// Topic or group name.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// Topics: `PUB`, `SUB`, `PUB|SUB` or `DENY`. Groups: `SUB` or `DENY` (and `PUB|SUB` in
    /// the API reference's example, meaning `SUB`).
    #[serde(deserialize_with = "de::string")]
    pub perm: String,
}

impl Permission {
    /// A permission entry.
    pub fn new(name: impl Into<String>, perm: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            perm: perm.into(),
        }
    }
}

fn expose_secret<S: Serializer>(secret: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
    match secret {
        Some(secret) => s.serialize_str(secret.expose()),
        None => s.serialize_none(),
    }
}

/// The body of [`crate::api::DmsClient::create_user`] and
/// [`crate::api::DmsClient::update_user`]. Huawei schema: `User`. Absent fields are not sent;
/// on update they keep their value, and `topic_perms` / `group_perms`, when present, replace
/// the whole list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UserRequest {
    /// User name: 7–64 characters, starting with a letter; letters, digits, `-`, `_`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub access_key: String,
    /// Secret: 8–32 characters from at least 3 character classes. On update an empty secret
    /// keeps the current one. Never shown by `Debug`.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "expose_secret"
    )]
    pub secret_key: Option<Secret>,
    /// IP whitelist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub white_remote_address: Option<String>,
    /// Administrator user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin: Option<bool>,
    /// Default permission on topics: `PUB`, `SUB`, `PUB|SUB` or `DENY`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_topic_perm: Option<String>,
    /// Default permission on groups: `SUB` or `DENY`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_group_perm: Option<String>,
    /// Per-topic permissions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic_perms: Option<Vec<Permission>>,
    /// Per-group permissions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_perms: Option<Vec<Permission>>,
}

/// An ACL user as DMS shows it. Huawei schema: `UserResp` (list items), `CreateUserResponse`,
/// `UpdateUserResponse`, `ShowUserResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "RawUser")]
pub struct User {
    /// User name.
    pub access_key: String,
    /// The secret as shown by DMS (masked, `*****`).
    pub secret_key: String,
    /// IP whitelist; empty means no restriction.
    pub white_remote_address: String,
    /// Administrator user.
    pub admin: bool,
    /// Default permission on topics.
    pub default_topic_perm: String,
    /// Default permission on groups.
    pub default_group_perm: String,
    /// Per-topic permissions.
    pub topic_perms: Vec<Permission>,
    /// Per-group permissions.
    pub group_perms: Vec<Permission>,
}

/// The wire form of [`User`], with both spellings of the default permissions.
#[derive(Default, Deserialize)]
#[serde(default)]
struct RawUser {
    #[serde(deserialize_with = "de::string")]
    access_key: String,
    #[serde(deserialize_with = "de::string")]
    secret_key: String,
    #[serde(deserialize_with = "de::string")]
    white_remote_address: String,
    #[serde(deserialize_with = "de::boolean")]
    admin: bool,
    #[serde(deserialize_with = "de::string")]
    default_topic_perm: String,
    #[serde(deserialize_with = "de::string")]
    default_topic_permission: String,
    #[serde(deserialize_with = "de::string")]
    default_group_perm: String,
    #[serde(deserialize_with = "de::string")]
    default_group_permission: String,
    #[serde(deserialize_with = "de::vec")]
    topic_perms: Vec<Permission>,
    #[serde(deserialize_with = "de::vec")]
    group_perms: Vec<Permission>,
}

fn first_non_empty(preferred: String, fallback: String) -> String {
    if preferred.is_empty() {
        fallback
    } else {
        preferred
    }
}

impl From<RawUser> for User {
    fn from(raw: RawUser) -> Self {
        Self {
            access_key: raw.access_key,
            secret_key: raw.secret_key,
            white_remote_address: raw.white_remote_address,
            admin: raw.admin,
            default_topic_perm: first_non_empty(
                raw.default_topic_perm,
                raw.default_topic_permission,
            ),
            default_group_perm: first_non_empty(
                raw.default_group_perm,
                raw.default_group_permission,
            ),
            topic_perms: raw.topic_perms,
            group_perms: raw.group_perms,
        }
    }
}

/// The users of an instance. Huawei schema: `ListUserResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserList {
    /// The users of this page.
    #[serde(deserialize_with = "de::vec")]
    pub users: Vec<User>,
    /// The number of users.
    #[serde(deserialize_with = "de::int")]
    pub total: i64,
}

/// The answer to a user deletion; the body may be empty. Huawei schema: `DeleteUserResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeletedUser {
    /// Information text, if DMS sent one.
    #[serde(deserialize_with = "de::string")]
    pub message: String,
}

/// One user's permission on the topic or group queried. Huawei schema:
/// `ListAccessPolicyRespPolicies` (plus the API reference's masked `secret_key`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccessPolicy {
    /// User name.
    #[serde(deserialize_with = "de::string")]
    pub access_key: String,
    /// Masked secret (seed only; usually absent).
    #[serde(deserialize_with = "de::string")]
    pub secret_key: String,
    /// IP whitelist.
    #[serde(deserialize_with = "de::string")]
    pub white_remote_address: String,
    /// Administrator flag.
    #[serde(deserialize_with = "de::boolean")]
    pub admin: bool,
    /// `PUB`, `SUB`, `PUB|SUB`, `DENY`, or empty when the user's default applies.
    #[serde(deserialize_with = "de::string")]
    pub perm: String,
}

/// The users authorised on one topic or consumer group. Huawei schema:
/// `ListTopicAccessPolicyResponse` / `ListConsumeGroupAccessPolicyResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccessPolicyList {
    /// The users and their permission (a lone object is read as a one-element list).
    #[serde(deserialize_with = "de::vec")]
    pub policies: Vec<AccessPolicy>,
    /// The number of users.
    #[serde(deserialize_with = "de::int")]
    pub total: i64,
    /// The topic or group queried.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
}
