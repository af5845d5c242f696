//! Two instances side by side (`/compare?a={id}&b={id}`), for example staging and production:
//! the topics and consumer groups only one of them has, those whose settings differ, and the
//! instance settings and RocketMQ parameters that differ.
//!
//! Each side may be on another connection the user can see, named before the id
//! (`b=staging:{id}`; see [`connections`]): a console account reads its own connection and
//! those its `also_reads` setting names; other sign-ins read only their own. Lists of the
//! user's own connection come from the cached lists; another connection's are read for the
//! comparison alone.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::metadata::{self, Difference, Setting, differences, group_settings, topic_settings};
use crate::api::models::configs::RocketMqConfig;
use crate::api::models::groups::ConsumerGroup;
use crate::api::models::instances::Instance;
use crate::api::models::topics::Topic;
use crate::api::{ApiError, DmsClient};
use crate::domain::InstanceId;
use crate::web::error::{ErrorSummary, WebError};
use crate::web::htmx::{HxRequest, render_page};
use crate::web::i18n::Msg;
use crate::web::layout::{Layout, Section, switcher_instances, switcher_walk};
use crate::web::paths::query_param;
use crate::web::rbac::Permission;
use crate::web::session::{CurrentUser, SignInMode};

/// One connection a user can read: its name (empty for the session's own) and how the page
/// names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The `[[connections]]` name; empty for the session's own credentials.
    pub name: String,
    /// What the page calls it.
    pub label: String,
}

/// The connections `user` can read: the session's own first, then, for a console account,
/// those its `also_reads` names.
pub fn connections(user: &CurrentUser) -> Vec<Connection> {
    let own = Connection {
        name: user.record.connection.clone().unwrap_or_default(),
        label: user.record.connection_label.clone(),
    };
    let mut all = vec![own];
    if user.record.mode == SignInMode::Account
        && let Some(account) = user
            .state
            .accounts
            .iter()
            .find(|a| a.name == user.record.user)
    {
        for name in &account.also_reads {
            if user.state.connections.contains_key(name) && all.iter().all(|c| c.name != *name) {
                all.push(Connection {
                    name: name.clone(),
                    label: name.clone(),
                });
            }
        }
    }
    all
}

/// A client for `connection` (one of [`connections`]), or `None` when the user cannot read
/// it.
fn client_for(user: &CurrentUser, connection: &str) -> Option<(DmsClient, bool)> {
    let visible = connections(user);
    let own = &visible[0];
    if connection.is_empty() || connection == own.name {
        return Some((user.dms.clone(), true));
    }
    visible.iter().find(|c| c.name == connection)?;
    let config = user.state.connections.get(connection)?.clone();
    user.state.client(config).ok().map(|client| (client, false))
}

/// One side of a comparison, as read.
pub struct Side {
    /// The connection's label.
    pub connection: String,
    /// The instance id.
    pub id: String,
    /// The instance.
    pub instance: Instance,
    /// Its topics.
    pub topics: Vec<Topic>,
    /// Its consumer groups.
    pub groups: Vec<ConsumerGroup>,
    /// Its RocketMQ parameters.
    pub configs: Vec<RocketMqConfig>,
}

/// A topic or group on both sides whose settings differ.
pub struct Differing {
    /// Its name.
    pub name: String,
    /// The settings that differ (a → b).
    pub differences: Vec<Difference>,
}

/// What differs between two instances.
pub struct Comparison {
    /// The first instance.
    pub a: Side,
    /// The second instance.
    pub b: Side,
    /// Instance settings and parameters that differ.
    pub settings: Vec<Difference>,
    /// How their topics differ.
    pub topics: Split,
    /// How their consumer groups differ.
    pub groups: Split,
}

/// How two instances' topics (or groups) differ, by name.
pub struct Split {
    /// Only the first has these.
    pub only_a: Vec<String>,
    /// Only the second has these.
    pub only_b: Vec<String>,
    /// Both have these, with other settings.
    pub differ: Vec<Differing>,
    /// How many both have with the same settings.
    pub same: usize,
}

/// The settings of an instance that a comparison shows.
fn instance_settings(instance: &Instance) -> Vec<Setting> {
    vec![
        ("create-version", instance.engine_version.clone()),
        ("create-flavour", instance.product_id.clone()),
        (
            "field-brokers",
            instance
                .broker_num
                .map(|n| n.to_string())
                .unwrap_or_else(|| "-".to_owned()),
        ),
        ("resize-storage-total", instance.storage_total().to_string()),
        ("create-storage-class", instance.storage_spec_code.clone()),
        ("create-acl", instance.enable_acl.to_string()),
        ("create-ssl", instance.ssl_enable.to_string()),
        ("create-ipv6", instance.ipv6_enable.to_string()),
        ("create-public", instance.enable_publicip.to_string()),
    ]
}

