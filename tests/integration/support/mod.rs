//! Test helpers shared by the integration tests.
#![allow(dead_code)]

pub mod binary;
pub mod calls;
pub mod console;
pub mod csv;
pub mod emulator;
pub mod instances;
pub mod messages;
pub mod mock_dms;
pub mod oidc;
pub mod plane;
pub mod python_sdk;
pub mod seeded;
