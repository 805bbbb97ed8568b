//! The test harness: a real server on 127.0.0.1:0 over a real database — a
//! fresh SQLite file, or a fresh PostgreSQL database when
//! ORGDESK_TEST_DATABASE=postgres (ORGDESK_TEST_POSTGRES_URL names the server).

use orgdesk_server::{AppState, Db, Limits, Options, WebhookOptions};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::sync::oneshot;

pub const PASSWORD: &str = "correct horse battery";
pub const METRICS_TOKEN: &str = "test-metrics-token";
pub const WEBHOOK_KEY: &str = "the API suite's webhook secret key, 32+ characters";

/// The suite's webhook settings: private targets allowed (the receivers run
/// on 127.0.0.1), one-second attempts.
pub fn test_webhooks() -> WebhookOptions {
    WebhookOptions {
        secret_key: Some(WEBHOOK_KEY.into()),
        allow_private: true,
        timeout: std::time::Duration::from_secs(1),
        deliver: true,
    }
}

pub struct TestApp {
    pub base: String,
    /// The database URL, for replicas on the same database.
    pub url: String,
    pub http: reqwest::Client,
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub fn on_postgres() -> bool {
    std::env::var("ORGDESK_TEST_DATABASE").is_ok_and(|v| v == "postgres")
}

pub async fn fresh_database() -> (String, Option<tempfile::TempDir>) {
    if on_postgres() {
        use sqlx::Connection;
        let admin = std::env::var("ORGDESK_TEST_POSTGRES_URL").expect(
            "ORGDESK_TEST_DATABASE=postgres needs ORGDESK_TEST_POSTGRES_URL (scripts/test.d/10-server.sh starts one)",
        );
        let mut conn = sqlx::PgConnection::connect(&admin).await.expect("connect to the PostgreSQL test server");
        let name = format!("orgdesk_test_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
        let (server, _) = admin.rsplit_once('/').expect("the URL ends in /<database>");
        (format!("{server}/{name}"), None)
    } else {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("orgdesk.db").display());
        (url, Some(dir))
    }
}

impl TestApp {
    pub async fn start() -> TestApp {
        TestApp::start_with(Limits::default()).await
    }

    pub async fn start_with(limits: Limits) -> TestApp {
        let (url, dir) = fresh_database().await;
        TestApp::serve(url, dir, limits).await
    }

    /// Another server process's worth of state (its own pool, caches and
    /// listener) on this app's database: a replica.
    pub async fn replica(&self) -> TestApp {
        TestApp::serve(self.url.clone(), None, self.state.limits.clone()).await
    }

    async fn serve(url: String, dir: Option<tempfile::TempDir>, limits: Limits) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        TestApp::serve_on(url, dir, limits, listener, Vec::new(), test_webhooks()).await
    }

    /// A server with these webhook settings.
    pub async fn start_with_webhooks(webhooks: WebhookOptions) -> TestApp {
        let (url, dir) = fresh_database().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        TestApp::serve_on(url, dir, Limits::default(), listener, Vec::new(), webhooks).await
    }

    /// A server on `listener` (bound before, so an OpenID provider can be
    /// told its callback) with these sign-in providers.
    pub async fn start_on(
        listener: tokio::net::TcpListener,
        providers: Vec<orgdesk_server::oidc::ProviderConfig>,
    ) -> TestApp {
        let (url, dir) = fresh_database().await;
        TestApp::serve_on(url, dir, Limits::default(), listener, providers, test_webhooks()).await
    }

    async fn serve_on(
        url: String,
        dir: Option<tempfile::TempDir>,
        limits: Limits,
        listener: tokio::net::TcpListener,
        oidc_providers: Vec<orgdesk_server::oidc::ProviderConfig>,
        webhooks: WebhookOptions,
    ) -> TestApp {
        let db = Db::connect(&url).await.expect("open test database");
        let addr = listener.local_addr().expect("address");
        let base = format!("http://{addr}");
        let state = orgdesk_server::state(
            db,
            Options {
                public_url: base.clone(),
                dev_outbox: true,
                limits,
                metrics_token: Some(METRICS_TOKEN.into()),
                outbox_retention_days: 7,
                oidc_providers,
                webhooks,
                stream_heartbeat: std::time::Duration::from_secs(1),
            },
        );
        let (tx, rx) = oneshot::channel();
        tokio::spawn(orgdesk_server::serve(listener, state.clone(), async {
            let _ = rx.await;
        }));
        TestApp { base, url, http: reqwest::Client::new(), state, shutdown: Some(tx), _dir: dir }
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> reqwest::RequestBuilder {
        let mut r = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r
    }

    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let mut r = self.request(method, path, token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        Reply::from(r.send().await.expect("request reaches the server")).await
    }

    pub async fn get(&self, token: &str, path: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }
    pub async fn post(&self, token: &str, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }
    pub async fn patch(&self, token: &str, path: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(token), Some(body)).await
    }
    pub async fn delete(&self, token: &str, path: &str) -> Reply {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// Signs up and verifies the address through the emailed link.
    pub async fn user(&self, email: &str, name: &str) -> User {
        let user = self.unverified_user(email, name).await;
        let token = self.token_from_outbox(email, "/verify/").await;
        let r = self.call(Method::POST, "/v1/auth/verify-email", None, Some(json!({ "token": token }))).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "verification link works: {}", r.body);
        user
    }

