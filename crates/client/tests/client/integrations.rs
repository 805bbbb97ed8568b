//! API keys and webhooks through the client against the real server: a key
//! works within its scope and stops when revoked, removing a member can
//! revoke the keys they created, a webhook endpoint gets a test delivery
//! that shows in its log and can be replayed; and neither a key nor a
//! signing secret ever reaches the offline cache.

use std::time::Duration;

use orgdesk_client::core::api::UpdateWebhookEndpoint;
use orgdesk_client::{Api, ApiOptions, Code, Error, Sensitive, Session};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{accounts, personal_org, sign_up_verified, TestServer};

/// The key's own client: the API with the key as its bearer token.
fn key_client(server: &TestServer, secret: &str) -> Api {
    Api::new(&server.url, ApiOptions { retries: 0, ..Default::default() })
        .unwrap()
        .with_token(Sensitive::new(secret.to_owned()))
}

/// Nothing in the decrypted cache contains `secret`.
async fn assert_not_cached(session: &Session, secret: &str) {
    let payloads = session.opened_cache_payloads().await.unwrap();
    assert!(!payloads.is_empty(), "the cache holds something to search");
    for p in payloads {
        assert!(!p.windows(secret.len()).any(|w| w == secret.as_bytes()), "a secret is in the offline cache");
    }
}

/// Answers every request 200 with "thanks" and counts them.
async fn receiver() -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let mut got = Vec::new();
                // Headers, then the body by its length.
                loop {
                    let n = socket.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&got).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned())
                            })
                            .and_then(|v| v.parse::<usize>().ok())
                            .unwrap_or(0);
                        if got.len() >= end + 4 + length {
                            let _ = tx.send(text[end + 4..].to_owned());
                            break;
                        }
                    }
                }
                let _ =
                    socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 6\r\nconnection: close\r\n\r\nthanks").await;
            });
        }
    });
    (url, rx)
}

#[tokio::test]
async fn an_api_key_is_shown_once_works_in_its_scope_and_stops_when_revoked() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    let owner = sign_up_verified(&accounts, &server, "Kira").await;
    let org = personal_org(&owner).await;
    owner.org(&org).await.unwrap();

    let refused = owner.create_api_key(&org, "", vec!["org:read".into()], None).await.unwrap_err();
    assert_eq!(refused.code(), Code::ValidationFailed, "{refused}");
    let created = owner
        .create_api_key(
            &org,
            "Reporting",
            vec!["org:read".into(), "members:read".into()],
            Some("2099-01-01T00:00:00Z".into()),
        )
        .await
        .unwrap();
    assert!(created.secret.starts_with(&created.key.prefix), "the prefix is the key's start");
    assert_eq!(created.key.expires_at.as_deref(), Some("2099-01-01T00:00:00.000Z"));
    let listed = owner.api_keys(&org, None).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "Reporting");
    assert!(listed[0].last_used_at.is_none());

    let key = key_client(&server, &created.secret);
    key.get_org(&org, None).await.expect("the key reads the org");
    let members = orgdesk_client::core::api::MemberQuery::default();
    key.list_members(&org, &members, None).await.expect("and its members");
    let denied = key
        .create_role(
            &org,
            &serde_json::from_value(serde_json::json!({"key": "x", "name": "X", "permissions": []})).unwrap(),
        )
        .await;
    assert!(matches!(&denied, Err(Error::Api { problem, .. }) if problem.status == 403), "{denied:?}");
    assert!(owner.api_keys(&org, None).await.unwrap()[0].last_used_at.is_some(), "its use is recorded");

    owner.revoke_api_key(&org, &created.key.id).await.unwrap();
    assert!(key.get_org(&org, None).await.is_err(), "a revoked key is refused");
    assert!(owner.api_keys(&org, None).await.unwrap()[0].revoked_at.is_some());
    assert_not_cached(&owner, &created.secret).await;
}

