//! `POST /connection`: a single-sign-on user whose groups give them several connections
//! switches to another; their role becomes the one mapped for it. The session's record is
//! replaced in place (the one write after sign-in), never recreating a session that ended
//! meanwhile; caches are per credential, so nothing of the previous connection shows.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::error::WebError;
use super::htmx::{HxRequest, redirect};
use super::i18n::Msg;
use super::rbac::Permission;
use super::session::CurrentUser;

/// The switcher's form.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SwitchForm {
    connection: String,
}

/// `POST /connection`.
pub async fn switch_connection(
    user: CurrentUser,
    hx: HxRequest,
    form: web::Form<SwitchForm>,
) -> Result<HttpResponse, WebError> {
    user.require(Permission::Read)?;
    let wanted = form.connection.trim();
    let grant = user
        .record
        .grants
        .iter()
        .find(|g| g.connection == wanted)
        .cloned()
        .ok_or_else(|| {
            WebError::Invalid(Msg::new("switch-not-granted").arg("connection", wanted))
        })?;
    if !user.state.connections.contains_key(&grant.connection) {
        return Err(WebError::unexpected(format!(
            "the connection `{}` is no longer configured",
            grant.connection
        )));
    }
    let mut record = user.record.clone();
    record.role = grant.role;
    record.connection = Some(grant.connection.clone());
    record.connection_label = grant.connection.clone();
    tracing::info!(user = %record.user, connection = %grant.connection, role = %grant.role, "switched connection");
    record.replace(&user.session)?;
    Ok(redirect(hx, "/instances"))
}
