//! The token vault against the real Secret Service, and without any keychain.

use orgdesk_client::{Accounts, ClientOptions, VaultStatus};

use crate::support::{keychain_ready, keychain_secret, options, sign_up_verified, TestServer};

#[tokio::test]
async fn keychain_holds_the_token_and_cache_key_until_sign_out() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = crate::support::accounts(dir.path()).await;
    if !keychain_ready(&accounts) {
        return;
    }
    let session = sign_up_verified(&accounts, &server, "Vera").await;
    let id = session.account_id().to_owned();
    let token = keychain_secret("session-token", &id).expect("the token is in the Secret Service");
    assert!(token.len() >= 32, "a real session token");
    let key = keychain_secret("cache-key", &id).expect("the cache key is in the Secret Service");
    assert_eq!(key.len(), 64, "256 bits, hex");
    assert_ne!(token, key);

    accounts.sign_out(&id).await.unwrap();
    assert_eq!(keychain_secret("session-token", &id), None, "sign-out deleted the token");
    assert_eq!(keychain_secret("cache-key", &id), None, "and the cache key");
}

/// Run by scripts/test.d/20-client.sh with no session bus at all; elsewhere
/// the keychain is switched off in the options.
#[tokio::test]
async fn no_keychain_keeps_the_session_in_memory_only() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let no_bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none();
    // With no bus the real probe must fail; with one, switch the keychain off.
    let opts = ClientOptions { use_keychain: no_bus, ..options() };
    let accounts = Accounts::open(dir.path(), opts.clone()).await.unwrap();
    match accounts.vault_status() {
        VaultStatus::Unavailable { reason } => assert!(!reason.is_empty(), "the reason is shown to the user"),
        VaultStatus::Keychain => panic!("without a session bus the keychain cannot be available"),
    }
    let session = sign_up_verified(&accounts, &server, "Nomad").await;
    assert!(session.cache_path().is_none(), "the cache lives in memory");
    let orgs = session.orgs().await.unwrap();
    let cached = session.cached_orgs().await.unwrap().expect("the in-memory cache answers");
    assert_eq!(cached.data.len(), orgs.data.len());
    let files = crate::support::files_under(dir.path());
    assert!(
        files.iter().all(|f| f.file_name().is_some_and(|n| n == "accounts.json")),
        "nothing but the account list is written: {files:?}"
    );

    // A restart forgets the session: it was never written anywhere.
    let id = session.account_id().to_owned();
    drop((session, accounts));
    let reopened = Accounts::open(dir.path(), opts).await.unwrap();
    let summary = reopened.list().into_iter().find(|a| a.id == id).expect("the account is listed");
    assert!(!summary.signed_in, "the token did not outlive the process");
}
