//! The topics tab: the instance's topics page by page (DMS's own paging, live), or searched,
//! filtered and sorted over the whole list (the credential's cached catalog, labelled with
//! its age and a refresh link, marked partial when the view's deadline came first); counts
//! by message type and permission and the topic quota in a summary panel; CSV/JSON export of
//! every match; for operators, selection for batch delete and the create and import links.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;

use super::catalog::{self, Catalog, VIEW_DEADLINE};
use super::{MESSAGE_TYPES, PERMISSIONS, instance_and_nav, is_5x, kind_key, topic_href};
use crate::api::models::common::Paging;
use crate::api::models::topics::Topic;
use crate::api::walk::{self, Page};
use crate::api::{ApiError, ErrorKind};
use crate::domain::InstanceId;
use crate::web::error::{ErrorSummary, WebError, upstream_status};
use crate::web::export::{self, Cell, Format};
use crate::web::htmx::{HxRequest, render_fragment, render_page};
use crate::web::i18n::Msg;
use crate::web::layout::{Layout, Section, Tab};
use crate::web::list::{ListParams, ListSpec, Pager};
use crate::web::paths::InstancePath;
use crate::web::prefs::Ui;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

/// DMS pages topics 50 at a time; sorting and searching read the whole list.
const SPEC: ListSpec = ListSpec {
    default_limit: 20,
    max_limit: 50,
    sortable: &["name", "queues", "created"],
};

/// How long an export waits for the whole list.
const EXPORT_DEADLINE: std::time::Duration = std::time::Duration::from_secs(120);

/// One row of the table.
pub struct Row {
    /// The topic's name.
    pub name: String,
    /// Its page.
    pub href: String,
    /// 5.x message type.
    pub message_type: String,
    /// `all`, `pub` or `sub`.
    pub permission: String,
    /// Read queues.
    pub read_queues: i64,
    /// Write queues.
    pub write_queues: i64,
    /// Its brokers' names.
    pub brokers: String,
    /// When it was created, when DMS says.
    pub created: Option<i64>,
}

impl Row {
    fn of(instance_id: &str, topic: &Topic) -> Self {
        Self {
            href: topic_href(instance_id, &topic.name),
            name: topic.name.clone(),
            message_type: topic.message_type.clone(),
            permission: topic.permission.clone(),
            read_queues: topic.total_read_queue_num,
            write_queues: topic.total_write_queue_num,
            brokers: topic
                .brokers
                .iter()
                .map(|b| b.broker_name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            created: topic.created_at,
        }
    }
}

/// Where the rows came from.
pub enum Source {
    /// One page of DMS's own list, read now.
    Live,
    /// The cached whole list.
    Cached {
        /// Its age in seconds.
        age: u64,
        /// The view's deadline came first: only the pages read so far.
        partial: bool,
        /// The walk stopped at its limit.
        truncated: bool,
        /// Topics read (when partial: so far).
        read: usize,
        /// Topics DMS says there are.
        total: u64,
    },
}

/// One value of a count (a message type or permission), and the link that filters by it.
pub struct Count {
    /// The catalogue key of its name.
    pub label_key: &'static str,
    /// How many topics.
    pub count: usize,
    /// The list filtered by it.
    pub href: String,
}

/// What the summary panel shows.
pub struct Summary {
    /// Topics DMS says there are.
    pub total: u64,
    /// The quota.
    pub max: i64,
    /// What can still be created.
    pub remaining: i64,
    /// Counts by message type (5.x).
    pub by_type: Vec<Count>,
    /// Counts by permission.
    pub by_permission: Vec<Count>,
    /// The catalog's age in seconds.
    pub age: u64,
    /// Whether the counts cover only part of the list.
    pub incomplete: bool,
    /// Topics counted.
    pub counted: usize,
}

/// The summary panel: counts and quota, or its placeholder that loads it.
#[derive(Template)]
#[template(path = "topics/_summary.html")]
struct SummaryPanel<'a> {
    ui: Ui,
    instance_id: &'a str,
    /// `None`: not loaded yet (the panel asks for itself).
    panel: Option<Result<Summary, ErrorSummary>>,
    refresh_href: String,
}
crate::fragment!(SummaryPanel<'_>, ui);

#[derive(Template)]
#[template(path = "topics/list.html", blocks = ["content"])]
struct TopicsPage {
    layout: Layout,
    instance_id: String,
    five: bool,
    name: String,
    kind: String,
    permission: String,
    kinds: &'static [&'static str],
    permissions: &'static [&'static str],
    rows: Result<Vec<Row>, ErrorSummary>,
    source: Source,
    pager: Pager,
    empty: Msg,
    summary_html: String,
    can_manage: bool,
    refresh_href: String,
}
crate::page!(TopicsPage);

