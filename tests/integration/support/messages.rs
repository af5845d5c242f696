//! A console on an emulator with the message plane's fixture (a RUNNING 4.8.0 instance with
//! topics `orders` (traced), `payments` (traced) and `audit` (not traced), groups
//! `GID_orders` (two retries), `GID_payments` and `GID_audit`), signed in as one role, and
//! helpers that produce, consume and dead-letter messages in the emulator directly.

use dms_console::api::DmsClient;
use dms_console::api::models::messages::{ListMessagesQuery, Message};
use dms_console::config::Settings;
use dms_console::emulator::plane::{self, ClientInfo, ConsumeOutcome, NewMessage, PlaneFixture};
use dms_console::emulator::{DmsError, context::Ctx};

use super::console::{TestApp, spawn_app_with};
use super::emulator::PROJECT;

/// The console, its emulator's plane fixture and a signed client of the emulator.
pub struct MessagesApp {
    pub app: TestApp,
    pub fixture: PlaneFixture,
    pub client: DmsClient,
}

impl std::ops::Deref for MessagesApp {
    type Target = TestApp;
    fn deref(&self) -> &TestApp {
        &self.app
    }
}

/// A console signed in as `role` on a fresh emulator with the plane fixture.
pub async fn messages_app(role: &str) -> MessagesApp {
    messages_app_with(role, |_| {}).await
}

/// Like [`messages_app`], with the console's settings changed by `adjust` first.
pub async fn messages_app_with(role: &str, adjust: impl FnOnce(&mut Settings)) -> MessagesApp {
    let app = spawn_app_with(adjust).await;
    let fixture = app
        .emulator
        .running
        .emulator
        .seed_plane_fixture(PROJECT, "4.8.0");
    let client = app.emulator.client();
    app.login_as(role).await.assert_redirect("/instances");
    MessagesApp {
        app,
        fixture,
        client,
    }
}

/// A message of `body` with `keys` and `tags`, stored at `store_ms`.
pub fn message(body: &[u8], keys: &str, tags: &str, store_ms: Option<i64>) -> NewMessage {
    NewMessage {
        body: body.to_vec(),
        keys: keys.to_owned(),
        tags: tags.to_owned(),
        store_ms,
        producer_group: Some("PID_tests".to_owned()),
        ..NewMessage::default()
    }
}

impl MessagesApp {
    /// The fixture's instance id.
    pub fn id(&self) -> &str {
        &self.fixture.instance_id
    }

    /// Runs `work` in one emulator transaction.
    pub fn transact<T>(&self, work: impl FnOnce(&mut Ctx<'_>) -> Result<T, DmsError>) -> T {
        self.app
            .emulator
            .running
            .emulator
            .transact(PROJECT, work)
            .expect("the emulator transaction commits")
    }

    /// Stores `messages` in `topic` (oldest first).
    pub fn produce(&self, topic: &str, messages: Vec<NewMessage>) {
        let id = self.id().to_owned();
        let count = messages.len();
        let stored = self.transact(|ctx| plane::produce_batch(ctx, &id, topic, messages));
        assert_eq!(stored, count);
    }

    /// Registers an online Java client of `group` at `ip` subscribing to `topics`.
    pub fn register(&self, group: &str, ip: &str, pid: u32, topics: &[&str]) -> String {
        let id = self.id().to_owned();
        let client = ClientInfo::java(ip, pid, topics);
        let client_id = client.client_id.clone();
        self.transact(|ctx| plane::register_client(ctx, &id, group, &client));
        client_id
    }

    /// Lets `group` consume what is pending of `topic`; `fail` says which deliveries fail.
    pub fn consume(
        &self,
        group: &str,
        topic: &str,
        fail: impl Fn(&plane::Message) -> bool,
    ) -> ConsumeOutcome {
        let id = self.id().to_owned();
        self.transact(|ctx| plane::consume(ctx, &id, group, topic, 10_000, fail))
    }

    /// The messages of `topic` as DMS lists them (oldest first), with `filter` applied.
    pub async fn listed(
        &self,
        topic: &str,
        filter: impl FnOnce(&mut ListMessagesQuery),
    ) -> Vec<Message> {
        let mut query = ListMessagesQuery {
            topic: topic.to_owned(),
            limit: Some(50),
            offset: Some(0),
            ..Default::default()
        };
        filter(&mut query);
        self.client
            .list_messages(self.id(), &query)
            .await
            .expect("the emulator lists messages")
            .into_inner()
            .messages
    }

    /// Produces `count` messages in `orders` (keys `dl-{i}`, tag `paid`) and lets `GID_orders`
    /// fail them until each is a dead letter; returns the dead letters' offset ids, oldest
    /// first.
    pub async fn dead_letters(&self, count: usize) -> Vec<String> {
        let messages = (0..count)
            .map(|i| {
                message(
                    format!("dead letter {i}").as_bytes(),
                    &format!("dl-{i}"),
                    "paid",
                    None,
                )
            })
            .collect();
        self.produce("orders", messages);
        // GID_orders retries twice: three failed deliveries make a dead letter.
        for _ in 0..4 {
            self.consume("GID_orders", "orders", |_| true);
        }
        let mut ids = Vec::new();
        let mut offset = 0;
        loop {
            let page = self
                .listed("%DLQ%GID_orders", |q| q.offset = Some(offset))
                .await;
            if page.is_empty() {
                break;
            }
            offset += page.len() as u32;
            ids.extend(page.into_iter().map(|m| m.msg_id));
        }
        assert_eq!(ids.len(), count, "every message became a dead letter");
        ids
    }
}
