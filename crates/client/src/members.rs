//! An org's members: the cached full list (filled by
//! [`Session::sync_members`]), the windows of it the UI shows (from the
//! in-memory [`MemberView`], built once from the cache and replaced whenever
//! the cached list changes), and the changes an admin makes.

use std::collections::HashMap;
use std::sync::Arc;

use orgdesk_core::api::{BulkChange, BulkMemberChange, BulkOutcome, Member, UpdateMember};

use crate::cache_keys as keys;
use crate::error::Result;
use crate::member_view::{BulkReport, MemberFilter, MemberListState, MemberView, MemberWindow, PageRows, RoleCount};
use crate::session::Session;
use crate::snapshot::{Snapshot, Source};

/// How many top rows of the default order are kept for a cold start: the
/// screen's first request (`CHUNK` in ui/src/lib/members.ts).
const FIRST_WINDOW_ROWS: usize = 100;

impl Session {
    /// The org's member list in memory; built from the cache when first
    /// asked for; `None` when nothing was synced yet.
    pub(crate) async fn member_view(&self, org_id: &str) -> Result<Option<(Arc<MemberView>, Option<String>)>> {
        if let Some(entry) = self.member_views().get(org_id).cloned() {
            return Ok(Some(entry));
        }
        // One build from the cache at a time; whoever waited finds it built.
        let _building = self.member_view_build_lock().await;
        if let Some(entry) = self.member_views().get(org_id).cloned() {
            return Ok(Some(entry));
        }
        let Some(state) = self.cache()?.get(&keys::member_sync(org_id)).await? else {
            return Ok(None);
        };
        let Some(pages) = self.cache()?.decode_member_pages(org_id, PageRows::decode).await? else {
            return Ok(None);
        };
        let view = MemberView::from_rows(pages);
        let built = (Arc::new(view), Some(state.synced_at));
        // A sync that finished meanwhile set a newer view: that one stays.
        let view = self.member_views().entry(org_id.to_owned()).or_insert(built).clone();
        crate::member_view::return_free_memory();
        // A cache written before the top rows were kept gets them now.
        if !self.has_kept_first_window(org_id).await {
            self.keep_first_window(org_id).await;
        }
        Ok(Some(view))
    }

    /// The cached list changed: the view follows (`synced_at: None` keeps the
    /// time of the last sync, as a local edit is not a sync), and so do the
    /// top rows kept for the next cold start.
    pub(crate) async fn set_member_view(&self, org_id: &str, view: MemberView, synced_at: Option<String>) {
        {
            let mut views = self.member_views();
            let synced_at = synced_at.or_else(|| views.get(org_id).and_then(|(_, at)| at.clone()));
            views.insert(org_id.to_owned(), (Arc::new(view), synced_at));
        }
        self.keep_first_window(org_id).await;
    }

    /// Keeps the top rows of the org's list in the default order, for the
    /// next cold start. A failure only costs that start its head start.
    async fn keep_first_window(&self, org_id: &str) {
        let Some((view, synced_at)) = self.member_views().get(org_id).cloned() else {
            return;
        };
        let window = view.window(&MemberFilter::default(), 0, FIRST_WINDOW_ROWS, synced_at);
        let kept = match self.cache() {
            Ok(cache) => cache.put(&keys::member_first_window(org_id), &window, None).await.map(|_| ()),
            Err(e) => Err(e),
        };
        if let Err(e) = kept {
            tracing::warn!(error = %e, "the member list's top rows could not be kept for the next start");
        }
    }

    /// Whether the org's top rows are kept for a cold start (nothing decrypted).
    pub async fn has_kept_first_window(&self, org_id: &str) -> bool {
        match self.cache() {
            Ok(cache) => cache.contains(&keys::member_first_window(org_id)).await.unwrap_or(false),
            Err(_) => false,
        }
    }

    /// A sync found nothing changed: only the time moves.
    pub(crate) fn member_view_synced(&self, org_id: &str, synced_at: &str) {
        if let Some((_, at)) = self.member_views().get_mut(org_id) {
            *at = Some(synced_at.to_owned());
        }
    }

    /// Rows `offset..offset + limit` of the cached members matching `filter`,
    /// with the counts; `None` before the first sync.
    pub async fn member_window(
        &self,
        org_id: &str,
        filter: &MemberFilter,
        offset: usize,
        limit: usize,
    ) -> Result<Option<MemberWindow>> {
        // Before the list is built from the cache (a cold start builds it when
        // the screen's view channel asks): its top rows as kept with the
        // list's last change, at once. Revision 0 is older than any built
        // list's, so the screen asks again when the view channel announces
        // the built one.
        let top_of_default = offset == 0 && limit <= FIRST_WINDOW_ROWS && *filter == MemberFilter::default();
        if top_of_default && !self.member_views().contains_key(org_id) {
            if let Some(kept) = self.cache()?.get(&keys::member_first_window(org_id)).await? {
                let mut window = kept.value;
                window.rows.truncate(limit);
                window.revision = 0;
                return Ok(Some(window));
            }
        }
        let Some((view, synced_at)) = self.member_view(org_id).await? else {
            return Ok(None);
        };
        Ok(Some(view.window(filter, offset, limit, synced_at)))
    }

    /// The ids of every cached member matching `filter`, in its order.
    pub async fn member_ids(&self, org_id: &str, filter: &MemberFilter) -> Result<Vec<String>> {
        Ok(self.member_view(org_id).await?.map(|(v, _)| v.ids(filter)).unwrap_or_default())
    }

    /// How many members the org's cached list holds and when it was last
    /// synced; `None` before the first sync.
    pub async fn member_count(&self, org_id: &str) -> Result<Option<(u64, Option<String>)>> {
        Ok(self.member_view(org_id).await?.map(|(v, at)| (v.len() as u64, at)))
    }

