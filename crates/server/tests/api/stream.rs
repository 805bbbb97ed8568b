//! The live event stream (GET /v1/events): per-caller filtering, resume with
//! Last-Event-ID, heartbeats, and a change through one replica seen on
//! another's stream.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{Org, TestApp, User};

/// One SSE event.
#[derive(Debug, Clone)]
struct SseEvent {
    id: String,
    event: String,
    data: Value,
}

/// A subscriber reading the stream as it comes.
struct Subscriber {
    response: reqwest::Response,
    buffer: String,
    pub heartbeats: usize,
}

impl Subscriber {
    async fn open(app: &TestApp, token: &str, last_event_id: Option<&str>) -> Subscriber {
        let mut r = app.request(reqwest::Method::GET, "/v1/events", Some(token));
        if let Some(id) = last_event_id {
            r = r.header("last-event-id", id);
        }
        let response = r.send().await.expect("the stream opens");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Subscriber { response, buffer: String::new(), heartbeats: 0 }
    }

    /// The next event (heartbeats counted, not returned), or None after 15 s.
    async fn next(&mut self) -> Option<SseEvent> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut id, mut event, mut data) = (String::new(), String::new(), String::new());
                for line in block.lines() {
                    if line.starts_with(':') {
                        self.heartbeats += 1;
                    } else if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if !event.is_empty() {
                    return Some(SseEvent { id, event, data: serde_json::from_str(&data).unwrap_or(Value::Null) });
                }
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            match tokio::time::timeout(left, self.response.chunk()).await {
                Ok(Ok(Some(chunk))) => self.buffer.push_str(&String::from_utf8_lossy(&chunk)),
                _ => return None,
            }
        }
    }

    /// Events until one of type `until` (included).
    async fn until(&mut self, until: &str) -> Vec<SseEvent> {
        let mut out = Vec::new();
        while let Some(e) = self.next().await {
            let done = e.event == until;
            out.push(e);
            if done {
                return out;
            }
        }
        panic!("no {until} event came; got {out:?}");
    }
}

