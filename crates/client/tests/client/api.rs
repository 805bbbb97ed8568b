//! The typed API client: errors with stable codes, ETags, If-Match,
//! Idempotency-Key, plain-http refusal, and bad answers that must not panic.

use orgdesk_client::core::api::{CreateInvitations, UpdateMember, UpdateOrg};
use orgdesk_client::{Api, ApiOptions, Code, Fetched, Source};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{accounts, personal_org, sign_up_verified, TestServer};

#[tokio::test]
async fn wrong_password_is_a_typed_error() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    let session = sign_up_verified(&accounts, &server, "Wanda").await;
    let email = session.account().unwrap().email;
    let err =
        accounts.sign_in(&server.url, &email, "not the password").await.expect_err("a wrong password must be refused");
    assert_eq!(err.code(), Code::InvalidCredentials, "{err}");
    let ui = err.to_ui();
    let json = serde_json::to_value(&ui).unwrap();
    assert_eq!(json["code"], "invalid_credentials", "the UI sees {{code, message}}: {json}");
    assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn plain_http_is_refused_except_to_this_machine() {
    let err = Api::new("http://orgdesk.example.com", ApiOptions::default()).expect_err("plain http to a remote host");
    assert_eq!(err.code(), Code::InsecureUrl);
    assert!(Api::new("https://orgdesk.example.com", ApiOptions::default()).is_ok());
    assert!(Api::new("http://127.0.0.1:1", ApiOptions::default()).is_ok());
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    let err = accounts
        .sign_in("http://example.com", "a@example.com", "pw")
        .await
        .expect_err("sign-in over plain http to a remote host");
    assert_eq!(err.code(), Code::InsecureUrl);
}

#[tokio::test]
async fn unchanged_list_costs_one_304() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    let session = sign_up_verified(&accounts, &server, "Etta").await;
    let first = session.orgs().await.unwrap();
    assert_eq!(first.source, Source::Network);
    let meter = session.meter();
    let (requests, bytes) = (meter.requests(), meter.bytes());
    let second = session.orgs().await.unwrap();
    assert_eq!(meter.requests() - requests, 1, "one request to revalidate");
    assert_eq!(meter.bytes() - bytes, 0, "a 304 has no body");
    assert_eq!(second.source, Source::Network);
    assert_eq!(second.data.len(), first.data.len(), "the cached list is served after a 304");
    let cached = session.cached_orgs().await.unwrap().expect("orgs are cached");
    assert_eq!(cached.source, Source::Cache);
    assert_eq!(cached.data.len(), first.data.len());
}

#[tokio::test]
async fn stale_org_update_is_a_conflict() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    let session = sign_up_verified(&accounts, &server, "Connie").await;
    let org_id = personal_org(&session).await;
    let org = session.org(&org_id).await.unwrap().data;
    let rename = UpdateOrg { name: Some("First rename".into()), ..Default::default() };
    let updated = session.update_org(&org_id, org.version, &rename).await.expect("update with the current version");
    assert!(updated.version > org.version);
    let again = UpdateOrg { name: Some("Lost update".into()), ..Default::default() };
    let err = session
        .update_org(&org_id, org.version, &again)
        .await
        .expect_err("an update based on a stale version must fail");
    assert_eq!(err.code(), Code::PreconditionFailed, "{err}");
    let now = session.org(&org_id).await.unwrap().data;
    assert_eq!(now.name, "First rename", "the stale write changed nothing");
}

#[tokio::test]
async fn stale_member_update_is_a_conflict() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    let owner = sign_up_verified(&accounts, &server, "Olga").await;
    let org_id = personal_org(&owner).await;
    let other_dir = tempfile::tempdir().unwrap();
    let other_accounts = crate::support::accounts(other_dir.path()).await;
    let member = sign_up_verified(&other_accounts, &server, "Max").await;
    let member_email = member.account().unwrap().email;
    let member_id = member.account().unwrap().user_id;
    let results = owner.invite(&org_id, &[member_email], "member").await.unwrap();
    let invitation = results.results[0].invitation.clone().expect("invited");
    member.call(|api| api.accept_my_invitation(&invitation.id)).await.expect("accept");

    let m = owner.call(|api| api.get_member(&org_id, &member_id)).await.unwrap();
    let to_admin = UpdateMember { role: Some("admin".into()), status: None };
    owner.update_member(&org_id, &member_id, m.version, &to_admin).await.expect("current version");
    let to_viewer = UpdateMember { role: Some("viewer".into()), status: None };
    let err = owner.update_member(&org_id, &member_id, m.version, &to_viewer).await.expect_err("stale version");
    assert_eq!(err.code(), Code::PreconditionFailed, "{err}");
}

#[tokio::test]
async fn invitation_creation_is_idempotent() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    let session = sign_up_verified(&accounts, &server, "Ines").await;
    let org_id = personal_org(&session).await;
    let req = CreateInvitations { emails: vec!["guest@example.test".into()], role: "member".into() };
    let first = session.call(|api| api.create_invitations(&org_id, &req, "key-1")).await.unwrap();
    let second = session.call(|api| api.create_invitations(&org_id, &req, "key-1")).await.unwrap();
    let id = |r: &orgdesk_client::core::api::InviteResults| r.results[0].invitation.as_ref().map(|i| i.id.clone());
    assert_eq!(id(&first), id(&second), "the same key answers the same invitation");
    let pending = session.invitations(&org_id).await.unwrap();
    assert_eq!(pending.data.items.len(), 1, "one invitation, not two");
}

