use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{send, TestApp};

#[tokio::test]
async fn changes_leave_an_audit_trail_with_filters_and_csv() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let bob = app.member(&ada, &org, "bob@example.com", "member").await;
    app.patch(&ada.token, &format!("/v1/orgs/{}/members/{}", org.id, bob.id), json!({"role": "viewer"})).await;
    app.patch(&ada.token, &format!("/v1/orgs/{}", org.id), json!({"name": "Acme 2"})).await;
    let inv = app.invite(&ada, &org, "carol@example.com", "member").await;
    app.delete(&ada.token, &format!("/v1/orgs/{}/invitations/{inv}", org.id)).await;

    let path = format!("/v1/orgs/{}/audit", org.id);
    let all = app.get(&ada.token, &path).await;
    let actions: Vec<&str> =
        all.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "invitation.revoked",
            "invitation.created",
            "org.updated",
            "member.role_changed",
            "invitation.accepted",
            "invitation.created",
            "org.created"
        ],
        "newest first"
    );
    let role_change = &all.body["items"][3];
    assert_eq!(role_change["before"], json!({"role": "member"}));
    assert_eq!(role_change["after"], json!({"role": "viewer"}));
    assert_eq!(role_change["actor_name"], "Ada");
    assert_eq!(role_change["target"], bob.id.as_str());
    assert_eq!(role_change["ip"], "127.0.0.1");
    assert_eq!(all.body["items"][2]["before"], json!({"name": "Acme"}));

    let filtered = app.get(&ada.token, &format!("{path}?action=invitation.created")).await;
    assert_eq!(filtered.body["items"].as_array().unwrap().len(), 2);
    let by_actor = app.get(&ada.token, &format!("{path}?actor={}", bob.id)).await;
    assert_eq!(by_actor.body["items"].as_array().unwrap().len(), 1, "bob accepted his invitation");
    // A member's trail: the events about them (the member pane).
    let about_bob = app.get(&ada.token, &format!("{path}?target={}", bob.id)).await;
    let about: Vec<&str> =
        about_bob.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(about, ["member.role_changed"], "only the events whose target is bob");
    let future = app.get(&ada.token, &format!("{path}?since=2999-01-01T00:00:00Z")).await;
    assert!(future.body["items"].as_array().unwrap().is_empty());
    let past = app.get(&ada.token, &format!("{path}?until=2000-01-01T00:00:00Z")).await;
    assert!(past.body["items"].as_array().unwrap().is_empty());

    // Pages of two walk the same events.
    let mut walked = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app.get(&ada.token, &format!("{path}?limit=2{cursor}")).await;
        walked.extend(page.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()));
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(walked, actions);

    let csv = send(app.request(Method::GET, &format!("/v1/orgs/{}/audit.csv", org.id), Some(&ada.token))).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(lines[0], "time,action,actor_id,actor_name,target,before,after,ip,user_agent");
    assert_eq!(lines.len(), 1 + actions.len());
    assert!(
        lines[4].contains("member.role_changed") && lines[4].contains("\"{\"\"role\"\":\"\"member\"\"}\""),
        "{}",
        lines[4]
    );
}
