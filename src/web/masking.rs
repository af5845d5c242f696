//! Who sees message bodies: the `[messages]` settings resolved per role and per connection.
//!
//! A masked reader sees a body's length, type and a keyed hash instead of its content, and
//! the same for the properties the settings name, on pages and in exports alike; a reveal
//! (audited, with a reason) shows one message's body for a limited time. Exports can be
//! switched off per role. This module only decides; the message pages apply it.

use std::collections::HashMap;
use std::time::Duration;

use crate::config::ConfigError;
use crate::config::messages::MessageSettings;

use super::rbac::Role;

/// What one reader may see of messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagePolicy {
    /// Bodies (and `masked_properties`) are masked until revealed.
    pub masked: bool,
    /// Property names masked like bodies (when `masked`).
    pub masked_properties: Vec<String>,
    /// Whether the reader may export messages.
    pub may_export: bool,
    /// How long a reveal lasts.
    pub reveal_for: Duration,
    /// Resends of more messages than this need their number typed.
    pub confirm_above: u32,
}

impl MessagePolicy {
    /// Whether property `name` is masked for this reader.
    pub fn masks_property(&self, name: &str) -> bool {
        self.masked
            && self
                .masked_properties
                .iter()
                .any(|p| p.eq_ignore_ascii_case(name))
    }
}

/// The rules of one connection (or of the default).
#[derive(Debug, Clone)]
struct Rules {
    masked_roles: Vec<Role>,
    masked_properties: Vec<String>,
    export_roles: Vec<Role>,
}

/// The `[messages]` settings, checked and ready to answer per reader.
#[derive(Debug, Clone)]
pub struct MessagePolicies {
    default: Rules,
    by_connection: HashMap<String, Rules>,
    reveal_for: Duration,
    /// Resends one user may start per minute.
    pub resends_per_minute: u32,
    confirm_above: u32,
}

impl Default for MessagePolicies {
    fn default() -> Self {
        Self::from_settings(&MessageSettings::default(), &[])
            .expect("the default message settings are valid")
    }
}

fn roles(key: &str, names: &[String]) -> Result<Vec<Role>, ConfigError> {
    names
        .iter()
        .map(|name| {
            name.parse().map_err(|problem: String| ConfigError {
                key: key.to_owned(),
                problem,
            })
        })
        .collect()
}

impl MessagePolicies {
    /// Checks `settings` against the names of the configured `connections`.
    pub fn from_settings(
        settings: &MessageSettings,
        connections: &[String],
    ) -> Result<Self, ConfigError> {
        if !(1..=1440).contains(&settings.reveal_minutes) {
            return Err(ConfigError {
                key: "messages.reveal_minutes".to_owned(),
                problem: format!(
                    "{} is out of range; allowed: 1 to 1440 minutes",
                    settings.reveal_minutes
                ),
            });
        }
        let default = Rules {
            masked_roles: roles("messages.masked_roles", &settings.masked_roles)?,
            masked_properties: settings.masked_properties.clone(),
            export_roles: roles("messages.export_roles", &settings.export_roles)?,
        };
        let mut by_connection = HashMap::new();
        for entry in &settings.connections {
            let key = |name: &str| format!("messages.connections.{}.{name}", entry.name);
            if !connections.contains(&entry.name) {
                return Err(ConfigError {
                    key: key("name"),
                    problem: format!("no [[connections]] entry is named `{}`", entry.name),
                });
            }
            let rules = Rules {
                masked_roles: match &entry.masked_roles {
                    Some(names) => roles(&key("masked_roles"), names)?,
                    None => default.masked_roles.clone(),
                },
                masked_properties: entry
                    .masked_properties
                    .clone()
                    .unwrap_or_else(|| default.masked_properties.clone()),
                export_roles: match &entry.export_roles {
                    Some(names) => roles(&key("export_roles"), names)?,
                    None => default.export_roles.clone(),
                },
            };
            by_connection.insert(entry.name.clone(), rules);
        }
        Ok(Self {
            default,
            by_connection,
            reveal_for: Duration::from_secs(settings.reveal_minutes * 60),
            resends_per_minute: settings.resends_per_minute.max(1),
            confirm_above: settings.confirm_above,
        })
    }

    /// The policy of a reader with `role` signed in through `connection` (none for access-key
    /// and IAM sign-ins).
    pub fn for_reader(&self, role: Role, connection: Option<&str>) -> MessagePolicy {
        let rules = connection
            .and_then(|name| self.by_connection.get(name))
            .unwrap_or(&self.default);
        MessagePolicy {
            masked: rules.masked_roles.contains(&role),
            masked_properties: rules.masked_properties.clone(),
            may_export: rules.export_roles.contains(&role),
            reveal_for: self.reveal_for,
            confirm_above: self.confirm_above,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::messages::ConnectionMessageSettings;

    #[test]
    fn viewers_are_masked_by_default_and_connections_can_be_stricter() {
        let mut settings = MessageSettings {
            masked_properties: vec!["KEYS".into()],
            ..MessageSettings::default()
        };
        settings.connections.push(ConnectionMessageSettings {
            name: "prod".into(),
            masked_roles: Some(vec!["viewer".into(), "operator".into()]),
            export_roles: Some(vec!["admin".into()]),
            ..Default::default()
        });
        let policies = MessagePolicies::from_settings(&settings, &["prod".into()]).unwrap();
        let viewer = policies.for_reader(Role::Viewer, None);
        assert!(viewer.masked && viewer.may_export);
        assert!(viewer.masks_property("keys"));
        assert!(!viewer.masks_property("TAGS"));
        let operator = policies.for_reader(Role::Operator, None);
        assert!(!operator.masked && !operator.masks_property("KEYS"));
        let prod_operator = policies.for_reader(Role::Operator, Some("prod"));
        assert!(prod_operator.masked && !prod_operator.may_export);
        assert!(prod_operator.masks_property("KEYS"));
        assert_eq!(viewer.reveal_for, Duration::from_secs(15 * 60));
    }

    #[test]
    fn unknown_roles_connections_and_windows_are_refused_with_their_key() {
        let bad_role = MessageSettings {
            masked_roles: vec!["guest".into()],
            ..MessageSettings::default()
        };
        let error = MessagePolicies::from_settings(&bad_role, &[]).unwrap_err();
        assert_eq!(error.key, "messages.masked_roles");
        let mut bad_connection = MessageSettings::default();
        bad_connection.connections.push(ConnectionMessageSettings {
            name: "nowhere".into(),
            ..Default::default()
        });
        let error = MessagePolicies::from_settings(&bad_connection, &[]).unwrap_err();
        assert_eq!(error.key, "messages.connections.nowhere.name");
        let forever = MessageSettings {
            reveal_minutes: 0,
            ..MessageSettings::default()
        };
        assert!(MessagePolicies::from_settings(&forever, &[]).is_err());
    }
}