/// A fake server answering each connection with `answer`, then closing.
async fn fake_server(answer: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let _ = socket.write_all(answer.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn bad_answers_are_errors_not_panics() {
    use Code::*;
    let cases: [(&'static str, &[Code]); 7] = [
        ("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 5\r\n\r\nhello", &[BadResponse]),
        // A proxy's error page keeps the status's meaning.
        ("HTTP/1.1 500 Internal Server Error\r\ncontent-length: 6\r\n\r\n<html>", &[Internal]),
        ("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n[{\"id\":", &[BadResponse, Offline]),
        // A code this build does not know, from a newer server.
        (
            "HTTP/1.1 404 Not Found\r\ncontent-type: application/problem+json\r\ncontent-length: 16\r\n\r\n{\"code\":\"nope\"}\n",
            &[NotFound],
        ),
        ("HTTP/1.1 418 I'm a teapot\r\ncontent-length: 2\r\n\r\nhi", &[BadResponse]),
        ("garbage that is not HTTP at all\r\n\r\n", &[BadResponse, Offline]),
        // Without a token, a bare 401 is not a revoked session.
        ("HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n", &[Unauthenticated]),
    ];
    for (answer, expected) in cases {
        let url = fake_server(answer).await;
        let options = ApiOptions { retries: 0, ..Default::default() };
        let api = Api::new(&url, options).unwrap();
        match api.list_orgs(None).await {
            Err(e) => assert!(expected.contains(&e.code()), "answer {answer:?} gave {:?}: {e}", e.code()),
            Ok(_) => panic!("{answer:?} cannot be a list of orgs"),
        }
    }
    // A 304 the client did not ask for is passed on as such, not a panic.
    let url = fake_server("HTTP/1.1 304 Not Modified\r\n\r\n").await;
    let api = Api::new(&url, ApiOptions::default()).unwrap();
    assert!(matches!(api.list_orgs(None).await, Ok(Fetched::NotModified)));
}

#[tokio::test]
async fn idempotent_requests_are_retried_others_are_not() {
    // Accepts and drops the first two connections, then serves a list.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let counter = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            if n >= 2 {
                let _ = socket
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n[]")
                    .await;
            }
            drop(socket);
        }
    });
    let options = ApiOptions { retries: 2, backoff: std::time::Duration::from_millis(10), ..Default::default() };
    let api = Api::new(&format!("http://{addr}"), options).unwrap();
    let orgs = api.list_orgs(None).await.expect("the third attempt succeeds");
    assert!(matches!(orgs, Fetched::Fresh { value, .. } if value.is_empty()));
    assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 3, "a GET is tried three times");

    seen.store(0, std::sync::atomic::Ordering::SeqCst);
    let req = orgdesk_client::core::api::CreateOrg { name: "X".into(), slug: None };
    let err = api.create_org(&req).await.expect_err("a dropped POST fails");
    assert_eq!(err.code(), Code::Offline);
    assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 1, "a POST without Idempotency-Key is sent once");
}

#[tokio::test]
async fn a_silent_server_times_out_as_offline() {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let options = ApiOptions {
        timeout: std::time::Duration::from_millis(300),
        retries: 1,
        backoff: std::time::Duration::from_millis(10),
        ..Default::default()
    };
    let api = Api::new(&format!("http://{addr}"), options).unwrap();
    let started = std::time::Instant::now();
    let err = api.me().await.expect_err("no answer");
    assert_eq!(err.code(), Code::Offline, "{err}");
    assert!(err.to_string().contains("timed out"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "the timeout applies");
}

#[tokio::test]
async fn a_member_list_that_never_ends_is_refused() {
    use orgdesk_client::{CancelToken, SyncMode};
    // Signs in through the real server, then syncs against a fake one whose
    // every page points to itself.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let n = socket.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                let body = if request.starts_with("POST /v1/auth/signin") {
                    r#"{"token":"ods_fake_token_0123456789abcdef0123456789","session":{"id":"s","device_name":"d","created_at":"x","last_used_at":"x","expires_at":"x","current":true},"user":{"id":"u1","email":"e@example.test","name":"E","timezone":"UTC","email_verified":true,"created_at":"x"}}"#
                } else if request.contains("/members") {
                    r#"{"items":[],"next_cursor":"same"}"#
                } else {
                    r#"{"type":"about:blank","title":"Forbidden","status":403,"detail":"no","code":"forbidden"}"#
                };
                let status = if body.contains("\"forbidden\"") { "403 Forbidden" } else { "200 OK" };
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let accounts = orgdesk_client::Accounts::open(
        dir.path(),
        orgdesk_client::ClientOptions { use_keychain: false, ..crate::support::options() },
    )
    .await
    .unwrap();
    let session = accounts.sign_in(&format!("http://{addr}"), "e@example.test", "pw").await.unwrap();
    let err = session
        .sync_members("org", SyncMode::Auto, |_| {}, &CancelToken::new())
        .await
        .expect_err("a cursor that repeats must end the sync");
    assert_eq!(err.code(), Code::BadResponse, "{err}");
}
