//! §5.2 Consumer group management: groups, their consumption progress, offset resets and
//! connected consumers.
//!
//! Group names may contain `%` and `|`; they travel percent-encoded in paths (`ApiPath::value`).
//! The overloaded routes of the reference become one method per intent: 5.2.2 is
//! `create_consumer_group` and `batch_delete_consumer_groups`, 5.2.7 is `list_group_topics`
//! and `show_group_topic_detail`.

use crate::api::models::common::{Job, Paging};
use crate::api::models::groups::{
    BatchDeleteConsumerGroupsReq, BatchUpdateConsumerGroupsReq, ConsumerClientList, ConsumerGroup,
    ConsumerGroupList, CreateConsumerGroupReq, CreatedConsumerGroup, GroupTopicDetail,
    GroupTopicList, ListConsumerClientsQuery, ListConsumerGroupsQuery, ResetConsumeOffsetReq,
    ResetConsumeOffsetResult, UpdateConsumerGroupReq,
};
use crate::api::{ApiPath, ApiResult, Call, DmsClient, Query};

/// `/v2/{project_id}/instances/{instance_id}/groups`.
fn groups_path(instance_id: &str) -> ApiPath {
    ApiPath::new("v2")
        .project()
        .lit("instances")
        .value(instance_id)
        .lit("groups")
}

/// `/v2/{project_id}/instances/{instance_id}/groups/{group}`.
fn group_path(instance_id: &str, group: &str) -> ApiPath {
    groups_path(instance_id).value(group)
}

impl DmsClient {
    /// `GET /v2/{project_id}/instances/{instance_id}/groups`: list an instance's consumer
    /// groups (API reference §5.2.1; SDK `ListInstanceConsumerGroups`).
    pub async fn list_consumer_groups(
        &self,
        instance_id: &str,
        query: &ListConsumerGroupsQuery,
    ) -> ApiResult<ConsumerGroupList> {
        let query = Query::new()
            .opt("group", query.group.as_deref())
            .opt("limit", query.limit)
            .opt("offset", query.offset);
        self.send(Call::get("ListInstanceConsumerGroups", groups_path(instance_id)).query(query))
            .await
    }

    /// `POST /v2/{project_id}/instances/{instance_id}/groups`: create a consumer group
    /// (API reference §5.2.2; SDK `CreateConsumerGroupOrBatchDeleteConsumerGroup`).
    pub async fn create_consumer_group(
        &self,
        instance_id: &str,
        body: &CreateConsumerGroupReq,
    ) -> ApiResult<CreatedConsumerGroup> {
        let call = Call::post(
            "CreateConsumerGroupOrBatchDeleteConsumerGroup",
            groups_path(instance_id),
        );
        self.send(call.json(body)?).await
    }

    /// `POST /v2/{project_id}/instances/{instance_id}/groups?action=delete`: delete several
    /// consumer groups in a background task (API reference §5.2.2; SDK
    /// `CreateConsumerGroupOrBatchDeleteConsumerGroup`).
    pub async fn batch_delete_consumer_groups(
        &self,
        instance_id: &str,
        groups: &[String],
    ) -> ApiResult<Job> {
        let body = BatchDeleteConsumerGroupsReq {
            groups: groups.to_vec(),
        };
        let call = Call::post(
            "CreateConsumerGroupOrBatchDeleteConsumerGroup",
            groups_path(instance_id),
        )
        .query(Query::new().set("action", "delete"));
        self.send(call.json(&body)?).await
    }

    /// `PUT /v2/{project_id}/instances/{instance_id}/groups`: change several consumer groups in
    /// a background task (API reference §5.2.3; SDK `BatchUpdateConsumerGroup`).
    pub async fn batch_update_consumer_groups(
        &self,
        instance_id: &str,
        body: &BatchUpdateConsumerGroupsReq,
    ) -> ApiResult<Job> {
        let call = Call::put("BatchUpdateConsumerGroup", groups_path(instance_id));
        self.send(call.json(body)?).await
    }

