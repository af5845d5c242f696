//! The one route table: every URL, its method, its handler and the permission it needs.
//!
//! `configure` registers the table with actix; the `permissions` middleware looks up the
//! matched route here and refuses a signed-in user whose role lacks the permission before the
//! handler runs (handlers check again). Tests walk [`ROUTES`] to prove that a viewer is
//! refused every change and that no refused request reaches DMS, and that every page renders
//! in every language.

use actix_web::body::EitherBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};

use super::rbac::{Permission, allows};
use super::session::SessionRecord;
use super::{
    assets, audit, dlq, groups, health, instances, login, messages, oidc, prefs, sessions_page,
    switch, topics, users,
};
use actix_session::SessionExt;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (sign-in page, assets, health).
    Public,
    /// A signed-in user whose role holds the permission.
    Signed(Permission),
}

/// One route.
#[derive(Clone, Copy)]
pub struct RouteDef {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The actix path pattern.
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
    register: fn(&mut web::ServiceConfig),
}

impl RouteDef {
    /// Whether the route changes state.
    pub fn is_mutation(&self) -> bool {
        self.method != "GET"
    }
}

impl std::fmt::Debug for RouteDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} ({:?})", self.method, self.path, self.access)
    }
}

macro_rules! route {
    ($method:ident $path:literal, $access:expr, $handler:path) => {
        RouteDef {
            method: const_str_upper!($method),
            path: $path,
            access: $access,
            register: |cfg| {
                cfg.route($path, web::$method().to($handler));
            },
        }
    };
}

macro_rules! const_str_upper {
    (get) => {
        "GET"
    };
    (post) => {
        "POST"
    };
}

use Access::{Public, Signed};
use Permission as P;

