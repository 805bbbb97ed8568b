//! A signed-in account: its API client, its offline cache and its connection
//! state. Every server call goes through [`Session::call`], which notices
//! when the server is unreachable (offline banner) and when it revoked the
//! session (wipe the cache, forget the token).

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::accounts::{AccountSummary, Shared};
use crate::api::{Api, Fetched, Meter};
use crate::cache::{self, Cache, CacheNotice};
use crate::cache_keys::Key;
use crate::error::{Error, Result};
use crate::live::{Change, StreamState};
use crate::snapshot::{now_rfc3339, ConnectionStatus, Snapshot, Source};
use crate::vault::SecretKind;

/// Per org: its member list in memory and when it was last synced.
pub(crate) type MemberViews = std::collections::HashMap<String, (Arc<crate::member_view::MemberView>, Option<String>)>;

pub struct Session {
    account_id: String,
    shared: Arc<Shared>,
    api: Api,
    cache: Cache,
    connection: Mutex<ConnectionStatus>,
    ended: AtomicBool,
    /// Each org's member list in memory, as the cache holds it, and when it
    /// was last synced (`members.rs`); windows are answered without the cache.
    member_views: Mutex<MemberViews>,
    /// Held while a view is built from the cache, so it is built once.
    member_view_build: tokio::sync::Mutex<()>,
    /// What changed, for the views (`watch.rs`); the live stream, my own
    /// edits and the connection status send here.
    changes: tokio::sync::broadcast::Sender<crate::live::Change>,
    /// The live subscription's task (`live.rs`), stopped when the session ends.
    live: Mutex<Option<tokio::task::AbortHandle>>,
    /// Per org, the member re-sync scheduled after member events.
    member_resyncs: Mutex<std::collections::HashMap<String, tokio::task::AbortHandle>>,
    /// Held by whoever writes a cached member list (a sync, my edit, the
    /// live stream's patches), so none writes over a newer one.
    member_catch_up: tokio::sync::Mutex<()>,
    /// Per org, the member events not yet applied to the cache (`live.rs`).
    member_patches: Mutex<std::collections::HashMap<String, Vec<crate::live::MemberPatch>>>,
    /// Member re-syncs the live stream started (see `member_catch_ups`).
    member_catch_ups: std::sync::atomic::AtomicU64,
    /// The events applied last (repeats after a resume are dropped).
    recent_events: Mutex<crate::live::Recent>,
    /// Ids of invitations I sent, as seen in answers and lists: an answer to
    /// one of them is a notice.
    sent_invitations: Mutex<std::collections::HashSet<String>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("account_id", &self.account_id).field("api", &self.api).finish_non_exhaustive()
    }
}

impl Session {
    pub(crate) async fn start(shared: Arc<Shared>, account_id: &str, api: Api) -> Result<Session> {
        let key = match shared.vault.get(account_id, SecretKind::CacheKey).await? {
            Some(key) => key,
            None => {
                let key = cache::new_key();
                shared.vault.set(account_id, SecretKind::CacheKey, &key).await?;
                key
            }
        };
        let cache = Cache::open(shared.cache_path(account_id).as_deref(), &key).await?;
        // Until the server answers, "last synced" is when the cache last heard from it.
        let last_sync_at = cache.newest_sync().await?;
        Ok(Session {
            account_id: account_id.to_owned(),
            shared,
            api,
            cache,
            connection: Mutex::new(ConnectionStatus {
                online: true,
                last_sync_at,
                last_error: None,
                stream: StreamState::Off,
            }),
            ended: AtomicBool::new(false),
            member_views: Mutex::new(Default::default()),
            member_view_build: tokio::sync::Mutex::new(()),
            changes: tokio::sync::broadcast::channel(256).0,
            live: Mutex::new(None),
            member_resyncs: Mutex::new(Default::default()),
            member_patches: Mutex::new(Default::default()),
            member_catch_ups: Default::default(),
            member_catch_up: tokio::sync::Mutex::new(()),
            recent_events: Mutex::new(Default::default()),
            sent_invitations: Mutex::new(Default::default()),
        })
    }

    /// Every change from now on (see [`Change`]).
    pub fn changes(&self) -> tokio::sync::broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    /// Tells the views; nobody listening is fine.
    pub(crate) fn announce(&self, change: Change) {
        let _ = self.changes.send(change);
    }

    /// A notice for the person, to every listener of the accounts.
    pub(crate) fn tell(&self, notice: crate::live::Notice) {
        self.shared.tell(notice);
    }

