//! The integration tests: one binary, one module per area.

mod support;

mod client_core;
mod emulator_consumption;
mod emulator_core;
mod emulator_messages;
mod signing;
