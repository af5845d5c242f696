//! The dashboard: overview, brokers and nodes, and the attention panel, each failing on its
//! own; and each panel alone for retries and refreshes.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::api::models::common::Paging;
use crate::api::models::instances::Instance;
use crate::api::{ApiError, DmsClient, ErrorKind};
use crate::web::error::{ErrorSummary, WebError};
use crate::web::htmx::{HxRequest, render_fragment, render_page};
use crate::web::i18n::Msg;
use crate::web::layout::{InstanceNav, Layout, Section, Tab};
use crate::web::paths::{InstancePath, PanelPath};
use crate::web::prefs::Ui;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;
use crate::web::view::is_transitional;

use super::attention;
use super::not_found;

/// A panel's content or why it failed.
type Panel<T> = Result<T, ErrorSummary>;

/// One address of the instance: the catalogue key of its label, and the address.
pub struct Address {
    /// The label's catalogue key.
    pub label_key: &'static str,
    /// The address.
    pub value: String,
}

/// What the dashboard's overview shows.
pub struct Overview {
    /// The instance.
    pub instance: Instance,
    /// Used storage as a percentage of the total.
    pub storage_percent: i64,
    /// Total storage in GB.
    pub storage_total: i64,
    /// The instance's addresses.
    pub addresses: Vec<Address>,
    /// Whether the status will change on its own.
    pub transitional: bool,
}

impl Overview {
    fn of(instance: Instance) -> Self {
        let total = instance.total_storage_space.max(instance.storage_space);
        let percent = if total > 0 {
            (instance.used_storage_space * 100 / total).clamp(0, 100)
        } else {
            0
        };
        let addresses = [
            ("address-namesrv", &instance.namesrv_address),
            ("address-namesrv-domain", &instance.namesrv_domain_name),
            ("address-brokers", &instance.broker_address),
            ("address-grpc", &instance.grpc_address),
            ("address-grpc-domain", &instance.grpc_domain_name),
            ("address-public-namesrv", &instance.public_namesrv_address),
            (
                "address-public-namesrv-domain",
                &instance.public_namesrv_domain_name,
            ),
            ("address-public-brokers", &instance.public_broker_address),
            ("address-public-grpc", &instance.public_grpc_address),
            (
                "address-public-grpc-domain",
                &instance.public_grpc_domain_name,
            ),
        ]
        .into_iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(label_key, value)| Address {
            label_key,
            value: value.clone(),
        })
        .collect();
        Self {
            transitional: is_transitional(&instance.status),
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
    ui: Ui,
    instance_id: &'a str,
    panel: &'a Panel<Overview>,
    can_modify: bool,
    can_delete: bool,
    can_migrate: bool,
}
crate::fragment!(OverviewPanel<'_>, ui);

/// The overview panel, with the controls `user` may use.
fn overview_panel<'a>(
    user: &'a CurrentUser,
    instance_id: &'a str,
    panel: &'a Panel<Overview>,
) -> OverviewPanel<'a> {
    OverviewPanel {
        ui: user.ui.clone(),
        instance_id,
        panel,
        can_modify: user.can(Permission::ModifyInstances),
        can_delete: user.can(Permission::DeleteInstances),
        can_migrate: user.can(Permission::ManageMigration),
    }
}

/// One broker and the addresses of its nodes.
pub struct BrokerRow {
    /// The broker's name.
    pub name: String,
    /// Its nodes' addresses (or ids).
    pub nodes: Vec<String>,
}

#[derive(Template)]
#[template(path = "instances/_brokers.html")]
struct BrokersPanel<'a> {
    ui: Ui,
    instance_id: &'a str,
    panel: &'a Panel<Vec<BrokerRow>>,
}
crate::fragment!(BrokersPanel<'_>, ui);

#[derive(Template)]
#[template(path = "instances/show.html", blocks = ["content"])]
struct InstancePage {
    layout: Layout,
    overview_html: String,
    brokers_html: String,
    attention_html: String,
}
crate::page!(InstancePage);

async fn brokers(dms: &DmsClient, instance_id: &str) -> Result<Vec<BrokerRow>, ApiError> {
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
        .map(|broker| BrokerRow {
            name: broker.broker_name.clone(),
            nodes: nodes
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
                .collect(),
        })
        .collect())
}

