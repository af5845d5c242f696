//! The ACL users tab against the emulator: what ACL being off means, create with a secret
//! key shown once and never logged or audited, the permission matrix, delete, DMS refusals
//! next to the field, and what viewers see.

use dms_console::api::models::users::{Permission as Perm, UserRequest};
use dms_console::emulator::instances::{InitialState, InstanceSpec, create_instance_document};
use dms_console::secret::Secret;
use serde_json::json;

use crate::support::console::{TestApp, spawn_app};
use crate::support::emulator::PROJECT;

/// An app with a RUNNING 4.8.0 instance (ACL on when `acl`) and `role` signed in.
async fn app_as(role: &str, acl: bool) -> (TestApp, String) {
    let app = spawn_app().await;
    let doc = app
        .emulator
        .running
        .emulator
        .transact(PROJECT, |ctx| {
            let spec = InstanceSpec {
                initial: InitialState::Running,
                enable_acl: acl,
                ..InstanceSpec::new("orders-prod", "c6.4u8g.cluster")
            };
            create_instance_document(ctx, PROJECT, &spec)
        })
        .unwrap();
    let id = doc["instance_id"].as_str().unwrap().to_owned();
    app.login_as(role).await.assert_redirect("/instances");
    (app, id)
}

async fn existing_user(app: &TestApp, id: &str, name: &str) {
    app.emulator
        .client()
        .create_user(
            id,
            &UserRequest {
                access_key: name.into(),
                secret_key: Some(Secret::new("Existing-secret-9")),
                default_topic_perm: Some("SUB".into()),
                topic_perms: Some(vec![Perm::new("orders", "PUB")]),
                ..UserRequest::default()
            },
        )
        .await
        .unwrap();
}

