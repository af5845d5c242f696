//! The integration tests: one binary, one module per area.

mod support;

mod client_core;
mod emulator_core;
mod emulator_instance_admin;
mod emulator_instances;
mod signing;
