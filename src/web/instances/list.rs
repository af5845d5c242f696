//! The instance list: filters (name, status, tag), paging, sorting, status badges, CSV/JSON
//! export of every matching instance, and for administrators the boxes that select instances
//! for a batch restart or delete (`batch`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use futures_util::StreamExt;

use crate::api::models::instances::{Instance, ListInstancesQuery};
use crate::api::walk::{self, Page};
use crate::api::{ApiError, DmsClient};
use crate::web::error::{ErrorSummary, WebError};
use crate::web::export::{self, Cell, Format};
use crate::web::htmx::{HxRequest, render_page};
use crate::web::i18n::Msg;
use crate::web::layout::{Layout, Section};
use crate::web::list::{ListParams, ListSpec, Pager};
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;
use crate::web::view::{INSTANCE_STATUSES, is_transitional};

/// DMS pages instances 50 at a time; sorting reads the whole list (a project holds at most a
/// few hundred instances).
const SPEC: ListSpec = ListSpec {
    default_limit: 20,
    max_limit: 50,
    sortable: &["name", "status", "created"],
};

/// At most this many instances are read to sort or export.
const WHOLE_LIST: usize = 2_000;

#[derive(Template)]
#[template(path = "instances/list.html", blocks = ["content"])]
struct InstancesPage {
    layout: Layout,
    name: String,
    status: String,
    statuses: &'static [&'static str],
    tag: String,
    rows: Result<Vec<Instance>, ErrorSummary>,
    pager: Pager,
    busy: bool,
    empty: Msg,
    can_create: bool,
    can_batch: bool,
    can_compare: bool,
}
crate::page!(InstancesPage);

impl InstancesPage {
    fn sort(&self, column: &'static str) -> crate::web::list::SortHeader {
        self.pager.sort_header(column)
    }
}

/// Whether `instance` carries the tag of filter `tag` (`key` or `key=value`; DMS cannot
/// filter by tag, so the console does).
fn has_tag(instance: &Instance, tag: &str) -> bool {
    let (key, value) = match tag.split_once('=') {
        Some((key, value)) => (key, Some(value)),
        None => (tag, None),
    };
    instance
        .tags
        .iter()
        .any(|t| t.key == key && value.is_none_or(|v| t.value == v))
}

/// The DMS query of the list's filters.
fn query_of(params: &ListParams) -> ListInstancesQuery {
    ListInstancesQuery {
        name: Some(params.filter("name").to_owned()).filter(|n| !n.is_empty()),
        status: INSTANCE_STATUSES
            .iter()
            .find(|s| **s == params.filter("status"))
            .map(|s| (*s).to_owned()),
        ..Default::default()
    }
}

async fn page_of(
    dms: &DmsClient,
    query: &ListInstancesQuery,
    offset: u32,
    limit: u32,
) -> Result<Page<Instance>, ApiError> {
    let query = ListInstancesQuery {
        offset: Some(offset),
        limit: Some(limit),
        ..query.clone()
    };
    let reply = dms.list_instances(&query).await?.into_inner();
    Ok(Page {
        total: Some(reply.instance_num.max(0) as u64),
        items: reply.instances,
    })
}

fn sort_instances(rows: &mut [Instance], column: &str, desc: bool) {
    rows.sort_by(|a, b| {
        let order = match column {
            "status" => a.status.cmp(&b.status),
            "created" => a.created_at_millis().cmp(&b.created_at_millis()),
            _ => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
        }
        .then_with(|| a.instance_id.cmp(&b.instance_id));
        if desc { order.reverse() } else { order }
    });
}

