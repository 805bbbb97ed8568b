use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn catalog_and_builtin_roles() {
    let app = TestApp::start().await;
    let catalog = app.call(Method::GET, "/v1/permissions", None, None).await;
    let keys: Vec<&str> = catalog.body.as_array().unwrap().iter().map(|p| p["key"].as_str().unwrap()).collect();
    assert_eq!(keys.len(), 18);
    assert!(keys.contains(&"billing:manage"));

    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let roles = app.get(&ada.token, &format!("/v1/orgs/{}/roles", org.id)).await;
    let list = roles.body.as_array().unwrap();
    let names: Vec<&str> = list.iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(names, ["owner", "admin", "member", "billing", "viewer"]);
    let viewer = &list[4];
    assert_eq!(viewer["permissions"], json!(["audit:read", "members:read", "org:read"]));
    assert_eq!(list[0]["member_count"], 1);
}

#[tokio::test]
async fn custom_roles_lifecycle() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let roles = format!("/v1/orgs/{}/roles", org.id);
    let created = app
        .post(
            &ada.token,
            &roles,
            json!({"key": "agent", "name": "Agent", "permissions": ["org:read", "members:read", "app:tickets.reply"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.body["builtin"], false);
    app.post(&ada.token, &roles, json!({"key": "agent", "name": "Again", "permissions": []}))
        .await
        .assert_problem(409, "role_exists");
    app.post(&ada.token, &roles, json!({"key": "admin", "name": "Mine", "permissions": []}))
        .await
        .assert_problem(422, "validation_failed");
    let bad =
        app.post(&ada.token, &roles, json!({"key": "x-role", "name": "X", "permissions": ["members:write"]})).await;
    bad.assert_problem(422, "validation_failed");
    assert_eq!(bad.body["errors"][0]["field"], "permissions");

    let renamed = app
        .patch(
            &ada.token,
            &format!("{roles}/agent"),
            json!({"name": "Support agent", "permissions": ["org:read", "members:read", "audit:read"]}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
    assert_eq!(renamed.body["name"], "Support agent");
    assert_eq!(renamed.body["permissions"], json!(["audit:read", "members:read", "org:read"]));
    app.patch(&ada.token, &format!("{roles}/admin"), json!({"name": "Boss"}))
        .await
        .assert_problem(422, "validation_failed");

    // A member holding the role sees its permissions, and blocks deletion.
    let bob = app.member(&ada, &org, "bob@example.com", "agent").await;
    let perms = app.get(&bob.token, &format!("/v1/orgs/{}/permissions", org.id)).await;
    assert_eq!(perms.body["permissions"], json!(["audit:read", "members:read", "org:read"]));
    app.delete(&ada.token, &format!("{roles}/agent")).await.assert_problem(409, "role_in_use");
    let moved =
        app.patch(&ada.token, &format!("/v1/orgs/{}/members/{}", org.id, bob.id), json!({"role": "member"})).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text);
    let deleted = app.delete(&ada.token, &format!("{roles}/agent")).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
    app.delete(&ada.token, &format!("{roles}/agent")).await.assert_problem(404, "not_found");
}

#[tokio::test]
async fn pending_invitations_hold_their_role() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let roles = format!("/v1/orgs/{}/roles", org.id);
    app.post(&ada.token, &roles, json!({"key": "agent", "name": "Agent", "permissions": ["org:read"]})).await;
    app.invite(&ada, &org, "new@example.com", "agent").await;
    app.delete(&ada.token, &format!("{roles}/agent")).await.assert_problem(409, "role_in_use");
}

#[tokio::test]
async fn nobody_creates_or_edits_a_role_above_their_own() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let admin = app.member(&ada, &org, "admin@example.com", "admin").await;
    let roles = format!("/v1/orgs/{}/roles", org.id);
    app.post(&admin.token, &roles, json!({"key": "payer", "name": "Payer", "permissions": ["billing:manage"]}))
        .await
        .assert_problem(403, "role_escalation");
    app.post(&ada.token, &roles, json!({"key": "payer", "name": "Payer", "permissions": ["billing:manage"]})).await;
    app.patch(&admin.token, &format!("{roles}/payer"), json!({"name": "Renamed"}))
        .await
        .assert_problem(403, "role_escalation");
    app.delete(&admin.token, &format!("{roles}/payer")).await.assert_problem(403, "role_escalation");
    let mine =
        app.post(&admin.token, &roles, json!({"key": "helper", "name": "Helper", "permissions": ["org:read"]})).await;
    assert_eq!(mine.status, StatusCode::CREATED);
    app.patch(&admin.token, &format!("{roles}/helper"), json!({"permissions": ["org:read", "org:delete"]}))
        .await
        .assert_problem(403, "role_escalation");
}
