use reqwest::{Method, StatusCode};

use crate::support::TestApp;

#[tokio::test]
async fn health_readiness_metrics_and_request_ids() {
    let app = TestApp::start().await;
    let health = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!((health.status, health.text.as_str()), (StatusCode::OK, "ok"));
    let ready = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.status, StatusCode::OK);
    assert!(ready.header("x-request-id").is_some_and(|id| id.len() == 36), "every answer carries a request id");
    app.call(Method::GET, "/v1/nowhere", None, None).await.assert_problem(404, "not_found");
    // Metrics are the operator's: no token or a wrong one answers 401.
    app.call(Method::GET, "/metrics", None, None).await.assert_problem(401, "unauthenticated");
    app.call(Method::GET, "/metrics", Some("guess"), None).await.assert_problem(401, "unauthenticated");
    let metrics = app.call(Method::GET, "/metrics", Some(crate::support::METRICS_TOKEN), None).await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(metrics.text.contains("orgdesk_http_requests_total{method=\"GET\",status=\"404\"} 1"), "{}", metrics.text);
    assert!(metrics.text.contains("orgdesk_http_request_duration_seconds_count"));
}

#[tokio::test]
async fn openapi_document_describes_every_route() {
    let app = TestApp::start().await;
    let doc = app.call(Method::GET, "/openapi.json", None, None).await;
    assert_eq!(doc.body["openapi"], "3.1.0");
    let paths = doc.body["paths"].as_object().unwrap();
    for p in [
        "/v1/auth/signup",
        "/v1/orgs/{org}/members",
        "/v1/orgs/{org}/members/{user_id}",
        "/v1/orgs/{org}/invitations",
        "/v1/invitations/{token}/accept",
        "/v1/me/managed-invitations",
        "/v1/me/managed-invitations/page",
        "/v1/me/people/remove",
        "/v1/orgs/{org}/audit.csv",
        "/metrics",
    ] {
        assert!(paths.contains_key(p), "{p} is documented");
    }
    assert!(paths.len() >= 35, "{} paths", paths.len());
    assert!(doc.body["components"]["schemas"]["Problem"].is_object());
}

/// Captures every log line of this test process at TRACE level.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn tokens_and_passwords_never_reach_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber =
        tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_writer(move || writer.clone()).finish();
    tracing::subscriber::set_global_default(subscriber).expect("only this test installs a subscriber");

    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    app.invite(&ada, &org, "dan@example.com", "member").await;
    let invite = app.token_from_outbox("dan@example.com", "/invite/").await;
    app.http.get(format!("{}/invite/{invite}", app.base)).send().await.unwrap();
    app.call(Method::GET, &format!("/v1/invitations/{invite}"), None, None).await;
    app.http
        .post(format!("{}/invite/{invite}/signup", app.base))
        .form(&[("name", "Dan"), ("password", "dans secret pw")])
        .send()
        .await
        .unwrap();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("/v1/orgs"), "requests are logged at all: {logs}");
    assert!(logs.contains("request_id"), "with their request id");
    for secret in [ada.token.as_str(), invite.as_str(), crate::support::PASSWORD, "dans secret pw"] {
        assert!(!logs.contains(secret), "a secret reached the logs");
    }
}

/// The OpenAPI document is committed (`crates/server/openapi.json`), so a
/// change to the API shows in review. Regenerate with
/// `ORGDESK_UPDATE_OPENAPI=1 cargo test -p orgdesk-server --test api openapi`.
#[tokio::test]
async fn openapi_document_matches_the_committed_one() {
    let app = TestApp::start().await;
    let doc = app.call(Method::GET, "/openapi.json", None, None).await;
    let current = serde_json::to_string_pretty(&doc.body).unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    if std::env::var("ORGDESK_UPDATE_OPENAPI").is_ok() {
        std::fs::write(&path, &current).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "crates/server/openapi.json is stale: run `ORGDESK_UPDATE_OPENAPI=1 cargo test -p orgdesk-server --test api openapi` and commit it"
    );
}
