//! An org's members: the cached full list (filled by
//! [`Session::sync_members`]) and the changes an admin makes.

use std::collections::HashMap;

use orgdesk_core::api::{BulkChange, BulkMemberChange, BulkMemberResults, BulkOutcome, Member, UpdateMember};

use crate::error::Result;
use crate::session::Session;
use crate::snapshot::{Snapshot, Source};
use crate::sync::{state_name, SyncState};

impl Session {
    /// Every member of the org as last synced, answered from the cache.
    pub async fn cached_members(&self, org_id: &str) -> Result<Option<Snapshot<Vec<Member>>>> {
        let Some(state) = self.cache()?.get::<SyncState>(&state_name(org_id)).await? else {
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
        let member = self.call(|api| api.update_member(org_id, user_id, Some(version), req)).await?;
        self.edit_cached_members(org_id, |list| {
            if let Some(m) = list.iter_mut().find(|m| m.user_id == member.user_id) {
                *m = member.clone();
            }
        })
        .await?;
        Ok(member)
    }

    /// One change for many members: one request, one write of the cache.
    pub async fn bulk_change_members(
        &self,
        org_id: &str,
        user_ids: Vec<String>,
        change: BulkChange,
    ) -> Result<BulkMemberResults> {
        let req = BulkMemberChange { user_ids, change };
        let answer = self.call(|api| api.bulk_change_members(org_id, &req)).await?;
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
            self.edit_cached_members(org_id, |list| {
                list.retain(|m| !removed.contains(m.user_id.as_str()));
                for m in list.iter_mut() {
                    if let Some(after) = changed.get(m.user_id.as_str()) {
                        *m = (*after).clone();
                    }
                }
            })
            .await?;
        }
        Ok(answer)
    }

    pub async fn remove_member(&self, org_id: &str, user_id: &str) -> Result<()> {
        self.call(|api| api.remove_member(org_id, user_id)).await?;
        self.edit_cached_members(org_id, |list| list.retain(|m| m.user_id != user_id)).await
    }
}