/// Options of the dashboard's URL.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DashboardParams {
    /// `now` renders the attention panel in the page instead of letting it load itself.
    attention: Option<String>,
}

/// `GET /instances/{instance_id}`: the dashboard. Its panels are read from DMS in one round
/// trip (calls in parallel); the attention panel reads every group's lag (the lag board), so
/// the page does not wait for it: it loads itself (`/panels/attention`) when shown.
pub async fn show_instance(
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
    query: web::Query<DashboardParams>,
) -> Result<HttpResponse, WebError> {
    let instance_id = path.into_inner().instance_id;
    let id = instance_id.as_str();
    let (overview, brokers, nav) = tokio::join!(
        user.dms.show_instance(id),
        brokers(&user.dms, id),
        InstanceNav::load(&user, &instance_id, Tab::Overview)
    );
    if matches!(&overview, Err(e) if e.kind == ErrorKind::NotFound) {
        return Err(not_found(&instance_id));
    }
    let overview = overview
        .map(|r| Overview::of(r.into_inner()))
        .map_err(|e| ErrorSummary::upstream("op-read-instance", &e));
    let brokers = brokers.map_err(|e| ErrorSummary::upstream("op-list-brokers", &e));
    let mut nav = nav;
    if let Ok(o) = &overview {
        nav.name = o.instance.name.clone();
    }
    let overview_html = overview_panel(&user, id, &overview).render()?;
    let brokers_html = BrokersPanel {
        ui: user.ui.clone(),
        instance_id: id,
        panel: &brokers,
    }
    .render()?;
    // Without JavaScript the pending panel offers `?attention=now`, which renders it here.
    let attention_html = if query.attention.as_deref() == Some("now") {
        attention::panel(&user, &instance_id, attention::PAGE_WAIT, false).await?
    } else {
        attention::pending(&user, &instance_id)?
    };
    let mut layout = Layout::for_user(&user, "instance-title", Section::Instances).in_instance(nav);
    if let Some(nav) = &layout.instance {
        layout.title = nav.name.clone();
    }
    let page = InstancePage {
        layout,
        overview_html,
        brokers_html,
        attention_html,
    };
    render_page(hx, StatusCode::OK, &page)
}

/// `GET /instances/{instance_id}/panels/{panel}`: one panel again (retry, auto-refresh).
pub async fn show_panel(
    request: actix_web::HttpRequest,
    user: CurrentUser,
    path: web::Path<PanelPath>,
) -> Result<HttpResponse, WebError> {
    let PanelPath { instance_id, panel } = path.into_inner();
    let id = instance_id.as_str();
    match panel.as_str() {
        "overview" => {
            let result = user.dms.show_instance(id).await;
            if matches!(&result, Err(e) if e.kind == ErrorKind::NotFound) {
                return Err(not_found(&instance_id));
            }
            let panel = result
                .map(|r| Overview::of(r.into_inner()))
                .map_err(|e| ErrorSummary::upstream("op-read-instance", &e));
            render_fragment(StatusCode::OK, &overview_panel(&user, id, &panel))
        }
        "brokers" => {
            let panel = brokers(&user.dms, id)
                .await
                .map_err(|e| ErrorSummary::upstream("op-list-brokers", &e));
            render_fragment(
                StatusCode::OK,
                &BrokersPanel {
                    ui: user.ui.clone(),
                    instance_id: id,
                    panel: &panel,
                },
            )
        }
        "attention" => {
            let refresh = request.query_string().contains("refresh=1");
            let html =
                attention::panel(&user, &instance_id, attention::PANEL_WAIT, refresh).await?;
            Ok(crate::web::htmx::html(StatusCode::OK, html))
        }
        other => Err(WebError::NotFound(
            Msg::new("error-no-panel").arg("panel", other),
        )),
    }
}
