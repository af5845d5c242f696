//! An instance's metadata as a whole, for the pages that work on all of it at once (export,
//! migration preview, comparison): every topic, consumer group and ACL user read from DMS, the
//! settings of each compared as one list, and the JSON interchange document.
//!
//! The interchange document is a RocketMQ metadata export (`mqadmin exportMetadata`, the API
//! reference's §5.6.1 body: `topicConfigTable`, `subscriptionGroupTable`), so the migration
//! form reads an export back unchanged; the console adds `dmsConsoleExport` (its format
//! version), `instance` (where it came from) and `aclUsers` (users and permissions, never
//! their secrets), which a migration task ignores.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::api::models::common::Paging;
use crate::api::models::groups::{ConsumerGroup, ListConsumerGroupsQuery};
use crate::api::models::instances::Instance;
use crate::api::models::migration::{MigrationMetadata, SubscriptionGroup, TopicConfig};
use crate::api::models::topics::Topic;
use crate::api::models::users::{Permission as AclPermission, User};
use crate::api::walk::{self, Page};
use crate::api::{ApiError, DmsClient};
use crate::domain::InstanceId;
use crate::web::cache::Cached;
use crate::web::session::CurrentUser;

/// At most this many topics, groups or users are read from one instance.
pub const WHOLE_LIST: usize = 50_000;

/// Pages of a whole list read at once.
const CONCURRENCY: usize = 4;

/// The interchange format version this console writes.
pub const FORMAT_VERSION: u32 = 1;

/// How many more of a kind an instance may hold (the `max` and `remaining` of its lists).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quota {
    /// The most the instance may hold.
    pub max: i64,
    /// How many more it may hold.
    pub remaining: i64,
}

/// Every topic of instance `id`.
pub async fn all_topics(dms: &DmsClient, id: &str) -> Result<Vec<Topic>, ApiError> {
    let walked = walk::collect_concurrent(50, WHOLE_LIST, CONCURRENCY, |offset, limit| {
        let dms = dms.clone();
        let id = id.to_owned();
        async move {
            let reply = dms.list_topics(&id, &Paging::new(limit, offset)).await?;
            let list = reply.into_inner();
            Ok(Page {
                total: Some(list.total.max(0) as u64),
                items: list.topics,
            })
        }
    })
    .await?;
    Ok(walked.items)
}

/// Every consumer group of instance `id`.
pub async fn all_groups(dms: &DmsClient, id: &str) -> Result<Vec<ConsumerGroup>, ApiError> {
    let walked = walk::collect_concurrent(50, WHOLE_LIST, CONCURRENCY, |offset, limit| {
        let dms = dms.clone();
        let id = id.to_owned();
        async move {
            let query = ListConsumerGroupsQuery {
                limit: Some(limit),
                offset: Some(offset),
                ..Default::default()
            };
            let list = dms.list_consumer_groups(&id, &query).await?.into_inner();
            Ok(Page {
                total: Some(list.total.max(0) as u64),
                items: list.groups,
            })
        }
    })
    .await?;
    Ok(walked.items)
}

/// Every ACL user of instance `id`.
pub async fn all_users(dms: &DmsClient, id: &str) -> Result<Vec<User>, ApiError> {
    let walked = walk::collect_concurrent(50, WHOLE_LIST, CONCURRENCY, |offset, limit| {
        let dms = dms.clone();
        let id = id.to_owned();
        async move {
            let list = dms
                .list_users(&id, &Paging::new(limit, offset))
                .await?
                .into_inner();
            Ok(Page {
                total: Some(list.total.max(0) as u64),
                items: list.users,
            })
        }
    })
    .await?;
    Ok(walked.items)
}

/// Every topic of instance `id` from the user's cached list, the one the topics tab shows
/// (read now when `refresh`).
pub async fn cached_topics(
    user: &CurrentUser,
    id: &InstanceId,
    refresh: bool,
) -> Result<Vec<Topic>, ApiError> {
    // The whole list, however long it takes: a plan or a comparison must not work on part of it.
    let catalog = crate::web::topics::catalog::load(user, id, refresh, WHOLE_LIST_WAIT).await?;
    if catalog.partial {
        return Err(ApiError::local(
            "ListRocketInstanceTopics",
            crate::api::ErrorKind::Transport,
            "the topic list was not read completely in time",
        ));
    }
    Ok(catalog.listing.topics.clone())
}

