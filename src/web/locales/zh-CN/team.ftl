# 团队部署：单点登录、连接切换、会话、共享的频率限制。

nav-sessions = 会话
mode-oidc = 单点登录
signed-in-with-oidc = 使用单点登录
switch-connection = 连接
switch-not-granted = 你所在的组没有连接 { $connection } 的权限。

oidc-sign-in-with = 使用 { $provider } 登录
oidc-end-session = 同时退出身份提供方
oidc-signed-out = 你已退出控制台，但在 { $provider } 仍处于登录状态。
oidc-off = 未配置单点登录。
oidc-unreachable = 无法开始单点登录：{ $detail }
oidc-state-unknown = 此次登录已过期或已被使用，请重新开始。
oidc-other-browser = 此次登录是在另一个浏览器中开始的，请在这里重新开始。
oidc-provider-error = 身份提供方没有为你登录：{ $error } { $detail }
oidc-other-issuer = 该回应来自其他身份提供方，而不是本控制台配置的。请重新开始。
oidc-no-code = 身份提供方没有返回授权码，请重新开始。
oidc-refused = 登录被拒绝：{ $detail }
oidc-no-role = 你（{ $user }）不属于本控制台授权的任何组。你所在的组：{ $groups }。请联系管理员为其中一个组映射角色。

sessions-title = 会话
sessions-lead-everyone = 所有用户的全部有效会话。结束会话后，它的下一个请求（在任何副本上）都会被要求重新登录。
sessions-lead-own = 你的有效会话。结束会话后，它的下一个请求会被要求重新登录。
sessions-none = 没有有效会话。
sessions-ended = 已结束 { $count } 个会话。
sessions-list-failed = 无法列出会话
sessions-not-found = 该会话已经结束。
sessions-col-user = 用户
sessions-col-mode = 登录方式
sessions-col-role = 角色
sessions-col-connection = 连接
sessions-col-client = 客户端地址
sessions-col-agent = 浏览器
sessions-col-started = 登录时间
sessions-col-seen = 最近活动
sessions-col-actions = 操作
sessions-this-one = 当前会话
sessions-end = 结束
sessions-end-user = 结束该用户的全部会话
sessions-end-my-others = 结束我的其他会话

error-too-many-title = 请求过于频繁
rate-limited = 操作过于频繁，请在 { $seconds } 秒后重试。
