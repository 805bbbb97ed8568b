//! Teams, partner relationships and delegated access: requests accepted by
//! link, created customer workspaces and their hand-off, delegation through
//! partner teams, its limits, and its end (by either side, by removal, by
//! time) on every replica at the next request, under contention too.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::{Org, Reply, TestApp, User, PASSWORD};

/// An RFC 3339 time `days` from now.
pub fn days_ahead(days: i64) -> String {
    use orgdesk_server::time::{now_ms, rfc3339, DAY};
    rfc3339(now_ms() + days * DAY)
}

/// A partner org with an admin, a support team with one person in it and a
/// partner member in no team; a customer org with a member; an accepted
/// relationship granting `roles`, whose first role the support team holds.
pub struct Partnership {
    pub partner: Org,
    pub partner_owner: User,
    pub partner_admin: User,
    pub support: User,
    pub bystander: User,
    pub team: String,
    pub customer: Org,
    pub customer_owner: User,
    pub customer_member: User,
    pub relationship: String,
}

pub async fn team(app: &TestApp, by: &User, org: &Org, name: &str) -> String {
    let r = app.post(&by.token, &format!("/v1/orgs/{}/teams", org.id), json!({"name": name})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_str().unwrap().to_owned()
}

pub async fn add_to_team(app: &TestApp, by: &User, org: &Org, team: &str, user: &User) {
    let path = format!("/v1/orgs/{}/teams/{team}/members/{}", org.id, user.id);
    let r = app.call(Method::PUT, &path, Some(&by.token), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

/// The partner asks, the customer's owner accepts by the emailed link.
pub async fn relate(
    app: &TestApp,
    partner_admin: &User,
    partner: &Org,
    customer: &Org,
    customer_owner: &User,
    roles: &[&str],
) -> String {
    let r = app
        .post(
            &partner_admin.token,
            &format!("/v1/orgs/{}/customers", partner.id),
            json!({"customer": customer.slug, "roles": roles, "ends_at": days_ahead(90)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["status"], "requested");
    let id = r.body["id"].as_str().unwrap().to_owned();
    let token = app.token_from_outbox(&customer_owner.email, "/partner-requests/").await;
    let r = app.post(&customer_owner.token, &format!("/v1/partner-requests/{token}/accept"), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "active");
    id
}

pub async fn assign(
    app: &TestApp,
    partner_admin: &User,
    partner: &Org,
    relationship: &str,
    pairs: &[(&str, &str)],
) -> Reply {
    let assignments: Vec<Value> = pairs.iter().map(|(team, role)| json!({"team_id": team, "role": role})).collect();
    let path = format!("/v1/orgs/{}/customers/{relationship}/assignments", partner.id);
    app.call(Method::PUT, &path, Some(&partner_admin.token), Some(json!({"assignments": assignments}))).await
}

/// `tag` keeps addresses apart when one app holds several partnerships.
pub async fn partnership(app: &TestApp, tag: &str, roles: &[&str]) -> Partnership {
    let partner_owner = app.user(&format!("owner.{tag}@reseller.example"), &format!("Reseller Owner {tag}")).await;
    let partner = app.org(&partner_owner, &format!("Acme Reseller {tag}")).await;
    let partner_admin = app.user(&format!("admin.{tag}@reseller.example"), &format!("Reseller Admin {tag}")).await;
    app.join(&partner_owner, &partner, &partner_admin, "admin").await;
    let support = app.user(&format!("support.{tag}@reseller.example"), &format!("Sam Support {tag}")).await;
    app.join(&partner_owner, &partner, &support, "member").await;
    let bystander = app.user(&format!("other.{tag}@reseller.example"), &format!("Bo Bystander {tag}")).await;
    app.join(&partner_owner, &partner, &bystander, "member").await;
    let team = team(app, &partner_admin, &partner, "Support tier 1").await;
    add_to_team(app, &partner_admin, &partner, &team, &support).await;
    let customer_owner = app.user(&format!("owner.{tag}@customer.example"), &format!("Cora Customer {tag}")).await;
    let customer = app.org(&customer_owner, &format!("Globex {tag}")).await;
    let customer_member = app.user(&format!("member.{tag}@customer.example"), &format!("Carl Member {tag}")).await;
    app.join(&customer_owner, &customer, &customer_member, "member").await;
    let relationship = relate(app, &partner_admin, &partner, &customer, &customer_owner, roles).await;
    let r = assign(app, &partner_admin, &partner, &relationship, &[(&team, roles[0])]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    Partnership {
        partner,
        partner_owner,
        partner_admin,
        support,
        bystander,
        team,
        customer,
        customer_owner,
        customer_member,
        relationship,
    }
}

fn members_path(org: &Org) -> String {
    format!("/v1/orgs/{}/members", org.id)
}

async fn audit_actions(app: &TestApp, owner: &User, org: &Org) -> Vec<Value> {
    let r = app.get(&owner.token, &format!("/v1/orgs/{}/audit?limit=200", org.id)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn teams_are_named_groups_of_members() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let dan = app.user("dan@example.com", "Dan").await;
    app.join(&ada, &org, &dan, "member").await;
    let vic = app.user("vic@example.com", "Vic").await;
    app.join(&ada, &org, &vic, "viewer").await;
    let stranger = app.user("stranger@example.com", "Stranger").await;
    let teams = format!("/v1/orgs/{}/teams", org.id);

    let support = team(&app, &ada, &org, "Support").await;
    app.post(&ada.token, &teams, json!({"name": "support"})).await.assert_problem(409, "team_exists");
    app.post(&ada.token, &teams, json!({"name": "  "})).await.assert_problem(422, "validation_failed");
    app.post(&vic.token, &teams, json!({"name": "Viewers"})).await.assert_problem(403, "forbidden");
    let other = team(&app, &ada, &org, "Billing desk").await;
    app.patch(&ada.token, &format!("{teams}/{other}"), json!({"name": "SUPPORT"}))
        .await
        .assert_problem(409, "team_exists");
    let r = app.patch(&ada.token, &format!("{teams}/{other}"), json!({"name": "Finance"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["name"], "Finance");

    add_to_team(&app, &ada, &org, &support, &dan).await;
    add_to_team(&app, &ada, &org, &support, &dan).await; // already in: unchanged
    add_to_team(&app, &ada, &org, &other, &dan).await;
    let r = app.call(Method::PUT, &format!("{teams}/{support}/members/{}", stranger.id), Some(&ada.token), None).await;
    r.assert_problem(404, "not_found");
    let r = app.get(&vic.token, &format!("{teams}/{support}/members")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body.as_array().unwrap().len(), 1);
    assert_eq!(r.body[0]["user_id"], dan.id.as_str());
    let r = app.get(&vic.token, &format!("/v1/orgs/{}/members/{}/teams", org.id, dan.id)).await;
    let names: Vec<&str> = r.body.as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Finance", "Support"]);
    let r = app.get(&vic.token, &teams).await;
    assert_eq!(r.body[1]["member_count"], 1, "{}", r.text);

    // Out of one team; then out of the org, which takes him out of every team.
    let r = app.delete(&ada.token, &format!("{teams}/{other}/members/{}", dan.id)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    app.delete(&ada.token, &format!("{teams}/{other}/members/{}", dan.id)).await.assert_problem(404, "not_found");
    let r = app.delete(&ada.token, &format!("/v1/orgs/{}/members/{}", org.id, dan.id)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.get(&ada.token, &format!("{teams}/{support}/members")).await;
    assert_eq!(r.body.as_array().unwrap().len(), 0, "removed from the org, removed from its teams");
    let r = app.delete(&ada.token, &format!("{teams}/{other}")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    app.get(&ada.token, &format!("{teams}/{other}")).await.assert_problem(404, "not_found");
    // Another org's team is not found here.
    let elsewhere = app.org(&stranger, "Elsewhere").await;
    app.get(&stranger.token, &format!("/v1/orgs/{}/teams/{support}", elsewhere.id))
        .await
        .assert_problem(404, "not_found");

    let actions: Vec<String> =
        audit_actions(&app, &ada, &org).await.iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
    for a in ["team.created", "team.renamed", "team.member_added", "team.member_removed", "team.deleted"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
    let types: Vec<String> = on_pool!(app, |p| sqlx::query_scalar("SELECT type FROM events WHERE org_id = $1")
        .bind(&org.id)
        .fetch_all(p)
        .await)
    .unwrap();
    for t in ["team.created", "team.updated", "team.member_added", "team.member_removed", "team.deleted"] {
        assert!(types.iter().any(|x| x == t), "{t} in {types:?}");
    }
}

#[tokio::test]
async fn a_request_accepted_by_link_gives_the_partner_team_delegated_access() {
    let app = TestApp::start().await;
    let owner = app.user("po@reseller.example", "Reseller Owner").await;
    let partner = app.org(&owner, "Acme Reseller").await;
    let customer_owner = app.user("co@customer.example", "Cora").await;
    let customer = app.org(&customer_owner, "Globex").await;
    let customers = format!("/v1/orgs/{}/customers", partner.id);
    // The request's rules.
    for (body, field) in [
        (json!({"customer": customer.slug, "roles": ["owner"], "ends_at": days_ahead(30)}), "roles"),
        (json!({"customer": customer.slug, "roles": ["nope"], "ends_at": days_ahead(30)}), "roles"),
        (json!({"customer": customer.slug, "roles": [], "ends_at": days_ahead(30)}), "roles"),
        (json!({"customer": customer.slug, "roles": ["admin"], "ends_at": days_ahead(800)}), "ends_at"),
        (json!({"customer": customer.slug, "roles": ["admin"], "ends_at": "yesterday"}), "ends_at"),
        (json!({"customer": partner.slug, "roles": ["admin"], "ends_at": days_ahead(30)}), "customer"),
        (json!({"customer": "no-such-org", "roles": ["admin"], "ends_at": days_ahead(30)}), "customer"),
    ] {
        let r = app.post(&owner.token, &customers, body).await;
        r.assert_problem(422, "validation_failed");
        assert!(r.text.contains(field), "{field}: {}", r.text);
    }
    let r = app
        .post(
            &owner.token,
            &customers,
            json!({"customer": customer.slug, "roles": ["admin", "viewer"], "ends_at": days_ahead(30)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let again = app
        .post(&owner.token, &customers, json!({"customer": customer.id, "roles": ["admin"], "ends_at": days_ahead(30)}))
        .await;
    again.assert_problem(409, "relationship_exists");
    // The link shows the request; GETting it twice changes nothing.
    let token = app.token_from_outbox(&customer_owner.email, "/partner-requests/").await;
    for _ in 0..2 {
        let r = app.call(Method::GET, &format!("/v1/partner-requests/{token}"), None, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["status"], "requested");
        assert_eq!(r.body["partner_name"], "Acme Reseller");
        assert_eq!(r.body["roles"], json!(["admin", "viewer"]));
    }
    // The emailed link opens a page; a GET shows it and changes nothing.
    let page = app.call(Method::GET, &format!("/partner-requests/{token}"), None, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Acme Reseller") && page.text.contains("method=\"post\""), "{}", page.text);
    // Nobody but the customer's owner or an admin accepts it.
    let viewer = app.user("viewer@customer.example", "Vera").await;
    app.join(&customer_owner, &customer, &viewer, "viewer").await;
    let accept = format!("/v1/partner-requests/{token}/accept");
    app.post(&viewer.token, &accept, json!({})).await.assert_problem(403, "forbidden");
    app.post(&owner.token, &accept, json!({})).await.assert_problem(404, "not_found");
    let r = app.post(&customer_owner.token, &accept, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.post(&customer_owner.token, &accept, json!({})).await.assert_problem(404, "not_found");
    let by_id = format!("/v1/orgs/{}/partner-access/{id}/accept", customer.id);
    app.post(&customer_owner.token, &by_id, json!({})).await.assert_problem(409, "relationship_not_pending");

    // Delegation: the support team holds "admin".
    let support = app.user("sam@reseller.example", "Sam Support").await;
    app.join(&owner, &partner, &support, "member").await;
    let bystander = app.user("bo@reseller.example", "Bo").await;
    app.join(&owner, &partner, &bystander, "member").await;
    let t1 = team(&app, &owner, &partner, "Support tier 1").await;
    add_to_team(&app, &owner, &partner, &t1, &support).await;
    app.get(&support.token, &members_path(&customer)).await.assert_problem(404, "not_found");
    let r = assign(&app, &owner, &partner, &id, &[(&t1, "owner")]).await;
    r.assert_problem(422, "validation_failed");
    let r = assign(&app, &owner, &partner, &id, &[(&t1, "admin")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["assignments"][0]["team_name"], "Support tier 1");

    let r = app.get(&support.token, &members_path(&customer)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let emails: Vec<&str> = r.body["items"].as_array().unwrap().iter().map(|m| m["email"].as_str().unwrap()).collect();
    assert!(!emails.contains(&support.email.as_str()), "a delegated person is never a member: {emails:?}");
    let r = app.get(&support.token, &format!("/v1/orgs/{}", customer.slug)).await;
    assert_eq!(r.body["member_count"], 2, "nor counted as one: {}", r.text);
    let r = app.get(&support.token, &format!("/v1/orgs/{}/permissions", customer.id)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.get(&bystander.token, &members_path(&customer)).await.assert_problem(404, "not_found");

    // A change by the delegated person is recorded as "<person> via <partner>".
    let r = app
        .patch(&support.token, &format!("/v1/orgs/{}/members/{}", customer.id, viewer.id), json!({"role": "member"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let events = audit_actions(&app, &customer_owner, &customer).await;
    let change = events.iter().find(|e| e["action"] == "member.role_changed").unwrap();
    assert_eq!(change["actor_name"], "Sam Support via Acme Reseller");
    assert_eq!(change["actor_id"], support.id.as_str());

    // The customer sees who holds access, by name.
    let r = app.get(&customer_owner.token, &format!("/v1/orgs/{}/partner-access", customer.id)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body[0]["people"], json!(["Sam Support"]));
    assert_eq!(r.body[0]["relationship"]["partner"]["name"], "Acme Reseller");
    assert!(r.body[0]["relationship"].get("assignments").is_none(), "the partner's teams are its own: {}", r.text);

    // Both orgs have the relationship's events, and domain events.
    for (who, org) in [(&owner, &partner), (&customer_owner, &customer)] {
        let actions: Vec<String> =
            audit_actions(&app, who, org).await.iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
        for a in ["partner.requested", "partner.accepted", "partner.assignments_changed"] {
            assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
        }
    }
    let types: Vec<String> = on_pool!(app, |p| sqlx::query_scalar("SELECT type FROM events WHERE org_id = $1")
        .bind(&customer.id)
        .fetch_all(p)
        .await)
    .unwrap();
    assert!(types.iter().any(|t| t == "partner_relationship.accepted"), "{types:?}");
    // The partner's support person lists the org among theirs.
    let r = app.get(&support.token, "/v1/me/delegated-orgs").await;
    assert_eq!(r.body[0]["org"]["id"], customer.id.as_str(), "{}", r.text);
    assert_eq!(r.body[0]["roles"], json!(["admin"]));
}

#[tokio::test]
async fn delegation_never_grants_more_than_the_relationship() {
    let app = TestApp::start().await;
    // A custom role holding everything the customer's owner may give, deletion and transfer included.
    let p = partnership(&app, "limits", &["admin"]).await;
    let roles = format!("/v1/orgs/{}/roles", p.customer.id);
    let everything = [
        "org:read",
        "org:delete",
        "org:transfer",
        "members:read",
        "members:invite",
        "partners:manage",
        "api_keys:manage",
    ];
    let r = app
        .post(
            &p.customer_owner.token,
            &roles,
            json!({"key": "superuser", "name": "Superuser", "permissions": everything}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let p2 = partnership(&app, "super", &["admin"]).await;
    // The same person in a second partnership granting the custom role.
    let rel = relate(&app, &p2.partner_admin, &p2.partner, &p.customer, &p.customer_owner, &["superuser"]).await;
    let r = assign(&app, &p2.partner_admin, &p2.partner, &rel, &[(&p2.team, "superuser")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let delegated = &p2.support;
    let c = &p.customer;
    let r = app.get(&delegated.token, &format!("/v1/orgs/{}/permissions", c.id)).await;
    let perms: Vec<&str> = r.body["permissions"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    for never in ["org:delete", "org:transfer", "partners:manage", "api_keys:manage"] {
        assert!(!perms.contains(&never), "{never} is never delegated: {perms:?}");
    }
    let r = app
        .call(
            Method::DELETE,
            &format!("/v1/orgs/{}", c.id),
            Some(&delegated.token),
            Some(json!({"confirm_slug": c.slug})),
        )
        .await;
    r.assert_problem(403, "forbidden");
    let r = app
        .post(&delegated.token, &format!("/v1/orgs/{}/transfer", c.id), json!({"user_id": p.customer_member.id}))
        .await;
    r.assert_problem(403, "forbidden");
    app.post(&delegated.token, &format!("/v1/orgs/{}/leave", c.id), json!({})).await.assert_problem(403, "forbidden");
    let r = app
        .post(
            &delegated.token,
            &format!("/v1/orgs/{}/api-keys", c.id),
            json!({"name": "k", "permissions": ["org:read"]}),
        )
        .await;
    r.assert_problem(403, "forbidden");
    // Invite as owner: refused; as the custom role they hold: refused too
    // (it holds what the relationship strips).
    let invite = format!("/v1/orgs/{}/invitations", c.id);
    let r = app.post(&delegated.token, &invite, json!({"emails": ["x@example.com"], "role": "owner"})).await;
    r.assert_problem(409, "owner_protected");
    let r = app.post(&delegated.token, &invite, json!({"emails": ["x@example.com"], "role": "superuser"})).await;
    r.assert_problem(403, "role_escalation");
    // Partner access: only their own partner's, and they cannot end it from the customer's side.
    let r = app.get(&delegated.token, &format!("/v1/orgs/{}/partner-access", c.id)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body.as_array().unwrap().len(), 1, "another partner's relationship is not shown: {}", r.text);
    assert_eq!(r.body[0]["relationship"]["id"], rel.as_str());
    let r = app.get(&p.customer_owner.token, &format!("/v1/orgs/{}/partner-access", c.id)).await;
    assert_eq!(r.body.as_array().unwrap().len(), 2);
    let r = app.post(&delegated.token, &format!("/v1/orgs/{}/partner-access/{rel}/end", c.id), json!({})).await;
    r.assert_problem(403, "forbidden");
    // A delegated admin of the customer is nobody in the partner org.
    app.get(&p.customer_owner.token, &format!("/v1/orgs/{}/members", p.partner.id))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn leaving_the_team_or_the_partner_or_ending_ends_access_at_once() {
    let app = TestApp::start().await;
    let p = partnership(&app, "end", &["admin"]).await;
    let path = members_path(&p.customer);
    assert_eq!(app.get(&p.support.token, &path).await.status, StatusCode::OK);
    app.get(&p.bystander.token, &path).await.assert_problem(404, "not_found");
    // Out of the team.
    let r = app
        .delete(&p.partner_admin.token, &format!("/v1/orgs/{}/teams/{}/members/{}", p.partner.id, p.team, p.support.id))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    app.get(&p.support.token, &path).await.assert_problem(404, "not_found");
    add_to_team(&app, &p.partner_admin, &p.partner, &p.team, &p.support).await;
    assert_eq!(app.get(&p.support.token, &path).await.status, StatusCode::OK);
    // Disabled in the partner org.
    let member = format!("/v1/orgs/{}/members/{}", p.partner.id, p.support.id);
    let r = app.patch(&p.partner_admin.token, &member, json!({"status": "disabled"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.get(&p.support.token, &path).await.assert_problem(404, "not_found");
    let r = app.patch(&p.partner_admin.token, &member, json!({"status": "active"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(app.get(&p.support.token, &path).await.status, StatusCode::OK);
    // Out of the partner org.
    let r = app.delete(&p.partner_admin.token, &member).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    app.get(&p.support.token, &path).await.assert_problem(404, "not_found");
    // The customer ends it: the rest of the team loses it too.
    let other = app.user("second@reseller.example", "Second").await;
    app.join(&p.partner_owner, &p.partner, &other, "member").await;
    add_to_team(&app, &p.partner_admin, &p.partner, &p.team, &other).await;
    assert_eq!(app.get(&other.token, &path).await.status, StatusCode::OK);
    let end = format!("/v1/orgs/{}/partner-access/{}/end", p.customer.id, p.relationship);
    let r = app.post(&p.customer_owner.token, &end, json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    app.get(&other.token, &path).await.assert_problem(404, "not_found");
    app.post(&p.customer_owner.token, &end, json!({})).await.assert_problem(409, "relationship_not_pending");
    let r = app.get(&p.partner_admin.token, &format!("/v1/orgs/{}/customers/{}", p.partner.id, p.relationship)).await;
    assert_eq!(r.body["status"], "ended", "{}", r.text);
    let r = assign(&app, &p.partner_admin, &p.partner, &p.relationship, &[(&p.team, "admin")]).await;
    r.assert_problem(409, "relationship_not_pending");
    // A new request for the pair is possible again; the partner ends that one itself.
    let rel = relate(&app, &p.partner_admin, &p.partner, &p.customer, &p.customer_owner, &["viewer"]).await;
    assign(&app, &p.partner_admin, &p.partner, &rel, &[(&p.team, "viewer")]).await;
    assert_eq!(app.get(&other.token, &path).await.status, StatusCode::OK);
    let r =
        app.post(&p.partner_admin.token, &format!("/v1/orgs/{}/customers/{rel}/end", p.partner.id), json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    app.get(&other.token, &path).await.assert_problem(404, "not_found");
    let actions: Vec<String> = audit_actions(&app, &p.customer_owner, &p.customer)
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(actions.iter().filter(|a| *a == "partner.ended").count(), 2, "{actions:?}");
}

#[tokio::test]
async fn an_expired_relationship_grants_nothing_and_is_announced_once() {
    let app = TestApp::start().await;
    let p = partnership(&app, "exp", &["admin"]).await;
    let path = members_path(&p.customer);
    assert_eq!(app.get(&p.support.token, &path).await.status, StatusCode::OK);
    // Renewal by the customer.
    let renew = format!("/v1/orgs/{}/partner-access/{}/renew", p.customer.id, p.relationship);
    let r = app.post(&p.customer_owner.token, &renew, json!({"ends_at": days_ahead(800)})).await;
    r.assert_problem(422, "validation_failed");
    let r = app.post(&p.customer_owner.token, &renew, json!({"ends_at": days_ahead(700)})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Its end passes (arranged: the suite never waits for the clock).
    app.sql("UPDATE partner_relationships SET ends_at = 1000 WHERE id = $1", &[&p.relationship]).await;
    app.get(&p.support.token, &path).await.assert_problem(404, "not_found");
    let r = app.get(&p.customer_owner.token, &format!("/v1/orgs/{}/partner-access", p.customer.id)).await;
    assert_eq!(r.body[0]["relationship"]["status"], "expired", "{}", r.text);
    assert_eq!(r.body[0]["people"], json!([]));
    app.post(&p.customer_owner.token, &renew, json!({"ends_at": days_ahead(30)}))
        .await
        .assert_problem(409, "relationship_not_pending");
    assert_eq!(orgdesk_server::partners::notice_expired(&app.state).await.unwrap(), 1);
    assert_eq!(orgdesk_server::partners::notice_expired(&app.state).await.unwrap(), 0, "announced once");
    for (who, org) in [(&p.partner_admin, &p.partner), (&p.customer_owner, &p.customer)] {
        let n = audit_actions(&app, who, org).await.iter().filter(|e| e["action"] == "partner.expired").count();
        assert_eq!(n, 1, "one expiry event in each org");
    }
    // A new relationship for the pair can be asked for.
    relate(&app, &p.partner_admin, &p.partner, &p.customer, &p.customer_owner, &["viewer"]).await;
}

#[tokio::test]
async fn a_created_workspace_is_handed_off_to_its_first_owner() {
    let app = TestApp::start().await;
    let owner = app.user("po@reseller.example", "Reseller Owner").await;
    let partner = app.org(&owner, "Acme Reseller").await;
    let admin = app.user("pa@reseller.example", "Pat Admin").await;
    app.join(&owner, &partner, &admin, "admin").await;
    let support = app.user("sam@reseller.example", "Sam Support").await;
    app.join(&owner, &partner, &support, "member").await;
    let t1 = team(&app, &admin, &partner, "Support tier 1").await;
    add_to_team(&app, &admin, &partner, &t1, &support).await;
    let member = app.user("mo@reseller.example", "Mo Member").await;
    app.join(&owner, &partner, &member, "member").await;

    let create = format!("/v1/orgs/{}/customer-workspaces", partner.id);
    let body = json!({"name": "Initech", "roles": ["admin"], "ends_at": days_ahead(365), "owner_email": "bill@initech.example"});
    app.post(&member.token, &create, body.clone()).await.assert_problem(403, "forbidden");
    let r = app.post(&admin.token, &create, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let rel = r.body["relationship"]["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["relationship"]["status"], "active");
    assert_eq!(r.body["relationship"]["owner_of_record"]["id"], partner.id.as_str(), "{}", r.text);
    assert_eq!(r.body["invitation"]["role"], "owner");
    let customer = Org {
        id: r.body["relationship"]["customer"]["id"].as_str().unwrap().to_owned(),
        slug: r.body["relationship"]["customer"]["slug"].as_str().unwrap().to_owned(),
    };
    // Until the hand-off the partner's owner is the owner of record.
    let r = app.get(&owner.token, &members_path(&customer)).await;
    assert_eq!(r.body["items"][0]["role"], "owner", "{}", r.text);
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
    let r = assign(&app, &admin, &partner, &rel, &[(&t1, "admin")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // The support team administers the members within "admin".
    let r = app
        .post(
            &support.token,
            &format!("/v1/orgs/{}/invitations", customer.id),
            json!({"emails": ["pam@initech.example"], "role": "member"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    // Bill signs up through the link and owns the workspace.
    let token = app.token_from_outbox("bill@initech.example", "/invite/").await;
    let r = app.call(Method::GET, &format!("/v1/invitations/{token}"), None, None).await;
    assert_eq!(r.body["role"], "owner", "{}", r.text);
    let r = app
        .call(
            Method::POST,
            &format!("/v1/invitations/{token}/signup"),
            None,
            Some(json!({"name": "Bill", "password": PASSWORD})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let bill = User {
        id: r.body["user"]["id"].as_str().unwrap().to_owned(),
        email: "bill@initech.example".into(),
        token: r.body["token"].as_str().unwrap().to_owned(),
    };
    let r = app.get(&bill.token, &members_path(&customer)).await;
    let items = r.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "the owner of record left: {}", r.text);
    assert_eq!(items[0]["user_id"], bill.id.as_str());
    assert_eq!(items[0]["role"], "owner");
    // The partner keeps only what the relationship grants.
    app.get(&owner.token, &members_path(&customer)).await.assert_problem(404, "not_found");
    let r = app.get(&support.token, &members_path(&customer)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app.get(&bill.token, &format!("/v1/orgs/{}/partner-access", customer.id)).await;
    assert_eq!(r.body[0]["relationship"]["owner_of_record"], Value::Null, "{}", r.text);
    assert_eq!(r.body[0]["people"], json!(["Sam Support"]));
    // A later hand-off link is refused.
    let r = app
        .post(
            &admin.token,
            &format!("/v1/orgs/{}/customers/{rel}/owner-invitation", partner.id),
            json!({"owner_email": "x@initech.example"}),
        )
        .await;
    r.assert_problem(409, "relationship_not_pending");
    // The customer ends partner access; the partner's people lose it at once.
    let r = app.post(&bill.token, &format!("/v1/orgs/{}/partner-access/{rel}/end", customer.id), json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    app.get(&support.token, &members_path(&customer)).await.assert_problem(404, "not_found");
    let actions: Vec<String> =
        audit_actions(&app, &owner, &partner).await.iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
    for a in ["partner.workspace_created", "partner.handed_off", "partner.ended"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

#[tokio::test]
async fn a_second_hand_off_link_replaces_the_first() {
    let app = TestApp::start().await;
    let owner = app.user("po@reseller.example", "Reseller Owner").await;
    let partner = app.org(&owner, "Acme Reseller").await;
    let body = json!({"name": "Initech", "roles": ["admin"], "ends_at": days_ahead(30), "owner_email": "first@initech.example"});
    let r = app.post(&owner.token, &format!("/v1/orgs/{}/customer-workspaces", partner.id), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let rel = r.body["relationship"]["id"].as_str().unwrap().to_owned();
    let first = app.token_from_outbox("first@initech.example", "/invite/").await;
    let r = app
        .post(
            &owner.token,
            &format!("/v1/orgs/{}/customers/{rel}/owner-invitation", partner.id),
            json!({"owner_email": "second@initech.example"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = app
        .call(
            Method::POST,
            &format!("/v1/invitations/{first}/signup"),
            None,
            Some(json!({"name": "First", "password": PASSWORD})),
        )
        .await;
    r.assert_problem(409, "invitation_not_pending");
    let second = app.token_from_outbox("second@initech.example", "/invite/").await;
    let r = app
        .call(
            Method::POST,
            &format!("/v1/invitations/{second}/signup"),
            None,
            Some(json!({"name": "Second", "password": PASSWORD})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

/// Two accepts of one request, and several requests for one pair, at once:
/// one wins, the others get the promised 409, never a 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn accepts_and_requests_race_to_one_winner() {
    let app = Arc::new(TestApp::start().await);
    let owner = app.user("po@reseller.example", "Reseller Owner").await;
    let partner = app.org(&owner, "Acme Reseller").await;
    let customer_owner = app.user("co@customer.example", "Cora").await;
    let customer = app.org(&customer_owner, "Globex").await;
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (app, owner, partner, slug) = (app.clone(), owner.clone(), partner.clone(), customer.slug.clone());
            tokio::spawn(async move {
                let body = json!({"customer": slug, "roles": ["admin"], "ends_at": days_ahead(30)});
                app.post(&owner.token, &format!("/v1/orgs/{}/customers", partner.id), body).await
            })
        })
        .collect();
    let mut created = 0;
    for t in tasks {
        let r = t.await.unwrap();
        match r.status {
            StatusCode::CREATED => created += 1,
            _ => r.assert_problem(409, "relationship_exists"),
        }
    }
    assert_eq!(created, 1);
    let token = app.token_from_outbox(&customer_owner.email, "/partner-requests/").await;
    let admin = app.user("ca@customer.example", "Carla Admin").await;
    app.join(&customer_owner, &customer, &admin, "admin").await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let (app, token) = (app.clone(), token.clone());
            let who = if i % 2 == 0 { customer_owner.token.clone() } else { admin.token.clone() };
            tokio::spawn(
                async move { app.post(&who, &format!("/v1/partner-requests/{token}/accept"), json!({})).await },
            )
        })
        .collect();
    let mut accepted = 0;
    for t in tasks {
        let r = t.await.unwrap();
        match r.status {
            StatusCode::OK => accepted += 1,
            // The loser either found the link used (404) or the row accepted (409).
            StatusCode::NOT_FOUND => r.assert_problem(404, "not_found"),
            _ => r.assert_problem(409, "relationship_not_pending"),
        }
    }
    assert_eq!(accepted, 1);
    let n = audit_actions(&app, &customer_owner, &customer)
        .await
        .iter()
        .filter(|e| e["action"] == "partner.accepted")
        .count();
    assert_eq!(n, 1);
}

/// 20 delegated requests in flight while the customer ends the relationship:
/// every request that starts after the end answers 404 and commits nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_end_under_contention_stops_every_later_request() {
    let app = Arc::new(TestApp::start().await);
    let p = partnership(&app, "race", &["admin"]).await;
    let mut people = vec![p.support.clone()];
    for i in 0..3 {
        let u = app.user(&format!("agent{i}@reseller.example"), &format!("Agent {i}")).await;
        app.join(&p.partner_owner, &p.partner, &u, "member").await;
        add_to_team(&app, &p.partner_admin, &p.partner, &p.team, &u).await;
        people.push(u);
    }
    let ended = Arc::new(AtomicBool::new(false));
    let target = format!("/v1/orgs/{}/members/{}", p.customer.id, p.customer_member.id);
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let (app, ended, target) = (app.clone(), ended.clone(), target.clone());
            let who = people[i % people.len()].token.clone();
            tokio::spawn(async move {
                let mut after_end = Vec::new();
                let mut ok = 0;
                for round in 0..15 {
                    let started_after_end = ended.load(Ordering::SeqCst);
                    let role = if (i + round) % 2 == 0 { "viewer" } else { "member" };
                    let r = app.patch(&who, &target, json!({"role": role})).await;
                    if r.status.is_success() {
                        ok += 1;
                    }
                    if started_after_end {
                        after_end.push(r.status);
                    }
                }
                (ok, after_end)
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let end = format!("/v1/orgs/{}/partner-access/{}/end", p.customer.id, p.relationship);
    let r = app.post(&p.customer_owner.token, &end, json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    ended.store(true, Ordering::SeqCst);
    let mut successes = 0;
    let mut later = 0;
    for t in tasks {
        let (ok, after_end) = t.await.unwrap();
        successes += ok;
        for status in after_end {
            assert_eq!(status, StatusCode::NOT_FOUND, "a request that started after the end was answered {status}");
            later += 1;
        }
    }
    assert!(later > 0, "some requests started after the end");
    // Every committed change is one of the successes that started before the end.
    let changes: i64 = on_pool!(app, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE org_id = $1 AND action = 'member.role_changed'"
    )
    .bind(&p.customer.id)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert!(changes <= successes, "{changes} changes committed, {successes} requests succeeded");
    println!("{successes} delegated changes succeeded before the end, {later} requests after it were refused");
}

/// Three server processes on one database: the end made on one is seen by
/// the other two at their next request.
#[tokio::test]
async fn three_replicas_see_the_end_at_once() {
    let a = TestApp::start().await;
    let b = a.replica().await;
    let c = a.replica().await;
    let p = partnership(&a, "replicas", &["admin"]).await;
    let path = members_path(&p.customer);
    for replica in [&a, &b, &c] {
        assert_eq!(replica.get(&p.support.token, &path).await.status, StatusCode::OK);
    }
    let r = b
        .post(
            &p.customer_owner.token,
            &format!("/v1/orgs/{}/partner-access/{}/end", p.customer.id, p.relationship),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    for replica in [&a, &b, &c] {
        replica.get(&p.support.token, &path).await.assert_problem(404, "not_found");
    }
}

/// The demo's partner: its support person reaches the three created
/// workspaces (as "admin") and the agency's client (as "member").
#[tokio::test]
async fn the_demo_seeds_a_partner_with_customer_workspaces() {
    let app = TestApp::start().await;
    orgdesk_server::demo::seed(&app.state.db).await.unwrap();
    let r = app
        .call(
            Method::POST,
            "/v1/auth/signin",
            None,
            Some(
                json!({"email": orgdesk_server::demo::SUPPORT_EMAIL, "password": orgdesk_server::demo::DEMO_PASSWORD}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let token = r.body["token"].as_str().unwrap().to_owned();
    let r = app.get(&token, "/v1/me/delegated-orgs").await;
    let orgs = r.body.as_array().unwrap();
    assert_eq!(orgs.len(), 4, "{}", r.text);
    assert!(orgs.iter().all(|o| o["partner"]["slug"] == orgdesk_server::demo::PARTNER_SLUG));
    let slug =
        orgs.iter().find(|o| o["roles"] == json!(["admin"])).unwrap()["org"]["slug"].as_str().unwrap().to_owned();
    assert_eq!(app.get(&token, &format!("/v1/orgs/{slug}/members")).await.status, StatusCode::OK);

    // The org list has them too, under the partner, with the delegated
    // permissions (never deletion, transfer, partners, keys or webhooks).
    let r = app.get(&token, "/v1/orgs").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let listed: Vec<&serde_json::Value> =
        r.body.as_array().unwrap().iter().filter(|o| !o["via_partner"].is_null()).collect();
    assert_eq!(listed.len(), 4, "{}", r.text);
    let admin_one = listed.iter().find(|o| o["slug"] == slug.as_str()).expect("the admin workspace is listed");
    assert_eq!(admin_one["via_partner"]["slug"], orgdesk_server::demo::PARTNER_SLUG);
    let perms: Vec<&str> = admin_one["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    assert!(perms.contains(&"members:update"), "{perms:?}");
    for never in ["org:delete", "org:transfer", "partners:manage", "api_keys:manage", "webhooks:manage"] {
        assert!(!perms.contains(&never), "{never} in {perms:?}");
    }
    // A member's own orgs carry no partner (the partner org itself, here).
    assert!(r
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["slug"] == orgdesk_server::demo::PARTNER_SLUG && o.get("via_partner").is_none()));
}

/// The emailed link's page: the form accepts for the customer's owner or an
/// admin who signs in on it, and for nobody else.
#[tokio::test]
async fn the_request_page_accepts_for_an_owner_or_admin_only() {
    let app = TestApp::start().await;
    let owner = app.user("po@reseller.example", "Reseller Owner").await;
    let partner = app.org(&owner, "Acme Reseller").await;
    let customer_owner = app.user("co@customer.example", "Cora").await;
    let customer = app.org(&customer_owner, "Globex").await;
    let viewer = app.user("viewer@customer.example", "Vera").await;
    app.join(&customer_owner, &customer, &viewer, "viewer").await;
    let body = json!({"customer": customer.slug, "roles": ["viewer"], "ends_at": days_ahead(30)});
    let r = app.post(&owner.token, &format!("/v1/orgs/{}/customers", partner.id), body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let token = app.token_from_outbox(&customer_owner.email, "/partner-requests/").await;
    let accept = |email: &str, password: &str| {
        app.request(Method::POST, &format!("/partner-requests/{token}/accept"), None)
            .form(&[("email", email.to_owned()), ("password", password.to_owned())])
    };
    let r = crate::support::send(accept(&customer_owner.email, "not the password")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    let r = crate::support::send(accept(&viewer.email, PASSWORD)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = crate::support::send(accept(&owner.email, PASSWORD)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "the partner's owner is nobody in the customer: {}", r.text);
    let r = crate::support::send(accept(&customer_owner.email, PASSWORD)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("Partner access accepted"), "{}", r.text);
    let page = app.call(Method::GET, &format!("/partner-requests/{token}"), None, None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND, "a used link shows nothing more: {}", page.text);
    let r = app.get(&customer_owner.token, &format!("/v1/orgs/{}/partner-access", customer.id)).await;
    assert_eq!(r.body[0]["relationship"]["status"], "active", "{}", r.text);
}

/// Deleting a partner team that holds a relationship's role ends its
/// people's access, and both orgs record that the assignments changed.
#[tokio::test]
async fn deleting_an_assigned_team_ends_its_access() {
    let app = TestApp::start().await;
    let p = partnership(&app, "team", &["admin"]).await;
    let path = members_path(&p.customer);
    assert_eq!(app.get(&p.support.token, &path).await.status, StatusCode::OK);
    let r = app.delete(&p.partner_admin.token, &format!("/v1/orgs/{}/teams/{}", p.partner.id, p.team)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    app.get(&p.support.token, &path).await.assert_problem(404, "not_found");
    let events = audit_actions(&app, &p.customer_owner, &p.customer).await;
    let changed: Vec<&Value> = events.iter().filter(|e| e["action"] == "partner.assignments_changed").collect();
    assert_eq!(changed.len(), 2, "assigned, then the team deleted");
    assert_eq!(changed[0]["actor_name"], "Reseller Admin team (Acme Reseller team)", "{:?}", changed[0]);
    let r = app.get(&p.partner_admin.token, &format!("/v1/orgs/{}/customers/{}", p.partner.id, p.relationship)).await;
    assert_eq!(r.body["assignments"], json!([]), "{}", r.text);
}

#[tokio::test]
async fn a_delegated_person_cannot_make_themselves_a_member_nor_see_another_partner() {
    let app = TestApp::start().await;
    let p = partnership(&app, "self", &["admin"]).await;
    let invite = format!("/v1/orgs/{}/invitations", p.customer.id);
    // Their own address, alone or in a list, in any spelling: refused, and nothing is invited.
    for emails in [json!([p.support.email]), json!(["someone@example.com", p.support.email.to_uppercase()])] {
        let r = app.post(&p.support.token, &invite, json!({"emails": emails, "role": "member"})).await;
        r.assert_problem(403, "forbidden");
        assert!(r.text.contains("cannot invite yourself"), "{}", r.text);
    }
    let pending = app.get(&p.customer_owner.token, &format!("/v1/orgs/{}/invitations", p.customer.id)).await;
    assert_eq!(pending.body["items"].as_array().map(Vec::len), Some(0), "{}", pending.text);
    // Anyone else: the granted role invites as it would.
    let r = app.post(&p.support.token, &invite, json!({"emails": ["new@customer.example"], "role": "member"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // The customer's own admin may still invite them (the customer decides).
    let r = app.post(&p.customer_owner.token, &invite, json!({"emails": [p.support.email], "role": "viewer"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    // A second partner of the same customer: its relationship is not in
    // the first partner's people's view of the customer's audit trail.
    let other = partnership(&app, "other", &["admin"]).await;
    let rel = relate(&app, &other.partner_admin, &other.partner, &p.customer, &p.customer_owner, &["admin"]).await;
    let r = assign(&app, &other.partner_admin, &other.partner, &rel, &[(&other.team, "admin")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // The other partner's support person acts in the customer.
    let r = app
        .post(&other.support.token, &invite, json!({"emails": ["by-the-other@customer.example"], "role": "viewer"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let seen = audit_actions(&app, &p.support, &p.customer).await;
    assert!(
        seen.iter().all(|e| !e["actor_name"].as_str().unwrap_or("").contains("via Acme Reseller other")),
        "another partner's people's actions are not shown: {seen:?}"
    );
    assert!(
        seen.iter().any(|e| e["actor_name"] == "Sam Support self via Acme Reseller self"),
        "their own partner's are: {seen:?}"
    );
    let partner_entries: Vec<&Value> =
        seen.iter().filter(|e| e["action"].as_str().unwrap().starts_with("partner.")).collect();
    assert!(!partner_entries.is_empty(), "their own partner's entries show");
    assert!(
        partner_entries.iter().all(|e| e["target"] == p.relationship.as_str()),
        "another partner's relationship is not shown: {partner_entries:?}"
    );
    let all = audit_actions(&app, &p.customer_owner, &p.customer).await;
    assert!(all.iter().any(|e| e["target"] == rel.as_str()), "the customer's owner sees both");
    assert!(all.iter().any(|e| e["actor_name"] == "Sam Support other via Acme Reseller other"), "{all:?}");
}

#[tokio::test]
async fn the_across_views_include_customer_workspaces_within_the_delegated_role() {
    let app = TestApp::start().await;
    let p = partnership(&app, "across", &["admin", "viewer"]).await;
    let viewers = team(&app, &p.partner_admin, &p.partner, "Read only").await;
    add_to_team(&app, &p.partner_admin, &p.partner, &viewers, &p.bystander).await;
    let r =
        assign(&app, &p.partner_admin, &p.partner, &p.relationship, &[(&p.team, "admin"), (&viewers, "viewer")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.invite(&p.customer_owner, &p.customer, "waiting@customer.example", "member").await;

    // The support person (admin through the partner) sees the customer's
    // invitation and finds its member; the bystander (viewer) finds the
    // member but reads no invitations; a stranger sees neither.
    let r = app.get(&p.support.token, "/v1/me/managed-invitations").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let found = r.body.as_array().unwrap();
    assert!(
        found
            .iter()
            .any(|i| i["org_id"] == p.customer.id.as_str() && i["invitation"]["email"] == "waiting@customer.example"),
        "{}",
        r.text
    );
    let mine = found.iter().find(|i| i["org_id"] == p.customer.id.as_str()).unwrap();
    assert_eq!(mine["can_revoke"], true);
    let r = app.get(&p.bystander.token, "/v1/me/managed-invitations").await;
    assert!(r.body.as_array().unwrap().iter().all(|i| i["org_id"] != p.customer.id.as_str()), "{}", r.text);
    // The paged form, a row at a time, is the same list: the support
    // person's own org's invitation falls between two of the customer's.
    let own = app.org(&p.support, "Sam's own").await;
    app.invite(&p.support, &own, "mine@own.example", "member").await;
    app.invite(&p.customer_owner, &p.customer, "later@customer.example", "member").await;
    let whole = app.get(&p.support.token, "/v1/me/managed-invitations").await.body;
    let mut paged = Vec::new();
    let mut cursor = String::new();
    loop {
        let r = app.get(&p.support.token, &format!("/v1/me/managed-invitations/page?limit=1&cursor={cursor}")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        paged.extend(r.body["items"].as_array().unwrap().iter().map(|i| i["invitation"]["id"].clone()));
        match r.body["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    let ids: Vec<Value> = whole.as_array().unwrap().iter().map(|i| i["invitation"]["id"].clone()).collect();
    assert_eq!(paged, ids, "the pages are the whole list, in its order");
    let orgs: Vec<&str> = whole.as_array().unwrap().iter().map(|i| i["org_id"].as_str().unwrap()).collect();
    assert_eq!(orgs, [p.customer.id.as_str(), own.id.as_str(), p.customer.id.as_str()], "{whole}");
    for (who, can_remove) in [(&p.support, true), (&p.bystander, false)] {
        for query in ["q=carl", "email=member.across@customer.example"] {
            let r = app.get(&who.token, &format!("/v1/me/people?{query}")).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            let hit = r.body.as_array().unwrap().iter().find(|m| m["org_id"] == p.customer.id.as_str());
            let hit = hit.unwrap_or_else(|| panic!("{query} finds the customer's member: {}", r.text));
            assert_eq!(hit["can_remove"], can_remove, "{}", r.text);
        }
    }
    let stranger = app.user("stranger@example.com", "Stranger").await;
    let r = app.get(&stranger.token, "/v1/me/people?q=carl").await;
    assert_eq!(r.body, json!([]), "{}", r.text);
    // The org list: the customer under its partner, with the delegated permissions.
    let r = app.get(&p.bystander.token, "/v1/orgs").await;
    let listed = r.body.as_array().unwrap().iter().find(|o| o["id"] == p.customer.id.as_str()).unwrap().clone();
    assert_eq!(listed["via_partner"]["id"], p.partner.id.as_str());
    assert_eq!(listed["role"], "viewer");
    assert!(!listed["permissions"].as_array().unwrap().contains(&json!("members:remove")), "{listed}");
    // Ended: gone from every view at once.
    let end = format!("/v1/orgs/{}/partner-access/{}/end", p.customer.id, p.relationship);
    assert_eq!(app.post(&p.customer_owner.token, &end, json!({})).await.status, StatusCode::NO_CONTENT);
    let r = app.get(&p.support.token, "/v1/me/managed-invitations").await;
    assert!(r.body.as_array().unwrap().iter().all(|i| i["org_id"] != p.customer.id.as_str()), "{}", r.text);
    let r = app.get(&p.support.token, "/v1/me/people?q=carl").await;
    assert!(r.body.as_array().unwrap().iter().all(|m| m["org_id"] != p.customer.id.as_str()), "{}", r.text);
    let r = app.get(&p.support.token, "/v1/orgs").await;
    assert!(r.body.as_array().unwrap().iter().all(|o| o["id"] != p.customer.id.as_str()), "{}", r.text);
}

#[tokio::test]
async fn deleting_a_partner_ends_its_access_in_the_customers_trail() {
    let app = TestApp::start().await;
    let p = partnership(&app, "gone", &["admin"]).await;
    let r = app
        .call(
            Method::DELETE,
            &format!("/v1/orgs/{}", p.partner.id),
            Some(&p.partner_owner.token),
            Some(json!({"confirm_slug": p.partner.slug})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    app.get(&p.support.token, &members_path(&p.customer)).await.assert_problem(404, "not_found");
    let events = audit_actions(&app, &p.customer_owner, &p.customer).await;
    let ended = events
        .iter()
        .find(|e| e["action"] == "partner.ended")
        .unwrap_or_else(|| panic!("the customer's trail says its partner went: {events:?}"));
    assert_eq!(ended["target"], p.relationship.as_str());
    assert_eq!(ended["after"]["reason"], "org_deleted");
    assert_eq!(ended["actor_name"], "Reseller Owner gone (Acme Reseller gone)");
    let r = app.get(&p.customer_owner.token, &format!("/v1/orgs/{}/partner-access", p.customer.id)).await;
    assert_eq!(r.body, json!([]), "the relationship went with the partner: {}", r.text);
}

#[tokio::test]
async fn requests_tell_nothing_of_unknown_orgs_and_roles_and_are_limited() {
    let limits = orgdesk_server::Limits { partner_requests_per_org_per_day: 3, ..Default::default() };
    let app = TestApp::start_with(limits).await;
    let owner = app.user("po@reseller.example", "Reseller Owner").await;
    let partner = app.org(&owner, "Acme Reseller").await;
    let customer_owner = app.user("co@customer.example", "Cora").await;
    let customer = app.org(&customer_owner, "Globex").await;
    let customers = format!("/v1/orgs/{}/customers", partner.id);
    let unknown_org = app
        .post(
            &owner.token,
            &customers,
            json!({"customer": "no-such-org", "roles": ["admin"], "ends_at": days_ahead(30)}),
        )
        .await;
    unknown_org.assert_problem(422, "validation_failed");
    let unknown_role = app
        .post(
            &owner.token,
            &customers,
            json!({"customer": customer.slug, "roles": ["secret"], "ends_at": days_ahead(30)}),
        )
        .await;
    unknown_role.assert_problem(422, "validation_failed");
    assert_eq!(unknown_org.body["errors"], unknown_role.body["errors"], "the same answer for both");
    let r = app
        .post(
            &owner.token,
            &customers,
            json!({"customer": customer.slug, "roles": ["admin"], "ends_at": days_ahead(30)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // The failed ones counted: the fourth request of the day is refused.
    let r = app
        .post(&owner.token, &customers, json!({"customer": "another", "roles": ["admin"], "ends_at": days_ahead(30)}))
        .await;
    r.assert_problem(429, "rate_limited");
}

#[tokio::test]
async fn the_partner_asks_for_a_renewal_and_only_the_customer_renews() {
    let app = TestApp::start().await;
    let p = partnership(&app, "renew", &["admin"]).await;
    let ask = format!("/v1/orgs/{}/customers/{}/renewal-request", p.partner.id, p.relationship);
    // A partner member who is not its admin cannot ask; the admin can, once a day.
    app.post(&p.support.token, &ask, json!({})).await.assert_problem(403, "forbidden");
    let r = app.post(&p.partner_admin.token, &ask, json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let outbox = app.call(Method::GET, &format!("/v1/dev/outbox?to={}", p.customer_owner.email), None, None).await;
    assert!(outbox.text.contains("asks Globex renew to renew its partner access"), "{}", outbox.text);
    app.post(&p.partner_admin.token, &ask, json!({})).await.assert_problem(429, "rate_limited");
    for (who, org) in [(&p.partner_owner, &p.partner), (&p.customer_owner, &p.customer)] {
        let events = audit_actions(&app, who, org).await;
        assert!(events.iter().any(|e| e["action"] == "partner.renewal_requested"), "{events:?}");
    }
    // The partner cannot renew its own access; the customer can.
    let renew_as_partner = format!("/v1/orgs/{}/partner-access/{}/renew", p.partner.id, p.relationship);
    let r = app.post(&p.partner_admin.token, &renew_as_partner, json!({"ends_at": days_ahead(300)})).await;
    assert!(r.status == StatusCode::NOT_FOUND, "{}", r.text);
    let renew = format!("/v1/orgs/{}/partner-access/{}/renew", p.customer.id, p.relationship);
    let r = app.post(&p.customer_owner.token, &renew, json!({"ends_at": days_ahead(300)})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Ended: nothing to renew, so nothing to ask for.
    let end = format!("/v1/orgs/{}/partner-access/{}/end", p.customer.id, p.relationship);
    assert_eq!(app.post(&p.customer_owner.token, &end, json!({})).await.status, StatusCode::NO_CONTENT);
    let other = partnership(&app, "renew2", &["admin"]).await;
    let end = format!("/v1/orgs/{}/partner-access/{}/end", other.customer.id, other.relationship);
    assert_eq!(app.post(&other.customer_owner.token, &end, json!({})).await.status, StatusCode::NO_CONTENT);
    let ask = format!("/v1/orgs/{}/customers/{}/renewal-request", other.partner.id, other.relationship);
    app.post(&other.partner_admin.token, &ask, json!({})).await.assert_problem(409, "relationship_not_pending");
}

/// What the issue asks of a reseller: fifty customer workspaces run from one
/// partner org through one team, seen by its support person as theirs;
/// ending one leaves the other 49.
#[tokio::test]
async fn one_partner_runs_fifty_customer_workspaces_through_one_team() {
    let limits = orgdesk_server::Limits { orgs_per_user_per_day: 100, ..Default::default() };
    let app = TestApp::start_with(limits).await;
    let owner = app.user("po@reseller.example", "Reseller Owner").await;
    let partner = app.org(&owner, "Acme Reseller").await;
    let support = app.user("sam@reseller.example", "Sam Support").await;
    app.join(&owner, &partner, &support, "member").await;
    let tier1 = team(&app, &owner, &partner, "Support tier 1").await;
    add_to_team(&app, &owner, &partner, &tier1, &support).await;
    let create = format!("/v1/orgs/{}/customer-workspaces", partner.id);
    let mut relationships = Vec::new();
    for n in 0..50 {
        let body = json!({"name": format!("Customer {n:02}"), "roles": ["admin"], "ends_at": days_ahead(365),
                          "owner_email": format!("owner{n}@customer.example")});
        let r = app.post(&owner.token, &create, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let rel = r.body["relationship"]["id"].as_str().unwrap().to_owned();
        let r = assign(&app, &owner, &partner, &rel, &[(&tier1, "admin")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        relationships.push((rel, r.body["customer"]["id"].as_str().unwrap().to_owned()));
    }
    let r = app.get(&owner.token, &format!("/v1/orgs/{}/customers", partner.id)).await;
    assert_eq!(r.body.as_array().unwrap().len(), 50);
    let listed = |body: &Value| {
        body.as_array().unwrap().iter().filter(|o| o["via_partner"]["id"] == partner.id.as_str()).count()
    };
    let r = app.get(&support.token, "/v1/orgs").await;
    assert_eq!(listed(&r.body), 50, "{}", r.text);
    let r = app.get(&support.token, "/v1/me/delegated-orgs").await;
    assert_eq!(r.body.as_array().unwrap().len(), 50);
    // Each is administered as the relationship grants…
    let (rel, org) = &relationships[17];
    let r = app.get(&support.token, &format!("/v1/orgs/{org}/members")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // …and ending one leaves the others.
    let r = app.post(&owner.token, &format!("/v1/orgs/{}/customers/{rel}/end", partner.id), json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    app.get(&support.token, &format!("/v1/orgs/{org}/members")).await.assert_problem(404, "not_found");
    let r = app.get(&support.token, "/v1/orgs").await;
    assert_eq!(listed(&r.body), 49, "{}", r.text);
}
