use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{TestApp, PASSWORD};

#[tokio::test]
async fn sign_up_creates_a_personal_org_and_a_session() {
    let app = TestApp::start().await;
    let ada = app.unverified_user("Ada@Example.com", "Ada").await;
    let me = app.get(&ada.token, "/v1/me").await;
    assert_eq!(me.body["email"], "Ada@Example.com");
    assert_eq!(me.body["email_verified"], false, "verification waits for the emailed link");
    let orgs = app.get(&ada.token, "/v1/orgs").await;
    assert_eq!(orgs.body.as_array().unwrap().len(), 1);
    assert_eq!(orgs.body[0]["personal"], true);
    assert_eq!(orgs.body[0]["role"], "owner");
    assert_eq!(orgs.body[0]["name"], "Ada's workspace");
}

#[tokio::test]
async fn emails_are_unique_case_insensitively() {
    let app = TestApp::start().await;
    app.unverified_user("ada@example.com", "Ada").await;
    let r = app
        .call(
            Method::POST,
            "/v1/auth/signup",
            None,
            Some(json!({"email": "ADA@example.COM", "name": "Ada 2", "password": PASSWORD})),
        )
        .await;
    r.assert_problem(409, "email_taken");
}

#[tokio::test]
async fn sign_up_validates_each_field() {
    let app = TestApp::start().await;
    for (body, field) in [
        (json!({"email": "ada@example.com", "name": "Ada", "password": "short"}), "password"),
        (json!({"email": "not-an-email", "name": "Ada", "password": PASSWORD}), "email"),
        (json!({"email": "ada@example.com", "name": "  ", "password": PASSWORD}), "name"),
        (json!({"email": "ada@example.com", "name": "Ada", "password": PASSWORD, "timezone": "Mars/Base"}), "timezone"),
    ] {
        let r = app.call(Method::POST, "/v1/auth/signup", None, Some(body)).await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.body["errors"][0]["field"], field, "{}", r.text);
    }
}

#[tokio::test]
async fn verification_link_verifies_the_address() {
    let app = TestApp::start().await;
    let ada = app.unverified_user("ada@example.com", "Ada").await;
    let token = app.token_from_outbox("ada@example.com", "/verify/").await;
    // Following the link (as a mail scanner does) changes nothing: the page asks.
    let page = app.request(Method::GET, &format!("/verify/{token}"), None).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("<form method=\"post\""));
    assert_eq!(app.get(&ada.token, "/v1/me").await.body["email_verified"], false, "a GET verifies nothing");
    let done = app.request(Method::POST, &format!("/verify/{token}"), None).send().await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done.text().await.unwrap().contains("Email verified"));
    assert_eq!(app.get(&ada.token, "/v1/me").await.body["email_verified"], true);
    // Confirming twice is harmless; an unknown link's page answers 404, not 200.
    let again = app.request(Method::POST, &format!("/verify/{token}"), None).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    let unknown = app.request(Method::POST, "/verify/odv_nope", None).send().await.unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let bogus = app.call(Method::POST, "/v1/auth/verify-email", None, Some(json!({"token": "odv_nope"}))).await;
    bogus.assert_problem(404, "not_found");
}

