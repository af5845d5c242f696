//! The emulator's ACL users and access policies (§5.5.1–§5.5.7) over real HTTP.

use dms_console::api::Method;
use serde_json::{Value, json};

use crate::support::calls::{Reply, assert_error};
use crate::support::seeded::Seeded;

async fn create_user(api: &Seeded, body: Value) -> Reply {
    api.call(Method::Post, &api.path("/users"), &[], Some(body))
        .await
}

#[tokio::test]
async fn a_user_is_created_listed_and_shown_with_its_secret_masked() {
    let api = Seeded::start("4.8.0", 1).await;
    let Reply { status, body: user, .. } = create_user(
        &api,
        json!({"access_key": "app_user-1", "secret_key": "S3cret_key!", "white_remote_address": "10.0.0.*",
               "default_topic_perm": "SUB", "topic_perms": [{"name": "pay%|orders", "perm": "PUB|SUB"}],
               "group_perms": [{"name": "grp%|billing", "perm": "SUB"}]}),
    )
    .await;
    assert_eq!(status, 200);
    let expected = json!({"access_key": "app_user-1", "secret_key": "*****", "white_remote_address": "10.0.0.*",
        "admin": false, "default_topic_perm": "SUB", "default_group_perm": "DENY",
        "topic_perms": [{"name": "pay%|orders", "perm": "PUB|SUB"}],
        "group_perms": [{"name": "grp%|billing", "perm": "SUB"}]});
    assert_eq!(user, expected);
    let shown = api
        .call(
            Method::Get,
            &api.path("/users/app_user-1"),
            &[("offset", "0"), ("limit", "10")],
            None,
        )
        .await
        .body;
    assert_eq!(shown, expected);

    assert_eq!(
        create_user(
            &api,
            json!({"access_key": "second_user", "secret_key": "Second_123", "admin": true})
        )
        .await
        .status,
        200
    );
    let Reply {
        status,
        body: listed,
        ..
    } = api
        .call(
            Method::Get,
            &api.path("/users"),
            &[("limit", "1"), ("offset", "1")],
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(listed["total"], 2);
    assert_eq!(listed["users"].as_array().unwrap().len(), 1);
    assert_eq!(
        (
            &listed["users"][0]["access_key"],
            &listed["users"][0]["admin"],
            &listed["users"][0]["secret_key"]
        ),
        (&json!("second_user"), &json!(true), &json!("*****"))
    );
    let too_big = api
        .call(Method::Get, &api.path("/users"), &[("limit", "51")], None)
        .await;
    assert_error(&too_big, 400, "DMS.10240042");
}

#[tokio::test]
async fn user_names_secrets_and_permissions_outside_the_rules_are_refused() {
    let api = Seeded::start("4.8.0", 1).await;
    let with = |name: &str, secret: &str| json!({"access_key": name, "secret_key": secret});
    assert_error(
        &create_user(&api, with("1app_user", "S3cret_key!")).await,
        400,
        "DMS.00400015",
    );
    assert_error(
        &create_user(&api, with("short", "S3cret_key!")).await,
        400,
        "DMS.00400015",
    );
    assert_error(
        &create_user(&api, with("app.user1", "S3cret_key!")).await,
        400,
        "DMS.00400015",
    );
    assert_error(
        &create_user(&api, with("app_user", "Sh0rt!")).await,
        400,
        "DMS.00400019",
    );
    assert_error(
        &create_user(&api, with("app_user", "onlylowercase")).await,
        400,
        "DMS.00400019",
    );
    assert_error(
        &create_user(&api, with("App_user1", "App_user1")).await,
        400,
        "DMS.00400019",
    );
    assert_error(
        &create_user(&api, with("App_user1", "1resu_ppA")).await,
        400,
        "DMS.00400019",
    );
    let weak = create_user(&api, with("app_user", "onlylowercase")).await;
    assert!(
        !weak.body["error_msg"]
            .as_str()
            .unwrap()
            .contains("onlylowercase"),
        "secrets are never echoed"
    );
    assert_error(
        &create_user(&api, json!({"access_key": "app_user"})).await,
        400,
        "DMS.00400005",
    );
    let mut bad_perm = with("app_user", "S3cret_key!");
    bad_perm["default_topic_perm"] = json!("ALL");
    assert_error(&create_user(&api, bad_perm).await, 400, "DMS.00400005");
    let mut bad_topic = with("app_user", "S3cret_key!");
    bad_topic["topic_perms"] = json!([{"name": "a#b", "perm": "PUB"}]);
    assert_error(&create_user(&api, bad_topic).await, 400, "DMS.10240007");
    let mut bad_group_perm = with("app_user", "S3cret_key!");
    bad_group_perm["group_perms"] = json!([{"name": "billing", "perm": "PUB"}]);
    assert_error(
        &create_user(&api, bad_group_perm).await,
        400,
        "DMS.00400005",
    );

    assert_eq!(
        create_user(&api, with("app_user", "S3cret_key!"))
            .await
            .status,
        200
    );
    assert_error(
        &create_user(&api, with("app_user", "Other_123")).await,
        400,
        "DMS.00400800",
    );
}

#[tokio::test]
async fn a_group_permission_of_pub_sub_is_kept_as_sub() {
    let api = Seeded::start("4.8.0", 1).await;
    let Reply { status, body: user, .. } = create_user(
        &api,
        json!({"access_key": "seed_example", "secret_key": "S3cret_key!", "default_group_perm": "PUB|SUB",
               "group_perms": [{"name": "group1", "perm": "PUB|SUB"}]}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (&user["default_group_perm"], &user["group_perms"]),
        (&json!("SUB"), &json!([{"name": "group1", "perm": "SUB"}]))
    );
}

#[tokio::test]
async fn modifying_a_user_replaces_given_fields_and_keeps_an_empty_secret() {
    let api = Seeded::start("4.8.0", 1).await;
    assert_eq!(
        create_user(
            &api,
            json!({"access_key": "mutable_user", "secret_key": "S3cret_key!", "topic_perms": [{"name": "old-topic", "perm": "PUB"}]})
        )
        .await
        .status,
        200
    );
    let path = api.path("/users/mutable_user");
    let Reply {
        status, body: user, ..
    } = api
        .call(
            Method::Put,
            &path,
            &[],
            Some(
                json!({"access_key": "mutable_user", "secret_key": "", "admin": true,
                        "topic_perms": [{"name": "new-topic", "perm": "SUB"}]}),
            ),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            &user["admin"],
            &user["topic_perms"],
            &user["secret_key"],
            &user["default_topic_perm"]
        ),
        (
            &json!(true),
            &json!([{"name": "new-topic", "perm": "SUB"}]),
            &json!("*****"),
            &json!("DENY")
        )
    );
    let stored = api
        .emulator
        .running
        .emulator
        .transact(crate::support::emulator::PROJECT, |ctx| {
            Ok(ctx
                .docs
                .get("user", &api.instance, "mutable_user")?
                .unwrap())
        })
        .unwrap();
    assert_eq!(
        stored["secret_key"], "S3cret_key!",
        "an empty secret keeps the old one"
    );

    let renamed = api
        .call(
            Method::Put,
            &path,
            &[],
            Some(json!({"access_key": "other_user"})),
        )
        .await;
    assert_error(&renamed, 400, "DMS.00400005");
    let weak = api
        .call(Method::Put, &path, &[], Some(json!({"secret_key": "weak"})))
        .await;
    assert_error(&weak, 400, "DMS.00400019");
    let unknown = api
        .call(
            Method::Put,
            &api.path("/users/nobody_here"),
            &[],
            Some(json!({"admin": false})),
        )
        .await;
    assert_error(&unknown, 404, "DMS.10240406");
}

#[tokio::test]
async fn deleting_a_user_answers_200_and_then_it_is_gone() {
    let api = Seeded::start("4.8.0", 1).await;
    assert_eq!(
        create_user(
            &api,
            json!({"access_key": "leaving_user", "secret_key": "S3cret_key!"})
        )
        .await
        .status,
        200
    );
    let path = api.path("/users/leaving_user");
    assert_eq!(
        api.call(Method::Delete, &path, &[], None).await,
        (200, json!({"message": "success"}))
    );
    assert_error(
        &api.call(Method::Get, &path, &[], None).await,
        404,
        "DMS.10240406",
    );
    assert_error(
        &api.call(Method::Delete, &path, &[], None).await,
        404,
        "DMS.10240406",
    );
    let malformed = api
        .call(Method::Get, &api.path("/users/x"), &[], None)
        .await;
    assert_error(&malformed, 400, "DMS.00400015");
}

#[tokio::test]
async fn access_policies_show_each_users_permission_on_a_topic_and_a_group() {
    let api = Seeded::start("4.8.0", 1).await;
    let topic = api
        .call(
            Method::Post,
            &api.path("/topics"),
            &[],
            Some(json!({"name": "pay%|orders"})),
        )
        .await;
    assert_eq!(topic.status, 200);
    let group = api
        .call(
            Method::Post,
            &api.path("/groups"),
            &[],
            Some(json!({"name": "grp%|billing"})),
        )
        .await;
    assert_eq!(group.status, 200);
    assert_eq!(
        create_user(
            &api,
            json!({"access_key": "alice_app", "secret_key": "S3cret_key!", "white_remote_address": "10.1.*",
                   "topic_perms": [{"name": "pay%|orders", "perm": "PUB|SUB"}],
                   "group_perms": [{"name": "grp%|billing", "perm": "SUB"}]})
        )
        .await
        .status,
        200
    );
    assert_eq!(
        create_user(
            &api,
            json!({"access_key": "bob_app", "secret_key": "S3cret_key!", "admin": true})
        )
        .await
        .status,
        200
    );

    let Reply {
        status,
        body: topic_policy,
        ..
    } = api
        .call(
            Method::Get,
            &api.path("/topics/pay%|orders/accesspolicy"),
            &[],
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        topic_policy,
        json!({"name": "pay%|orders", "total": 2, "policies": [
            {"access_key": "alice_app", "white_remote_address": "10.1.*", "admin": false, "perm": "PUB|SUB"},
            {"access_key": "bob_app", "white_remote_address": "", "admin": true, "perm": ""}]})
    );

    let engine_first = format!(
        "/v2/reliability/{{project_id}}/instances/{}/groups/grp%|billing/accesspolicy",
        api.instance
    );
    let sdk_twin = format!(
        "/v2/{{project_id}}/rocketmq/instances/{}/groups/grp%|billing/accesspolicy",
        api.instance
    );
    for path in [engine_first, sdk_twin] {
        let Reply {
            status,
            body: group_policy,
            ..
        } = api.call(Method::Get, &path, &[("limit", "1")], None).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(
            (
                &group_policy["name"],
                &group_policy["total"],
                &group_policy["policies"]
            ),
            (
                &json!("grp%|billing"),
                &json!(2),
                &json!([{"access_key": "alice_app", "white_remote_address": "10.1.*", "admin": false, "perm": "SUB"}])
            )
        );
    }

    let no_topic = api
        .call(
            Method::Get,
            &api.path("/topics/ghost-topic/accesspolicy"),
            &[],
            None,
        )
        .await;
    assert_error(&no_topic, 400, "DMS.00400876");
    let no_group = api
        .call(
            Method::Get,
            &format!(
                "/v2/rocketmq/{{project_id}}/instances/{}/groups/ghost-group/accesspolicy",
                api.instance
            ),
            &[],
            None,
        )
        .await;
    assert_error(&no_group, 404, "DMS.10240405");
    let bad_limit = api
        .call(
            Method::Get,
            &api.path("/topics/pay%|orders/accesspolicy"),
            &[("limit", "0")],
            None,
        )
        .await;
    assert_error(&bad_limit, 400, "DMS.10240042");
}