/// How long a plan or a comparison waits for a whole list.
const WHOLE_LIST_WAIT: std::time::Duration = std::time::Duration::from_secs(120);

/// Every consumer group of instance `id` from the user's cached lists (read now when
/// `refresh`).
pub async fn cached_groups(
    user: &CurrentUser,
    id: &str,
    refresh: bool,
) -> Result<Cached<Vec<ConsumerGroup>>, ApiError> {
    let dms = user.dms.clone();
    let owned = id.to_owned();
    user.state
        .lists
        .groups
        .get(user.cache_key(id, ""), refresh, move || async move {
            all_groups(&dms, &owned).await
        })
        .await
}

/// The topic and group quotas of instance `id` (one short page of each list).
pub async fn quotas(dms: &DmsClient, id: &str) -> Result<(Quota, Quota), ApiError> {
    let group_query = ListConsumerGroupsQuery {
        limit: Some(1),
        offset: Some(0),
        ..Default::default()
    };
    let first = Paging::new(1, 0);
    let (topics, groups) = tokio::join!(
        dms.list_topics(id, &first),
        dms.list_consumer_groups(id, &group_query)
    );
    let topics = topics?.into_inner();
    let groups = groups?.into_inner();
    Ok((
        Quota {
            max: topics.max,
            remaining: topics.remaining,
        },
        Quota {
            max: groups.max,
            remaining: groups.remaining,
        },
    ))
}

/// One setting of a topic or group: the catalogue key of its name and its value as text.
pub type Setting = (&'static str, String);

/// The queues of a topic on each broker (RocketMQ's `readQueueNums` is per broker): the first
/// broker's, or the total when DMS lists no brokers (5.x).
fn per_broker(topic: &Topic) -> (i64, i64) {
    match topic.brokers.first() {
        Some(broker) => (broker.read_queue_num, broker.write_queue_num),
        None => (topic.total_read_queue_num, topic.total_write_queue_num),
    }
}

/// A topic's settings as compared between instances and with a metadata file.
pub fn topic_settings(topic: &Topic) -> Vec<Setting> {
    let (read, write) = per_broker(topic);
    let mut settings = vec![
        ("setting-permission", topic.permission.clone()),
        ("setting-read-queues", read.to_string()),
        ("setting-write-queues", write.to_string()),
    ];
    if !topic.message_type.is_empty() {
        settings.push(("setting-message-type", topic.message_type.clone()));
    }
    settings
}

/// A consumer group's settings as compared between instances and with a metadata file.
pub fn group_settings(group: &ConsumerGroup) -> Vec<Setting> {
    vec![
        ("setting-enabled", group.enabled.to_string()),
        ("setting-broadcast", group.broadcast.to_string()),
        ("setting-retries", group.retry_max_time.to_string()),
    ]
}

/// DMS's permission name of a RocketMQ permission bitmask (2 write, 4 read).
pub fn permission_of_perm(perm: i64) -> &'static str {
    match (perm & 2 != 0, perm & 4 != 0) {
        (true, true) => "all",
        (true, false) => "pub",
        (false, true) => "sub",
        (false, false) => "none",
    }
}

/// The RocketMQ permission bitmask of a DMS permission name.
pub fn perm_of_permission(permission: &str) -> i64 {
    match permission {
        "pub" => 2,
        "sub" => 4,
        _ => 6,
    }
}

/// The settings a metadata file gives a topic (with the API reference's defaults for what it
/// leaves out), in the shape of [`topic_settings`]; `five` adds the message type, which only
/// 5.x instances have.
pub fn file_topic_settings(config: &TopicConfig, five: bool) -> Vec<Setting> {
    let mut settings = vec![
        (
            "setting-permission",
            permission_of_perm(config.perm.unwrap_or(6)).to_owned(),
        ),
        (
            "setting-read-queues",
            config.read_queue_nums.unwrap_or(16).to_string(),
        ),
        (
            "setting-write-queues",
            config.write_queue_nums.unwrap_or(16).to_string(),
        ),
    ];
    if five {
        let kind = if config.order == Some(true) {
            "FIFO"
        } else {
            "NORMAL"
        };
        settings.push(("setting-message-type", kind.to_owned()));
    }
    settings
}

