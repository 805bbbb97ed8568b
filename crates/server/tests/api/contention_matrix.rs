//! The contention matrix, generated like the authorization matrix: every
//! write operation of the OpenAPI document, sent N times at once with the
//! same request, and then every org-scoped write at once against one org,
//! one member and one invitation. Each answer must be one the document lists
//! for its operation, never 5xx; afterwards the invariants hold: one owner
//! per org, one pending invitation per address, and audit events equal to
//! the changes that succeeded. A write operation added to the API without a
//! scenario here fails `every_write_operation_has_a_scenario`.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::{send, Org, Reply, TestApp, User, PASSWORD, PNG};

const N: usize = 6;

/// What N identical requests must come to.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Exactly one succeeds; the others get a documented 4xx.
    Once,
    /// Every one succeeds (the operation is idempotent or repeatable).
    All,
    /// Any documented mix (the first may end what the others need).
    Any,
}

/// The arranged world one scenario runs in.
struct World {
    app: Arc<TestApp>,
    owner: User,
    admin: User,
    member: User,
    /// Verified, invited to `org` by `invitation_for_invitee`.
    invitee: User,
    unverified: User,
    org: Org,
    /// A pending invitation to an address without an account.
    invitation: String,
    invitation_token: String,
    /// The pending invitation of `invitee`, and its token.
    invitee_invitation: String,
    invitee_token: String,
    verify_token: String,
    other_session: String,
    /// A reset link of `admin`.
    reset_token: String,
    /// A link moving `admin` to another address.
    email_change_token: String,
    /// A one-time sign-in code of `member` (its verifier is [`OIDC_VERIFIER`]).
    oidc_code: String,
    /// The id of an API key of `org`.
    api_key: String,
    /// Two webhook endpoints of `org` (the second to delete) and a delivery of the first.
    webhook: String,
    doomed_webhook: String,
    delivery: String,
    /// Two teams of `org` (the first has `member` in it and holds the
    /// customer relationship's role), and the second to delete.
    team: String,
    doomed_team: String,
    /// `org` as a partner: an active relationship with a customer, an org
    /// to ask, and a created workspace waiting for its hand-off.
    customer_relationship: String,
    prospect: String,
    workspace_relationship: String,
    /// `org` as a customer: a requested relationship (accepted by id), one
    /// requested by link (its token), and an active one.
    requested: String,
    request_token: String,
    active: String,
}

const OIDC_VERIFIER: &str = "contention-matrix-verifier-0123456789-abcdefghij";

