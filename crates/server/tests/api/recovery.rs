//! Password reset, taking an address back from an account that never
//! confirmed it, and sign-in limits that a stranger cannot turn against the
//! owner.

use std::net::{IpAddr, Ipv4Addr};

use orgdesk_server::Limits;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{Reply, TestApp, PASSWORD};

const NEW_PASSWORD: &str = "a brand new passphrase";

async fn sign_in(app: &TestApp, email: &str, password: &str) -> Reply {
    app.call(Method::POST, "/v1/auth/signin", None, Some(json!({"email": email, "password": password}))).await
}

async fn outbox_count(app: &TestApp, email: &str) -> usize {
    app.call(Method::GET, &format!("/v1/dev/outbox?to={email}"), None, None).await.body.as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_and_ends_every_session() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let before = outbox_count(&app, "ada@example.com").await;
    let r = app.call(Method::POST, "/v1/auth/password-reset", None, Some(json!({"email": "ADA@example.com"}))).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let token = app.token_from_outbox("ada@example.com", "/reset/").await;
    assert!(token.starts_with("odr_") && token.len() >= 4 + 43, "256 bits: {token}");
    let stored: Vec<String> =
        on_pool!(app, |p| sqlx::query_scalar("SELECT token_hash FROM password_resets").fetch_all(p).await).unwrap();
    assert!(stored.iter().all(|h| !h.contains(&token)), "only the hash is stored");

    // Following the link (a mail scanner does) changes nothing.
    let page = app.http.get(format!("{}/reset/{token}", app.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("<form method=\"post\""));
    assert_eq!(sign_in(&app, "ada@example.com", PASSWORD).await.status, StatusCode::OK);

    let done =
        app.http.post(format!("{}/reset/{token}", app.base)).form(&[("password", NEW_PASSWORD)]).send().await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    app.get(&ada.token, "/v1/me").await.assert_problem(401, "unauthenticated");
    sign_in(&app, "ada@example.com", PASSWORD).await.assert_problem(401, "invalid_credentials");
    assert_eq!(sign_in(&app, "ada@example.com", NEW_PASSWORD).await.status, StatusCode::OK);
    let emails = app.call(Method::GET, "/v1/dev/outbox?to=ada@example.com", None, None).await;
    assert!(emails.body[0]["subject"].as_str().unwrap().contains("password was changed"), "the address is told");
    assert_eq!(outbox_count(&app, "ada@example.com").await, before + 2);

    // Once only, and the API answers the same way.
    let again = app
        .call(
            Method::POST,
            "/v1/auth/password-reset/confirm",
            None,
            Some(json!({"token": token, "password": NEW_PASSWORD})),
        )
        .await;
    again.assert_problem(409, "invitation_not_pending");
    let unknown = app
        .call(
            Method::POST,
            "/v1/auth/password-reset/confirm",
            None,
            Some(json!({"token": "odr_nope", "password": NEW_PASSWORD})),
        )
        .await;
    unknown.assert_problem(404, "not_found");
    // Expired after 30 minutes.
    app.call(Method::POST, "/v1/auth/password-reset", None, Some(json!({"email": "ada@example.com"}))).await;
    let late = app.token_from_outbox("ada@example.com", "/reset/").await;
    app.sql("UPDATE password_resets SET expires_at = 1 WHERE used_at IS NULL AND user_id IS NOT NULL", &[]).await;
    let expired = app
        .call(
            Method::POST,
            "/v1/auth/password-reset/confirm",
            None,
            Some(json!({"token": late, "password": NEW_PASSWORD})),
        )
        .await;
    expired.assert_problem(410, "invitation_expired");
}

#[tokio::test]
async fn a_reset_request_answers_the_same_for_an_unknown_address() {
    let app = TestApp::start().await;
    app.user("ada@example.com", "Ada").await;
    let known =
        app.call(Method::POST, "/v1/auth/password-reset", None, Some(json!({"email": "ada@example.com"}))).await;
    let unknown =
        app.call(Method::POST, "/v1/auth/password-reset", None, Some(json!({"email": "nobody@example.com"}))).await;
    assert_eq!((known.status, &known.text), (unknown.status, &unknown.text));
    assert_eq!(outbox_count(&app, "nobody@example.com").await, 0, "no email to an address without an account");
    let rows: i64 =
        on_pool!(app, |p| sqlx::query_scalar("SELECT COUNT(*) FROM password_resets").fetch_one(p).await).unwrap();
    assert_eq!(rows, 2, "the same write for both");
}

/// Someone registers another person's address first. The owner is not
/// blocked: signing up again sends the address a link, and following it
/// makes the account theirs, the squatter's password and sessions ending.
#[tokio::test]
async fn the_owner_of_an_address_takes_it_back_from_an_unconfirmed_squatter() {
    let app = TestApp::start().await;
    let squatter = app.unverified_user("victim@example.com", "Squatter").await;
    let squatter_verify = app.token_from_outbox("victim@example.com", "/verify/").await;
    // The owner follows the (squatter's) verification link, as a mail scanner would: nothing happens.
    app.http.get(format!("{}/verify/{squatter_verify}", app.base)).send().await.unwrap();
    assert_eq!(app.get(&squatter.token, "/v1/me").await.body["email_verified"], false);

    let r = app
        .call(
            Method::POST,
            "/v1/auth/signup",
            None,
            Some(json!({"email": "victim@example.com", "name": "Victim", "password": NEW_PASSWORD})),
        )
        .await;
    r.assert_problem(409, "email_taken");
    assert!(r.body["detail"].as_str().unwrap().contains("emailed the address a link"), "{}", r.text);
    let claim = app.token_from_outbox("victim@example.com", "/reset/").await;
    let done = app
        .call(
            Method::POST,
            "/v1/auth/password-reset/confirm",
            None,
            Some(json!({"token": claim, "password": NEW_PASSWORD})),
        )
        .await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.text);
    app.get(&squatter.token, "/v1/me").await.assert_problem(401, "unauthenticated");
    sign_in(&app, "victim@example.com", PASSWORD).await.assert_problem(401, "invalid_credentials");
    let owner = sign_in(&app, "victim@example.com", NEW_PASSWORD).await;
    assert_eq!(owner.status, StatusCode::OK);
    assert_eq!(owner.body["user"]["email_verified"], true, "the link proved the address");

    // A confirmed account is not claimable this way.
    let r = app
        .call(
            Method::POST,
            "/v1/auth/signup",
            None,
            Some(json!({"email": "victim@example.com", "name": "Again", "password": NEW_PASSWORD})),
        )
        .await;
    r.assert_problem(409, "email_taken");
    assert!(!r.body["detail"].as_str().unwrap().contains("emailed"));
}

