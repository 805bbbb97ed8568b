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
    let metrics = app.call(Method::GET, "/metrics", None, None).await;
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
        "/v1/me/people/remove",
        "/v1/orgs/{org}/audit.csv",
        "/metrics",
    ] {
        assert!(paths.contains_key(p), "{p} is documented");
    }
    assert!(paths.len() >= 35, "{} paths", paths.len());
    assert!(doc.body["components"]["schemas"]["Problem"].is_object());
}
