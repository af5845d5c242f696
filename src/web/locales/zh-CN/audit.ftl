# 审计日志。

audit-title = 审计日志
audit-user = 用户
audit-action = 操作
audit-action-example = 例如 RestartInstance
audit-target = 对象
audit-from = 开始时间（{ $zone }）
audit-to = 结束时间（{ $zone }）
audit-time-example = YYYY-MM-DD 或 YYYY-MM-DDTHH:MM
audit-col-time = 时间
audit-col-role = 角色
audit-col-client = 客户端
audit-col-outcome = 结果
audit-bad-time = { $input } 不是日期（YYYY-MM-DD 或 YYYY-MM-DDTHH:MM）。
audit-export-refused = 未导出任何内容：{ $detail }。
audit-empty = 还没有记录任何变更。
audit-empty-filtered = 没有符合筛选条件的审计记录。
audit-unreadable-title = 无法读取审计日志
audit-unreadable = { $detail }