/// A stranger on another network exhausts the account's failure limit; the
/// owner, from the network they signed in from before, still signs in and
/// still gets a reset link.
#[tokio::test]
async fn a_stranger_cannot_lock_the_owner_out() {
    let limits = Limits { signin_failures_per_account: 5, reset_requests_per_account: 2, ..Limits::default() };
    let app = TestApp::start_with(limits).await;
    app.user("ada@example.com", "Ada").await;
    assert_eq!(sign_in(&app, "ada@example.com", PASSWORD).await.status, StatusCode::OK, "Ada's own network, now known");

    let stranger = reqwest::Client::builder().local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))).build().unwrap();
    let attempt = |body: serde_json::Value, path: &'static str| {
        let (stranger, base) = (stranger.clone(), app.base.clone());
        async move { stranger.post(format!("{base}{path}")).json(&body).send().await.unwrap().status() }
    };
    for _ in 0..5 {
        let s = attempt(json!({"email": "ada@example.com", "password": "guess guess guess"}), "/v1/auth/signin").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let s = attempt(json!({"email": "ada@example.com", "password": "guess guess guess"}), "/v1/auth/signin").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "the stranger is refused");
    assert_eq!(sign_in(&app, "ada@example.com", PASSWORD).await.status, StatusCode::OK, "the owner is not");

    for _ in 0..2 {
        assert_eq!(attempt(json!({"email": "ada@example.com"}), "/v1/auth/password-reset").await, StatusCode::ACCEPTED);
    }
    assert_eq!(
        attempt(json!({"email": "ada@example.com"}), "/v1/auth/password-reset").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    let own = app.call(Method::POST, "/v1/auth/password-reset", None, Some(json!({"email": "ada@example.com"}))).await;
    assert_eq!(own.status, StatusCode::ACCEPTED, "the owner's own network still gets a link");
}

