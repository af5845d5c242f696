# 登录。

login-title = 登录
login-lead = 分布式消息服务 RocketMQ 版
login-modes = 登录方式
login-account = 账号
login-password = 密码
login-access-key = 访问密钥 ID（AK）
login-secret-key = 秘密访问密钥（SK）
login-security-token = 安全令牌
login-security-token-hint = 仅用于临时凭证。
login-region = 区域
login-project-id = 项目 ID
login-domain = 账号名
login-iam-user = IAM 用户名
login-project = 项目名称
login-project-hint = 默认：区域名称。
login-bad-project-id = 项目 ID 只能包含字母、数字、- 和 _。
login-throttled = 登录失败次数过多，请在 { $seconds } 秒后重试。
login-mode-off = 该登录方式已关闭。
login-wrong-password = 账号或密码错误。
login-unknown-region = 未知的区域 { $region }。
login-iam-no-project = IAM 没有说明该令牌属于哪个项目。
login-refused-by = { $service } 拒绝了凭证：{ $detail }
login-unreachable = 无法连接 { $service }：{ $detail }
login-failed-by = { $detail }
login-with-code = { $message }（错误码 { $code }）
login-with-code-and-id = { $message }（错误码 { $code }，请求 ID { $request_id }）