/// The names and settings of one kind on both sides.
fn split<T>(
    a: &[T],
    b: &[T],
    name: impl Fn(&T) -> &str,
    settings: impl Fn(&T) -> Vec<Setting>,
) -> Split {
    let right: BTreeMap<&str, &T> = b.iter().map(|item| (name(item), item)).collect();
    let left: BTreeMap<&str, &T> = a.iter().map(|item| (name(item), item)).collect();
    let mut only_a = Vec::new();
    let mut differ = Vec::new();
    let mut same = 0;
    for (key, item) in &left {
        match right.get(key) {
            None => only_a.push((*key).to_owned()),
            Some(other) => {
                let found = differences(&settings(item), &settings(other));
                if found.is_empty() {
                    same += 1;
                } else {
                    differ.push(Differing {
                        name: (*key).to_owned(),
                        differences: found,
                    });
                }
            }
        }
    }
    let only_b = right
        .keys()
        .filter(|key| !left.contains_key(*key))
        .map(|key| (*key).to_owned())
        .collect();
    Split {
        only_a,
        only_b,
        differ,
        same,
    }
}

/// Compares two instances as read.
pub fn compare(a: Side, b: Side) -> Comparison {
    let mut settings = differences(
        &instance_settings(&a.instance),
        &instance_settings(&b.instance),
    );
    // Parameters are compared by name; a parameter only one side has shows with `-`.
    let names: std::collections::BTreeSet<&str> = a
        .configs
        .iter()
        .chain(&b.configs)
        .map(|c| c.name.as_str())
        .collect();
    let value = |side: &Side, name: &str| {
        side.configs
            .iter()
            .find(|c| c.name == name)
            .map(|c| format!("{name}={}", c.value))
            .unwrap_or_else(|| format!("{name}=-"))
    };
    for name in names {
        let (left, right) = (value(&a, name), value(&b, name));
        if left != right {
            settings.push(Difference {
                label_key: "compare-parameter",
                a: left,
                b: right,
            });
        }
    }
    let topics = split(&a.topics, &b.topics, |t| t.name.as_str(), topic_settings);
    let groups = split(&a.groups, &b.groups, |g| g.name.as_str(), group_settings);
    Comparison {
        a,
        b,
        settings,
        topics,
        groups,
    }
}

/// Reads one side.
async fn read_side(
    user: &CurrentUser,
    connection: &str,
    id: &InstanceId,
) -> Result<Side, ErrorSummary> {
    let Some((dms, own)) = client_for(user, connection) else {
        return Err(ErrorSummary::new(
            Msg::new("compare-no-connection-title"),
            Msg::new("compare-no-connection").arg("connection", connection),
        ));
    };
    let label = connections(user)
        .into_iter()
        .find(|c| c.name == connection || (connection.is_empty() && own))
        .map(|c| c.label)
        .unwrap_or_else(|| connection.to_owned());
    let id_text = id.as_str();
    let lists = async {
        if own {
            let (topics, groups) = tokio::join!(
                metadata::cached_topics(user, id, false),
                metadata::cached_groups(user, id_text, false)
            );
            Ok::<_, (&'static str, ApiError)>((
                topics.map_err(|e| ("op-list-topics", e))?,
                groups
                    .map_err(|e| ("op-list-groups", e))?
                    .value
                    .as_ref()
                    .clone(),
            ))
        } else {
            let (topics, groups) = tokio::join!(
                metadata::all_topics(&dms, id_text),
                metadata::all_groups(&dms, id_text)
            );
            Ok((
                topics.map_err(|e| ("op-list-topics", e))?,
                groups.map_err(|e| ("op-list-groups", e))?,
            ))
        }
    };
    let (instance, lists, configs) = tokio::join!(
        dms.show_instance(id_text),
        lists,
        super::config::all_configs(&dms, id_text)
    );
    let instance = instance
        .map_err(|e| ErrorSummary::upstream("op-read-instance", &e))?
        .into_inner();
    let (topics, groups) = lists.map_err(|(what, e)| ErrorSummary::upstream(what, &e))?;
    let configs = configs.map_err(|e| ErrorSummary::upstream("op-list-configs", &e))?;
    Ok(Side {
        connection: label,
        id: id.to_string(),
        instance,
        topics,
        groups,
        configs,
    })
}

