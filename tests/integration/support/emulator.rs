//! Starts the real emulator on `127.0.0.1:0` with a temporary data directory, and builds
//! clients aimed at it.

use std::time::Duration;

use dms_console::api::{ClientConfig, Credentials, DmsClient, IamPassword, RetrySettings};
use dms_console::emulator::{
    self, EmulatorCredential, EmulatorIamUser, EmulatorSettings, RunningEmulator,
};
use dms_console::secret::Secret;

/// The project of the test credential.
pub const PROJECT: &str = "5f3c1e0a9b8d47f6a2c4e6b8d0f1a3c5";
/// Its access key.
pub const AK: &str = "EMULATORTESTAK00";
/// Its secret key.
pub const SK: &str = "emulator-test-secret-key-0000000000000000";
/// A second project with its own credential.
pub const OTHER_PROJECT: &str = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
/// The second project's access key.
pub const OTHER_AK: &str = "EMULATOROTHERAK0";
/// The second project's secret key.
pub const OTHER_SK: &str = "emulator-other-secret-key-000000000000000";
/// The IAM test user: domain, name, password.
pub const IAM_USER: (&str, &str, &str) = ("test-account", "ops", "Passw0rd!emulator");

/// A running emulator and its data directory (deleted on drop).
pub struct TestEmulator {
    pub running: RunningEmulator,
    pub data_dir: tempfile::TempDir,
}

/// Settings for tests: two credentials, one IAM user, fast life cycles, no traffic.
pub fn test_settings(data_dir: &std::path::Path) -> EmulatorSettings {
    EmulatorSettings {
        listen: "127.0.0.1:0".into(),
        data_dir: data_dir.to_path_buf(),
        credentials: vec![
            EmulatorCredential {
                access_key: AK.into(),
                secret_key: Secret::new(SK),
                project_id: PROJECT.into(),
                project_name: "emulator-region".into(),
                security_token: None,
            },
            EmulatorCredential {
                access_key: OTHER_AK.into(),
                secret_key: Secret::new(OTHER_SK),
                project_id: OTHER_PROJECT.into(),
                project_name: "other-region".into(),
                security_token: None,
            },
        ],
        iam_users: vec![EmulatorIamUser {
            domain: IAM_USER.0.into(),
            name: IAM_USER.1.into(),
            password: Secret::new(IAM_USER.2),
            project_id: PROJECT.into(),
        }],
        create_seconds: 1,
        restart_seconds: 1,
        extend_seconds: 1,
        migration_seconds: 1,
        traffic_per_second: 0.0,
        fault_admin: true,
        ..EmulatorSettings::default()
    }
}

impl TestEmulator {
    /// Starts with [`test_settings`].
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts with [`test_settings`] changed by `adjust`.
    pub async fn start_with(adjust: impl FnOnce(&mut EmulatorSettings)) -> Self {
        let data_dir = tempfile::tempdir().expect("temporary directory");
        let mut settings = test_settings(data_dir.path());
        adjust(&mut settings);
        let running = emulator::spawn(settings).await.expect("emulator starts");
        Self { running, data_dir }
    }

    /// The base URL.
    pub fn url(&self) -> String {
        self.running.url()
    }

    fn config(&self, credentials: Credentials, project: Option<&str>) -> ClientConfig {
        let mut config = ClientConfig::new(
            self.url().parse().unwrap(),
            project.map(str::to_owned),
            credentials,
        );
        config.retry = RetrySettings {
            max_read_retries: 0,
            base_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(1),
        };
        config
    }

    /// A client signing with the test credential.
    pub fn client(&self) -> DmsClient {
        self.client_with(AK, SK, PROJECT)
    }

    /// A client signing with any key pair and project.
    pub fn client_with(&self, ak: &str, sk: &str, project: &str) -> DmsClient {
        let credentials = Credentials::AccessKey {
            access_key: ak.into(),
            secret_key: Secret::new(sk),
            security_token: None,
        };
        DmsClient::new(self.config(credentials, Some(project))).unwrap()
    }

