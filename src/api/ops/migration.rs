//! §5.6 Metadata migration: creating, listing and deleting migration tasks.

use crate::api::models::migration::{
    CreateMigrationTaskQuery, DeleteMigrationTasksRequest, DeletedMigrationTasks,
    ListMigrationTasksQuery, MigrationMetadata, MigrationTaskCreated, MigrationTaskList,
    ShowMigrationTaskQuery,
};
use crate::api::{ApiPath, ApiResult, Call, DmsClient, Query, Reply};

/// `/v2/{project_id}/instances/{instance_id}/metadata`
fn metadata(instance_id: &str) -> ApiPath {
    ApiPath::new("v2")
        .project()
        .lit("instances")
        .value(instance_id)
        .lit("metadata")
}

impl DmsClient {
    /// `POST /v2/{project_id}/instances/{instance_id}/metadata`: create a metadata migration task (API reference §5.6.1; SDK `CreateRocketMqMigrationTask`).
    pub async fn create_migration_task(
        &self,
        instance_id: &str,
        query: &CreateMigrationTaskQuery,
        body: &MigrationMetadata,
    ) -> ApiResult<MigrationTaskCreated> {
        let query = Query::new()
            .set("overwrite", query.overwrite)
            .set("name", &query.name)
            .set("type", query.task_type);
        let call = Call::post("CreateRocketMqMigrationTask", metadata(instance_id))
            .query(query)
            .json(body)?;
        self.send(call).await
    }

    /// `GET /v2/{project_id}/instances/{instance_id}/metadata`: list the migration tasks; `offset` is a 1-based page number (API reference §5.6.2; SDK `ListRocketMqMigrationTask`).
    pub async fn list_migration_tasks(
        &self,
        instance_id: &str,
        query: &ListMigrationTasksQuery,
    ) -> ApiResult<MigrationTaskList> {
        let query = Query::new()
            .opt("offset", query.page)
            .opt("limit", query.limit);
        self.send(Call::get("ListRocketMqMigrationTask", metadata(instance_id)).query(query))
            .await
    }

    /// `GET /v2/{project_id}/instances/{instance_id}/metadata?id={task_id}`: one migration task, or its migrated RabbitMQ metadata with `type`/`name`, in the list envelope (API reference §5.6.2; SDK `ListRocketMqMigrationTask`).
    pub async fn show_migration_task(
        &self,
        instance_id: &str,
        task_id: &str,
        query: &ShowMigrationTaskQuery,
    ) -> ApiResult<MigrationTaskList> {
        let query = Query::new()
            .set("id", task_id)
            .opt("type", query.metadata_type.as_deref())
            .opt("name", query.name.as_deref())
            .opt("offset", query.page)
            .opt("limit", query.limit);
        self.send(Call::get("ListRocketMqMigrationTask", metadata(instance_id)).query(query))
            .await
    }

    /// `DELETE /v2/{project_id}/instances/{instance_id}/metadata`: delete migration tasks, with a JSON body; an empty answer gives an empty list (API reference §5.6.3; no SDK operation with this route, the API reference's samples call it `DeleteRocketMqMigrationTask`).
    pub async fn delete_migration_tasks(
        &self,
        instance_id: &str,
        task_ids: &[String],
    ) -> ApiResult<DeletedMigrationTasks> {
        let body = DeleteMigrationTasksRequest {
            task_ids: task_ids.to_vec(),
        };
        let call =
            Call::delete("DeleteRocketMqMigrationTask", metadata(instance_id)).json(&body)?;
        let reply: Reply<Option<DeletedMigrationTasks>> = self.send(call).await?;
        Ok(reply.map(Option::unwrap_or_default))
    }

    /// `POST /v2/{project_id}/instances/{instance_id}/metadata/batch-delete`: delete migration tasks, the SDK's route (API reference §5.6.3; SDK `BatchDeleteRocketMqMigrationTask`).
    pub async fn batch_delete_migration_tasks(
        &self,
        instance_id: &str,
        task_ids: &[String],
    ) -> ApiResult<DeletedMigrationTasks> {
        let body = DeleteMigrationTasksRequest {
            task_ids: task_ids.to_vec(),
        };
        let path = metadata(instance_id).lit("batch-delete");
        let call = Call::post("BatchDeleteRocketMqMigrationTask", path).json(&body)?;
        let reply: Reply<Option<DeletedMigrationTasks>> = self.send(call).await?;
        Ok(reply.map(Option::unwrap_or_default))
    }
}
