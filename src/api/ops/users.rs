//! §5.5 User management: ACL users and the access policies of topics and consumer groups.

use crate::api::models::other::Paging;
use crate::api::models::users::{AccessPolicyList, DeletedUser, User, UserList, UserRequest};
use crate::api::{ApiPath, ApiResult, Call, DmsClient, Query, Reply};

/// `/v2/{project_id}/instances/{instance_id}/users`
fn users(instance_id: &str) -> ApiPath {
    ApiPath::new("v2")
        .project()
        .lit("instances")
        .value(instance_id)
        .lit("users")
}

fn paging(page: &Paging) -> Query {
    Query::new()
        .opt("offset", page.offset)
        .opt("limit", page.limit)
}

impl DmsClient {
    /// `POST /v2/{project_id}/instances/{instance_id}/users`: create an ACL user (API reference §5.5.1; SDK `CreateUser`).
    pub async fn create_user(&self, instance_id: &str, user: &UserRequest) -> ApiResult<User> {
        self.send(Call::post("CreateUser", users(instance_id)).json(user)?)
            .await
    }

    /// `GET /v2/{project_id}/instances/{instance_id}/users`: list the ACL users (API reference §5.5.2; SDK `ListUser`).
    pub async fn list_users(&self, instance_id: &str, page: &Paging) -> ApiResult<UserList> {
        self.send(Call::get("ListUser", users(instance_id)).query(paging(page)))
            .await
    }

    /// `PUT /v2/{project_id}/instances/{instance_id}/users/{user_name}`: modify an ACL user (API reference §5.5.3; SDK `UpdateUser`).
    pub async fn update_user(
        &self,
        instance_id: &str,
        user_name: &str,
        user: &UserRequest,
    ) -> ApiResult<User> {
        let path = users(instance_id).value(user_name);
        self.send(Call::put("UpdateUser", path).json(user)?).await
    }

    /// `GET /v2/{project_id}/instances/{instance_id}/users/{user_name}`: one ACL user (API reference §5.5.4; SDK `ShowUser`).
    pub async fn show_user(&self, instance_id: &str, user_name: &str) -> ApiResult<User> {
        let path = users(instance_id).value(user_name);
        self.send(Call::get("ShowUser", path)).await
    }

    /// `DELETE /v2/{project_id}/instances/{instance_id}/users/{user_name}`: delete an ACL user; an empty answer gives an empty message (API reference §5.5.5; SDK `DeleteUser`).
    pub async fn delete_user(&self, instance_id: &str, user_name: &str) -> ApiResult<DeletedUser> {
        let path = users(instance_id).value(user_name);
        let reply: Reply<Option<DeletedUser>> = self.send(Call::delete("DeleteUser", path)).await?;
        Ok(reply.map(Option::unwrap_or_default))
    }

    /// `GET /v2/{project_id}/instances/{instance_id}/topics/{topic}/accesspolicy`: the users authorised on a topic (API reference §5.5.6; SDK `ListTopicAccessPolicy`).
    pub async fn list_topic_access_policy(
        &self,
        instance_id: &str,
        topic: &str,
        page: &Paging,
    ) -> ApiResult<AccessPolicyList> {
        let path = ApiPath::new("v2")
            .project()
            .lit("instances")
            .value(instance_id)
            .lit("topics")
            .value(topic)
            .lit("accesspolicy");
        self.send(Call::get("ListTopicAccessPolicy", path).query(paging(page)))
            .await
    }

    /// `GET /v2/{engine}/{project_id}/instances/{instance_id}/groups/{group_id}/accesspolicy`: the users authorised on a consumer group (API reference §5.5.7; SDK `ListConsumeGroupAccessPolicy`).
    pub async fn list_group_access_policy(
        &self,
        instance_id: &str,
        group: &str,
        page: &Paging,
    ) -> ApiResult<AccessPolicyList> {
        let path = ApiPath::new("v2")
            .engine()
            .project()
            .lit("instances")
            .value(instance_id)
            .lit("groups")
            .value(group)
            .lit("accesspolicy");
        self.send(Call::get("ListConsumeGroupAccessPolicy", path).query(paging(page)))
            .await
    }
}
