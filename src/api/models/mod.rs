//! Request and response bodies of the DMS for RocketMQ API, one file per chapter.
//!
//! Response models derive `Default` and use `#[serde(default)]`, so missing fields default
//! and unknown ones are ignored; fields the real service sends in more than one shape use the
//! deserializers of `api::de`. Request models skip `None` fields, as the official SDK does.
//! Each model's doc comment names the Huawei SDK model it mirrors.

pub mod common;
pub mod configs;
pub mod extend;
pub mod groups;
pub mod instances;
pub mod messages;
pub mod migration;
pub mod nodes;
pub mod other;
pub mod tags;
pub mod topics;
pub mod users;
