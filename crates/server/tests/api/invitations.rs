use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{send, TestApp, PASSWORD};

#[tokio::test]
async fn bulk_invite_answers_per_email() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    app.member(&ada, &org, "bob@example.com", "member").await;
    app.invite(&ada, &org, "carol@example.com", "member").await;
    let path = format!("/v1/orgs/{}/invitations", org.id);
    let r = app
        .post(&ada.token, &path, json!({"emails": ["dan@example.com", "BOB@example.com", "not an email", "carol@example.com", "Dan@Example.com"], "role": "viewer"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let outcomes: Vec<&str> =
        r.body["results"].as_array().unwrap().iter().map(|x| x["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["invited", "already_member", "invalid", "already_invited", "already_invited"]);
    assert!(r.body["results"][2]["message"].as_str().unwrap().contains("not an email address"));
    let link = r.body["results"][0]["invitation"]["link"].as_str().unwrap();
    assert!(link.starts_with(&format!("{}/invite/odi_", app.base)));
    app.post(&ada.token, &path, json!({"emails": [], "role": "member"})).await.assert_problem(422, "validation_failed");
    app.post(&ada.token, &path, json!({"emails": ["x@example.com"], "role": "owner"}))
        .await
        .assert_problem(409, "owner_protected");
}

#[tokio::test]
async fn idempotency_key_replays_the_first_answer() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let path = format!("/v1/orgs/{}/invitations", org.id);
    let body = json!({"emails": ["dan@example.com", "eve@example.com"], "role": "member"});
    let first =
        send(app.request(Method::POST, &path, Some(&ada.token)).header("idempotency-key", "k-1").json(&body)).await;
    let second =
        send(app.request(Method::POST, &path, Some(&ada.token)).header("idempotency-key", "k-1").json(&body)).await;
    assert_eq!(first.status, StatusCode::CREATED);
    // The same answer, without the one-time links (no secret is stored to replay them).
    let mut without_links = first.body.clone();
    for result in without_links["results"].as_array_mut().unwrap() {
        result["invitation"]["link"] = serde_json::Value::Null;
    }
    assert_eq!(without_links, second.body, "the retry gets the same answer");
    assert_eq!(second.body["results"][0]["outcome"], "invited");
    let pending = app.get(&ada.token, &path).await;
    assert_eq!(pending.body["items"].as_array().unwrap().len(), 2, "nothing created twice");
    let emails = app.call(Method::GET, "/v1/dev/outbox?to=dan@example.com", None, None).await;
    assert_eq!(emails.body.as_array().unwrap().len(), 1, "one email, not two");
}

#[tokio::test]
async fn pending_list_resend_and_cancel() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let bob = app.member(&ada, &org, "bob@example.com", "member").await;
    let first = app.invite(&ada, &org, "dan@example.com", "member").await;
    let second = app.invite(&ada, &org, "eve@example.com", "viewer").await;
    let path = format!("/v1/orgs/{}/invitations", org.id);
    app.get(&bob.token, &path).await.assert_problem(403, "forbidden");

    // Shorter lifetime for eve: soonest expiry first.
    app.sql("UPDATE invitations SET expires_at = expires_at - 86400000 WHERE id = $1", &[&second]).await;
    let list = app.get(&ada.token, &path).await;
    let ids: Vec<&str> = list.body["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [second.as_str(), first.as_str()]);

    let old_token = app.token_from_outbox("dan@example.com", "/invite/").await;
    let resent = app.post(&ada.token, &format!("{path}/{first}/resend"), json!({})).await;
    assert_eq!(resent.status, StatusCode::OK, "{}", resent.text);
    assert_eq!(resent.body["send_count"], 2);
    let new_token = app.token_from_outbox("dan@example.com", "/invite/").await;
    assert_ne!(old_token, new_token, "resend rotates the token");
    app.call(Method::GET, &format!("/v1/invitations/{old_token}"), None, None).await.assert_problem(404, "not_found");
    assert_eq!(app.call(Method::GET, &format!("/v1/invitations/{new_token}"), None, None).await.status, StatusCode::OK);

    assert_eq!(app.delete(&ada.token, &format!("{path}/{first}")).await.status, StatusCode::NO_CONTENT);
    app.delete(&ada.token, &format!("{path}/{first}")).await.assert_problem(409, "invitation_not_pending");
    let dan = app.user("dan@example.com", "Dan").await;
    app.post(&dan.token, &format!("/v1/invitations/{new_token}/accept"), json!({}))
        .await
        .assert_problem(409, "invitation_not_pending");
}

#[tokio::test]
async fn preview_shows_only_what_the_link_holder_needs() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    app.invite(&ada, &org, "dan@example.com", "viewer").await;
    let token = app.token_from_outbox("dan@example.com", "/invite/").await;
    let r = app.call(Method::GET, &format!("/v1/invitations/{token}"), None, None).await;
    let keys: Vec<&String> = r.body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["email", "expires_at", "inviter_name", "org_name", "role", "role_name", "status"]);
    assert_eq!(r.body["org_name"], "Acme");
    assert_eq!(r.body["inviter_name"], "Ada");
}

#[tokio::test]
async fn accept_needs_the_matching_verified_email_and_happens_once() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    app.invite(&ada, &org, "Dan@Example.com", "viewer").await;
    let token = app.token_from_outbox("Dan@Example.com", "/invite/").await;
    let accept = format!("/v1/invitations/{token}/accept");

    let eve = app.user("eve@example.com", "Eve").await;
    app.post(&eve.token, &accept, json!({})).await.assert_problem(403, "invitation_email_mismatch");
    let dan = app.unverified_user("dan@example.com", "Dan").await;
    app.post(&dan.token, &accept, json!({})).await.assert_problem(403, "email_not_verified");
    let verify = app.token_from_outbox("dan@example.com", "/verify/").await;
    app.call(Method::POST, "/v1/auth/verify-email", None, Some(json!({"token": verify}))).await;

    let r = app.post(&dan.token, &accept, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["role"], "viewer");
    assert_eq!(app.get(&dan.token, &format!("/v1/orgs/{}/permissions", org.id)).await.body["role"], "viewer");
    app.post(&dan.token, &accept, json!({})).await.assert_problem(409, "invitation_not_pending");
}

