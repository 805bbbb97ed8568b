//! The live event stream: `GET /v1/events` (Server-Sent Events) sends the
//! caller's events across their organizations, each only when the caller
//! may read it (`events::read_permission`: member events need
//! `members:read`, invitation events `invitations:read`, …).
//!
//! One poller per process ([`run_poller`]) reads the event log every
//! [`POLL`] and broadcasts new events to the process's subscribers, so a
//! change committed through any replica reaches every replica's streams
//! within about a poll. It reads a [`WINDOW`] back and skips what it sent
//! already: event ids are made before commit, so a transaction can commit
//! after a later one; reading a window catches it.
//!
//! A reconnecting client sends `Last-Event-ID`: the stream first sends the
//! caller's events from [`WINDOW`] before that event on (duplicates of what
//! it had are possible, losses are not: drop repeats by `id`), then the live
//! ones. What the caller may read is re-read when an event changes it (their
//! own membership, a role, an ownership transfer, a deleted org).

use std::collections::{HashMap, HashSet, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::response::sse::Event;
use futures_util::Stream;
use orgdesk_core::api::MemberStatus;
use tokio::sync::broadcast;

use crate::access::{role_permissions, Delegated};
use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::events;
use crate::state::AppState;
use crate::store::{self, events::EventRow, memberships::AccessRow};
use crate::time::{now_ms, SECOND};

/// How often the poller reads the event log.
pub const POLL: Duration = Duration::from_millis(250);

/// How far back each poll (and a resume) reads.
pub const WINDOW: i64 = 5 * SECOND;

/// An event as the subscribers get it: the wire form made once.
pub struct Published {
    pub row: EventRow,
    /// `data.user_id`: whom a member event is about.
    pub subject: Option<String>,
    /// The key of `data.email` for an invitation event: whom it invites.
    pub invitee: Option<String>,
    /// `data.id`: the changed object's id (a partner relationship's).
    pub object: Option<String>,
    pub json: String,
}

impl Published {
    fn of(row: EventRow) -> Published {
        let envelope = events::envelope(&row);
        let subject = envelope["data"]["user_id"].as_str().map(str::to_owned);
        let invitee = (row.event_type.starts_with("invitation."))
            .then(|| envelope["data"]["email"].as_str().map(orgdesk_core::validate::email_key))
            .flatten();
        let object = envelope["data"]["id"].as_str().map(str::to_owned);
        Published { json: envelope.to_string(), subject, invitee, object, row }
    }
}

/// The process's broadcast of new events.
pub struct Hub {
    sender: broadcast::Sender<Arc<Published>>,
    /// True once the server shuts down: every stream ends, so a graceful
    /// shutdown does not wait for subscribers that never hang up.
    closing: tokio::sync::watch::Sender<bool>,
}

impl Default for Hub {
    fn default() -> Hub {
        Hub { sender: broadcast::channel(4096).0, closing: tokio::sync::watch::channel(false).0 }
    }
}

impl Hub {
    pub fn subscribers(&self) -> usize {
        self.sender.receiver_count()
    }

    /// Ends every stream of this process (the clients reconnect with Last-Event-ID).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }
}

/// Polls the event log and broadcasts every event once, until the process stops.
pub async fn run_poller(state: AppState) {
    let mut seen: HashMap<String, i64> = HashMap::new();
    let mut last = now_ms();
    // What is already in the log at start is history: resumes read it.
    if let Ok(rows) = store::events::since(&state.db.pool, last - WINDOW, 100_000).await {
        seen.extend(rows.into_iter().map(|r| (r.id, r.at)));
    }
    loop {
        tokio::time::sleep(POLL).await;
        let started = now_ms();
        match store::events::since(&state.db.pool, last - WINDOW, 100_000).await {
            Ok(rows) => {
                for row in rows {
                    if seen.contains_key(&row.id) {
                        continue;
                    }
                    seen.insert(row.id.clone(), row.at);
                    // No subscribers is not an error.
                    let _ = state.hub.sender.send(Arc::new(Published::of(row)));
                }
                last = started;
                seen.retain(|_, at| *at >= last - 2 * WINDOW);
            }
            Err(e) => tracing::warn!(error = %e, "reading the event log for the stream failed"),
        }
    }
}

/// What one subscriber may read, by org.
struct Reader {
    user_id: String,
    orgs: HashMap<String, orgdesk_core::PermissionSet>,
    /// The orgs among `orgs` reached through a partner relationship: its id
    /// and end. Another partner's relationship events are not theirs to
    /// read, and nothing is once the end passes (before the janitor's
    /// expiry event re-reads the view).
    delegated: HashMap<String, (String, i64)>,
    /// The caller's address key when it is verified: invitations to it are
    /// theirs to see (as `/v1/me/invitations` shows them), in any org.
    email_key: Option<String>,
}

impl Reader {
    async fn load(state: &AppState, user_id: &str, email_key: Option<String>) -> store::Result<Reader> {
        let rows: Vec<AccessRow> = store::memberships::access_of_user(&state.db.pool, user_id).await?;
        let mut orgs: HashMap<String, orgdesk_core::PermissionSet> = rows
            .into_iter()
            .filter(|r| r.status == MemberStatus::Active.as_str())
            .map(|r| (r.org_id.clone(), role_permissions(&r.role, r.builtin, &r.permissions)))
            .collect();
        let mut delegated = HashMap::new();
        let rows = store::partners::delegated_orgs(&state.db.pool, user_id, now_ms()).await?;
        for (first, held) in Delegated::of_each(&rows) {
            if orgs.contains_key(&held.org_id) {
                continue;
            }
            delegated.insert(held.org_id.clone(), (held.delegation.relationship_id, rows[first].ends_at));
            orgs.insert(held.org_id, held.permissions);
        }
        Ok(Reader { user_id: user_id.to_owned(), orgs, delegated, email_key })
    }

    fn may_read(&self, event: &Published) -> bool {
        let row = &event.row;
        if let Some((relationship, ends_at)) = self.delegated.get(&row.org_id) {
            if now_ms() >= *ends_at {
                return false;
            }
            if row.event_type.starts_with("partner_relationship.") && event.object.as_deref() != Some(relationship) {
                return false;
            }
        }
        match (self.orgs.get(&row.org_id), events::read_permission(&row.event_type)) {
            (Some(permissions), Some(needed)) => permissions.has(needed),
            _ => false,
        }
    }

    /// A person removed or disabled is told so, even when the view was
    /// already re-read without that org.
    fn told_of_own_exit(&self, event: &Published) -> bool {
        event.subject.as_deref() == Some(self.user_id.as_str())
            && matches!(event.row.event_type.as_str(), "member.removed" | "member.disabled")
    }

    /// An invitation to the caller's verified address, from any org: they
    /// learn they were invited (or that it was resent, revoked, expired)
    /// without polling `/v1/me/invitations`.
    fn invited(&self, event: &Published) -> bool {
        let (Some(mine), Some(to)) = (&self.email_key, &event.invitee) else { return false };
        mine == to
            && matches!(
                event.row.event_type.as_str(),
                "invitation.created" | "invitation.resent" | "invitation.revoked" | "invitation.expired"
            )
    }

    /// Whether the event can change what this subscriber may read.
    fn changed_by(&self, event: &Published) -> bool {
        let about_me = event.subject.as_deref() == Some(self.user_id.as_str());
        let t = event.row.event_type.as_str();
        let in_my_org = self.orgs.contains_key(&event.row.org_id);
        // A relationship's or a team's change can give or take delegated access.
        let delegation = t.starts_with("partner_relationship.") || t.starts_with("team.");
        (about_me && (t.starts_with("member.") || t == "invitation.accepted"))
            || (in_my_org
                && (delegation
                    || matches!(t, "role.updated" | "role.deleted" | "org.ownership_transferred" | "org.deleted")))
    }
}

fn sse(event: &Published) -> Event {
    Event::default().id(event.row.id.clone()).event(event.row.event_type.clone()).data(event.json.clone())
}

/// A notice that the stream cannot promise continuity (the client fell too
/// far behind, or resumed from an unknown id): reload, then carry on.
fn reset(reason: &str) -> Event {
    Event::default().event("reset").data(serde_json::json!({ "reason": reason }).to_string())
}

struct Subscription {
    state: AppState,
    receiver: broadcast::Receiver<Arc<Published>>,
    closing: tokio::sync::watch::Receiver<bool>,
    reader: Reader,
    queue: VecDeque<Event>,
    /// Ids sent during the catch-up, skipped when they come live too.
    sent: HashSet<String>,
}

/// The caller's stream: the catch-up after `last_event_id`, then live events.
pub async fn subscribe(
    state: &AppState,
    user: &AuthUser,
    last_event_id: Option<&str>,
) -> ApiResult<impl Stream<Item = Result<Event, Infallible>> + Send + 'static> {
    user.require_person()?;
    // Subscribe first, so nothing committed during the catch-up is missed.
    let receiver = state.hub.sender.subscribe();
    let closing = state.hub.closing.subscribe();
    let email_key = user.email_verified.then(|| orgdesk_core::validate::email_key(&user.email));
    let reader = Reader::load(state, &user.user_id, email_key).await?;
    let mut queue = VecDeque::new();
    let mut sent = HashSet::new();
    if let Some(last) = last_event_id.filter(|id| !id.is_empty()) {
        match store::events::get(&state.db.pool, last).await? {
            None => queue.push_back(reset("unknown Last-Event-ID")),
            Some(from) => {
                let orgs: Vec<&str> = reader.orgs.keys().map(String::as_str).collect();
                let mut cursor = (from.at - WINDOW, String::new());
                loop {
                    let rows = store::events::of_orgs_after(&state.db.pool, &orgs, (cursor.0, &cursor.1), 500).await?;
                    let n = rows.len();
                    for row in rows {
                        cursor = (row.at, row.id.clone());
                        let event = Published::of(row);
                        if event.row.id != from.id && (reader.may_read(&event) || reader.invited(&event)) {
                            sent.insert(event.row.id.clone());
                            queue.push_back(sse(&event));
                        }
                    }
                    if n < 500 {
                        break;
                    }
                }
            }
        }
    }
    let subscription = Subscription { state: state.clone(), receiver, closing, reader, queue, sent };
    Ok(futures_util::stream::unfold(subscription, next))
}

async fn next(mut s: Subscription) -> Option<(Result<Event, Infallible>, Subscription)> {
    loop {
        if let Some(event) = s.queue.pop_front() {
            return Some((Ok(event), s));
        }
        if *s.closing.borrow() {
            return None;
        }
        let received = tokio::select! {
            received = s.receiver.recv() => received,
            _ = s.closing.changed() => return None,
        };
        match received {
            Ok(event) => {
                if s.sent.remove(&event.row.id) {
                    continue;
                }
                if s.reader.may_read(&event) || s.reader.told_of_own_exit(&event) || s.reader.invited(&event) {
                    s.queue.push_back(sse(&event));
                }
                if s.reader.changed_by(&event) {
                    match Reader::load(&s.state, &s.reader.user_id, s.reader.email_key.clone()).await {
                        Ok(reader) => s.reader = reader,
                        // Without a fresh view, stop: the client reconnects.
                        Err(_) => return None,
                    }
                }
            }
            Err(broadcast::error::RecvError::Lagged(_)) => {
                s.queue.push_back(reset("the stream fell behind; reload and reconnect with Last-Event-ID"));
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        }
    }
}
