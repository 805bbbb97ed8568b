//! Full member sync of the 10,000-member demo org: progress, cancel, and a
//! re-sync of the unchanged org in one request.

use std::sync::{Arc, Mutex};

use orgdesk_client::core::api::UpdateMember;
use orgdesk_client::{CancelToken, Code, SyncMode, SyncPhase};

use crate::support::{accounts, TestServer};

const AGENCY: &str = "agency@orgdesk.test";
const DEMO_PASSWORD: &str = "orgdesk-demo-2026";

#[tokio::test]
async fn large_org_syncs_by_pages_and_resyncs_in_one_request() {
    let server = TestServer::start_demo().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    let session = accounts.sign_in(&server.url, AGENCY, DEMO_PASSWORD).await.unwrap();
    let orgs = session.orgs().await.unwrap().data;
    let org = orgs.iter().find(|o| o.slug == "northwind").expect("the demo org");
    let total = session.org(&org.id).await.unwrap().data.member_count as u64;
    assert!(total >= 10_000, "{total} members");

    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let report = session
        .sync_members(&org.id, SyncMode::Auto, move |p| log.lock().unwrap().push(p), &CancelToken::new())
        .await
        .unwrap();
    assert_eq!(report.members, total);
    assert_eq!(report.pages as u64, total.div_ceil(200));
    assert!(!report.unchanged);
    let progress = seen.lock().unwrap().clone();
    let fetching: Vec<_> = progress.iter().filter(|p| p.phase == SyncPhase::Fetching).collect();
    assert_eq!(fetching.len() as u32, report.pages, "one report per page");
    assert!(fetching.windows(2).all(|w| w[0].members < w[1].members), "progress only grows");
    assert!(fetching.iter().all(|p| p.total == Some(total)), "the bar knows its end");
    assert_eq!(progress.last().unwrap().phase, SyncPhase::Done);

    let cached = session.cached_members(&org.id).await.unwrap().expect("cached");
    assert_eq!(cached.data.len() as u64, total);

    // Nothing changed: one request, answered 304.
    let again = session.sync_members(&org.id, SyncMode::Auto, |_| {}, &CancelToken::new()).await.unwrap();
    assert!(again.unchanged, "{again:?}");
    assert_eq!(again.requests, 1, "{again:?}");
    assert_eq!(again.bytes, 0, "a 304 carries no body");

    // One member changes role: the re-sync walks, most pages answer 304.
    let someone = cached.data.iter().find(|m| m.role == "member").unwrap().clone();
    let change = UpdateMember { role: Some("viewer".into()), status: None };
    session.call(|api| api.update_member(&org.id, &someone.user_id, Some(someone.version), &change)).await.unwrap();
    let after = session.sync_members(&org.id, SyncMode::Auto, |_| {}, &CancelToken::new()).await.unwrap();
    assert!(!after.unchanged);
    assert!(after.pages_unchanged + 3 >= after.pages, "only the changed page is fetched again: {after:?}");
    let cached = session.cached_members(&org.id).await.unwrap().unwrap();
    let changed = cached.data.iter().find(|m| m.user_id == someone.user_id).unwrap();
    assert_eq!(changed.role, "viewer", "the change reached the cache");
}

#[tokio::test]
async fn sync_can_be_cancelled_and_keeps_the_previous_list() {
    let server = TestServer::start_demo().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    let session = accounts.sign_in(&server.url, AGENCY, DEMO_PASSWORD).await.unwrap();
    let orgs = session.orgs().await.unwrap().data;
    let org = orgs.iter().find(|o| o.slug == "northwind").unwrap();

    let cancel = CancelToken::new();
    let trigger = cancel.clone();
    let pages = Arc::new(Mutex::new(0u32));
    let counted = pages.clone();
    let err = session
        .sync_members(
            &org.id,
            SyncMode::Full,
            move |p| {
                if p.phase == SyncPhase::Fetching {
                    *counted.lock().unwrap() = p.pages;
                    if p.pages == 3 {
                        trigger.cancel();
                    }
                }
            },
            &cancel,
        )
        .await
        .expect_err("cancelled");
    assert_eq!(err.code(), Code::Cancelled);
    assert_eq!(*pages.lock().unwrap(), 3, "it stopped right after the cancel");
    assert!(session.cached_members(&org.id).await.unwrap().is_none(), "a cancelled first sync stores nothing");
}

