//! Several accounts on several servers: switch, last org, sign out.

use orgdesk_client::Code;

use crate::support::{accounts, keychain_ready, personal_org, sign_up_verified, TestServer, PASSWORD};

#[tokio::test]
async fn two_accounts_on_two_servers_switch_and_remember_last_org() {
    let (a, b) = (TestServer::start().await, TestServer::start().await);
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    if !keychain_ready(&accounts) {
        return;
    }
    let alice = sign_up_verified(&accounts, &a, "Alice").await;
    let bob = sign_up_verified(&accounts, &b, "Bob").await;
    assert_ne!(alice.account_id(), bob.account_id());
    assert_eq!(accounts.list().len(), 2);
    assert_eq!(accounts.active().unwrap().id, bob.account_id(), "the last sign-in is active");

    let alice_org = personal_org(&alice).await;
    accounts.set_last_org(alice.account_id(), &alice_org).unwrap();
    let switched = accounts.switch_to(alice.account_id()).await.unwrap();
    assert_eq!(switched.server_url(), a.url);
    assert_eq!(accounts.active().unwrap().id, alice.account_id());

    // A restart: the list, the active account, the last org and the
    // sessions (tokens in the keychain) are all still there.
    let alice_id = alice.account_id().to_owned();
    drop((alice, bob, switched, accounts));
    let reopened = crate::support::accounts(dir.path()).await;
    let list = reopened.list();
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|a| a.signed_in), "tokens survive a restart in the keychain: {list:?}");
    let active = reopened.active().unwrap();
    assert_eq!(active.id, alice_id);
    assert_eq!(active.last_org_id.as_deref(), Some(alice_org.as_str()));
    let session = reopened.active_session().await.unwrap();
    let cached = session.cached_orgs().await.unwrap();
    assert!(cached.is_some(), "the cache survives a restart");
    session.orgs().await.expect("the stored token still works");
}

#[tokio::test]
async fn sign_out_revokes_the_session_and_wipes_the_cache() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    let session = sign_up_verified(&accounts, &server, "Sven").await;
    session.orgs().await.unwrap();
    let email = session.account().unwrap().email;
    let id = session.account_id().to_owned();
    let cache_path = session.cache_path();
    if let Some(path) = &cache_path {
        assert!(path.exists(), "the cache file exists while signed in");
    }

    // A second device of the same user watches the session list.
    let other_dir = tempfile::tempdir().unwrap();
    let other = crate::support::accounts(other_dir.path()).await;
    let watcher = other.sign_in(&server.url, &email, PASSWORD).await.unwrap();
    let before = watcher.call(|api| api.sessions()).await.unwrap();
    assert_eq!(before.len(), 2);

    accounts.sign_out(&id).await.unwrap();
    let after = watcher.call(|api| api.sessions()).await.unwrap();
    assert_eq!(after.len(), 1, "sign-out ended the session on the server");
    assert!(after[0].current);
    if let Some(path) = &cache_path {
        assert!(!path.exists(), "sign-out deleted the cache file");
    }
    let summary = accounts.list().into_iter().find(|a| a.id == id).unwrap();
    assert!(!summary.signed_in);
    assert!(accounts.active().is_none());
    let err = accounts.session(&id).await.expect_err("no token any more");
    assert_eq!(err.code(), Code::NotSignedIn);
    assert!(session.is_ended());
    let err = session.orgs().await.expect_err("an ended session makes no calls");
    assert_eq!(err.code(), Code::NotSignedIn);
}

#[tokio::test]
async fn signing_in_again_replaces_the_old_session() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    let first = sign_up_verified(&accounts, &server, "Rene").await;
    let email = first.account().unwrap().email;
    let again = accounts.sign_in(&server.url, &email, PASSWORD).await.unwrap();
    assert_eq!(again.account_id(), first.account_id(), "same server and user: same account");
    assert_eq!(accounts.list().len(), 1);
    assert!(first.is_ended(), "the old session object is retired");
    let sessions = again.call(|api| api.sessions()).await.unwrap();
    assert_eq!(sessions.len(), 1, "the old server session was ended: {sessions:?}");
}

/// Commands that ask for the active session while a sign-in makes a new
/// account active wait for that sign-in's session instead of opening the
/// account's cache a second time (which sealed it with another key and
/// rebuilt it: "The local cache could not be read or written" in the app).
#[tokio::test]
async fn a_sign_in_and_concurrent_commands_share_one_session() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = std::sync::Arc::new(accounts(dir.path()).await);
    if !keychain_ready(&accounts) {
        return;
    }
    let first = sign_up_verified(&accounts, &server, "Ines").await;
    let second = sign_up_verified(&accounts, &server, "Jon").await;
    let email = second.account().unwrap().email;
    accounts.sign_out(second.account_id()).await.unwrap();
    accounts.switch_to(first.account_id()).await.unwrap();
    drop((first, second));

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let askers: Vec<_> = (0..4)
        .map(|_| {
            let (accounts, stop) = (accounts.clone(), stop.clone());
            tokio::spawn(async move {
                let mut seen = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    if let Ok(session) = accounts.active_session().await {
                        seen.push(session);
                    }
                    tokio::task::yield_now().await;
                }
                seen
            })
        })
        .collect();
    let signed_in = accounts.sign_in(&server.url, &email, PASSWORD).await.unwrap();
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for asker in askers {
        for session in asker.await.unwrap() {
            if session.account_id() == signed_in.account_id() {
                assert!(
                    std::sync::Arc::ptr_eq(&session, &signed_in),
                    "a second session of the signed-in account was opened"
                );
            }
        }
    }
    assert!(signed_in.cache_notices().is_empty(), "the cache was rebuilt: {:?}", signed_in.cache_notices());
    signed_in.orgs().await.expect("the cache and the session work");
    let again = accounts.active_session().await.unwrap();
    assert!(again.cache_notices().is_empty(), "{:?}", again.cache_notices());
}

/// The account list (the switcher) keeps the name and address the server
/// last answered: an address change confirmed elsewhere (the browser page)
/// shows after the next profile read, and across a restart.
#[tokio::test]
async fn the_account_list_follows_a_changed_name_and_address() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    let session = sign_up_verified(&accounts, &server, "Rhea").await;
    let old = session.account().unwrap().email;

    let req = orgdesk_core::api::UpdateProfile { name: Some("Rhea Okafor".into()), timezone: None };
    session.update_profile(&req).await.unwrap();
    assert_eq!(accounts.list()[0].name, "Rhea Okafor");

    let new = crate::support::unique_email("rhea-new");
    session.change_email(&new, PASSWORD).await.unwrap();
    let outbox = session.call(|api| api.dev_outbox(Some(&new))).await.unwrap();
    let body = &outbox.first().expect("a link to the new address").body;
    let token = body.split("/email-change/").nth(1).and_then(|r| r.split_whitespace().next()).expect("a link");
    // Followed in the browser, not through this session's profile calls.
    session.call(|api| api.confirm_email_change(token)).await.unwrap();
    assert_eq!(accounts.list()[0].email, old, "nothing told the app yet");

    assert_eq!(session.me().await.unwrap().email, new);
    assert_eq!(accounts.list()[0].email, new);
    drop((session, accounts));
    let reopened = crate::support::accounts(dir.path()).await;
    assert_eq!((reopened.list()[0].email.as_str(), reopened.list()[0].name.as_str()), (new.as_str(), "Rhea Okafor"));
}