/// The route table.
pub static ROUTES: &[RouteDef] = &[
    route!(get "/", Signed(P::Read), instances::home),
    route!(get "/login", Public, login::login_form),
    route!(post "/login", Public, login::login),
    route!(post "/logout", Signed(P::Read), login::logout),
    route!(get "/login/oidc", Public, oidc::flow::start),
    route!(get "/login/oidc/callback", Public, oidc::flow::callback),
    route!(post "/connection", Signed(P::Read), switch::switch_connection),
    route!(get "/sessions", Signed(P::Read), sessions_page::list_sessions),
    route!(post "/sessions/end", Signed(P::Read), sessions_page::end_session),
    route!(post "/sessions/end-user", Signed(P::Read), sessions_page::end_user_sessions),
    route!(post "/preferences", Public, prefs::update_preferences),
    route!(get "/instances", Signed(P::Read), instances::list::list_instances),
    // Before `/instances/{instance_id}`, which would take `new` and `batch` for ids.
    route!(get "/instances/new", Signed(P::CreateInstances), instances::create::new_instance_form),
    route!(post "/instances", Signed(P::CreateInstances), instances::create::create_instance),
    route!(get "/instances/batch", Signed(P::ModifyInstances), instances::batch::batch_form),
    route!(post "/instances/batch", Signed(P::ModifyInstances), instances::batch::run_batch),
    route!(get "/instances/{instance_id}", Signed(P::Read), instances::dashboard::show_instance),
    route!(get "/instances/{instance_id}/panels/{panel}", Signed(P::Read), instances::dashboard::show_panel),
    route!(get "/instances/{instance_id}/edit", Signed(P::ModifyInstances), instances::changes::edit_instance_form),
    route!(post "/instances/{instance_id}/edit", Signed(P::ModifyInstances), instances::changes::update_instance),
    route!(get "/instances/{instance_id}/restart", Signed(P::ModifyInstances), instances::changes::restart_instance_form),
    route!(post "/instances/{instance_id}/restart", Signed(P::ModifyInstances), instances::changes::restart_instance),
    route!(get "/instances/{instance_id}/delete", Signed(P::DeleteInstances), instances::changes::delete_instance_form),
    route!(post "/instances/{instance_id}/delete", Signed(P::DeleteInstances), instances::changes::delete_instance),
    route!(get "/instances/{instance_id}/topics", Signed(P::Read), topics::list::list_topics),
    route!(get "/instances/{instance_id}/new-topic", Signed(P::ManageTopics), topics::changes::create_topic_form),
    route!(post "/instances/{instance_id}/new-topic", Signed(P::ManageTopics), topics::changes::create_topic),
    route!(get "/instances/{instance_id}/import-topics", Signed(P::ManageTopics), topics::import::import_topics_form),
    route!(post "/instances/{instance_id}/import-topics", Signed(P::ManageTopics), topics::import::import_topics),
    route!(post "/instances/{instance_id}/delete-topics", Signed(P::ManageTopics), topics::batch::delete_topics),
    route!(get "/instances/{instance_id}/topics/{topic}", Signed(P::Read), topics::page::show_topic),
    route!(post "/instances/{instance_id}/topics/{topic}/send", Signed(P::SendMessages), topics::send::send_test_message),
    route!(get "/instances/{instance_id}/topics/{topic}/edit", Signed(P::ManageTopics), topics::changes::edit_topic_form),
    route!(post "/instances/{instance_id}/topics/{topic}/edit", Signed(P::ManageTopics), topics::changes::update_topic),
    route!(get "/instances/{instance_id}/topics/{topic}/delete", Signed(P::ManageTopics), topics::changes::delete_topic_form),
    route!(post "/instances/{instance_id}/topics/{topic}/delete", Signed(P::ManageTopics), topics::changes::delete_topic),
    route!(get "/instances/{instance_id}/users", Signed(P::Read), users::list::list_users),
    route!(get "/instances/{instance_id}/users/new", Signed(P::ManageUsers), users::changes::create_user_form),
    route!(post "/instances/{instance_id}/users/new", Signed(P::ManageUsers), users::changes::create_user),
    route!(get "/instances/{instance_id}/users/{user}/edit", Signed(P::ManageUsers), users::changes::edit_user_form),
    route!(post "/instances/{instance_id}/users/{user}/edit", Signed(P::ManageUsers), users::changes::update_user),
    route!(get "/instances/{instance_id}/users/{user}/delete", Signed(P::ManageUsers), users::changes::delete_user_form),
    route!(post "/instances/{instance_id}/users/{user}/delete", Signed(P::ManageUsers), users::changes::delete_user),
    route!(get "/instances/{instance_id}/progress", Signed(P::ModifyInstances), instances::progress::show_progress),
    route!(get "/instances/{instance_id}/resize", Signed(P::ModifyInstances), instances::resize::resize_form),
    route!(post "/instances/{instance_id}/resize", Signed(P::ModifyInstances), instances::resize::resize_instance),
    route!(get "/instances/{instance_id}/nodes", Signed(P::ModifyInstances), instances::nodes::list_nodes),
    route!(post "/instances/{instance_id}/nodes/restart", Signed(P::ModifyInstances), instances::nodes::restart_nodes),
    route!(get "/instances/{instance_id}/tags", Signed(P::ManageTags), instances::tags::show_tags),
    route!(post "/instances/{instance_id}/tags", Signed(P::ManageTags), instances::tags::change_tags),
    route!(get "/instances/{instance_id}/config", Signed(P::ManageConfig), instances::config::show_config),
    route!(post "/instances/{instance_id}/config", Signed(P::ManageConfig), instances::config::update_config),
    route!(get "/instances/{instance_id}/migrations", Signed(P::ManageMigration), instances::migrations::list_migrations),
    route!(post "/instances/{instance_id}/migrations", Signed(P::ManageMigration), instances::migrations::create_migration),
    route!(post "/instances/{instance_id}/migrations/delete", Signed(P::ManageMigration), instances::migrations::delete_migrations),
    route!(get "/instances/{instance_id}/export", Signed(P::ManageMigration), instances::export::export_instance),
    route!(get "/compare", Signed(P::ManageMigration), instances::compare::compare_instances),
    route!(get "/instances/{instance_id}/groups", Signed(P::Read), groups::list::list_groups),
    route!(post "/instances/{instance_id}/groups", Signed(P::ManageGroups), groups::batch::batch_change),
    route!(get "/instances/{instance_id}/new-group", Signed(P::ManageGroups), groups::changes::new_group_form),
    route!(post "/instances/{instance_id}/new-group", Signed(P::ManageGroups), groups::changes::create_group),
    route!(get "/instances/{instance_id}/groups/{group}", Signed(P::Read), groups::show::show_group),
    route!(get "/instances/{instance_id}/groups/{group}/edit", Signed(P::ManageGroups), groups::changes::edit_group_form),
    route!(post "/instances/{instance_id}/groups/{group}/edit", Signed(P::ManageGroups), groups::changes::update_group),
    route!(get "/instances/{instance_id}/groups/{group}/delete", Signed(P::ManageGroups), groups::changes::delete_group_form),
    route!(post "/instances/{instance_id}/groups/{group}/delete", Signed(P::ManageGroups), groups::changes::delete_group),
    route!(get "/instances/{instance_id}/groups/{group}/reset", Signed(P::ResetOffsets), groups::reset::reset_form),
    route!(post "/instances/{instance_id}/groups/{group}/reset", Signed(P::ResetOffsets), groups::reset::reset_offsets),
    route!(get "/instances/{instance_id}/messages", Signed(P::Read), messages::search::search_messages),
    route!(get "/instances/{instance_id}/messages/{msg_id}", Signed(P::Read), messages::show::show_message),
    route!(get "/instances/{instance_id}/messages/{msg_id}/body", Signed(P::Read), messages::show::download_body),
    route!(get "/instances/{instance_id}/messages/{msg_id}/trace", Signed(P::Read), messages::trace::show_trace),
    route!(get "/instances/{instance_id}/messages/{msg_id}/reveal", Signed(P::RevealMessageBody), messages::reveal::reveal_form),
    route!(post "/instances/{instance_id}/messages/{msg_id}/reveal", Signed(P::RevealMessageBody), messages::reveal::reveal_body),
    route!(get "/instances/{instance_id}/messages/{msg_id}/verify", Signed(P::ResendMessages), messages::verify::verify_form),
    route!(post "/instances/{instance_id}/messages/{msg_id}/verify", Signed(P::ResendMessages), messages::verify::verify_consumption),
    route!(get "/instances/{instance_id}/dlq", Signed(P::Read), dlq::list::list_dead_letters),
    route!(get "/instances/{instance_id}/dlq/panels/counts", Signed(P::Read), dlq::list::show_counts),
    route!(post "/instances/{instance_id}/dlq/resend", Signed(P::ResendMessages), dlq::resend::resend_dead_letters),
    route!(post "/instances/{instance_id}/dlq/export", Signed(P::Read), dlq::export::export_dead_letters),
    route!(get "/audit", Signed(P::ReadAudit), audit::page::list_audit),
    route!(get "/healthz", Public, health::healthz),
    route!(get "/readyz", Public, health::readyz),
    route!(get "/metrics", Public, health::metrics),
    route!(get "/static/{path:.*}", Public, assets::serve),
];

