//! The message plane's SQL tables, its part of the emulator's database. Start-up applies it
//! after the document store's schema at every start, so every statement is idempotent.
//!
//! Messages live in their own indexed table rather than in documents: a topic can hold a
//! million of them, and the time-range page (5.4.1) must stay an index range scan. Retry
//! (`%RETRY%{group}`) and dead-letter (`%DLQ%{group}`) copies are ordinary rows whose `topic`
//! is the system topic, with the original topic and offset id alongside.

/// The statements.
pub const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS plane_messages (
    id              INTEGER PRIMARY KEY,
    instance        TEXT NOT NULL,
    topic           TEXT NOT NULL,
    broker          TEXT NOT NULL,
    queue_id        INTEGER NOT NULL,
    queue_offset    INTEGER NOT NULL,
    msg_id          TEXT NOT NULL,
    uniq_key        TEXT NOT NULL,
    keys            TEXT NOT NULL,
    tags            TEXT NOT NULL,
    body            BLOB NOT NULL,
    properties      TEXT NOT NULL,
    born_ms         INTEGER NOT NULL,
    store_ms        INTEGER NOT NULL,
    born_host       TEXT NOT NULL,
    store_host      TEXT NOT NULL,
    body_crc        INTEGER NOT NULL,
    store_size      INTEGER NOT NULL,
    reconsume_times INTEGER NOT NULL DEFAULT 0,
    origin_topic    TEXT,
    origin_msg_id   TEXT,
    traced          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS plane_messages_by_time
    ON plane_messages (instance, topic, store_ms);
CREATE UNIQUE INDEX IF NOT EXISTS plane_messages_by_queue
    ON plane_messages (instance, topic, broker, queue_id, queue_offset);
CREATE INDEX IF NOT EXISTS plane_messages_by_msg_id
    ON plane_messages (instance, msg_id);
CREATE INDEX IF NOT EXISTS plane_messages_by_uniq_key
    ON plane_messages (instance, uniq_key);
-- Retention asks "anything older than the cut-off on this instance?" with one seek.
CREATE INDEX IF NOT EXISTS plane_messages_by_instance_time
    ON plane_messages (instance, store_ms);

CREATE TABLE IF NOT EXISTS plane_message_keys (
    instance TEXT NOT NULL,
    topic    TEXT NOT NULL,
    key      TEXT NOT NULL,
    store_ms INTEGER NOT NULL,
    message  INTEGER NOT NULL,
    PRIMARY KEY (instance, topic, key, store_ms, message)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS plane_message_keys_by_message
    ON plane_message_keys (message);

CREATE TABLE IF NOT EXISTS plane_queues (
    instance      TEXT NOT NULL,
    topic         TEXT NOT NULL,
    broker        TEXT NOT NULL,
    queue_id      INTEGER NOT NULL,
    min_offset    INTEGER NOT NULL DEFAULT 0,
    max_offset    INTEGER NOT NULL DEFAULT 0,
    last_store_ms INTEGER NOT NULL DEFAULT 0,
    bytes         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (instance, topic, broker, queue_id)
) WITHOUT ROWID;

-- Bytes stored per instance (`used_storage_space`), one row read instead of a sum over every
-- queue of the instance. Triggers keep it whatever changes a queue (appends, retention,
-- deletions); the last statement fills it once for a database from before the table.
CREATE TABLE IF NOT EXISTS plane_usage (
    instance TEXT PRIMARY KEY,
    bytes    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS plane_usage_on_insert AFTER INSERT ON plane_queues BEGIN
    INSERT INTO plane_usage (instance, bytes) VALUES (NEW.instance, NEW.bytes)
        ON CONFLICT (instance) DO UPDATE SET bytes = bytes + excluded.bytes;
END;
CREATE TRIGGER IF NOT EXISTS plane_usage_on_update AFTER UPDATE OF bytes ON plane_queues BEGIN
    UPDATE plane_usage SET bytes = bytes + NEW.bytes - OLD.bytes WHERE instance = NEW.instance;
END;
CREATE TRIGGER IF NOT EXISTS plane_usage_on_delete AFTER DELETE ON plane_queues BEGIN
    UPDATE plane_usage SET bytes = bytes - OLD.bytes WHERE instance = OLD.instance;
END;
INSERT OR IGNORE INTO plane_usage (instance, bytes)
    SELECT instance, SUM(bytes) FROM plane_queues GROUP BY instance;

CREATE TABLE IF NOT EXISTS plane_brokers (
    instance      TEXT NOT NULL,
    broker        TEXT NOT NULL,
    commit_offset INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (instance, broker)
) WITHOUT ROWID;

-- Messages ever given to a topic: the next one goes to write queue `sequence mod queues`.
CREATE TABLE IF NOT EXISTS plane_topics (
    instance TEXT NOT NULL,
    topic    TEXT NOT NULL,
    sequence INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (instance, topic)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS plane_consumer_offsets (
    instance   TEXT NOT NULL,
    grp        TEXT NOT NULL,
    topic      TEXT NOT NULL,
    broker     TEXT NOT NULL,
    queue_id   INTEGER NOT NULL,
    committed  INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (instance, grp, topic, broker, queue_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS plane_consumer_offsets_by_topic
    ON plane_consumer_offsets (instance, topic, grp);

CREATE TABLE IF NOT EXISTS plane_clients (
    instance      TEXT NOT NULL,
    grp           TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    client_addr   TEXT NOT NULL,
    language      TEXT NOT NULL,
    version       TEXT NOT NULL,
    consume_type  TEXT NOT NULL,
    subscriptions TEXT NOT NULL,
    registered_ms INTEGER NOT NULL,
    last_seen_ms  INTEGER NOT NULL,
    PRIMARY KEY (instance, grp, client_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS plane_traces (
    id            INTEGER PRIMARY KEY,
    instance      TEXT NOT NULL,
    topic         TEXT NOT NULL,
    msg_id        TEXT NOT NULL,
    offset_msg_id TEXT NOT NULL,
    ts            INTEGER NOT NULL,
    record        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS plane_traces_by_msg_id ON plane_traces (instance, msg_id);
CREATE INDEX IF NOT EXISTS plane_traces_by_offset_id ON plane_traces (instance, offset_msg_id);
CREATE INDEX IF NOT EXISTS plane_traces_by_time ON plane_traces (instance, ts);

CREATE TABLE IF NOT EXISTS plane_meta (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"#;
