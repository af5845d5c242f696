# Topics: the tab, a topic's page, its changes, batch delete and batch create.

topics-title = Topics
topic-title = Topic
topics-search-hint = part of a name, any case…
topics-col-type = Message type
topics-col-permission = Permission
topics-col-queues = Queues (read / write)
topics-col-brokers = Brokers
topics-col-broker = Broker
topics-queues-value = { $read } / { $write }
topics-select = Select
topics-select-one = Select { $topic }
topics-delete-selected = Delete the selected topics
topics-empty = This instance has no topics yet.
topics-empty-filtered = No topic matches this search.
topics-summary-title = Summary
topics-summary-loading = Counting every topic…
topics-summary-show = Show the counts
topics-total = Topics
topics-quota = Quota
topics-quota-value = { $max } at most, { $remaining } more can be created
topics-by-type = By message type
topics-by-permission = By permission
topics-counted-of = { $counted } of { $total } topics counted so far.
topics-partial-read = { $read } of { $total } topics read before the page's time limit; the rest is still being read and the list reloads itself.
topics-truncated = The list was read up to its limit of { $read } topics.
topics-as-of = As of { $seconds ->
    [0] just now
    [one] 1 s ago
   *[other] { $seconds } s ago
}.
topics-refresh = Refresh
topics-partial = partial
topics-cut-short = cut short
topic-type-NORMAL = Normal
topic-type-FIFO = Ordered (FIFO)
topic-type-DELAY = Scheduled (delay)
topic-type-TRANSACTION = Transactional
topic-perm-all = Publish and subscribe
topic-perm-pub = Publish only
topic-perm-sub = Subscribe only
topic-kind-other = Other
topic-not-found = There is no topic { $topic } on this instance.
topic-create-button = Create a topic
topic-import-button = Create topics from a file
topic-search-messages = Search its messages
topic-edit-button = Edit
topic-delete-button = Delete the topic
topic-open = Open the topic
topic-sent = Message sent. Its id:
topic-settings-title = Settings
topic-messages-title = Messages
topic-messages-stored = messages stored
topic-last-message = last message
topic-col-queue = Queue
topic-col-min = Min offset
topic-col-max = Max offset
topic-col-count = Messages
topic-col-last = Last message
topic-groups-title = Consumer groups
topic-groups-none = No consumer group consumes this topic.
topic-groups-partial = Some groups' numbers did not arrive before the page's time limit.
topic-groups-more = Only the first groups are shown; the topic has { $total }.
topic-users-title = Authorised users
topic-users-none = No ACL user is listed for this topic.
topic-users-more = Only the first users are shown; there are { $total }.
topic-users-acl-off = ACL is off on this instance: these permissions are not enforced.
topic-send-title = Send a test message
topic-send-body = Body
topic-send-tags = Tag
topic-send-tags-hint = One tag, without spaces or |.
topic-send-keys = Keys
topic-send-keys-hint = Separated by spaces; message search finds them.
topic-send-properties = Properties
topic-send-properties-hint = One name=value per line.
topic-send-button = Send
topic-send-bad-tag = A tag is one word, without spaces or |.
topic-send-bad-property = Line { $line } (“{ $text }”) is not name=value, or names a property RocketMQ sets itself.
topic-create-title = Create a topic
topic-create-confirm = Create the topic
topic-type-hint = Ordered topics keep the order per message group; scheduled ones deliver later; transactional ones wait for the producer's commit.
topic-queues-per-broker = Queues per broker
topic-queues-hint = 1 to 50; more queues let more consumers share the work.
topic-brokers-required = Choose at least one broker.
topic-broker-unknown = This instance has no broker { $broker }.
topic-created-without-description = The topic was created, but its description was not saved.
topic-edit-title = Edit the topic
topic-edit-5x-note = On RocketMQ 5.x only the description can change; queues and permission are fixed.
topic-read-queues = Read queues
topic-write-queues = Write queues
topic-delete-title = Delete the topic
topic-delete-heading = Delete topic { $topic }
topic-delete-zone = Delete
topic-delete-explain = The topic and every message in it are deleted for good. Producers sending to it and consumers reading it will fail.
impact-lead = What the deletion would touch:
impact-col-messages = Messages stored
impact-col-groups = Consumer groups (online clients)
impact-col-state = In use
impact-clients = { $count ->
    [one] 1 online client
   *[other] { $count } online clients
}
impact-in-use = in use
impact-idle = no online consumer
topics-batch-delete-title = Delete topics
batch-delete-zone = Delete them all
topics-batch-delete-explain = { $count ->
    [one] This topic and its messages are deleted for good.
   *[other] These { $count } topics and their messages are deleted for good.
}
topics-batch-none-selected = No topic was selected.
topics-batch-too-many = { $count } topics were selected; at most { $max } can be deleted at once.
batch-bad-topic = { $topic } is not a topic name.
batch-col-result = Result
batch-deleted = deleted
batch-still-there = still there
batch-unknown = could not be read back
topics-batch-back = Back to the topics
import-title = Create topics from a file
import-lead-5x = One topic per line: its name, then its message type (NORMAL, FIFO, DELAY or TRANSACTION), as in the API reference's example; or a CSV file whose header names the columns name, message_type, queues and description; or JSON: a list of names, or of objects with those keys.
import-lead-48 = One topic per line: its name, then its permission (all, pub or sub); or a CSV file whose header names the columns name, permission, queues, brokers and description; or JSON: a list of names, or of objects with those keys.
import-example-5x =
    orders-created NORMAL
    ledger-events FIFO
    order-timeouts DELAY
