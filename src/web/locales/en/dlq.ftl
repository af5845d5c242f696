# Dead letters: the list, counts, resend and export.

dlq-title = Dead letters
resend-title = Resend dead letters
op-list-dead-letters = Listing dead letters
op-export-dead-letters = Exporting dead letters
op-count-dead-letters = Counting dead letters
op-resend-dead-letters = Resending dead letters
export-needs-group = Choose a consumer group first: an export holds its dead letters.
dlq-group = Consumer group
dlq-choose-group = choose a group…
dlq-show = Show its dead letters
dlq-prompt = Choose a consumer group to see the messages it gave up on (its %DLQ% topic).
dlq-empty = No dead letter matches this search.
dlq-group-required = Choose a consumer group.
dlq-select-page = Select every message on this page
dlq-select-one = Select { $id }
col-origin = First sent to
col-expires = Deleted at
col-count = Messages
dlq-expiry-unknown = unknown
dlq-resend-selected = Resend selected…
dlq-resend-all = Resend all { $count } matches…
dlq-resend-all-too-many = At most { $max } messages are resent at once: narrow the search.
dlq-export-json = Export selected as JSON
dlq-export-csv = Export selected as CSV
dlq-resend-note = A resend sends the messages to the group again (through its %RETRY% topic); you see how many and where before it runs. At most { $max } at once; more than { $threshold } need their number typed.
dlq-counts-title = By original topic and tag
dlq-counts-loading = Counting every match…
dlq-counts-now = Count now
dlq-counts-choose = Choose a consumer group to count its dead letters.
dlq-counts-none = Nothing to count.
dlq-counted = Counted { $counted } of { $total } matches.
dlq-selection-too-large = { $count } messages are selected; at most { $max } can be resent or exported at once. Narrow the search.
dlq-nothing-selected = Select at least one message.
dlq-search-invalid = The search of the page cannot be read again; go back and search anew.
resend-preview = { $count ->
    [one] Resend 1 message of { $topic }?
   *[other] Resend { $count } messages of { $topic }?
}
resend-explain = They are sent to consumer group { $group } again, as new messages of its retry topic; the dead letters stay where they are. Nothing is sent until you confirm.
resend-ids = The { $count } message ids
resend-type-count = Type the number of messages, { $count }, to confirm
resend-confirm-mismatch = Type { $count } exactly to confirm.
resend-button = { $count ->
    [one] Resend 1 message
   *[other] Resend { $count } messages
}
resend-rate-limited = You have started { $per_minute } resends in the last minute; retry in { $seconds } s. Nothing was sent.
resend-problem-title = Nothing to resend
resend-summary = Resent: { $resent }. Failed: { $failed }. Outcome unknown: { $unknown }. Not sent: { $skipped }.
resend-outcome-resent = resent
resend-outcome-failed = failed: not resent
resend-outcome-unknown = outcome unknown
resend-outcome-already = already resent: not sent again
resend-outcome-in-flight = being resent by another submission: not sent again
resend-outcome-already-unknown = an earlier resend's outcome is unknown: not sent again
resend-outcome-not-sent = not sent
resend-check = Check its trace for a new delivery
resend-back = Back to the dead letters