    /// A client authenticating as the IAM test user (token from the emulator's IAM).
    pub fn iam_client(&self) -> DmsClient {
        let credentials = Credentials::IamPassword(IamPassword {
            endpoint: self.url().parse().unwrap(),
            domain: IAM_USER.0.into(),
            user: IAM_USER.1.into(),
            password: Secret::new(IAM_USER.2),
            project_name: "emulator-region".into(),
            renew_before: Duration::from_secs(60),
        });
        DmsClient::new(self.config(credentials, None)).unwrap()
    }
}

/// The emulator's loopback-only test instruments: fault rules and the request log.
impl TestEmulator {
    fn admin(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        reqwest::Client::new().request(method, format!("{}/_emulator/{path}", self.url()))
    }

    /// Replaces every fault rule with `rules` (a JSON array); returns the rules in force.
    pub async fn set_faults(&self, rules: serde_json::Value) -> serde_json::Value {
        let response = self
            .admin(reqwest::Method::PUT, "faults")
            .json(&rules)
            .send()
            .await
            .expect("the emulator answers");
        assert_eq!(response.status().as_u16(), 200, "fault rules accepted");
        response.json().await.expect("the rules in force")
    }

    /// The fault rules in force, each with its `id`, `fired` and `remaining`.
    pub async fn faults(&self) -> Vec<serde_json::Value> {
        let listed: serde_json::Value = self
            .admin(reqwest::Method::GET, "faults")
            .send()
            .await
            .expect("the emulator answers")
            .json()
            .await
            .expect("the rules in force");
        listed["faults"].as_array().expect("a list").clone()
    }

    /// Removes every fault rule.
    pub async fn clear_faults(&self) {
        let response = self
            .admin(reqwest::Method::DELETE, "faults")
            .send()
            .await
            .expect("the emulator answers");
        assert_eq!(response.status().as_u16(), 204);
    }

    /// Adds one fault rule (a JSON object) after the others; returns its id.
    pub async fn add_fault(&self, rule: serde_json::Value) -> u64 {
        let response = self
            .admin(reqwest::Method::POST, "faults")
            .json(&rule)
            .send()
            .await
            .expect("the emulator answers");
        let status = response.status().as_u16();
        let body: serde_json::Value = response.json().await.expect("a JSON answer");
        assert_eq!(status, 201, "fault rule accepted: {body}");
        body["id"].as_u64().expect("the rule's id")
    }

    /// Removes fault rule `id`.
    pub async fn remove_fault(&self, id: u64) {
        let response = self
            .admin(reqwest::Method::DELETE, &format!("faults/{id}"))
            .send()
            .await
            .expect("the emulator answers");
        assert_eq!(response.status().as_u16(), 204, "fault rule {id} removed");
    }

    /// The request log: `total`, `operations` (counts per SDK operation) and `log`.
    pub async fn requests(&self) -> serde_json::Value {
        self.admin(reqwest::Method::GET, "requests")
            .send()
            .await
            .expect("the emulator answers")
            .json()
            .await
            .expect("the request log")
    }

    /// How many requests of each SDK operation the emulator answered since the last reset.
    pub async fn operation_counts(&self) -> std::collections::BTreeMap<String, u64> {
        serde_json::from_value(self.requests().await["operations"].clone())
            .expect("counts per operation")
    }

    /// Starts the request log afresh.
    pub async fn reset_requests(&self) {
        let response = self
            .admin(reqwest::Method::DELETE, "requests")
            .send()
            .await
            .expect("the emulator answers");
        assert_eq!(response.status().as_u16(), 204);
    }
}

impl TestEmulator {
    /// Creates a RUNNING instance named `name` in the test project; returns its id.
    pub fn create_instance(&self, name: &str) -> String {
        use dms_console::emulator::instances::{
            InitialState, InstanceSpec, create_instance_document,
        };
        let spec = InstanceSpec {
            initial: InitialState::Running,
            ..InstanceSpec::new(name, "c6.4u8g.cluster")
        };
        let doc = self
            .running
            .emulator
            .transact(PROJECT, |ctx| create_instance_document(ctx, PROJECT, &spec))
            .expect("the emulator creates the instance");
        doc["instance_id"].as_str().expect("an id").to_owned()
    }
}
