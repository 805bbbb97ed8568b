//! Webhooks: deliveries to a real HTTP receiver (tests/webhooks/receiver.py)
//! that verifies every signature with the Standard Webhooks reference
//! library; retries, the delivery log, test events, replays, rotation,
//! automatic disabling, and the request-forgery guard.

use std::path::PathBuf;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::{test_webhooks, Org, TestApp, User};

/// The receiver's process, killed on drop.
pub struct Receiver {
    pub base: String,
    http: reqwest::Client,
    _child: tokio::process::Child,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let venv = std::env::var("ORGDESK_VENV")
            .map(PathBuf::from)
            .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/orgdesk-venv"));
        let python = venv.join("bin/python");
        let ready = std::process::Command::new(&python).args(["-c", "import standardwebhooks"]).status();
        assert!(
            ready.is_ok_and(|s| s.success()),
            "the webhook tests need the standardwebhooks package: run scripts/setup.d/15-python.sh"
        );
        let mut child = tokio::process::Command::new(python)
            .arg(root.join("tests/webhooks/receiver.py"))
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the receiver");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = lines.next_line().await.unwrap().expect("the receiver says where it listens");
        let port = line.strip_prefix("listening ").expect("listening <port>").to_owned();
        Receiver { base: format!("http://127.0.0.1:{port}"), http: reqwest::Client::new(), _child: child }
    }

    pub async fn secrets(&self, secrets: &[&str]) {
        let r = self.http.post(format!("{}/_control/secrets", self.base)).json(&json!({"secrets": secrets})).send();
        assert!(r.await.unwrap().status().is_success());
    }

    pub async fn plan(&self, path: &str, answers: Value, then: Value) {
        let body = json!({"path": path, "answers": answers, "then": then});
        let r = self.http.post(format!("{}/_control/plan", self.base)).json(&body).send();
        assert!(r.await.unwrap().status().is_success());
    }

    pub async fn log(&self) -> Vec<Value> {
        let r = self.http.get(format!("{}/_control/log", self.base)).send().await.unwrap();
        r.json::<Vec<Value>>().await.unwrap()
    }

    /// Waits (up to a minute) until `done` holds for the log.
    pub async fn wait_for(&self, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        for _ in 0..600 {
            let log = self.log().await;
            if done(&log) {
                return log;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the receiver never saw {what}: {:?}", self.log().await);
    }
}

/// An endpoint of `org` to `url`, and its secret.
pub async fn endpoint(app: &TestApp, owner: &User, org: &Org, url: &str, types: Value) -> (String, String) {
    let r = app
        .post(&owner.token, &format!("/v1/orgs/{}/webhooks", org.id), json!({"url": url, "event_types": types}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let secret = app.get(&owner.token, &format!("/v1/orgs/{}/webhooks/{id}/secret", org.id)).await;
    assert_eq!(secret.status, StatusCode::OK, "{}", secret.text);
    (id, secret.body["secret"].as_str().unwrap().to_owned())
}

async fn deliveries(app: &TestApp, owner: &User, org: &Org, id: &str) -> Vec<Value> {
    let r = app.get(&owner.token, &format!("/v1/orgs/{}/webhooks/{id}/deliveries", org.id)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body.as_array().unwrap().clone()
}

/// Waits until the endpoint's deliveries satisfy `done`.
async fn wait_deliveries(
    app: &TestApp,
    owner: &User,
    org: &Org,
    id: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    for _ in 0..600 {
        let list = deliveries(app, owner, org, id).await;
        if done(&list) {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the deliveries never got there: {:?}", deliveries(app, owner, org, id).await);
}

#[tokio::test]
async fn deliveries_verify_with_the_reference_library() {
    let receiver = Receiver::start().await;
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let (_, secret) =
        endpoint(&app, &owner, &org, &format!("{}/hooks", receiver.base), json!(["member.added", "member.updated"]))
            .await;
    receiver.secrets(&[&secret]).await;

    let bob = app.member(&owner, &org, "bob@example.com", "member").await;
    let r =
        app.patch(&owner.token, &format!("/v1/orgs/{}/members/{}", org.id, bob.id), json!({"role": "viewer"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    let log = receiver.wait_for("two deliveries", |log| log.len() >= 2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let log = if receiver.log().await.len() > log.len() { receiver.log().await } else { log };
    assert_eq!(log.len(), 2, "invitation.* is filtered out: {log:?}");
    for entry in &log {
        assert_eq!(entry["verified"], true, "the reference library verifies: {entry}");
    }
    // Deliveries run concurrently and may arrive in any order; event ids sort in time.
    let mut log = log;
    log.sort_by_key(|e| e["webhook_id"].as_str().unwrap().to_owned());
    let bodies: Vec<Value> = log.iter().map(|e| serde_json::from_str(e["body"].as_str().unwrap()).unwrap()).collect();
    let types: Vec<&str> = bodies.iter().map(|b| b["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["member.added", "member.updated"]);
    assert_eq!(bodies[1]["data"]["role"], "viewer");
    assert_eq!(log[0]["webhook_id"], bodies[0]["id"], "webhook-id is the event's id");

    // Another secret does not verify (the check can fail).
    receiver.secrets(&["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]).await;
    let r =
        app.patch(&owner.token, &format!("/v1/orgs/{}/members/{}", org.id, bob.id), json!({"role": "member"})).await;
    assert_eq!(r.status, StatusCode::OK);
    let log = receiver.wait_for("a third delivery", |log| log.len() >= 3).await;
    assert_eq!(log[2]["verified"], false, "{:?}", log[2]);
}

/// Makes the endpoint's failed deliveries due now, once `attempts` are logged.
async fn retry_now(app: &TestApp, owner: &User, org: &Org, id: &str, attempts: i64) {
    wait_deliveries(app, owner, org, id, |d| d.iter().any(|x| x["attempts"] == attempts)).await;
    app.sql(
        "UPDATE webhook_deliveries SET next_attempt_at = 0 WHERE endpoint_id = $1 AND status = 'pending' AND attempts > 0",
        &[id],
    )
    .await;
}

#[tokio::test]
async fn failures_and_timeouts_are_retried_with_the_same_webhook_id() {
    let receiver = Receiver::start().await;
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let (id, secret) = endpoint(&app, &owner, &org, &format!("{}/flaky", receiver.base), json!(["*"])).await;
    receiver.secrets(&[&secret]).await;
    receiver.plan("/flaky", json!([500, "slow"]), json!(200)).await;

    let r = app.post(&owner.token, &format!("/v1/orgs/{}/webhooks/{id}/test", org.id), json!({})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    retry_now(&app, &owner, &org, &id, 1).await;
    retry_now(&app, &owner, &org, &id, 2).await;
    let list = wait_deliveries(&app, &owner, &org, &id, |d| d[0]["status"] == "delivered").await;
    let log = &list[0]["log"];
    assert_eq!(log.as_array().unwrap().len(), 3, "{log}");
    assert_eq!(log[0]["status_code"], 500);
    assert!(log[0]["response_excerpt"].as_str().unwrap().len() <= 1024, "the answer is capped");
    assert!(log[1]["status_code"].is_null() && log[1]["error"].as_str().unwrap().contains("timed out"), "{}", log[1]);
    assert_eq!(log[2]["status_code"], 200);
    let seen = receiver.log().await;
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|e| e["webhook_id"] == list[0]["message_id"]), "one webhook-id on every try");
    assert!(seen.iter().all(|e| e["verified"] == true));
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let receiver = Receiver::start().await;
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let (id, _) = endpoint(&app, &owner, &org, &format!("{}/moved", receiver.base), json!(["*"])).await;
    receiver.plan("/moved", json!([]), json!(302)).await;
    app.post(&owner.token, &format!("/v1/orgs/{}/webhooks/{id}/test", org.id), json!({})).await;
    let list = wait_deliveries(&app, &owner, &org, &id, |d| d[0]["attempts"] == 1).await;
    assert_eq!(list[0]["log"][0]["status_code"], 302);
    assert_eq!(list[0]["status"], "pending", "a redirect is a failure, retried later");
    let seen = receiver.log().await;
    assert!(seen.iter().all(|e| e["path"] != "/redirected"), "the redirect was never followed: {seen:?}");
}

#[tokio::test]
async fn private_targets_are_refused_at_save_and_at_connect() {
    let receiver = Receiver::start().await;
    let strict = orgdesk_server::WebhookOptions { allow_private: false, ..test_webhooks() };
    let app = TestApp::start_with_webhooks(strict).await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let path = format!("/v1/orgs/{}/webhooks", org.id);
    let port = receiver.base.rsplit(':').next().unwrap().to_owned();
    for url in [
        format!("{}/plain-http", receiver.base),
        format!("https://127.0.0.1:{port}/loopback"),
        "https://10.0.0.8/private".to_owned(),
        "https://169.254.169.254/latest/meta-data".to_owned(),
        "https://[::1]/v6".to_owned(),
        format!("https://localhost:{port}/a-name-for-127.0.0.1"),
        "https://user:pw@example.com/creds".to_owned(),
    ] {
        let r = app.post(&owner.token, &path, json!({"url": url, "event_types": ["*"]})).await;
        r.assert_problem(422, "validation_failed");
    }
    // Saved while it pointed elsewhere, now resolving to 127.0.0.1 (or an
    // address typed in): refused when connecting.
    let r = app.post(&owner.token, &path, json!({"url": "https://example.com/hooks", "event_types": ["*"]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "a public name is accepted: {}", r.text);
    let id = r.body["id"].as_str().unwrap().to_owned();
    for (n, target) in
        [format!("https://localhost:{port}/rebound"), format!("https://127.0.0.1:{port}/literal")].iter().enumerate()
    {
        app.sql("UPDATE webhook_endpoints SET url = $1 WHERE id = $2", &[target, &id]).await;
        app.post(&owner.token, &format!("/v1/orgs/{}/webhooks/{id}/test", org.id), json!({})).await;
        let list = wait_deliveries(&app, &owner, &org, &id, |d| d.len() == n + 1 && d[0]["attempts"] == 1).await;
        let error = list[0]["log"][0]["error"].as_str().unwrap_or_default().to_owned();
        assert!(error.contains("public address"), "{target}: {error}");
    }
    assert!(receiver.log().await.is_empty(), "nothing reached the receiver");
}

#[tokio::test]
async fn rotation_signs_with_both_secrets_during_the_overlap() {
    let receiver = Receiver::start().await;
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let (id, old) = endpoint(&app, &owner, &org, &format!("{}/r", receiver.base), json!(["*"])).await;
    let r = app
        .post(&owner.token, &format!("/v1/orgs/{}/webhooks/{id}/rotate-secret", org.id), json!({"overlap_hours": 1}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let new = r.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert_eq!(r.body["previous_secret"], old.as_str());

    for (n, secret) in [&old, &new].iter().enumerate() {
        receiver.secrets(&[secret]).await;
        app.post(&owner.token, &format!("/v1/orgs/{}/webhooks/{id}/test", org.id), json!({})).await;
        let log = receiver.wait_for("the test event", |log| log.len() > n).await;
        assert_eq!(log[n]["verified"], true, "secret {n} verifies during the overlap: {}", log[n]);
        assert_eq!(log[n]["signature"].as_str().unwrap().split(' ').count(), 2);
    }
    // Without an overlap only the new secret signs.
    let r = app
        .post(&owner.token, &format!("/v1/orgs/{}/webhooks/{id}/rotate-secret", org.id), json!({"overlap_hours": 0}))
        .await;
    let newest = r.body["secret"].as_str().unwrap().to_owned();
    assert!(r.body["previous_secret"].is_null(), "{}", r.text);
    receiver.secrets(&[&new]).await;
    app.post(&owner.token, &format!("/v1/orgs/{}/webhooks/{id}/test", org.id), json!({})).await;
    let log = receiver.wait_for("a third test", |log| log.len() > 2).await;
    assert_eq!(log[2]["verified"], false, "the replaced secret no longer verifies");
    receiver.secrets(&[&newest]).await;
    app.post(&owner.token, &format!("/v1/orgs/{}/webhooks/{id}/test", org.id), json!({})).await;
    let log = receiver.wait_for("a fourth test", |log| log.len() > 3).await;
    assert_eq!(log[3]["verified"], true);
}

#[tokio::test]
async fn a_replay_sends_the_same_message_again() {
    let receiver = Receiver::start().await;
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let (id, secret) =
        endpoint(&app, &owner, &org, &format!("{}/replayed", receiver.base), json!(["role.created"])).await;
    receiver.secrets(&[&secret]).await;
    let r = app
        .post(
            &owner.token,
            &format!("/v1/orgs/{}/roles", org.id),
            json!({"key": "agent", "name": "Agent", "permissions": ["org:read"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let list = wait_deliveries(&app, &owner, &org, &id, |d| d.len() == 1 && d[0]["status"] == "delivered").await;
    let r = app
        .post(
            &owner.token,
            &format!("/v1/orgs/{}/webhooks/{id}/deliveries/{}/replay", org.id, list[0]["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let log = receiver.wait_for("the replay", |log| log.len() == 2).await;
    assert_eq!(log[0]["webhook_id"], log[1]["webhook_id"]);
    assert_eq!(log[0]["body"], log[1]["body"]);
    assert!(log.iter().all(|e| e["verified"] == true));
    let r =
        app.post(&owner.token, &format!("/v1/orgs/{}/webhooks/{id}/deliveries/nope/replay", org.id), json!({})).await;
    r.assert_problem(404, "not_found");
}

#[tokio::test]
async fn a_day_of_failures_disables_the_endpoint_and_tells_the_owner() {
    let receiver = Receiver::start().await;
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let (id, _) = endpoint(&app, &owner, &org, &format!("{}/down", receiver.base), json!(["*"])).await;
    receiver.plan("/down", json!([]), json!(503)).await;
    app.post(&owner.token, &format!("/v1/orgs/{}/webhooks/{id}/test", org.id), json!({})).await;
    wait_deliveries(&app, &owner, &org, &id, |d| d[0]["attempts"] == 1).await;
    let ep = app.get(&owner.token, &format!("/v1/orgs/{}/webhooks/{id}", org.id)).await;
    assert_eq!(ep.body["enabled"], true, "one failure is not a day of them");
    assert!(ep.body["failing_since"].is_string());

    // A day later, still failing. (The first attempt's own check may
    // already see the day when the worker gets to it after this UPDATE;
    // then the endpoint is disabled without the retry, which is as right.)
    app.sql("UPDATE webhook_endpoints SET failing_since = failing_since - 90000000 WHERE id = $1", &[&id]).await;
    retry_now(&app, &owner, &org, &id, 1).await;
    let mut ep = Value::Null;
    for _ in 0..1200 {
        ep = app.get(&owner.token, &format!("/v1/orgs/{}/webhooks/{id}", org.id)).await.body;
        if ep["enabled"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(ep["enabled"], false, "{ep}");
    let audit = app.get(&owner.token, &format!("/v1/orgs/{}/audit?action=webhook.disabled", org.id)).await;
    assert_eq!(audit.body["items"][0]["actor_name"], "Orgdesk", "{}", audit.text);
    let mail = app.call(reqwest::Method::GET, &format!("/v1/dev/outbox?to={}", owner.email), None, None).await;
    assert!(mail.text.contains("was disabled"), "the owner is told: {}", mail.text);

    // Enabling it again clears the failure run.
    let r = app.patch(&owner.token, &format!("/v1/orgs/{}/webhooks/{id}", org.id), json!({"enabled": true})).await;
    assert_eq!(r.body["enabled"], true, "{}", r.text);
    assert!(r.body["failing_since"].is_null() && r.body["disabled_reason"].is_null(), "{}", r.text);
}

#[tokio::test]
async fn endpoints_check_their_input() {
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let path = format!("/v1/orgs/{}/webhooks", org.id);
    for body in [
        json!({"url": "https://example.com/h", "event_types": []}),
        json!({"url": "https://example.com/h", "event_types": ["member.exploded"]}),
        json!({"url": "ftp://example.com/h", "event_types": ["*"]}),
        json!({"url": "not a url", "event_types": ["*"]}),
    ] {
        app.post(&owner.token, &path, body).await.assert_problem(422, "validation_failed");
    }
    let member = app.member(&owner, &org, "m@example.com", "member").await;
    app.get(&member.token, &path).await.assert_problem(403, "forbidden");
    let unkeyed =
        TestApp::start_with_webhooks(orgdesk_server::WebhookOptions { secret_key: None, ..test_webhooks() }).await;
    let owner = unkeyed.user("owner@example.com", "Owner").await;
    let org = unkeyed.org(&owner, "Acme").await;
    let r = unkeyed
        .post(
            &owner.token,
            &format!("/v1/orgs/{}/webhooks", org.id),
            json!({"url": "https://example.com/h", "event_types": ["*"]}),
        )
        .await;
    r.assert_problem(503, "unavailable");
}

/// An `orgdesk-server` process on `url` that delivers webhooks; killed on drop.
struct Replica {
    child: tokio::process::Child,
}

async fn replica(url: &str) -> Replica {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_orgdesk-server"))
        .args(["--database-url", url, "--listen", &format!("127.0.0.1:{port}")])
        .args(["--webhook-secret-key", crate::support::WEBHOOK_KEY, "--webhooks-allow-private"])
        .args(["--webhook-timeout-secs", "2"])
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start a replica");
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if http.get(format!("http://127.0.0.1:{port}/readyz")).send().await.is_ok_and(|r| r.status().is_success()) {
            return Replica { child };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the replica never became ready");
}

/// Replicas deliver from one PostgreSQL; the first is killed with SIGKILL
/// while its deliveries are in flight (the receiver holds each answer 1.5 s),
/// the second takes over when their leases run out. Every committed event
/// arrives, and a message that arrives twice has the same webhook-id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_mid_delivery_loses_nothing() {
    if !crate::support::on_postgres() {
        println!("skipped: replicas share a database only on PostgreSQL (ORGDESK_TEST_DATABASE=postgres)");
        return;
    }
    let receiver = Receiver::start().await;
    receiver.plan("/kill", json!([]), json!("delay")).await;
    // The API only: delivery is the replicas' job.
    let app = TestApp::start_with_webhooks(orgdesk_server::WebhookOptions { deliver: false, ..test_webhooks() }).await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let (_, secret) = endpoint(&app, &owner, &org, &format!("{}/kill", receiver.base), json!(["role.created"])).await;
    receiver.secrets(&[&secret]).await;
    let mut a = replica(&app.url).await;

    const EVENTS: usize = 60;
    for i in 0..EVENTS {
        let r = app
            .post(
                &owner.token,
                &format!("/v1/orgs/{}/roles", org.id),
                json!({"key": format!("r{i}"), "name": format!("R{i}"), "permissions": ["org:read"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let in_flight = receiver.wait_for("the first deliveries", |log| log.len() >= 5).await.len();
    a.child.start_kill().expect("SIGKILL the replica");
    a.child.wait().await.unwrap();
    let pending: i64 =
        on_pool!(app, |p| sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'")
            .fetch_one(p)
            .await
            .unwrap());
    assert!(pending > 0, "the kill came while deliveries were still under way");
    let _b = replica(&app.url).await;

    let committed: Vec<String> =
        on_pool!(app, |p| sqlx::query_scalar("SELECT id FROM events WHERE org_id = $1 AND type = 'role.created'")
            .bind(&org.id)
            .fetch_all(p)
            .await
            .unwrap());
    assert_eq!(committed.len(), EVENTS);
    // Delivered means answered with a 2xx and recorded: the killed replica's
    // requests reached the receiver but never got that far.
    let mut delivered = 0;
    for _ in 0..600 {
        delivered =
            on_pool!(app, |p| sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'delivered'")
                .fetch_one(p)
                .await
                .unwrap());
        if delivered == EVENTS as i64 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(delivered, EVENTS as i64, "every delivery is recorded as delivered");
    let log = receiver.log().await;
    for id in &committed {
        assert!(log.iter().any(|e| e["webhook_id"] == id.as_str()), "event {id} reached the receiver");
    }
    for entry in &log {
        assert_eq!(entry["verified"], true, "{entry}");
        let id = entry["webhook_id"].as_str().unwrap();
        assert!(committed.iter().any(|c| c == id), "only committed events are delivered: {id}");
        let body: Value = serde_json::from_str(entry["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["id"], id, "a duplicate carries its message's own webhook-id");
    }
    println!(
        "{EVENTS} events; {in_flight} requests of the killed replica reached the receiver; \
         {} deliveries received in all ({} duplicates)",
        log.len(),
        log.len() - EVENTS
    );
}

/// The attempts of the endpoint's deliveries, read from the table (the
/// endpoint and its log are gone with the org).
async fn attempts_in_table(app: &TestApp, endpoint_id: &str) -> Vec<(String, i64)> {
    on_pool!(app, |p| sqlx::query_as(
        "SELECT status, attempts FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY created_at, id"
    )
    .bind(endpoint_id)
    .fetch_all(p)
    .await)
    .unwrap()
}

async fn prune(app: &TestApp) {
    let mut conn = app.state.db.pool.acquire().await.unwrap();
    let now = orgdesk_server::time::now_ms();
    orgdesk_server::store::webhooks::prune(&mut conn, now - 30 * orgdesk_server::time::DAY).await.unwrap();
}

#[tokio::test]
async fn org_deleted_is_delivered_after_the_org_and_its_endpoints_are_gone() {
    let receiver = Receiver::start().await;
    let app = TestApp::start().await;
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Acme").await;
    let base = &receiver.base;
    let (gone, secret) = endpoint(&app, &owner, &org, &format!("{base}/gone"), json!(["org.deleted"])).await;
    let (other, _) = endpoint(&app, &owner, &org, &format!("{base}/other"), json!(["org.updated"])).await;
    // A pending delivery to an endpoint disabled by a person stays unsent.
    let (off, _) = endpoint(&app, &owner, &org, &format!("{base}/off"), json!(["member.added"])).await;
    receiver.secrets(&[&secret]).await;
    receiver.plan("/gone", json!([500, 500]), json!(200)).await;
    receiver.plan("/off", json!([]), json!(503)).await;
    app.member(&owner, &org, "bob@example.com", "member").await;
    receiver.wait_for("the failed member.added", |log| log.iter().any(|e| e["path"] == "/off")).await;
    let r = app.patch(&owner.token, &format!("/v1/orgs/{}/webhooks/{off}", org.id), json!({"enabled": false})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    let path = format!("/v1/orgs/{}", org.id);
    let r = app.call(reqwest::Method::DELETE, &path, Some(&owner.token), Some(json!({"confirm_slug": org.slug}))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    // Due: the delivery to the subscribed endpoint, which carries its own
    // URL now; not the one to the endpoint a person disabled.
    let later = orgdesk_server::time::now_ms() + orgdesk_server::time::DAY;
    let due = orgdesk_server::store::webhooks::due(&app.state.db.pool, later, 100).await.unwrap();
    let due: Vec<(&str, bool)> = due.iter().map(|d| (d.endpoint_id.as_str(), d.endpoint_gone)).collect();
    assert_eq!(due, [(gone.as_str(), true)]);
    // The janitor keeps it, and drops the other.
    prune(&app).await;
    assert_eq!(attempts_in_table(&app, &gone).await.len(), 1);
    assert_eq!(attempts_in_table(&app, &off).await, []);

    // Two 500s, then a 200: each retry is made due now once its failure is
    // settled (once: a second UPDATE could cut a lease short).
    for failures in [1, 2] {
        for _ in 0..600 {
            if attempts_in_table(&app, &gone).await.iter().any(|(s, a)| s == "pending" && *a == failures) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let sql = "UPDATE webhook_deliveries SET next_attempt_at = 0 WHERE endpoint_id = $1 AND attempts = CAST($2 AS BIGINT)";
        app.sql(sql, &[&gone, &failures.to_string()]).await;
    }
    for _ in 0..600 {
        if attempts_in_table(&app, &gone).await.iter().any(|(s, _)| s == "delivered") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(attempts_in_table(&app, &gone).await, [("delivered".to_owned(), 3)], "retried twice, then delivered");
    // Another scan of the outbox (it runs every second at the latest).
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let log = receiver.log().await;
    let to_gone: Vec<&Value> = log.iter().filter(|e| e["path"] == "/gone").collect();
    assert_eq!(to_gone.len(), 3, "two 500s, then the 200: {log:?}");
    assert!(to_gone.iter().all(|e| e["verified"] == true), "the reference library verifies: {to_gone:?}");
    assert!(to_gone.iter().all(|e| e["webhook_id"] == to_gone[0]["webhook_id"]), "one message, retried");
    let body: Value = serde_json::from_str(to_gone[2]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["type"], "org.deleted");
    assert_eq!(body["id"], to_gone[2]["webhook_id"]);
    assert_eq!(body["org_id"], org.id.as_str());
    assert!(log.iter().all(|e| e["path"] != "/other"), "not subscribed, nothing sent: {log:?}");
    assert_eq!(log.iter().filter(|e| e["path"] == "/off").count(), 1, "disabled, never retried: {log:?}");
    assert_eq!(attempts_in_table(&app, &other).await, []);

    // Once finished, the janitor drops it: nobody can read its log.
    prune(&app).await;
    assert_eq!(attempts_in_table(&app, &gone).await, []);
}
