//! §5.11 Instance management: nodes and restart. Here `{engine}` comes after `{project_id}`.

use crate::api::models::nodes::{NodeList, RestartResult};
use crate::api::models::other::Paging;
use crate::api::{ApiPath, ApiResult, Call, DmsClient, Query};

/// `/v2/{project_id}/{engine}/instances/{instance_id}/…`
fn project_engine_instance(instance_id: &str) -> ApiPath {
    ApiPath::new("v2")
        .project()
        .engine()
        .lit("instances")
        .value(instance_id)
}

impl DmsClient {
    /// `GET /v2/{project_id}/{engine}/instances/{instance_id}/nodes`: the broker nodes of an instance (API reference §5.11.1; SDK `ShowInstanceNodes`).
    pub async fn list_nodes(&self, instance_id: &str, page: &Paging) -> ApiResult<NodeList> {
        let path = project_engine_instance(instance_id).lit("nodes");
        let query = Query::new()
            .opt("limit", page.limit)
            .opt("offset", page.offset);
        self.send(Call::get("ShowInstanceNodes", path).query(query))
            .await
    }

    /// `POST /v2/{project_id}/{engine}/instances/{instance_id}/restart`: restart the whole instance, without a body (API reference §5.11.2; SDK `RestartInstance`).
    pub async fn restart_instance(&self, instance_id: &str) -> ApiResult<RestartResult> {
        let path = project_engine_instance(instance_id).lit("restart");
        self.send(Call::post("RestartInstance", path)).await
    }
}