impl TopicsPage {
    fn sort(&self, column: &'static str) -> crate::web::list::SortHeader {
        self.pager.sort_header(column)
    }

    fn kind_label(&self, value: &str) -> String {
        self.t(kind_key(value))
    }

    /// Whether the rows come from a list read only in part (the page reloads itself).
    fn partial(&self) -> bool {
        matches!(self.source, Source::Cached { partial: true, .. })
    }
}

/// The search of a view.
struct Search {
    name: String,
    kind: String,
    permission: String,
}

impl Search {
    fn of(params: &ListParams) -> Self {
        let pick = |value: &str, allowed: &[&str]| {
            allowed
                .iter()
                .find(|a| **a == value)
                .map(|a| (*a).to_owned())
                .unwrap_or_default()
        };
        Self {
            name: params.filter("name").to_owned(),
            kind: pick(params.filter("type"), MESSAGE_TYPES),
            permission: pick(params.filter("perm"), PERMISSIONS),
        }
    }

    fn is_empty(&self) -> bool {
        self.name.is_empty() && self.kind.is_empty() && self.permission.is_empty()
    }
}

fn sort_rows(rows: &mut [&Topic], column: &str, desc: bool) {
    rows.sort_by(|a, b| {
        let order = match column {
            "queues" => a.total_write_queue_num.cmp(&b.total_write_queue_num),
            "created" => a.created_at.cmp(&b.created_at),
            _ => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
        }
        .then_with(|| a.name.cmp(&b.name));
        if desc { order.reverse() } else { order }
    });
}

/// The summary of a catalog.
fn summary_of(instance_id: &str, catalog: &Catalog) -> Summary {
    let listing = &catalog.listing;
    let count = |pairs: Vec<(String, usize)>, param: &str| {
        pairs
            .into_iter()
            .map(|(value, count)| Count {
                label_key: kind_key(&value),
                count,
                href: format!(
                    "/instances/{instance_id}/topics?{param}={}",
                    super::query_value(&value)
                ),
            })
            .collect()
    };
    Summary {
        total: listing.total,
        max: listing.max,
        remaining: listing.remaining,
        by_type: count(catalog::counts(listing, |t| &t.message_type), "type"),
        by_permission: count(catalog::counts(listing, |t| &t.permission), "perm"),
        age: catalog.age_seconds(),
        incomplete: catalog.incomplete(),
        counted: listing.topics.len(),
    }
}

fn summary_panel<'a>(
    user: &CurrentUser,
    instance_id: &'a str,
    panel: Option<Result<Summary, ErrorSummary>>,
) -> SummaryPanel<'a> {
    SummaryPanel {
        ui: user.ui.clone(),
        instance_id,
        panel,
        refresh_href: format!("/instances/{instance_id}/topics?panel=summary&refresh=1"),
    }
}

/// The parameters of a view, without the ones that are not part of its address.
fn params_of(request: &HttpRequest) -> (ListParams, bool, bool) {
    let mut params = ListParams::parse(request.query_string(), SPEC);
    let refresh = params.filter("refresh") == "1";
    let summary = params.filter("panel") == "summary";
    params
        .filters
        .retain(|(name, _)| name != "refresh" && name != "panel");
    (params, refresh, summary)
}