#[tokio::test]
async fn expired_invitations_cannot_be_accepted_but_can_be_resent() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let id = app.invite(&ada, &org, "dan@example.com", "member").await;
    let dan = app.user("dan@example.com", "Dan").await;
    let token = app.token_from_outbox("dan@example.com", "/invite/").await;
    let hour_ago = (orgdesk_server::time::now_ms() - orgdesk_server::time::HOUR).to_string();
    app.sql("UPDATE invitations SET expires_at = CAST($2 AS BIGINT) WHERE id = $1", &[&id, &hour_ago]).await;
    app.post(&dan.token, &format!("/v1/invitations/{token}/accept"), json!({}))
        .await
        .assert_problem(410, "invitation_expired");
    let preview = app.call(Method::GET, &format!("/v1/invitations/{token}"), None, None).await;
    assert_eq!(preview.body["status"], "expired");
    // Not pending any more, but still listed where asked, to be resent.
    let list = |status: &str| {
        let path = format!("/v1/orgs/{}/invitations{status}", org.id);
        let token = ada.token.clone();
        let app = &app;
        async move { app.get(&token, &path).await.body["items"].as_array().unwrap().clone() }
    };
    assert!(list("").await.is_empty(), "the default list is pending ones only");
    assert!(list("?status=pending").await.is_empty());
    let expired = list("?status=expired").await;
    assert_eq!((expired.len(), &expired[0]["status"]), (1, &json!("expired")));
    assert_eq!(list("?status=open").await.len(), 1);
    let managed = app.get(&ada.token, "/v1/me/managed-invitations").await;
    assert_eq!(managed.body[0]["invitation"]["status"], "expired", "{}", managed.body);
    app.get(&ada.token, &format!("/v1/orgs/{}/invitations?status=bogus", org.id))
        .await
        .assert_problem(400, "validation_failed");
    // Resending renews it: pending again, with a new link.
    let resent = app.post(&ada.token, &format!("/v1/orgs/{}/invitations/{id}/resend", org.id), json!({})).await;
    assert_eq!(resent.body["status"], "pending", "{}", resent.text);
    assert_eq!(list("").await.len(), 1);
    assert!(list("?status=expired").await.is_empty());
    app.sql("UPDATE invitations SET expires_at = CAST($2 AS BIGINT) WHERE id = $1", &[&id, &hour_ago]).await;
    // Inviting again replaces the expired invitation.
    let again = app
        .post(
            &ada.token,
            &format!("/v1/orgs/{}/invitations", org.id),
            json!({"emails": ["dan@example.com"], "role": "member"}),
        )
        .await;
    assert_eq!(again.body["results"][0]["outcome"], "invited", "{}", again.text);
    assert!(list("?status=expired").await.is_empty(), "the replaced one is history, not open");
}

