//! The dashboard: overview, brokers and nodes, and the attention panel, each failing on its
//! own; and each panel alone for retries and refreshes.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::api::models::common::Paging;
use crate::api::models::instances::{Instance, ListInstancesQuery};
use crate::api::{ApiError, DmsClient, ErrorKind};
use crate::web::error::{ErrorSummary, WebError};
use crate::web::format;
use crate::web::htmx::{HxRequest, html};
use crate::web::layout::{Layout, Switcher};
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

use super::attention::{Attention, attention};
use super::{created_ms, parse_id, render, summary};

/// A panel's content or why it failed.
type Panel<T> = Result<T, ErrorSummary>;

/// What the dashboard's overview shows.
pub struct Overview {
    /// The instance.
    pub instance: Instance,
    /// Status meaning and tone.
    pub meaning: &'static str,
    /// Badge tone.
    pub tone: &'static str,
    /// Used storage as a percentage of the total.
    pub storage_percent: i64,
    /// Total storage in GB.
    pub storage_total: i64,
    /// Created time.
    pub created: Option<(String, String)>,
    /// Address lines: label and value.
    pub addresses: Vec<(&'static str, String)>,
    /// Whether the status will change on its own.
    pub transitional: bool,
}

impl Overview {
    fn of(instance: Instance) -> Self {
        let (meaning, tone) = format::status(&instance.status);
        let total = instance.total_storage_space.max(instance.storage_space);
        let percent = if total > 0 {
            (instance.used_storage_space * 100 / total).clamp(0, 100)
        } else {
            0
        };
        let mut addresses = Vec::new();
        for (label, value) in [
            ("Name server", &instance.namesrv_address),
            ("Name server domain", &instance.namesrv_domain_name),
            ("Brokers", &instance.broker_address),
            ("gRPC", &instance.grpc_address),
            ("gRPC domain", &instance.grpc_domain_name),
            ("Public name server", &instance.public_namesrv_address),
            (
                "Public name server domain",
                &instance.public_namesrv_domain_name,
            ),
            ("Public brokers", &instance.public_broker_address),
            ("Public gRPC", &instance.public_grpc_address),
            ("Public gRPC domain", &instance.public_grpc_domain_name),
        ] {
            if !value.trim().is_empty() {
                addresses.push((label, value.clone()));
            }
        }
        Self {
            created: created_ms(&instance).map(format::utc),
            transitional: format::is_transitional(&instance.status),
            meaning,
            tone,
            storage_percent: percent,
            storage_total: total,
            addresses,
            instance,
        }
    }
}

#[derive(Template)]
#[template(path = "instances/_overview.html")]
struct OverviewPanel<'a> {
    instance_id: &'a str,
    panel: &'a Panel<Overview>,
    can_modify: bool,
    can_delete: bool,
    csrf: &'a str,
}

/// The overview panel, with the controls `user` may use.
fn render_overview(
    user: &CurrentUser,
    instance_id: &str,
    panel: &Panel<Overview>,
) -> Result<String, askama::Error> {
    OverviewPanel {
        instance_id,
        panel,
        can_modify: user.can(Permission::ModifyInstances),
        can_delete: user.can(Permission::DeleteInstances),
        csrf: &user.record.csrf,
    }
    .render()
}

#[derive(Template)]
#[template(path = "instances/_brokers.html")]
struct BrokersPanel<'a> {
    instance_id: &'a str,
    panel: &'a Panel<Vec<(String, String)>>,
}

#[derive(Template)]
#[template(path = "instances/_attention.html")]
struct AttentionPanel<'a> {
    instance_id: &'a str,
    panel: &'a Panel<Attention>,
}

/// The attention panel before it is loaded: it asks for itself once the page is shown.
#[derive(Template)]
#[template(path = "instances/_attention_pending.html")]
struct AttentionPending<'a> {
    instance_id: &'a str,
}

#[derive(Template)]
#[template(path = "instances/show.html", blocks = ["content"])]
struct InstancePage {
    layout: Layout,
    title: String,
    overview_html: String,
    brokers_html: String,
    attention_html: String,
}

struct Panels {
    others: Result<Vec<(String, String, String)>, String>,
    overview: Panel<Overview>,
    brokers: Panel<Vec<(String, String)>>,
    missing: bool,
}

async fn brokers(dms: &DmsClient, instance_id: &str) -> Result<Vec<(String, String)>, ApiError> {
    let (all, first_fifty) = (Paging::default(), Paging::new(50, 0));
    let (brokers, nodes) = tokio::join!(
        dms.list_brokers(instance_id, &all),
        dms.list_nodes(instance_id, &first_fifty)
    );
    let brokers = brokers?.into_inner();
    let nodes = nodes?.into_inner();
    Ok(brokers
        .brokers
        .iter()
        .map(|broker| {
            let addresses: Vec<String> = nodes
                .nodes
                .iter()
                .filter(|n| n.broker_name == broker.broker_name)
                .map(|n| {
                    if n.address.is_empty() {
                        n.id.clone()
                    } else {
                        n.address.clone()
                    }
                })
                .collect();
            (
                broker.broker_name.clone(),
                if addresses.is_empty() {
                    "no nodes reported".to_owned()
                } else {
                    addresses.join(", ")
                },
            )
        })
        .collect())
}

