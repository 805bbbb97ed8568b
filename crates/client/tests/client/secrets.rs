//! After a scripted session — sign in, sync, invite, sign out — the token is
//! in no file of the data dir, in no log line (in memory or in the rotating
//! log file), and neither it nor a member email is in clear text in the
//! cache file.

use orgdesk_client::{CancelToken, SyncMode};

use crate::support::{
    accounts, capture_logs, captured_log_file, captured_logs, contains, files_under, keychain_ready, keychain_secret,
    personal_org, sign_up_verified, TestServer, PASSWORD,
};

#[tokio::test]
async fn token_and_emails_never_leak() {
    capture_logs();
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    if !keychain_ready(&accounts) {
        return;
    }
    let first = sign_up_verified(&accounts, &server, "Sigrid").await;
    let email = first.account().unwrap().email;
    let id = first.account_id().to_owned();
    accounts.sign_out(&id).await.unwrap();

    let session = accounts.sign_in(&server.url, &email, PASSWORD).await.unwrap();
    let token = keychain_secret("session-token", &id).expect("the token is in the keychain");
    assert!(token.len() >= 32);
    let org = personal_org(&session).await;
    let guest = "guest.secret@example.test";
    let invited = session.invite(&org, &[guest.to_owned()], "member").await.unwrap();
    let link = invited.results[0].invitation.as_ref().and_then(|i| i.link.clone()).expect("an invitation link");
    let invite_token = link.rsplit('/').next().unwrap().to_owned();
    session.call(|api| api.preview_invitation(&invite_token)).await.expect("preview by token");
    session.invitations(&org).await.unwrap();
    session.sync_members(&org, SyncMode::Full, |_| {}, &CancelToken::new()).await.unwrap();
    session.managed_invitations().await.unwrap();
    session.find_person(&email).await.unwrap();
    assert!(format!("{session:?}").find(&token).is_none(), "Debug of a session shows no token");

    let cache_file = session.cache_path().expect("a cache file");
    let cache = std::fs::read(&cache_file).unwrap();
    assert!(cache.len() > 4096, "the cache holds data");
    assert!(!contains(&cache, token.as_bytes()), "token in clear text in the cache");
    assert!(!contains(&cache, email.as_bytes()), "member email in clear text in the cache");
    assert!(!contains(&cache, guest.as_bytes()), "invited email in clear text in the cache");
    assert!(!contains(&cache, b"Sigrid"), "member name in clear text in the cache");
    check_files(dir.path(), &token);

    accounts.sign_out(&id).await.unwrap();
    check_files(dir.path(), &token);
    assert!(!cache_file.exists());
    let logs = captured_logs().lock().unwrap().clone();
    assert!(!logs.is_empty(), "logs were captured");
    assert!(!contains(&logs, token.as_bytes()), "the token appeared in a log line");
    assert!(!contains(&logs, invite_token.as_bytes()), "an invitation token appeared in a log line");
    assert!(contains(&logs, b"/v1/invitations/<token>"), "the preview was logged, redacted");

    // The same lines in the app's rotating log file, every file of it.
    let files = captured_log_file().files();
    assert!(!files.is_empty(), "the log file was written");
    let mut written = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        assert!(!contains(&bytes, token.as_bytes()), "the token is in the log file {}", file.display());
        assert!(!contains(&bytes, invite_token.as_bytes()), "an invitation token is in {}", file.display());
        assert!(!contains(&bytes, guest.as_bytes()), "an invited address is in {}", file.display());
        written.extend(bytes);
    }
    assert!(contains(&written, b"/v1/invitations/<token>"), "the log file holds the redacted preview");
}

fn check_files(dir: &std::path::Path, token: &str) {
    for file in files_under(dir) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        assert!(!contains(&bytes, token.as_bytes()), "the token is in {}", file.display());
    }
}