/// Every sign-in, failed attempt, reset and ended session is in the
/// person's own log, networks included; an org admin sees only the times.
#[tokio::test]
async fn the_security_log_records_sign_ins_and_shows_admins_only_times() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let dan = app.user("dan@example.com", "Dan").await;
    app.join(&ada, &org, &dan, "member").await;
    sign_in(&app, "dan@example.com", "wrong password!!").await.assert_problem(401, "invalid_credentials");
    let second = sign_in(&app, "dan@example.com", PASSWORD).await;
    let second_token = second.body["token"].as_str().unwrap().to_owned();
    let second_id = app
        .get(&second_token, "/v1/me/sessions")
        .await
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.delete(&dan.token, &format!("/v1/me/sessions/{second_id}")).await.status, StatusCode::NO_CONTENT);

    let log = app.get(&dan.token, "/v1/me/security-log").await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.text);
    let kinds: Vec<&str> = log.body["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["session_revoked", "sign_in", "sign_in_failed"], "newest first");
    assert_eq!(log.body["items"][1]["ip"], "127.0.0.1", "the person sees the network");

    let seen = app.get(&ada.token, &format!("/v1/orgs/{}/members/{}/sign-ins", org.id, dan.id)).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.text);
    assert_eq!(seen.body["recent"].as_array().unwrap().len(), 1, "sign-ins only: {}", seen.text);
    assert!(seen.body["last_sign_in_at"].is_string());
    assert!(!seen.text.contains("127.0.0.1"), "no networks for the admin: {}", seen.text);
    // Not a member of this org: nothing.
    let stranger = app.user("eve@example.com", "Eve").await;
    app.get(&ada.token, &format!("/v1/orgs/{}/members/{}/sign-ins", org.id, stranger.id))
        .await
        .assert_problem(404, "not_found");
}

/// A new address takes effect only when its link is followed; the old
/// address is told; invitations stay with the address they were sent to.
#[tokio::test]
async fn changing_the_address_waits_for_the_new_address_to_confirm() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let boss = app.user("boss@example.com", "Boss").await;
    let org = app.org(&boss, "Acme").await;
    app.invite(&boss, &org, "ada@example.com", "member").await;
    app.post(&ada.token, "/v1/me/email", json!({"email": "ada@new.example", "password": "not my password"}))
        .await
        .assert_problem(401, "invalid_credentials");
    app.post(&ada.token, "/v1/me/email", json!({"email": "boss@example.com", "password": PASSWORD}))
        .await
        .assert_problem(409, "email_taken");
    let r = app.post(&ada.token, "/v1/me/email", json!({"email": "ada@new.example", "password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(app.get(&ada.token, "/v1/me").await.body["email"], "ada@example.com", "nothing changes before the link");
    let token = app.token_from_outbox("ada@new.example", "/email-change/").await;
    let page = app.http.get(format!("{}/email-change/{token}", app.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(app.get(&ada.token, "/v1/me").await.body["email"], "ada@example.com", "a GET changes nothing");
    let done = app.http.post(format!("{}/email-change/{token}", app.base)).send().await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    let me = app.get(&ada.token, "/v1/me").await;
    assert_eq!((me.body["email"].as_str(), me.body["email_verified"].as_bool()), (Some("ada@new.example"), Some(true)));
    let told = app.call(Method::GET, "/v1/dev/outbox?to=ada@example.com", None, None).await;
    assert!(told.body[0]["subject"].as_str().unwrap().contains("address was changed"), "{}", told.text);
    assert_eq!(sign_in(&app, "ada@new.example", PASSWORD).await.status, StatusCode::OK);
    // The invitation was sent to the old address and stays there.
    assert_eq!(app.get(&ada.token, "/v1/me/invitations").await.body.as_array().map(Vec::len), Some(0));
    let again = app.call(Method::POST, "/v1/auth/email-change/confirm", None, Some(json!({"token": token}))).await;
    again.assert_problem(409, "invitation_not_pending");
}
