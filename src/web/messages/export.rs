//! The rows of message exports (a search's, and the dead letters'), masked as the reader's
//! pages are: a masked reader's export has each body's length, kind and keyed hash instead of
//! the body, and the same for masked properties. Reveals do not reach exports.

use crate::api::models::messages::Message;
use crate::web::crypto::ServerKey;
use crate::web::export::Cell;
use crate::web::masking::MessagePolicy;

use super::body;

/// The columns of a message export.
pub const COLUMNS: &[&str] = &[
    "msg_id",
    "uniq_key",
    "topic",
    "store_time",
    "born_time",
    "born_host",
    "store_host",
    "queue_id",
    "queue_offset",
    "reconsume_times",
    "store_size",
    "body_crc",
    "keys",
    "tags",
    "origin_topic",
    "origin_msg_id",
    "properties",
    "body_masked",
    "body_length",
    "body_kind",
    "body_hash",
    "body",
];

/// One exported message, as `policy` lets the reader see it.
pub fn cells(message: &Message, policy: &MessagePolicy, key: &ServerKey) -> Vec<Cell> {
    let property = |name: &str| {
        let value = message.property(name).unwrap_or_default();
        if policy.masks_property(name) {
            Cell::Text(body::masked(key, value).summary())
        } else {
            Cell::Text(value.to_owned())
        }
    };
    let properties: serde_json::Map<String, serde_json::Value> = message
        .property_list
        .iter()
        .map(|p| {
            let value = if policy.masks_property(&p.name) {
                body::masked(key, &p.value).summary()
            } else {
                p.value.clone()
            };
            (p.name.clone(), serde_json::Value::String(value))
        })
        .collect();
    let masked = body::masked(key, &message.body);
    vec![
        Cell::Text(message.msg_id.clone()),
        property("UNIQ_KEY"),
        Cell::Text(message.topic.clone()),
        Cell::Time(message.store_timestamp),
        Cell::Time(message.born_timestamp),
        Cell::Text(message.born_host.clone()),
        Cell::Text(message.store_host.clone()),
        Cell::Number(message.queue_id),
        Cell::Number(message.queue_offset),
        Cell::Number(message.reconsume_times),
        Cell::Number(message.store_size),
        Cell::Number(message.body_crc),
        property("KEYS"),
        property("TAGS"),
        property("RETRY_TOPIC"),
        property("ORIGIN_MESSAGE_ID"),
        Cell::Text(serde_json::Value::Object(properties).to_string()),
        Cell::Bool(policy.masked),
        Cell::Number(masked.bytes as i64),
        Cell::Text(masked.kind.as_str().to_owned()),
        Cell::Text(masked.hash),
        if policy.masked {
            Cell::Empty
        } else {
            Cell::Text(message.body.clone())
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::messages::MessageProperty;
    use std::time::Duration;

    fn policy(masked: bool) -> MessagePolicy {
        MessagePolicy {
            masked,
            masked_properties: vec!["KEYS".into()],
            may_export: true,
            reveal_for: Duration::from_secs(900),
            confirm_above: 10,
        }
    }

    #[test]
    fn a_masked_export_has_no_body_and_no_masked_property() {
        let key = ServerKey::generate();
        let message = Message {
            msg_id: "C0A8".into(),
            body: "secret body".into(),
            property_list: vec![
                MessageProperty::new("KEYS", "card-4111"),
                MessageProperty::new("TAGS", "paid"),
            ],
            ..Default::default()
        };
        let masked = cells(&message, &policy(true), &key);
        assert_eq!(masked.len(), COLUMNS.len());
        let text = format!("{masked:?}");
        assert!(
            !text.contains("secret body") && !text.contains("card-4111"),
            "{text}"
        );
        assert!(text.contains("paid"));
        assert_eq!(masked[COLUMNS.len() - 1], Cell::Empty);
        let open = cells(&message, &policy(false), &key);
        assert_eq!(open[COLUMNS.len() - 1], Cell::Text("secret body".into()));
        assert_eq!(open[12], Cell::Text("card-4111".into()));
    }
}
