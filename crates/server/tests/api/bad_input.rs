//! Bad input gets a 4xx problem+json a person can act on: never a 5xx.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{send, TestApp};

#[tokio::test]
async fn malformed_bodies_and_queries() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let orgs = "/v1/orgs";

    let r = send(
        app.request(Method::POST, orgs, Some(&ada.token))
            .header("content-type", "application/json")
            .body("{\"name\": "),
    )
    .await;
    r.assert_problem(400, "validation_failed");
    let r = send(
        app.request(Method::POST, orgs, Some(&ada.token))
            .header("content-type", "text/plain")
            .body("{\"name\": \"x\"}"),
    )
    .await;
    r.assert_problem(415, "unsupported_media_type");
    let r = app.post(&ada.token, orgs, json!({"name": "x", "colour": "red"})).await;
    r.assert_problem(422, "validation_failed");
    assert!(r.body["detail"].as_str().unwrap().contains("unknown field `colour`"), "names the field: {}", r.text);
    let r = app.post(&ada.token, orgs, json!({"name": 42})).await;
    r.assert_problem(422, "validation_failed");
    let r = app.post(&ada.token, orgs, json!({})).await;
    assert!(r.body["detail"].as_str().unwrap().contains("missing field `name`"), "{}", r.text);
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(70 * 1024));
    let r =
        send(app.request(Method::POST, orgs, Some(&ada.token)).header("content-type", "application/json").body(big))
            .await;
    r.assert_problem(413, "payload_too_large");

    let members = format!("/v1/orgs/{}/members", org.id);
    app.get(&ada.token, &format!("{members}?limit=0")).await.assert_problem(422, "validation_failed");
    app.get(&ada.token, &format!("{members}?limit=201")).await.assert_problem(422, "validation_failed");
    app.get(&ada.token, &format!("{members}?limit=ten")).await.assert_problem(400, "validation_failed");
    app.get(&ada.token, &format!("{members}?cursor=garbage")).await.assert_problem(422, "validation_failed");
    app.get(&ada.token, &format!("{members}?sort=height")).await.assert_problem(400, "validation_failed");
    app.get(&ada.token, &format!("{members}?status=sleeping")).await.assert_problem(400, "validation_failed");
    app.get(&ada.token, &format!("/v1/orgs/{}/audit?since=yesterday", org.id))
        .await
        .assert_problem(422, "validation_failed");
    let r = send(
        app.request(Method::PATCH, &format!("/v1/orgs/{}", org.id), Some(&ada.token))
            .header("if-match", "banana")
            .json(&json!({"name": "x"})),
    )
    .await;
    r.assert_problem(400, "validation_failed");
}

#[tokio::test]
async fn invalid_fields_name_the_field() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let cases = [
        (Method::POST, "/v1/orgs".to_owned(), json!({"name": "Acme", "slug": "no spaces"}), "slug"),
        (Method::PATCH, format!("/v1/orgs/{}", org.id), json!({"timezone": "CET+1"}), "timezone"),
        (Method::PATCH, format!("/v1/orgs/{}", org.id), json!({"default_language": "en_US"}), "default_language"),
        (
            Method::POST,
            format!("/v1/orgs/{}/roles", org.id),
            json!({"key": "Bad Key", "name": "x", "permissions": []}),
            "key",
        ),
        (Method::PATCH, format!("/v1/orgs/{}/members/{}", org.id, ada.id), json!({}), "role"),
        (Method::POST, "/v1/me/people/remove".to_owned(), json!({"email": "x@example.com", "org_ids": []}), "org_ids"),
    ];
    for (method, path, body, field) in cases {
        let r = app.call(method, &path, Some(&ada.token), Some(body)).await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(r.body["errors"][0]["field"], field, "{path}: {}", r.text);
    }
}

#[tokio::test]
async fn junk_never_gets_a_server_error() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let junk = [
        "",
        "null",
        "[]",
        "\"x\"",
        "{\"emails\": null}",
        "{\"emails\": [1, 2]}",
        "{\"role\": {}}",
        "\u{0}\u{1}",
        "{\"name\": \"\u{202e}\"}",
        "9999999999999999999999",
    ];
    let paths = [
        "/v1/auth/signup".to_owned(),
        "/v1/auth/signin".to_owned(),
        "/v1/orgs".to_owned(),
        format!("/v1/orgs/{}", org.id),
        format!("/v1/orgs/{}/invitations", org.id),
        format!("/v1/orgs/{}/roles", org.id),
        format!("/v1/orgs/{}/transfer", org.id),
        format!("/v1/orgs/{}/members/{}", org.id, ada.id),
        "/v1/me/people/remove".to_owned(),
        "/v1/invitations/odi_x/signup".to_owned(),
        "/v1/orgs/%00%ff/members".to_owned(),
        "/v1/orgs/..%2F..%2Fetc/members/x".to_owned(),
    ];
    for path in &paths {
        for body in junk {
            for method in [Method::POST, Method::PATCH, Method::PUT] {
                let r = send(
                    app.request(method.clone(), path, Some(&ada.token))
                        .header("content-type", "application/json")
                        .body(body),
                )
                .await;
                assert!(r.status.is_client_error(), "{method} {path} with {body:?} → {}: {}", r.status, r.text);
                assert!(r.body["code"].is_string(), "{method} {path}: problem+json, got {}", r.text);
            }
        }
    }
    let r = app.call(Method::GET, "/v1/orgs", Some("not-a-token"), None).await;
    r.assert_problem(401, "unauthenticated");
    let r = app.call(Method::GET, "/v1/orgs", None, None).await;
    r.assert_problem(401, "unauthenticated");
    assert_eq!(app.get(&ada.token, "/v1/me").await.status, StatusCode::OK, "the server is still fine");
}
