//! §5.8 Tag management: instance and project tags.

use crate::api::models::common::Tag;
use crate::api::models::other::Paging;
use crate::api::models::tags::{InstanceTags, ProjectTags, TagAction, TagBatch};
use crate::api::{ApiPath, ApiResult, Call, DmsClient, Query};

/// `/v2/{project_id}/rocketmq/{instance_id}/…` (no `instances/` segment).
fn instance_tags(instance_id: &str) -> ApiPath {
    ApiPath::new("v2")
        .project()
        .lit("rocketmq")
        .value(instance_id)
        .lit("tags")
}

fn paging(page: &Paging) -> Query {
    Query::new()
        .opt("limit", page.limit)
        .opt("offset", page.offset)
}

impl DmsClient {
    async fn tag_batch(&self, instance_id: &str, action: TagAction, tags: &[Tag]) -> ApiResult<()> {
        let body = TagBatch {
            action,
            tags: tags.to_vec(),
        };
        let path = instance_tags(instance_id).lit("action");
        self.send_empty(Call::post("BatchCreateOrDeleteRocketmqTag", path).json(&body)?)
            .await
    }

    /// `POST /v2/{project_id}/rocketmq/{instance_id}/tags/action`: add tags to an instance (`action` `create`); DMS answers 204 (API reference §5.8.1; SDK `BatchCreateOrDeleteRocketmqTag`).
    pub async fn add_instance_tags(&self, instance_id: &str, tags: &[Tag]) -> ApiResult<()> {
        self.tag_batch(instance_id, TagAction::Create, tags).await
    }

    /// `POST /v2/{project_id}/rocketmq/{instance_id}/tags/action`: remove tags from an instance (`action` `delete`); DMS answers 204 (API reference §5.8.1; SDK `BatchCreateOrDeleteRocketmqTag`).
    pub async fn delete_instance_tags(&self, instance_id: &str, tags: &[Tag]) -> ApiResult<()> {
        self.tag_batch(instance_id, TagAction::Delete, tags).await
    }

    /// `GET /v2/{project_id}/rocketmq/{instance_id}/tags`: the tags of an instance (API reference §5.8.2; SDK `ShowRocketmqTags`).
    pub async fn show_instance_tags(
        &self,
        instance_id: &str,
        page: &Paging,
    ) -> ApiResult<InstanceTags> {
        self.send(Call::get("ShowRocketmqTags", instance_tags(instance_id)).query(paging(page)))
            .await
    }

    /// `GET /v2/{project_id}/rocketmq/tags`: the tag keys and values used in the project (API reference §5.8.3; SDK `ShowRocketmqProjectTags`).
    pub async fn show_project_tags(&self, page: &Paging) -> ApiResult<ProjectTags> {
        let path = ApiPath::new("v2").project().lit("rocketmq/tags");
        self.send(Call::get("ShowRocketmqProjectTags", path).query(paging(page)))
            .await
    }
}
