//! The account's live subscription: one `GET /v1/events` per signed-in
//! session, read as Server-Sent Events ([`crate::sse`]), resumed after the
//! last event id (kept in the offline cache), reconnected with exponential
//! backoff and jitter (the server's `retry:` is the floor). Each event is
//! applied to the offline cache and the in-memory member view, and
//! announced as a [`Change`] to the session's views ([`crate::watch`]):
//!
//! - member events the member view already shows (the echo of my own
//!   change, applied from the server's answer with the new version) are
//!   absorbed: nothing is written and nothing re-synced;
//! - other member events patch the cached list at once (removal, role,
//!   status; only the cache pages holding those members are rewritten)
//!   and, since no payload carries a member's new version or a new member's
//!   name, a conditional re-sync of that org's list follows shortly
//!   (coalesced per org);
//! - invitation, role and org events re-validate just the lists they touch
//!   (one conditional request each);
//! - `reset` (the server cannot promise continuity) and every reconnect
//!   after a gap make the views re-validate.
//!
//! The connection status ([`ConnectionStatus::stream`]) comes from here: a
//! dropped stream is "reconnecting", a failed connect is offline (the
//! banner), and every event or heartbeat confirms the cache as current.

use std::collections::VecDeque;
use std::sync::{Arc, Weak};
use std::time::Duration;

use orgdesk_core::api::{Member, MemberStatus};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cache_keys as keys;
use crate::error::{Error, Result};
use crate::member_view::MemberView;
use crate::session::Session;
use crate::sse::{SseItem, SseParser};
use crate::sync::{CancelToken, SyncMode};

/// What changed, for the views that show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// The cached member list of an org (and its in-memory view).
    Members {
        org_id: String,
    },
    Invitations {
        org_id: String,
    },
    Roles {
        org_id: String,
    },
    /// One org's settings.
    Org {
        org_id: String,
    },
    /// My orgs (and my role and permissions in each).
    Orgs,
    MyInvitations,
    ManagedInvitations,
    /// The connection status moved (online, the stream's state).
    Status,
    /// Connected again after a gap, or the server asked for a reload:
    /// every view re-validates (conditionally).
    Revalidate,
}

/// The stream's own state, for the status line.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamState {
    /// No subscription (turned off, or not started yet).
    #[default]
    Off,
    Connecting,
    /// Events arrive as they happen.
    Connected,
    /// The stream dropped; the next attempt is scheduled.
    Reconnecting,
}

/// Something to tell the person (a native notification).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub kind: NoticeKind,
    /// The account it is for.
    pub account_id: String,
    pub org_id: String,
    pub title: String,
    pub body: String,
    /// The event it comes from (so one event is told once).
    pub event_id: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// Someone accepted an invitation I sent.
    InvitationAccepted,
    /// Someone declined an invitation I sent.
    InvitationDeclined,
    /// I was invited to an org.
    Invited,
}

/// The first pause after a failed attempt; doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// The server sends a heartbeat every 15 s: silence for this long means
/// the connection is gone even if no error said so.
const SILENCE: Duration = Duration::from_secs(45);
/// Member events of one org within this are answered by one re-sync.
const RESYNC_AFTER: Duration = Duration::from_millis(300);
/// Ids remembered to drop the repeats a resume may send.
const RECENT_IDS: usize = 1024;

/// An event as the stream sends it: `{id, type, org_id, timestamp, data}`.
#[derive(Clone, Debug, Deserialize)]
pub struct StreamEvent {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub org_id: String,
    #[serde(default)]
    pub data: Value,
}

/// Why a connection ended.
enum Ended {
    /// The server closed it or the network dropped it: reconnect.
    Dropped,
    /// The session is over: stop.
    Stop,
}

/// What one member event says about the member.
#[derive(Clone, Debug)]
pub(crate) struct MemberPatch {
    user_id: String,
    removed: bool,
    role: Option<String>,
    status: Option<MemberStatus>,
}

