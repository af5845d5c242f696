//! One `DmsClient` method per DMS operation, grouped like chapter 5 of the API reference.
//!
//! Each method builds a [`crate::api::Call`] (operation name, path, query, body, retry policy)
//! and hands it to the client; none formats URLs or touches HTTP. Each doc comment names the
//! method and path, the API reference section and the official SDK operation.

mod configs;
mod extend;
mod groups;
mod instances;
mod messages;
mod migration;
mod nodes;
mod other;
mod tags;
mod topics;
mod users;