    /// The size and revision of the org's cached list and when it was last
    /// synced; `None` before the first sync.
    pub async fn member_list_state(&self, org_id: &str) -> Result<Option<(MemberListState, Option<String>)>> {
        Ok(self
            .member_view(org_id)
            .await?
            .map(|(v, at)| (MemberListState { members: v.len() as u64, revision: v.revision() }, at)))
    }

    /// One cached member.
    pub async fn cached_member(&self, org_id: &str, user_id: &str) -> Result<Option<Member>> {
        Ok(self.member_view(org_id).await?.and_then(|(v, _)| v.get(user_id)))
    }

    /// How many of `user_ids` hold each role (as cached).
    pub async fn member_role_counts(&self, org_id: &str, user_ids: &[String]) -> Result<Vec<RoleCount>> {
        Ok(self.member_view(org_id).await?.map(|(v, _)| v.role_counts(user_ids)).unwrap_or_default())
    }

    /// Every member of the org as last synced, answered from the cache.
    pub async fn cached_members(&self, org_id: &str) -> Result<Option<Snapshot<Vec<Member>>>> {
        let Some(state) = self.cache()?.get(&keys::member_sync(org_id)).await? else {
            return Ok(None);
        };
        let Some(pages) = self.cache()?.member_pages::<Member>(org_id).await? else {
            return Ok(None);
        };
        let members = pages.into_iter().flat_map(|p| p.items).collect();
        Ok(Some(Snapshot {
            data: members,
            source: Source::Cache,
            synced_at: Some(state.synced_at),
            offline: !self.status().online,
        }))
    }

    /// Changes a member's role or status if nobody else did since `version`
    /// (`Member::version`) was read; else `Code::PreconditionFailed`.
    pub async fn update_member(&self, org_id: &str, user_id: &str, version: i64, req: &UpdateMember) -> Result<Member> {
        self.update_member_inner(org_id, user_id, version, req, false).await
    }

    /// Disables a member and revokes the API keys they created in the org,
    /// in one transaction (list them first with `api_keys(org, Some(user))`).
    pub async fn disable_member_and_revoke_keys(&self, org_id: &str, user_id: &str, version: i64) -> Result<Member> {
        let req = UpdateMember { role: None, status: Some(orgdesk_core::api::MemberStatus::Disabled) };
        self.update_member_inner(org_id, user_id, version, &req, true).await
    }

    async fn update_member_inner(
        &self,
        org_id: &str,
        user_id: &str,
        version: i64,
        req: &UpdateMember,
        revoke_api_keys: bool,
    ) -> Result<Member> {
        let member = self
            .call(|api| async move {
                if revoke_api_keys {
                    api.update_member_and_revoke_keys(org_id, user_id, Some(version), req).await
                } else {
                    api.update_member(org_id, user_id, Some(version), req).await
                }
            })
            .await?;
        self.edit_cached_members(org_id, Some(&[member.user_id.as_str()]), |list| {
            if let Some(m) = list.iter_mut().find(|m| m.user_id == member.user_id) {
                *m = member.clone();
            }
        })
        .await?;
        Ok(member)
    }

    /// One change for many members: one request, one write of the cache;
    /// answers what it did in words (with the removed members as they were).
    /// With `revoke_api_keys` (a removal or disabling), each member's API
    /// keys in the org are revoked with their change.
    pub async fn bulk_change_members(
        &self,
        org_id: &str,
        user_ids: Vec<String>,
        change: BulkChange,
        revoke_api_keys: bool,
    ) -> Result<BulkReport> {
        let req = BulkMemberChange { user_ids, change };
        let answer = self
            .call(|api| async {
                if revoke_api_keys {
                    api.bulk_change_members_and_revoke_keys(org_id, &req).await
                } else {
                    api.bulk_change_members(org_id, &req).await
                }
            })
            .await?;
        let before = match self.member_view(org_id).await? {
            Some((view, _)) => view,
            None => Arc::new(MemberView::new(Vec::new())),
        };
        let report = before.bulk_report(&answer);
        let mut changed: HashMap<&str, &Member> = HashMap::new();
        let mut removed = std::collections::HashSet::new();
        for r in &answer.results {
            match (r.outcome, &r.member) {
                (BulkOutcome::Changed, Some(member)) => {
                    changed.insert(r.user_id.as_str(), member);
                }
                (BulkOutcome::Removed, _) => {
                    removed.insert(r.user_id.as_str());
                }
                _ => {}
            }
        }
        if !changed.is_empty() || !removed.is_empty() {
            let touching: Vec<&str> = changed.keys().chain(removed.iter()).copied().collect();
            self.edit_cached_members(org_id, Some(&touching), |list| {
                list.retain(|m| !removed.contains(m.user_id.as_str()));
                for m in list.iter_mut() {
                    if let Some(after) = changed.get(m.user_id.as_str()) {
                        *m = (*after).clone();
                    }
                }
            })
            .await?;
        }
        Ok(report)
    }

    /// Removes a member; with `revoke_api_keys`, also the API keys they
    /// created in the org, in the same transaction.
    pub async fn remove_member(&self, org_id: &str, user_id: &str, revoke_api_keys: bool) -> Result<()> {
        self.call(|api| async move {
            if revoke_api_keys {
                api.remove_member_and_keys(org_id, user_id).await
            } else {
                api.remove_member(org_id, user_id).await
            }
        })
        .await?;
        self.edit_cached_members(org_id, Some(&[user_id]), |list| list.retain(|m| m.user_id != user_id)).await.map(drop)
    }
}
