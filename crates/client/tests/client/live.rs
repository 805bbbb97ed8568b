//! The live subscription against the real server: changes another admin
//! makes through the API reach an open view and the offline cache without
//! any call by this app; after a disconnect the stream resumes from the
//! last event id and loses nothing; an accepted invitation I sent gives a
//! notice.

use std::sync::Arc;
use std::time::Duration;

use orgdesk_client::core::api::{CreateRole, Invitation, MemberStatus, Page, UpdateMember};
use orgdesk_client::{
    Accounts, CancelToken, ClientOptions, MemberFilter, NoticeKind, Session, StreamState, SyncMode, ViewEvent,
};
use tokio::sync::mpsc;

use crate::support::{accounts, options, personal_org, sign_up_verified, TestServer};

async fn live_accounts(dir: &std::path::Path) -> Accounts {
    Accounts::open(dir, ClientOptions { live_events: true, ..options() }).await.expect("open accounts")
}

/// Waits (up to 20 s) until `check` holds.
async fn until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

/// A sink collecting a view's messages.
fn sink<T: Send + 'static>() -> (orgdesk_client::Sink<T>, mpsc::UnboundedReceiver<ViewEvent<T>>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (Arc::new(move |e| tx.send(e).is_ok()), rx)
}

/// The next data message whose snapshot satisfies `want` (up to 20 s).
async fn data_until<T>(rx: &mut mpsc::UnboundedReceiver<ViewEvent<T>>, what: &str, want: impl Fn(&T) -> bool) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let message = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
            .expect("the view runs");
        if let ViewEvent::Data { snapshot } = message {
            if want(&snapshot.data) {
                return snapshot.data;
            }
        }
    }
}

/// `member` joins `org` of `owner` with `role` (invited, accepted through the API).
async fn join(owner: &Session, org: &str, member: &Session, role: &str) {
    let email = member.account().unwrap().email;
    owner.invite(org, &[email], role).await.expect("invite");
    let mine = member.my_invitations().await.expect("my invitations").data;
    let invitation = mine.iter().find(|i| i.org_id == org).expect("the invitation");
    member.accept_my_invitation(&invitation.id).await.expect("accept");
}

async fn connected(session: &Session) {
    until("the live stream to connect", || async { session.status().stream == StreamState::Connected }).await;
}

