//! Shapes shared by several chapters: tags, paging, task ids, empty bodies, and the few
//! deserializers the chapter models share on top of `api::de`.

use serde::{Deserialize, Deserializer, Serialize};

use crate::api::{Query, de};

/// A resource tag. Huawei schema: `TagEntity`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tag {
    /// The key: 1–128 characters.
    #[serde(deserialize_with = "de::string")]
    pub key: String,
    /// The value: 0–255 characters.
    #[serde(deserialize_with = "de::string")]
    pub value: String,
}

/// A body the caller does not need (204 responses and acknowledgements).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Empty {}

/// `limit` and `offset` of the V2 list operations (API reference §5: 1–50 and ≥ 0; DMS
/// defaults to 10 and 0). `None` leaves the parameter out, as the SDK does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Paging {
    /// Page size, 1–50.
    pub limit: Option<u32>,
    /// The first record to return, from 0.
    pub offset: Option<u32>,
}

impl Paging {
    /// A page of `limit` records starting at `offset`.
    pub fn new(limit: u32, offset: u32) -> Self {
        Self {
            limit: Some(limit),
            offset: Some(offset),
        }
    }

    /// Appends `limit` and `offset` to `query`, leaving out the unset ones.
    pub fn add_to(&self, query: Query) -> Query {
        query.opt("limit", self.limit).opt("offset", self.offset)
    }
}

/// The id of a background task DMS started for an asynchronous change (batch deletes and
/// batch updates). Huawei schemas: `BatchUpdateConsumerGroupResponse`, the batch-delete form
/// of `CreateConsumerGroupOrBatchDeleteConsumerGroupResponse` and of
/// `CreateTopicOrBatchDeleteTopicResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Job {
    /// The task id.
    #[serde(deserialize_with = "de::string")]
    pub job_id: String,
}

/// A list of integers whose elements may be numbers, integral floats or numeric strings, from
/// an array, a single element or `null` (for SDK `list[int]` and `list[float]` fields that
/// carry ids or counts).
pub fn int_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    #[derive(Deserialize)]
    struct Int(#[serde(deserialize_with = "de::int")] i64);
    Ok(de::vec::<D, Int>(d)?.into_iter().map(|Int(n)| n).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, Deserialize)]
    #[serde(default)]
    struct Ids {
        #[serde(deserialize_with = "int_list")]
        ids: Vec<i64>,
    }

    #[test]
    fn integer_lists_accept_floats_strings_single_values_and_null() {
        let ids: Ids = serde_json::from_str(r#"{"ids": [0, 1.0, "2"]}"#).unwrap();
        assert_eq!(ids.ids, vec![0, 1, 2]);
        let ids: Ids = serde_json::from_str(r#"{"ids": 7}"#).unwrap();
        assert_eq!(ids.ids, vec![7]);
        let ids: Ids = serde_json::from_str(r#"{"ids": null}"#).unwrap();
        assert!(ids.ids.is_empty());
        assert!(serde_json::from_str::<Ids>(r#"{"ids": [1.5]}"#).is_err());
    }

    #[test]
    fn paging_leaves_unset_values_out() {
        let query = Paging {
            limit: Some(20),
            offset: None,
        }
        .add_to(Query::new());
        assert_eq!(query.pairs(), &[("limit".to_owned(), "20".to_owned())]);
        assert_eq!(
            Paging::new(10, 30).add_to(Query::new()).pairs(),
            &[
                ("limit".to_owned(), "10".to_owned()),
                ("offset".to_owned(), "30".to_owned())
            ]
        );
    }
}
