//! The integration tests: one binary, one module per area.

mod support;

mod client_core;
mod client_groups;
mod client_instances;
mod client_topics;
mod decode_a;
mod emulator_core;
mod signing;