#[tokio::test]
async fn without_audit_access_a_resync_walks_pages_answered_304() {
    let server = TestServer::start_demo().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    let session = accounts.sign_in(&server.url, "member@orgdesk.test", DEMO_PASSWORD).await.unwrap();
    let orgs = session.orgs().await.unwrap().data;
    let org = orgs.iter().find(|o| o.slug == "northwind").expect("the member belongs to northwind");
    assert!(!org.permissions.iter().any(|p| p == "audit:read"), "a plain member cannot read the audit log");

    let first = session.sync_members(&org.id, SyncMode::Auto, |_| {}, &CancelToken::new()).await.unwrap();
    assert!(first.members >= 10_000);
    let again = session.sync_members(&org.id, SyncMode::Auto, |_| {}, &CancelToken::new()).await.unwrap();
    assert!(!again.unchanged, "without the audit probe the pages are asked for");
    assert_eq!(again.pages_unchanged, again.pages, "every page answered 304: {again:?}");
    assert_eq!(again.requests, again.pages as u64 + 1, "the pages and the org, no second audit probe: {again:?}");
    assert!(again.bytes < 1_000, "304s carry no bodies: {again:?}");
}

#[tokio::test]
async fn my_changes_show_in_the_cached_list_at_once() {
    use crate::support::{personal_org, sign_up_verified};
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    let owner = sign_up_verified(&accounts, &server, "Oona").await;
    let org_id = personal_org(&owner).await;
    let mdir = tempfile::tempdir().unwrap();
    let maccounts = crate::support::accounts(mdir.path()).await;
    let member = sign_up_verified(&maccounts, &server, "Mika").await;
    let member_id = member.account().unwrap().user_id;
    let invited = owner.invite(&org_id, &[member.account().unwrap().email], "member").await.unwrap();
    let id = invited.results[0].invitation.clone().unwrap().id;
    member.call(|api| api.accept_my_invitation(&id)).await.unwrap();

    owner.sync_members(&org_id, SyncMode::Auto, |_| {}, &CancelToken::new()).await.unwrap();
    let before = owner.cached_members(&org_id).await.unwrap().unwrap();
    let m = before.data.iter().find(|m| m.user_id == member_id).unwrap().clone();
    let change = UpdateMember { role: Some("admin".into()), status: None };
    owner.update_member(&org_id, &member_id, m.version, &change).await.unwrap();
    let after = owner.cached_members(&org_id).await.unwrap().unwrap();
    assert_eq!(after.data.iter().find(|m| m.user_id == member_id).unwrap().role, "admin");
    assert_eq!(after.synced_at, before.synced_at, "a local edit is not a sync");

    let report = owner.sync_members(&org_id, SyncMode::Auto, |_| {}, &CancelToken::new()).await.unwrap();
    assert!(!report.unchanged, "the edit makes the next sync walk");
    owner.remove_member(&org_id, &member_id, false).await.unwrap();
    let left = owner.cached_members(&org_id).await.unwrap().unwrap();
    assert!(left.data.iter().all(|m| m.user_id != member_id));
    assert_eq!(left.data.len(), 1);
}

