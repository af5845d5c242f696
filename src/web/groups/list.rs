//! The groups tab: a page of consumer groups (the API's own paging and name filter), each with
//! its lag, "behind by", online clients, subscription consistency and dead letters from the
//! instance's lag board. The page answers at once; figures not read yet show as pending and
//! the list asks for itself again every second until its rows are filled in (the board reads
//! the rows on screen first). Sorting by name reads the whole list; sorting by lag or "behind
//! by" waits until every group's figures are in. `?format=csv|json` exports every match with
//! the figures read so far.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::api::models::groups::{ConsumerGroup, ListConsumerGroupsQuery};
use crate::api::{ApiError, ErrorKind};
use crate::domain::InstanceId;
use crate::web::error::{ErrorSummary, WebError, upstream_status};
use crate::web::export::{self, Cell as ExportCell, Format};
use crate::web::htmx::{HxRequest, render_page};
use crate::web::i18n::Msg;
use crate::web::layout::{InstanceNav, Layout, Section, Tab};
use crate::web::list::{ListParams, ListSpec, Pager, SortHeader};
use crate::web::paths::InstancePath;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

use super::lag::{self, Behind, Board, Cell, Progress};
use super::{VIEW_DEADLINE, board, dlq_href, group_href};

/// DMS pages groups 50 at a time at most.
const SPEC: ListSpec = ListSpec {
    default_limit: 20,
    max_limit: 50,
    sortable: &["name", "lag", "behind"],
};

/// One row of the list.
pub struct Row {
    /// The group as DMS lists it.
    pub group: ConsumerGroup,
    /// Its page.
    pub href: String,
    /// Its dead letters.
    pub dlq_href: String,
    /// Its figures.
    pub cell: Cell,
}

impl Row {
    /// "Behind by" in milliseconds, when the group lags and has consumed something.
    pub fn behind_ms(&self) -> Option<i64> {
        match &self.cell {
            Cell::Ready(f) => f.behind.millis(),
            _ => None,
        }
    }

    /// Whether the group lags on queues where it never consumed anything.
    pub fn never_consumed(&self) -> bool {
        matches!(&self.cell, Cell::Ready(f) if f.behind == Behind::NeverConsumed)
    }
}

#[derive(Template)]
#[template(path = "groups/list.html", blocks = ["content"])]
struct GroupsPage {
    layout: Layout,
    instance_id: String,
    filter: String,
    rows: Result<Vec<Row>, ErrorSummary>,
    pager: Pager,
    /// The instance's group quota and what is left of it, when DMS said.
    quota: Option<(i64, i64)>,
    progress: Progress,
    /// Whether the list asks for itself again (figures or a sort are still coming).
    poll: bool,
    /// Whether sorting by the figures is possible (every group was read).
    sort_ready: bool,
    /// Sorting by the figures was asked for before every group was read.
    sort_waiting: bool,
    /// The whole list could not be read in time: DMS's order is shown instead.
    partial_list: bool,
    can_manage: bool,
    refresh_href: String,
    empty: Msg,
}
crate::page!(GroupsPage);

impl GroupsPage {
    fn sort(&self, column: &'static str) -> SortHeader {
        self.pager.sort_header(column)
    }

    /// What the figures' label says: how far the reading is, or how old the figures are.
    fn figures_status(&self) -> String {
        let p = &self.progress;
        let status = match (p.complete, p.total) {
            (true, _) => Msg::new("groups-figures-as-of").text(
                "age",
                crate::web::time::duration(
                    p.age.map(|a| a.as_millis() as i64).unwrap_or(0),
                    self.layout.ui.lang,
                ),
            ),
            (false, Some(total)) => Msg::new("groups-figures-reading")
                .arg("read", p.read)
                .arg("total", total),
            (false, None) => Msg::new("groups-figures-listing"),
        };
        self.layout.ui.lang.msg(&status)
    }

    /// A note when DMS throttled the console and the budget shrank.
    fn window_note(&self) -> Option<String> {
        (self.progress.window < crate::web::budget::INITIAL).then(|| {
            self.layout
                .ui
                .lang
                .msg(&Msg::new("groups-budget-shrunk").arg("window", self.progress.window))
        })
    }

    /// How many groups can still be created, when DMS said.
    fn quota_text(&self) -> Option<String> {
        self.quota.map(|(max, remaining)| {
            self.layout.ui.lang.msg(
                &Msg::new("groups-quota")
                    .arg("remaining", remaining)
                    .arg("max", max),
            )
        })
    }
}

