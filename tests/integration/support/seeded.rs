//! An emulator with one seeded RUNNING instance and a client signing for the test project: the
//! fixture of the metadata tests (topics, groups, users, migration).

use dms_console::api::{DmsClient, Method};
use serde_json::{Value, json};

use super::calls::{self, Reply};
use super::emulator::{PROJECT, TestEmulator};

/// An emulator with one seeded RUNNING instance, and a client signing for the test project.
pub struct Seeded {
    pub emulator: TestEmulator,
    pub client: DmsClient,
    pub instance: String,
}

impl Seeded {
    /// Starts an emulator and seeds an instance of `engine_version` with `brokers` brokers.
    pub async fn start(engine_version: &str, brokers: i64) -> Self {
        Self::on(TestEmulator::start().await, engine_version, brokers)
    }

    /// Seeds an instance on a started emulator.
    pub fn on(emulator: TestEmulator, engine_version: &str, brokers: i64) -> Self {
        let instance =
            emulator
                .running
                .emulator
                .seed_instance_for_tests(PROJECT, engine_version, brokers);
        let client = emulator.client();
        Self {
            emulator,
            client,
            instance,
        }
    }

    /// `/v2/{project_id}/instances/{instance}` followed by `rest`.
    pub fn path(&self, rest: &str) -> String {
        format!("/v2/{{project_id}}/instances/{}{rest}", self.instance)
    }

    /// One signed call.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Reply {
        calls::call(&self.client, method, path, query, body).await
    }

    /// Sets the API referenceed instance's status directly in the emulator's store.
    pub fn set_instance_status(&self, status: &str) {
        let id = self.instance.clone();
        self.emulator
            .running
            .emulator
            .transact(PROJECT, |ctx| {
                let mut instance = ctx.docs.get("instance", PROJECT, &id)?.unwrap();
                instance["status"] = json!(status);
                ctx.docs.put("instance", PROJECT, &id, &instance)?;
                Ok(())
            })
            .unwrap();
    }
}
