//! Several accounts on several servers: sign in, sign out, switch, and the
//! last org used per account. The account list lives in `accounts.json` in
//! the data directory and holds no secret; tokens are in the [`Vault`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use orgdesk_core::api::{InvitationSignUp, SessionGrant, SignIn, SignUp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::api::{parse_server_url, Api, ApiOptions};
use crate::error::{Error, Result};
use crate::sensitive::Sensitive;
use crate::session::Session;
use crate::vault::{SecretKind, Vault, VaultStatus};

/// An account as the UI lists it. Never carries a token.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    /// Stable local id, derived from the server URL and the user id.
    pub id: String,
    pub server_url: String,
    pub email: String,
    pub user_id: String,
    pub name: String,
    /// A session token is held for this account.
    pub signed_in: bool,
    /// The org shown last, to open it again.
    pub last_org_id: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ClientOptions {
    pub api: ApiOptions,
    /// The keychain service name entries are kept under.
    pub keychain_service: String,
    /// Shown in the server's session list.
    pub device_name: String,
    /// False forces the in-memory vault (as when no keychain is usable).
    pub use_keychain: bool,
    /// Each signed-in session subscribes to the server's event stream.
    pub live_events: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "this computer".into());
        ClientOptions {
            api: ApiOptions::default(),
            keychain_service: "orgdesk".into(),
            device_name: format!("Orgdesk on {host}"),
            use_keychain: true,
            live_events: true,
        }
    }
}

/// The file `accounts.json`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Book {
    active: Option<String>,
    accounts: Vec<AccountSummary>,
}

/// What accounts and their sessions share.
pub(crate) struct Shared {
    pub data_dir: PathBuf,
    pub vault: Vault,
    pub options: ClientOptions,
    book: Mutex<Book>,
    /// Notices from every session's live stream (native notifications).
    notices: tokio::sync::broadcast::Sender<crate::live::Notice>,
}

impl Shared {
    pub fn tell(&self, notice: crate::live::Notice) {
        let _ = self.notices.send(notice);
    }

    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn summary(&self, id: &str) -> Option<AccountSummary> {
        self.book().accounts.iter().find(|a| a.id == id).cloned()
    }

    /// Changes the book and writes it to disk.
    fn update(&self, change: impl FnOnce(&mut Book)) -> Result<()> {
        let snapshot = {
            let mut book = self.book();
            change(&mut book);
            book.clone()
        };
        let json = serde_json::to_vec_pretty(&snapshot).map_err(|e| Error::Storage(e.to_string()))?;
        let path = self.data_dir.join("accounts.json");
        let tmp = self.data_dir.join("accounts.json.tmp");
        std::fs::write(&tmp, json)?;
        std::fs::rename(tmp, path)?;
        Ok(())
    }

    pub fn set_signed_in(&self, id: &str, signed_in: bool) -> Result<()> {
        self.update(|book| {
            if let Some(a) = book.accounts.iter_mut().find(|a| a.id == id) {
                a.signed_in = signed_in;
            }
            if !signed_in && book.active.as_deref() == Some(id) {
                book.active = None;
            }
        })
    }

    /// Keeps the listed name and address as the server last answered them
    /// (after an address change confirmed anywhere, the switcher shows the
    /// new one).
    pub fn remember_identity(&self, id: &str, email: &str, name: &str) -> Result<()> {
        let stale = self.summary(id).is_some_and(|a| a.email != email || a.name != name);
        if !stale {
            return Ok(());
        }
        self.update(|book| {
            if let Some(a) = book.accounts.iter_mut().find(|a| a.id == id) {
                a.email = email.to_owned();
                a.name = name.to_owned();
            }
        })
    }

    pub fn cache_path(&self, id: &str) -> Option<PathBuf> {
        self.vault.is_persistent().then(|| self.data_dir.join("cache").join(format!("{id}.sqlite")))
    }

    /// Deletes an account's secrets and cache file.
    pub async fn forget_secrets(&self, id: &str) -> Result<()> {
        self.vault.delete(id, SecretKind::SessionToken).await?;
        self.vault.delete(id, SecretKind::CacheKey).await?;
        if let Some(path) = self.cache_path(id) {
            for suffix in ["", "-journal", "-wal", "-shm"] {
                let mut p = path.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(p);
            }
        }
        Ok(())
    }
}