/// `GET /instances` (`?format=csv|json` exports every matching instance).
pub async fn list_instances(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
) -> Result<HttpResponse, WebError> {
    let params = ListParams::parse(request.query_string(), SPEC);
    let query = query_of(&params);
    if let Some(format) = Format::requested(request.query_string()) {
        return Ok(export_instances(user.dms.clone(), query, format, &params));
    }
    let tag = params.filter("tag").to_owned();
    // Sorting and filtering by tag need the whole list; DMS does neither.
    let result = if params.sort.is_some() || !tag.is_empty() {
        walk::collect(50, WHOLE_LIST, |offset, limit| {
            page_of(&user.dms, &query, offset, limit)
        })
        .await
        .map(|mut all| {
            all.items.retain(|i| tag.is_empty() || has_tag(i, &tag));
            if let Some(column) = params.sort {
                sort_instances(&mut all.items, column, params.desc);
            }
            let total = all.items.len() as u64;
            let rows = all
                .items
                .into_iter()
                .skip(params.offset as usize)
                .take(params.limit as usize)
                .collect();
            (rows, total)
        })
    } else {
        page_of(&user.dms, &query, params.offset, params.limit)
            .await
            .map(|page| (page.items, page.total.unwrap_or(0)))
    };
    let (rows, total, status) = match result {
        Ok((rows, total)) => (Ok(rows), Some(total), StatusCode::OK),
        Err(error) => (
            Err(ErrorSummary::upstream("op-list-instances", &error)),
            None,
            crate::web::error::upstream_status(&error),
        ),
    };
    let shown = rows.as_ref().map(Vec::len).unwrap_or(0);
    let busy = rows
        .as_ref()
        .is_ok_and(|r| r.iter().any(|i| is_transitional(&i.status)));
    let filtered = !params.filter("name").is_empty()
        || !params.filter("status").is_empty()
        || !params.filter("tag").is_empty();
    let page = InstancesPage {
        layout: Layout::for_user(&user, "instances-title", Section::Instances)
            .crumb("nav-instances", None),
        name: params.filter("name").to_owned(),
        status: params.filter("status").to_owned(),
        statuses: INSTANCE_STATUSES,
        tag: params.filter("tag").to_owned(),
        rows,
        pager: Pager::new("/instances", params, shown, total),
        busy,
        empty: Msg::new(if filtered {
            "instances-empty-filtered"
        } else {
            "instances-empty"
        }),
        can_create: user.can(Permission::CreateInstances),
        can_batch: user.can(Permission::ModifyInstances),
        can_compare: user.can(Permission::ManageMigration),
    };
    render_page(hx, status, &page)
}

const COLUMNS: &[&str] = &[
    "instance_id",
    "name",
    "status",
    "engine_version",
    "specification",
    "used_storage_gb",
    "total_storage_gb",
    "created_utc",
    "description",
];

fn export_instances(
    dms: DmsClient,
    query: ListInstancesQuery,
    format: Format,
    params: &ListParams,
) -> HttpResponse {
    let sort = params.sort.map(|column| (column, params.desc));
    let tag = params.filter("tag").to_owned();
    let rows: std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<Instance, ApiError>>>> =
        match sort {
            None if !tag.is_empty() => Box::pin(
                walk::stream(50, WHOLE_LIST, move |offset, limit| {
                    let dms = dms.clone();
                    let query = query.clone();
                    async move { page_of(&dms, &query, offset, limit).await }
                })
                .filter(move |row| {
                    futures_util::future::ready(row.as_ref().map_or(true, |i| has_tag(i, &tag)))
                }),
            ),
            None => Box::pin(walk::stream(50, WHOLE_LIST, move |offset, limit| {
                let dms = dms.clone();
                let query = query.clone();
                async move { page_of(&dms, &query, offset, limit).await }
            })),
            Some((column, desc)) => Box::pin(
                futures_util::stream::once(async move {
                    walk::collect(50, WHOLE_LIST, |offset, limit| {
                        page_of(&dms, &query, offset, limit)
                    })
                    .await
                    .map(|mut all| {
                        all.items.retain(|i| tag.is_empty() || has_tag(i, &tag));
                        sort_instances(&mut all.items, column, desc);
                        all.items
                    })
                })
                .flat_map(|result| {
                    let rows: Vec<Result<Instance, ApiError>> = match result {
                        Ok(items) => items.into_iter().map(Ok).collect(),
                        Err(error) => vec![Err(error)],
                    };
                    futures_util::stream::iter(rows)
                }),
            ),
        };
    let rows = rows.map(|row| {
        row.map(|i| {
            vec![
                Cell::from(&i.instance_id),
                Cell::from(&i.name),
                Cell::from(&i.status),
                Cell::from(&i.engine_version),
                Cell::from(&i.specification),
                Cell::Number(i.used_storage_space),
                Cell::Number(i.total_storage_space.max(i.storage_space)),
                i.created_at_millis().map(Cell::Time).unwrap_or(Cell::Empty),
                Cell::from(&i.description),
            ]
        })
        .map_err(|e| WebError::upstream("op-list-instances", e))
    });
    export::export(format, "instances", COLUMNS, rows)
}