    /// `DELETE /v2/{project_id}/instances/{instance_id}/groups/{group}`: delete a consumer
    /// group (API reference §5.2.4; SDK `DeleteConsumerGroup`).
    pub async fn delete_consumer_group(&self, instance_id: &str, group: &str) -> ApiResult<()> {
        self.send_empty(Call::delete(
            "DeleteConsumerGroup",
            group_path(instance_id, group),
        ))
        .await
    }

    /// `GET /v2/{project_id}/instances/{instance_id}/groups/{group}`: one consumer group
    /// (API reference §5.2.5; SDK `ShowGroup`).
    pub async fn show_consumer_group(
        &self,
        instance_id: &str,
        group: &str,
    ) -> ApiResult<ConsumerGroup> {
        self.send(Call::get("ShowGroup", group_path(instance_id, group)))
            .await
    }

    /// `PUT /v2/{project_id}/instances/{instance_id}/groups/{group}`: change a consumer group
    /// (API reference §5.2.6; SDK `UpdateConsumerGroup`).
    pub async fn update_consumer_group(
        &self,
        instance_id: &str,
        group: &str,
        body: &UpdateConsumerGroupReq,
    ) -> ApiResult<()> {
        let call = Call::put("UpdateConsumerGroup", group_path(instance_id, group));
        self.send_empty(call.json(body)?).await
    }

    /// `GET /v2/{project_id}/instances/{instance_id}/groups/{group}/topics`: the topics a
    /// consumer group consumes (API reference §5.2.7 without `topic`; SDK
    /// `ShowConsumerListOrDetails`).
    pub async fn list_group_topics(
        &self,
        instance_id: &str,
        group: &str,
        paging: &Paging,
    ) -> ApiResult<GroupTopicList> {
        let path = group_path(instance_id, group).lit("topics");
        let query = paging.add_to(Query::new());
        self.send(Call::get("ShowConsumerListOrDetails", path).query(query))
            .await
    }

    /// `GET /v2/{project_id}/instances/{instance_id}/groups/{group}/topics?topic={topic}`: a
    /// consumer group's backlog and offsets on one topic, per broker queue (API reference
    /// §5.2.7 with `topic`; SDK `ShowConsumerListOrDetails`).
    pub async fn show_group_topic_detail(
        &self,
        instance_id: &str,
        group: &str,
        topic: &str,
        paging: &Paging,
    ) -> ApiResult<GroupTopicDetail> {
        let path = group_path(instance_id, group).lit("topics");
        let query = paging.add_to(Query::new().set("topic", topic));
        self.send(Call::get("ShowConsumerListOrDetails", path).query(query))
            .await
    }

    /// `POST /v2/{engine}/{project_id}/instances/{instance_id}/groups/{group}/reset-message-offset`:
    /// move a consumer group's offsets on a topic back or forward to a point in time (API
    /// reference §5.2.8; SDK `ResetConsumeOffset`). Never repeated: a second run would rewind
    /// again after consumers moved on.
    pub async fn reset_consume_offset(
        &self,
        instance_id: &str,
        group: &str,
        body: &ResetConsumeOffsetReq,
    ) -> ApiResult<ResetConsumeOffsetResult> {
        let path = ApiPath::new("v2")
            .engine()
            .project()
            .lit("instances")
            .value(instance_id)
            .lit("groups")
            .value(group)
            .lit("reset-message-offset");
        self.send(Call::post("ResetConsumeOffset", path).json(body)?)
            .await
    }

    /// `GET /v2/rocketmq/{project_id}/instances/{instance_id}/groups/{group}/clients`: the
    /// consumers connected for a group (API reference §5.2.9; SDK `ShowConsumerConnections`).
    ///
    /// `rocketmq` here is a literal segment of the route, not the configurable engine.
    pub async fn list_consumer_clients(
        &self,
        instance_id: &str,
        group: &str,
        query: &ListConsumerClientsQuery,
    ) -> ApiResult<ConsumerClientList> {
        let path = ApiPath::new("v2")
            .lit("rocketmq")
            .project()
            .lit("instances")
            .value(instance_id)
            .lit("groups")
            .value(group)
            .lit("clients");
        let query = Query::new()
            .opt("limit", query.limit)
            .opt("offset", query.offset)
            .opt("is_detail", query.is_detail);
        self.send(Call::get("ShowConsumerConnections", path).query(query))
            .await
    }
}