/// An instance the form offers.
pub struct Choice {
    /// What the form sends: the id, after `{connection}:` on another connection.
    pub value: String,
    /// The instance's name.
    pub name: String,
}

/// The instances of one connection the form offers.
pub struct ChoiceGroup {
    /// The connection.
    pub connection: Connection,
    /// Its instances, or why they could not be listed.
    pub instances: Result<Vec<Choice>, ErrorSummary>,
}

/// The instances of every connection `user` can read.
async fn choices(user: &CurrentUser) -> Vec<ChoiceGroup> {
    let groups = connections(user)
        .into_iter()
        .enumerate()
        .map(|(index, connection)| choice_group(user, index == 0, connection));
    futures_util::future::join_all(groups).await
}

/// The instances of `connection` (`home`: the session's own, listed from the switcher's
/// cache).
async fn choice_group(user: &CurrentUser, home: bool, connection: Connection) -> ChoiceGroup {
    let instances = if home {
        switcher_instances(user)
            .await
            .map(|listed| {
                listed
                    .value
                    .iter()
                    .map(|i| Choice {
                        value: i.instance_id.clone(),
                        name: i.name.clone(),
                    })
                    .collect()
            })
            .map_err(|e| ErrorSummary::upstream("op-list-instances", &e))
    } else {
        match client_for(user, &connection.name) {
            Some((dms, _)) => switcher_walk(&dms)
                .await
                .map(|instances| {
                    instances
                        .into_iter()
                        .map(|i| Choice {
                            value: format!("{}:{}", connection.name, i.instance_id),
                            name: i.name,
                        })
                        .collect()
                })
                .map_err(|e| ErrorSummary::upstream("op-list-instances", &e)),
            None => Ok(Vec::new()),
        }
    };
    ChoiceGroup {
        connection,
        instances,
    }
}

/// A side as the query names it: `{id}` or `{connection}:{id}`.
fn side_of(text: &str) -> Result<(String, InstanceId), WebError> {
    let (connection, id) = text.rsplit_once(':').unwrap_or(("", text));
    let id = InstanceId::try_from(id.to_owned())
        .map_err(|_| WebError::Invalid(Msg::new("compare-bad-id").arg("id", text)))?;
    Ok((connection.to_owned(), id))
}

#[derive(Template)]
#[template(path = "compare/compare.html", blocks = ["content"])]
struct ComparePage {
    layout: Layout,
    choices: Vec<ChoiceGroup>,
    a: String,
    b: String,
    result: Option<Result<Comparison, ErrorSummary>>,
}
crate::page!(ComparePage);

/// `GET /compare?a={id}&b={id}` (either as `{connection}:{id}`).
pub async fn compare_instances(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::ManageMigration)?;
    let get = |key: &str| query_param(&request, key);
    let (a, b) = (get("a"), get("b"));
    let wanted = if a.is_empty() || b.is_empty() {
        None
    } else {
        let ((conn_a, id_a), (conn_b, id_b)) = (side_of(&a)?, side_of(&b)?);
        for connection in [&conn_a, &conn_b] {
            if client_for(&user, connection).is_none() {
                return Err(WebError::NotFound(
                    Msg::new("compare-no-connection").arg("connection", connection.as_str()),
                ));
            }
        }
        Some(((conn_a, id_a), (conn_b, id_b)))
    };
    // The two sides and the form's choices are read at the same time.
    let read = async {
        let ((conn_a, id_a), (conn_b, id_b)) = wanted.as_ref()?;
        Some(tokio::join!(
            read_side(&user, conn_a, id_a),
            read_side(&user, conn_b, id_b)
        ))
    };
    let (read, choices) = tokio::join!(read, choices(&user));
    let mut status = StatusCode::OK;
    let result = read.map(|sides| match sides {
        (Ok(side_a), Ok(side_b)) => Ok(compare(side_a, side_b)),
        (Err(error), _) | (_, Err(error)) => {
            status = StatusCode::BAD_GATEWAY;
            Err(error)
        }
    });
    let layout = Layout::for_user(&user, "compare-title", Section::Instances)
        .crumb("nav-instances", Some("/instances".into()))
        .crumb("compare-title", None);
    let page = ComparePage {
        layout,
        choices,
        a,
        b,
        result,
    };
    render_page(hx, status, &page)
}
