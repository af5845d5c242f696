//! dms-console: a web console for Huawei Cloud DMS for RocketMQ, with a built-in emulator of
//! its REST API. This file is only the module list; `ARCHITECTURE.md` has the map.

// `ApiError` and `DmsError` carry what an operator needs (status, code, message, request id,
// source); they are returned rarely, so their size is not worth boxing away.
#![allow(clippy::result_large_err)]

pub mod allocator;
pub mod api;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod emulator;
pub mod secret;
pub mod signing;
pub mod startup;
pub mod telemetry;
pub mod web;
