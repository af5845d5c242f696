//! The integration tests: one binary, one module per area.

mod support;

mod client_core;
mod emulator_core;
mod emulator_groups;
mod emulator_migration;
mod emulator_topics;
mod emulator_users;
mod signing;
