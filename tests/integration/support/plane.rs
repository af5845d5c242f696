//! A running emulator with the message plane's fixture (`PlaneFixture`: a RUNNING instance
//! with topics and groups) and a signed client: the fixture of the message and consumption
//! tests.

use dms_console::api::{DmsClient, Method};
use dms_console::emulator::plane::{self, NewMessage, PlaneFixture};
use dms_console::emulator::{DmsError, context::Ctx};
use serde_json::{Value, json};

use super::calls::{self, Reply, pairs};
use super::emulator::{PROJECT, TestEmulator};

/// A running emulator with a plane fixture and a signed client.
pub struct Plane {
    pub emulator: TestEmulator,
    pub client: DmsClient,
    pub fixture: PlaneFixture,
}

impl Plane {
    /// Starts an emulator and seeds a RUNNING instance of `engine_version`.
    pub async fn start(engine_version: &str) -> Self {
        let emulator = TestEmulator::start().await;
        let fixture = emulator
            .running
            .emulator
            .seed_plane_fixture(PROJECT, engine_version);
        let client = emulator.client();
        Self {
            emulator,
            client,
            fixture,
        }
    }

    /// `/v2/rocketmq/{project_id}/instances/{id}/{tail}`.
    pub fn engine_path(&self, tail: &str) -> String {
        let id = &self.fixture.instance_id;
        format!("/v2/rocketmq/{{project_id}}/instances/{id}/{tail}")
    }

    /// `/v2/{project_id}/rocketmq/instances/{id}/{tail}` (the SDK's twins).
    pub fn twin_path(&self, tail: &str) -> String {
        let id = &self.fixture.instance_id;
        format!("/v2/{{project_id}}/rocketmq/instances/{id}/{tail}")
    }

    /// `/v2/{project_id}/instances/{id}/{tail}`.
    pub fn plain_path(&self, tail: &str) -> String {
        let id = &self.fixture.instance_id;
        format!("/v2/{{project_id}}/instances/{id}/{tail}")
    }

    async fn call(&self, method: Method, path: &str, query: &str, body: Option<&[u8]>) -> Reply {
        calls::call_bytes(&self.client, method, path, &pairs(query), body).await
    }

    /// A GET with query `a=1&b=2`.
    pub async fn get(&self, path: &str, query: &str) -> Reply {
        self.call(Method::Get, path, query, None).await
    }

    /// A POST with a JSON body.
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        let bytes = body.to_string().into_bytes();
        self.call(Method::Post, path, "", Some(&bytes)).await
    }

    /// Runs `work` in one emulator transaction of the test project.
    pub fn transact<T>(&self, work: impl FnOnce(&mut Ctx<'_>) -> Result<T, DmsError>) -> T {
        self.emulator
            .running
            .emulator
            .transact(PROJECT, work)
            .unwrap()
    }

    /// Stores `count` messages (`message {i}`, key `key-{i}`) in `topic`, `spacing_ms`
    /// apart, the last one at `last_ms`.
    pub fn seed_messages(&self, topic: &str, count: usize, last_ms: i64, spacing_ms: i64) {
        let instance_id = self.fixture.instance_id.clone();
        let messages: Vec<NewMessage> = (0..count)
            .map(|i| NewMessage {
                body: format!("message {i}").into_bytes(),
                keys: format!("key-{i}"),
                store_ms: Some(last_ms - (count - 1 - i) as i64 * spacing_ms),
                ..NewMessage::default()
            })
            .collect();
        let stored = self.transact(|ctx| plane::produce_batch(ctx, &instance_id, topic, messages));
        assert_eq!(stored, count);
    }

    /// Sends one message through the REST API and returns the answer.
    pub async fn send(&self, topic: &str, body: &str, properties: &[(&str, &str)]) -> Value {
        let properties: Vec<Value> = properties
            .iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect();
        let body = json!({"topic": topic, "body": body, "property_list": properties});
        let reply = self.post(&self.engine_path("messages"), body).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        reply.body
    }

    /// Changes the instance document in place.
    pub fn edit_instance(&self, change: impl FnOnce(&mut Value)) {
        let id = self.fixture.instance_id.clone();
        self.transact(|ctx| {
            let mut doc = ctx.docs.get("instance", PROJECT, &id)?.unwrap();
            change(&mut doc);
            Ok(ctx.docs.put("instance", PROJECT, &id, &doc)?)
        });
    }

    /// The 5.4.1 answer for query `a=1&b=2` on the engine path.
    pub async fn messages(&self, query: &str) -> Value {
        let reply = self.get(&self.engine_path("messages"), query).await;
        assert_eq!(reply.status, 200, "{reply:?}");
        reply.body
    }
}
