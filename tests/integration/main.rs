//! The integration tests: one binary, one module per area.

mod support;

mod client_core;
mod client_messages;
mod client_migration;
mod client_misc;
mod client_users;
mod decode_b;
mod signing;
