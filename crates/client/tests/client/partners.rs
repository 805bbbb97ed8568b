//! The typed calls for teams and partners, against the demo's partner
//! ("Acme Reseller", its support team and its customer workspaces).

use orgdesk_client::core::api::{CreateTeam, SignIn, UpdateTeam};
use orgdesk_client::{Api, ApiOptions, Code, Fetched, Sensitive};

use crate::support::TestServer;

async fn signed_in(server: &TestServer, email: &str) -> Api {
    let api = Api::new(&server.url, ApiOptions::default()).unwrap();
    let req = SignIn {
        email: email.into(),
        password: orgdesk_server::demo::DEMO_PASSWORD.into(),
        device_name: Some("client test".into()),
    };
    let grant = api.sign_in(&req).await.expect("the demo's password");
    api.with_token(Sensitive::new(grant.token))
}

fn fresh<T>(f: Fetched<T>) -> T {
    match f {
        Fetched::Fresh { value, .. } => value,
        Fetched::NotModified => panic!("asked without an ETag"),
    }
}

#[tokio::test]
async fn partner_calls_are_typed() {
    let server = TestServer::start_demo().await;
    let reseller = signed_in(&server, orgdesk_server::demo::RESELLER_EMAIL).await;
    let support = signed_in(&server, orgdesk_server::demo::SUPPORT_EMAIL).await;
    let partner = orgdesk_server::demo::PARTNER_SLUG;

    let customers = fresh(reseller.list_customers(partner, None).await.unwrap());
    assert_eq!(customers.len(), 4);
    assert!(customers.iter().all(|c| c.assignments.as_ref().is_some_and(|a| a.len() == 1)));
    let created = customers.iter().find(|c| c.created_workspace).expect("a created workspace");
    assert_eq!(created.owner_of_record.as_ref().map(|o| o.slug.as_str()), Some(partner));

    let delegated = fresh(support.delegated_orgs(None).await.unwrap());
    assert_eq!(delegated.len(), 4);
    let access = fresh(reseller.partner_access(&created.customer.slug, None).await.unwrap());
    assert_eq!(access[0].people, ["Rene Reseller", "Sasha Support"]);
    // The support person is not a partner admin: the customers list is refused.
    let err = support.list_customers(partner, None).await.expect_err("needs partners:manage");
    assert_eq!(err.code(), Code::Forbidden, "{err}");

    let teams = fresh(reseller.list_teams(partner, None).await.unwrap());
    assert_eq!(teams.len(), 1);
    let team = reseller.create_team(partner, &CreateTeam { name: "Tier 2".into() }).await.unwrap();
    let err = reseller.create_team(partner, &CreateTeam { name: "tier 2".into() }).await.expect_err("taken");
    assert_eq!(err.code(), Code::TeamExists, "{err}");
    let renamed = reseller.rename_team(partner, &team.id, &UpdateTeam { name: "Escalations".into() }).await.unwrap();
    assert_eq!(renamed.name, "Escalations");
    let members = fresh(reseller.team_members(partner, &teams[0].id, None).await.unwrap());
    assert_eq!(members.len(), 2);
    reseller.delete_team(partner, &team.id).await.unwrap();
}
