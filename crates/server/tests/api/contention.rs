//! The reproductions under contention: N parallel identical or
//! conflicting requests answer what the API promises, never 5xx, and leave
//! the invariants whole. On PostgreSQL these race for real (READ COMMITTED,
//! several pooled connections, several replicas); on SQLite writers queue.

use std::sync::Arc;

use orgdesk_server::Limits;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::{send, Reply, TestApp, PASSWORD};

const N: usize = 6;

async fn all<F, Fut>(n: usize, f: F) -> Vec<Reply>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Reply> + Send + 'static,
{
    let tasks: Vec<_> = (0..n).map(|i| tokio::spawn(f(i))).collect();
    let mut replies = Vec::with_capacity(n);
    for t in tasks {
        replies.push(t.await.expect("the request task"));
    }
    for r in &replies {
        assert!(!r.status.is_server_error(), "no 5xx under contention: {} {}", r.status, r.text);
    }
    replies
}

async fn count(app: &TestApp, sql: &str, bind: &str) -> i64 {
    on_pool!(app, |p| sqlx::query_scalar(sql).bind(bind).fetch_one(p).await).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_invitations_of_one_address_invite_once() {
    let app = Arc::new(TestApp::start().await);
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let replies = all(N, |_| {
        let (app, token, org) = (app.clone(), ada.token.clone(), org.id.clone());
        async move {
            app.post(
                &token,
                &format!("/v1/orgs/{org}/invitations"),
                json!({"emails": ["dan@example.com"], "role": "member"}),
            )
            .await
        }
    })
    .await;
    let outcomes: Vec<&Value> = replies.iter().map(|r| &r.body["results"][0]["outcome"]).collect();
    assert!(replies.iter().all(|r| r.status == StatusCode::CREATED), "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| **o == "invited").count(), 1, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| **o == "already_invited").count(), N - 1, "{outcomes:?}");
    let pending =
        count(&app, "SELECT COUNT(*) FROM invitations WHERE org_id = $1 AND status = 'pending'", &org.id).await;
    assert_eq!(pending, 1);
    let events =
        count(&app, "SELECT COUNT(*) FROM audit_events WHERE org_id = $1 AND action = 'invitation.created'", &org.id)
            .await;
    assert_eq!(events, 1, "audit events equal successful changes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_retries_under_one_idempotency_key_run_once() {
    let app = Arc::new(TestApp::start().await);
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let body = json!({"emails": ["dan@example.com", "eve@example.com"], "role": "member"});
    let replies = all(N, |_| {
        let (app, token, org, body) = (app.clone(), ada.token.clone(), org.id.clone(), body.clone());
        async move {
            let path = format!("/v1/orgs/{org}/invitations");
            send(app.request(Method::POST, &path, Some(&token)).header("idempotency-key", "retry-1").json(&body)).await
        }
    })
    .await;
    for r in &replies {
        // Each retry waited for the first and got its answer (or, past the
        // wait, a 409 with Retry-After); none ran the work again.
        match r.status {
            StatusCode::CREATED => {
                assert_eq!(r.body["results"][0]["outcome"], "invited", "{}", r.text);
                assert_eq!(r.body["results"][1]["outcome"], "invited", "{}", r.text);
            }
            StatusCode::CONFLICT => {
                r.assert_problem(409, "idempotency_key_in_progress");
                assert!(r.header("retry-after").is_some());
            }
            other => panic!("unexpected {other}: {}", r.text),
        }
    }
    let ids: std::collections::HashSet<&Value> = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .map(|r| &r.body["results"][0]["invitation"]["id"])
        .collect();
    assert_eq!(ids.len(), 1, "every answer names the same invitation");
    let created = count(&app, "SELECT COUNT(*) FROM invitations WHERE org_id = $1", &org.id).await;
    assert_eq!(created, 2, "the work ran once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_orgs_with_one_name_all_get_a_slug() {
    let app = Arc::new(TestApp::start().await);
    let ada = app.user("ada@example.com", "Ada").await;
    let replies = all(N, |_| {
        let (app, token) = (app.clone(), ada.token.clone());
        async move { app.post(&token, "/v1/orgs", json!({"name": "Same Name"})).await }
    })
    .await;
    assert!(replies.iter().all(|r| r.status == StatusCode::CREATED), "nobody is refused a slug they never chose");
    let slugs: std::collections::HashSet<&str> = replies.iter().map(|r| r.body["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs.len(), N, "{slugs:?}");
    assert!(slugs.iter().all(|s| s.starts_with("same-name")), "{slugs:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_sign_ups_with_one_name_all_succeed() {
    let app = Arc::new(TestApp::start().await);
    let replies = all(N, |i| {
        let app = app.clone();
        async move {
            let body = json!({"email": format!("ada{i}@example.com"), "name": "Ada Lovelace", "password": PASSWORD});
            app.call(Method::POST, "/v1/auth/signup", None, Some(body)).await
        }
    })
    .await;
    assert!(
        replies.iter().all(|r| r.status == StatusCode::CREATED),
        "{:?}",
        replies.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    // And one address signing up six times at once: one account.
    let replies = all(N, |_| {
        let app = app.clone();
        async move {
            let body = json!({"email": "twin@example.com", "name": "Twin", "password": PASSWORD});
            app.call(Method::POST, "/v1/auth/signup", None, Some(body)).await
        }
    })
    .await;
    assert_eq!(replies.iter().filter(|r| r.status == StatusCode::CREATED).count(), 1);
    for r in replies.iter().filter(|r| r.status != StatusCode::CREATED) {
        r.assert_problem(409, "email_taken");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_decline_racing_an_accept_by_id_has_one_winner() {
    let app = Arc::new(TestApp::start().await);
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let dan = app.user("dan@example.com", "Dan").await;
    for round in 0..4 {
        let id = app.invite(&ada, &org, &dan.email, "member").await;
        let replies = all(N, |i| {
            let (app, token, id) = (app.clone(), dan.token.clone(), id.clone());
            let verb = if i % 2 == 0 { "accept" } else { "decline" };
            async move { app.post(&token, &format!("/v1/me/invitations/{id}/{verb}"), json!({})).await }
        })
        .await;
        let winners = replies.iter().filter(|r| r.status.is_success()).count();
        assert_eq!(winners, 1, "round {round}: {:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
        for r in replies.iter().filter(|r| !r.status.is_success()) {
            r.assert_problem(409, "invitation_not_pending");
        }
        let answered = count(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE target = $1 AND action IN ('invitation.accepted', 'invitation.declined')",
            &id,
        )
        .await;
        assert_eq!(answered, 1, "round {round}: one audit event for the one answer");
        // Leave for the next round, if the accept won.
        if replies.iter().any(|r| r.status == StatusCode::OK) {
            app.post(&dan.token, &format!("/v1/orgs/{}/leave", org.id), json!({})).await;
        }
    }
}

/// The limit holds exactly: N wrong passwords at once against a limit of L
/// check at most L passwords, across three replicas on one database.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_wrong_passwords_on_three_replicas_never_pass_the_limit() {
    const LIMIT: i64 = 12;
    let first = TestApp::start_with(Limits { signin_failures_per_account: LIMIT, ..Limits::default() }).await;
    first.user("ada@example.com", "Ada").await;
    let replicas = Arc::new([first.replica().await, first.replica().await]);
    let first = Arc::new(first);
    let replies = all(40, |i| {
        let (first, replicas) = (first.clone(), replicas.clone());
        async move {
            let app = match i % 3 {
                0 => &*first,
                n => &replicas[n - 1],
            };
            let body = json!({"email": "ada@example.com", "password": "wrong password!"});
            app.call(Method::POST, "/v1/auth/signin", None, Some(body)).await
        }
    })
    .await;
    let checked = replies.iter().filter(|r| r.status == StatusCode::UNAUTHORIZED).count() as i64;
    let limited = replies.iter().filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS).count() as i64;
    assert_eq!(checked, LIMIT, "exactly the limit's worth of passwords were checked");
    assert_eq!(checked + limited, 40);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_invitation_sends_never_pass_the_org_limit() {
    const LIMIT: i64 = 7;
    let first = TestApp::start_with(Limits { invitations_per_org: LIMIT, ..Limits::default() }).await;
    let ada = first.user("ada@example.com", "Ada").await;
    let org = first.org(&ada, "Acme").await;
    let replica = Arc::new(first.replica().await);
    let first = Arc::new(first);
    let replies = all(20, |i| {
        let (app, token, org) =
            (if i % 2 == 0 { first.clone() } else { replica.clone() }, ada.token.clone(), org.id.clone());
        async move {
            let body = json!({"emails": [format!("p{i}@example.com")], "role": "member"});
            app.post(&token, &format!("/v1/orgs/{org}/invitations"), body).await
        }
    })
    .await;
    let sent = replies.iter().filter(|r| r.status == StatusCode::CREATED).count() as i64;
    assert_eq!(sent, LIMIT, "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    let created = count(&first, "SELECT COUNT(*) FROM invitations WHERE org_id = $1", &org.id).await;
    assert_eq!(created, LIMIT);
}

/// Each constraint a race can hit is recognised by name on this database,
/// so its conflict maps to the promised answer (see `db::CONSTRAINTS`).
#[tokio::test]
async fn every_constraint_violation_is_recognised() {
    use orgdesk_server::db::{violation, Constraint};
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    app.invite(&ada, &org, "dan@example.com", "member").await;
    let other = app.org(&ada, "Other").await;
    app.sql(
        "INSERT INTO teams (id, org_id, name, name_key, created_at) VALUES ('t1', $1, 'Support', 'support', 0)",
        &[org.id.as_str()],
    )
    .await;
    app.sql(
        "INSERT INTO partner_relationships (id, partner_org_id, customer_org_id, status, ends_at, created_at) \
         VALUES ('r1', $1, $2, 'active', 0, 0)",
        &[org.id.as_str(), other.id.as_str()],
    )
    .await;
    app.sql(
        "INSERT INTO partner_roles (relationship_id, customer_org_id, role_key) VALUES ('r1', $1, 'member')",
        &[other.id.as_str()],
    )
    .await;
    let mut cases: Vec<(Constraint, String)> = vec![
        (Constraint::UserEmail, "INSERT INTO users (id, email, email_key, name, password_hash, timezone, created_at) VALUES ('x', 'a', 'ada@example.com', 'A', '', 'UTC', 0)".to_owned()),
        (Constraint::OrgSlug, format!("INSERT INTO orgs (id, name, slug, default_language, timezone, invitation_lifetime_days, created_at) VALUES ('x', 'X', '{}', 'en', 'UTC', 7, 0)", org.slug)),
        (Constraint::OnePendingInvitation, format!("INSERT INTO invitations (id, org_id, email, email_key, role, token_hash, status, created_at, expires_at, last_sent_at) VALUES ('x', '{}', 'dan@example.com', 'dan@example.com', 'member', 'h', 'pending', 0, 0, 0)", org.id)),
        (Constraint::Membership, format!("INSERT INTO memberships (org_id, user_id, role, status, joined_at) VALUES ('{}', '{}', 'admin', 'active', 0)", org.id, ada.id)),
        (Constraint::RoleKey, format!("INSERT INTO roles (org_id, role_key, name, created_at) VALUES ('{}', 'admin', 'Admin', 0)", org.id)),
        (Constraint::MembershipRole, format!("UPDATE memberships SET role = 'no-such-role' WHERE org_id = '{}'", org.id)),
        (Constraint::OneOwner, format!("UPDATE memberships SET role = 'owner' WHERE org_id = '{}' AND user_id <> '{}'", org.id, ada.id)),
        (Constraint::TeamName, format!("INSERT INTO teams (id, org_id, name, name_key, created_at) VALUES ('t2', '{}', 'SUPPORT', 'support', 0)", org.id)),
        (Constraint::OneOpenRelationship, format!("INSERT INTO partner_relationships (id, partner_org_id, customer_org_id, status, ends_at, created_at) VALUES ('r2', '{}', '{}', 'active', 0, 0)", org.id, other.id)),
    ];
    // Foreign keys have names on PostgreSQL only (SQLite's writers queue, so no race reaches them there).
    if crate::support::on_postgres() {
        cases.push((
            Constraint::TeamMembership,
            format!(
                "INSERT INTO team_members (team_id, org_id, user_id, added_at) VALUES ('t1', '{}', 'nobody', 0)",
                org.id
            ),
        ));
        cases.push((
            Constraint::AssignedTeam,
            "INSERT INTO partner_assignments (relationship_id, role_key, team_id) VALUES ('r1', 'member', 'no-team')"
                .to_owned(),
        ));
        cases.push((Constraint::GrantedRole, format!("INSERT INTO partner_roles (relationship_id, customer_org_id, role_key) VALUES ('r1', '{}', 'no-such-role')", other.id)));
    }
    // One more member, so a second owner can be attempted.
    let bob = app.user("bob@example.com", "Bob").await;
    app.join(&ada, &org, &bob, "member").await;
    for (expected, sql) in cases {
        let e = on_pool!(app, |p| sqlx::query(&sql).execute(p).await.map(|_| ()))
            .expect_err(&format!("{expected:?} must be violated"));
        assert_eq!(violation(&e), Some(expected), "{sql}: {e}");
    }
}

/// Session and access are read per request (with one statement), never
/// cached: a removal or a revoked session on one replica holds on the other
/// at its next request.
#[tokio::test]
async fn removals_and_revocations_hold_on_every_replica_at_once() {
    let a = TestApp::start().await;
    let b = a.replica().await;
    let ada = a.user("ada@example.com", "Ada").await;
    let org = a.org(&ada, "Acme").await;
    let dan = a.user("dan@example.com", "Dan").await;
    a.join(&ada, &org, &dan, "member").await;
    let members = format!("/v1/orgs/{}/members", org.slug);
    assert_eq!(b.get(&dan.token, &members).await.status, StatusCode::OK, "Dan reads on replica b");
    let r = a.delete(&ada.token, &format!("/v1/orgs/{}/members/{}", org.id, dan.id)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    b.get(&dan.token, &members).await.assert_problem(404, "not_found");
    // Ada's session, revoked on a, is refused by b.
    let sessions = a.get(&ada.token, "/v1/me/sessions").await;
    let id = sessions.body[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(b.get(&ada.token, &members).await.status, StatusCode::OK);
    a.delete(&ada.token, &format!("/v1/me/sessions/{id}")).await;
    b.get(&ada.token, &members).await.assert_problem(401, "unauthenticated");
}
