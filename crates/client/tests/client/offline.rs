//! Offline reads, revalidation after the server returns, a corrupt cache,
//! and a session revoked on the server.

use orgdesk_client::{Code, Source, SyncMode};

use crate::support::{accounts, keychain_ready, personal_org, sign_up_verified, TestServer, PASSWORD};

#[tokio::test]
async fn cached_reads_answer_offline_and_revalidate_when_back() {
    let mut server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    let session = sign_up_verified(&accounts, &server, "Otto").await;
    let org_id = personal_org(&session).await;
    session.roles(&org_id).await.unwrap();
    let report = session.sync_members(&org_id, SyncMode::Auto, |_| {}, &Default::default()).await.unwrap();
    assert_eq!(report.members, 1);
    let synced_at = session.status().last_sync_at.expect("a sync time");

    server.stop().await;
    let orgs = session.orgs().await.expect("offline, the cache answers");
    assert!(orgs.offline, "marked offline");
    assert_eq!(orgs.source, Source::Cache);
    assert!(orgs.synced_at.is_some(), "with the time of the last sync");
    let status = session.status();
    assert!(!status.online);
    assert_eq!(status.last_sync_at.as_deref(), Some(synced_at.as_str()), "the banner shows the last sync");
    assert_eq!(status.last_error.map(|e| e.code), Some(Code::Offline));
    let roles = session.roles(&org_id).await.unwrap();
    assert!(roles.offline && !roles.data.is_empty());
    let members = session.cached_members(&org_id).await.unwrap().expect("members cached");
    assert_eq!(members.data.len(), 1);
    assert!(members.offline);
    let err = session.invitations(&org_id).await.expect_err("never cached, so offline is an error");
    assert_eq!(err.code(), Code::Offline);

    server.restart().await;
    let orgs = session.orgs().await.expect("back online");
    assert!(!orgs.offline);
    assert_eq!(orgs.source, Source::Network);
    assert!(session.status().online);
    assert!(session.status().last_sync_at.unwrap() > synced_at);
}

#[tokio::test]
async fn corrupt_cache_is_rebuilt_with_a_notice() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    if !keychain_ready(&accounts) {
        return;
    }
    let session = sign_up_verified(&accounts, &server, "Cora").await;
    session.orgs().await.unwrap();
    let path = session.cache_path().expect("a cache file");
    let id = session.account_id().to_owned();
    drop((session, accounts));

    std::fs::write(&path, b"this is not a SQLite file, just garbage bytes ".repeat(100)).unwrap();
    let accounts = crate::support::accounts(dir.path()).await;
    let session = accounts.session(&id).await.expect("a corrupt cache is no crash");
    let notices = session.cache_notices();
    assert_eq!(notices.len(), 1, "one notice for the UI: {notices:?}");
    assert!(session.cached_orgs().await.unwrap().is_none(), "the rebuilt cache starts empty");
    session.orgs().await.unwrap();
    assert!(session.cached_orgs().await.unwrap().is_some(), "and fills again");
}

#[tokio::test]
async fn cache_sealed_with_another_key_is_rebuilt() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    if !keychain_ready(&accounts) {
        return;
    }
    let session = sign_up_verified(&accounts, &server, "Kim").await;
    session.orgs().await.unwrap();
    let id = session.account_id().to_owned();
    drop((session, accounts));
    // The key in the keychain is lost (say, the keychain was reset).
    crate::support::clear_keychain_secret("cache-key", &id);

    let accounts = crate::support::accounts(dir.path()).await;
    let session = accounts.session(&id).await.unwrap();
    assert_eq!(session.cache_notices().len(), 1, "undecryptable means rebuilt, with a notice");
    assert!(session.cached_orgs().await.unwrap().is_none());
}

#[tokio::test]
async fn revoked_session_wipes_the_cache() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    let session = sign_up_verified(&accounts, &server, "Rita").await;
    session.orgs().await.unwrap();
    let email = session.account().unwrap().email;
    let cache_path = session.cache_path();

    let other_dir = tempfile::tempdir().unwrap();
    let other = crate::support::accounts(other_dir.path()).await;
    let admin = other.sign_in(&server.url, &email, PASSWORD).await.unwrap();
    let sessions = admin.call(|api| api.sessions()).await.unwrap();
    let victim = sessions.iter().find(|s| !s.current).expect("the first device's session");
    admin.call(|api| api.revoke_session(&victim.id)).await.unwrap();

    let err = session.orgs().await.expect_err("the server refuses a revoked session");
    assert_eq!(err.code(), Code::SessionRevoked);
    assert!(session.is_ended());
    if let Some(path) = cache_path {
        assert!(!path.exists(), "the cache file was wiped");
    }
    let summary = accounts.list().into_iter().find(|a| a.id == session.account_id()).unwrap();
    assert!(!summary.signed_in, "the token was forgotten");
    let err = accounts.session(session.account_id()).await.expect_err("must sign in again");
    assert_eq!(err.code(), Code::NotSignedIn);
}

/// After a restart while the server is down, "last synced" is when the
/// cache last heard from the server, not "never".
#[tokio::test]
async fn a_restart_offline_remembers_when_the_cache_was_last_synced() {
    let mut server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    if !keychain_ready(&accounts) {
        return;
    }
    let session = sign_up_verified(&accounts, &server, "Ruth").await;
    let org_id = personal_org(&session).await;
    session.sync_members(&org_id, SyncMode::Auto, |_| {}, &Default::default()).await.unwrap();
    let synced = session.cached_members(&org_id).await.unwrap().unwrap().synced_at.unwrap();
    server.stop().await;
    drop((session, accounts));

    let reopened = crate::support::accounts(dir.path()).await;
    let session = reopened.active_session().await.unwrap();
    let last = session.status().last_sync_at.expect("a last sync time from the cache");
    assert!(last >= synced, "{last} is not before the members' sync at {synced}");
    assert!(session.orgs().await.unwrap().offline);
    assert_eq!(session.status().last_sync_at.as_deref(), Some(last.as_str()), "an offline answer keeps it");
}
