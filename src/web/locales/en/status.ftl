# Instance statuses: their names and what they mean (API reference, table 9-2).

statusname-CREATING = CREATING
status-CREATING = Instance is being created: the state after the instance has been requested and before it becomes RUNNING.
statusname-RUNNING = RUNNING
status-RUNNING = Instance is operating normally; services can run on it.
statusname-ERROR = ERROR
status-ERROR = Instance is faulty.
statusname-RESTARTING = RESTARTING
status-RESTARTING = Instance is being restarted.
statusname-STARTING = STARTING
status-STARTING = Intermediate state while a frozen instance is being brought back to RUNNING.
statusname-EXTENDING = EXTENDING
status-EXTENDING = Instance specification change (scale-out / resize) is in progress.
statusname-EXTENDEDFAILED = EXTENDEDFAILED
status-EXTENDEDFAILED = Instance specification change failed.
statusname-FROZEN = FROZEN
status-FROZEN = Instance is frozen; the user can renew it under "My Orders" in the console to reactivate it.
statusname-FREEZING = FREEZING
status-FREEZING = Intermediate state while a RUNNING instance is being frozen.
statusname-UPGRADING = UPGRADING
status-UPGRADING = Instance is being upgraded.
statusname-ROLLINGBACK = ROLLINGBACK
status-ROLLINGBACK = Instance upgrade is being rolled back.
statusname-CREATEFAILED = CREATEFAILED
status-CREATEFAILED = Instance creation failed.
status-undocumented = Status not documented by the API reference.
