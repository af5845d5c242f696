# Sign-in.

login-title = Sign in
login-lead = Distributed Message Service for RocketMQ
login-modes = Sign-in modes
login-account = Account
login-password = Password
login-access-key = Access key id
login-secret-key = Secret access key
login-security-token = Security token
login-security-token-hint = Temporary credentials only.
login-region = Region
login-project-id = Project id
login-domain = Account name
login-iam-user = IAM user
login-project = Project name
login-project-hint = Default: the region.
login-bad-project-id = A project id has only letters, digits, - and _.
login-throttled = Too many failed sign-ins. Try again in { $seconds } s.
login-mode-off = This sign-in mode is switched off.
login-wrong-password = The account name or password is wrong.
login-unknown-region = The region { $region } is not known.
login-iam-no-project = IAM did not say which project the token is for.
login-refused-by = { $service } refused the credentials: { $detail }
login-unreachable = { $service } could not be reached: { $detail }
login-failed-by = { $detail }
login-with-code = { $message } (error code { $code })
login-with-code-and-id = { $message } (error code { $code }, request id { $request_id })