async fn world() -> World {
    // A sign-in provider whose discovery is preset: starting flows needs no
    // provider process (tests/api/oidc.rs runs the real one).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let corp = orgdesk_server::oidc::ProviderConfig::parse(
        "id=corp,issuer=http://127.0.0.1:9,client-id=orgdesk-test,client-secret=s,name=Corp",
    )
    .unwrap();
    let app = Arc::new(TestApp::start_on(listener, vec![corp]).await);
    let discovery = serde_json::from_value(json!({
        "issuer": "http://127.0.0.1:9", "authorization_endpoint": "http://127.0.0.1:9/auth",
        "token_endpoint": "http://127.0.0.1:9/token", "jwks_uri": "http://127.0.0.1:9/jwks",
    }))
    .unwrap();
    app.state.oidc.preset_discovery("corp", discovery).await.unwrap();
    let owner = app.user("owner@example.com", "Owner").await;
    let org = app.org(&owner, "Contested").await;
    let admin = app.user("admin@example.com", "Admin").await;
    app.join(&owner, &org, &admin, "admin").await;
    let member = app.user("member@example.com", "Member").await;
    app.join(&owner, &org, &member, "member").await;
    for (key, perms) in [("spare", vec!["org:read"]), ("doomed", vec!["org:read"])] {
        let r = app
            .post(
                &owner.token,
                &format!("/v1/orgs/{}/roles", org.id),
                json!({"key": key, "name": key, "permissions": perms}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let r = app
        .post(
            &owner.token,
            &format!("/v1/orgs/{}/api-keys", org.id),
            json!({"name": "doomed", "permissions": ["org:read"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let api_key = r.body["id"].as_str().unwrap().to_owned();
    let hooks = format!("/v1/orgs/{}/webhooks", org.id);
    let mut webhook_ids = Vec::new();
    for name in ["kept", "doomed"] {
        let body = json!({"url": format!("http://127.0.0.1:9/{name}"), "event_types": ["*"]});
        let r = app.post(&owner.token, &hooks, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        webhook_ids.push(r.body["id"].as_str().unwrap().to_owned());
    }
    let r = app.post(&owner.token, &format!("{hooks}/{}/test", webhook_ids[0]), json!({})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let delivery = r.body["id"].as_str().unwrap().to_owned();
    let (webhook, doomed_webhook) = (webhook_ids[0].clone(), webhook_ids[1].clone());
    let invitation = app.invite(&owner, &org, "newcomer@example.com", "member").await;
    let invitation_token = app.token_from_outbox("newcomer@example.com", "/invite/").await;
    let invitee = app.user("invitee@example.com", "Invitee").await;
    let invitee_invitation = app.invite(&owner, &org, &invitee.email, "viewer").await;
    let invitee_token = app.token_from_outbox(&invitee.email, "/invite/").await;
    let unverified = app.unverified_user("unverified@example.com", "Unverified").await;
    let verify_token = app.token_from_outbox(&unverified.email, "/verify/").await;
    let second = app
        .call(Method::POST, "/v1/auth/signin", None, Some(json!({"email": owner.email, "password": PASSWORD})))
        .await;
    let sessions = app.get(second.body["token"].as_str().unwrap(), "/v1/me/sessions").await;
    let r = app.call(Method::POST, "/v1/auth/password-reset", None, Some(json!({"email": admin.email}))).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let reset_token = app.token_from_outbox(&admin.email, "/reset/").await;
    let r =
        app.post(&admin.token, "/v1/me/email", json!({"email": "admin.new@example.com", "password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let email_change_token = app.token_from_outbox("admin.new@example.com", "/email-change/").await;
    let other_session = sessions.body.as_array().unwrap().iter().find(|s| s["current"] == true).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A one-time code as the provider's callback leaves it, for the member.
    let oidc_code = format!("odc_{}", uuid::Uuid::new_v4().simple());
    let now = orgdesk_server::time::now_ms();
    let code = orgdesk_server::store::oidc::NewCode {
        code_hash: &orgdesk_server::auth::hash_token(&oidc_code),
        user_id: &member.id,
        provider: "corp",
        app_challenge: &orgdesk_server::oidc::challenge_of(OIDC_VERIFIER),
        created_at: now,
        expires_at: now + 60_000,
    };
    orgdesk_server::store::oidc::insert_code(&app.state.db.pool, &code).await.unwrap();
    let team = crate::partners::team(&app, &owner, &org, "Kept team").await;
    crate::partners::add_to_team(&app, &owner, &org, &team, &member).await;
    let doomed_team = crate::partners::team(&app, &owner, &org, "Doomed team").await;
    let client = app.org(&owner, "Client").await;
    let customer_relationship = crate::partners::relate(&app, &owner, &org, &client, &owner, &["member"]).await;
    let r = crate::partners::assign(&app, &owner, &org, &customer_relationship, &[(&team, "member")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let prospect = app.org(&owner, "Prospect").await.slug;
    let r = app
        .post(
            &owner.token,
            &format!("/v1/orgs/{}/customer-workspaces", org.id),
            json!({"name": "Workspace", "roles": ["admin"], "ends_at": crate::partners::days_ahead(30),
                   "owner_email": "heir@example.com"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let workspace_relationship = r.body["relationship"]["id"].as_str().unwrap().to_owned();
    let mut partner_sides = Vec::new();
    for name in ["Partner One", "Partner Two", "Partner Three"] {
        let partner = app.org(&admin, name).await;
        let r = app
            .post(
                &admin.token,
                &format!("/v1/orgs/{}/customers", partner.id),
                json!({"customer": org.slug, "roles": ["viewer"], "ends_at": crate::partners::days_ahead(30)}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        partner_sides.push(r.body["id"].as_str().unwrap().to_owned());
    }
    let request_token = app.token_from_outbox(&owner.email, "/partner-requests/").await;
    let r = app
        .post(&owner.token, &format!("/v1/orgs/{}/partner-access/{}/accept", org.id, partner_sides[0]), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let active = partner_sides[0].clone();
    let requested = partner_sides[1].clone();
    World {
        team,
        doomed_team,
        customer_relationship,
        prospect,
        workspace_relationship,
        requested,
        request_token,
        active,
        api_key,
        webhook,
        doomed_webhook,
        delivery,
        oidc_code,
        app,
        owner,
        admin,
        member,
        invitee,
        unverified,
        org,
        invitation,
        invitation_token,
        invitee_invitation,
        invitee_token,
        verify_token,
        other_session,
        reset_token,
        email_change_token,
    }
}

#[derive(Clone)]
enum Body {
    None,
    Json(Value),
    Png,
}

#[derive(Clone)]
struct Request {
    method: Method,
    path: String,
    token: Option<String>,
    body: Body,
}

fn req(method: Method, path: String, token: Option<&User>, body: Body) -> Request {
    Request { method, path, token: token.map(|u| u.token.clone()), body }
}

/// The operation (as the OpenAPI document names it), the request, what N
/// copies must come to, and whether each success writes one audit event in
/// the world's org.
struct Scenario {
    operation: (&'static str, &'static str),
    request: Request,
    expect: Expect,
    audited: bool,
}

fn scenarios(w: &World) -> Vec<Scenario> {
    use Expect::*;
    let o = &w.org.id;
    let s = |operation, request, expect, audited| Scenario { operation, request, expect, audited };
    vec![
        s(
            ("post", "/v1/auth/resend-verification"),
            req(Method::POST, "/v1/auth/resend-verification".into(), Some(&w.unverified), Body::None),
            All,
            false,
        ),
        s(
            ("post", "/v1/auth/signin"),
            req(
                Method::POST,
                "/v1/auth/signin".into(),
                None,
                Body::Json(json!({"email": w.member.email, "password": PASSWORD})),
            ),
            All,
            false,
        ),
        s(
            ("post", "/v1/auth/signout"),
            req(Method::POST, "/v1/auth/signout".into(), Some(&w.member), Body::None),
            Any,
            false,
        ),
        s(
            ("post", "/v1/auth/signup"),
            req(
                Method::POST,
                "/v1/auth/signup".into(),
                None,
                Body::Json(json!({"email": "twin@example.com", "name": "Twin", "password": PASSWORD})),
            ),
            Once,
            false,
        ),
        s(
            ("post", "/v1/auth/password-reset"),
            req(Method::POST, "/v1/auth/password-reset".into(), None, Body::Json(json!({"email": w.member.email}))),
            Any,
            false,
        ),
        s(
            ("post", "/v1/auth/password-reset/confirm"),
            req(
                Method::POST,
                "/v1/auth/password-reset/confirm".into(),
                None,
                Body::Json(json!({"token": w.reset_token, "password": "another passphrase"})),
            ),
            Once,
            false,
        ),
        s(
            ("post", "/v1/me/email"),
            req(
                Method::POST,
                "/v1/me/email".into(),
                Some(&w.member),
                Body::Json(json!({"email": "moved@example.com", "password": PASSWORD})),
            ),
            All,
            false,
        ),
        s(
            ("post", "/v1/auth/email-change/confirm"),
            req(
                Method::POST,
                "/v1/auth/email-change/confirm".into(),
                None,
                Body::Json(json!({"token": w.email_change_token})),
            ),
            Once,
            false,
        ),
        s(
            ("post", "/v1/auth/oidc/{provider}/flows"),
            req(
                Method::POST,
                "/v1/auth/oidc/corp/flows".into(),
                None,
                Body::Json(json!({
                    "redirect_uri": "orgdesk://auth/callback",
                    "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                    "invitation": w.invitation_token,
                })),
            ),
            All,
            false,
        ),
        s(
            ("post", "/v1/auth/oidc/token"),
            req(
                Method::POST,
                "/v1/auth/oidc/token".into(),
                None,
                Body::Json(json!({"code": w.oidc_code, "code_verifier": OIDC_VERIFIER})),
            ),
            Once,
            false,
        ),
        s(
            ("post", "/v1/auth/verify-email"),
            req(Method::POST, "/v1/auth/verify-email".into(), None, Body::Json(json!({"token": w.verify_token}))),
            All,
            false,
        ),
        s(
            ("post", "/v1/invitations/{token}/accept"),
            req(Method::POST, format!("/v1/invitations/{}/accept", w.invitee_token), Some(&w.invitee), Body::None),
            Once,
            true,
        ),
        s(
            ("post", "/v1/invitations/{token}/decline"),
            req(Method::POST, format!("/v1/invitations/{}/decline", w.invitation_token), None, Body::None),
            Once,
            true,
        ),
        s(
            ("post", "/v1/invitations/{token}/signup"),
            req(
                Method::POST,
                format!("/v1/invitations/{}/signup", w.invitation_token),
                None,
                Body::Json(json!({"name": "Newcomer", "password": PASSWORD})),
            ),
            Once,
            true,
        ),
        s(
            ("patch", "/v1/me"),
            req(Method::PATCH, "/v1/me".into(), Some(&w.member), Body::Json(json!({"name": "Renamed"}))),
            All,
            false,
        ),
        s(
            ("post", "/v1/me/invitations/{id}/accept"),
            req(
                Method::POST,
                format!("/v1/me/invitations/{}/accept", w.invitee_invitation),
                Some(&w.invitee),
                Body::None,
            ),
            Once,
            true,
        ),
        s(
            ("post", "/v1/me/invitations/{id}/decline"),
            req(
                Method::POST,
                format!("/v1/me/invitations/{}/decline", w.invitee_invitation),
                Some(&w.invitee),
                Body::None,
            ),
            Once,
            true,
        ),
        s(
            ("post", "/v1/me/people/remove"),
            req(
                Method::POST,
                "/v1/me/people/remove".into(),
                Some(&w.owner),
                Body::Json(json!({"email": w.member.email, "org_ids": [o]})),
            ),
            All,
            false,
        ),
        s(
            ("delete", "/v1/me/sessions/{id}"),
            req(Method::DELETE, format!("/v1/me/sessions/{}", w.other_session), Some(&w.owner), Body::None),
            Any,
            false,
        ),
        s(
            ("post", "/v1/orgs"),
            req(Method::POST, "/v1/orgs".into(), Some(&w.owner), Body::Json(json!({"name": "Same Name"}))),
            All,
            false,
        ),
        s(
            ("patch", "/v1/orgs/{org}"),
            req(
                Method::PATCH,
                format!("/v1/orgs/{o}"),
                Some(&w.owner),
                Body::Json(json!({"timezone": "Europe/Paris"})),
            ),
            All,
            false,
        ),
        s(
            ("delete", "/v1/orgs/{org}"),
            req(
                Method::DELETE,
                format!("/v1/orgs/{o}"),
                Some(&w.owner),
                Body::Json(json!({"confirm_slug": w.org.slug})),
            ),
            Once,
            true,
        ),
        s(
            ("post", "/v1/orgs/{org}/invitations"),
            req(
                Method::POST,
                format!("/v1/orgs/{o}/invitations"),
                Some(&w.owner),
                Body::Json(json!({"emails": ["fresh@example.com"], "role": "member"})),
            ),
            All,
            false,
        ),
        s(
            ("delete", "/v1/orgs/{org}/invitations/{id}"),
            req(Method::DELETE, format!("/v1/orgs/{o}/invitations/{}", w.invitation), Some(&w.owner), Body::None),
            Once,
            true,
        ),
        s(
            ("post", "/v1/orgs/{org}/invitations/{id}/resend"),
            req(Method::POST, format!("/v1/orgs/{o}/invitations/{}/resend", w.invitation), Some(&w.owner), Body::None),
            All,
            true,
        ),
        s(
            ("post", "/v1/orgs/{org}/leave"),
            req(Method::POST, format!("/v1/orgs/{o}/leave"), Some(&w.member), Body::None),
            Once,
            true,
        ),
        s(
            ("put", "/v1/orgs/{org}/logo"),
            req(Method::PUT, format!("/v1/orgs/{o}/logo"), Some(&w.owner), Body::Png),
            All,
            true,
        ),
        s(
            ("delete", "/v1/orgs/{org}/logo"),
            req(Method::DELETE, format!("/v1/orgs/{o}/logo"), Some(&w.owner), Body::None),
            All,
            true,
        ),
        s(
            ("patch", "/v1/orgs/{org}/members/{user_id}"),
            req(
                Method::PATCH,
                format!("/v1/orgs/{o}/members/{}", w.member.id),
                Some(&w.owner),
                Body::Json(json!({"role": "viewer"})),
            ),
            All,
            false,
        ),
        s(
            ("post", "/v1/orgs/{org}/members/bulk"),
            req(
                Method::POST,
                format!("/v1/orgs/{o}/members/bulk"),
                Some(&w.owner),
                Body::Json(json!({"user_ids": [w.member.id, w.admin.id], "change": {"kind": "role", "role": "spare"}})),
            ),
            All,
            false,
        ),
        s(
            ("delete", "/v1/orgs/{org}/members/{user_id}"),
            req(Method::DELETE, format!("/v1/orgs/{o}/members/{}", w.member.id), Some(&w.owner), Body::None),
            Once,
            true,
        ),
        s(
            ("post", "/v1/orgs/{org}/roles"),
            req(
                Method::POST,
                format!("/v1/orgs/{o}/roles"),
                Some(&w.owner),
                Body::Json(json!({"key": "twin-role", "name": "Twin", "permissions": ["org:read"]})),
            ),
            Once,
            true,
        ),
        s(
            ("patch", "/v1/orgs/{org}/roles/{key}"),
            req(
                Method::PATCH,
                format!("/v1/orgs/{o}/roles/spare"),
                Some(&w.owner),
                Body::Json(json!({"name": "Spare two"})),
            ),
            All,
            true,
        ),
        s(
            ("post", "/v1/orgs/{org}/api-keys"),
            req(
                Method::POST,
                format!("/v1/orgs/{o}/api-keys"),
                Some(&w.admin),
                Body::Json(json!({"name": "Same name", "permissions": ["members:read"]})),
            ),
            All,
            true,
        ),
        // Revoking is idempotent: every copy answers 204, one writes the event.
        s(
            ("delete", "/v1/orgs/{org}/api-keys/{id}"),
            req(Method::DELETE, format!("/v1/orgs/{o}/api-keys/{}", w.api_key), Some(&w.owner), Body::None),
            All,
            false,
        ),
        s(
            ("post", "/v1/orgs/{org}/webhooks"),
            req(
                Method::POST,
                format!("/v1/orgs/{o}/webhooks"),
                Some(&w.admin),
                Body::Json(json!({"url": "http://127.0.0.1:9/same", "event_types": ["member.added"]})),
            ),
            All,
            true,
        ),
        s(
            ("patch", "/v1/orgs/{org}/webhooks/{id}"),
            req(
                Method::PATCH,
                format!("/v1/orgs/{o}/webhooks/{}", w.webhook),
                Some(&w.admin),
                Body::Json(json!({"description": "Same", "enabled": false})),
            ),
            All,
            true,
        ),
        s(
            ("delete", "/v1/orgs/{org}/webhooks/{id}"),
            req(Method::DELETE, format!("/v1/orgs/{o}/webhooks/{}", w.doomed_webhook), Some(&w.owner), Body::None),
            Once,
            true,
        ),
        s(
            ("post", "/v1/orgs/{org}/webhooks/{id}/rotate-secret"),
            req(
                Method::POST,
                format!("/v1/orgs/{o}/webhooks/{}/rotate-secret", w.webhook),
                Some(&w.owner),
                Body::Json(json!({"overlap_hours": 1})),
            ),
            All,
            true,
        ),
        // Test events and replays queue deliveries, not changes: no audit event.
        s(
            ("post", "/v1/orgs/{org}/webhooks/{id}/test"),
            req(Method::POST, format!("/v1/orgs/{o}/webhooks/{}/test", w.webhook), Some(&w.owner), Body::None),
            All,
            false,
        ),
        s(
            ("post", "/v1/orgs/{org}/webhooks/{id}/deliveries/{delivery_id}/replay"),
            req(
                Method::POST,
                format!("/v1/orgs/{o}/webhooks/{}/deliveries/{}/replay", w.webhook, w.delivery),
                Some(&w.owner),
                Body::None,
            ),
            All,
            false,
        ),
        s(
            ("delete", "/v1/orgs/{org}/roles/{key}"),
            req(Method::DELETE, format!("/v1/orgs/{o}/roles/doomed"), Some(&w.owner), Body::None),
            Once,
            true,
        ),
        s(
            ("post", "/v1/orgs/{org}/teams"),
            req(Method::POST, format!("/v1/orgs/{o}/teams"), Some(&w.admin), Body::Json(json!({"name": "Same team"}))),
            Once,
            true,
        ),
        s(
            ("patch", "/v1/orgs/{org}/teams/{team_id}"),
            req(
                Method::PATCH,
                format!("/v1/orgs/{o}/teams/{}", w.team),
                Some(&w.admin),
                Body::Json(json!({"name": "Renamed team"})),
            ),
            All,
            false,
        ),
        s(
            ("delete", "/v1/orgs/{org}/teams/{team_id}"),
            req(Method::DELETE, format!("/v1/orgs/{o}/teams/{}", w.doomed_team), Some(&w.admin), Body::None),
            Once,
            true,
        ),
        s(
            ("put", "/v1/orgs/{org}/teams/{team_id}/members/{user_id}"),
            req(
                Method::PUT,
                format!("/v1/orgs/{o}/teams/{}/members/{}", w.team, w.admin.id),
                Some(&w.owner),
                Body::None,
            ),
            All,
            false,
        ),
        s(
            ("delete", "/v1/orgs/{org}/teams/{team_id}/members/{user_id}"),
            req(
                Method::DELETE,
                format!("/v1/orgs/{o}/teams/{}/members/{}", w.team, w.member.id),
                Some(&w.owner),
                Body::None,
            ),
            Once,
            true,
        ),
        s(
            ("post", "/v1/orgs/{org}/customers"),
            req(
                Method::POST,
                format!("/v1/orgs/{o}/customers"),
                Some(&w.owner),
                Body::Json(
                    json!({"customer": w.prospect, "roles": ["viewer"], "ends_at": crate::partners::days_ahead(30)}),
                ),
            ),
            Once,
            true,
        ),
        s(
            ("post", "/v1/orgs/{org}/customer-workspaces"),
            req(
                Method::POST,
                format!("/v1/orgs/{o}/customer-workspaces"),
                Some(&w.owner),
                Body::Json(json!({"name": "Same Workspace", "roles": ["admin"],
                                  "ends_at": crate::partners::days_ahead(30), "owner_email": "boss@example.com"})),
            ),
            All,
            true,
        ),
        s(
            ("post", "/v1/orgs/{org}/customers/{relationship_id}/renewal-request"),
            req(
                Method::POST,
                format!("/v1/orgs/{o}/customers/{}/renewal-request", w.customer_relationship),
                Some(&w.owner),
                Body::None,
            ),
            // One reminder a day per relationship: the others are 429.
            Once,
            true,
        ),
        s(
            ("post", "/v1/orgs/{org}/customers/{relationship_id}/end"),
            req(
                Method::POST,
                format!("/v1/orgs/{o}/customers/{}/end", w.customer_relationship),
                Some(&w.owner),
                Body::None,
            ),
            Once,
            true,
        ),
        s(
            ("put", "/v1/orgs/{org}/customers/{relationship_id}/assignments"),
            req(
                Method::PUT,
                format!("/v1/orgs/{o}/customers/{}/assignments", w.customer_relationship),
                Some(&w.owner),
                Body::Json(json!({"assignments": []})),
            ),
            Any,
            false,
        ),
        s(
            ("post", "/v1/orgs/{org}/customers/{relationship_id}/owner-invitation"),
            req(
                Method::POST,
                format!("/v1/orgs/{o}/customers/{}/owner-invitation", w.workspace_relationship),
                Some(&w.owner),
                Body::Json(json!({"owner_email": "other.heir@example.com"})),
            ),
            Any,
            false,
        ),
        s(
            ("post", "/v1/orgs/{org}/partner-access/{relationship_id}/accept"),
            req(
                Method::POST,
                format!("/v1/orgs/{o}/partner-access/{}/accept", w.requested),
                Some(&w.owner),
                Body::None,
            ),
            Once,
            true,
        ),
        s(
            ("post", "/v1/orgs/{org}/partner-access/{relationship_id}/end"),
            req(Method::POST, format!("/v1/orgs/{o}/partner-access/{}/end", w.active), Some(&w.owner), Body::None),
            Once,
            true,
        ),
        s(
            ("post", "/v1/orgs/{org}/partner-access/{relationship_id}/renew"),
            req(
                Method::POST,
                format!("/v1/orgs/{o}/partner-access/{}/renew", w.active),
                Some(&w.owner),
                Body::Json(json!({"ends_at": crate::partners::days_ahead(60)})),
            ),
            All,
            true,
        ),
        s(
            ("post", "/v1/partner-requests/{token}/accept"),
            req(Method::POST, format!("/v1/partner-requests/{}/accept", w.request_token), Some(&w.owner), Body::None),
            Once,
            true,
        ),
        s(
            ("post", "/v1/orgs/{org}/transfer"),
            req(
                Method::POST,
                format!("/v1/orgs/{o}/transfer"),
                Some(&w.owner),
                Body::Json(json!({"user_id": w.admin.id})),
            ),
            Once,
            true,
        ),
    ]
}

async fn fire(app: &TestApp, r: &Request) -> Reply {
    let mut b = app.request(r.method.clone(), &r.path, r.token.as_deref());
    b = match &r.body {
        Body::None => b,
        Body::Json(v) => b.json(v),
        Body::Png => b.body(PNG.to_vec()),
    };
    send(b).await
}

/// The statuses the OpenAPI document lists per (method, path).
async fn documented(app: &TestApp) -> HashMap<(String, String), BTreeSet<u16>> {
    let doc = app.call(Method::GET, "/openapi.json", None, None).await.body;
    let mut out = HashMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if let Some(responses) = op["responses"].as_object() {
                let statuses = responses.keys().filter_map(|k| k.parse().ok()).collect();
                out.insert((method.clone(), path.clone()), statuses);
            }
        }
    }
    out
}

/// The org's audit events, but the ends of its partner relationships that
/// a deletion of the org writes besides its own event (one per open
/// relationship, checked in `partners::deleting_a_partner_ends_…`).
async fn audit_count(app: &TestApp, org_id: &str) -> i64 {
    on_pool!(app, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE org_id = $1 \
         AND NOT (action = 'partner.ended' AND after_data LIKE '%org_deleted%')"
    )
    .bind(org_id)
    .fetch_one(p)
    .await)
    .unwrap()
}

async fn assert_invariants(app: &TestApp, what: &str) {
    let owners: Vec<(String, i64)> = on_pool!(app, |p| sqlx::query_as(
        "SELECT o.id, (SELECT COUNT(*) FROM memberships m WHERE m.org_id = o.id AND m.role = 'owner') FROM orgs o",
    )
    .fetch_all(p)
    .await)
    .unwrap();
    for (org, n) in owners {
        assert_eq!(n, 1, "{what}: org {org} has {n} owners");
    }
    let doubled: i64 = on_pool!(app, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT org_id, email_key FROM invitations WHERE status = 'pending' \
         GROUP BY org_id, email_key HAVING COUNT(*) > 1) d",
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(doubled, 0, "{what}: an address has two pending invitations");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_write_operation_has_a_scenario() {
    let w = world().await;
    let covered: BTreeSet<(String, String)> =
        scenarios(&w).iter().map(|s| (s.operation.0.to_owned(), s.operation.1.to_owned())).collect();
    let writes: BTreeSet<(String, String)> = documented(&w.app)
        .await
        .into_keys()
        .filter(|(m, p)| m != "get" && p.starts_with("/v1/") && !p.starts_with("/v1/dev/"))
        .collect();
    let missing: Vec<_> = writes.difference(&covered).collect();
    assert!(missing.is_empty(), "write operations without a contention scenario: {missing:?}");
    let stale: Vec<_> = covered.difference(&writes).collect();
    assert!(stale.is_empty(), "scenarios for operations the API no longer has: {stale:?}");
}

/// N identical requests per write operation, each in a world of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn n_identical_requests_per_write_operation() {
    let count = scenarios(&world().await).len();
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for i in 0..count {
        let w = world().await;
        let docs = documented(&w.app).await;
        let scenario = scenarios(&w).swap_remove(i);
        let (method, path) = scenario.operation;
        let listed = &docs[&(method.to_owned(), path.to_owned())];
        let audit_before = audit_count(&w.app, &w.org.id).await;
        let tasks: Vec<_> = (0..N)
            .map(|_| {
                let (app, request) = (w.app.clone(), scenario.request.clone());
                tokio::spawn(async move { fire(&app, &request).await })
            })
            .collect();
        let mut replies = Vec::new();
        for t in tasks {
            replies.push(t.await.unwrap());
        }
        let what = format!("{} {path}", method.to_uppercase());
        for r in &replies {
            if r.status.is_server_error() || !listed.contains(&r.status.as_u16()) {
                failures.push(format!("{what}: {} is not a documented answer ({listed:?}): {}", r.status, r.text));
            }
        }
        let ok = replies.iter().filter(|r| r.status.is_success()).count();
        let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
        match scenario.expect {
            Expect::Once if ok != 1 => failures.push(format!("{what}: {ok} succeeded, not one: {statuses:?}")),
            Expect::All if ok != N => failures.push(format!("{what}: {ok} succeeded, not all {N}: {statuses:?}")),
            _ => {}
        }
        if scenario.audited {
            let events = audit_count(&w.app, &w.org.id).await - audit_before;
            if events != ok as i64 {
                failures.push(format!("{what}: {ok} successes wrote {events} audit events"));
            }
        }
        assert_invariants(&w.app, &what).await;
        report.push(format!("{what}: {statuses:?}"));
    }
    println!("{} operations × {N} identical requests:\n{}", count, report.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The events of changes that write one only when something changed.
async fn conditional_events(w: &World) -> i64 {
    on_pool!(w.app, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_events WHERE org_id = $1 AND action IN ('org.updated', 'member.role_changed', \
         'member.disabled', 'member.enabled', 'api_key.revoked', 'team.renamed', 'team.member_added', \
         'partner.assignments_changed')",
    )
    .bind(&w.org.id)
    .fetch_one(p)
    .await)
    .unwrap()
}

/// Every org-scoped write at once, several times over, against one org, one
/// member and one invitation: conflicting operations, not copies.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn conflicting_writes_on_one_org_member_and_invitation() {
    let w = world().await;
    let docs = documented(&w.app).await;
    let audit_before = audit_count(&w.app, &w.org.id).await;
    let conditional_before = conditional_events(&w).await;
    let mixed: Vec<Scenario> = scenarios(&w)
        .into_iter()
        .filter(|s| s.operation.1.starts_with("/v1/orgs/{org}") || s.operation.1.starts_with("/v1/me/people"))
        .filter(|s| s.operation != ("delete", "/v1/orgs/{org}"))
        .collect();
    let mut tasks = Vec::new();
    for round in 0..3 {
        for s in &mixed {
            let (app, request, op) = (w.app.clone(), s.request.clone(), s.operation);
            tasks.push(tokio::spawn(async move { (op, round, fire(&app, &request).await) }));
        }
    }
    let mut audited_successes = 0i64;
    for t in tasks {
        let ((method, path), _, r) = t.await.unwrap();
        let listed = &docs[&(method.to_owned(), path.to_owned())];
        assert!(!r.status.is_server_error(), "{method} {path}: {} {}", r.status, r.text);
        assert!(listed.contains(&r.status.as_u16()), "{method} {path}: {} undocumented: {}", r.status, r.text);
        if !r.status.is_success() {
            continue;
        }
        // The changes each success made, as audit events in this org.
        audited_successes += match (method, path) {
            ("post", "/v1/orgs/{org}/invitations") => {
                r.body["results"].as_array().unwrap().iter().filter(|x| x["outcome"] == "invited").count() as i64
            }
            ("post", "/v1/me/people/remove") => {
                r.body["results"].as_array().unwrap().iter().filter(|x| x["outcome"] == "removed").count() as i64
            }
            ("patch", "/v1/orgs/{org}" | "/v1/orgs/{org}/members/{user_id}")
            | ("post", "/v1/orgs/{org}/members/bulk")
            | ("delete", "/v1/orgs/{org}/api-keys/{id}")
            | ("patch", "/v1/orgs/{org}/teams/{team_id}")
            | ("put", "/v1/orgs/{org}/teams/{team_id}/members/{user_id}")
            | ("put", "/v1/orgs/{org}/customers/{relationship_id}/assignments") => {
                0 // counted below
            }
            // The hand-off invitation is the workspace's, not this org's.
            ("post", "/v1/orgs/{org}/customers/{relationship_id}/owner-invitation") => 0,
            (
                "post",
                "/v1/orgs/{org}/webhooks/{id}/test" | "/v1/orgs/{org}/webhooks/{id}/deliveries/{delivery_id}/replay",
            ) => {
                0 // counted below
            }
            _ => 1,
        };
    }
    // Settings and role changes write an event only when something changed:
    // count those events by action and require no more than one per success.
    let conditional: i64 = conditional_events(&w).await - conditional_before;
    let events = audit_count(&w.app, &w.org.id).await - audit_before;
    assert_eq!(events - conditional, audited_successes, "audit events equal the changes that succeeded");
    assert_invariants(&w.app, "mixed writes").await;
}