#[tokio::test]
async fn progress_total_follows_joins() {
    use crate::support::{personal_org, sign_up_verified};
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    let owner = sign_up_verified(&accounts, &server, "Tess").await;
    let org_id = personal_org(&owner).await;
    owner.sync_members(&org_id, SyncMode::Auto, |_| {}, &CancelToken::new()).await.unwrap();
    let mdir = tempfile::tempdir().unwrap();
    let maccounts = crate::support::accounts(mdir.path()).await;
    let member = sign_up_verified(&maccounts, &server, "Jo").await;
    let invited = owner.invite(&org_id, &[member.account().unwrap().email], "member").await.unwrap();
    let id = invited.results[0].invitation.clone().unwrap().id;
    member.call(|api| api.accept_my_invitation(&id)).await.unwrap();

    let totals = Arc::new(Mutex::new(Vec::new()));
    let seen = totals.clone();
    let report = owner
        .sync_members(
            &org_id,
            SyncMode::Auto,
            move |p| seen.lock().unwrap().push((p.phase, p.total)),
            &CancelToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(report.members, 2, "the join was picked up");
    let totals = totals.lock().unwrap().clone();
    let fetching: Vec<_> = totals.iter().filter(|(phase, _)| *phase != SyncPhase::Checking).collect();
    assert!(!fetching.is_empty());
    assert!(fetching.iter().all(|(_, t)| *t == Some(2)), "while fetching the total is current: {totals:?}");
}

/// Two screens (or a screen mounted twice) asking at once: both syncs of the
/// same org succeed and the cache ends up with the whole list.
#[tokio::test]
async fn concurrent_syncs_of_one_org_both_succeed() {
    let server = TestServer::start_demo().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    let session = accounts.sign_in(&server.url, "member@orgdesk.test", DEMO_PASSWORD).await.unwrap();
    let orgs = session.orgs().await.unwrap().data;
    let org = orgs.iter().find(|o| o.slug == "northwind").expect("the member belongs to northwind");
    let (first, second) = (CancelToken::new(), CancelToken::new());
    let (a, b) = tokio::join!(
        session.sync_members(&org.id, SyncMode::Auto, |_| {}, &first),
        session.sync_members(&org.id, SyncMode::Auto, |_| {}, &second),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a.members >= 10_000 && b.members == a.members, "{a:?} {b:?}");
    let cached = session.cached_members(&org.id).await.unwrap().expect("cached");
    assert_eq!(cached.data.len() as u64, a.members);
}

/// The UI's windows of the 10,000-member org come from the list in memory:
/// every answer is one window with its counts, and what changes (my edits,
/// a bulk change, another admin's change brought by a sync, a restart)
/// shows in the next window.
#[tokio::test]
async fn windows_of_a_large_org_follow_every_change() {
    use orgdesk_client::core::api::BulkChange;
    use orgdesk_client::{MemberFilter, MemberSortKey};
    let server = TestServer::start_demo().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    let session = accounts.sign_in(&server.url, AGENCY, DEMO_PASSWORD).await.unwrap();
    let org = session.orgs().await.unwrap().data.into_iter().find(|o| o.slug == "northwind").unwrap();
    let all = MemberFilter::default();
    assert!(session.member_window(&org.id, &all, 0, 50).await.unwrap().is_none(), "nothing before the first sync");
    session.sync_members(&org.id, SyncMode::Auto, |_| {}, &CancelToken::new()).await.unwrap();

    let first = session.member_window(&org.id, &all, 0, 50).await.unwrap().unwrap();
    assert!(first.all >= 10_000 && first.total == first.all, "{} of {}", first.total, first.all);
    assert_eq!(first.rows.len(), 50);
    assert!(first.synced_at.is_some());
    let names: Vec<String> = first.rows.iter().map(|m| m.name.to_lowercase()).collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "sorted by name");
    let last = session.member_window(&org.id, &all, first.all as usize - 10, 50).await.unwrap().unwrap();
    assert_eq!(last.rows.len(), 10, "the end of the list");

    let okafors =
        MemberFilter { query: "okafor".into(), sort: MemberSortKey::Joined, desc: true, ..Default::default() };
    let ids = session.member_ids(&org.id, &okafors).await.unwrap();
    let window = session.member_window(&org.id, &okafors, 0, 500).await.unwrap().unwrap();
    assert!(!ids.is_empty() && ids.len() as u64 == window.total, "{} ids, {} matching", ids.len(), window.total);
    assert!(window.rows.iter().all(|m| m.name.to_lowercase().contains("okafor")));

    // My change, at once.
    let someone = window.rows.iter().find(|m| m.role == "member").unwrap().clone();
    let change = UpdateMember { role: Some("viewer".into()), status: None };
    session.update_member(&org.id, &someone.user_id, someone.version, &change).await.unwrap();
    assert_eq!(session.cached_member(&org.id, &someone.user_id).await.unwrap().unwrap().role, "viewer");
    let viewers = MemberFilter { role: Some("viewer".into()), ..okafors.clone() };
    let viewer_ids = session.member_ids(&org.id, &viewers).await.unwrap();
    assert!(viewer_ids.contains(&someone.user_id));

    // A bulk change: one report, the removed as they were.
    let two: Vec<String> = ids.iter().filter(|id| **id != someone.user_id).take(2).cloned().collect();
    let counts = session.member_role_counts(&org.id, &two).await.unwrap();
    assert_eq!(counts.iter().map(|c| c.count).sum::<u64>(), 2);
    let report = session.bulk_change_members(&org.id, two.clone(), BulkChange::Remove, false).await.unwrap();
    assert_eq!(report.removed.iter().map(|m| m.user_id.clone()).collect::<Vec<_>>(), two);
    let after = session.member_window(&org.id, &okafors, 0, 500).await.unwrap().unwrap();
    assert_eq!(after.total, window.total - 2);
    assert_eq!(after.all, first.all - 2);

    // Another admin's change reaches the view through the next sync.
    let other_dir = tempfile::tempdir().unwrap();
    let other = crate::support::accounts(other_dir.path()).await;
    let admin = other.sign_in(&server.url, AGENCY, DEMO_PASSWORD).await.unwrap();
    let target = after.rows.iter().find(|m| m.role == "member").unwrap().clone();
    let change = UpdateMember { role: Some("admin".into()), status: None };
    admin.call(|api| api.update_member(&org.id, &target.user_id, Some(target.version), &change)).await.unwrap();
    assert_eq!(session.cached_member(&org.id, &target.user_id).await.unwrap().unwrap().role, "member");
    session.sync_members(&org.id, SyncMode::Auto, |_| {}, &CancelToken::new()).await.unwrap();
    assert_eq!(session.cached_member(&org.id, &target.user_id).await.unwrap().unwrap().role, "admin");

    // After a restart the view is built again from the cache.
    drop((session, accounts));
    let reopened = crate::support::accounts(dir.path()).await;
    let session = reopened.active_session().await.unwrap();
    if session.cache_path().is_some() {
        let again = session.member_window(&org.id, &okafors, 0, 500).await.unwrap().unwrap();
        assert_eq!(again.total, after.total);
    }
}