/// The `refresh` flag of a query: read every group's figures again now.
fn take_refresh(params: &mut ListParams) -> bool {
    let refresh = params.filter("refresh") == "1";
    params.filters.retain(|(name, _)| name != "refresh");
    refresh
}

/// One page of groups as DMS lists it, with the total and the quota.
async fn dms_page(
    user: &CurrentUser,
    id: &InstanceId,
    filter: &str,
    params: &ListParams,
) -> Result<(Vec<ConsumerGroup>, u64, (i64, i64)), ApiError> {
    let query = ListConsumerGroupsQuery {
        group: Some(filter.to_owned()).filter(|f| !f.is_empty()),
        limit: Some(params.limit),
        offset: Some(params.offset),
    };
    let budget = user.budget(id);
    let reply = lag::budgeted(&budget, || {
        user.dms.list_consumer_groups(id.as_str(), &query)
    })
    .await?
    .into_inner();
    Ok((
        reply.groups,
        reply.total.max(0) as u64,
        (reply.max, reply.remaining),
    ))
}

/// Every group matching `filter` (the API's filter): the board's list when unfiltered and
/// listed, else read through the credential's cache.
async fn whole_list(
    user: &CurrentUser,
    id: &InstanceId,
    filter: &str,
    board: &Board,
) -> Result<std::sync::Arc<Vec<ConsumerGroup>>, ApiError> {
    if filter.is_empty()
        && let Some(groups) = board.groups()
    {
        return Ok(groups);
    }
    let (dms, budget, instance, wanted) = (
        user.dms.clone(),
        user.budget(id),
        id.to_string(),
        filter.to_owned(),
    );
    user.state
        .lists
        .groups
        .get(
            user.cache_key(id.as_str(), format!("filter:{filter}")),
            false,
            move || async move {
                lag::list_groups(&dms, &budget, &instance, &wanted)
                    .await
                    .map(|(groups, _)| groups)
            },
        )
        .await
        .map(|cached| cached.value)
}

/// The sort key of a row's figures: read groups by their value, the others below them.
fn figure_key(cell: &Cell, column: &str) -> i64 {
    match cell {
        Cell::Ready(f) if column == "lag" => f.lag,
        Cell::Ready(f) => f.behind.sort_key(),
        _ => i64::MIN,
    }
}

fn sort_rows(rows: &mut [Row], column: &str, desc: bool) {
    rows.sort_by(|a, b| {
        let order = match column {
            "name" => a.group.name.cmp(&b.group.name),
            figure => figure_key(&a.cell, figure)
                .cmp(&figure_key(&b.cell, figure))
                .then_with(|| b.group.name.cmp(&a.group.name)),
        };
        if desc { order.reverse() } else { order }
    });
}

fn rows_of(id: &str, groups: Vec<ConsumerGroup>, board: &Board) -> Vec<Row> {
    let cells = board.cells(groups.iter().map(|g| g.name.as_str()));
    groups
        .into_iter()
        .zip(cells)
        .map(|(group, cell)| Row {
            href: group_href(id, &group.name),
            dlq_href: dlq_href(id, &group.name),
            group,
            cell,
        })
        .collect()
}