#[tokio::test]
async fn another_admins_changes_reach_the_view_and_the_cache() {
    let server = TestServer::start().await;
    let (dir, others_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mine = live_accounts(dir.path()).await;
    let others = accounts(others_dir.path()).await;
    let me = sign_up_verified(&mine, &server, "Owner").await;
    let admin = sign_up_verified(&others, &server, "Admin").await;
    let member = sign_up_verified(&others, &server, "Member").await;
    let org = personal_org(&me).await;
    join(&me, &org, &admin, "admin").await;
    join(&me, &org, &member, "member").await;
    let member_id = member.account().unwrap().user_id;
    me.sync_members(&org, SyncMode::Full, |_| {}, &CancelToken::new()).await.unwrap();
    connected(&me).await;

    let (members_sink, mut members) = sink::<orgdesk_client::MemberListState>();
    let _members_view = me.watch_members(&org, members_sink);
    let (invitations_sink, mut invitations) = sink::<Page<Invitation>>();
    let _invitations_view = me.watch_invitations(&org, invitations_sink);
    data_until(&mut members, "the member count", |n| n.members == 3).await;

    // The other admin invites someone: my open invitation list shows it.
    admin.invite(&org, &["newcomer@example.test".into()], "viewer").await.unwrap();
    let list = data_until(&mut invitations, "the new invitation", |p| {
        p.items.iter().any(|i| i.email == "newcomer@example.test")
    })
    .await;
    assert_eq!(list.items.iter().find(|i| i.email == "newcomer@example.test").unwrap().role, "viewer");

    // They disable the member: the view's rows say so, before any sync of mine.
    admin.sync_members(&org, SyncMode::Full, |_| {}, &CancelToken::new()).await.unwrap();
    let version = admin.cached_member(&org, &member_id).await.unwrap().unwrap().version;
    let disable = UpdateMember { role: None, status: Some(MemberStatus::Disabled) };
    admin.update_member(&org, &member_id, version, &disable).await.unwrap();
    until("the member to show disabled", || async {
        me.cached_member(&org, &member_id).await.unwrap().is_some_and(|m| m.status == MemberStatus::Disabled)
    })
    .await;
    // The follow-up re-sync brings the member's new version: my own edit is not refused as stale.
    until("the new version", || async {
        me.cached_member(&org, &member_id).await.unwrap().is_some_and(|m| m.version > version)
    })
    .await;

    // They remove the member: gone from the view's windows and from the cache.
    admin.remove_member(&org, &member_id, false).await.unwrap();
    data_until(&mut members, "the member count after the removal", |n| n.members == 2).await;
    let window = me.member_window(&org, &MemberFilter::default(), 0, 10).await.unwrap().unwrap();
    assert!(window.rows.iter().all(|m| m.user_id != member_id), "removed from the view");
    let cached = me.cached_members(&org).await.unwrap().unwrap();
    assert!(cached.data.iter().all(|m| m.user_id != member_id), "removed from the offline cache");
    assert!(me.last_event_id().await.is_some(), "the last event id is kept with the cache");
}

#[tokio::test]
async fn a_resumed_stream_loses_nothing() {
    let mut server = TestServer::start().await;
    let (dir, others_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mine = live_accounts(dir.path()).await;
    let others = accounts(others_dir.path()).await;
    let me = sign_up_verified(&mine, &server, "Owner").await;
    let admin = sign_up_verified(&others, &server, "Admin").await;
    let org = personal_org(&me).await;
    join(&me, &org, &admin, "admin").await;
    connected(&me).await;
    let role = |key: &str| CreateRole { key: key.into(), name: key.into(), permissions: vec!["org:read".into()] };
    let first = role("before");
    admin.call(|api| api.create_role(&org, &first)).await.unwrap();
    until("the first event", || async { me.recent_events().iter().any(|(_, t)| t == "role.created") }).await;
    let before = me.last_event_id().await.expect("a last event id");

    // The server goes away; the app notices and backs off.
    server.stop().await;
    until("the app to notice", || async { !me.status().online }).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    server.restart().await;
    for key in ["one", "two", "three"] {
        let req = role(key);
        admin.call(|api| api.create_role(&org, &req)).await.unwrap();
    }
    assert_ne!(me.status().stream, StreamState::Connected, "the changes were made while the app was disconnected");

    // It reconnects with Last-Event-ID and gets all three, each once.
    until("the missed events", || async {
        me.recent_events().iter().filter(|(_, t)| t == "role.created").count() == 4
    })
    .await;
    connected(&me).await;
    assert!(me.status().online);
    assert_ne!(me.last_event_id().await.unwrap(), before, "the kept id moved on");
    let roles = me.cached_roles(&org).await.unwrap().expect("roles cached").data;
    for key in ["one", "two", "three"] {
        assert!(roles.iter().any(|r| r.key == key), "{key} reached the cache");
    }
    let ids: Vec<String> = me.recent_events().into_iter().map(|(id, _)| id).collect();
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no event applied twice");
}

#[tokio::test]
async fn an_accepted_invitation_i_sent_is_a_notice() {
    let server = TestServer::start().await;
    let (dir, others_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mine = live_accounts(dir.path()).await;
    let others = accounts(others_dir.path()).await;
    let me = sign_up_verified(&mine, &server, "Owner").await;
    let guest = sign_up_verified(&others, &server, "Guest").await;
    let org = personal_org(&me).await;
    connected(&me).await;
    let mut notices = mine.notices();
    join(&me, &org, &guest, "member").await;
    let notice = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let n = notices.recv().await.expect("notices");
            if n.kind == NoticeKind::InvitationAccepted {
                return n;
            }
        }
    })
    .await
    .expect("a notice for the accepted invitation");
    let email = guest.account().unwrap().email;
    assert!(notice.body.contains(&email), "{notice:?}");
    assert_eq!(notice.org_id, org);
}

