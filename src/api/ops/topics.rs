//! §5.3 Topic management: topics, the groups consuming them and their message counts.
//!
//! Topic names may contain `%` and `|`; they travel percent-encoded in paths
//! (`ApiPath::value`). The overloaded 5.3.1 route becomes `create_topic` and
//! `batch_delete_topics`; DMS has no batch create, so callers create topics one at a time.

use crate::api::models::common::{Job, Paging};
use crate::api::models::topics::{
    BatchDeleteTopicsReq, CreateTopicReq, CreatedTopic, Topic, TopicGroupList, TopicList,
    TopicStatus, UpdateTopicReq,
};
use crate::api::{ApiPath, ApiResult, Call, DmsClient, Query};

/// `/v2/{project_id}/instances/{instance_id}/topics`.
fn topics_path(instance_id: &str) -> ApiPath {
    ApiPath::new("v2")
        .project()
        .lit("instances")
        .value(instance_id)
        .lit("topics")
}

/// `/v2/{project_id}/instances/{instance_id}/topics/{topic}`.
fn topic_path(instance_id: &str, topic: &str) -> ApiPath {
    topics_path(instance_id).value(topic)
}

impl DmsClient {
    /// `POST /v2/{project_id}/instances/{instance_id}/topics`: create a topic (API reference
    /// §5.3.1; SDK `CreateTopicOrBatchDeleteTopic`).
    pub async fn create_topic(
        &self,
        instance_id: &str,
        body: &CreateTopicReq,
    ) -> ApiResult<CreatedTopic> {
        let call = Call::post("CreateTopicOrBatchDeleteTopic", topics_path(instance_id));
        self.send(call.json(body)?).await
    }

    /// `POST /v2/{project_id}/instances/{instance_id}/topics?action=delete`: delete several
    /// topics in a background task (API reference §5.3.1; SDK `CreateTopicOrBatchDeleteTopic`).
    pub async fn batch_delete_topics(
        &self,
        instance_id: &str,
        topics: &[String],
    ) -> ApiResult<Job> {
        let body = BatchDeleteTopicsReq {
            topics: topics.to_vec(),
        };
        let call = Call::post("CreateTopicOrBatchDeleteTopic", topics_path(instance_id))
            .query(Query::new().set("action", "delete"));
        self.send(call.json(&body)?).await
    }

    /// `GET /v2/{project_id}/instances/{instance_id}/topics`: list an instance's topics
    /// (API reference §5.3.2; SDK `ListRocketInstanceTopics`).
    pub async fn list_topics(&self, instance_id: &str, paging: &Paging) -> ApiResult<TopicList> {
        let query = paging.add_to(Query::new());
        self.send(Call::get("ListRocketInstanceTopics", topics_path(instance_id)).query(query))
            .await
    }

    /// `DELETE /v2/{project_id}/instances/{instance_id}/topics/{topic}`: delete a topic
    /// (API reference §5.3.3; SDK `DeleteTopic`).
    pub async fn delete_topic(&self, instance_id: &str, topic: &str) -> ApiResult<()> {
        self.send_empty(Call::delete("DeleteTopic", topic_path(instance_id, topic)))
            .await
    }

    /// `GET /v2/{project_id}/instances/{instance_id}/topics/{topic}`: one topic (API reference
    /// §5.3.4; SDK `ShowOneTopic`).
    pub async fn show_topic(&self, instance_id: &str, topic: &str) -> ApiResult<Topic> {
        self.send(Call::get("ShowOneTopic", topic_path(instance_id, topic)))
            .await
    }

    /// `PUT /v2/{project_id}/instances/{instance_id}/topics/{topic}`: change a topic's queues,
    /// permission or description (API reference §5.3.5; SDK `UpdateTopic`).
    pub async fn update_topic(
        &self,
        instance_id: &str,
        topic: &str,
        body: &UpdateTopicReq,
    ) -> ApiResult<()> {
        let call = Call::put("UpdateTopic", topic_path(instance_id, topic));
        self.send_empty(call.json(body)?).await
    }

    /// `GET /v2/{project_id}/instances/{instance_id}/topics/{topic}/groups`: the consumer
    /// groups of a topic (API reference §5.3.6; SDK `ListConsumerGroupOfTopic`).
    pub async fn list_topic_groups(
        &self,
        instance_id: &str,
        topic: &str,
        paging: &Paging,
    ) -> ApiResult<TopicGroupList> {
        let path = topic_path(instance_id, topic).lit("groups");
        let query = paging.add_to(Query::new());
        self.send(Call::get("ListConsumerGroupOfTopic", path).query(query))
            .await
    }

    /// `GET /v2/{project_id}/instances/{instance_id}/topics/{topic}/status`: a topic's offsets
    /// per broker queue (API reference §5.3.7; SDK `ShowTopicStatus`).
    pub async fn show_topic_status(
        &self,
        instance_id: &str,
        topic: &str,
    ) -> ApiResult<TopicStatus> {
        let path = topic_path(instance_id, topic).lit("status");
        self.send(Call::get("ShowTopicStatus", path)).await
    }
}
