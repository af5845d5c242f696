# Consumer groups: the groups tab, the group page, their changes, offset resets, and the
# dashboard's attention panel figures.

groups-title = Consumer groups
groups-new = New consumer group
groups-empty = This instance has no consumer groups yet.
groups-empty-filtered = No consumer group matches this filter. Clear it to see every group.
groups-quota = { $remaining } of { $max } consumer groups can still be created.
groups-select = Select this group
groups-col-behind = Behind by
groups-col-clients = Clients
groups-col-subscriptions = Subscriptions
groups-col-settings = Settings
groups-online = online
groups-offline = offline
groups-consistent = consistent
groups-inconsistent = inconsistent
groups-up-to-date = up to date
groups-never-consumed = never consumed
groups-disabled = disabled
groups-broadcast = broadcast
groups-orderly = orderly
groups-yes = yes
groups-no = no
groups-retries = { $count ->
    [one] { $count } retry
   *[other] { $count } retries
}
groups-figures-as-of = Lag figures as of { $age } ago
groups-figures-reading = Reading lag: { $read } of { $total } groups so far
groups-figures-listing = Listing the consumer groups…
groups-figures-failed = { $count ->
    [one] { $count } group could not be read
   *[other] { $count } groups could not be read
}
groups-figures-refreshing = newer figures are being read
groups-figures-refresh = Read again
groups-figures-partial = Partial: the figures of the groups not read yet are still coming in.
groups-figures-truncated = Partial: only the first groups of this very large instance were read.
groups-figures-cell-failed = could not be read
groups-figures-missing = created after the figures were read; read them again
groups-budget-shrunk = DMS asked the console to slow down: it now reads { $window ->
    [one] { $window } call
   *[other] { $window } calls
} at a time for this instance.
groups-sort-later = Sorting by this column is possible once every group's figures are read.
groups-sort-waiting = The list will be sorted once every group's figures are read; it is shown in DMS's order meanwhile.
groups-list-partial = Partial: the whole list could not be read in time, so it is shown in DMS's order.
groups-batch-lead = With the selected groups:
groups-batch-edit = Edit…
groups-batch-delete = Delete…
groups-batch-edit-title = Edit consumer groups
groups-batch-delete-title = Delete consumer groups
groups-batch-edit-lead = { $count ->
    [one] Change the settings of { $count } group:
   *[other] Change the settings of { $count } groups:
}
groups-batch-delete-lead = { $count ->
    [one] Deleting { $count } group affects:
   *[other] Deleting { $count } groups affects:
}
groups-batch-keep = Leave as it is
groups-batch-on = Switch on
groups-batch-off = Switch off
groups-batch-retries-hint = Leave empty to keep each group's own maximum.
groups-batch-changes = Changes
groups-batch-unchanged = nothing changes
groups-batch-nothing = Choose at least one setting to change.
groups-batch-edit-button = { $count ->
    [one] Change { $count } group
   *[other] Change { $count } groups
}
groups-batch-delete-button = { $count ->
    [one] Delete { $count } group
   *[other] Delete { $count } groups
}
groups-batch-summary = Done for { $done } of { $total }.
groups-batch-outcome = Outcome
groups-batch-done = done
groups-batch-failed = failed
groups-batch-unknown = outcome unknown
groups-batch-not-sent = not sent
groups-batch-no-action = Choose whether to edit or to delete the selected groups.
groups-batch-none = Select at least one consumer group first.
groups-batch-too-many = At most { $max } consumer groups can be changed at once.
groups-back = Back to the consumer groups
groups-late-title = No answer in time
groups-late = DMS did not answer within { $seconds } s; this part is left out.
groups-op-list = Listing consumer groups
groups-op-read = Reading the consumer group
groups-op-read-topic = Reading the group's progress on a topic
groups-op-list-topics = Listing the group's topics
groups-op-list-clients = Listing the group's clients
groups-op-list-users = Listing the users authorised on the group
groups-op-read-dead-letters = Reading the group's dead letters
groups-op-create = Creating the consumer group
groups-op-update = Changing the consumer group
groups-op-delete = Deleting the consumer group
groups-op-reset = Resetting the offsets
groups-op-topic-status = Reading the topic's offsets
groups-op-count-messages = Counting the messages since that time
group-title = Consumer group
group-not-found = There is no consumer group { $group } on this instance.
group-settings = Settings
group-field-enabled = Consumption enabled
group-field-broadcast = Broadcast consumption
group-field-orderly = Orderly consumption
group-field-retries = Maximum retries
group-enabled-hint = When off, the group's consumers receive no messages.
group-broadcast-hint = Every consumer of the group receives every message, instead of sharing them.
group-orderly-hint = Messages of a queue are consumed one at a time, in order (RocketMQ 5.x).
group-retries-hint = From 1 to 16; a message that fails this many times becomes a dead letter.
group-brokers-hint = The brokers the group consumes from (RocketMQ 4.8.0).
group-brokers-required = Choose at least one broker.
group-broker-unknown = This instance has no broker { $broker }.
group-create-title = New consumer group
group-create-button = Create the group
group-edit-title = Edit the consumer group
group-save-button = Save the change
group-delete-title = Delete the consumer group
group-delete-heading = Delete { $group }
group-delete-explain = Deleting a group removes its consumption offsets; its consumers can no longer consume until it is created again. This cannot be undone.
group-delete-online = The group has online consumers: they stop receiving messages.
group-delete-button = Delete the group
group-impact = What this affects
group-impact-late = Its clients and lag could not be read in time.
group-dead-letters-link = Dead letters
group-reset = Reset offsets
group-partial = Partial: DMS did not answer every part of this page in time.
group-clients = Online clients
group-clients-count = { $count ->
    [one] { $count } client
   *[other] { $count } clients
}
group-subscriptions-agree = subscriptions agree
group-subscriptions-differ = subscriptions differ
group-col-client = Client
group-col-address = Address
group-col-language = Language
group-col-subscriptions = Subscriptions
group-topics = Topics consumed
group-no-topics = This group consumes no topic yet: it has no offsets and no client subscribes to a topic. Resetting its offsets on a topic starts it there.
group-col-topic = Topic
group-col-consumer-offset = Consumer offset
group-col-broker-offset = Broker offset
group-col-last-message = Last consumed message
group-col-queue = Queue
group-queues = { $count ->
    [one] { $count } queue
   *[other] { $count } queues
}
group-topic-not-read = Not read in time.
group-total = Total
group-users = Authorised ACL users
group-no-users = No ACL user is listed for this group.
group-col-user = User
group-col-permission = Permission
group-col-admin = Administrator
group-col-whitelist = Allowed addresses
group-perm-default = default
group-users-count = { $count ->
    [one] { $count } user
   *[other] { $count } users
}
group-back = Back to the group
group-reset-title = Reset offsets
group-reset-heading = Reset the offsets of { $group }
group-reset-topic = Topic
group-reset-all-topics = { $count ->
    [one] Every topic it consumes ({ $count })
   *[other] Every topic it consumes ({ $count })
}
group-reset-other-topic = Or another topic of the instance
group-reset-other-topic-hint = For a topic the group does not consume yet; leave empty to use the choice above.
group-reset-to = Move the offsets to
group-reset-to-time = the first message stored at or after a time
group-reset-to-earliest = the earliest kept message (consume everything again)
group-reset-to-latest = the latest message (skip everything not consumed yet)
group-reset-time = Time, in { $zone }
group-reset-time-hint = The preview shows this time in UTC too.
group-reset-bad-time = Enter a date and time.
group-reset-choose-target = Choose where to move the offsets.
group-reset-no-topics = The group consumes no topic yet: name another topic of the instance.
group-reset-topic-unknown = The group does not consume this topic; name it as another topic instead.
group-reset-lead-earliest = Every queue goes back to its earliest kept message.
group-reset-lead-latest = Every queue moves to its latest message.
group-reset-lead-time = Every queue moves to the first message stored at or after { $local } ({ $utc }).
group-reset-lag-now = Lag now { $lag }
group-reset-lag-after = lag after { $lag }
group-reset-adds = ({ $count } messages will be consumed again)
group-reset-removes = ({ $count } messages will be skipped)
group-reset-no-change = (no change)
group-reset-after-unknown = the lag after cannot be told
group-reset-offset-after = Offset after
group-reset-offset-by-time = by time
group-reset-zone = Reset the offsets
group-reset-explain = Consumers continue from the new offsets. Messages before them are not consumed by this group; messages after them are consumed again. A reset is sent once and never repeated.
group-reset-button = Reset the offsets
group-reset-summary = Reset on { $done } of { $total } topics.
group-reset-new-offset = New offset
group-reset-current = The offsets as they are now
attention-checked-so-far = Checked { $checked } of { $total } consumer groups so far…
attention-as-of = as of { $age } ago
attention-all-groups = All consumer groups
attention-more-failures = { $count ->
    [one] { $count } more group could not be read.
   *[other] { $count } more groups could not be read.
}