async fn role(app: &TestApp, owner: &User, org: &Org, key: &str) {
    let r = app
        .post(
            &owner.token,
            &format!("/v1/orgs/{}/roles", org.id),
            json!({"key": key, "name": key, "permissions": ["org:read"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

#[tokio::test]
async fn each_caller_gets_only_what_they_may_read() {
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let viewer = app.member(&owner, &org, "viewer@example.com", "viewer").await;
    let stranger = app.user("stranger@example.com", "Stranger").await;
    let mut as_owner = Subscriber::open(&app, &owner.token, None).await;
    let mut as_viewer = Subscriber::open(&app, &viewer.token, None).await;
    let mut as_stranger = Subscriber::open(&app, &stranger.token, None).await;

    app.invite(&owner, &org, "new@example.com", "member").await;
    role(&app, &owner, &org, "sentinel").await;

    // (The setup's own events may come first: they were committed just
    // before the stream opened, and the poll sends them live.)
    let owners = as_owner.until("role.created").await;
    let types: Vec<&str> = owners.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(types[types.len() - 2..], ["invitation.created", "role.created"], "{types:?}");
    let sentinel = owners.last().unwrap();
    assert_eq!(sentinel.data["data"]["key"], "sentinel");
    assert_eq!(sentinel.data["id"], sentinel.id.as_str(), "the SSE id is the event's id");
    let viewers = as_viewer.until("role.created").await;
    assert!(
        viewers.iter().all(|e| !e.event.starts_with("invitation.") || e.data["data"]["email"] == "viewer@example.com"),
        "a member without invitations:read never gets invitation events (but their own): {viewers:?}"
    );
    // The stranger's stream stays quiet but alive: heartbeats only.
    role(&app, &owner, &org, "second").await;
    as_owner.until("role.created").await;
    let quiet = tokio::time::timeout(Duration::from_secs(3), as_stranger.next()).await;
    assert!(quiet.is_err() || quiet.unwrap().is_none(), "no event of an org the stranger is not in");
    assert!(as_stranger.heartbeats > 0 || as_viewer.heartbeats > 0 || as_owner.heartbeats > 0, "heartbeats come");
}

#[tokio::test]
async fn last_event_id_resumes_without_a_loss() {
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let mut first = Subscriber::open(&app, &owner.token, None).await;
    role(&app, &owner, &org, "one").await;
    let seen = first.until("role.created").await;
    let last = seen.last().unwrap().id.clone();
    drop(first);

    role(&app, &owner, &org, "two").await;
    role(&app, &owner, &org, "three").await;
    let mut again = Subscriber::open(&app, &owner.token, Some(&last)).await;
    let mut keys = Vec::new();
    while keys.len() < 2 {
        let e = again.next().await.expect("the missed events come");
        assert_ne!(e.id, last, "the last event received is not sent again");
        if e.event == "role.created" {
            keys.push(e.data["data"]["key"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(keys, ["two", "three"]);

    let mut unknown = Subscriber::open(&app, &owner.token, Some("not-an-event")).await;
    assert_eq!(unknown.next().await.unwrap().event, "reset", "an unknown id says: reload");
}

#[tokio::test]
async fn api_keys_do_not_stream() {
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let r = app
        .post(&owner.token, &format!("/v1/orgs/{}/api-keys", org.id), json!({"name": "k", "permissions": ["org:read"]}))
        .await;
    let key = r.body["secret"].as_str().unwrap().to_owned();
    app.get(&key, "/v1/events").await.assert_problem(403, "forbidden");
}

/// A change committed through replica A reaches a subscriber on replica B.
/// Prints the latency (docs/benchmarks.md has the measured numbers).
#[tokio::test]
async fn a_change_through_one_replica_reaches_another() {
    let a = TestApp::start().await;
    let b = a.replica().await;
    let owner = a.user("owner@example.com", "Owner").await;
    let org = a.org(&owner, "Acme").await;
    let mut on_b = Subscriber::open(&b, &owner.token, None).await;
    let mut latencies = Vec::new();
    for i in 0..5 {
        let started = Instant::now();
        role(&a, &owner, &org, &format!("r{i}")).await;
        let events = on_b.until("role.created").await;
        latencies.push(started.elapsed());
        assert_eq!(events.last().unwrap().data["data"]["key"], format!("r{i}"));
    }
    println!("commit on A to event on B: {latencies:?}");
}

#[tokio::test]
async fn a_removed_member_stops_receiving_at_once() {
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let leaver = app.member(&owner, &org, "leaver@example.com", "member").await;
    let mut as_owner = Subscriber::open(&app, &owner.token, None).await;
    let mut as_leaver = Subscriber::open(&app, &leaver.token, None).await;
    let r = app.delete(&owner.token, &format!("/v1/orgs/{}/members/{}", org.id, leaver.id)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let last = as_leaver.until("member.removed").await;
    assert_eq!(last.last().unwrap().data["data"]["user_id"], leaver.id.as_str(), "they learn they were removed");
    role(&app, &owner, &org, "after").await;
    as_owner.until("role.created").await;
    // The owner's stream has it; the removed member's gets nothing more.
    let next = tokio::time::timeout(Duration::from_secs(2), as_leaver.next()).await;
    assert!(next.is_err() || next.unwrap().is_none(), "nothing of the org after the removal");
}

/// Someone invited learns it on their own stream, from an org they are not
/// in; an invitation to someone else of that org is not theirs to see.
#[tokio::test]
async fn an_invitee_learns_of_their_invitation() {
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let invitee = app.user("invitee@example.com", "Invitee").await;
    let mut as_invitee = Subscriber::open(&app, &invitee.token, None).await;
    app.invite(&owner, &org, "someone.else@example.com", "member").await;
    app.invite(&owner, &org, "Invitee@Example.com", "member").await;
    let event = as_invitee.next().await.expect("the invitation reaches the invitee");
    assert_eq!(event.event, "invitation.created");
    assert_eq!(event.data["org_id"], org.id.as_str());
    assert_eq!(event.data["data"]["email"].as_str().map(str::to_lowercase).as_deref(), Some("invitee@example.com"));
    role(&app, &owner, &org, "not-for-them").await;
    let next = tokio::time::timeout(Duration::from_secs(2), as_invitee.next()).await;
    assert!(next.is_err() || next.unwrap().is_none(), "nothing else of an org they are not in");
}

/// A partner's support person streams the customer's events while the
/// relationship holds: never another partner's relationship, nothing
/// after the end.
#[tokio::test]
async fn a_delegated_person_streams_the_customer_until_the_end() {
    use crate::partners::{partnership, relate};
    let app = TestApp::start().await;
    let p = partnership(&app, "stream", &["admin"]).await;
    let mut as_support = Subscriber::open(&app, &p.support.token, None).await;
    let mut as_bystander = Subscriber::open(&app, &p.bystander.token, None).await;
    app.invite(&p.customer_owner, &p.customer, "new@customer.example", "member").await;
    // (The setup's invitations into the partner org may come first.)
    while as_support.until("invitation.created").await.last().unwrap().data["org_id"] != p.customer.id.as_str() {}
    // Another partner asks the same customer: not for this partner's people.
    let other = partnership(&app, "stream2", &["admin"]).await;
    relate(&app, &other.partner_admin, &other.partner, &p.customer, &p.customer_owner, &["viewer"]).await;
    role(&app, &p.customer_owner, &p.customer, "marker").await;
    let got = as_support.until("role.created").await;
    assert!(
        got.iter()
            .all(|e| !e.event.starts_with("partner_relationship.") || e.data["data"]["id"] == p.relationship.as_str()),
        "another partner's relationship events are not sent: {got:?}"
    );
    // The customer ends it: the support person learns it, then gets nothing more.
    let end = format!("/v1/orgs/{}/partner-access/{}/end", p.customer.id, p.relationship);
    assert_eq!(app.post(&p.customer_owner.token, &end, json!({})).await.status, StatusCode::NO_CONTENT);
    let ended = as_support.until("partner_relationship.ended").await;
    assert_eq!(ended.last().unwrap().data["data"]["id"], p.relationship.as_str());
    role(&app, &p.customer_owner, &p.customer, "after").await;
    // (The partner org's own record of the end may still come: they are its member.)
    let later = customer_event(&mut as_support, &p.customer.id, 2).await;
    assert!(later.is_none(), "nothing of the customer after the end: {later:?}");
    // A partner member in no assigned team never streamed the customer.
    let quiet = customer_event(&mut as_bystander, &p.customer.id, 1).await;
    assert!(quiet.is_none(), "the bystander got a customer event: {quiet:?}");
}

/// The first event of `org_id` within `secs` seconds, if any.
async fn customer_event(subscriber: &mut Subscriber, org_id: &str, secs: u64) -> Option<SseEvent> {
    let found = tokio::time::timeout(Duration::from_secs(secs), async {
        while let Some(e) = subscriber.next().await {
            if e.data["org_id"] == org_id {
                return Some(e);
            }
        }
        None
    })
    .await;
    found.ok().flatten()
}