/// My own bulk change comes back on the stream as one event per member:
/// the view shows it already (from the server's answer, new versions
/// included), so the echo is absorbed, with no write of the cache and no
/// re-sync of the 10,000-member list. The change itself rewrote only the
/// cache pages holding the changed members. Another device's change, which
/// the view does not show, is still applied and re-synced.
#[tokio::test]
async fn my_own_changes_echo_without_a_resync_or_a_rewrite() {
    use orgdesk_client::core::api::BulkChange;
    const AGENCY: &str = "agency@orgdesk.test";
    let server = TestServer::start_demo().await;
    let (dir, other_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mine = live_accounts(dir.path()).await;
    let me = mine.sign_in(&server.url, AGENCY, orgdesk_server::demo::DEMO_PASSWORD).await.unwrap();
    let org = me.orgs().await.unwrap().data.into_iter().find(|o| o.slug == "northwind").unwrap().id;
    me.sync_members(&org, SyncMode::Full, |_| {}, &CancelToken::new()).await.unwrap();
    connected(&me).await;
    let pages_before = me.sealed_member_pages(&org).await.unwrap();
    assert!(pages_before.len() >= 50, "{} pages", pages_before.len());

    // Three members by name: a few pages at most of the 50.
    let by_name = me.member_window(&org, &MemberFilter::default(), 0, 500).await.unwrap().unwrap();
    let chosen: Vec<String> =
        by_name.rows.iter().filter(|m| m.role == "member").take(3).map(|m| m.user_id.clone()).collect();
    assert_eq!(chosen.len(), 3);
    let report =
        me.bulk_change_members(&org, chosen.clone(), BulkChange::Role { role: "viewer".into() }, false).await.unwrap();
    assert_eq!(report.changed_ids.len(), 3);
    for id in &chosen {
        assert_eq!(me.cached_member(&org, id).await.unwrap().unwrap().role, "viewer");
    }
    let pages_after = me.sealed_member_pages(&org).await.unwrap();
    assert_eq!(pages_after.len(), pages_before.len());
    let rewritten = pages_before.iter().zip(&pages_after).filter(|(a, b)| a != b).count();
    assert!((1..=3).contains(&rewritten), "{rewritten} pages rewritten for 3 members");

    // The echo: three member.updated events, then a marker applied after them.
    let other = accounts(other_dir.path()).await;
    let admin = other.sign_in(&server.url, AGENCY, orgdesk_server::demo::DEMO_PASSWORD).await.unwrap();
    let marker =
        CreateRole { key: "echo-marker".into(), name: "Echo marker".into(), permissions: vec!["org:read".into()] };
    admin.call(|api| api.create_role(&org, &marker)).await.unwrap();
    until("the marker after the echo", || async {
        me.cached_roles(&org).await.unwrap().is_some_and(|r| r.data.iter().any(|r| r.key == "echo-marker"))
    })
    .await;
    let echoed = me.recent_events().iter().filter(|(_, t)| t == "member.updated").count();
    assert!(echoed >= 3, "the echo arrived ({echoed} member.updated)");
    until("no member catch-up scheduled", || async { !me.member_catch_up_pending(&org) }).await;
    assert_eq!(me.member_catch_ups(), 0, "the echo of my own change started no re-sync");
    assert_eq!(me.sealed_member_pages(&org).await.unwrap(), pages_after, "the echo rewrote no page");

    // Another device's change is not in my view: applied, then re-synced.
    admin.sync_members(&org, SyncMode::Auto, |_| {}, &CancelToken::new()).await.unwrap();
    let target = by_name.rows.iter().find(|m| m.role == "member" && !chosen.contains(&m.user_id)).unwrap().clone();
    let change = UpdateMember { role: Some("admin".into()), status: None };
    admin.update_member(&org, &target.user_id, target.version, &change).await.unwrap();
    until("the other device's change", || async {
        me.cached_member(&org, &target.user_id)
            .await
            .unwrap()
            .is_some_and(|m| m.role == "admin" && m.version > target.version)
    })
    .await;
    assert_eq!(me.member_catch_ups(), 1, "a change my view did not show is re-synced");
}
