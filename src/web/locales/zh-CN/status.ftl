# 实例状态：名称及其含义（API 参考，表 9-2）。

statusname-CREATING = 创建中
status-CREATING = 申请实例后，在实例状态进入运行中之前的状态。
statusname-RUNNING = 运行中
status-RUNNING = 实例正常运行状态。在这个状态的实例可以运行您的业务。
statusname-ERROR = 故障
status-ERROR = 实例处于故障的状态。
statusname-RESTARTING = 重启中
status-RESTARTING = 实例正在进行重启操作。
statusname-STARTING = 启动中
status-STARTING = 实例从已冻结到运行中的中间状态。
statusname-EXTENDING = 扩容中
status-EXTENDING = 实例正在进行规格变更操作。
statusname-EXTENDEDFAILED = 扩容失败
status-EXTENDEDFAILED = 实例处于规格变更操作失败的状态。
statusname-FROZEN = 已冻结
status-FROZEN = 实例处于已冻结状态，用户可以在“我的订单”中续费开启冻结的实例。
statusname-FREEZING = 冻结中
status-FREEZING = 实例从运行中到已冻结的中间状态。
statusname-UPGRADING = 升级中
status-UPGRADING = 实例正在进行升级操作。
statusname-ROLLINGBACK = 回滚中
status-ROLLINGBACK = 实例正在进行回滚操作。
statusname-CREATEFAILED = 创建失败
status-CREATEFAILED = 实例创建失败。
status-undocumented = API 参考中没有说明该状态。
