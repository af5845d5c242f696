//! Exporting selected dead letters (`POST /instances/{id}/dlq/export`): the checked messages
//! of the selection form, read through the DLQ export (API reference §5.4.3) and streamed as
//! CSV or JSON, masked as the reader's pages are. Exporting every match is the list's
//! `?format=` (see `list`).

use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::{Stream, StreamExt};

use crate::api::ApiError;
use crate::api::models::messages::Message;

use crate::web::crypto::ServerKey;
use crate::web::error::WebError;
use crate::web::export::{self, Format};
use crate::web::i18n::Msg;
use crate::web::masking::MessagePolicy;
use crate::web::paths::InstancePath;
use crate::web::session::CurrentUser;

use super::super::messages::policy;
use super::{audit_export, dlq_topic, export_chunk, form_fields, group_param, selected_ids};

/// Messages read per DLQ export call while streaming.
const CHUNK: usize = 50;

/// `POST /instances/{instance_id}/dlq/export` with `group`, `format` and the checked `id`s.
pub async fn export_dead_letters(
    request: HttpRequest,
    user: CurrentUser,
    path: web::Path<InstancePath>,
    body: web::Bytes,
) -> Result<HttpResponse, WebError> {
    let instance_id = path.into_inner().instance_id;
    let policy = policy(&user);
    if !policy.may_export {
        return Err(WebError::Refused(Msg::new("export-off-for-role")));
    }
    let fields = form_fields(&body);
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    let format = match field("format") {
        "csv" => Format::Csv,
        "json" => Format::Json,
        _ => return Err(WebError::Invalid(Msg::new("export-bad-format"))),
    };
    let Some(group) = group_param(field("group"))? else {
        return Err(WebError::Invalid(Msg::new("dlq-group-required")));
    };
    let raw: Vec<String> = fields
        .iter()
        .filter(|(n, _)| n == "id")
        .map(|(_, v)| v.clone())
        .collect();
    let ids = selected_ids(&raw).map_err(WebError::Invalid)?;
    if ids.is_empty() {
        return Err(WebError::Invalid(Msg::new("dlq-nothing-selected")));
    }
    let topic = dlq_topic(group.as_str());
    audit_export(
        &request,
        &user,
        instance_id.as_str(),
        group.as_str(),
        serde_json::json!({"topic": topic, "format": field("format"), "msg_ids": ids, "masked": policy.masked}),
    )
    .await?;
    let (dms, budget, id) = (
        user.dms.clone(),
        user.budget(&instance_id),
        instance_id.as_str().to_owned(),
    );
    let chunks: Vec<Vec<String>> = ids.chunks(CHUNK).map(<[String]>::to_vec).collect();
    let pages = futures_util::stream::iter(chunks).then(move |chunk| {
        let (dms, budget, id, topic) = (dms.clone(), budget.clone(), id.clone(), topic.clone());
        async move { export_chunk(&dms, &budget, &id, &topic, &chunk).await }
    });
    Ok(stream_export(format, pages, policy, user.state.key.clone()))
}

/// The export file of dead letters read page by page, masked by `policy`; a page that fails
/// ends the file with the error.
pub fn stream_export<S>(
    format: Format,
    pages: S,
    policy: MessagePolicy,
    key: ServerKey,
) -> HttpResponse
where
    S: Stream<Item = Result<Vec<Message>, ApiError>> + 'static,
{
    let rows = pages.flat_map(move |page| {
        let rows: Vec<Result<Vec<export::Cell>, WebError>> = match page {
            Ok(messages) => messages
                .iter()
                .map(|m| Ok(super::super::messages::export::cells(m, &policy, &key)))
                .collect(),
            Err(error) => vec![Err(WebError::upstream("op-export-dead-letters", error))],
        };
        futures_util::stream::iter(rows)
    });
    export::export(
        format,
        "dead-letters",
        super::super::messages::export::COLUMNS,
        rows,
    )
}
