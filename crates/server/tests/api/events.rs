//! The event log: every audited change writes its domain events in the same
//! transaction; invitation expiry is noticed once by the janitor pass.

use serde_json::{json, Value};

use crate::support::TestApp;

/// The org's events, oldest first, as (type, data).
async fn events_of(app: &TestApp, org_id: &str) -> Vec<(String, Value)> {
    let rows = orgdesk_server::store::events::of_org_after(&app.state.db.pool, org_id, (0, ""), 1000).await.unwrap();
    rows.into_iter().map(|r| (r.event_type, serde_json::from_str(&r.payload).unwrap())).collect()
}

fn types(events: &[(String, Value)]) -> Vec<&str> {
    events.iter().map(|(t, _)| t.as_str()).collect()
}

#[tokio::test]
async fn changes_write_their_domain_events() {
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    assert!(events_of(&app, &org.id).await.is_empty(), "creating an org writes no event (its creator made it)");

    let bob = app.member(&owner, &org, "bob@example.com", "member").await;
    let r = app.patch(&owner.token, &format!("/v1/orgs/{}/members/{}", org.id, bob.id), json!({"role": "admin"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .patch(&owner.token, &format!("/v1/orgs/{}/members/{}", org.id, bob.id), json!({"status": "disabled"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.delete(&owner.token, &format!("/v1/orgs/{}/members/{}", org.id, bob.id)).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = app.patch(&owner.token, &format!("/v1/orgs/{}", org.id), json!({"name": "Acme Two"})).await;
    assert_eq!(r.status, 200, "{}", r.text);

    let events = events_of(&app, &org.id).await;
    assert_eq!(
        types(&events),
        [
            "invitation.created",
            "invitation.accepted",
            "member.added",
            "member.updated",
            "member.disabled",
            "member.removed",
            "org.updated"
        ],
        "one event per change, in order: {events:?}"
    );
    assert_eq!(events[2].1["user_id"], bob.id.as_str(), "member.added names the new member");
    assert_eq!(events[3].1, json!({"user_id": bob.id, "role": "admin", "previous": {"role": "member"}}));
    assert_eq!(events[5].1["user_id"], bob.id.as_str(), "member.removed names who left: {:?}", events[5]);
}

#[tokio::test]
async fn a_failed_change_writes_no_event() {
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let r = app.delete(&owner.token, &format!("/v1/orgs/{}/members/{}", org.id, owner.id)).await;
    assert!(r.status.is_client_error(), "the owner cannot be removed: {}", r.text);
    assert!(events_of(&app, &org.id).await.is_empty(), "a refused change leaves no event");
}

#[tokio::test]
async fn expiry_is_noticed_once_by_the_janitor() {
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let lapsed = app.invite(&owner, &org, "late@example.com", "member").await;
    let fresh = app.invite(&owner, &org, "soon@example.com", "member").await;
    app.sql("UPDATE invitations SET expires_at = 1 WHERE id = $1", &[&lapsed]).await;

    // Reading the invitation reports it expired but writes nothing.
    let r = app.get(&owner.token, &format!("/v1/orgs/{}/invitations?status=expired", org.id)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(!types(&events_of(&app, &org.id).await).contains(&"invitation.expired"), "a read writes no event");

    let (a, b) = tokio::join!(
        orgdesk_server::events::notice_expired_invitations(&app.state),
        orgdesk_server::events::notice_expired_invitations(&app.state)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1, "two concurrent passes notice the one lapsed invitation once");
    assert_eq!(orgdesk_server::events::notice_expired_invitations(&app.state).await.unwrap(), 0, "and never again");
    let events = events_of(&app, &org.id).await;
    let expired: Vec<_> = events.iter().filter(|(t, _)| t == "invitation.expired").collect();
    assert_eq!(expired.len(), 1, "{events:?}");
    assert_eq!(expired[0].1["id"], lapsed.as_str());
    assert_ne!(expired[0].1["id"], fresh.as_str());

    // A resend restarts the lifetime, and a second expiry is noticed again.
    let r = app.post(&owner.token, &format!("/v1/orgs/{}/invitations/{lapsed}/resend", org.id), json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    app.sql("UPDATE invitations SET expires_at = 2 WHERE id = $1", &[&lapsed]).await;
    assert_eq!(orgdesk_server::events::notice_expired_invitations(&app.state).await.unwrap(), 1);
}