impl MemberPatch {
    /// A patch that applies nothing but asks for the member re-sync.
    fn resync() -> MemberPatch {
        MemberPatch { user_id: String::new(), removed: false, role: None, status: None }
    }

    /// True when the view shows what this event says already: the echo of
    /// my own change (applied from the server's answer, with the member's
    /// new version), or an event a re-sync brought in before it arrived.
    fn reflected_in(&self, view: &MemberView) -> bool {
        match view.role_and_status(&self.user_id) {
            None => self.removed,
            Some((role, status)) => {
                !self.removed && self.role.as_ref().is_none_or(|r| r == role) && self.status.is_none_or(|s| s == status)
            }
        }
    }

    fn apply(&self, list: &mut Vec<Member>) {
        if self.removed {
            list.retain(|m| m.user_id != self.user_id);
            return;
        }
        if let Some(m) = list.iter_mut().find(|m| m.user_id == self.user_id) {
            if let Some(role) = &self.role {
                m.role = role.clone();
            }
            if let Some(status) = self.status {
                m.status = status;
            }
        }
    }
}

/// The ids and types of the events applied last, newest last.
#[derive(Debug, Default)]
pub(crate) struct Recent {
    events: VecDeque<(String, String)>,
}

impl Session {
    /// False for an event already applied (a resume may send it again).
    fn first_time(&self, id: &str, event_type: &str) -> bool {
        let mut recent = self.recent_events_mut();
        if recent.events.iter().any(|(seen, _)| seen == id) {
            return false;
        }
        recent.events.push_back((id.to_owned(), event_type.to_owned()));
        if recent.events.len() > RECENT_IDS {
            recent.events.pop_front();
        }
        true
    }

    /// The last events applied from the stream (id, type), oldest first:
    /// for diagnostics and tests.
    pub fn recent_events(&self) -> Vec<(String, String)> {
        self.recent_events_mut().events.iter().cloned().collect()
    }

