//! The emulator's settings: listener, data directory, the credentials it accepts, IAM users,
//! life-cycle timings, demo data and fault rules. They come from the `[emulator]` section of
//! the configuration file and from `dms-console emulator` flags.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::faults::FaultRule;
use crate::secret::Secret;

/// One accepted AK/SK pair and the project it belongs to.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EmulatorCredential {
    /// The access key id.
    pub access_key: String,
    /// The secret key.
    #[serde(skip_serializing)]
    pub secret_key: Secret,
    /// The project id (32 hexadecimal characters on the real service; any id is accepted).
    pub project_id: String,
    /// The project name (what IAM token requests scope to); defaults to `emulator-region`.
    #[serde(default = "default_project_name")]
    pub project_name: String,
    /// When set, the credential is temporary and requests must carry this `X-Security-Token`.
    #[serde(default, skip_serializing)]
    pub security_token: Option<Secret>,
}

/// An IAM user that can obtain tokens with `POST /v3/auth/tokens`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EmulatorIamUser {
    /// The account (domain) name.
    pub domain: String,
    /// The user name.
    pub name: String,
    /// The password.
    #[serde(skip_serializing)]
    pub password: Secret,
    /// The project the user's tokens are scoped to; must be one of the credentials' projects.
    pub project_id: String,
}

fn default_project_name() -> String {
    "emulator-region".to_owned()
}

/// All emulator settings.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmulatorSettings {
    /// `emulator.listen`: the listen address (default `127.0.0.1:9100`).
    pub listen: String,
    /// `emulator.data_dir`: where the database lives (default `./dms-emulator-data`).
    pub data_dir: PathBuf,
    /// `emulator.credentials`: accepted AK/SK pairs.
    pub credentials: Vec<EmulatorCredential>,
    /// `emulator.iam_users`: IAM users.
    pub iam_users: Vec<EmulatorIamUser>,
    /// `emulator.token_ttl_seconds`: lifetime of issued IAM tokens (default 86400).
    pub token_ttl_seconds: u64,
    /// `emulator.max_clock_skew_seconds`: accepted `X-Sdk-Date` skew (default 900).
    pub max_clock_skew_seconds: i64,
    /// `emulator.create_seconds`: CREATING → RUNNING (default 30).
    pub create_seconds: u64,
    /// `emulator.restart_seconds`: RESTARTING → RUNNING (default 10).
    pub restart_seconds: u64,
    /// `emulator.extend_seconds`: EXTENDING → RUNNING with the new spec (default 20).
    pub extend_seconds: u64,
    /// `emulator.migration_seconds`: a metadata migration task's run time (default 10).
    pub migration_seconds: u64,
    /// `emulator.demo_data`: create the demo data set on an empty database.
    pub demo_data: bool,
    /// `emulator.demo_scale`: create the scale data set (one instance with 10,000 topics and
    /// 2,000 consumer groups) unless the database has it.
    pub demo_scale: bool,
    /// `emulator.seed`: the random seed of demo data and simulated traffic (default 7).
    pub seed: u64,
    /// `emulator.traffic_per_second`: simulated messages produced per second with demo data
    /// (0 switches the simulation off; default 5).
    pub traffic_per_second: f64,
    /// `emulator.faults`: fault rules active from the start.
    pub faults: Vec<FaultRule>,
    /// `emulator.fault_admin`: serve `/_emulator/faults` to loopback clients (default off).
    pub fault_admin: bool,
}

impl Default for EmulatorSettings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:9100".to_owned(),
            data_dir: PathBuf::from("dms-emulator-data"),
            credentials: Vec::new(),
            iam_users: Vec::new(),
            token_ttl_seconds: 24 * 3600,
            max_clock_skew_seconds: 15 * 60,
            create_seconds: 30,
            restart_seconds: 10,
            extend_seconds: 20,
            migration_seconds: 10,
            demo_data: false,
            demo_scale: false,
            seed: 7,
            traffic_per_second: 5.0,
            faults: Vec::new(),
            fault_admin: false,
        }
    }
}

impl EmulatorSettings {
    /// The credential with access key `access_key`.
    pub fn credential(&self, access_key: &str) -> Option<&EmulatorCredential> {
        self.credentials.iter().find(|c| c.access_key == access_key)
    }

    /// Whether `project_id` belongs to one of the configured credentials.
    pub fn knows_project(&self, project_id: &str) -> bool {
        self.credentials.iter().any(|c| c.project_id == project_id)
    }

    /// The checks `dms-console emulator` runs before starting.
    pub fn validate(&self) -> Result<(), String> {
        if self.credentials.is_empty() {
            return Err("emulator: no credentials; give --access-key, --secret-key and --project-id (or [[emulator.credentials]] in the file)".to_owned());
        }
        for credential in &self.credentials {
            if credential.access_key.is_empty()
                || credential.secret_key.is_empty()
                || credential.project_id.is_empty()
            {
                return Err("emulator.credentials: access_key, secret_key and project_id must all be non-empty".to_owned());
            }
        }
        for user in &self.iam_users {
            if !self.knows_project(&user.project_id) {
                return Err(format!(
                    "emulator.iam_users: user `{}` is scoped to project `{}`, which no credential has",
                    user.name, user.project_id
                ));
            }
        }
        for rule in &self.faults {
            rule.check()
                .map_err(|why| format!("emulator.faults: `{}`: {why}", rule.label()))?;
        }
        if !(0.0..=10_000.0).contains(&self.traffic_per_second) {
            return Err("emulator.traffic_per_second: allowed 0 to 10000".to_owned());
        }
        Ok(())
    }
}