    pub(crate) fn live_task(&self) -> std::sync::MutexGuard<'_, Option<tokio::task::AbortHandle>> {
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Notes the invitations among `seen` that I sent.
    pub(crate) fn note_sent<'a>(&self, seen: impl IntoIterator<Item = &'a orgdesk_core::api::Invitation>) {
        let Some(me) = self.account().map(|a| a.user_id) else { return };
        let mut sent = self.sent_invitations.lock().unwrap_or_else(|p| p.into_inner());
        sent.extend(seen.into_iter().filter(|i| i.invited_by.as_deref() == Some(me.as_str())).map(|i| i.id.clone()));
    }

    pub(crate) fn sent_by_me(&self, invitation_id: &str) -> bool {
        self.sent_invitations.lock().unwrap_or_else(|p| p.into_inner()).contains(invitation_id)
    }

    pub(crate) fn recent_events_mut(&self) -> std::sync::MutexGuard<'_, crate::live::Recent> {
        self.recent_events.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) async fn member_catch_up_lock(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.member_catch_up.lock().await
    }

    #[allow(clippy::type_complexity)]
    pub(crate) fn member_patches(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, Vec<crate::live::MemberPatch>>> {
        self.member_patches.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn member_resyncs(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, tokio::task::AbortHandle>> {
        self.member_resyncs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The live stream's state moved.
    pub(crate) fn set_stream(&self, state: StreamState) {
        let changed = {
            let mut c = self.connection();
            let changed = c.stream != state;
            c.stream = state;
            changed
        };
        if changed {
            self.announce(Change::Status);
        }
    }

    /// An event or a heartbeat arrived: the cache is current as of now.
    pub(crate) fn heard_from_server(&self) {
        let flipped = {
            let mut c = self.connection();
            let flipped = !c.online;
            c.online = true;
            c.last_sync_at = Some(now_rfc3339());
            c.last_error = None;
            flipped
        };
        if flipped {
            self.announce(Change::Status);
        }
    }

    fn stop_live(&self) {
        if let Some(task) = self.live_task().take() {
            task.abort();
        }
        for (_, task) in self.member_resyncs().drain() {
            task.abort();
        }
        self.connection().stream = StreamState::Off;
        self.announce(Change::Status);
    }

    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    pub fn account(&self) -> Option<AccountSummary> {
        self.shared.summary(&self.account_id)
    }

    #[allow(clippy::type_complexity)]
    pub(crate) fn member_views(
        &self,
    ) -> std::sync::MutexGuard<
        '_,
        std::collections::HashMap<String, (Arc<crate::member_view::MemberView>, Option<String>)>,
    > {
        self.member_views.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) async fn member_view_build_lock(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.member_view_build.lock().await
    }

    /// Keeps the account list's name and address as the server answered them.
    pub(crate) fn remember_identity(&self, email: &str, name: &str) -> Result<()> {
        self.shared.remember_identity(&self.account_id, email, name)
    }

    pub fn server_url(&self) -> &str {
        self.api.server_url()
    }

    /// Online or not, and when the server last answered.
    pub fn status(&self) -> ConnectionStatus {
        self.connection().clone()
    }

    /// Messages about the cache the UI should show (e.g. it was rebuilt).
    pub fn cache_notices(&self) -> Vec<CacheNotice> {
        self.cache.notices()
    }

    /// The cache file, or `None` when the cache lives in memory only.
    pub fn cache_path(&self) -> Option<PathBuf> {
        self.cache.path().map(|p| p.to_owned())
    }

    /// Every payload in this session's offline cache, decrypted: for tests
    /// that check what is (and is not) kept offline.
    #[doc(hidden)]
    pub async fn opened_cache_payloads(&self) -> Result<Vec<Vec<u8>>> {
        self.cache()?.opened_payloads().await
    }

    /// The sealed bytes of each cached page of an org's member list: for
    /// tests that check which pages a change rewrote.
    #[doc(hidden)]
    pub async fn sealed_member_pages(&self, org_id: &str) -> Result<Vec<Vec<u8>>> {
        self.cache()?.sealed_member_pages(org_id).await
    }

    /// How many member re-syncs the live stream has started (after events
    /// the views did not already reflect): for tests and diagnostics.
    #[doc(hidden)]
    pub fn member_catch_ups(&self) -> u64 {
        self.member_catch_ups.load(Ordering::SeqCst)
    }

    /// Whether a member re-sync after events is scheduled for the org.
    #[doc(hidden)]
    pub fn member_catch_up_pending(&self, org_id: &str) -> bool {
        self.member_resyncs().contains_key(org_id)
    }

    pub(crate) fn count_member_catch_up(&self) {
        self.member_catch_ups.fetch_add(1, Ordering::SeqCst);
    }

    /// Requests sent and bytes received by this session so far.
    pub fn meter(&self) -> Arc<Meter> {
        self.api.meter().clone()
    }

    /// False once signed out or revoked; a new session must be opened.
    pub fn is_ended(&self) -> bool {
        self.ended.load(Ordering::SeqCst)
    }

    /// The cache, unless the session ended (its file may be gone).
    pub(crate) fn cache(&self) -> Result<&Cache> {
        if self.is_ended() {
            return Err(Error::NotSignedIn);
        }
        Ok(&self.cache)
    }

    /// Runs one API operation, for anything without a dedicated method:
    /// `session.call(|api| api.resend_invitation(org, id)).await`.
    pub async fn call<'a, T, F, Fut>(&'a self, op: F) -> Result<T>
    where
        F: FnOnce(&'a Api) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        if self.is_ended() {
            return Err(Error::NotSignedIn);
        }
        let result = op(&self.api).await;
        let was_online = self.connection().online;
        match &result {
            Ok(_) | Err(Error::Api { .. }) => {
                let mut c = self.connection();
                c.online = true;
                c.last_sync_at = Some(now_rfc3339());
                c.last_error = None;
            }
            Err(e @ Error::Offline { .. }) => {
                let mut c = self.connection();
                c.online = false;
                c.last_error = Some(e.to_ui());
            }
            Err(Error::SessionRevoked) => {
                tracing::warn!(account = %self.account_id, "the server revoked this session; wiping its cache");
                if let Err(e) = self.end_locally().await {
                    tracing::warn!(error = %e, "wiping a revoked session's data failed");
                }
            }
            Err(_) => {}
        }
        if self.connection().online != was_online {
            self.announce(Change::Status);
        }
        result
    }

    /// Revokes the session on the server; failure (offline) is only logged,
    /// the local sign-out goes on regardless.
    pub(crate) async fn end_on_server(&self) {
        if self.is_ended() {
            return;
        }
        if let Err(e) = self.api.sign_out().await {
            tracing::warn!(error = %e, "could not end the session on the server");
        }
    }

    /// Stops using this session object without touching its data.
    pub(crate) fn retire(&self) {
        self.ended.store(true, Ordering::SeqCst);
        self.stop_live();
    }

    /// Wipes the cache, deletes the token and cache key, marks signed out.
    pub(crate) async fn end_locally(&self) -> Result<()> {
        self.ended.store(true, Ordering::SeqCst);
        self.stop_live();
        self.cache.wipe().await?;
        self.shared.forget_secrets(&self.account_id).await?;
        self.shared.set_signed_in(&self.account_id, false)
    }

    fn connection(&self) -> std::sync::MutexGuard<'_, ConnectionStatus> {
        self.connection.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The cached value under `name`, without asking the server.
    pub(crate) async fn cached<T: DeserializeOwned>(&self, key: &Key<T>) -> Result<Option<Snapshot<T>>> {
        Ok(self.cache()?.get(key).await?.map(|entry| Snapshot {
            data: entry.value,
            source: Source::Cache,
            synced_at: Some(entry.synced_at),
            offline: !self.connection().online,
        }))
    }

    /// Stale-while-revalidate: asks the server with the cached ETag, stores
    /// what changed, and falls back to the cache when offline.
    pub(crate) async fn revalidate<'a, T, F, Fut>(&'a self, key: &Key<T>, fetch: F) -> Result<Snapshot<T>>
    where
        T: Serialize + DeserializeOwned,
        F: Fn(&'a Api, Option<String>) -> Fut,
        Fut: Future<Output = Result<Fetched<T>>>,
    {
        let cached = self.cache()?.get(key).await?;
        let etag = cached.as_ref().and_then(|c| c.etag.clone());
        match self.call(|api| fetch(api, etag)).await {
            Ok(Fetched::Fresh { value, etag }) => {
                let synced_at = self.cache()?.put(key, &value, etag.as_deref()).await?;
                Ok(network(value, synced_at))
            }
            Ok(Fetched::NotModified) => match cached {
                Some(entry) => {
                    let synced_at = self.cache()?.touch(key).await?;
                    Ok(network(entry.value, synced_at))
                }
                // 304 to a request without our ETag: ask once more, plainly.
                None => match self.call(|api| fetch(api, None)).await? {
                    Fetched::Fresh { value, etag } => {
                        let synced_at = self.cache()?.put(key, &value, etag.as_deref()).await?;
                        Ok(network(value, synced_at))
                    }
                    Fetched::NotModified => Err(Error::BadResponse("304 without a cached copy".into())),
                },
            },
            Err(e) if e.is_offline() => match cached {
                Some(entry) => Ok(Snapshot {
                    data: entry.value,
                    source: Source::Cache,
                    synced_at: Some(entry.synced_at),
                    offline: true,
                }),
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// `revalidate` for endpoints without ETags.
    pub(crate) async fn refresh<'a, T, F, Fut>(&'a self, key: &Key<T>, fetch: F) -> Result<Snapshot<T>>
    where
        T: Serialize + DeserializeOwned,
        F: Fn(&'a Api) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        self.revalidate(key, |api, _| {
            let fut = fetch(api);
            async move { Ok(Fetched::Fresh { value: fut.await?, etag: None }) }
        })
        .await
    }
}

fn network<T>(data: T, synced_at: String) -> Snapshot<T> {
    Snapshot { data, source: Source::Network, synced_at: Some(synced_at), offline: false }
}
