//! Organization API keys: created once with a subset of the creator's
//! permissions, stored hashed, accepted on their own org's endpoints only.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{TestApp, User};

async fn create_key(app: &TestApp, who: &User, org: &str, permissions: &[&str]) -> (String, String) {
    let r = app
        .post(&who.token, &format!("/v1/orgs/{org}/api-keys"), json!({"name": "CI", "permissions": permissions}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    (r.body["id"].as_str().unwrap().to_owned(), r.body["secret"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_key_is_shown_once_stored_hashed_and_scoped() {
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let r = app
        .post(
            &owner.token,
            &format!("/v1/orgs/{}/api-keys", org.id),
            json!({"name": "Sync", "permissions": ["members:read", "org:read"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let secret = r.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("odk_") && secret.len() >= 4 + 43, "≥ 256 bits: {secret}");
    assert!(secret.starts_with(r.body["prefix"].as_str().unwrap()), "the prefix is the key's visible start");

    let list = app.get(&owner.token, &format!("/v1/orgs/{}/api-keys", org.id)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    assert!(!list.text.contains(&secret), "a list never shows the key");
    let stored: Vec<String> =
        on_pool!(app, |p| sqlx::query_scalar("SELECT key_hash FROM api_keys").fetch_all(p).await.unwrap());
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&secret[4..]), "only a hash is at rest");

    // Within scope: reads members, by id and by slug.
    for org_ref in [&org.id, &org.slug] {
        let r = app.get(&secret, &format!("/v1/orgs/{org_ref}/members")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    // Out of scope: inviting needs members:invite.
    let r = app
        .post(
            &secret,
            &format!("/v1/orgs/{}/invitations", org.id),
            json!({"emails": ["x@example.com"], "role": "member"}),
        )
        .await;
    r.assert_problem(403, "forbidden");
    // Never /v1/me, the org list or account endpoints.
    for path in ["/v1/me", "/v1/me/sessions", "/v1/orgs", "/v1/me/invitations"] {
        let r = app.get(&secret, path).await;
        r.assert_problem(403, "forbidden");
    }
    let r = app.post(&secret, &format!("/v1/orgs/{}/leave", org.id), json!({})).await;
    r.assert_problem(403, "forbidden");
    // The last use is recorded (throttled to one write a minute).
    let list = app.get(&owner.token, &format!("/v1/orgs/{}/api-keys", org.id)).await;
    assert!(list.body[0]["last_used_at"].is_string(), "{}", list.text);
}

#[tokio::test]
async fn the_escalation_rule_bounds_a_keys_scope() {
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let admin = app.member(&owner, &org, "admin@example.com", "admin").await;
    let path = format!("/v1/orgs/{}/api-keys", org.id);
    let r = app.post(&admin.token, &path, json!({"name": "Too much", "permissions": ["org:delete"]})).await;
    r.assert_problem(403, "role_escalation");
    let r = app.post(&admin.token, &path, json!({"name": "Apps", "permissions": ["app:tickets"]})).await;
    r.assert_problem(403, "role_escalation");
    let r = app.post(&admin.token, &path, json!({"name": "", "permissions": ["org:read"]})).await;
    r.assert_problem(422, "validation_failed");
    let r = app.post(&admin.token, &path, json!({"name": "Typo", "permissions": ["org:reed"]})).await;
    r.assert_problem(422, "validation_failed");
    let r = app
        .post(
            &admin.token,
            &path,
            json!({"name": "Past", "permissions": ["org:read"], "expires_at": "2001-01-01T00:00:00Z"}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    let member = app.member(&owner, &org, "member@example.com", "member").await;
    let r = app.post(&member.token, &path, json!({"name": "Mine", "permissions": ["org:read"]})).await;
    r.assert_problem(403, "forbidden");
    // A key that manages keys makes keys within its own scope only.
    let (_, manager) = create_key(&app, &admin, &org.id, &["api_keys:manage", "members:read"]).await;
    let r = app.post(&manager, &path, json!({"name": "Wider", "permissions": ["members:remove"]})).await;
    r.assert_problem(403, "role_escalation");
    let r = app.post(&manager, &path, json!({"name": "Narrower", "permissions": ["members:read"]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["created_by"], admin.id.as_str(), "a key made by a key belongs to the same person");
}

#[tokio::test]
async fn revoked_expired_and_foreign_keys_are_refused() {
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let other = app.org(&owner, "Other").await;
    let (id, secret) = create_key(&app, &owner, &org.id, &["org:read", "members:read"]).await;

    // Another org of the same owner: not found, like a non-member.
    for org_ref in [&other.id, &other.slug] {
        let r = app.get(&secret, &format!("/v1/orgs/{org_ref}/members")).await;
        r.assert_problem(404, "not_found");
    }
    let r = app.get("odk_not-a-key", &format!("/v1/orgs/{}", org.id)).await;
    r.assert_problem(401, "unauthenticated");

    let r = app.delete(&owner.token, &format!("/v1/orgs/{}/api-keys/{id}", org.id)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let r = app.get(&secret, &format!("/v1/orgs/{}", org.id)).await;
    r.assert_problem(401, "unauthenticated");
    let r = app.delete(&owner.token, &format!("/v1/orgs/{}/api-keys/{id}", org.id)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "revoking twice answers the same");
    let r = app.delete(&owner.token, &format!("/v1/orgs/{}/api-keys/{id}", other.id)).await;
    r.assert_problem(404, "not_found");

    let (soon, secret) = create_key(&app, &owner, &org.id, &["org:read"]).await;
    app.sql("UPDATE api_keys SET expires_at = 1 WHERE id = $1", &[&soon]).await;
    let r = app.get(&secret, &format!("/v1/orgs/{}", org.id)).await;
    r.assert_problem(401, "unauthenticated");
}

#[tokio::test]
async fn a_key_acts_as_itself_in_the_audit_log() {
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let bob = app.member(&owner, &org, "bob@example.com", "member").await;
    let (id, secret) =
        create_key(&app, &owner, &org.id, &["org:read", "members:read", "members:update", "audit:read"]).await;
    let r = app.patch(&secret, &format!("/v1/orgs/{}/members/{}", org.id, bob.id), json!({"role": "viewer"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let audit = app.get(&owner.token, &format!("/v1/orgs/{}/audit?action=member.role_changed", org.id)).await;
    assert_eq!(audit.body["items"][0]["actor_name"], "API key CI", "{}", audit.text);
    assert_eq!(audit.body["items"][0]["actor_id"], id.as_str());
    let created = app.get(&owner.token, &format!("/v1/orgs/{}/audit?action=api_key.created", org.id)).await;
    assert_eq!(created.body["items"][0]["actor_name"], "Owner", "{}", created.text);
}

#[tokio::test]
async fn removing_or_disabling_a_member_can_revoke_their_keys() {
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let ann = app.member(&owner, &org, "ann@example.com", "admin").await;
    let bob = app.member(&owner, &org, "bob@example.com", "admin").await;
    let (_, ann_key) = create_key(&app, &ann, &org.id, &["org:read"]).await;
    let (_, bob_key) = create_key(&app, &bob, &org.id, &["org:read"]).await;
    let (_, owner_key) = create_key(&app, &owner, &org.id, &["org:read"]).await;

    let mine = app.get(&owner.token, &format!("/v1/orgs/{}/api-keys?created_by={}", org.id, ann.id)).await;
    assert_eq!(mine.body.as_array().unwrap().len(), 1, "the keys Ann created: {}", mine.text);

    // Disabling without the flag leaves Ann's key working.
    let member = format!("/v1/orgs/{}/members/{}", org.id, ann.id);
    let r = app.patch(&owner.token, &member, json!({"status": "disabled"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(app.get(&ann_key, &format!("/v1/orgs/{}", org.id)).await.status, StatusCode::OK);
    let r = app.patch(&owner.token, &format!("{member}?revoke_api_keys=true"), json!({"role": "viewer"})).await;
    r.assert_problem(422, "validation_failed");
    let r = app.patch(&owner.token, &format!("{member}?revoke_api_keys=true"), json!({"status": "disabled"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.get(&ann_key, &format!("/v1/orgs/{}", org.id)).await.assert_problem(401, "unauthenticated");

    let r = app
        .call(
            Method::DELETE,
            &format!("/v1/orgs/{}/members/{}?revoke_api_keys=true", org.id, bob.id),
            Some(&owner.token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    app.get(&bob_key, &format!("/v1/orgs/{}", org.id)).await.assert_problem(401, "unauthenticated");
    assert_eq!(app.get(&owner_key, &format!("/v1/orgs/{}", org.id)).await.status, StatusCode::OK, "others' keys stay");
    let revoked = app.get(&owner.token, &format!("/v1/orgs/{}/audit?action=api_key.revoked", org.id)).await;
    assert_eq!(revoked.body["items"].as_array().unwrap().len(), 2, "{}", revoked.text);
}

#[tokio::test]
async fn a_bulk_removal_can_revoke_the_keys_too() {
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let ann = app.member(&owner, &org, "ann@example.com", "admin").await;
    let bob = app.member(&owner, &org, "bob@example.com", "admin").await;
    let (_, ann_key) = create_key(&app, &ann, &org.id, &["org:read"]).await;
    let (_, bob_key) = create_key(&app, &bob, &org.id, &["org:read"]).await;
    let bulk = format!("/v1/orgs/{}/members/bulk", org.id);
    let r = app
        .post(
            &owner.token,
            &format!("{bulk}?revoke_api_keys=true"),
            json!({"user_ids": [ann.id], "change": {"kind": "role", "role": "viewer"}}),
        )
        .await;
    r.assert_problem(422, "validation_failed");
    let r = app
        .post(
            &owner.token,
            &format!("{bulk}?revoke_api_keys=true"),
            json!({"user_ids": [ann.id], "change": {"kind": "status", "status": "disabled"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.get(&ann_key, &format!("/v1/orgs/{}", org.id)).await.assert_problem(401, "unauthenticated");
    let r = app.post(&owner.token, &bulk, json!({"user_ids": [bob.id], "change": {"kind": "remove"}})).await;
    assert_eq!(r.body["results"][0]["outcome"], "removed", "{}", r.text);
    assert_eq!(
        app.get(&bob_key, &format!("/v1/orgs/{}", org.id)).await.status,
        StatusCode::OK,
        "without the flag the key stays"
    );
}