/// Every account of this desktop, and the sessions opened so far.
pub struct Accounts {
    pub(crate) shared: Arc<Shared>,
    sessions: Mutex<HashMap<String, Arc<Session>>>,
    /// One session load at a time: the UI fires several commands at once for
    /// a freshly opened account, and two loads would each open the cache and
    /// could each create its key.
    loading: tokio::sync::Mutex<()>,
    /// The identity-provider sign-in in progress, if any.
    pub(crate) provider_flows: crate::provider_sign_in::ProviderFlows,
}

impl Accounts {
    /// Opens the data directory (created if missing) and the keychain.
    pub async fn open(data_dir: impl Into<PathBuf>, options: ClientOptions) -> Result<Accounts> {
        let data_dir = data_dir.into();
        std::fs::create_dir_all(data_dir.join("cache"))?;
        let vault = if options.use_keychain {
            Vault::open(&options.keychain_service).await
        } else {
            Vault::in_memory("the keychain is turned off in the settings")
        };
        let mut book: Book = match std::fs::read(data_dir.join("accounts.json")) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "accounts.json is unreadable; starting with no accounts");
                Book::default()
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Book::default(),
            Err(e) => return Err(e.into()),
        };
        for account in &mut book.accounts {
            account.signed_in = vault.get(&account.id, SecretKind::SessionToken).await?.is_some();
        }
        Ok(Accounts {
            shared: Arc::new(Shared {
                data_dir,
                vault,
                options,
                book: Mutex::new(book),
                notices: tokio::sync::broadcast::channel(64).0,
            }),
            sessions: Mutex::new(HashMap::new()),
            loading: tokio::sync::Mutex::new(()),
            provider_flows: Default::default(),
        })
    }

    pub fn vault_status(&self) -> VaultStatus {
        self.shared.vault.status().clone()
    }

    pub fn data_dir(&self) -> &Path {
        &self.shared.data_dir
    }

    pub fn list(&self) -> Vec<AccountSummary> {
        self.shared.book().accounts.clone()
    }

    /// The account the app shows, if one is signed in.
    pub fn active(&self) -> Option<AccountSummary> {
        let id = self.shared.book().active.clone()?;
        self.shared.summary(&id)
    }

    pub async fn sign_in(&self, server_url: &str, email: &str, password: &str) -> Result<Arc<Session>> {
        let api = Api::new(server_url, self.shared.options.api.clone())?;
        let req = SignIn {
            email: email.into(),
            password: password.into(),
            device_name: Some(self.shared.options.device_name.clone()),
        };
        let grant = api.sign_in(&req).await?;
        self.adopt(api, grant).await
    }

    /// Creates an account on the server and signs in to it.
    pub async fn sign_up(&self, server_url: &str, req: &SignUp) -> Result<Arc<Session>> {
        let api = Api::new(server_url, self.shared.options.api.clone())?;
        let grant = api.sign_up(req).await?;
        self.adopt(api, grant).await
    }

    /// Signs up with an invitation link's token and joins its org at once.
    pub async fn sign_up_with_invitation(
        &self,
        server_url: &str,
        token: &str,
        req: &InvitationSignUp,
    ) -> Result<Arc<Session>> {
        let api = Api::new(server_url, self.shared.options.api.clone())?;
        let grant = api.sign_up_with_invitation(token, req).await?;
        self.adopt(api, grant).await
    }

    pub(crate) async fn adopt(&self, api: Api, grant: SessionGrant) -> Result<Arc<Session>> {
        let server_url = api.server_url().to_owned();
        let id = account_id(&server_url, &grant.user.id);
        // Signing in again to an open account replaces its session.
        let previous_session = self.sessions().remove(&id);
        if let Some(old) = previous_session {
            old.end_on_server().await;
            old.retire();
        }
        let token = Sensitive::new(grant.token);
        self.shared.vault.set(&id, SecretKind::SessionToken, &token).await?;
        let previous = self.shared.summary(&id);
        // From the moment the account is active until its session is in the
        // map, a concurrent `session()` (any command of the app) must wait:
        // else it opens the same cache too, seals it with a second new key,
        // and one of the two finds it "sealed with another key".
        let _loading = self.loading.lock().await;
        let summary = AccountSummary {
            id: id.clone(),
            server_url,
            email: grant.user.email,
            user_id: grant.user.id,
            name: grant.user.name,
            signed_in: true,
            last_org_id: previous.and_then(|p| p.last_org_id),
        };
        self.shared.update(|book| {
            book.accounts.retain(|a| a.id != id);
            book.accounts.push(summary);
            book.active = Some(id.clone());
        })?;
        let session = Arc::new(Session::start(self.shared.clone(), &id, api.with_token(token)).await?);
        self.sessions().insert(id, session.clone());
        self.go_live(&session);
        Ok(session)
    }

    /// Ends the session on the server (when it can be reached), deletes the
    /// token and cache key from the keychain and wipes the account's cache.
    /// The account stays in the list, signed out.
    pub async fn sign_out(&self, account_id: &str) -> Result<()> {
        let session = self.sessions().remove(account_id);
        let session = match session {
            Some(s) => Some(s),
            None => self.load_session(account_id).await.ok(),
        };
        if let Some(session) = session {
            session.end_on_server().await;
            session.end_locally().await?;
        } else {
            self.shared.forget_secrets(account_id).await?;
            self.shared.set_signed_in(account_id, false)?;
        }
        Ok(())
    }

    /// Signs out and removes the account from the list.
    pub async fn forget(&self, account_id: &str) -> Result<()> {
        self.sign_out(account_id).await?;
        self.shared.update(|book| book.accounts.retain(|a| a.id != account_id))
    }

    /// Makes `account_id` the active account.
    pub async fn switch_to(&self, account_id: &str) -> Result<Arc<Session>> {
        let session = self.session(account_id).await?;
        self.shared.update(|book| book.active = Some(account_id.to_owned()))?;
        Ok(session)
    }

    /// The open session of a signed-in account.
    pub async fn session(&self, account_id: &str) -> Result<Arc<Session>> {
        if let Some(s) = self.live_session(account_id) {
            return Ok(s);
        }
        let _loading = self.loading.lock().await;
        if let Some(s) = self.live_session(account_id) {
            return Ok(s);
        }
        let session = self.load_session(account_id).await?;
        self.sessions().insert(account_id.to_owned(), session.clone());
        self.go_live(&session);
        Ok(session)
    }

    fn go_live(&self, session: &Arc<Session>) {
        if self.shared.options.live_events {
            session.start_live();
        }
    }

    /// Opens the session of every signed-in account, so each has its live
    /// subscription (notices come for all of them, not only the one shown).
    pub async fn open_signed_in(&self) {
        let ids: Vec<String> = self.list().into_iter().filter(|a| a.signed_in).map(|a| a.id).collect();
        for id in ids {
            if let Err(e) = self.session(&id).await {
                tracing::debug!(error = %e, "a signed-in account's session could not be opened");
            }
        }
    }

    /// Notices from every session's live stream, from now on.
    pub fn notices(&self) -> tokio::sync::broadcast::Receiver<crate::live::Notice> {
        self.shared.notices.subscribe()
    }

    fn live_session(&self, account_id: &str) -> Option<Arc<Session>> {
        self.sessions().get(account_id).filter(|s| !s.is_ended()).cloned()
    }

    /// The active account's session.
    pub async fn active_session(&self) -> Result<Arc<Session>> {
        let id = self.active().ok_or(Error::NotSignedIn)?.id;
        self.session(&id).await
    }

    pub fn set_last_org(&self, account_id: &str, org_id: &str) -> Result<()> {
        self.shared.update(|book| {
            if let Some(a) = book.accounts.iter_mut().find(|a| a.id == account_id) {
                a.last_org_id = Some(org_id.to_owned());
            }
        })
    }

    async fn load_session(&self, account_id: &str) -> Result<Arc<Session>> {
        let summary = self.shared.summary(account_id).ok_or(Error::NotSignedIn)?;
        let token = self.shared.vault.get(account_id, SecretKind::SessionToken).await?.ok_or(Error::NotSignedIn)?;
        let api = Api::new(&summary.server_url, self.shared.options.api.clone())?.with_token(token);
        Ok(Arc::new(Session::start(self.shared.clone(), account_id, api).await?))
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Session>>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// 16 hex digits of SHA-256 over the normalized server URL and the user id.
pub(crate) fn account_id(server_url: &str, user_id: &str) -> String {
    let normalized = parse_server_url(server_url)
        .map(|u| u.as_str().trim_end_matches('/').to_owned())
        .unwrap_or_else(|_| server_url.to_owned());
    let digest = Sha256::digest(format!("{normalized}\n{user_id}"));
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}