#[tokio::test]
async fn decline_and_my_invitations() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let acme = app.org(&ada, "Acme").await;
    let beta = app.org(&ada, "Beta").await;
    let dan = app.user("dan@example.com", "Dan").await;
    app.invite(&ada, &acme, "dan@example.com", "member").await;
    let acme_token = app.token_from_outbox("dan@example.com", "/invite/").await;
    let beta_id = app.invite(&ada, &beta, "dan@example.com", "viewer").await;
    let mine = app.get(&dan.token, "/v1/me/invitations").await;
    assert_eq!(mine.body.as_array().unwrap().len(), 2);

    let declined = app.call(Method::POST, &format!("/v1/invitations/{acme_token}/decline"), None, None).await;
    assert_eq!(declined.status, StatusCode::NO_CONTENT);
    let r = app.post(&dan.token, &format!("/v1/me/invitations/{beta_id}/accept"), json!({})).await;
    assert_eq!(r.body["role"], "viewer");
    assert!(app.get(&dan.token, "/v1/me/invitations").await.body.as_array().unwrap().is_empty());
    // Someone else cannot answer Dan's invitation by id.
    let eve = app.user("eve@example.com", "Eve").await;
    let third = app.invite(&ada, &acme, "dan@example.com", "member").await;
    app.post(&eve.token, &format!("/v1/me/invitations/{third}/accept"), json!({}))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn sign_up_through_an_invitation_joins_at_once() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let dan = app.member(&ada, &org, "dan@example.com", "viewer").await;
    let me = app.get(&dan.token, "/v1/me").await;
    assert_eq!(me.body["email"], "dan@example.com");
    assert_eq!(me.body["email_verified"], true, "holding the emailed token proves the address");
    assert_eq!(app.get(&dan.token, &format!("/v1/orgs/{}/permissions", org.id)).await.body["role"], "viewer");
    // The token is used up.
    let token = app.token_from_outbox("dan@example.com", "/invite/").await;
    let again = app
        .call(
            Method::POST,
            &format!("/v1/invitations/{token}/signup"),
            None,
            Some(json!({"name": "Dan", "password": PASSWORD})),
        )
        .await;
    again.assert_problem(409, "invitation_not_pending");
}

