//! The users tab: the instance's ACL users page by page, each with its defaults and its own
//! permissions counted; what ACL being off means; CSV/JSON export (no secrets: DMS masks
//! them and the export leaves them out).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::StreamExt;

use super::{perm_key, user_href};
use crate::api::models::common::Paging;
use crate::api::models::users::User;
use crate::api::walk::{self, Page};
use crate::domain::InstanceId;
use crate::web::error::{ErrorSummary, WebError, upstream_status};
use crate::web::export::{self, Cell, Format};
use crate::web::htmx::{HxRequest, render_page};
use crate::web::i18n::Msg;
use crate::web::layout::{Layout, Section, Tab};
use crate::web::list::{ListParams, ListSpec, Pager};
use crate::web::paths::InstancePath;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;
use crate::web::topics::instance_and_nav;

const SPEC: ListSpec = ListSpec::DMS;
/// At most this many users are exported.
const EXPORT_MAX: usize = 10_000;

#[derive(Template)]
#[template(path = "users/list.html", blocks = ["content"])]
struct UsersPage {
    layout: Layout,
    instance_id: String,
    acl: bool,
    rows: Result<Vec<User>, ErrorSummary>,
    pager: Pager,
    empty: Msg,
    can_manage: bool,
}
crate::page!(UsersPage);

impl UsersPage {
    fn perm(&self, perm: &str) -> String {
        self.t(perm_key(perm))
    }

    fn href(&self, user: &str) -> String {
        user_href(&self.instance_id, user)
    }
}

async fn page_of(
    user: &CurrentUser,
    id: &InstanceId,
    offset: u32,
    limit: u32,
) -> Result<Page<User>, crate::api::ApiError> {
    let list = user
        .budget(id)
        .run(
            user.dms
                .list_users(id.as_str(), &Paging::new(limit, offset)),
        )
        .await?
        .into_inner();
    Ok(Page {
        total: Some(list.total.max(0) as u64),
        items: list.users,
    })
}

/// `GET /instances/{instance_id}/users` (`?format=csv|json` exports every user).
pub async fn list_users(
    request: HttpRequest,
    user: CurrentUser,
    hx: HxRequest,
    path: web::Path<InstancePath>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner().instance_id;
    let params = ListParams::parse(request.query_string(), SPEC);
    if let Some(format) = Format::requested(request.query_string()) {
        return Ok(export_users(user, id, format));
    }
    let (loaded, listed) = tokio::join!(
        instance_and_nav(&user, &id, Tab::Users),
        page_of(&user, &id, params.offset, params.limit)
    );
    let (instance, nav) = loaded?;
    let (rows, total, status) = match listed {
        Ok(page) => (Ok(page.items), page.total, StatusCode::OK),
        Err(error) => (
            Err(ErrorSummary::upstream("op-list-users", &error)),
            None,
            upstream_status(&error),
        ),
    };
    let shown = rows.as_ref().map(Vec::len).unwrap_or(0);
    let page = UsersPage {
        layout: Layout::for_user(&user, "users-title", Section::Instances)
            .in_instance(nav)
            .crumb("tab-users", None),
        instance_id: id.to_string(),
        acl: instance.enable_acl,
        rows,
        pager: Pager::new(format!("/instances/{id}/users"), params, shown, total),
        empty: Msg::new("users-empty"),
        can_manage: user.can(Permission::ManageUsers),
    };
    render_page(hx, status, &page)
}

const COLUMNS: &[&str] = &[
    "access_key",
    "admin",
    "white_remote_address",
    "default_topic_perm",
    "default_group_perm",
    "topic_perms",
    "group_perms",
];

fn export_users(user: CurrentUser, id: InstanceId, format: Format) -> HttpResponse {
    let user = std::rc::Rc::new(user);
    let rows = walk::stream(50, EXPORT_MAX, move |offset, limit| {
        let (user, id) = (user.clone(), id.clone());
        async move { page_of(&user, &id, offset, limit).await }
    })
    .map(|row| {
        row.map(|u| {
            let perms = |list: &[crate::api::models::users::Permission]| {
                list.iter()
                    .map(|p| format!("{}={}", p.name, p.perm))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            vec![
                Cell::from(&u.access_key),
                Cell::Bool(u.admin),
                Cell::from(&u.white_remote_address),
                Cell::from(&u.default_topic_perm),
                Cell::from(&u.default_group_perm),
                Cell::Text(perms(&u.topic_perms)),
                Cell::Text(perms(&u.group_perms)),
            ]
        })
        .map_err(|e| WebError::upstream("op-list-users", e))
    });
    export::export(format, "users", COLUMNS, rows)
}
