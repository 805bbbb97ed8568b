//! The security defects found by attacking the API, one test each, run on
//! SQLite and on PostgreSQL like the rest of the suite.

use orgdesk_server::Limits;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{TestApp, PASSWORD};

/// An admin of S who sets S's slug to the id of org B must not make requests
/// addressed to B land in S; ids and slugs have disjoint shapes.
#[tokio::test]
async fn a_slug_can_never_take_another_orgs_id() {
    let app = TestApp::start().await;
    let sam = app.user("sam@example.com", "Sam").await;
    let bea = app.user("bea@example.com", "Bea").await;
    let s = app.org(&sam, "Sam's").await;
    let b = app.org(&bea, "Bea's").await;
    app.join(&bea, &b, &sam, "admin").await;

    for shaped in [b.id.clone(), b.id.to_uppercase()] {
        let r = app.patch(&sam.token, &format!("/v1/orgs/{}", s.id), json!({ "slug": shaped })).await;
        r.assert_problem(422, "validation_failed");
        let r = app.post(&sam.token, "/v1/orgs", json!({ "name": "Shadow", "slug": shaped })).await;
        r.assert_problem(422, "validation_failed");
    }

    // Slugs written before the rule: the migration gives them a new slug.
    app.sql("UPDATE orgs SET slug = $1 WHERE id = $2", &[&b.id, &s.id]).await;
    // Even before that, an id-shaped reference is looked up as an id only.
    let r = app.get(&sam.token, &format!("/v1/orgs/{}", b.id)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["id"], b.id.as_str(), "addressed by B's id, the answer is B: {}", r.body);
    let r = app
        .post(
            &sam.token,
            &format!("/v1/orgs/{}/invitations", b.id),
            json!({"emails": ["x@example.com"], "role": "member"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["results"][0]["invitation"]["org_id"], b.id.as_str(), "the invitation is B's");
    // Bea, who is not in S, addresses S by its id-shaped slug: nothing of S.
    app.get(&bea.token, &format!("/v1/orgs/{}", s.id)).await.assert_problem(404, "not_found");

    on_pool!(app, |p| sqlx::raw_sql(include_str!("../../migrations/0003_slugs_never_look_like_ids.sql"))
        .execute(p)
        .await
        .map(|_| ()))
    .expect("the migration runs");
    let r = app.get(&sam.token, &format!("/v1/orgs/{}", s.id)).await;
    let new_slug = r.body["slug"].as_str().unwrap().to_owned();
    assert_eq!(new_slug, format!("org-{}", s.id.replace('-', "")));
    assert!(orgdesk_core::validate::slug(&new_slug).is_ok(), "the new slug follows the rule");
    let r = app.get(&bea.token, &format!("/v1/orgs/{}", b.id)).await;
    assert_eq!(r.body["slug"], b.slug.as_str(), "other slugs are untouched");
}

/// Anyone can sign up with an address they do not own; until it is verified
/// they see no invitation sent to it and cannot answer one.
#[tokio::test]
async fn an_unverified_address_neither_sees_nor_declines_its_invitations() {
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let id = app.invite(&owner, &org, "victim@example.com", "admin").await;
    let squatter = app.unverified_user("victim@example.com", "Squatter").await;

    app.get(&squatter.token, "/v1/me/invitations").await.assert_problem(403, "email_not_verified");
    app.post(&squatter.token, &format!("/v1/me/invitations/{id}/decline"), json!({}))
        .await
        .assert_problem(403, "email_not_verified");
    app.post(&squatter.token, &format!("/v1/me/invitations/{id}/accept"), json!({}))
        .await
        .assert_problem(403, "email_not_verified");
    let pending = app.get(&owner.token, &format!("/v1/orgs/{}/invitations", org.id)).await;
    assert_eq!(pending.body["items"][0]["id"], id.as_str(), "still pending: {}", pending.body);
    assert_eq!(pending.body["items"][0]["status"], "pending");
}

/// Invitation email is not a relay: it needs a verified sender, and every
/// account and the installation have sending limits; org creation too.
#[tokio::test]
async fn invitation_email_is_not_a_spam_relay() {
    let limits = Limits { invitations_per_user: 5, orgs_per_user_per_day: 3, ..Limits::default() };
    let app = TestApp::start_with(limits).await;
    let fresh = app.unverified_user("fresh@example.com", "Fresh").await;
    let org = app.org(&fresh, "Spam 1").await;
    let r = app
        .post(
            &fresh.token,
            &format!("/v1/orgs/{}/invitations", org.id),
            json!({"emails": ["a@example.com"], "role": "member"}),
        )
        .await;
    r.assert_problem(403, "email_not_verified");

    let ada = app.user("ada@example.com", "Ada").await;
    let one = app.org(&ada, "One").await;
    let two = app.org(&ada, "Two").await;
    let emails: Vec<String> = (0..4).map(|i| format!("p{i}@example.com")).collect();
    let r = app
        .post(&ada.token, &format!("/v1/orgs/{}/invitations", one.id), json!({"emails": emails, "role": "member"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // Two more across another org pass the per-account limit of five: refused whole.
    let r = app
        .post(
            &ada.token,
            &format!("/v1/orgs/{}/invitations", two.id),
            json!({"emails": ["q1@example.com", "q2@example.com"], "role": "member"}),
        )
        .await;
    r.assert_problem(429, "rate_limited");
    assert!(r.header("retry-after").is_some());
    let outbox = app.call(Method::GET, "/v1/dev/outbox?to=q1@example.com", None, None).await;
    assert_eq!(outbox.body.as_array().map(Vec::len), Some(0), "nothing was queued");
    // One more fits exactly.
    let r = app
        .post(
            &ada.token,
            &format!("/v1/orgs/{}/invitations", two.id),
            json!({"emails": ["q1@example.com"], "role": "member"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    // Org creation per account per day: "One", "Two" and one more; the personal workspace does not count.
    app.org(&ada, "Three").await;
    app.post(&ada.token, "/v1/orgs", json!({"name": "Four"})).await.assert_problem(429, "rate_limited");
}

#[tokio::test]
async fn the_installation_wide_sending_limit_holds() {
    let app = TestApp::start_with(Limits { invitations_global: 3, ..Limits::default() }).await;
    let ada = app.user("ada@example.com", "Ada").await;
    let bob = app.user("bob@example.com", "Bob").await;
    let a = app.org(&ada, "A").await;
    let b = app.org(&bob, "B").await;
    let r = app
        .post(
            &ada.token,
            &format!("/v1/orgs/{}/invitations", a.id),
            json!({"emails": ["1@example.com", "2@example.com"], "role": "member"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = app
        .post(
            &bob.token,
            &format!("/v1/orgs/{}/invitations", b.id),
            json!({"emails": ["3@example.com", "4@example.com"], "role": "member"}),
        )
        .await;
    r.assert_problem(429, "rate_limited");
}

/// The idempotency store keeps the answer without the one-time links; a
/// replay is that stored answer, byte for byte.
#[tokio::test]
async fn no_invitation_token_rests_in_the_idempotency_store() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let path = format!("/v1/orgs/{}/invitations", org.id);
    let body = json!({"emails": ["dan@example.com"], "role": "member"});
    let first = crate::support::send(
        app.request(Method::POST, &path, Some(&ada.token)).header("idempotency-key", "k-1").json(&body),
    )
    .await;
    assert_eq!(first.status, StatusCode::CREATED);
    let link = first.body["results"][0]["invitation"]["link"].as_str().expect("the first answer shows the link once");
    let token = link.rsplit('/').next().unwrap();

    let stored: Vec<String> =
        on_pool!(app, |p| sqlx::query_scalar("SELECT response FROM idempotency_keys").fetch_all(p).await).unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(token) && !stored[0].contains("/invite/"), "no token at rest: {}", stored[0]);

    let replay = crate::support::send(
        app.request(Method::POST, &path, Some(&ada.token)).header("idempotency-key", "k-1").json(&body),
    )
    .await;
    assert_eq!(replay.status, StatusCode::CREATED);
    assert_eq!(replay.text, stored[0], "the replay is the stored answer, byte for byte");
    assert_eq!(replay.body["results"][0]["invitation"]["id"], first.body["results"][0]["invitation"]["id"]);
    assert!(replay.body["results"][0]["invitation"].get("link").is_none_or(|l| l.is_null()));

    let other = json!({"emails": ["eve@example.com"], "role": "member"});
    let reused = crate::support::send(
        app.request(Method::POST, &path, Some(&ada.token)).header("idempotency-key", "k-1").json(&other),
    )
    .await;
    reused.assert_problem(422, "idempotency_key_reused");
}

/// Finding or removing an address across my orgs does the same work whether
/// or not it has an account; the answers are the same too.
#[tokio::test]
async fn people_lookups_do_not_tell_whether_an_account_exists() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    app.user("outsider@example.com", "Outsider").await;
    let known = app.get(&ada.token, "/v1/me/people?email=outsider@example.com").await;
    let unknown = app.get(&ada.token, "/v1/me/people?email=nobody@example.com").await;
    assert_eq!((known.status, &known.body), (unknown.status, &unknown.body));
    let remove = |email: &str| json!({"email": email, "org_ids": [org.id]});
    let known = app.post(&ada.token, "/v1/me/people/remove", remove("outsider@example.com")).await;
    let unknown = app.post(&ada.token, "/v1/me/people/remove", remove("nobody@example.com")).await;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(known.body, unknown.body, "same outcome for both: {}", known.body);
    assert_eq!(known.body["results"][0]["outcome"], "not_a_member");
}

/// Addresses compare after NFKC and case folding, in every flow.
#[tokio::test]
async fn look_alike_addresses_are_the_same_address() {
    let app = TestApp::start().await;
    let kate = app.user("kate@example.com", "Kate").await;
    // U+212A KELVIN SIGN and U+FF4B FULLWIDTH k.
    for twin in ["\u{212A}ate@example.com", "\u{FF4B}ate@example.com", "KATE@EXAMPLE.COM"] {
        let r = app
            .call(
                Method::POST,
                "/v1/auth/signup",
                None,
                Some(json!({"email": twin, "name": "Twin", "password": PASSWORD})),
            )
            .await;
        r.assert_problem(409, "email_taken");
    }
    let org = app.org(&kate, "Kate's").await;
    let ada = app.user("ada@example.com", "Ada").await;
    let acme = app.org(&ada, "Acme").await;
    app.join(&ada, &acme, &kate, "member").await;
    let r = app
        .post(
            &ada.token,
            &format!("/v1/orgs/{}/invitations", acme.id),
            json!({"emails": ["\u{212A}ate@example.com"], "role": "member"}),
        )
        .await;
    assert_eq!(r.body["results"][0]["outcome"], "already_member", "{}", r.body);
    let r = app
        .call(
            Method::POST,
            "/v1/auth/signin",
            None,
            Some(json!({"email": "\u{212A}ATE@example.com", "password": PASSWORD})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "sign-in with a look-alike of the same address: {}", r.body);
    let _ = org;
}

#[tokio::test]
async fn names_refuse_invisible_characters() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    for sneaky in ["Ac\u{200B}me", "\u{FEFF}Acme", "Ac\u{2060}me", "Ac\u{200D}me"] {
        let r = app.post(&ada.token, "/v1/orgs", json!({ "name": sneaky })).await;
        r.assert_problem(422, "validation_failed");
        let r = app.patch(&ada.token, "/v1/me", json!({ "name": sneaky })).await;
        r.assert_problem(422, "validation_failed");
    }
}

/// Sent emails hold live invitation links; they go after the retention.
#[tokio::test]
async fn sent_emails_are_pruned_after_the_retention() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    app.invite(&ada, &org, "dan@example.com", "member").await;
    let eight_days_ago = (orgdesk_server::time::now_ms() - 8 * orgdesk_server::time::DAY).to_string();
    app.sql("UPDATE outbox SET sent_at = CAST($1 AS BIGINT) WHERE to_email = 'dan@example.com'", &[&eight_days_ago])
        .await;
    let mut conn = app.state.db.pool.acquire().await.unwrap();
    let pruned = orgdesk_server::outbox::prune_sent(&mut conn, 7 * orgdesk_server::time::DAY).await.unwrap();
    assert_eq!(pruned, 1);
    let left = app.call(Method::GET, "/v1/dev/outbox?to=dan@example.com", None, None).await;
    assert_eq!(left.body.as_array().map(Vec::len), Some(0));
    let kept = app.call(Method::GET, "/v1/dev/outbox?to=ada@example.com", None, None).await;
    assert_eq!(kept.body.as_array().map(Vec::len), Some(1), "unsent or recent emails stay");
}