    pub async fn unverified_user(&self, email: &str, name: &str) -> User {
        let r = self
            .call(
                Method::POST,
                "/v1/auth/signup",
                None,
                Some(json!({ "email": email, "name": name, "password": PASSWORD })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "sign-up of {email}: {}", r.body);
        User {
            id: r.body["user"]["id"].as_str().unwrap().to_owned(),
            email: email.to_owned(),
            token: r.body["token"].as_str().unwrap().to_owned(),
        }
    }

    /// The newest token of the given link kind (`/verify/` or `/invite/`) emailed to `email`.
    pub async fn token_from_outbox(&self, email: &str, kind: &str) -> String {
        let r = self.call(Method::GET, &format!("/v1/dev/outbox?to={email}"), None, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let emails = r.body.as_array().cloned().unwrap_or_default();
        emails
            .iter()
            .find_map(|e| link_token(e["body"].as_str()?, kind))
            .unwrap_or_else(|| panic!("a {kind} link in the emails to {email}: {}", r.body))
    }

    /// A new org owned by `owner`.
    pub async fn org(&self, owner: &User, name: &str) -> Org {
        let r = self.post(&owner.token, "/v1/orgs", json!({ "name": name })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        Org { id: r.body["id"].as_str().unwrap().to_owned(), slug: r.body["slug"].as_str().unwrap().to_owned() }
    }

    /// Invites `email` with `role` and answers the invitation id.
    pub async fn invite(&self, inviter: &User, org: &Org, email: &str, role: &str) -> String {
        let r = self
            .post(
                &inviter.token,
                &format!("/v1/orgs/{}/invitations", org.id),
                json!({ "emails": [email], "role": role }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.body["results"][0]["outcome"], "invited", "{}", r.body);
        r.body["results"][0]["invitation"]["id"].as_str().unwrap().to_owned()
    }

    /// Makes an existing verified user a member with `role`, through an invitation.
    pub async fn join(&self, inviter: &User, org: &Org, user: &User, role: &str) {
        let id = self.invite(inviter, org, &user.email, role).await;
        let r = self.post(&user.token, &format!("/v1/me/invitations/{id}/accept"), json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "accepting: {}", r.body);
    }

    /// A new user who signs up through an invitation with `role`.
    pub async fn member(&self, inviter: &User, org: &Org, email: &str, role: &str) -> User {
        self.invite(inviter, org, email, role).await;
        let token = self.token_from_outbox(email, "/invite/").await;
        let r = self
            .call(
                Method::POST,
                &format!("/v1/invitations/{token}/signup"),
                None,
                Some(json!({ "name": email.split('@').next().unwrap(), "password": PASSWORD })),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "sign-up through invitation: {}", r.body);
        let session = r.body["token"].as_str().unwrap().to_owned();
        User { id: r.body["user"]["id"].as_str().unwrap().to_owned(), email: email.to_owned(), token: session }
    }

    /// Runs SQL against the server's database, for arranging what the API cannot (time travel).
    pub async fn sql(&self, statement: &str, binds: &[&str]) {
        on_pool!(self, |p| {
            let mut q = sqlx::query(statement);
            for b in binds {
                q = q.bind(*b);
            }
            q.execute(p).await.map(|_| ())
        })
        .expect("arranging SQL");
    }
}

pub async fn send(r: reqwest::RequestBuilder) -> Reply {
    Reply::from(r.send().await.expect("request reaches the server")).await
}

pub fn link_token(body: &str, kind: &str) -> Option<String> {
    let start = body.find(kind)? + kind.len();
    Some(body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect())
}

#[derive(Clone, Debug)]
pub struct User {
    pub id: String,
    pub email: String,
    pub token: String,
}

#[derive(Clone, Debug)]
pub struct Org {
    pub id: String,
    pub slug: String,
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub async fn from(r: reqwest::Response) -> Reply {
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply { status, headers, body, text }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem+json answer with this status and code.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "status of {}", self.text);
        assert_eq!(self.body["code"], code, "code of {}", self.text);
        assert_eq!(self.header("content-type"), Some("application/problem+json"));
        assert!(
            self.body["detail"].as_str().is_some_and(|d| d.len() > 10),
            "a detail a person can act on: {}",
            self.text
        );
    }
}

/// A 1×1 transparent PNG (valid: the server decodes logos whole).
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0B, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x60, 0x00, 0x02, 0x00, 0x00, 0x05, 0x00, 0x01, 0x7A, 0x5E, 0xAB, 0x3F, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];