fn audit_text(app: &TestApp) -> String {
    let db = app.audit_db();
    let mut statement = db
        .prepare("SELECT operation, target, params, outcome, detail FROM audit")
        .unwrap();
    statement
        .query_map([], |row| {
            Ok(format!(
                "{}|{}|{}|{}|{}",
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, Option<String>>(4)?.unwrap_or_default()
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn the_tab_says_what_acl_off_means_and_lists_each_user() {
    let (app, id) = app_as("viewer", false).await;
    existing_user(&app, &id, "app_reader").await;
    let page = app.get_page(&format!("/instances/{id}/users")).await;
    page.assert_status(200);
    assert!(
        page.text("#acl-off")
            .contains("take effect only once ACL is enabled")
    );
    let row = page.text("#user-table tr[data-user=app_reader]");
    assert!(row.contains("Subscribe"), "{row}");
    assert!(
        !page.has("#create-user") && !page.has("a.delete-user"),
        "a viewer changes nothing"
    );
    let csv = app
        .get_page(&format!("/instances/{id}/users?format=csv"))
        .await;
    assert!(csv.body.contains("app_reader,false,,SUB,DENY,orders=PUB,"));
    assert!(!csv.body.contains("Existing-secret-9") && !csv.body.contains("*****"));

    let (on, on_id) = app_as("admin", true).await;
    let page = on.get_page(&format!("/instances/{on_id}/users")).await;
    assert!(!page.has("#acl-off"));
    assert!(page.has("#create-user"));
    on.get_page(&format!("/instances/{on_id}/users/nobody99/edit"))
        .await
        .assert_status(404);
}

#[tokio::test]
async fn a_new_user_gets_a_secret_shown_once_and_never_logged_or_audited() {
    let (app, id) = app_as("admin", true).await;
    let form = format!("/instances/{id}/users/new");
    let short = app
        .submit(
            &form,
            &[
                ("access_key", "abc"),
                ("default_topic_perm", "DENY"),
                ("default_group_perm", "DENY"),
            ],
        )
        .await;
    short.assert_status(422);
    assert!(short.has("[data-field=access_key] .field-error"));
    let preview = app
        .post_form(
            &form,
            &[
                ("access_key", "app_writer"),
                ("default_topic_perm", "PUB"),
                ("default_group_perm", "DENY"),
                ("admin", "on"),
            ],
        )
        .await;
    preview.assert_status(200);
    assert!(preview.has("#change-preview"));
    assert!(
        !preview.has("input[name=secret_key]"),
        "no secret travels in the preview"
    );

    let op = app.op_id(&form).await;
    let fields = [
        ("access_key", "app_writer"),
        ("default_topic_perm", "PUB"),
        ("default_group_perm", "DENY"),
        ("white_remote_address", "10.0.0.*"),
        ("op", op.as_str()),
        ("step", "confirm"),
    ];
    let created = app.post_form(&form, &fields).await;
    created.assert_status(200);
    let secret = created.text("#secret-key");
    assert_eq!(secret.len(), 24, "{secret}");
    let user = app
        .emulator
        .client()
        .show_user(&id, "app_writer")
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            user.default_topic_perm.as_str(),
            user.white_remote_address.as_str()
        ),
        ("PUB", "10.0.0.*")
    );

    // Never again: not in the audit log, the list, the user's page, nor a second answer.
    let audit = audit_text(&app);
    assert!(audit.contains("CreateUser|"), "{audit}");
    assert!(!audit.contains(&secret));
    let list = app.get_page(&format!("/instances/{id}/users")).await;
    assert!(!list.body.contains(&secret));
    let edit = app
        .get_page(&format!("/instances/{id}/users/app_writer/edit"))
        .await;
    assert!(!edit.body.contains(&secret));
    let again = app.post_form(&form, &fields).await;
    again.assert_status(409);
    assert!(!again.body.contains(&secret));

    // A name DMS already has is refused next to the name.
    let twice = app
        .submit(
            &form,
            &[
                ("access_key", "app_writer"),
                ("default_topic_perm", "DENY"),
                ("default_group_perm", "DENY"),
            ],
        )
        .await;
    twice.assert_status(422);
    assert!(
        twice
            .text("[data-field=access_key] .field-error")
            .contains("DMS.00400800")
    );
}

#[tokio::test]
async fn the_matrix_sets_and_removes_permissions_per_topic_and_group() {
    let (app, id) = app_as("admin", true).await;
    existing_user(&app, &id, "app_reader").await;
    let path = format!("/instances/{id}/users/app_reader/edit");
    let page = app.get_page(&path).await;
    page.assert_status(200);
    assert_eq!(
        page.attr("input[name=tn-0]", "value").as_deref(),
        Some("orders")
    );
    assert!(page.has("input[name=tp-0][value=PUB][checked]"));
    assert!(
        page.has("input[name=tn-3]"),
        "blank rows to add permissions"
    );

    let mut fields = vec![
        ("white_remote_address", "192.168.0.*"),
        ("default_topic_perm", "DENY"),
        ("default_group_perm", "SUB"),
        ("tn-0", "orders"),
        ("tp-0", "PUB|SUB"),
        ("tn-1", "payments"),
        ("tp-1", "SUB"),
        ("gn-0", "GID_billing"),
        ("gp-0", "DENY"),
    ];
    let op = app.op_id(&path).await;
    let mut preview_fields = fields.clone();
    preview_fields.push(("op", &op));
    let preview = app.post_form(&path, &preview_fields).await;
    preview.assert_status(200);
    let changed = preview.texts("#change-preview tr.changed th");
    assert!(
        changed.contains(&"Topic permissions".to_owned()),
        "{changed:?}"
    );
    app.submit(&path, &fields)
        .await
        .assert_redirect(&format!("/instances/{id}/users"));
    let user = app
        .emulator
        .client()
        .show_user(&id, "app_reader")
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        user.topic_perms,
        [Perm::new("orders", "PUB|SUB"), Perm::new("payments", "SUB")]
    );
    assert_eq!(user.group_perms, [Perm::new("GID_billing", "DENY")]);
    assert_eq!(user.white_remote_address, "192.168.0.*");

    // "Its default" removes a row's own permission; a bad row is named where it is.
    fields[4] = ("tp-0", "");
    let bad = {
        let mut bad = fields.clone();
        bad.push(("tn-2", "no spaces allowed"));
        bad.push(("tp-2", "SUB"));
        bad
    };
    let refused = app.submit(&path, &bad).await;
    refused.assert_status(422);
    assert!(refused.has("#topic-matrix .field-error"));
    app.submit(&path, &fields)
        .await
        .assert_redirect(&format!("/instances/{id}/users"));
    let user = app
        .emulator
        .client()
        .show_user(&id, "app_reader")
        .await
        .unwrap()
        .into_inner();
    assert_eq!(user.topic_perms, [Perm::new("payments", "SUB")]);

    // A refusal that names a field is shown next to it.
    app.add_fault(json!({
        "operation": "UpdateUser", "count": 1, "status": 400,
        "error_code": "DMS.00400800", "error_msg": "white_remote_address is not a valid whitelist."
    }))
    .await;
    let refused = app.submit(&path, &fields).await;
    refused.assert_status(422);
    assert!(
        refused
            .text("[data-field=white_remote_address] .field-error")
            .contains("not a valid whitelist")
    );

    // The topic's page lists the user with what it may do there.
    let topic = app
        .get_page(&format!("/instances/{id}/topics/payments"))
        .await;
    assert_eq!(
        topic.status, 404,
        "no such topic yet: the user's permission names it ahead of time"
    );
}

#[tokio::test]
async fn deleting_a_user_needs_its_name_and_a_viewer_cannot() {
    let (app, id) = app_as("admin", true).await;
    existing_user(&app, &id, "app_reader").await;
    let path = format!("/instances/{id}/users/app_reader/delete");
    let page = app.get_page(&path).await;
    page.assert_status(200);
    assert_eq!(
        page.attr("input[data-confirm]", "data-confirm").as_deref(),
        Some("app_reader")
    );
    app.submit(&path, &[("confirm", "app_read")])
        .await
        .assert_status(422);
    app.submit(&path, &[("confirm", "app_reader")])
        .await
        .assert_redirect(&format!("/instances/{id}/users"));
    assert!(
        app.emulator
            .client()
            .show_user(&id, "app_reader")
            .await
            .is_err()
    );
    assert!(audit_text(&app).contains("DeleteUser|"));

    let viewer = app.new_browser();
    viewer
        .login_as("viewer")
        .await
        .assert_redirect("/instances");
    viewer
        .get_page(&format!("/instances/{id}/users/new"))
        .await
        .assert_status(403);
}
