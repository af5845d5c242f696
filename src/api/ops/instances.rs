//! §5.1 Lifecycle management: instances and their brokers.

use crate::api::models::common::Paging;
use crate::api::models::instances::{
    BatchDeleteInstancesReq, BatchDeleteInstancesResult, BrokerList, CreateInstanceReq,
    CreatedInstance, Instance, InstanceList, ListInstancesQuery, UpdateInstanceReq,
};
use crate::api::{ApiPath, ApiResult, Call, DmsClient, Query};

impl DmsClient {
    /// `GET /v2/{project_id}/instances`: list instances (API reference §5.1.1; SDK `ListInstances`).
    ///
    /// `engine` is mandatory for DMS, so the client's engine is sent when the query has none.
    pub async fn list_instances(&self, query: &ListInstancesQuery) -> ApiResult<InstanceList> {
        let path = ApiPath::new("v2").project().lit("instances");
        let engine = query
            .engine
            .clone()
            .unwrap_or_else(|| self.config().engine.to_string());
        let query = Query::new()
            .set("engine", engine)
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

    /// `POST /v2/{engine}/{project_id}/instances`: create an instance, pay-per-use or
    /// yearly/monthly (API reference §5.1.2; SDK `CreateInstanceByEngine`).
    pub async fn create_instance(&self, body: &CreateInstanceReq) -> ApiResult<CreatedInstance> {
        let path = ApiPath::new("v2").engine().project().lit("instances");
        self.send(Call::post("CreateInstanceByEngine", path).json(body)?)
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

    /// `PUT /v2/{project_id}/instances/{instance_id}`: change an instance's name, description,
    /// security group, ACL or public access (API reference §5.1.5; SDK `UpdateInstance`).
    pub async fn update_instance(
        &self,
        instance_id: &str,
        body: &UpdateInstanceReq,
    ) -> ApiResult<()> {
        let path = ApiPath::new("v2")
            .project()
            .lit("instances")
            .value(instance_id);
        self.send_empty(Call::put("UpdateInstance", path).json(body)?)
            .await
    }

    /// `POST /v2/{project_id}/instances/action`: delete several instances, or all whose
    /// creation failed (API reference §5.1.6; SDK `BatchDeleteInstances`).
    ///
    /// DMS answers 200 with per-instance results, or 204 without a body for the
    /// `all_failure` form; the latter gives an empty result list.
    pub async fn batch_delete_instances(
        &self,
        body: &BatchDeleteInstancesReq,
    ) -> ApiResult<BatchDeleteInstancesResult> {
        let path = ApiPath::new("v2").project().lit("instances/action");
        let reply = self
            .send::<Option<BatchDeleteInstancesResult>>(
                Call::post("BatchDeleteInstances", path).json(body)?,
            )
            .await?;
        Ok(reply.map(Option::unwrap_or_default))
    }

    /// `GET /v2/{project_id}/instances/{instance_id}/brokers`: the brokers of an instance
    /// (API reference §5.1.7; SDK `ListBrokers`).
    pub async fn list_brokers(&self, instance_id: &str, paging: &Paging) -> ApiResult<BrokerList> {
        let path = ApiPath::new("v2")
            .project()
            .lit("instances")
            .value(instance_id)
            .lit("brokers");
        let query = paging.add_to(Query::new());
        self.send(Call::get("ListBrokers", path).query(query)).await
    }
}
