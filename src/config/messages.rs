//! `[messages]`: who sees message bodies, how long a reveal lasts, who may export messages,
//! and how dead-letter resends are held back, with overrides per connection.
//!
//! ```toml
//! [messages]
//! masked_roles = ["viewer"]          # bodies are masked for these roles (the default)
//! masked_properties = ["KEYS"]       # these properties are masked like bodies
//! reveal_minutes = 15                # how long an audited reveal shows a body
//! export_roles = ["operator", "admin"]
//! resends_per_minute = 5             # per user
//! confirm_above = 10                 # typed confirmation for larger resends
//!
//! [[messages.connections]]           # a stricter production connection
//! name = "prod"
//! masked_roles = ["viewer", "operator"]
//! ```

use serde::{Deserialize, Serialize};

/// `[messages]`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct MessageSettings {
    /// `messages.masked_roles`: roles that see a message body's length, type and hash instead
    /// of its content until they reveal it (default `["viewer"]`).
    pub masked_roles: Vec<String>,
    /// `messages.masked_properties`: property names masked like bodies for those roles
    /// (default none).
    pub masked_properties: Vec<String>,
    /// `messages.reveal_minutes`: how long a reveal shows a body (1 to 1440, default 15).
    pub reveal_minutes: u64,
    /// `messages.export_roles`: roles that may export messages (default all three; bodies
    /// stay masked in the exports of masked roles).
    pub export_roles: Vec<String>,
    /// `messages.resends_per_minute`: dead-letter resends one user may start per minute
    /// (default 5).
    pub resends_per_minute: u32,
    /// `messages.confirm_above`: a resend of more messages than this needs their number
    /// typed to confirm (default 10).
    pub confirm_above: u32,
    /// `[[messages.connections]]`: overrides for console accounts of one connection.
    pub connections: Vec<ConnectionMessageSettings>,
}

impl Default for MessageSettings {
    fn default() -> Self {
        Self {
            masked_roles: vec!["viewer".to_owned()],
            masked_properties: Vec::new(),
            reveal_minutes: 15,
            export_roles: vec![
                "viewer".to_owned(),
                "operator".to_owned(),
                "admin".to_owned(),
            ],
            resends_per_minute: 5,
            confirm_above: 10,
            connections: Vec::new(),
        }
    }
}

/// `[[messages.connections]]`: what differs for one `[[connections]]` entry; unset keys
/// keep the `[messages]` value.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectionMessageSettings {
    /// The `[[connections]]` name.
    pub name: String,
    /// Replaces `messages.masked_roles`.
    pub masked_roles: Option<Vec<String>>,
    /// Replaces `messages.masked_properties`.
    pub masked_properties: Option<Vec<String>>,
    /// Replaces `messages.export_roles`.
    pub export_roles: Option<Vec<String>>,
}
