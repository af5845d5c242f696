//! The web console: actix handlers, askama templates, sessions, roles, CSRF and headers.
//!
//! `routes` is the one route table; `session` turns a request into its signed-in user;
//! `middleware` holds the cross-cutting checks, `limits` and `hosts` the first ones (sizes,
//! the `Host` a request names); the page modules (`login`, `instances`,
//! `audit_log`, `ops`) render askama templates from `templates/`. Handlers talk to DMS only
//! through `api::DmsClient`.

pub mod assets;
pub mod audit;
pub mod audit_log;
pub mod client;
pub mod crypto;
pub mod error;
pub mod format;
pub mod hosts;
pub mod htmx;
pub mod instances;
pub mod layout;
pub mod limits;
pub mod login;
pub mod metrics;
pub mod middleware;
pub mod ops;
pub mod passwords;
pub mod rbac;
pub mod routes;
pub mod session;
pub mod session_store;
pub mod state;
pub mod throttle;
