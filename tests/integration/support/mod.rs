//! Test helpers shared by the integration tests.
#![allow(dead_code)]

pub mod binary;
pub mod console;
pub mod emulator;
pub mod mock_dms;
pub mod python_sdk;