#[tokio::test]
async fn removing_or_disabling_a_member_can_revoke_the_keys_they_created() {
    let server = TestServer::start().await;
    let (odir, mdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let owner = sign_up_verified(&accounts(odir.path()).await, &server, "Olga").await;
    let org = personal_org(&owner).await;
    let member_accounts = accounts(mdir.path()).await;
    let mut members = Vec::new();
    for name in ["Ansel", "Berit"] {
        let m = sign_up_verified(&member_accounts, &server, name).await;
        let invited = owner.invite(&org, &[m.account().unwrap().email], "admin").await.unwrap();
        let id = invited.results[0].invitation.clone().unwrap().id;
        m.call(|api| api.accept_my_invitation(&id)).await.unwrap();
        let key = m.create_api_key(&org, &format!("{name}'s"), vec!["org:read".into()], None).await.unwrap();
        members.push((m.account().unwrap().user_id, key.secret));
    }
    let (ansel, ansel_key) = &members[0];
    let (berit, berit_key) = &members[1];
    let theirs = owner.api_keys(&org, Some(ansel)).await.unwrap();
    assert_eq!(theirs.len(), 1, "the keys Ansel created");

    let version = owner.call(|api| api.get_member(&org, ansel)).await.unwrap().version;
    let disabled = owner.disable_member_and_revoke_keys(&org, ansel, version).await.unwrap();
    assert_eq!(disabled.status, orgdesk_client::core::api::MemberStatus::Disabled);
    assert!(key_client(&server, ansel_key).get_org(&org, None).await.is_err(), "Ansel's key is revoked");
    key_client(&server, berit_key).get_org(&org, None).await.expect("Berit's key still works");

    owner.remove_member(&org, berit, true).await.unwrap();
    assert!(key_client(&server, berit_key).get_org(&org, None).await.is_err(), "Berit's key went with her");
    assert!(owner.api_keys(&org, None).await.unwrap().iter().all(|k| k.revoked_at.is_some()));
}

#[tokio::test]
async fn a_webhook_endpoint_gets_a_test_delivery_logged_and_replayed() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let owner = sign_up_verified(&accounts(dir.path()).await, &server, "Wanda").await;
    let org = personal_org(&owner).await;
    owner.org(&org).await.unwrap();
    let (url, mut received) = receiver().await;

    let bad = owner.create_webhook(&org, &url, None, vec!["member.nope".into()]).await.unwrap_err();
    assert_eq!(bad.code(), Code::ValidationFailed, "{bad}");
    let endpoint = owner.create_webhook(&org, &url, Some("CRM".into()), vec!["member.added".into()]).await.unwrap();
    assert!(endpoint.enabled);
    let change = UpdateWebhookEndpoint {
        event_types: Some(vec!["member.added".into(), "member.removed".into()]),
        enabled: Some(false),
        ..Default::default()
    };
    let updated = owner.update_webhook(&org, &endpoint.id, &change).await.unwrap();
    assert_eq!(updated.event_types, ["member.added", "member.removed"]);
    assert!(!updated.enabled);
    let enable = UpdateWebhookEndpoint { enabled: Some(true), ..Default::default() };
    assert!(owner.update_webhook(&org, &endpoint.id, &enable).await.unwrap().enabled);
    assert_eq!(owner.webhooks(&org).await.unwrap().len(), 1);

    let secret = owner.reveal_webhook_secret(&org, &endpoint.id).await.unwrap();
    assert!(secret.secret.starts_with("whsec_"));
    let rotated = owner.rotate_webhook_secret(&org, &endpoint.id, Some(1)).await.unwrap();
    assert_ne!(rotated.secret, secret.secret);
    assert_eq!(rotated.previous_secret.as_deref(), Some(secret.secret.as_str()), "the old one still signs");

    let test = owner.send_test_webhook(&org, &endpoint.id).await.unwrap();
    assert_eq!(test.event_type, "webhook.test");
    let body = tokio::time::timeout(Duration::from_secs(30), received.recv()).await.expect("a delivery").unwrap();
    assert!(body.contains("webhook.test"), "{body}");
    // The receiver has answered; the worker records the attempt next.
    let mut tries = 0;
    let logged = loop {
        let log = owner.webhook_deliveries(&org, &endpoint.id).await.unwrap();
        if let Some(d) = log.iter().find(|d| d.id == test.id && d.status == "delivered") {
            break d.clone();
        }
        tries += 1;
        assert!(tries < 600, "the delivery was never logged as delivered: {log:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(logged.log.len(), 1);
    assert_eq!(logged.log[0].status_code, Some(200));
    assert_eq!(logged.log[0].response_excerpt.as_deref(), Some("thanks"));

    let replay = owner.replay_webhook_delivery(&org, &endpoint.id, &test.id).await.unwrap();
    assert_eq!(replay.message_id, test.message_id, "a replay keeps the webhook-id");
    tokio::time::timeout(Duration::from_secs(30), received.recv()).await.expect("the replay").unwrap();

    assert_not_cached(&owner, &secret.secret).await;
    assert_not_cached(&owner, &rotated.secret).await;
    owner.delete_webhook(&org, &endpoint.id).await.unwrap();
    assert!(owner.webhooks(&org).await.unwrap().is_empty());
}

/// The app's event picker (ui/src/lib/integrations.ts) offers exactly the
/// server's event types, in its order.
#[test]
fn the_apps_event_picker_lists_the_servers_event_types() {
    let source = include_str!("../../../../ui/src/lib/integrations.ts");
    let start = source.find("export const EVENT_TYPES").expect("EVENT_TYPES in integrations.ts");
    let list = &source[start..source[start..].find("];").map(|end| start + end).unwrap()];
    let offered: Vec<&str> = list.split("type: \"").skip(1).filter_map(|rest| rest.split('"').next()).collect();
    let server: Vec<&str> = orgdesk_server::events::TYPES.iter().map(|(t, _)| *t).collect();
    assert_eq!(offered, server);
}
