//! Invariants under parallel requests: exactly one owner, one acceptance.

use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{send, TestApp, User};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_parallel_ownership_changes_leave_exactly_one_owner() {
    let app = Arc::new(TestApp::start().await);
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Contested").await;
    let mut admins: Vec<User> = Vec::new();
    let mut members: Vec<User> = Vec::new();
    for i in 0..8 {
        let a = app.user(&format!("admin{i}@example.com"), "Admin").await;
        app.join(&owner, &org, &a, "admin").await;
        admins.push(a);
        let m = app.user(&format!("member{i}@example.com"), "Member").await;
        app.join(&owner, &org, &m, "member").await;
        members.push(m);
    }
    let everyone: Vec<User> =
        std::iter::once(owner.clone()).chain(admins.iter().cloned()).chain(members.iter().cloned()).collect();

    // 100 requests at once: transfers by whoever is owner now (the first owner
    // and, after a transfer, an admin), demotions and removals of everyone
    // including the owner, and leaves.
    let mut tasks = Vec::new();
    for i in 0..100usize {
        let app = app.clone();
        let actor = everyone[i % everyone.len()].clone();
        let target = everyone[(i * 7 + 3) % everyone.len()].clone();
        let org_id = org.id.clone();
        tasks.push(tokio::spawn(async move {
            let (method, path, body) = match i % 4 {
                0 => (Method::POST, format!("/v1/orgs/{org_id}/transfer"), Some(json!({"user_id": target.id}))),
                1 => {
                    (Method::PATCH, format!("/v1/orgs/{org_id}/members/{}", target.id), Some(json!({"role": "member"})))
                }
                2 => (Method::DELETE, format!("/v1/orgs/{org_id}/members/{}", target.id), None),
                _ => (Method::POST, format!("/v1/orgs/{org_id}/leave"), None),
            };
            let mut req = app.request(method, &path, Some(&actor.token));
            if let Some(b) = body {
                req = req.json(&b);
            }
            send(req).await.status
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert!(statuses.iter().all(|s| !s.is_server_error()), "no 5xx under contention: {statuses:?}");
    assert!(statuses.iter().any(|s| s.is_success()), "some changes went through");

    let owners: i64 =
        on_pool!(app, |p| sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND role = 'owner'")
            .bind(&org.id)
            .fetch_one(p)
            .await)
        .unwrap();
    assert_eq!(owners, 1, "exactly one owner after the storm");
    let disabled_owner: i64 = on_pool!(app, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND role = 'owner' AND status <> 'active'",
    )
    .bind(&org.id)
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(disabled_owner, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_parallel_accepts_of_one_invitation_succeed_once() {
    let app = Arc::new(TestApp::start().await);
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let dan = app.user("dan@example.com", "Dan").await;
    app.invite(&ada, &org, "dan@example.com", "member").await;
    let token = app.token_from_outbox("dan@example.com", "/invite/").await;
    // Twenty sessions of Dan, so no request shares a connection's luck.
    let mut sessions = vec![dan.token.clone()];
    for _ in 0..19 {
        let r = app
            .call(
                Method::POST,
                "/v1/auth/signin",
                None,
                Some(json!({"email": "dan@example.com", "password": crate::support::PASSWORD})),
            )
            .await;
        sessions.push(r.body["token"].as_str().unwrap().to_owned());
    }
    let mut tasks = Vec::new();
    for session in sessions {
        let app = app.clone();
        let path = format!("/v1/invitations/{token}/accept");
        tasks.push(tokio::spawn(async move { app.post(&session, &path, json!({})).await }));
    }
    let mut ok = 0;
    for t in tasks {
        let r = t.await.unwrap();
        match r.status {
            StatusCode::OK => ok += 1,
            _ => r.assert_problem(409, "invitation_not_pending"),
        }
    }
    assert_eq!(ok, 1, "exactly one acceptance");
    let members: i64 = on_pool!(app, |p| sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE org_id = $1")
        .bind(&org.id)
        .fetch_one(p)
        .await)
    .unwrap();
    assert_eq!(members, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_removals_across_orgs_revoke_each_key_once() {
    let app = Arc::new(TestApp::start().await);
    let owner = app.user("owner@example.com", "Owner").await;
    let leaver = app.user("leaver@example.com", "Leaver").await;
    let mut orgs = Vec::new();
    for name in ["Alpha", "Beta", "Gamma"] {
        let org = app.org(&owner, name).await;
        app.join(&owner, &org, &leaver, "admin").await;
        for key in ["one", "two"] {
            let r = app
                .post(
                    &leaver.token,
                    &format!("/v1/orgs/{}/api-keys", org.id),
                    json!({"name": key, "permissions": ["org:read"]}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        }
        orgs.push(org.id.clone());
    }
    // Ten identical removals at once, with and without revoking.
    let mut tasks = Vec::new();
    for i in 0..10 {
        let (app, token, orgs) = (app.clone(), owner.token.clone(), orgs.clone());
        tasks.push(tokio::spawn(async move {
            let body = json!({"email": "leaver@example.com", "org_ids": orgs, "revoke_api_keys": i % 3 != 0});
            app.post(&token, "/v1/me/people/remove", body).await
        }));
    }
    let mut removed = 0;
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        for result in r.body["results"].as_array().unwrap() {
            let outcome = result["outcome"].as_str().unwrap();
            assert!(outcome == "removed" || outcome == "not_a_member", "{}", r.text);
            removed += (outcome == "removed") as usize;
        }
    }
    assert_eq!(removed, 3, "one removal per org went through");
    // Each key was revoked at most once (one audit event each), and only by a removal that asked.
    for org in &orgs {
        let audit = app.get(&owner.token, &format!("/v1/orgs/{org}/audit?action=api_key.revoked")).await;
        let events = audit.body["items"].as_array().unwrap().len();
        let keys = app.get(&owner.token, &format!("/v1/orgs/{org}/api-keys")).await;
        let revoked = keys.body.as_array().unwrap().iter().filter(|k| !k["revoked_at"].is_null()).count();
        assert_eq!(events, revoked, "one audit event per revoked key in {org}");
        assert!(revoked == 0 || revoked == 2, "both keys or neither in {org}: {}", keys.text);
    }
}