/// The panels the dashboard is rendered with: one round trip to DMS (calls in parallel). The
/// attention panel needs at least three in a row once an instance has consumer groups, so the
/// page does not wait for it: it loads itself (`/panels/attention`) when shown.
async fn load_panels(dms: &DmsClient, instance_id: &str) -> Panels {
    let switcher_query = ListInstancesQuery {
        limit: Some(50),
        ..Default::default()
    };
    let (overview, brokers, others) = tokio::join!(
        dms.show_instance(instance_id),
        brokers(dms, instance_id),
        dms.list_instances(&switcher_query)
    );
    let missing = matches!(&overview, Err(e) if e.kind == ErrorKind::NotFound);
    Panels {
        overview: overview
            .map(|r| Overview::of(r.into_inner()))
            .map_err(|e| summary("Reading the instance", &e)),
        brokers: brokers.map_err(|e| summary("Listing brokers and nodes", &e)),
        others: others
            .map(|r| {
                r.into_inner()
                    .instances
                    .into_iter()
                    .map(|i| (i.instance_id, i.name, i.status))
                    .collect()
            })
            .map_err(|e| summary("Listing instances", &e).message),
        missing,
    }
}

/// Options of the dashboard's URL.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DashboardParams {
    /// `now` renders the attention panel in the page instead of letting it load itself.
    attention: Option<String>,
}

/// `GET /instances/{instance_id}`: the dashboard.
pub async fn show_instance(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<String>,
    query: web::Query<DashboardParams>,
) -> Result<HttpResponse, WebError> {
    let instance_id = parse_id(&path)?;
    let id = instance_id.as_ref();
    let panels = load_panels(&user.dms, id).await;
    if panels.missing {
        return Err(WebError::NotFound(format!(
            "There is no instance with id {id} in this project."
        )));
    }
    let title = panels
        .overview
        .as_ref()
        .map(|o| o.instance.name.clone())
        .unwrap_or_else(|_| id.to_owned());
    let overview_html = render_overview(&user, id, &panels.overview)
        .map_err(|e| WebError::Unexpected(e.to_string()))?;
    let brokers_html = BrokersPanel {
        instance_id: id,
        panel: &panels.brokers,
    }
    .render()
    .map_err(|e| WebError::Unexpected(e.to_string()))?;
    // Without JavaScript the pending panel offers `?attention=now`, which renders it here.
    let attention_html = if query.attention.as_deref() == Some("now") {
        let panel = attention(&user.dms, id)
            .await
            .map_err(|e| summary("Checking consumer groups", &e));
        AttentionPanel {
            instance_id: id,
            panel: &panel,
        }
        .render()
    } else {
        AttentionPending { instance_id: id }.render()
    }
    .map_err(|e| WebError::Unexpected(e.to_string()))?;
    let mut layout = Layout::for_user(&user, title.clone(), "instances")
        .crumb("Instances", Some("/instances".into()))
        .crumb(title.clone(), None);
    layout.switcher = Some(Switcher {
        current: title.clone(),
        current_id: id.to_owned(),
        items: panels.others.clone().unwrap_or_default(),
        problem: panels.others.clone().err(),
    });
    let page = InstancePage {
        layout,
        title,
        overview_html,
        brokers_html,
        attention_html,
    };
    render(hx, StatusCode::OK, &page, || page.as_content().render())
}

/// `GET /instances/{instance_id}/panels/{panel}`: one panel again (retry, auto-refresh).
pub async fn show_panel(
    user: CurrentUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, WebError> {
    let (raw_id, panel) = path.into_inner();
    let instance_id = parse_id(&raw_id)?;
    let id = instance_id.as_ref();
    let body = match panel.as_str() {
        "overview" => {
            let result = user.dms.show_instance(id).await;
            if matches!(&result, Err(e) if e.kind == ErrorKind::NotFound) {
                return Err(WebError::NotFound(format!(
                    "There is no instance with id {id} in this project."
                )));
            }
            let panel = result
                .map(|r| Overview::of(r.into_inner()))
                .map_err(|e| summary("Reading the instance", &e));
            render_overview(&user, id, &panel)
        }
        "brokers" => {
            let panel = brokers(&user.dms, id)
                .await
                .map_err(|e| summary("Listing brokers and nodes", &e));
            BrokersPanel {
                instance_id: id,
                panel: &panel,
            }
            .render()
        }
        "attention" => {
            let panel = attention(&user.dms, id)
                .await
                .map_err(|e| summary("Checking consumer groups", &e));
            AttentionPanel {
                instance_id: id,
                panel: &panel,
            }
            .render()
        }
        other => {
            return Err(WebError::NotFound(format!(
                "The dashboard has no panel `{other}`."
            )));
        }
    };
    Ok(html(
        StatusCode::OK,
        body.map_err(|e| WebError::Unexpected(e.to_string()))?,
    ))
}
