//! Cross-org views: every pending invitation I manage, a person across my
//! orgs, removing them from several orgs with one outcome per org.

use orgdesk_client::core::api::{CreateOrg, RemoveOutcome};
use orgdesk_client::Source;

use crate::support::{accounts, personal_org, sign_up_verified, TestServer};

#[tokio::test]
async fn managed_invitations_and_people_across_orgs() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    let admin = sign_up_verified(&accounts, &server, "Ari").await;
    let home = personal_org(&admin).await;
    let second = admin.create_org(&CreateOrg { name: "Second Client".into(), slug: None }).await.unwrap().id;

    admin.invite(&home, &["pending@example.test".into()], "member").await.unwrap();
    let managed = admin.managed_invitations().await.unwrap();
    assert_eq!(managed.data.len(), 1);
    assert_eq!(managed.data[0].org_id, home);
    assert!(admin.cached_managed_invitations().await.unwrap().is_some(), "cached like the rest");

    // A person who joins both orgs.
    let pdir = tempfile::tempdir().unwrap();
    let paccounts = crate::support::accounts(pdir.path()).await;
    let person = sign_up_verified(&paccounts, &server, "Pat").await;
    let email = person.account().unwrap().email;
    for org in [&home, &second] {
        let r = admin.invite(org, std::slice::from_ref(&email), "member").await.unwrap();
        let id = r.results[0].invitation.clone().unwrap().id;
        person.call(|api| api.accept_my_invitation(&id)).await.unwrap();
    }
    let found = admin.find_person(&email).await.unwrap();
    assert_eq!(found.source, Source::Network);
    assert_eq!(found.data.len(), 2, "a membership per org");
    assert!(found.data.iter().all(|m| m.can_remove));
    let cached = admin.cached_person(&email).await.unwrap().expect("cached");
    assert_eq!(cached.data.len(), 2);
    // By a prefix of the name or email, as the palette's "find person" asks.
    let by_name = admin.find_people("pat").await.unwrap();
    assert_eq!(by_name.len(), 2, "{by_name:?}");
    assert!(by_name.iter().all(|m| m.member.email == email));
    let prefix: String = email.chars().take(3).collect();
    assert!(admin.find_people(&prefix).await.unwrap().iter().any(|m| m.member.email == email));

    let outsider = "00000000-0000-7000-8000-000000000000".to_owned();
    let results = admin.remove_person(&email, &[home.clone(), second.clone(), outsider.clone()], false).await.unwrap();
    let outcome = |org: &str| results.results.iter().find(|r| r.org_id == org).map(|r| r.outcome);
    assert_eq!(outcome(&home), Some(RemoveOutcome::Removed));
    assert_eq!(outcome(&second), Some(RemoveOutcome::Removed));
    assert_ne!(outcome(&outsider), Some(RemoveOutcome::Removed), "{results:?}");
    assert!(admin.cached_person(&email).await.unwrap().is_none(), "the stale answer is dropped");
    assert!(admin.find_person(&email).await.unwrap().data.is_empty());
}

/// An org with more open invitations than one page: the first page is the
/// cached one, the rest load on demand, each invitation once.
#[tokio::test]
async fn invitations_beyond_the_first_page_load_on_demand() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let accounts = accounts(dir.path()).await;
    let admin = sign_up_verified(&accounts, &server, "Ines").await;
    let home = personal_org(&admin).await;
    let emails: Vec<String> = (0..230).map(|n| format!("guest{n}@example.test")).collect();
    admin.invite(&home, &emails, "member").await.unwrap();
    let first = admin.invitations(&home).await.unwrap();
    assert_eq!(first.data.items.len(), 200);
    let cursor = first.data.next_cursor.clone().expect("a cursor to the rest");
    let cached = admin.cached_invitations(&home).await.unwrap().expect("the first page is cached");
    assert_eq!(cached.data.items.len(), 200);
    let rest = admin.more_invitations(&home, &cursor).await.unwrap();
    assert_eq!(rest.items.len(), 30);
    assert!(rest.next_cursor.is_none());
    let mut all: Vec<&str> = first.data.items.iter().chain(&rest.items).map(|i| i.email.as_str()).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 230, "every invitation once");
}