/// The route table (for tests and tools that walk it).
pub fn table() -> &'static [RouteDef] {
    ROUTES
}

/// Whether a `GET` route with `pattern` exists (instance tabs appear only for pages that do).
pub fn has_get(pattern: &str) -> bool {
    ROUTES
        .iter()
        .any(|r| r.method == "GET" && r.path == pattern)
}

/// Registers every route of the table, and the console's "not found" page for any other URL.
pub fn configure(cfg: &mut web::ServiceConfig) {
    super::paths::configure(cfg);
    for route in ROUTES {
        (route.register)(cfg);
    }
    cfg.default_service(web::to(not_found));
}

/// Any address outside the table: the console's own "not found" page.
async fn not_found() -> Result<actix_web::HttpResponse, super::error::WebError> {
    Err(super::error::WebError::NotFound(super::i18n::Msg::new(
        "error-no-page",
    )))
}

/// The table entry for a method and matched pattern.
pub fn lookup(method: &str, pattern: &str) -> Option<&'static RouteDef> {
    ROUTES
        .iter()
        .find(|r| r.method == method && r.path == pattern)
}

/// Refuses a signed-in user whose role lacks the matched route's permission.
pub async fn permissions(
    request: ServiceRequest,
    next: Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl actix_web::body::MessageBody>>, actix_web::Error> {
    let pattern = request.match_pattern();
    let needed = pattern
        .as_deref()
        .and_then(|p| lookup(request.method().as_str(), p))
        .and_then(|r| match r.access {
            Access::Signed(permission) => Some(permission),
            Access::Public => None,
        });
    if let Some(permission) = needed
        && let Some(record) = SessionRecord::of(&request.get_session())
        && !allows(record.role, permission)
    {
        let error = super::error::WebError::Forbidden { needed: permission };
        let response = error.error_response();
        return Ok(request.into_response(response).map_into_right_body());
    }
    Ok(next.call(request).await?.map_into_left_body())
}