/// A cold start answers the top rows of the default order from what was
/// kept with the list's last change, before the whole list is decoded: the
/// rows the built list answers, at revision 0 (older than any built list, so
/// the screen asks again); another order, filter or offset waits for the
/// build; an edit keeps them up to date. (Dropping the list drops them:
/// `cache::tests::the_kept_top_rows_go_with_the_member_pages`.)
#[tokio::test]
async fn a_cold_start_answers_the_kept_top_rows_before_the_list_is_built() {
    use orgdesk_client::core::api::BulkChange;
    use orgdesk_client::{MemberFilter, MemberSortKey};
    let server = TestServer::start_demo().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    let session = accounts.sign_in(&server.url, AGENCY, DEMO_PASSWORD).await.unwrap();
    let org = session.orgs().await.unwrap().data.into_iter().find(|o| o.slug == "acme-robotics").unwrap().id;
    session.sync_members(&org, SyncMode::Full, |_| {}, &CancelToken::new()).await.unwrap();
    let top = MemberFilter::default();
    let before = session.member_window(&org, &top, 0, 100).await.unwrap().unwrap();
    assert!(before.revision > 0 && before.rows.len() >= 2, "{} rows", before.rows.len());
    // An edit: the kept rows follow it.
    let changed = before.rows.iter().find(|m| m.role == "member").expect("a member").user_id.clone();
    session
        .bulk_change_members(&org, vec![changed.clone()], BulkChange::Role { role: "viewer".into() }, false)
        .await
        .unwrap();
    let edited = session.member_window(&org, &top, 0, 100).await.unwrap().unwrap();
    let rows = |w: &orgdesk_client::MemberWindow| {
        w.rows.iter().map(|m| (m.user_id.clone(), m.role.clone())).collect::<Vec<_>>()
    };
    drop((session, accounts));

    let reopened = crate::support::accounts(dir.path()).await;
    let cold = reopened.active_session().await.unwrap();
    let kept = cold.member_window(&org, &top, 0, 100).await.unwrap().expect("the kept rows");
    assert_eq!(kept.revision, 0, "kept rows are older than any built list");
    assert_eq!(rows(&kept), rows(&edited), "the kept rows are the edited list's top rows");
    assert!(kept.rows.iter().any(|m| m.user_id == changed && m.role == "viewer"));
    assert_eq!((kept.total, kept.all), (edited.total, edited.all));
    let fewer = cold.member_window(&org, &top, 0, 2).await.unwrap().unwrap();
    assert_eq!((fewer.rows.len(), fewer.revision), (2, 0));
    // Anything but the top of the default order is answered by the built list.
    let by_email = MemberFilter { sort: MemberSortKey::Email, ..MemberFilter::default() };
    let built = cold.member_window(&org, &by_email, 0, 100).await.unwrap().unwrap();
    assert!(built.revision > 0, "another order waits for the list");
    let again = cold.member_window(&org, &top, 0, 100).await.unwrap().unwrap();
    assert!(again.revision > 0, "once built, the list answers");
    assert_eq!(rows(&again), rows(&kept));
}
