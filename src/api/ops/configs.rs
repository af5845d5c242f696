//! §5.7 Parameter management: the RocketMQ configuration of an instance.

use crate::api::models::configs::{RocketMqConfigs, UpdateConfigsRequest};
use crate::api::models::other::Paging;
use crate::api::{ApiPath, ApiResult, Call, DmsClient, Query};

/// `/v2/{project_id}/rocketmq/instances/{instance_id}/configs` (`rocketmq` is literal here).
fn configs(instance_id: &str) -> ApiPath {
    ApiPath::new("v2")
        .project()
        .lit("rocketmq/instances")
        .value(instance_id)
        .lit("configs")
}

impl DmsClient {
    /// `GET /v2/{project_id}/rocketmq/instances/{instance_id}/configs`: the instance's configurable parameters (API reference §5.7.1; SDK `ShowRocketMqConfigs`).
    pub async fn show_configs(
        &self,
        instance_id: &str,
        page: &Paging,
    ) -> ApiResult<RocketMqConfigs> {
        let query = Query::new()
            .opt("limit", page.limit)
            .opt("offset", page.offset);
        self.send(Call::get("ShowRocketMqConfigs", configs(instance_id)).query(query))
            .await
    }

    /// `PUT /v2/{project_id}/rocketmq/instances/{instance_id}/configs`: change parameters; DMS answers 204 (API reference §5.7.2; SDK `UpdateRocketMqConfigs`).
    pub async fn update_configs(
        &self,
        instance_id: &str,
        body: &UpdateConfigsRequest,
    ) -> ApiResult<()> {
        self.send_empty(Call::put("UpdateRocketMqConfigs", configs(instance_id)).json(body)?)
            .await
    }
}
