//! §5.4 Message management: querying, tracing, exporting and resending messages, consumption
//! verification, and the SDK-only `SendMessage`.

use crate::api::models::messages::{
    DlqResendRequest, ExportDlqMessagesRequest, ExportedMessages, ListMessageTraceQuery,
    ListMessagesQuery, MessageList, MessageTraceList, ResendResults, SendMessageRequest,
    SentMessage, VerifyConsumptionRequest,
};
use crate::api::{ApiPath, ApiResult, Call, DmsClient, Query};

/// `/v2/{engine}/{project_id}/instances/{instance_id}/…`
fn engine_instance(instance_id: &str) -> ApiPath {
    ApiPath::new("v2")
        .engine()
        .project()
        .lit("instances")
        .value(instance_id)
}

impl DmsClient {
    /// `GET /v2/{engine}/{project_id}/instances/{instance_id}/messages`: query messages by ID, key or time range (API reference §5.4.1; SDK `ListMessages`).
    pub async fn list_messages(
        &self,
        instance_id: &str,
        query: &ListMessagesQuery,
    ) -> ApiResult<MessageList> {
        let path = engine_instance(instance_id).lit("messages");
        let query = Query::new()
            .set("topic", &query.topic)
            .opt("queue", query.queue.as_deref())
            .opt("limit", query.limit)
            .opt("offset", query.offset)
            .opt("key", query.key.as_deref())
            .opt("start_time", query.start_time)
            .opt("end_time", query.end_time)
            .opt("msg_id", query.msg_id.as_deref());
        self.send(Call::get("ListMessages", path).query(query))
            .await
    }

    /// `GET /v2/{engine}/{project_id}/instances/{instance_id}/trace`: the trace of one message (API reference §5.4.2; SDK `ListMessageTrace`).
    pub async fn list_message_trace(
        &self,
        instance_id: &str,
        query: &ListMessageTraceQuery,
    ) -> ApiResult<MessageTraceList> {
        let path = engine_instance(instance_id).lit("trace");
        let query = Query::new()
            .set("msg_id", &query.msg_id)
            .opt("limit", query.limit)
            .opt("offset", query.offset);
        self.send(Call::get("ListMessageTrace", path).query(query))
            .await
    }

    /// `POST /v2/{project_id}/instances/{instance_id}/messages/export`: export dead-letter messages, a read (API reference §5.4.3; no SDK operation in 3.1.219, the API reference's samples call it `ExportDlqMessage`).
    pub async fn export_dlq_messages(
        &self,
        instance_id: &str,
        body: &ExportDlqMessagesRequest,
    ) -> ApiResult<ExportedMessages> {
        let path = ApiPath::new("v2")
            .project()
            .lit("instances")
            .value(instance_id)
            .lit("messages/export");
        self.send(Call::post_read("ExportDlqMessage", path).json(body)?)
            .await
    }

    /// `POST /v2/{engine}/{project_id}/instances/{instance_id}/messages/deadletter-resend`: resend dead-letter messages (API reference §5.4.4; SDK `SendDlqMessage`).
    pub async fn resend_dlq_messages(
        &self,
        instance_id: &str,
        body: &DlqResendRequest,
    ) -> ApiResult<ResendResults> {
        let path = engine_instance(instance_id).lit("messages/deadletter-resend");
        self.send(Call::post("SendDlqMessage", path).json(body)?)
            .await
    }

    /// `POST /v2/{engine}/{project_id}/instances/{instance_id}/messages/resend`: push messages to one online consumer to verify it consumes them (API reference §5.4.5; SDK `ValidateConsumedMessage`).
    pub async fn verify_consumption(
        &self,
        instance_id: &str,
        body: &VerifyConsumptionRequest,
    ) -> ApiResult<ResendResults> {
        let path = engine_instance(instance_id).lit("messages/resend");
        self.send(Call::post("ValidateConsumedMessage", path).json(body)?)
            .await
    }

    /// `POST /v2/{engine}/{project_id}/instances/{instance_id}/messages`: produce a message (not in the API reference; SDK `SendMessage`).
    pub async fn send_message(
        &self,
        instance_id: &str,
        body: &SendMessageRequest,
    ) -> ApiResult<SentMessage> {
        let path = engine_instance(instance_id).lit("messages");
        self.send(Call::post("SendMessage", path).json(body)?).await
    }
}
