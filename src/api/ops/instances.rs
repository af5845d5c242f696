//! §5.1 Lifecycle management: instances.

use crate::api::models::instances::{Instance, InstanceList, ListInstancesQuery};
use crate::api::{ApiPath, ApiResult, Call, DmsClient, Query};

impl DmsClient {
    /// `GET /v2/{project_id}/instances`: list instances (API reference §5.1.1; SDK `ListInstances`).
    pub async fn list_instances(&self, query: &ListInstancesQuery) -> ApiResult<InstanceList> {
        let path = ApiPath::new("v2").project().lit("instances");
        let query = Query::new()
            .opt("engine", query.engine.as_deref())
            .opt("name", query.name.as_deref())
            .opt("instance_id", query.instance_id.as_deref())
            .opt("status", query.status.as_deref())
            .opt("include_failure", query.include_failure)
            .opt("exact_match_name", query.exact_match_name)
            .opt(
                "enterprise_project_id",
                query.enterprise_project_id.as_deref(),
            )
            .opt("limit", query.limit)
            .opt("offset", query.offset);
        self.send(Call::get("ListInstances", path).query(query))
            .await
    }

    /// `GET /v2/{project_id}/instances/{instance_id}`: one instance (API reference §5.1.3; SDK `ShowInstance`).
    pub async fn show_instance(&self, instance_id: &str) -> ApiResult<Instance> {
        let path = ApiPath::new("v2")
            .project()
            .lit("instances")
            .value(instance_id);
        self.send(Call::get("ShowInstance", path)).await
    }

    /// `DELETE /v2/{project_id}/instances/{instance_id}`: delete an instance (API reference §5.1.4; SDK `DeleteInstance`).
    pub async fn delete_instance(&self, instance_id: &str) -> ApiResult<()> {
        let path = ApiPath::new("v2")
            .project()
            .lit("instances")
            .value(instance_id);
        self.send_empty(Call::delete("DeleteInstance", path)).await
    }
}
