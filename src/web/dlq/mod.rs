//! Dead letters (`/instances/{id}/dlq?group=`): a consumer group's `%DLQ%{group}` messages
//! searched like any topic's (`list`), counted by original topic and tag (`list`'s panel),
//! resent (`resend`) and exported (`export`, API reference §5.4.3).
//!
//! A resend delivers messages again, so it is the most guarded change of the console:
//! operators only, previewed with the number and the topic, typed confirmation above a
//! threshold, rate-limited per user, audited with the exact ids, and claimed message by
//! message so that no dead letter is resent twice by a double click, a retried post or two
//! tabs submitting the same selection. Exports are audited too: they take message bodies out.

pub mod export;
pub mod list;
pub mod resend;

use actix_web::HttpRequest;

use crate::api::models::messages::{ExportDlqMessagesRequest, Message};
use crate::api::{ApiError, DmsClient};
use crate::domain::{GroupName, MessageId};
use crate::web::audit::audited::{Audited, record_local};
use crate::web::budget::Budget;
use crate::web::error::WebError;
use crate::web::forms::name_message;
use crate::web::i18n::Msg;
use crate::web::ledger::new_op_id;
use crate::web::rbac::Permission;
use crate::web::session::CurrentUser;

use super::messages::query_string;

/// At most this many dead letters are resent or exported by selection at once.
pub const SELECTION_MAX: usize = 1000;
/// Ids per DLQ export call.
const EXPORT_CHUNK: usize = 50;

/// The dead-letter topic of `group`.
pub fn dlq_topic(group: &str) -> String {
    format!("%DLQ%{group}")
}

/// The dead-letter page of `group`.
pub fn list_href(instance_id: &str, group: &str) -> String {
    format!(
        "/instances/{instance_id}/dlq?{}",
        query_string([("group", group)])
    )
}

/// The `group` parameter, checked (`None` when absent).
pub fn group_param(text: &str) -> Result<Option<GroupName>, WebError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    GroupName::try_from(text.to_owned())
        .map(Some)
        .map_err(|invalid| {
            WebError::Invalid(
                Msg::new("error-bad-path-value").arg("detail", name_message(&invalid)),
            )
        })
}

/// The selected ids of a form: each checked, duplicates dropped, at most [`SELECTION_MAX`].
pub fn selected_ids(raw: &[String]) -> Result<Vec<String>, Msg> {
    let mut ids: Vec<String> = Vec::new();
    for text in raw {
        let id = MessageId::try_from(text.trim().to_owned())
            .map_err(|invalid| name_message(&invalid))?;
        if !ids
            .iter()
            .any(|known| known.eq_ignore_ascii_case(id.as_str()))
        {
            ids.push(id.as_str().to_owned());
        }
    }
    if ids.len() > SELECTION_MAX {
        return Err(Msg::new("dlq-selection-too-large")
            .arg("count", ids.len())
            .arg("max", SELECTION_MAX));
    }
    Ok(ids)
}

/// A form body's fields, repeated names kept (the selection's `id`s).
pub fn form_fields(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

/// Records an export of `group`'s dead letters before it starts (`params`: the ids, or the
/// search of an export of every match): who took which message bodies out of the console.
/// When the audit log cannot record it, nothing is exported.
pub async fn audit_export(
    request: &HttpRequest,
    user: &CurrentUser,
    instance_id: &str,
    group: &str,
    params: serde_json::Value,
) -> Result<(), WebError> {
    let action = Audited::new(
        request,
        user,
        Permission::Read,
        "ExportDlqMessage",
        format!("dlq/{instance_id}/{group}"),
        params,
        &new_op_id(),
    );
    record_local(action).await
}

/// The messages with `ids` of the dead-letter topic, in the order of `ids`, read through the
/// DLQ export (API reference §5.4.3) a chunk at a time.
pub async fn export_chunk(
    dms: &DmsClient,
    budget: &Budget,
    instance_id: &str,
    topic: &str,
    ids: &[String],
) -> Result<Vec<Message>, ApiError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(EXPORT_CHUNK) {
        let body = ExportDlqMessagesRequest {
            topic: Some(topic.to_owned()),
            msg_id_list: Some(chunk.to_vec()),
            uniq_key_list: None,
        };
        let mut found = budget
            .run(dms.export_dlq_messages(instance_id, &body))
            .await?
            .into_inner()
            .messages;
        // DMS answers in its own order: put the messages back in the order asked for.
        for id in chunk {
            if let Some(at) = found.iter().position(|m| m.msg_id.eq_ignore_ascii_case(id)) {
                out.push(found.swap_remove(at));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selections_are_checked_deduplicated_and_bounded() {
        let ids = selected_ids(&["C0A8".into(), "c0a8".into(), " 7F00 ".into()]).unwrap();
        assert_eq!(ids, ["C0A8", "7F00"]);
        assert!(selected_ids(&["not an id".into()]).is_err());
        let many: Vec<String> = (0..=SELECTION_MAX).map(|i| format!("ID{i}")).collect();
        assert!(selected_ids(&many).is_err());
        assert_eq!(
            form_fields(b"id=a&id=b&group=G%25x"),
            [
                ("id".to_owned(), "a".to_owned()),
                ("id".to_owned(), "b".to_owned()),
                ("group".to_owned(), "G%x".to_owned())
            ]
        );
    }
}
