//! §5.5 ACL user operations over real HTTP against the mock DMS.

use dms_console::api::models::other::Paging;
use dms_console::api::models::users::{Permission, UserRequest};
use dms_console::secret::Secret;
use serde_json::json;

use crate::support::mock_dms::{MockDms, MockResponse};

const INSTANCE: &str = "11c45539-0000-4000-8000-812c41f61f30";

fn fixture(body: &str) -> MockResponse {
    MockResponse::raw(200, body)
}

fn seed_user_request() -> UserRequest {
    UserRequest {
        access_key: "user_name".into(),
        secret_key: Some(Secret::new("Abc-12345")),
        white_remote_address: Some(String::new()),
        admin: Some(false),
        default_topic_perm: Some("DENY".into()),
        default_group_perm: Some("DENY".into()),
        topic_perms: Some(vec![Permission::new("topic1", "PUB|SUB")]),
        group_perms: Some(vec![Permission::new("group1", "PUB|SUB")]),
    }
}

fn seed_user_body() -> serde_json::Value {
    json!({
        "access_key": "user_name",
        "secret_key": "Abc-12345",
        "white_remote_address": "",
        "admin": false,
        "default_topic_perm": "DENY",
        "default_group_perm": "DENY",
        "topic_perms": [{"name": "topic1", "perm": "PUB|SUB"}],
        "group_perms": [{"name": "group1", "perm": "PUB|SUB"}]
    })
}

#[tokio::test]
async fn create_user_posts_the_whole_user_and_never_shows_the_secret_in_debug_output() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.5.1-create-user.json"
    )));
    let request = seed_user_request();
    assert!(!format!("{request:?}").contains("Abc-12345"));
    let reply = mock.client().create_user(INSTANCE, &request).await.unwrap();
    assert_eq!(reply.access_key, "test_01");
    assert_eq!(reply.default_topic_perm, "SUB");
    assert_eq!(reply.default_group_perm, "DENY");
    assert_eq!(reply.secret_key, "*****");
    assert!(!reply.admin);
    mock.single().assert(
        "POST",
        &format!("/v2/{{project_id}}/instances/{INSTANCE}/users"),
        &[],
        Some(seed_user_body()),
    );
}

#[tokio::test]
async fn list_users_sends_offset_and_limit_and_decodes_the_page() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.5.2-list-users.json"
    )));
    let reply = mock
        .client()
        .list_users(INSTANCE, &Paging::new(10, 0))
        .await
        .unwrap();
    assert_eq!(reply.total, 1);
    assert_eq!(reply.users[0].access_key, "test_01");
    assert!(reply.users[0].topic_perms.is_empty());
    mock.single().assert(
        "GET",
        &format!("/v2/{{project_id}}/instances/{INSTANCE}/users"),
        &[("offset", "0"), ("limit", "10")],
        None,
    );
}

#[tokio::test]
async fn update_user_puts_only_the_fields_given_to_the_named_user() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.5.4-show-user.json"
    )));
    let request = UserRequest {
        access_key: "user_name".into(),
        secret_key: Some(Secret::new("")),
        default_topic_perm: Some("SUB".into()),
        topic_perms: Some(vec![]),
        ..Default::default()
    };
    let reply = mock
        .client()
        .update_user(INSTANCE, "user_name", &request)
        .await
        .unwrap();
    assert_eq!(reply.access_key, "test_01");
    assert_eq!(reply.default_topic_perm, "SUB");
    mock.single().assert(
        "PUT",
        &format!("/v2/{{project_id}}/instances/{INSTANCE}/users/user_name"),
        &[],
        Some(json!({
            "access_key": "user_name",
            "secret_key": "",
            "default_topic_perm": "SUB",
            "topic_perms": []
        })),
    );
}

#[tokio::test]
async fn show_user_reads_the_permission_spelling_of_the_seeds_table_too() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.5.4-show-user-permission-names.json"
    )));
    let reply = mock.client().show_user(INSTANCE, "test_01").await.unwrap();
    assert_eq!(reply.access_key, "test_01");
    assert_eq!(reply.default_topic_perm, "SUB");
    assert_eq!(reply.default_group_perm, "DENY");
    mock.single().assert(
        "GET",
        &format!("/v2/{{project_id}}/instances/{INSTANCE}/users/test_01"),
        &[],
        None,
    );
}

#[tokio::test]
async fn delete_user_accepts_an_empty_answer_and_a_message() {
    let mock = MockDms::start().await;
    mock.push(MockResponse::empty(204));
    let reply = mock
        .client()
        .delete_user(INSTANCE, "test_01")
        .await
        .unwrap();
    assert_eq!(reply.status, 204);
    assert_eq!(reply.message, "");
    mock.single().assert(
        "DELETE",
        &format!("/v2/{{project_id}}/instances/{INSTANCE}/users/test_01"),
        &[],
        None,
    );

    mock.clear();
    mock.push(MockResponse::json(200, json!({"message": "success"})));
    let reply = mock
        .client()
        .delete_user(INSTANCE, "test_01")
        .await
        .unwrap();
    assert_eq!(reply.message, "success");
}

#[tokio::test]
async fn a_dlq_topic_name_is_percent_encoded_in_the_access_policy_path() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.5.6-topic-access-policy.json"
    )));
    let reply = mock
        .client()
        .list_topic_access_policy(INSTANCE, "%DLQ%group1", &Paging::default())
        .await
        .unwrap();
    assert_eq!(reply.name, "test");
    assert_eq!(reply.total, 0);
    assert!(reply.policies.is_empty());
    mock.single().assert(
        "GET",
        &format!("/v2/{{project_id}}/instances/{INSTANCE}/topics/%25DLQ%25group1/accesspolicy"),
        &[],
        None,
    );
}

#[tokio::test]
async fn list_group_access_policy_uses_the_engine_path_and_wraps_a_lone_policy() {
    let mock = MockDms::start().await;
    mock.push(fixture(include_str!(
        "../fixtures/dms/5.5.7-group-access-policy.json"
    )));
    let reply = mock
        .client()
        .list_group_access_policy(INSTANCE, "group 1", &Paging::new(5, 10))
        .await
        .unwrap();
    assert_eq!(reply.total, 1);
    assert_eq!(reply.policies.len(), 1);
    assert_eq!(reply.policies[0].access_key, "test_01");
    assert_eq!(reply.policies[0].perm, "");
    mock.single().assert(
        "GET",
        &format!("/v2/rocketmq/{{project_id}}/instances/{INSTANCE}/groups/group%201/accesspolicy"),
        &[("offset", "10"), ("limit", "5")],
        None,
    );
}