/// `GET /instances/{instance_id}/topics` (`?name=` searches every topic; `?format=csv|json`
/// exports every match; `?panel=summary` answers htmx with the summary panel alone).
pub async fn list_topics(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner().instance_id;
    let (params, refresh, want_summary) = params_of(&request);
    let search = Search::of(&params);
    if let Some(format) = Format::requested(request.query_string()) {
        return Ok(export_topics(&user, &id, &search, &params, format).await);
    }
    if want_summary && hx.wants_fragment() {
        let catalog = catalog::load(&user, &id, refresh, VIEW_DEADLINE).await;
        let panel = catalog
            .map(|c| summary_of(id.as_str(), &c))
            .map_err(|e| ErrorSummary::upstream("op-list-topics", &e));
        return render_fragment(
            StatusCode::OK,
            &summary_panel(&user, id.as_str(), Some(panel)),
        );
    }
    let whole_list = !search.is_empty() || params.sort.is_some() || want_summary;
    let ((instance, nav), (rows, total, source, catalog)) =
        tokio::try_join!(instance_and_nav(&user, &id, Tab::Topics), async {
            Ok::<_, WebError>(read_rows(&user, &id, &params, &search, whole_list, refresh).await)
        })?;
    let status = match &rows {
        Ok(_) => StatusCode::OK,
        Err((_, status)) => *status,
    };
    let rows = rows.map_err(|(summary, _)| summary);
    let summary = catalog.map(|c| Ok(summary_of(id.as_str(), &c)));
    let summary_html = summary_panel(&user, id.as_str(), summary).render()?;
    let shown = rows.as_ref().map(Vec::len).unwrap_or(0);
    let pager = Pager::new(format!("/instances/{id}/topics"), params, shown, total);
    let refresh_href = with_refresh(&pager.self_href());
    let page = TopicsPage {
        layout: Layout::for_user(&user, "topics-title", Section::Instances)
            .in_instance(nav)
            .crumb("tab-topics", None),
        instance_id: id.to_string(),
        five: is_5x(&instance),
        empty: Msg::new(if search.is_empty() {
            "topics-empty"
        } else {
            "topics-empty-filtered"
        }),
        name: search.name,
        kind: search.kind,
        permission: search.permission,
        kinds: MESSAGE_TYPES,
        permissions: PERMISSIONS,
        rows,
        source,
        pager,
        summary_html,
        can_manage: user.can(Permission::ManageTopics),
        refresh_href,
    };
    render_page(hx, status, &page)
}

fn with_refresh(href: &str) -> String {
    if href.contains('?') {
        format!("{href}&refresh=1")
    } else {
        format!("{href}?refresh=1")
    }
}

type Rows = Result<Vec<Row>, (ErrorSummary, StatusCode)>;

/// The rows of a view: one DMS page, or the matches of the cached catalog.
async fn read_rows(
    user: &CurrentUser,
    id: &InstanceId,
    params: &ListParams,
    search: &Search,
    whole_list: bool,
    refresh: bool,
) -> (Rows, Option<u64>, Source, Option<Catalog>) {
    let failed = |error: &ApiError| {
        (
            ErrorSummary::upstream("op-list-topics", error),
            upstream_status(error),
        )
    };
    if !whole_list {
        let paging = Paging::new(params.limit, params.offset);
        return match user
            .budget(id)
            .run(user.dms.list_topics(id.as_str(), &paging))
            .await
        {
            Ok(reply) => {
                let list = reply.into_inner();
                let rows = list
                    .topics
                    .iter()
                    .map(|t| Row::of(id.as_str(), t))
                    .collect();
                (Ok(rows), Some(list.total.max(0) as u64), Source::Live, None)
            }
            Err(error) => (Err(failed(&error)), None, Source::Live, None),
        };
    }
    match catalog::load(user, id, refresh, VIEW_DEADLINE).await {
        Ok(catalog) => {
            let mut found = catalog::matching(
                &catalog.listing,
                &search.name,
                &search.kind,
                &search.permission,
            );
            if let Some(column) = params.sort {
                sort_rows(&mut found, column, params.desc);
            }
            let total = found.len() as u64;
            let rows = found
                .into_iter()
                .skip(params.offset as usize)
                .take(params.limit as usize)
                .map(|t| Row::of(id.as_str(), t))
                .collect();
            let source = Source::Cached {
                age: catalog.age_seconds(),
                partial: catalog.partial,
                truncated: catalog.listing.truncated,
                read: catalog.listing.topics.len(),
                total: catalog.listing.total,
            };
            (Ok(rows), Some(total), source, Some(catalog))
        }
        Err(error) => (Err(failed(&error)), None, Source::Live, None),
    }
}

