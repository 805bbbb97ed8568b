//! Full member sync of an organization, page by page, with progress and
//! cancellation.
//!
//! How a re-sync of an unchanged org stays one request: every membership,
//! role and invitation change writes an audit event in the same transaction,
//! so the ETag of the newest audit event (`GET …/audit?limit=1`) moves
//! whenever the member list can have changed through the API. When the
//! caller may read the audit log, a re-sync first asks for that one event
//! with `If-None-Match`: 304 means nothing changed and the sync is done.
//! Otherwise (no `audit:read`, or something changed) every page is asked for
//! with its own stored ETag, so unchanged pages cost a 304 each.
//! What the audit log does not cover — a member renaming themself, their
//! "last active" time — is picked up by [`SyncMode::Full`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use orgdesk_core::api::{AuditQuery, Member, MemberQuery};
use serde::{Deserialize, Serialize};

use crate::api::Fetched;
use crate::cache::StoredPage;
use crate::cache_keys as keys;
use crate::error::{Code, Error, Result};
use crate::member_view::MemberView;
use crate::session::Session;

/// The server's largest page.
pub const PAGE_SIZE: i64 = 200;
/// A million members; past that the server is taken to be misbehaving.
const MAX_PAGES: usize = 5_000;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncMode {
    /// Skip the page walk when the audit log shows no change.
    #[default]
    Auto,
    /// Walk every page (each still conditional on its ETag).
    Full,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    /// Asking whether anything changed.
    Checking,
    /// Fetching pages.
    Fetching,
    Done,
}

/// For a progress bar.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncProgress {
    pub org_id: String,
    pub phase: SyncPhase,
    pub pages: u32,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub members: u64,
    /// The org's member count when known.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub total: Option<u64>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    pub org_id: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub members: u64,
    pub pages: u32,
    /// Pages the server answered 304 for.
    pub pages_unchanged: u32,
    /// True when one check showed nothing changed since the last sync.
    pub unchanged: bool,
    /// HTTP requests this sync sent and response body bytes it received.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub requests: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes: u64,
    pub synced_at: String,
}

/// Cancels a running sync from another task; cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// What the cache remembers about an org's last member sync.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct SyncState {
    pub complete: bool,
    /// ETag of the newest audit event when the last walk started.
    pub audit_etag: Option<String>,
    /// False once the server refused us the audit log.
    #[serde(default = "yes")]
    pub audit_readable: bool,
    pub members: u64,
}

fn yes() -> bool {
    true
}

impl Default for SyncState {
    fn default() -> Self {
        SyncState { complete: false, audit_etag: None, audit_readable: true, members: 0 }
    }
}

impl Session {
    /// Brings the cached member list of `org_id` up to date. Progress is
    /// reported after each page; on cancel the cache keeps the previous list.
    pub async fn sync_members(
        &self,
        org_id: &str,
        mode: SyncMode,
        progress: impl Fn(SyncProgress) + Send + Sync,
        cancel: &CancelToken,
    ) -> Result<SyncReport> {
        // One writer of the cached member lists at a time: a walk that read
        // the server before my own edit committed must not write over it.
        let _writer = self.member_catch_up_lock().await;
        let meter = self.meter();
        let (requests0, bytes0) = (meter.requests(), meter.bytes());
        let report = |members: u64, pages: u32, pages_unchanged: u32, unchanged: bool, synced_at: String| SyncReport {
            org_id: org_id.to_owned(),
            members,
            pages,
            pages_unchanged,
            unchanged,
            requests: meter.requests() - requests0,
            bytes: meter.bytes() - bytes0,
            synced_at,
        };
        let tell = |phase, pages, members, total| {
            progress(SyncProgress { org_id: org_id.to_owned(), phase, pages, members, total })
        };

        let state_key = keys::member_sync(org_id);
        let previous = self.cache()?.get(&state_key).await?;
        let mut state = previous.as_ref().map(|e| e.value.clone()).unwrap_or_default();
        // Pages lost since (an unreadable row was dropped): walk again.
        state.complete &= self.cache()?.has_member_pages(org_id).await?;
        tell(SyncPhase::Checking, 0, 0, state.complete.then_some(state.members));

        // 1. Has anything changed since the last complete walk?
        let head_query = AuditQuery { limit: Some(1), ..Default::default() };
        let mut new_audit_etag = None;
        if state.audit_readable {
            let known = if mode == SyncMode::Auto && state.complete { state.audit_etag.clone() } else { None };
            match self.call(|api| api.list_audit(org_id, &head_query, known.as_deref())).await {
                Ok(Fetched::NotModified) => {
                    let synced_at = self.cache()?.touch(&state_key).await?;
                    self.member_view_synced(org_id, &synced_at);
                    tell(SyncPhase::Done, 0, state.members, Some(state.members));
                    return Ok(report(state.members, 0, 0, true, synced_at));
                }
                Ok(Fetched::Fresh { etag, .. }) => new_audit_etag = etag,
                Err(e) if e.code() == Code::Forbidden => state.audit_readable = false,
                Err(e) => return Err(e),
            }
        }

        // 2. Walk the pages, each conditional on the ETag it had.
        let old_pages = self.cache()?.member_pages::<Member>(org_id).await?.unwrap_or_default();
        // Asked without an ETag: the org's ETag is `"<version>.<hash>"`, so a
        // 304 would be current, but a plain read keeps this one call simple.
        let total = match self.call(|api| api.get_org(org_id, None)).await {
            Ok(Fetched::Fresh { value, .. }) => Some(value.member_count.max(0) as u64),
            _ => None,
        };
        let mut pages: Vec<StoredPage<Member>> = Vec::new();
        let mut unchanged_pages = 0;
        let mut members = 0u64;
        let mut cursor: Option<String> = None;
        let mut seen_cursors = std::collections::HashSet::new();
        loop {
            if cancel.is_cancelled() {
                return Err(Error::Cancelled);
            }
            let old = old_pages.get(pages.len()).filter(|p| p.cursor == cursor);
            let query = MemberQuery { limit: Some(PAGE_SIZE), cursor: cursor.clone(), ..Default::default() };
            let etag = old.and_then(|p| p.etag.as_deref());
            let page = match self.call(|api| api.list_members(org_id, &query, etag)).await? {
                Fetched::NotModified => match old {
                    Some(old) => {
                        unchanged_pages += 1;
                        old.clone()
                    }
                    None => return Err(Error::BadResponse("304 for a page never fetched".into())),
                },
                Fetched::Fresh { value, etag } => {
                    StoredPage { cursor: cursor.clone(), next_cursor: value.next_cursor, etag, items: value.items }
                }
            };
            members += page.items.len() as u64;
            cursor = page.next_cursor.clone();
            pages.push(page);
            tell(SyncPhase::Fetching, pages.len() as u32, members, total);
            // A server repeating a cursor, or never ending, would loop forever.
            let repeated = cursor.as_ref().is_some_and(|c| !seen_cursors.insert(c.clone()));
            if repeated || pages.len() > MAX_PAGES {
                return Err(Error::BadResponse("the member list does not end".into()));
            }
            if cursor.is_none() {
                break;
            }
        }
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        self.cache()?.put_member_pages(org_id, &pages).await?;
        state.complete = true;
        state.audit_etag = new_audit_etag;
        state.members = members;
        let synced_at = self.cache()?.put(&state_key, &state, None).await?;
        let page_count = pages.len() as u32;
        self.set_member_view(
            org_id,
            MemberView::from_pages(pages.into_iter().map(|p| p.items).collect()),
            Some(synced_at.clone()),
        )
        .await;
        drop(old_pages);
        crate::member_view::return_free_memory();
        tell(SyncPhase::Done, page_count, members, Some(members));
        Ok(report(members, page_count, unchanged_pages, false, synced_at))
    }

