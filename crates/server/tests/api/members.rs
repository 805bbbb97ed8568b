use std::collections::HashSet;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{send, TestApp};

fn ms(v: &serde_json::Value) -> i64 {
    v.as_str().and_then(orgdesk_server::time::parse_rfc3339).unwrap_or(0)
}

/// Signs in a demo user.
async fn demo_token(app: &TestApp, email: &str) -> String {
    let r = app
        .call(
            Method::POST,
            "/v1/auth/signin",
            None,
            Some(json!({"email": email, "password": orgdesk_server::demo::DEMO_PASSWORD})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn keyset_pages_walk_ten_thousand_members_once_each() {
    let app = TestApp::start().await;
    orgdesk_server::demo::seed(&app.state.db).await.unwrap();
    let token = demo_token(&app, orgdesk_server::demo::AGENCY_EMAIL).await;
    for (sort, desc) in [("name", false), ("joined", true), ("last_active", false)] {
        let mut seen = HashSet::new();
        let mut cursor: Option<String> = None;
        let mut previous: Option<(serde_json::Value, String)> = None;
        loop {
            let mut path = format!("/v1/orgs/northwind/members?limit=200&sort={sort}&desc={desc}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let page = app.get(&token, &path).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.text);
            for m in page.body["items"].as_array().unwrap() {
                assert!(seen.insert(m["user_id"].as_str().unwrap().to_owned()), "no member twice ({sort})");
                let key = match sort {
                    "name" => json!(m["name"].as_str().unwrap().to_lowercase()),
                    "joined" => json!(ms(&m["joined_at"])),
                    _ => json!(ms(&m["last_active_at"])),
                };
                if let Some((prev, _)) = &previous {
                    let ordered = match (prev, &key) {
                        (serde_json::Value::String(a), serde_json::Value::String(b)) => a <= b,
                        (a, b) if desc => a.as_i64() >= b.as_i64(),
                        (a, b) => a.as_i64() <= b.as_i64(),
                    };
                    assert!(ordered, "{sort} order: {prev} then {key}");
                }
                previous = Some((key, m["user_id"].as_str().unwrap().to_owned()));
            }
            match page.body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen.len(), 10_002, "10,000 members + the agency owner + the plain member ({sort})");
    }
}

#[tokio::test]
async fn search_filters_and_etags() {
    let app = TestApp::start().await;
    orgdesk_server::demo::seed(&app.state.db).await.unwrap();
    let token = demo_token(&app, orgdesk_server::demo::AGENCY_EMAIL).await;
    let by_first = app.get(&token, "/v1/orgs/northwind/members?q=Ada&limit=200").await;
    let items = by_first.body["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|m| m["name"].as_str().unwrap().starts_with("Ada")));
    let by_last = app.get(&token, "/v1/orgs/northwind/members?q=okafor&limit=5").await;
    assert!(by_last.body["items"].as_array().unwrap().iter().all(|m| m["name"].as_str().unwrap().ends_with("Okafor")));
    let by_email = app.get(&token, "/v1/orgs/northwind/members?q=ada.okafor0%40&limit=5").await;
    assert_eq!(by_email.body["items"].as_array().unwrap().len(), 1);
    let wildcard = app.get(&token, "/v1/orgs/northwind/members?q=%25&limit=5").await;
    assert_eq!(wildcard.body["items"].as_array().unwrap().len(), 0, "% is a literal, not a wildcard");

    let disabled = app.get(&token, "/v1/orgs/northwind/members?status=disabled&limit=200").await;
    let d = disabled.body["items"].as_array().unwrap();
    assert!(!d.is_empty() && d.iter().all(|m| m["status"] == "disabled"));
    let agents = app.get(&token, "/v1/orgs/northwind/members?role=support-agent&limit=200").await;
    assert!(agents.body["items"].as_array().unwrap().iter().all(|m| m["role"] == "support-agent"));

    let path = "/v1/orgs/northwind/members?limit=50";
    let first = app.get(&token, path).await;
    let etag = first.header("etag").unwrap().to_owned();
    let unchanged = send(app.request(Method::GET, path, Some(&token)).header("if-none-match", &etag)).await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);
    assert!(unchanged.text.is_empty());
}

#[tokio::test]
async fn role_and_status_changes_take_effect_at_once() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let bob = app.member(&ada, &org, "bob@example.com", "member").await;
    let member_path = format!("/v1/orgs/{}/members/{}", org.id, bob.id);

    let r = app.patch(&ada.token, &member_path, json!({"role": "viewer"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["role"], "viewer");
    assert_eq!(app.get(&bob.token, &format!("/v1/orgs/{}/permissions", org.id)).await.body["role"], "viewer");

    // If-Match with a stale version loses.
    let stale = send(
        app.request(Method::PATCH, &member_path, Some(&ada.token))
            .header("if-match", "\"1\"")
            .json(&json!({"role": "member"})),
    )
    .await;
    stale.assert_problem(412, "precondition_failed");

    let r = app.patch(&ada.token, &member_path, json!({"status": "disabled"})).await;
    assert_eq!(r.body["status"], "disabled");
    app.get(&bob.token, &format!("/v1/orgs/{}/members", org.id)).await.assert_problem(403, "member_disabled");
    app.patch(&ada.token, &member_path, json!({"status": "active"})).await;
    assert_eq!(app.get(&bob.token, &format!("/v1/orgs/{}/members", org.id)).await.status, StatusCode::OK);

    assert_eq!(app.delete(&ada.token, &member_path).await.status, StatusCode::NO_CONTENT);
    app.get(&bob.token, &format!("/v1/orgs/{}/members", org.id)).await.assert_problem(404, "not_found");
    app.get(&ada.token, &member_path).await.assert_problem(404, "not_found");
}

#[tokio::test]
async fn last_active_is_recorded_on_use() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let bob = app.member(&ada, &org, "bob@example.com", "member").await;
    let before = app.get(&ada.token, &format!("/v1/orgs/{}/members/{}", org.id, bob.id)).await;
    assert!(before.body["last_active_at"].is_null());
    app.get(&bob.token, &format!("/v1/orgs/{}", org.id)).await;
    let after = app.get(&ada.token, &format!("/v1/orgs/{}/members/{}", org.id, bob.id)).await;
    assert!(after.body["last_active_at"].is_string(), "{}", after.text);
}

#[tokio::test]
async fn a_member_shows_their_own_time_zone() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let bob = app.member(&ada, &org, "bob@example.com", "member").await;
    app.patch(&bob.token, "/v1/me", json!({"timezone": "Asia/Tokyo"})).await;
    let one = app.get(&ada.token, &format!("/v1/orgs/{}/members/{}", org.id, bob.id)).await;
    assert_eq!(one.body["timezone"], "Asia/Tokyo", "{}", one.text);
    let page = app.get(&ada.token, &format!("/v1/orgs/{}/members", org.id)).await;
    let listed = page.body["items"].as_array().unwrap().iter().find(|m| m["user_id"] == bob.id.as_str()).unwrap();
    assert_eq!(listed["timezone"], "Asia/Tokyo");
}

#[tokio::test]
async fn the_owner_is_untouchable_and_roles_cannot_escalate() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let admin = app.member(&ada, &org, "admin@example.com", "admin").await;
    let bob = app.member(&ada, &org, "bob@example.com", "member").await;
    let owner_path = format!("/v1/orgs/{}/members/{}", org.id, ada.id);
    app.patch(&admin.token, &owner_path, json!({"role": "member"})).await.assert_problem(409, "owner_protected");
    app.patch(&admin.token, &owner_path, json!({"status": "disabled"})).await.assert_problem(409, "owner_protected");
    app.delete(&admin.token, &owner_path).await.assert_problem(409, "owner_protected");
    app.patch(&ada.token, &owner_path, json!({"role": "admin"})).await.assert_problem(409, "owner_protected");

    let bob_path = format!("/v1/orgs/{}/members/{}", org.id, bob.id);
    app.patch(&admin.token, &bob_path, json!({"role": "owner"})).await.assert_problem(409, "owner_protected");
    // billing:manage is not the admin's to grant.
    app.patch(&admin.token, &bob_path, json!({"role": "billing"})).await.assert_problem(403, "role_escalation");
    app.patch(&admin.token, &bob_path, json!({"role": "no-such-role"})).await.assert_problem(422, "validation_failed");
    // The owner may.
    assert_eq!(app.patch(&ada.token, &bob_path, json!({"role": "billing"})).await.status, StatusCode::OK);
    // And now the admin may not act on bob at all.
    app.delete(&admin.token, &bob_path).await.assert_problem(403, "role_escalation");
}

async fn events_of(app: &TestApp, token: &str, org_id: &str, action: &str) -> usize {
    let r = app.get(token, &format!("/v1/orgs/{org_id}/audit?action={action}&limit=200")).await;
    r.body["items"].as_array().unwrap().len()
}

/// `user_id → (outcome, code)` of a bulk answer.
fn outcomes(r: &crate::support::Reply) -> std::collections::HashMap<String, (String, String)> {
    r.body["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results: {}", r.text))
        .iter()
        .map(|x| {
            let code = x["code"].as_str().unwrap_or("").to_owned();
            (x["user_id"].as_str().unwrap().to_owned(), (x["outcome"].as_str().unwrap().to_owned(), code))
        })
        .collect()
}

#[tokio::test]
async fn bulk_changes_apply_per_member_with_the_single_rules() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let bob = app.member(&ada, &org, "bob@example.com", "member").await;
    let cat = app.member(&ada, &org, "cat@example.com", "member").await;
    let dan = app.member(&ada, &org, "dan@example.com", "admin").await;
    let path = format!("/v1/orgs/{}/members/bulk", org.id);
    let audit = |action: &'static str| events_of(&app, &ada.token, &org.id, action);

    // The owner and an unknown id are refused for themselves; the others change, one event each.
    let r = app
        .post(
            &ada.token,
            &path,
            json!({"user_ids": [bob.id, cat.id, ada.id, "00000000-0000-7000-8000-000000000000", bob.id],
                   "change": {"kind": "role", "role": "viewer"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let got = outcomes(&r);
    assert_eq!(got.len(), 4, "a repeated id counts once: {}", r.text);
    assert_eq!(got[&bob.id].0, "changed");
    assert_eq!(got[&cat.id].0, "changed");
    assert_eq!(got[&ada.id], ("refused".into(), "owner_protected".into()));
    assert_eq!(got["00000000-0000-7000-8000-000000000000"], ("refused".into(), "not_found".into()));
    assert_eq!(r.body["results"][0]["member"]["role"], "viewer", "the member after the change");
    assert_eq!(audit("member.role_changed").await, 2);
    // Again: nothing to change, nothing written.
    let again =
        app.post(&ada.token, &path, json!({"user_ids": [bob.id], "change": {"kind": "role", "role": "viewer"}})).await;
    assert_eq!(outcomes(&again)[&bob.id].0, "unchanged");
    assert_eq!(audit("member.role_changed").await, 2);

    // An admin cannot hand out a role above their own, member by member.
    let r = app
        .post(
            &ada.token,
            &format!("/v1/orgs/{}/roles", org.id),
            json!({"key": "treasurer", "name": "Treasurer", "permissions": ["org:read", "billing:manage"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = app
        .post(&dan.token, &path, json!({"user_ids": [bob.id, ada.id], "change": {"kind": "role", "role": "treasurer"}}))
        .await;
    let got = outcomes(&r);
    assert_eq!(got[&bob.id], ("refused".into(), "role_escalation".into()), "{}", r.text);
    assert_eq!(got[&ada.id].1, "owner_protected");

    // Disabling: not yourself.
    let r = app
        .post(
            &dan.token,
            &path,
            json!({"user_ids": [bob.id, dan.id], "change": {"kind": "status", "status": "disabled"}}),
        )
        .await;
    let got = outcomes(&r);
    assert_eq!(got[&bob.id].0, "changed");
    assert_eq!(got[&dan.id], ("refused".into(), "validation_failed".into()));
    assert_eq!(audit("member.disabled").await, 1);

    // Removing: not yourself, not the owner; the others go.
    let r = app
        .post(&dan.token, &path, json!({"user_ids": [bob.id, cat.id, dan.id, ada.id], "change": {"kind": "remove"}}))
        .await;
    let got = outcomes(&r);
    assert_eq!(got[&bob.id].0, "removed");
    assert_eq!(got[&cat.id].0, "removed");
    assert_eq!(got[&dan.id].0, "refused");
    assert_eq!(got[&ada.id].1, "owner_protected");
    assert_eq!(audit("member.removed").await, 2);
    let left = app.get(&ada.token, &format!("/v1/orgs/{}/members", org.id)).await;
    assert_eq!(left.body["items"].as_array().unwrap().len(), 2, "ada and dan remain");
}

#[tokio::test]
async fn bulk_changes_need_the_permission_and_a_sane_list() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    let bob = app.member(&ada, &org, "bob@example.com", "member").await;
    let path = format!("/v1/orgs/{}/members/bulk", org.id);
    let r = app.post(&bob.token, &path, json!({"user_ids": [ada.id], "change": {"kind": "remove"}})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = app.post(&ada.token, &path, json!({"user_ids": [], "change": {"kind": "remove"}})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let many: Vec<String> = (0..1001).map(|i| format!("00000000-0000-7000-8000-{i:012}")).collect();
    let r = app.post(&ada.token, &path, json!({"user_ids": many, "change": {"kind": "remove"}})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    let r = app.post(&ada.token, &path, json!({"user_ids": [bob.id], "change": {"kind": "explode"}})).await;
    assert!(r.status.is_client_error(), "{}", r.text);
}

/// The benchmark's scale seed (here at 300 members and 5 client orgs): the
/// large org lists every member once, every client org is the scale
/// account's, and each has its pending invitations.
#[tokio::test]
async fn the_scale_seed_writes_what_it_promises() {
    use orgdesk_server::demo;
    let app = TestApp::start().await;
    demo::seed_scale_sized(&app.state.db, 300, 5).await.unwrap();
    demo::seed_scale_sized(&app.state.db, 300, 5).await.unwrap(); // once only
    let token = demo_token(&app, demo::SCALE_EMAIL).await;
    let orgs = app.get(&token, "/v1/orgs").await;
    assert_eq!(orgs.body.as_array().map(Vec::len), Some(6), "the large org and 5 clients: {}", orgs.text);
    assert!(orgs.body.as_array().unwrap().iter().all(|o| o["role"] == "owner"));
    let mut seen = HashSet::new();
    let mut cursor = String::new();
    loop {
        let page = app.get(&token, &format!("/v1/orgs/{}/members?limit=200{cursor}", demo::LARGE_ORG_SLUG)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        seen.extend(page.body["items"].as_array().unwrap().iter().map(|m| m["user_id"].as_str().unwrap().to_owned()));
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 301, "300 members and the owner");
    let managed = app.get(&token, "/v1/me/managed-invitations").await;
    assert_eq!(managed.status, StatusCode::OK, "{}", managed.text);
    let count = managed.body.as_array().map(Vec::len);
    assert_eq!(count, Some(5 * demo::INVITATIONS_PER_ORG), "{}", managed.text);
    // The seed's ANALYZE keeps SQLite's row counts but no STAT4 samples
    // (with them, statements binding an indexed column re-prepare at each step).
    if let orgdesk_server::db::Pool::Sqlite(pool) = &app.state.db.pool {
        let count = |table: &'static str| async move {
            sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(pool).await.unwrap()
        };
        assert!(count("sqlite_stat1").await > 0, "the planner has row counts");
        assert_eq!(count("sqlite_stat4").await, 0, "no STAT4 samples");
    }
}
