//! Invitations: an org's pending ones, the ones addressed to me, and every
//! pending one across the orgs I manage.

use orgdesk_core::api::{
    Accepted, CreateInvitations, Invitation, InvitationFilter, InvitationListQuery, InviteResults, ManagedInvitation,
    MyInvitation, Page,
};
use rand::RngCore;

use crate::cache_keys as keys;
use crate::error::Result;
use crate::session::Session;
use crate::snapshot::Snapshot;

/// How many open invitations one page holds (the first is cached).
const INVITATIONS_PER_PAGE: i64 = 200;

impl Session {
    pub async fn cached_invitations(&self, org_id: &str) -> Result<Option<Snapshot<Page<Invitation>>>> {
        self.cached(&keys::invitations(org_id)).await
    }

    /// The org's invitations waiting for an answer: pending and expired
    /// unanswered ones (the first 200, soonest expiry first).
    pub async fn invitations(&self, org_id: &str) -> Result<Snapshot<Page<Invitation>>> {
        let query = InvitationListQuery {
            limit: Some(INVITATIONS_PER_PAGE),
            cursor: None,
            status: Some(InvitationFilter::Open),
        };
        let query = &query;
        let list = self
            .revalidate(&keys::invitations(org_id), |api, etag| async move {
                api.list_invitations(org_id, query, etag.as_deref()).await
            })
            .await?;
        self.note_sent(&list.data.items);
        Ok(list)
    }

    /// The open invitations after `cursor` (the `next_cursor` of the page
    /// before), 200 at a time, read fresh: the cache keeps the first page,
    /// which the list opens with, and an org with more loads the rest on demand.
    pub async fn more_invitations(&self, org_id: &str, cursor: &str) -> Result<Page<Invitation>> {
        let query = InvitationListQuery {
            limit: Some(INVITATIONS_PER_PAGE),
            cursor: Some(cursor.to_owned()),
            status: Some(InvitationFilter::Open),
        };
        self.call(|api| api.invitations_page(org_id, &query)).await
    }

    /// Invites many emails with one role. Carries a fresh Idempotency-Key, so
    /// a retry after a dropped connection cannot invite twice.
    pub async fn invite(&self, org_id: &str, emails: &[String], role: &str) -> Result<InviteResults> {
        let req = CreateInvitations { emails: emails.to_vec(), role: role.to_owned() };
        let key = idempotency_key();
        let results = self.call(|api| api.create_invitations(org_id, &req, &key)).await?;
        self.note_sent(results.results.iter().filter_map(|r| r.invitation.as_ref()));
        self.forget_invitations(org_id).await?;
        Ok(results)
    }

    pub async fn resend_invitation(&self, org_id: &str, invitation_id: &str) -> Result<Invitation> {
        let invitation = self.call(|api| api.resend_invitation(org_id, invitation_id)).await?;
        self.note_sent([&invitation]);
        self.forget_invitations(org_id).await?;
        Ok(invitation)
    }

    pub async fn revoke_invitation(&self, org_id: &str, invitation_id: &str) -> Result<()> {
        self.call(|api| api.revoke_invitation(org_id, invitation_id)).await?;
        self.forget_invitations(org_id).await
    }

    pub async fn cached_my_invitations(&self) -> Result<Option<Snapshot<Vec<MyInvitation>>>> {
        self.cached(&keys::my_invitations()).await
    }

    pub async fn my_invitations(&self) -> Result<Snapshot<Vec<MyInvitation>>> {
        self.revalidate(&keys::my_invitations(), |api, etag| async move { api.my_invitations(etag.as_deref()).await })
            .await
    }

    pub async fn accept_my_invitation(&self, invitation_id: &str) -> Result<Accepted> {
        let accepted = self.call(|api| api.accept_my_invitation(invitation_id)).await?;
        self.cache()?.remove(&keys::my_invitations()).await?;
        self.cache()?.remove(&keys::orgs()).await?;
        Ok(accepted)
    }

    pub async fn decline_my_invitation(&self, invitation_id: &str) -> Result<()> {
        self.call(|api| api.decline_my_invitation(invitation_id)).await?;
        self.cache()?.remove(&keys::my_invitations()).await
    }

    pub async fn cached_managed_invitations(&self) -> Result<Option<Snapshot<Vec<ManagedInvitation>>>> {
        self.cached(&keys::managed_invitations()).await
    }

    /// Every pending invitation in the orgs I manage, soonest expiry first;
    /// each names its org and whether I may resend or revoke it.
    pub async fn managed_invitations(&self) -> Result<Snapshot<Vec<ManagedInvitation>>> {
        let list = self
            .revalidate(&keys::managed_invitations(), |api, etag| async move {
                api.managed_invitations(etag.as_deref()).await
            })
            .await?;
        self.note_sent(list.data.iter().map(|m| &m.invitation));
        Ok(list)
    }

    async fn forget_invitations(&self, org_id: &str) -> Result<()> {
        self.cache()?.remove(&keys::invitations(org_id)).await?;
        self.cache()?.remove(&keys::managed_invitations()).await
    }
}

fn idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