/// The settings a metadata file gives a consumer group, in the shape of [`group_settings`].
pub fn file_group_settings(config: &SubscriptionGroup) -> Vec<Setting> {
    vec![
        (
            "setting-enabled",
            config.consume_enable.unwrap_or(true).to_string(),
        ),
        (
            "setting-broadcast",
            config.consume_broadcast_enable.unwrap_or(false).to_string(),
        ),
        (
            "setting-retries",
            config.retry_max_times.unwrap_or(16).to_string(),
        ),
    ]
}

/// One setting that differs: its catalogue key and the two values (`-` when one side lacks it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The catalogue key of the setting's name.
    pub label_key: &'static str,
    /// The value on the first side.
    pub a: String,
    /// The value on the second side.
    pub b: String,
}

/// The settings that differ between `a` and `b`.
pub fn differences(a: &[Setting], b: &[Setting]) -> Vec<Difference> {
    let mut keys: Vec<&'static str> = a.iter().map(|(k, _)| *k).collect();
    for (key, _) in b {
        if !keys.contains(key) {
            keys.push(key);
        }
    }
    let value = |side: &[Setting], key: &str| {
        side.iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| "-".to_owned())
    };
    keys.into_iter()
        .filter_map(|key| {
            let (left, right) = (value(a, key), value(b, key));
            (left != right).then_some(Difference {
                label_key: key,
                a: left,
                b: right,
            })
        })
        .collect()
}

/// Where an export came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportedInstance {
    /// The instance id.
    pub instance_id: String,
    /// Its name.
    pub name: String,
    /// `4.8.0` or `5.x`.
    pub engine_version: String,
    /// Its flavour.
    pub product_id: String,
    /// When the export was made (Unix milliseconds).
    pub exported_at: i64,
}

/// An ACL user as exported: who and what they may do, never their secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportedUser {
    /// The user name.
    pub access_key: String,
    /// Administrator user.
    pub admin: bool,
    /// IP whitelist.
    pub white_remote_address: String,
    /// Default permission on topics.
    pub default_topic_perm: String,
    /// Default permission on groups.
    pub default_group_perm: String,
    /// Per-topic permissions.
    pub topic_perms: Vec<AclPermission>,
    /// Per-group permissions.
    pub group_perms: Vec<AclPermission>,
}

impl From<&User> for ExportedUser {
    fn from(user: &User) -> Self {
        Self {
            access_key: user.access_key.clone(),
            admin: user.admin,
            white_remote_address: user.white_remote_address.clone(),
            default_topic_perm: user.default_topic_perm.clone(),
            default_group_perm: user.default_group_perm.clone(),
            topic_perms: user.topic_perms.clone(),
            group_perms: user.group_perms.clone(),
        }
    }
}

/// The interchange document: a RocketMQ metadata export with the console's additions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Interchange {
    /// The console's format version (absent in exports made by `mqadmin`).
    #[serde(
        rename = "dmsConsoleExport",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub format: Option<u32>,
    /// Where the export came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<ExportedInstance>,
    /// Topics and groups (RocketMQ) or definitions (RabbitMQ).
    #[serde(flatten)]
    pub metadata: MigrationMetadata,
    /// ACL users, without secrets.
    #[serde(rename = "aclUsers", default, skip_serializing_if = "Vec::is_empty")]
    pub acl_users: Vec<ExportedUser>,
}

/// A topic as RocketMQ's `topicConfigTable` holds it.
pub fn topic_config(topic: &Topic) -> TopicConfig {
    let (read, write) = per_broker(topic);
    TopicConfig {
        topic_name: Some(topic.name.clone()),
        order: Some(topic.message_type == "FIFO"),
        perm: Some(perm_of_permission(&topic.permission)),
        read_queue_nums: Some(read),
        write_queue_nums: Some(write),
        topic_filter_type: Some("SINGLE_TAG".to_owned()),
        topic_sys_flag: Some(0),
    }
}