const COLUMNS: &[&str] = &[
    "name",
    "message_type",
    "permission",
    "read_queues",
    "write_queues",
    "brokers",
    "created_utc",
    "description",
];

fn cells(topic: &Topic) -> Vec<Cell> {
    vec![
        Cell::from(&topic.name),
        Cell::from(&topic.message_type),
        Cell::from(&topic.permission),
        Cell::Number(topic.total_read_queue_num),
        Cell::Number(topic.total_write_queue_num),
        Cell::Text(
            topic
                .brokers
                .iter()
                .map(|b| b.broker_name.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        topic.created_at.map(Cell::Time).unwrap_or(Cell::Empty),
        Cell::from(&topic.topic_desc),
    ]
}

/// Every match as CSV or JSON: DMS's pages one after the other when nothing is searched,
/// else the whole catalog (read to its end); a list that could not be read to its end cuts
/// the download off, so it never looks complete.
async fn export_topics(
    user: &CurrentUser,
    id: &InstanceId,
    search: &Search,
    params: &ListParams,
    format: Format,
) -> HttpResponse {
    type Rows = std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<Vec<Cell>, WebError>>>>;
    let rows: Rows = if search.is_empty() && params.sort.is_none() {
        let (dms, budget, instance) = (user.dms.clone(), user.budget(id), id.to_string());
        Box::pin(
            walk::stream(50, catalog::MAX_TOPICS, move |offset, limit| {
                let (dms, budget, instance) = (dms.clone(), budget.clone(), instance.clone());
                async move {
                    let list = budget
                        .run(dms.list_topics(&instance, &Paging::new(limit, offset)))
                        .await?
                        .into_inner();
                    Ok(Page {
                        total: Some(list.total.max(0) as u64),
                        items: list.topics,
                    })
                }
            })
            .map(|row| {
                row.map(|t| cells(&t))
                    .map_err(|e| WebError::upstream("op-list-topics", e))
            }),
        )
    } else {
        let rows: Vec<Result<Vec<Cell>, WebError>> =
            match catalog::load(user, id, false, EXPORT_DEADLINE).await {
                Ok(catalog) => {
                    let mut found = catalog::matching(
                        &catalog.listing,
                        &search.name,
                        &search.kind,
                        &search.permission,
                    );
                    if let Some(column) = params.sort {
                        sort_rows(&mut found, column, params.desc);
                    }
                    let mut rows: Vec<_> = found.into_iter().map(|t| Ok(cells(t))).collect();
                    if catalog.incomplete() {
                        rows.push(Err(WebError::upstream(
                            "op-list-topics",
                            ApiError::local(
                                "ListRocketInstanceTopics",
                                ErrorKind::Transport,
                                "the topic list could not be read to its end",
                            ),
                        )));
                    }
                    rows
                }
                Err(error) => vec![Err(WebError::upstream("op-list-topics", error))],
            };
        Box::pin(futures_util::stream::iter(rows))
    };
    export::export(format, "topics", COLUMNS, rows)
}
