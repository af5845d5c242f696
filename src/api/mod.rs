//! The typed client of the DMS for RocketMQ REST API: the only code that talks to DMS.
//!
//! `request` describes calls, `client` sends them (signing, timeouts, retries, size caps),
//! `auth` holds credentials and IAM tokens, `error` classifies failures, `de` tolerates the
//! shapes the real service sends, `models` are the request and response bodies, and `ops` has
//! one method per operation of the API reference, grouped by its chapters.

pub mod auth;
pub mod client;
pub mod de;
pub mod error;
pub mod error_table;
pub mod models;
pub mod ops;
pub mod request;
pub mod walk;

pub use auth::{Credentials, IamPassword};
pub use client::{CallObserver, ClientConfig, DmsClient, RawReply, Reply, RetrySettings, Timeouts};
pub use error::{ApiError, ErrorKind};
pub use request::{ApiPath, Call, Engine, Method, Query, RetryPolicy};

/// The result of every client method.
pub type ApiResult<T> = Result<Reply<T>, ApiError>;