    /// Starts the session's subscription (once; a no-op when it runs).
    pub(crate) fn start_live(self: &Arc<Self>) {
        let mut slot = self.live_task();
        if slot.is_some() || self.is_ended() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!("no async runtime: the live event stream is not started");
            return;
        };
        let weak = Arc::downgrade(self);
        *slot = Some(runtime.spawn(run(weak)).abort_handle());
    }

    /// The last event id applied, from the cache.
    pub async fn last_event_id(&self) -> Option<String> {
        self.cache().ok()?.get(&keys::event_cursor()).await.ok().flatten().map(|e| e.value)
    }

    /// Applies one event from the stream to the cache, the member view and
    /// the views; answers the notice it gives, if any.
    pub async fn apply_event(self: &Arc<Self>, event: &StreamEvent) -> Result<Option<Notice>> {
        let org = event.org_id.as_str();
        let data = &event.data;
        let me = self.account();
        let my_id = me.as_ref().map(|a| a.user_id.as_str()).unwrap_or_default();
        let about_me = data["user_id"].as_str() == Some(my_id);
        let mut notice = None;
        match event.event_type.as_str() {
            t @ ("member.added" | "member.updated" | "member.disabled" | "member.enabled" | "member.removed") => {
                let user_id = data["user_id"].as_str().unwrap_or_default().to_owned();
                let role = data["role"].as_str().map(str::to_owned);
                let status = match t {
                    "member.disabled" => Some(MemberStatus::Disabled),
                    "member.enabled" => Some(MemberStatus::Active),
                    _ => None,
                };
                let removed = t == "member.removed";
                let patch = MemberPatch { user_id, removed, role, status };
                // The echo of my own change (the view has it, with the new
                // version) needs nothing. Others are applied with the rest
                // of a burst in one write of the cache (a bulk change of 500
                // is 500 events), then re-synced.
                if !self.member_view_reflects(org, &patch) {
                    self.member_patches().entry(org.to_owned()).or_default().push(patch);
                    self.resync_members_soon(org);
                }
                if about_me {
                    // My own role, status or membership: my orgs and permissions.
                    self.revalidate_quietly(Change::Orgs).await;
                    if removed {
                        self.cache()?.clear_member_pages(org).await?;
                    }
                }
            }
            t if t.starts_with("invitation.") => {
                let email = data["email"].as_str().unwrap_or_default();
                let to_me = me.as_ref().is_some_and(|a| a.email.eq_ignore_ascii_case(email));
                if to_me {
                    self.revalidate_quietly(Change::MyInvitations).await;
                    if t == "invitation.created" {
                        let org_name = self.invitation_org_name(&event.data["id"]).await;
                        notice = Some(self.notice(
                            event,
                            NoticeKind::Invited,
                            "You were invited",
                            &format!(
                                "You were invited to {} as {}.",
                                org_name.unwrap_or_else(|| "an organization".into()),
                                data["role"].as_str().unwrap_or("a member")
                            ),
                        ));
                    }
                }
                if self.is_member_of(org).await {
                    if matches!(t, "invitation.accepted" | "invitation.declined") {
                        notice = self.answered_notice(event).await;
                    }
                    self.revalidate_quietly(Change::Invitations { org_id: org.to_owned() }).await;
                    self.revalidate_quietly(Change::ManagedInvitations).await;
                }
            }
            t if t.starts_with("role.") => {
                self.revalidate_quietly(Change::Roles { org_id: org.to_owned() }).await;
                // A changed role can change my permissions.
                self.revalidate_quietly(Change::Orgs).await;
            }
            "org.updated" => {
                self.revalidate_quietly(Change::Org { org_id: org.to_owned() }).await;
                self.revalidate_quietly(Change::Orgs).await;
            }
            "org.ownership_transferred" => {
                self.revalidate_quietly(Change::Org { org_id: org.to_owned() }).await;
                self.revalidate_quietly(Change::Orgs).await;
                self.member_patches().entry(org.to_owned()).or_default().push(MemberPatch::resync());
                self.resync_members_soon(org);
            }
            "org.deleted" => {
                self.cache()?.clear_member_pages(org).await?;
                self.cache()?.remove(&keys::member_sync(org)).await?;
                self.revalidate_quietly(Change::Orgs).await;
                self.revalidate_quietly(Change::ManagedInvitations).await;
                self.announce(Change::Members { org_id: org.to_owned() });
            }
            // API keys have no list in the app; unknown types are a newer server's.
            _ => {}
        }
        Ok(notice)
    }

    fn notice(&self, event: &StreamEvent, kind: NoticeKind, title: &str, body: &str) -> Notice {
        Notice {
            kind,
            account_id: self.account_id().to_owned(),
            org_id: event.org_id.clone(),
            title: title.to_owned(),
            body: body.to_owned(),
            event_id: event.id.clone(),
        }
    }

    /// "Ada accepted your invitation to Acme", when the invitation (as the
    /// cache held it before this event) was sent by me.
    async fn answered_notice(&self, event: &StreamEvent) -> Option<Notice> {
        let id = event.data["id"].as_str()?;
        // Seen in an answer or a list this run, else in the cached list.
        if let Ok(Some(cached)) = self.cached_invitations(&event.org_id).await {
            self.note_sent(&cached.data.items);
        }
        let managed = self.cached_managed_invitations().await.ok().flatten();
        if let Some(managed) = &managed {
            self.note_sent(managed.data.iter().map(|m| &m.invitation));
        }
        if !self.sent_by_me(id) {
            return None;
        }
        let email = event.data["email"].as_str().unwrap_or("someone");
        let org_name = managed
            .and_then(|s| s.data.into_iter().find(|i| i.org_id == event.org_id).map(|i| i.org_name))
            .or(self.org_name(&event.org_id).await)
            .unwrap_or_else(|| "your organization".into());
        Some(if event.event_type == "invitation.accepted" {
            self.notice(
                event,
                NoticeKind::InvitationAccepted,
                "Invitation accepted",
                &format!("{email} accepted your invitation to {org_name}."),
            )
        } else {
            self.notice(
                event,
                NoticeKind::InvitationDeclined,
                "Invitation declined",
                &format!("{email} declined your invitation to {org_name}."),
            )
        })
    }

    async fn org_name(&self, org_id: &str) -> Option<String> {
        let orgs = self.cached_orgs().await.ok().flatten()?;
        orgs.data.into_iter().find(|o| o.id == org_id).map(|o| o.name)
    }

    async fn is_member_of(&self, org_id: &str) -> bool {
        match self.cached_orgs().await.ok().flatten() {
            Some(orgs) => orgs.data.iter().any(|o| o.id == org_id),
            // No org list yet: the event came, so the server says I may read it.
            None => true,
        }
    }

    /// The org named by one of my invitations (after re-validating them).
    async fn invitation_org_name(&self, id: &Value) -> Option<String> {
        let id = id.as_str()?;
        let mine = self.cached_my_invitations().await.ok().flatten()?;
        mine.data.into_iter().find(|i| i.id == id).map(|i| i.org_name)
    }

    /// Re-validates the list behind `change` (one conditional request) and
    /// announces it; failures are logged, the views keep what they had.
    pub(crate) async fn revalidate_quietly(&self, change: Change) {
        let outcome = match &change {
            Change::Invitations { org_id } => self.invitations(org_id).await.map(drop),
            Change::Roles { org_id } => self.roles(org_id).await.map(drop),
            Change::Org { org_id } => match self.cached_org(org_id).await {
                Ok(Some(_)) => self.org(org_id).await.map(drop),
                other => other.map(drop),
            },
            Change::Orgs => self.orgs().await.map(drop),
            Change::MyInvitations => self.my_invitations().await.map(drop),
            Change::ManagedInvitations => self.managed_invitations().await.map(drop),
            _ => Ok(()),
        };
        match outcome {
            Ok(()) => self.announce(change),
            Err(e) => tracing::debug!(error = %e, ?change, "re-validating after an event failed"),
        }
    }

    /// Shortly, once for a burst of member events of an org: their patches
    /// in one write of the cache and the member view (shown at once), then a
    /// conditional re-sync of the list (the payloads carry no new version,
    /// name or new member's details). Nothing is done for an org whose list
    /// was never cached.
    pub(crate) fn resync_members_soon(self: &Arc<Self>, org_id: &str) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let mut scheduled = self.member_resyncs();
        // One already waiting takes this event's patch too.
        if scheduled.contains_key(org_id) {
            return;
        }
        let weak = Arc::downgrade(self);
        let org = org_id.to_owned();
        let task = runtime.spawn(async move {
            tokio::time::sleep(RESYNC_AFTER).await;
            let Some(session) = weak.upgrade() else { return };
            if let Err(e) = session.catch_up_members(&org).await {
                tracing::debug!(error = %e, "bringing the member list up to date after events failed");
            }
        });
        scheduled.insert(org_id.to_owned(), task.abort_handle());
    }

    /// Whether the org's member view in memory shows what `patch` says.
    fn member_view_reflects(&self, org: &str, patch: &MemberPatch) -> bool {
        self.member_views().get(org).is_some_and(|(view, _)| patch.reflected_in(view))
    }

    async fn catch_up_members(&self, org: &str) -> Result<()> {
        let cached = {
            // The cached lists have one writer at a time (syncs, edits, this).
            let _writer = self.member_catch_up_lock().await;
            let patches = {
                // Held while deciding, so nobody sees this catch-up as
                // neither scheduled nor counted.
                let mut scheduled = self.member_resyncs();
                scheduled.remove(org);
                let mut patches = self.member_patches().remove(org).unwrap_or_default();
                // My own edit may have landed after its echo was queued.
                let queued = patches.len();
                patches.retain(|p| !self.member_view_reflects(org, p));
                if queued > 0 && patches.is_empty() {
                    return Ok(());
                }
                self.count_member_catch_up();
                patches
            };
            if patches.is_empty() {
                self.cache()?.get(&keys::member_sync(org)).await?.is_some()
            } else {
                let touching: Vec<&str> =
                    patches.iter().map(|p| p.user_id.as_str()).filter(|id| !id.is_empty()).collect();
                self.edit_cached_members_held(org, Some(&touching), |list| patches.iter().for_each(|p| p.apply(list)))
                    .await?
            }
        };
        if !cached {
            return Ok(());
        }
        self.announce(Change::Members { org_id: org.to_owned() });
        self.sync_members(org, SyncMode::Auto, |_| {}, &CancelToken::new()).await?;
        self.announce(Change::Members { org_id: org.to_owned() });
        Ok(())
    }
}