#[tokio::test]
async fn sign_in_sessions_and_sign_out() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let r = app
        .call(
            Method::POST,
            "/v1/auth/signin",
            None,
            Some(json!({"email": "ADA@example.com", "password": PASSWORD, "device_name": "laptop"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let second = r.body["token"].as_str().unwrap().to_owned();
    assert!(second.len() >= 47, "a 256-bit token");

    let sessions = app.get(&second, "/v1/me/sessions").await;
    let list = sessions.body.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
    let laptop = list.iter().find(|s| s["device_name"] == "laptop").unwrap();
    assert_eq!(laptop["current"], true);

    // Revoke the first session from the second.
    let first_id = list.iter().find(|s| s["current"] == false).unwrap()["id"].as_str().unwrap();
    assert_eq!(app.delete(&second, &format!("/v1/me/sessions/{first_id}")).await.status, StatusCode::NO_CONTENT);
    app.get(&ada.token, "/v1/me").await.assert_problem(401, "unauthenticated");

    assert_eq!(app.post(&second, "/v1/auth/signout", json!({})).await.status, StatusCode::NO_CONTENT);
    app.get(&second, "/v1/me").await.assert_problem(401, "unauthenticated");
}

#[tokio::test]
async fn only_token_hashes_are_stored() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let hashes: Vec<String> =
        on_pool!(app, |p| sqlx::query_scalar("SELECT token_hash FROM sessions").fetch_all(p).await).unwrap();
    assert!(!hashes.is_empty());
    assert!(hashes.iter().all(|h| h.len() == 64 && !h.contains(&ada.token)), "a SHA-256 hex digest, never the token");
    let password: String =
        on_pool!(app, |p| sqlx::query_scalar("SELECT password_hash FROM users").fetch_one(p).await).unwrap();
    assert!(password.starts_with("$argon2id$"));
}

#[tokio::test]
async fn wrong_password_and_unknown_account_answer_alike() {
    let app = TestApp::start().await;
    app.user("ada@example.com", "Ada").await;
    let wrong = app
        .call(
            Method::POST,
            "/v1/auth/signin",
            None,
            Some(json!({"email": "ada@example.com", "password": "wrong password!"})),
        )
        .await;
    let unknown = app
        .call(
            Method::POST,
            "/v1/auth/signin",
            None,
            Some(json!({"email": "bob@example.com", "password": "wrong password!"})),
        )
        .await;
    wrong.assert_problem(401, "invalid_credentials");
    let without_id = |mut v: serde_json::Value| {
        v.as_object_mut().unwrap().remove("request_id");
        v
    };
    assert_eq!(without_id(wrong.body), without_id(unknown.body), "no hint whether the account exists");
}

#[tokio::test]
async fn failed_sign_ins_are_rate_limited_per_account() {
    let limits = orgdesk_server::Limits { signin_failures_per_account: 5, ..Default::default() };
    let app = TestApp::start_with(limits).await;
    app.user("ada@example.com", "Ada").await;
    for _ in 0..5 {
        let r = app
            .call(
                Method::POST,
                "/v1/auth/signin",
                None,
                Some(json!({"email": "ada@example.com", "password": "guess guess guess"})),
            )
            .await;
        r.assert_problem(401, "invalid_credentials");
    }
    let blocked = app
        .call(Method::POST, "/v1/auth/signin", None, Some(json!({"email": "ada@example.com", "password": PASSWORD})))
        .await;
    blocked.assert_problem(429, "rate_limited");
    let retry: u64 = blocked.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 3600);
    // An unknown account gets the same treatment.
    for _ in 0..5 {
        app.call(
            Method::POST,
            "/v1/auth/signin",
            None,
            Some(json!({"email": "ghost@example.com", "password": "guess guess guess"})),
        )
        .await;
    }
    let ghost = app
        .call(
            Method::POST,
            "/v1/auth/signin",
            None,
            Some(json!({"email": "ghost@example.com", "password": "guess guess guess"})),
        )
        .await;
    ghost.assert_problem(429, "rate_limited");
}

#[tokio::test]
async fn failed_sign_ins_are_rate_limited_per_ip() {
    let limits = orgdesk_server::Limits { signin_failures_per_ip: 3, ..Default::default() };
    let app = TestApp::start_with(limits).await;
    for i in 0..3 {
        let r = app
            .call(
                Method::POST,
                "/v1/auth/signin",
                None,
                Some(json!({"email": format!("p{i}@example.com"), "password": "guess guess guess"})),
            )
            .await;
        r.assert_problem(401, "invalid_credentials");
    }
    let r = app
        .call(
            Method::POST,
            "/v1/auth/signin",
            None,
            Some(json!({"email": "new@example.com", "password": "guess guess guess"})),
        )
        .await;
    r.assert_problem(429, "rate_limited");
}

#[tokio::test]
async fn profile_updates_validate() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let r = app.patch(&ada.token, "/v1/me", json!({"name": "Ada Lovelace", "timezone": "Europe/London"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["name"], "Ada Lovelace");
    assert_eq!(r.body["timezone"], "Europe/London");
    app.patch(&ada.token, "/v1/me", json!({"timezone": "Europe/Atlantis"}))
        .await
        .assert_problem(422, "validation_failed");
}