#[tokio::test]
async fn sending_is_rate_limited_per_org() {
    let limits = orgdesk_server::Limits { invitations_per_org: 3, bulk_invites_per_org: 1, ..Default::default() };
    let app = TestApp::start_with(limits).await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let path = format!("/v1/orgs/{}/invitations", org.id);
    let bulk =
        app.post(&ada.token, &path, json!({"emails": ["a1@example.com", "a2@example.com"], "role": "member"})).await;
    assert_eq!(bulk.status, StatusCode::CREATED);
    app.post(&ada.token, &path, json!({"emails": ["a3@example.com", "a4@example.com"], "role": "member"}))
        .await
        .assert_problem(429, "rate_limited");
    assert_eq!(
        app.post(&ada.token, &path, json!({"emails": ["a3@example.com"], "role": "member"})).await.status,
        StatusCode::CREATED
    );
    let over = app.post(&ada.token, &path, json!({"emails": ["a4@example.com"], "role": "member"})).await;
    over.assert_problem(429, "rate_limited");
    assert!(over.header("retry-after").is_some());
    // Another org is not affected.
    let other = app.org(&ada, "Beta").await;
    assert_eq!(
        app.post(
            &ada.token,
            &format!("/v1/orgs/{}/invitations", other.id),
            json!({"emails": ["a4@example.com"], "role": "member"})
        )
        .await
        .status,
        StatusCode::CREATED
    );
}

/// A bulk invitation past one statement's chunk (250) keeps one result per
/// address in the order given, with members, duplicates and already invited
/// addresses mixed in.
#[tokio::test]
async fn a_large_bulk_invitation_answers_every_address_in_order() {
    let limits = orgdesk_server::Limits {
        invitation_emails_per_call: 1000,
        invitations_per_org: 10_000,
        invitations_per_user: 10_000,
        ..orgdesk_server::Limits::default()
    };
    let app = TestApp::start_with(limits).await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let dan = app.user("dan@example.com", "Dan").await;
    app.join(&ada, &org, &dan, "member").await;
    app.invite(&ada, &org, "early@example.com", "member").await;
    let mut emails: Vec<String> = (0..600).map(|i| format!("p{i}@example.com")).collect();
    emails.insert(300, "DAN@example.com".into());
    emails.insert(10, "early@example.com".into());
    emails.push("p5@example.com".into());
    emails.push("not an email".into());
    let r = app
        .post(&ada.token, &format!("/v1/orgs/{}/invitations", org.id), json!({"emails": emails, "role": "member"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let results = r.body["results"].as_array().unwrap();
    assert_eq!(results.len(), emails.len());
    for (sent, got) in emails.iter().zip(results) {
        assert_eq!(got["email"].as_str().unwrap(), sent.trim(), "results keep the order given");
    }
    let outcome = |email: &str| {
        let at = emails.iter().position(|e| e == email).unwrap();
        results[at]["outcome"].as_str().unwrap().to_owned()
    };
    assert_eq!(outcome("DAN@example.com"), "already_member");
    assert_eq!(outcome("early@example.com"), "already_invited");
    assert_eq!(outcome("p599@example.com"), "invited");
    assert_eq!(outcome("not an email"), "invalid");
    assert_eq!(results.iter().filter(|x| x["outcome"] == "invited").count(), 600);
    assert!(results.last().is_some_and(|x| x["outcome"] == "invalid"));
    assert_eq!(results[results.len() - 2]["outcome"], "already_invited", "p5 listed twice");
    let pending: i64 = on_pool!(app, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM invitations WHERE org_id = $1 AND status = 'pending'"
    )
    .bind(&org.id)
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(pending, 601);
    let events: i64 = on_pool!(app, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE org_id = $1 AND action = 'invitation.created'"
    )
    .bind(&org.id)
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(events, 602, "one event per invitation (Dan's, early's and the 600)");
    let queued: i64 =
        on_pool!(app, |p| sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE to_email LIKE 'p%@example.com'")
            .fetch_one(p)
            .await)
        .unwrap();
    assert_eq!(queued, 600, "one email per invitation");
    let too_many: Vec<String> = (0..1001).map(|i| format!("q{i}@example.com")).collect();
    app.post(&ada.token, &format!("/v1/orgs/{}/invitations", org.id), json!({"emails": too_many, "role": "member"}))
        .await
        .assert_problem(422, "validation_failed");
}