/// `GET /instances/{instance_id}/groups` (`?format=csv|json` exports every match).
pub async fn list_groups(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner().instance_id;
    let mut params = ListParams::parse(request.query_string(), SPEC);
    let refresh = take_refresh(&mut params);
    let filter = params.filter("group").to_owned();
    let board = board(&user, &id, refresh).await;
    if let Some(format) = Format::requested(request.query_string()) {
        return export_groups(&user, &id, &filter, &params, &board, format).await;
    }
    let progress = board.progress();
    let sort_ready = progress.complete && progress.listing_failed.is_none();
    let by_figures = matches!(params.sort, Some("lag" | "behind"));
    let whole = params.sort.is_some() && (sort_ready || !by_figures);
    let mut partial_list = false;
    let (listed, nav) = tokio::join!(
        async {
            if whole {
                match tokio::time::timeout(VIEW_DEADLINE, whole_list(&user, &id, &filter, &board))
                    .await
                {
                    Ok(Ok(groups)) => return Ok((groups.as_ref().clone(), None, None)),
                    Ok(Err(error)) => return Err(error),
                    Err(_) => partial_list = true,
                }
            }
            dms_page(&user, &id, &filter, &params)
                .await
                .map(|(groups, total, quota)| (groups, Some(total), Some(quota)))
        },
        InstanceNav::load(&user, &id, Tab::Groups)
    );
    let (rows, total, quota, status) = match listed {
        Ok((groups, total, quota)) => {
            let paged = total.is_some();
            let total = total.unwrap_or(groups.len() as u64);
            let mut rows = rows_of(id.as_str(), groups, &board);
            if !paged {
                if let Some(column) = params.sort {
                    sort_rows(&mut rows, column, params.desc);
                }
                rows = rows
                    .into_iter()
                    .skip(params.offset as usize)
                    .take(params.limit as usize)
                    .collect();
            }
            board.want(rows.iter().map(|r| r.group.name.as_str()));
            (Ok(rows), Some(total), quota, StatusCode::OK)
        }
        Err(error) if error.kind == ErrorKind::NotFound => {
            return Err(crate::web::instances::not_found(&id));
        }
        Err(error) => (
            Err(ErrorSummary::upstream("groups-op-list", &error)),
            None,
            None,
            upstream_status(&error),
        ),
    };
    let shown = rows.as_ref().map(Vec::len).unwrap_or(0);
    let listing_failed = progress.listing_failed.is_some();
    let pending = rows
        .as_ref()
        .is_ok_and(|rows| rows.iter().any(|r| r.cell == Cell::Pending));
    let sort_waiting = by_figures && !sort_ready;
    let poll = !listing_failed && (pending || sort_waiting);
    let mut refresh_params = params.clone();
    refresh_params
        .filters
        .push(("refresh".to_owned(), "1".to_owned()));
    let base = format!("/instances/{id}/groups");
    let refresh_href = Pager::new(base.clone(), refresh_params, 0, None).self_href();
    let page = GroupsPage {
        layout: Layout::for_user(&user, "groups-title", Section::Instances)
            .in_instance(nav)
            .crumb("groups-title", None),
        instance_id: id.to_string(),
        empty: Msg::new(if filter.is_empty() {
            "groups-empty"
        } else {
            "groups-empty-filtered"
        }),
        filter,
        rows,
        pager: Pager::new(base, params, shown, total),
        quota,
        progress,
        poll,
        sort_ready,
        sort_waiting,
        partial_list,
        can_manage: user.can(Permission::ManageGroups),
        refresh_href,
    };
    render_page(hx, status, &page)
}

const COLUMNS: &[&str] = &[
    "name",
    "description",
    "enabled",
    "broadcast",
    "consume_orderly",
    "retry_max_time",
    "brokers",
    "created_utc",
    "lag",
    "behind_ms",
    "online",
    "clients",
    "subscriptions_consistent",
    "dead_letters",
    "figures_read_utc",
];

/// Every matching group as CSV or JSON, with the figures the board has read so far.
async fn export_groups(
    user: &CurrentUser,
    id: &InstanceId,
    filter: &str,
    params: &ListParams,
    board: &Board,
    format: Format,
) -> Result<HttpResponse, WebError> {
    let groups = whole_list(user, id, filter, board)
        .await
        .map_err(|e| WebError::upstream("groups-op-list", e))?;
    let mut rows = rows_of(id.as_str(), groups.as_ref().clone(), board);
    if let Some(column) = params.sort {
        sort_rows(&mut rows, column, params.desc);
    }
    let cells: Vec<Result<Vec<ExportCell>, WebError>> = rows
        .into_iter()
        .map(|row| {
            let g = &row.group;
            let mut cells = vec![
                ExportCell::from(&g.name),
                ExportCell::from(&g.group_desc),
                ExportCell::Bool(g.enabled),
                ExportCell::Bool(g.broadcast),
                ExportCell::Bool(g.consume_orderly),
                ExportCell::Number(g.retry_max_time),
                ExportCell::Text(g.brokers.join(" ")),
                g.created_at
                    .map(ExportCell::Time)
                    .unwrap_or(ExportCell::Empty),
            ];
            match &row.cell {
                Cell::Ready(f) => cells.extend([
                    ExportCell::Number(f.lag),
                    f.behind
                        .millis()
                        .map(ExportCell::Number)
                        .unwrap_or(ExportCell::Empty),
                    ExportCell::Bool(f.online),
                    ExportCell::Number(f.clients),
                    ExportCell::Bool(f.consistent),
                    ExportCell::Number(f.dead_letters),
                    ExportCell::Time(f.read_ms),
                ]),
                _ => cells.extend(std::iter::repeat_n(ExportCell::Empty, 7)),
            }
            Ok(cells)
        })
        .collect();
    Ok(export::export(
        format,
        "consumer-groups",
        COLUMNS,
        futures_util::stream::iter(cells),
    ))
}