    /// Marks an org's cached member list as changed here, so the next sync
    /// walks the pages; `edit` applies the change to the cached list so the
    /// UI shows it at once. `touching` names the members the edit can
    /// change: only the cache pages holding them are read and written
    /// (`None`: every page). False when nothing of the org is cached.
    pub(crate) async fn edit_cached_members(
        &self,
        org_id: &str,
        touching: Option<&[&str]>,
        edit: impl Fn(&mut Vec<Member>),
    ) -> Result<bool> {
        let _writer = self.member_catch_up_lock().await;
        self.edit_cached_members_held(org_id, touching, edit).await
    }

    /// [`Session::edit_cached_members`] with the writer lock already held.
    pub(crate) async fn edit_cached_members_held(
        &self,
        org_id: &str,
        touching: Option<&[&str]>,
        edit: impl Fn(&mut Vec<Member>),
    ) -> Result<bool> {
        let cache = self.cache()?;
        let name = keys::member_sync(org_id);
        let Some(entry) = cache.get(&name).await? else {
            return Ok(false);
        };
        let view = match touching {
            Some(_) => self.member_view(org_id).await?.map(|(v, _)| v).filter(|v| v.page_count() > 0),
            None => None,
        };
        let edited_pages = match (view, touching) {
            (Some(view), Some(ids)) => {
                let numbers: std::collections::BTreeSet<usize> =
                    ids.iter().filter_map(|id| view.index_of(id)).filter_map(|i| view.page_of(i)).collect();
                let numbers: Vec<usize> = numbers.into_iter().collect();
                match cache.member_pages_numbered::<Member>(org_id, &numbers).await? {
                    // None of them is cached: no page to write.
                    Some(_) if numbers.is_empty() => true,
                    Some(mut pages) => {
                        pages.iter_mut().for_each(|(_, p)| edit(&mut p.items));
                        cache.replace_member_pages(org_id, &pages).await?;
                        let view = view.with_pages(pages.into_iter().map(|(n, p)| (n, p.items)).collect());
                        self.set_member_view(org_id, view, None).await;
                        true
                    }
                    None => false,
                }
            }
            _ => false,
        };
        if !edited_pages {
            if let Some(mut pages) = cache.member_pages::<Member>(org_id).await? {
                pages.iter_mut().for_each(|p| edit(&mut p.items));
                cache.put_member_pages(org_id, &pages).await?;
                self.set_member_view(
                    org_id,
                    MemberView::from_pages(pages.into_iter().map(|p| p.items).collect()),
                    None,
                )
                .await;
                crate::member_view::return_free_memory();
            }
        }
        let state = SyncState { complete: false, ..entry.value };
        cache.put_synced_at(&name, &state, None, entry.synced_at).await?;
        // Every view of the list follows (its echo on the stream is absorbed).
        self.announce(crate::live::Change::Members { org_id: org_id.to_owned() });
        Ok(true)
    }
}
