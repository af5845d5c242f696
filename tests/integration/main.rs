//! The integration tests: one binary, one module per area.

mod support;

mod cli_api;
mod client_core;
mod client_groups;
mod client_instances;
mod client_messages;
mod client_migration;
mod client_misc;
mod client_topics;
mod client_users;
mod config;
mod console_audit;
mod console_audit_postgres;
mod console_instances;
mod console_login;
mod console_ops;
mod console_redis;
mod console_security;
mod console_sessions;
mod decode_a;
mod decode_b;
mod emulator_consumption;
mod emulator_core;
mod emulator_demo_data;
mod emulator_durability;
mod emulator_groups;
mod emulator_instance_admin;
mod emulator_instances;
mod emulator_messages;
mod emulator_migration;
mod emulator_scale;
mod emulator_sdk;
mod emulator_topics;
mod emulator_users;
mod signing;