/// The subscription loop: connect, read, apply, reconnect.
async fn run(weak: Weak<Session>) {
    let mut backoff = FIRST_BACKOFF;
    let mut gap = false;
    let mut floor = Duration::ZERO;
    loop {
        let Some(session) = weak.upgrade() else { return };
        if session.is_ended() {
            return;
        }
        let since = session.last_event_id().await;
        let opened = session.call(|api| api.open_events(since.as_deref())).await;
        let ended = match opened {
            Ok(mut stream) => {
                backoff = FIRST_BACKOFF;
                session.set_stream(crate::live::StreamState::Connected);
                if gap {
                    session.announce(Change::Revalidate);
                }
                gap = true;
                let mut parser = SseParser::with_last_id(since);
                let mut ended = Ended::Dropped;
                let mut applied: Option<String> = None;
                loop {
                    let chunk = match tokio::time::timeout(SILENCE, stream.chunk()).await {
                        Ok(Ok(Some(chunk))) => chunk,
                        Ok(Ok(None)) | Err(_) => break,
                        Ok(Err(e)) => {
                            tracing::debug!(error = %e, "the event stream dropped");
                            break;
                        }
                    };
                    let items = match parser.feed(&chunk) {
                        Ok(items) => items,
                        Err(_) => {
                            tracing::warn!("the event stream sent a line over 1 MiB; reconnecting");
                            break;
                        }
                    };
                    if session.is_ended() {
                        ended = Ended::Stop;
                        break;
                    }
                    session.heard_from_server();
                    for item in items {
                        match item {
                            SseItem::Comment(_) => {}
                            SseItem::Retry(after) => floor = after.min(MAX_BACKOFF),
                            SseItem::Event(e) if e.event == "reset" => {
                                tracing::info!("the event stream asked for a reload");
                                session.announce(Change::Revalidate);
                            }
                            SseItem::Event(e) => {
                                let Some(id) = e.id.clone() else { continue };
                                if !session.first_time(&id, &e.event) {
                                    continue;
                                }
                                match serde_json::from_str::<StreamEvent>(&e.data) {
                                    Ok(event) => match session.apply_event(&event).await {
                                        Ok(Some(notice)) => session.tell(notice),
                                        Ok(None) => {}
                                        Err(Error::NotSignedIn) => return,
                                        Err(err) => tracing::warn!(error = %err, "applying an event failed"),
                                    },
                                    Err(err) => tracing::warn!(error = %err, "an unreadable event was skipped"),
                                }
                                applied = Some(id);
                            }
                        }
                    }
                    // Kept once per chunk, after its events were applied.
                    if let (Some(id), Ok(cache)) = (applied.take(), session.cache()) {
                        if let Err(err) = cache.put(&keys::event_cursor(), &id, None).await {
                            tracing::warn!(error = %err, "keeping the last event id failed");
                        }
                    }
                }
                ended
            }
            Err(Error::SessionRevoked | Error::NotSignedIn) => Ended::Stop,
            Err(e) => {
                if !e.is_offline() {
                    tracing::warn!(error = %e, "the event stream was refused");
                }
                gap = true;
                Ended::Dropped
            }
        };
        if matches!(ended, Ended::Stop) || session.is_ended() {
            return;
        }
        session.set_stream(StreamState::Reconnecting);
        drop(session);
        let jitter = rand::thread_rng().gen_range(0..=backoff.as_millis() as u64 / 4);
        tokio::time::sleep(backoff.max(floor) + Duration::from_millis(jitter)).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}
