# Team deployment: single sign-on, the connection switcher, sessions, shared rate limits.

nav-sessions = Sessions
mode-oidc = Single sign-on
signed-in-with-oidc = Signed in with single sign-on
switch-connection = Connection
switch-not-granted = Your groups do not give you the connection { $connection }.

oidc-sign-in-with = Sign in with { $provider }
oidc-end-session = Also sign out of the identity provider
oidc-signed-out = You are signed out of the console. You are still signed in at { $provider }.
oidc-off = Single sign-on is not configured.
oidc-unreachable = Single sign-on cannot start: { $detail }
oidc-state-unknown = This sign-in has expired or was already used. Start again.
oidc-other-browser = This sign-in was started in another browser. Start again here.
oidc-provider-error = The identity provider did not sign you in: { $error } { $detail }
oidc-other-issuer = The answer names another identity provider than this console's. Start again.
oidc-no-code = The identity provider sent no authorization code. Start again.
oidc-refused = The sign-in was refused: { $detail }
oidc-no-role = You ({ $user }) are not in any group that this console gives access to. Your groups: { $groups }. Ask an administrator to map one of them to a role.

sessions-title = Sessions
sessions-lead-everyone = Every live session of every user. Ending one signs it out at its next request, on every replica.
sessions-lead-own = Your live sessions. Ending one signs it out at its next request.
sessions-none = No live sessions.
sessions-ended = { $count ->
    [one] One session ended.
   *[other] { $count } sessions ended.
}
sessions-list-failed = The sessions cannot be listed
sessions-not-found = That session has already ended.
sessions-col-user = User
sessions-col-mode = Signed in with
sessions-col-role = Role
sessions-col-connection = Connection
sessions-col-client = Client address
sessions-col-agent = Browser
sessions-col-started = Signed in
sessions-col-seen = Last seen
sessions-col-actions = Actions
sessions-this-one = this session
sessions-end = End
sessions-end-user = End all of this user's sessions
sessions-end-my-others = End my other sessions

error-too-many-title = Too many requests
rate-limited = You did this too often. Try again in { $seconds } s.
