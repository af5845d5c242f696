# The audit log.

audit-title = Audit log
audit-user = User
audit-action = Action
audit-action-example = e.g. RestartInstance
audit-target = Target
audit-from = From ({ $zone })
audit-to = To ({ $zone })
audit-time-example = YYYY-MM-DD or YYYY-MM-DDTHH:MM
audit-col-time = Time
audit-col-role = Role
audit-col-client = Client
audit-col-outcome = Outcome
audit-bad-time = { $input } is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM).
audit-export-refused = Nothing was exported: { $detail }.
audit-empty = No changes have been recorded yet.
audit-empty-filtered = No audit record matches these filters.
audit-unreadable-title = The audit log cannot be read
audit-unreadable = { $detail }