/// A consumer group as RocketMQ's `subscriptionGroupTable` holds it.
pub fn group_config(group: &ConsumerGroup) -> SubscriptionGroup {
    SubscriptionGroup {
        group_name: Some(group.name.clone()),
        consume_broadcast_enable: Some(group.broadcast),
        consume_enable: Some(group.enabled),
        consume_from_min_enable: Some(true),
        notify_consumer_ids_changed_enable: Some(true),
        retry_max_times: Some(group.retry_max_time),
        retry_queue_nums: Some(1),
        which_broker_when_consume_slow: None,
    }
}

/// The export of `instance` with these topics, groups and users, made at `now_ms`.
pub fn export(
    instance: &Instance,
    topics: &[Topic],
    groups: &[ConsumerGroup],
    users: &[User],
    now_ms: i64,
) -> Interchange {
    let topic_table: BTreeMap<String, TopicConfig> = topics
        .iter()
        .map(|t| (t.name.clone(), topic_config(t)))
        .collect();
    let group_table: BTreeMap<String, SubscriptionGroup> = groups
        .iter()
        .map(|g| (g.name.clone(), group_config(g)))
        .collect();
    Interchange {
        format: Some(FORMAT_VERSION),
        instance: Some(ExportedInstance {
            instance_id: instance.instance_id.clone(),
            name: instance.name.clone(),
            engine_version: instance.engine_version.clone(),
            product_id: instance.product_id.clone(),
            exported_at: now_ms,
        }),
        metadata: MigrationMetadata {
            topic_config_table: Some(topic_table),
            subscription_group_table: Some(group_table),
            ..Default::default()
        },
        acl_users: users.iter().map(ExportedUser::from).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::topics::TopicBroker;

    fn topic(name: &str, permission: &str, read: i64) -> Topic {
        Topic {
            name: name.into(),
            permission: permission.into(),
            total_read_queue_num: read * 2,
            total_write_queue_num: read * 2,
            brokers: ["broker-0", "broker-1"]
                .iter()
                .map(|b| TopicBroker {
                    broker_name: (*b).into(),
                    read_queue_num: read,
                    write_queue_num: read,
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn an_exported_topic_reads_back_with_the_same_settings() {
        for (permission, read) in [("all", 8), ("pub", 3), ("sub", 16)] {
            let original = topic("orders", permission, read);
            let config = topic_config(&original);
            assert_eq!(
                file_topic_settings(&config, false),
                topic_settings(&original),
                "{permission}"
            );
        }
        let group = ConsumerGroup {
            name: "billing".into(),
            enabled: false,
            broadcast: true,
            retry_max_time: 3,
            ..Default::default()
        };
        assert_eq!(
            file_group_settings(&group_config(&group)),
            group_settings(&group)
        );
    }

    #[test]
    fn differences_name_each_setting_that_is_not_the_same() {
        let a = topic_settings(&topic("orders", "all", 8));
        let b = topic_settings(&topic("orders", "sub", 8));
        assert_eq!(
            differences(&a, &b),
            vec![Difference {
                label_key: "setting-permission",
                a: "all".into(),
                b: "sub".into()
            }]
        );
        assert!(differences(&a, &a).is_empty());
    }

    #[test]
    fn an_export_is_a_rocketmq_metadata_file_without_secrets() {
        let instance = Instance {
            instance_id: "i-1".into(),
            name: "orders".into(),
            ..Default::default()
        };
        let user = User {
            access_key: "app_user1".into(),
            secret_key: "*****".into(),
            ..Default::default()
        };
        let document = export(&instance, &[topic("t1", "all", 4)], &[], &[user], 7);
        let text = serde_json::to_string(&document).unwrap();
        assert!(!text.contains("secret"), "{text}");
        assert!(text.contains("\"topicConfigTable\""), "{text}");
        assert!(text.contains("\"readQueueNums\":4"), "{text}");
        let back: Interchange = serde_json::from_str(&text).unwrap();
        assert_eq!(back, document);
        // An mqadmin export (no console fields) reads too, in either spelling.
        let plain: Interchange = serde_json::from_str(
            r#"{"topic_config_table": {"a": {"read_queue_nums": 2}}, "version": "x"}"#,
        )
        .unwrap();
        assert_eq!(
            plain.metadata.topic_config_table.unwrap()["a"].read_queue_nums,
            Some(2)
        );
    }
}
