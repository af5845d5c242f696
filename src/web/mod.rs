//! The web console: actix handlers, askama templates, sessions, roles, CSRF and headers.
//!
//! The console kit every page is built with: `routes` (the one route table), `paths` (typed
//! path parameters), `htmx` (full page or fragment, and the error convention), `error`
//! (`WebError`), `layout` (header, tabs, breadcrumbs), `view` (what templates call), `i18n`
//! (the message catalogue), `prefs` (language, zone, theme), `time`, `forms`, `list` (paging,
//! sorting, filters), `export` (CSV and JSON) `body` (bodies read by hand: repeated
//! fields, uploads) and `masking` (who sees message bodies).
//!
//! The pages: `login` (with `oidc`, single sign-on), `instances`, `topics`, `groups`, `users`, `messages`
//! (search, message, trace, verification, reveal), `dlq` (dead letters),
//! `audit::page`, `sessions_page`, `switch` (the connection switcher), `health`. `shared` is the
//! Redis the replicas share (sessions, `throttle`, `ratelimit`, `ledger`). `session` turns a request into
//! its signed-in user; `middleware` holds the security checks, `limits` and `hosts` the
//! first ones (sizes, the `Host` a request names). Handlers talk to DMS only
//! through `api::DmsClient`.

pub mod assets;
pub mod audit;
pub mod body;
pub mod budget;
pub mod cache;
pub mod crypto;
pub mod dlq;
pub mod error;
pub mod export;
pub mod forms;
pub mod groups;
pub mod health;
pub mod hosts;
pub mod htmx;
pub mod i18n;
pub mod instances;
pub mod layout;
pub mod ledger;
pub mod limits;
pub mod list;
pub mod login;
pub mod masking;
pub mod messages;
pub mod metrics;
pub mod middleware;
pub mod oidc;
pub mod passwords;
pub mod paths;
pub mod peer;
pub mod prefs;
pub mod ratelimit;
pub mod rbac;
pub mod routes;
pub mod session;
pub mod session_store;
pub mod sessions_page;
pub mod shared;
pub mod state;
pub mod switch;
pub mod throttle;
pub mod time;
pub mod topics;
pub mod users;
pub mod view;
