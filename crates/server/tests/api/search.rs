//! Prefix search of an org's members through the word index
//! (`member_search`): every plan a search can take answers the same rows in
//! the same order and pages, and the index follows every write that changes
//! a membership, a name or an email.

use orgdesk_core::api::{MemberQuery, MemberSort, MemberStatus};
use orgdesk_server::db::Sql;
use orgdesk_server::store::memberships::{search_sql, MemberPage, SearchPlan, SortKey};
use orgdesk_server::{members, store};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::Row;

use crate::support::{TestApp, PASSWORD};

/// (user id, sort key) of each row of a member page statement.
async fn rows(app: &TestApp, sql: &Sql, by_name: bool) -> Vec<(String, SortKey)> {
    let rows = on_pool!(app, |p| sql.query().fetch_all(p).await.map(|rows| {
        rows.iter()
            .map(|r| {
                let key = if by_name {
                    SortKey::Text(r.get::<String, _>("sort_key"))
                } else {
                    SortKey::Int(r.get::<i64, _>("sort_key"))
                };
                (r.get::<String, _>("user_id"), key)
            })
            .collect::<Vec<_>>()
    }))
    .unwrap();
    rows
}

/// The names of the members a search in `org` answers, in its order.
async fn names(app: &TestApp, token: &str, org: &str, q: &str) -> Vec<String> {
    let r = app.get(token, &format!("/v1/orgs/{org}/members?limit=200&q={}", urlencode(q))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["items"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap().to_owned()).collect()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The walk of the order (the rule as it was before the word index) is the
/// reference: the word index, and the name range with either, answer the
/// same pages, for every sort, both directions, with a role or status
/// filter, page after page. Run on the demo's 10,002-member org, so the
/// prefixes span rare ones (a few matches) and common ones (thousands).
#[tokio::test]
async fn every_search_plan_answers_the_same_pages() {
    let app = TestApp::start().await;
    orgdesk_server::demo::seed(&app.state.db).await.unwrap();
    let org_id: String =
        on_pool!(app, |p| sqlx::query_scalar("SELECT id FROM orgs WHERE slug = 'northwind'").fetch_one(p).await)
            .unwrap();
    let plans = [SearchPlan::Walk, SearchPlan::Words, SearchPlan::NameRangeAnd(true), SearchPlan::NameRangeAnd(false)];
    // (The last is longer than `member_search::SHARED_RANGES_UP_TO` bytes:
    // the name range's members are left out by a filter, not by ranges.)
    for q in [
        "zoe ahm",
        "zoe",
        "a",
        "ada okafor1",
        "okafor",
        "ada.okafor1",
        "mar",
        "x",
        "é",
        "ximena.lindqvist63@northwind.test",
    ] {
        for (sort, desc, role, status) in [
            (MemberSort::Name, false, None, None),
            (MemberSort::Name, true, Some("member"), None),
            (MemberSort::Name, false, None, Some(MemberStatus::Disabled)),
            (MemberSort::Joined, true, None, None),
            (MemberSort::LastActive, false, Some("admin"), None),
        ] {
            let by_name = sort == MemberSort::Name;
            let query = MemberQuery {
                q: Some(q.into()),
                sort: Some(sort),
                desc: Some(desc),
                role: role.map(str::to_owned),
                status,
                ..Default::default()
            };
            let mut page: MemberPage<'_> = members::page_query(&org_id, &query, 40).unwrap();
            let search = page.search.clone().unwrap();
            for n in 0..3 {
                let reference =
                    rows(&app, &search_sql(&page, &search, SearchPlan::Walk, app.state.db.backend), by_name).await;
                for plan in plans {
                    // The name range needs text compared by code point.
                    if matches!(plan, SearchPlan::NameRangeAnd(_)) && (!by_name || !app.state.db.text_by_code_point) {
                        continue;
                    }
                    let got = rows(&app, &search_sql(&page, &search, plan, app.state.db.backend), by_name).await;
                    assert_eq!(got, reference, "{q:?} by {sort:?} desc={desc} {role:?} {status:?}, page {n}, {plan:?}");
                }
                // The plan the server chooses pages like the others.
                let chosen = store::memberships::page(&app.state.db, &page).await.unwrap();
                let chosen: Vec<(String, SortKey)> = chosen.into_iter().map(|(m, k)| (m.user_id, k)).collect();
                assert_eq!(chosen, reference, "{q:?} by {sort:?}, page {n}, the chosen plan");
                match reference.last() {
                    Some((id, key)) if reference.len() == 40 => page.after = Some((key.clone(), id.clone())),
                    _ => break,
                }
            }
        }
    }
}

/// A rare prefix across two words, and a word inside a name, through the API.
#[tokio::test]
async fn a_rare_prefix_and_a_multi_word_query_find_their_members() {
    let app = TestApp::start().await;
    orgdesk_server::demo::seed(&app.state.db).await.unwrap();
    let r = app
        .call(
            reqwest::Method::POST,
            "/v1/auth/signin",
            None,
            Some(json!({"email": orgdesk_server::demo::AGENCY_EMAIL, "password": orgdesk_server::demo::DEMO_PASSWORD})),
        )
        .await;
    let token = r.body["token"].as_str().unwrap().to_owned();
    // "Zoe Ahmed" is one name of the demo's 40 × 25 mix: ten of 10,000.
    let found = names(&app, &token, "northwind", "ZOE AHM").await;
    assert_eq!(found.len(), 10, "{found:?}");
    assert!(found.iter().all(|n| n.to_lowercase().starts_with("zoe ahm")), "{found:?}");
    let mut sorted = found.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(found, sorted, "in name order");
    // Words after the first: the surname alone, and the surname with more.
    let by_surname = names(&app, &token, "northwind", "ahmed").await;
    assert!(by_surname.len() >= 10 && by_surname.iter().all(|n| n.to_lowercase().contains(" ahmed")), "{by_surname:?}");
    assert!(names(&app, &token, "northwind", "ahmed zoe").await.is_empty(), "words in their order only");
    assert!(names(&app, &token, "northwind", "oe ahm").await.is_empty(), "a word's start, not its middle");
}

/// The index follows a new name, a new email address and a removal, at once.
#[tokio::test]
async fn search_follows_names_emails_and_removals() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada Owner").await;
    let org = app.org(&ada, "Acme").await;
    let other = app.org(&ada, "Other").await;
    let bob = app.user("bob.stone@example.com", "Bob Stone").await;
    app.join(&ada, &org, &bob, "member").await;
    app.join(&ada, &other, &bob, "member").await;
    for slug in [&org.slug, &other.slug] {
        assert_eq!(names(&app, &ada.token, slug, "sto").await, ["Bob Stone"]);
        assert_eq!(names(&app, &ada.token, slug, "bob.st").await, ["Bob Stone"], "by email");
    }

    let r = app.patch(&bob.token, "/v1/me", json!({"name": "Robert Rivers"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    for slug in [&org.slug, &other.slug] {
        assert!(names(&app, &ada.token, slug, "sto").await.is_empty(), "the old surname is gone");
        assert_eq!(names(&app, &ada.token, slug, "riv").await, ["Robert Rivers"]);
        assert_eq!(names(&app, &ada.token, slug, "robert r").await, ["Robert Rivers"]);
        assert_eq!(names(&app, &ada.token, slug, "bob").await, ["Robert Rivers"], "by the email, still bob.stone@");
    }
    let r = app.post(&bob.token, "/v1/me/email", json!({"email": "rivers@example.com", "password": PASSWORD})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let token = app.token_from_outbox("rivers@example.com", "/email-change/").await;
    let r = app.call(reqwest::Method::POST, "/v1/auth/email-change/confirm", None, Some(json!({"token": token}))).await;
    assert!(r.status.is_success(), "{}", r.text);
    for slug in [&org.slug, &other.slug] {
        assert!(names(&app, &ada.token, slug, "bob.st").await.is_empty(), "the old address is gone");
        assert_eq!(names(&app, &ada.token, slug, "rivers@").await, ["Robert Rivers"], "by the new address");
    }

    let r = app.delete(&ada.token, &format!("/v1/orgs/{}/members/{}", org.id, bob.id)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert!(names(&app, &ada.token, &org.slug, "riv").await.is_empty(), "removed");
    assert_eq!(names(&app, &ada.token, &other.slug, "riv").await, ["Robert Rivers"], "still in the other org");
    let left: i64 =
        on_pool!(app, |p| sqlx::query_scalar("SELECT COUNT(*) FROM member_search WHERE org_id = $1 AND user_id = $2")
            .bind(&org.id)
            .bind(&bob.id)
            .fetch_one(p)
            .await)
        .unwrap();
    assert_eq!(left, 0, "a removed membership keeps no terms");
}

/// Memberships that existed before the word index get their terms from the
/// data step when a server starts on the database (as after migration 0017).
#[tokio::test]
async fn the_data_step_indexes_existing_memberships() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada Owner").await;
    let org = app.org(&ada, "Acme").await;
    let bob = app.user("bob.stone@example.com", "Bob Stone").await;
    app.join(&ada, &org, &bob, "member").await;
    // As a database from before the index: no terms, the step not applied.
    app.sql("DELETE FROM member_search", &[]).await;
    app.sql("DELETE FROM data_steps WHERE name = 'member_search_terms'", &[]).await;
    assert!(names(&app, &ada.token, &org.slug, "sto").await.is_empty(), "the search reads the index");
    let restarted = app.replica().await;
    assert_eq!(names(&restarted, &ada.token, &org.slug, "sto").await, ["Bob Stone"]);
    assert_eq!(names(&restarted, &ada.token, &org.slug, "ada o").await, ["Ada Owner"]);
}
