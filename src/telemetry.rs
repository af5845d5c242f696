//! Logging setup: `tracing` to stderr, plain or JSON, filtered by `RUST_LOG`.
//!
//! Nothing logged anywhere in the crate may contain secrets, `Authorization` headers, tokens,
//! cookies or message bodies; this module only chooses the format.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once. `default_filter` applies when `RUST_LOG` is unset.
pub fn init(default_filter: &str, json: bool) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    // A second call (tests) keeps the first subscriber.
    let _ = result;
}
