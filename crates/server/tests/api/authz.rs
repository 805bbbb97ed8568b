//! The authorization matrix, generated from the permission table: every
//! built-in role and a custom role × every org-scoped endpoint, and the same
//! endpoints attempted across tenants.

use orgdesk_core::{BuiltinRole, Permission, PermissionSet};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::{send, Org, Reply, TestApp, User, PNG};

/// The custom role of the matrix; its permissions decide like any other row.
const CUSTOM_PERMISSIONS: [&str; 6] =
    ["org:read", "members:read", "members:update", "invitations:read", "audit:read", "app:tickets"];

/// The seventh caller: an organization API key the owner made with these.
const KEY_PERMISSIONS: [&str; 6] =
    ["org:read", "members:read", "members:update", "invitations:read", "audit:read", "api_keys:manage"];

/// The matrix's name for the API key caller.
const API_KEY: &str = "api-key";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Need {
    Permission(Permission),
    /// Any member but the owner (leave).
    NotOwner,
    /// Any member.
    Member,
}

#[derive(Clone, Copy)]
enum Body {
    None,
    Json(&'static str),
    Png,
}

struct Endpoint {
    method: Method,
    path: &'static str,
    body: Body,
    need: Need,
    /// Runs on an org of its own, because it ends the fixture (transfer, delete).
    own_org: bool,
}

fn endpoints() -> Vec<Endpoint> {
    use Need::Permission as P;
    use Permission::*;
    let e = |method: Method, path: &'static str, body: Body, need: Need| Endpoint {
        method,
        path,
        body,
        need,
        own_org: false,
    };
    vec![
        e(Method::GET, "/v1/orgs/{org}", Body::None, P(OrgRead)),
        e(Method::GET, "/v1/orgs/{org}/permissions", Body::None, Need::Member),
        e(Method::PATCH, "/v1/orgs/{org}", Body::Json(r#"{"timezone": "Europe/Paris"}"#), P(OrgUpdate)),
        e(Method::GET, "/v1/orgs/{org}/logo", Body::None, P(OrgRead)),
        e(Method::PUT, "/v1/orgs/{org}/logo", Body::Png, P(OrgUpdate)),
        e(Method::GET, "/v1/orgs/{org}/members", Body::None, P(MembersRead)),
        e(Method::GET, "/v1/orgs/{org}/members/{member}", Body::None, P(MembersRead)),
        e(Method::GET, "/v1/orgs/{org}/members/{member}/sign-ins", Body::None, P(MembersRead)),
        e(Method::PATCH, "/v1/orgs/{org}/members/{member}", Body::Json(r#"{"role": "viewer"}"#), P(MembersUpdate)),
        e(
            Method::POST,
            "/v1/orgs/{org}/members/bulk",
            Body::Json(r#"{"user_ids": ["{member}"], "change": {"kind": "role", "role": "viewer"}}"#),
            P(MembersUpdate),
        ),
        e(
            Method::POST,
            "/v1/orgs/{org}/members/bulk",
            Body::Json(r#"{"user_ids": ["{heir}"], "change": {"kind": "remove"}}"#),
            P(MembersRemove),
        ),
        e(Method::GET, "/v1/orgs/{org}/roles", Body::None, P(MembersRead)),
        e(
            Method::POST,
            "/v1/orgs/{org}/roles",
            Body::Json(r#"{"key": "made-here", "name": "Made here", "permissions": ["org:read"]}"#),
            P(RolesManage),
        ),
        e(Method::PATCH, "/v1/orgs/{org}/roles/{spare_role}", Body::Json(r#"{"name": "Spare two"}"#), P(RolesManage)),
        e(Method::DELETE, "/v1/orgs/{org}/roles/{doomed_role}", Body::None, P(RolesManage)),
        e(Method::GET, "/v1/orgs/{org}/invitations", Body::None, P(InvitationsRead)),
        e(
            Method::POST,
            "/v1/orgs/{org}/invitations",
            Body::Json(r#"{"emails": ["matrix-new@example.com"], "role": "member"}"#),
            P(MembersInvite),
        ),
        e(Method::POST, "/v1/orgs/{org}/invitations/{invitation}/resend", Body::None, P(MembersInvite)),
        e(Method::DELETE, "/v1/orgs/{org}/invitations/{revocable}", Body::None, P(InvitationsRevoke)),
        e(Method::GET, "/v1/orgs/{org}/audit", Body::None, P(AuditRead)),
        e(Method::GET, "/v1/orgs/{org}/audit.csv", Body::None, P(AuditRead)),
        e(Method::GET, "/v1/orgs/{org}/api-keys", Body::None, P(ApiKeysManage)),
        e(
            Method::POST,
            "/v1/orgs/{org}/api-keys",
            Body::Json(r#"{"name": "matrix", "permissions": ["org:read"]}"#),
            P(ApiKeysManage),
        ),
        e(Method::DELETE, "/v1/orgs/{org}/api-keys/{api_key}", Body::None, P(ApiKeysManage)),
        e(Method::GET, "/v1/orgs/{org}/webhooks", Body::None, P(WebhooksManage)),
        e(
            Method::POST,
            "/v1/orgs/{org}/webhooks",
            Body::Json(r#"{"url": "http://127.0.0.1:9/new", "event_types": ["*"]}"#),
            P(WebhooksManage),
        ),
        e(Method::GET, "/v1/orgs/{org}/webhooks/{webhook}", Body::None, P(WebhooksManage)),
        e(
            Method::PATCH,
            "/v1/orgs/{org}/webhooks/{webhook}",
            Body::Json(r#"{"description": "matrix"}"#),
            P(WebhooksManage),
        ),
        e(Method::GET, "/v1/orgs/{org}/webhooks/{webhook}/secret", Body::None, P(WebhooksManage)),
        e(Method::POST, "/v1/orgs/{org}/webhooks/{webhook}/rotate-secret", Body::Json("{}"), P(WebhooksManage)),
        e(Method::POST, "/v1/orgs/{org}/webhooks/{webhook}/test", Body::None, P(WebhooksManage)),
        e(Method::GET, "/v1/orgs/{org}/webhooks/{webhook}/deliveries", Body::None, P(WebhooksManage)),
        e(
            Method::POST,
            "/v1/orgs/{org}/webhooks/{webhook}/deliveries/{delivery}/replay",
            Body::None,
            P(WebhooksManage),
        ),
        e(Method::DELETE, "/v1/orgs/{org}/webhooks/{doomed_webhook}", Body::None, P(WebhooksManage)),
        e(Method::GET, "/v1/orgs/{org}/teams", Body::None, P(MembersRead)),
        e(Method::POST, "/v1/orgs/{org}/teams", Body::Json(r#"{"name": "Made here"}"#), P(TeamsManage)),
        e(Method::GET, "/v1/orgs/{org}/teams/{team}", Body::None, P(MembersRead)),
        e(Method::PATCH, "/v1/orgs/{org}/teams/{team}", Body::Json(r#"{"name": "Renamed"}"#), P(TeamsManage)),
        e(Method::GET, "/v1/orgs/{org}/teams/{team}/members", Body::None, P(MembersRead)),
        e(Method::PUT, "/v1/orgs/{org}/teams/{team}/members/{member}", Body::None, P(TeamsManage)),
        e(Method::DELETE, "/v1/orgs/{org}/teams/{team}/members/{member}", Body::None, P(TeamsManage)),
        e(Method::GET, "/v1/orgs/{org}/members/{member}/teams", Body::None, P(MembersRead)),
        e(Method::DELETE, "/v1/orgs/{org}/teams/{doomed_team}", Body::None, P(TeamsManage)),
        e(Method::GET, "/v1/orgs/{org}/partner-access", Body::None, P(MembersRead)),
        e(Method::GET, "/v1/orgs/{org}/customers", Body::None, P(PartnersManage)),
        // The org as a partner: a customer it serves ({customer_rel}) and one it asks for ({prospect}).
        e(Method::GET, "/v1/orgs/{org}/customers/{customer_rel}", Body::None, P(PartnersManage)),
        e(
            Method::PUT,
            "/v1/orgs/{org}/customers/{customer_rel}/assignments",
            Body::Json(r#"{"assignments": [{"team_id": "{team}", "role": "viewer"}]}"#),
            P(PartnersManage),
        ),
        e(Method::POST, "/v1/orgs/{org}/customers/{customer_rel}/renewal-request", Body::None, P(PartnersManage)),
        e(Method::POST, "/v1/orgs/{org}/customers/{customer_rel}/end", Body::None, P(PartnersManage)),
        e(
            Method::POST,
            "/v1/orgs/{org}/customers",
            Body::Json(r#"{"customer": "{prospect}", "roles": ["viewer"], "ends_at": "{ends_at}"}"#),
            P(PartnersManage),
        ),
        e(
            Method::POST,
            "/v1/orgs/{org}/customer-workspaces",
            Body::Json(
                r#"{"name": "Made for a customer", "roles": ["admin"], "ends_at": "{ends_at}", "owner_email": "first-owner@example.com"}"#,
            ),
            P(PartnersManage),
        ),
        // The org as a customer: a partner that asks ({requested_rel}) and one it has ({partner_rel}).
        e(Method::POST, "/v1/orgs/{org}/partner-access/{requested_rel}/accept", Body::None, P(PartnersManage)),
        e(
            Method::POST,
            "/v1/orgs/{org}/partner-access/{partner_rel}/renew",
            Body::Json(r#"{"ends_at": "{ends_at}"}"#),
            P(PartnersManage),
        ),
        e(Method::POST, "/v1/orgs/{org}/partner-access/{partner_rel}/end", Body::None, P(PartnersManage)),
        e(Method::DELETE, "/v1/orgs/{org}/logo", Body::None, P(OrgUpdate)),
        e(Method::DELETE, "/v1/orgs/{org}/members/{removable}", Body::None, P(MembersRemove)),
        e(Method::POST, "/v1/orgs/{org}/leave", Body::None, Need::NotOwner),
        Endpoint {
            method: Method::POST,
            path: "/v1/orgs/{org}/transfer",
            body: Body::Json(r#"{"user_id": "{heir}"}"#),
            need: P(OrgTransfer),
            own_org: true,
        },
        Endpoint {
            method: Method::DELETE,
            path: "/v1/orgs/{org}",
            body: Body::Json(r#"{"confirm_slug": "{slug}"}"#),
            need: P(OrgDelete),
            own_org: true,
        },
    ]
}

/// An org arranged for the matrix: the actor holds `role`, and every
/// endpoint has its own target.
struct Fixture {
    org: Org,
    actor: User,
    values: Vec<(&'static str, String)>,
    /// The API key caller's secret, made by the org's owner with `KEY_PERMISSIONS`.
    key: String,
}

impl Fixture {
    fn fill(&self, template: &str) -> String {
        let mut out = template.replace("{org}", &self.org.id).replace("{slug}", &self.org.slug);
        for (key, value) in &self.values {
            out = out.replace(key, value);
        }
        out
    }
}

struct People {
    boss: User,
    targets: [User; 3],
}

async fn people(app: &TestApp) -> People {
    People {
        boss: app.user("boss@example.com", "Boss").await,
        targets: [
            app.user("t1@example.com", "Target One").await,
            app.user("t2@example.com", "Target Two").await,
            app.user("t3@example.com", "Target Three").await,
        ],
    }
}

async fn fixture(app: &TestApp, people: &People, role: &str, actor: Option<&User>, name: &str) -> Fixture {
    let boss = &people.boss;
    let org = app.org(boss, name).await;
    let roles = format!("/v1/orgs/{}/roles", org.id);
    for (key, perms) in
        [("matrix-custom", CUSTOM_PERMISSIONS.to_vec()), ("spare", vec!["org:read"]), ("doomed", vec!["org:read"])]
    {
        let r = app.post(&boss.token, &roles, json!({"key": key, "name": key, "permissions": perms})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let logo =
        send(app.request(Method::PUT, &format!("/v1/orgs/{}/logo", org.id), Some(&boss.token)).body(PNG.to_vec()))
            .await;
    assert_eq!(logo.status, StatusCode::OK);
    let actor = match actor {
        Some(a) => {
            app.join(boss, &org, a, role).await;
            a.clone()
        }
        None => boss.clone(),
    };
    for t in &people.targets {
        app.join(boss, &org, t, "member").await;
    }
    let invitation = app.invite(boss, &org, &format!("pending-{}@example.com", org.slug), "member").await;
    let revocable = app.invite(boss, &org, &format!("revocable-{}@example.com", org.slug), "member").await;
    let keys = format!("/v1/orgs/{}/api-keys", org.id);
    let r = app.post(&boss.token, &keys, json!({"name": "doomed", "permissions": ["org:read"]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let doomed_key = r.body["id"].as_str().unwrap().to_owned();
    let r = app.post(&boss.token, &keys, json!({"name": "matrix key", "permissions": KEY_PERMISSIONS})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let key = r.body["secret"].as_str().unwrap().to_owned();
    let hooks = format!("/v1/orgs/{}/webhooks", org.id);
    let mut webhook_ids = Vec::new();
    for name in ["kept", "doomed"] {
        let r = app
            .post(&boss.token, &hooks, json!({"url": format!("http://127.0.0.1:9/{name}"), "event_types": ["*"]}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        webhook_ids.push(r.body["id"].as_str().unwrap().to_owned());
    }
    let r = app.post(&boss.token, &format!("{hooks}/{}/test", webhook_ids[0]), json!({})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let delivery = r.body["id"].as_str().unwrap().to_owned();
    let team = crate::partners::team(app, boss, &org, "Matrix team").await;
    crate::partners::add_to_team(app, boss, &org, &team, &people.targets[0]).await;
    let doomed_team = crate::partners::team(app, boss, &org, "Doomed team").await;
    // Partner relationships on both sides of the org, all with orgs of the boss.
    use crate::partners::{days_ahead, relate};
    let customer = app.org(boss, &format!("{name} customer")).await;
    let customer_rel = relate(app, boss, &org, &customer, boss, &["viewer"]).await;
    let partner = app.org(boss, &format!("{name} partner")).await;
    let partner_rel = relate(app, boss, &partner, &org, boss, &["viewer"]).await;
    let asking = app.org(boss, &format!("{name} asking partner")).await;
    let r = app
        .post(
            &boss.token,
            &format!("/v1/orgs/{}/customers", asking.id),
            json!({"customer": org.slug, "roles": ["viewer"], "ends_at": days_ahead(30)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let requested_rel = r.body["id"].as_str().unwrap().to_owned();
    let prospect = app.org(boss, &format!("{name} prospect")).await;
    let values = vec![
        ("{customer_rel}", customer_rel),
        ("{partner_rel}", partner_rel),
        ("{requested_rel}", requested_rel),
        ("{prospect}", prospect.slug),
        ("{ends_at}", days_ahead(60)),
        ("{doomed_team}", doomed_team),
        ("{team}", team),
        ("{member}", people.targets[0].id.clone()),
        ("{removable}", people.targets[1].id.clone()),
        ("{heir}", people.targets[2].id.clone()),
        ("{invitation}", invitation),
        ("{revocable}", revocable),
        ("{spare_role}", "spare".to_owned()),
        ("{doomed_role}", "doomed".to_owned()),
        ("{api_key}", doomed_key),
        ("{doomed_webhook}", webhook_ids[1].clone()),
        ("{webhook}", webhook_ids[0].clone()),
        ("{delivery}", delivery),
    ];
    Fixture { org, actor, values, key }
}

async fn call(app: &TestApp, f: &Fixture, token: &str, e: &Endpoint) -> Reply {
    let path = f.fill(e.path);
    let mut req = app.request(e.method.clone(), &path, Some(token));
    req = match e.body {
        Body::None => req,
        Body::Json(t) => req.json(&serde_json::from_str::<Value>(&f.fill(t)).unwrap()),
        Body::Png => req.body(PNG.to_vec()),
    };
    send(req).await
}

fn permissions_of(role: &str) -> PermissionSet {
    match BuiltinRole::from_key(role) {
        Some(r) => r.permission_set(),
        None if role == API_KEY => PermissionSet::from_iter(KEY_PERMISSIONS.iter().map(|s| s.to_string())),
        None => PermissionSet::from_iter(CUSTOM_PERMISSIONS.iter().map(|s| s.to_string())),
    }
}

fn expected_allowed(role: &str, need: Need) -> bool {
    match need {
        Need::Permission(p) => permissions_of(role).has(p),
        Need::NotOwner => role != "owner" && role != API_KEY,
        Need::Member => true,
    }
}

#[tokio::test]
async fn every_role_times_every_endpoint() {
    // Three orgs per caller, from one boss.
    let app = TestApp::start_with(orgdesk_server::Limits { orgs_per_user_per_day: 1000, ..Default::default() }).await;
    let people = people(&app).await;
    let roles = ["owner", "admin", "member", "billing", "viewer", "matrix-custom", API_KEY];
    let mut checked = 0;
    for role in roles {
        let actor = match role {
            "owner" | API_KEY => None,
            _ => Some(app.user(&format!("actor-{role}@example.com"), role).await),
        };
        let main = fixture(&app, &people, role, actor.as_ref(), &format!("Matrix {role}")).await;
        for e in endpoints() {
            let f = if e.own_org {
                fixture(&app, &people, role, actor.as_ref(), &format!("Matrix {role} {}", e.path.len())).await
            } else {
                Fixture {
                    org: main.org.clone(),
                    actor: main.actor.clone(),
                    values: main.values.clone(),
                    key: main.key.clone(),
                }
            };
            let token = if role == API_KEY { &f.key } else { &f.actor.token };
            let r = call(&app, &f, token, &e).await;
            let allowed = expected_allowed(role, e.need);
            let what = format!("{role} {} {}", e.method, e.path);
            if allowed {
                assert!(r.status.is_success(), "{what} must be allowed, got {}: {}", r.status, r.text);
            } else if e.need == Need::NotOwner && role != API_KEY {
                r.assert_problem(409, "owner_protected");
            } else {
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{what} must be denied: {}", r.text);
                assert_eq!(r.body["code"], "forbidden", "{what}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, roles.len() * endpoints().len());
}

#[tokio::test]
async fn another_tenants_ids_find_nothing() {
    let app = TestApp::start_with(orgdesk_server::Limits { orgs_per_user_per_day: 1000, ..Default::default() }).await;
    let people = people(&app).await;
    let victim = fixture(&app, &people, "owner", None, "Victim Corp").await;
    let before = app.get(&people.boss.token, &format!("/v1/orgs/{}", victim.org.id)).await.body;

    let attacker = app.user("mallory@example.com", "Mallory").await;
    let home = app.org(&attacker, "Mallory Inc").await;
    let r = app
        .post(
            &attacker.token,
            &format!("/v1/orgs/{}/api-keys", home.id),
            json!({"name": "mallory", "permissions": orgdesk_core::BuiltinRole::Admin.permission_set().to_vec()}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let attacker_key = r.body["secret"].as_str().unwrap().to_owned();
    let home_fixture = Fixture {
        org: home.clone(),
        actor: attacker.clone(),
        values: victim.values.clone(),
        key: attacker_key.clone(),
    };
    let secrets = ["Victim Corp", "t1@example.com", "pending-victim-corp", victim.org.slug.as_str()];
    let mut checked = 0;
    for e in endpoints() {
        // The victim's org, by id and by slug.
        for org_ref in [&victim.org.id, &victim.org.slug] {
            let f = Fixture {
                org: Org { id: org_ref.clone(), slug: victim.org.slug.clone() },
                actor: attacker.clone(),
                values: victim.values.clone(),
                key: attacker_key.clone(),
            };
            // As a person and with the attacker's org's API key.
            for token in [&attacker.token, &attacker_key] {
                let r = call(&app, &f, token, &e).await;
                r.assert_problem(404, "not_found");
                checked += 1;
            }
        }
        // The attacker's own org with the victim's member, invitation and role ids.
        if e.path.contains("{member}")
            || e.path.contains("{removable}")
            || e.path.contains("{invitation}")
            || e.path.contains("{revocable}")
            || e.path.contains("{api_key}")
            || e.path.contains("{webhook}")
            || e.path.contains("{team}")
            || e.path.contains("_rel}")
        {
            for token in [&attacker.token, &attacker_key] {
                let r = call(&app, &home_fixture, token, &e).await;
                if token == &attacker_key && e.path.contains("_rel}") && r.status == StatusCode::FORBIDDEN {
                    // Relationships are changed by people: a key is refused before any lookup.
                    r.assert_problem(403, "forbidden");
                } else {
                    r.assert_problem(404, "not_found");
                }
                for s in secrets {
                    assert!(!r.text.contains(s), "{} {} leaks {s}", e.method, e.path);
                }
                checked += 1;
            }
        }
    }
    // A bulk change in the attacker's own org naming the victim's members: each is unknown there.
    let victim_member = victim.values.iter().find(|(k, _)| *k == "{member}").unwrap().1.clone();
    for change in [json!({"kind": "remove"}), json!({"kind": "role", "role": "viewer"})] {
        let r = app
            .post(
                &attacker.token,
                &format!("/v1/orgs/{}/members/bulk", home.id),
                json!({"user_ids": [victim_member], "change": change}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["results"][0]["code"], "not_found", "{}", r.text);
        for s in secrets {
            assert!(!r.text.contains(s), "the bulk answer leaks {s}");
        }
    }
    assert!(checked >= endpoints().len() * 4 + 10);
    let after = app.get(&people.boss.token, &format!("/v1/orgs/{}", victim.org.id)).await.body;
    assert_eq!(before, after, "the victim's org is unchanged");
    let pending = app.get(&people.boss.token, &format!("/v1/orgs/{}/invitations", victim.org.id)).await;
    assert_eq!(pending.body["items"].as_array().unwrap().len(), 2);
    let members = app.get(&people.boss.token, &format!("/v1/orgs/{}/members", victim.org.id)).await;
    assert_eq!(members.body["items"].as_array().unwrap().len(), 4);
}

/// What a delegated caller holding `role` may do: the role's permissions
/// without what a relationship never grants.
fn delegated_allowed(role: &str, need: Need) -> bool {
    match need {
        Need::Permission(p) => permissions_of(role).has(p) && !orgdesk_server::access::NEVER_DELEGATED.contains(&p),
        // Leaving is for members; a delegated person is none.
        Need::NotOwner => false,
        Need::Member => true,
    }
}

/// The delegated caller, once per relationship role (built-in and custom):
/// a partner's support person whose team holds that role in the customer
/// org, × every org-scoped endpoint.
#[tokio::test]
async fn every_delegated_role_times_every_endpoint() {
    let app = TestApp::start_with(orgdesk_server::Limits { orgs_per_user_per_day: 1000, ..Default::default() }).await;
    let people = people(&app).await;
    let partner_boss = app.user("partner-boss@example.com", "Partner Boss").await;
    let partner = app.org(&partner_boss, "Matrix Partner").await;
    let roles = ["admin", "member", "billing", "viewer", "matrix-custom"];
    let mut checked = 0;
    for role in roles {
        let f = fixture(&app, &people, "owner", None, &format!("Delegated {role}")).await;
        let agent = app.user(&format!("agent-{role}@example.com"), &format!("Agent {role}")).await;
        app.join(&partner_boss, &partner, &agent, "member").await;
        let team = crate::partners::team(&app, &partner_boss, &partner, &format!("Team {role}")).await;
        crate::partners::add_to_team(&app, &partner_boss, &partner, &team, &agent).await;
        let rel = crate::partners::relate(&app, &partner_boss, &partner, &f.org, &people.boss, &[role]).await;
        let r = crate::partners::assign(&app, &partner_boss, &partner, &rel, &[(&team, role)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        for e in endpoints() {
            let r = call(&app, &f, &agent.token, &e).await;
            let what = format!("delegated {role} {} {}", e.method, e.path);
            if delegated_allowed(role, e.need) {
                assert!(r.status.is_success(), "{what} must be allowed, got {}: {}", r.status, r.text);
            } else {
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{what} must be denied: {}", r.text);
                assert_eq!(r.body["code"], "forbidden", "{what}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, roles.len() * endpoints().len());
}

/// The cross-tenant suite for partners: people of a partner without a live
/// delegation, and a customer's admin at the partner's org, find nothing on
/// any endpoint, by id or slug; the customer's org is unchanged.
#[tokio::test]
async fn partner_people_without_a_live_delegation_find_nothing() {
    use crate::partners::{add_to_team, assign, relate, team};
    let app = TestApp::start_with(orgdesk_server::Limits { orgs_per_user_per_day: 1000, ..Default::default() }).await;
    let people = people(&app).await;
    let victim = fixture(&app, &people, "owner", None, "Customer Corp").await;
    let boss = &people.boss;
    let before = app.get(&boss.token, &format!("/v1/orgs/{}", victim.org.id)).await.body;

    // Partner P holds "admin" in the victim through team T.
    let p_boss = app.user("p-boss@example.com", "P Boss").await;
    let partner = app.org(&p_boss, "Partner P").await;
    let p_admin = app.user("p-admin@example.com", "P Admin").await;
    app.join(&p_boss, &partner, &p_admin, "admin").await;
    let bystander = app.user("p-bystander@example.com", "P Bystander").await;
    app.join(&p_boss, &partner, &bystander, "member").await;
    let removed = app.user("p-removed@example.com", "P Removed").await;
    app.join(&p_boss, &partner, &removed, "member").await;
    let t = team(&app, &p_boss, &partner, "Support").await;
    add_to_team(&app, &p_boss, &partner, &t, &removed).await;
    let rel = relate(&app, &p_boss, &partner, &victim.org, boss, &["admin"]).await;
    assign(&app, &p_boss, &partner, &rel, &[(&t, "admin")]).await;
    assert_eq!(app.get(&removed.token, &format!("/v1/orgs/{}/members", victim.org.id)).await.status, StatusCode::OK);
    let r = app.delete(&p_boss.token, &format!("/v1/orgs/{}/teams/{t}/members/{}", partner.id, removed.id)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);

    // Partner Q's support holds "admin" in another customer, not the victim.
    let q_boss = app.user("q-boss@example.com", "Q Boss").await;
    let q = app.org(&q_boss, "Partner Q").await;
    let q_agent = app.user("q-agent@example.com", "Q Agent").await;
    app.join(&q_boss, &q, &q_agent, "member").await;
    let qt = team(&app, &q_boss, &q, "Support").await;
    add_to_team(&app, &q_boss, &q, &qt, &q_agent).await;
    let other_owner = app.user("other-customer@example.com", "Other Customer").await;
    let other = app.org(&other_owner, "Other Customer").await;
    let q_rel = relate(&app, &q_boss, &q, &other, &other_owner, &["admin"]).await;
    assign(&app, &q_boss, &q, &q_rel, &[(&qt, "admin")]).await;

    // Partners R and S held "admin" in the victim: R's relationship ended, S's expired.
    let mut lapsed = Vec::new();
    for (name, how) in [("r", "ended"), ("s", "expired")] {
        let b = app.user(&format!("{name}-boss@example.com"), &format!("{name} Boss")).await;
        let org = app.org(&b, &format!("Partner {name}")).await;
        let agent = app.user(&format!("{name}-agent@example.com"), &format!("{name} Agent")).await;
        app.join(&b, &org, &agent, "member").await;
        let tt = team(&app, &b, &org, "Support").await;
        add_to_team(&app, &b, &org, &tt, &agent).await;
        let id = relate(&app, &b, &org, &victim.org, boss, &["admin"]).await;
        assign(&app, &b, &org, &id, &[(&tt, "admin")]).await;
        assert_eq!(app.get(&agent.token, &format!("/v1/orgs/{}/members", victim.org.id)).await.status, StatusCode::OK);
        if how == "ended" {
            let r =
                app.post(&boss.token, &format!("/v1/orgs/{}/partner-access/{id}/end", victim.org.id), json!({})).await;
            assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
        } else {
            app.sql("UPDATE partner_relationships SET ends_at = 1000 WHERE id = $1", &[&id]).await;
        }
        lapsed.push((how, agent));
    }

    let mut callers: Vec<(&str, &User)> = vec![
        ("a partner member in no assigned team", &bystander),
        ("a person removed from the partner team", &removed),
        ("the partner's admin, in no assigned team", &p_admin),
        ("another partner's support person", &q_agent),
    ];
    for (how, agent) in &lapsed {
        callers.push((
            if *how == "ended" { "a person of an ended relationship" } else { "a person of an expired relationship" },
            agent,
        ));
    }
    let mut checked = 0;
    for (who, caller) in &callers {
        for e in endpoints() {
            for org_ref in [&victim.org.id, &victim.org.slug] {
                let f = Fixture {
                    org: Org { id: org_ref.clone(), slug: victim.org.slug.clone() },
                    actor: (*caller).clone(),
                    values: victim.values.clone(),
                    key: String::new(),
                };
                let r = call(&app, &f, &caller.token, &e).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}: {} {}: {}", e.method, e.path, r.text);
                assert_eq!(r.body["code"], "not_found", "{who}: {} {}", e.method, e.path);
                checked += 1;
            }
        }
    }
    // The customer's owner (an admin of the customer) at the partner's org.
    for e in endpoints() {
        let f =
            Fixture { org: partner.clone(), actor: boss.clone(), values: victim.values.clone(), key: String::new() };
        let r = call(&app, &f, &boss.token, &e).await;
        r.assert_problem(404, "not_found");
        checked += 1;
    }
    assert_eq!(checked, (callers.len() * 2 + 1) * endpoints().len());
    let after = app.get(&boss.token, &format!("/v1/orgs/{}", victim.org.id)).await.body;
    assert_eq!(before, after, "the customer's org is unchanged");
    let members = app.get(&boss.token, &format!("/v1/orgs/{}/members", victim.org.id)).await;
    assert_eq!(members.body["items"].as_array().unwrap().len(), 4);
}