import-example-48 =
    name,permission,queues,brokers,description
    orders-created,all,3,broker-0,Orders as they are placed
    audit-log,pub,,,
import-file = File (CSV, JSON or text)
import-file-hint = At most { $max } topics.
import-paste = Or paste the list here
import-empty = The file names no topic.
import-too-many = The file names { $count } topics; at most { $max } can be created at once.
import-bad-json = The JSON cannot be read: { $detail }
import-json-shape = The JSON must be a list of topic names or of objects with a name.
import-bad-carry = The confirmation did not carry the previewed rows. Preview the file again.
import-bad-queues = { $value } queues: enter 1 to 50.
import-bad-type = { $value } is not a message type: NORMAL, FIFO, DELAY or TRANSACTION.
import-bad-permission = { $value } is not a permission: all, pub or sub.
import-48-only = Permission and brokers are for RocketMQ 4.8.0 instances; this one runs 5.x.
import-5x-only = Message types are for RocketMQ 5.x instances; this one runs 4.8.0.
import-repeated = This name appears earlier in the file.
import-checked-one-by-one = The topic list could not be read whole in time, so each name was checked on its own.
import-col-line = Line
import-col-settings = Settings
import-col-verdict = What will happen
import-queues = { $count } queues
import-will-create = will be created
import-exists = already exists
import-invalid = invalid
import-preview-counts = { $create } will be created, { $exists } already exist,
import-preview-invalid = { $count } invalid.
import-confirm-lead = Nothing has been created yet. Each new topic is created with a call of its own, and the result of each is shown.
import-confirm-button = { $count ->
    [one] Create 1 topic
   *[other] Create { $count } topics
}
import-nothing-to-create = There is nothing to create.
import-result-summary = { $created } created, { $failed } failed.
import-result-unknown = { $count } with no readable answer: check them.
import-created = created
import-created-without-description = created, but its description was not saved
import-failed = failed
import-unknown = no readable answer: it may or may not exist
import-not-sent = not sent: { $why }
import-skipped-exists = skipped: it already exists
import-skipped-invalid = skipped: { $why }
op-list-topics = Listing the topics
op-read-topic = Reading the topic
op-read-topic-status = Reading the topic's messages
op-list-topic-groups = Listing the topic's consumer groups
op-list-topic-users = Listing the topic's authorised users
op-read-topic-consumers = Reading the group's online clients
op-create-topic = Creating the topic
op-save-topic = Saving the topic
op-save-topic-description = Saving the topic's description
op-delete-topic = Deleting the topic
op-delete-topics = Deleting the topics
op-send-message = Sending the message
