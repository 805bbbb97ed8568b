//! The hot reads use their indexes and never sort a whole org, on both
//! databases. SQLite: `EXPLAIN QUERY PLAN` must not scan the table or sort
//! the whole result. PostgreSQL: with sequential scans and sorts priced out
//! (`enable_seqscan`/`enable_sort` off), the plan must still need neither,
//! which holds only when an index serves the filter and the order.

use orgdesk_core::api::{InvitationFilter, MemberQuery, MemberSort};
use orgdesk_server::db::{Pool, Sql};
use orgdesk_server::{members, store};
use sqlx::Row;

use crate::support::{on_postgres, TestApp};

/// The plan of `sql`, one line per node.
async fn plan(app: &TestApp, sql: &Sql) -> Vec<String> {
    match &app.state.db.pool {
        Pool::Postgres(pool) => {
            let mut conn = pool.acquire().await.unwrap();
            for set in ["SET enable_seqscan = off", "SET enable_sort = off", "SET enable_incremental_sort = off"] {
                sqlx::query(set).execute(&mut *conn).await.unwrap();
            }
            let rows = sql.prefixed("EXPLAIN ").query().fetch_all(&mut *conn).await.unwrap();
            let lines = rows.iter().map(|r| r.get::<String, _>(0)).collect();
            sqlx::query("RESET ALL").execute(&mut *conn).await.unwrap();
            lines
        }
        Pool::Sqlite(pool) => {
            let rows = sql.prefixed("EXPLAIN QUERY PLAN ").query().fetch_all(pool).await.unwrap();
            rows.iter().map(|r| r.get::<String, _>(3)).collect()
        }
    }
}

/// No full scan of `table_alias`; and, when `sorted_by_index`, no sort: the
/// index hands the rows over in order, so a page costs its own rows.
fn assert_indexed(what: &str, plan: &[String], table_alias: &str, sorted_by_index: bool) {
    let text = plan.join("\n");
    if on_postgres() {
        assert!(!text.contains("Seq Scan"), "{what} scans a table:\n{text}");
        let sorts = text.lines().any(|l| l.trim_start().starts_with("Sort") || l.contains("->  Sort"));
        assert!(!(sorted_by_index && sorts), "{what} sorts:\n{text}");
    } else {
        let scans = text.lines().any(|l| l.trim() == format!("SCAN {table_alias}"));
        assert!(!scans, "{what} scans {table_alias}:\n{text}");
        assert!(
            !(sorted_by_index && text.contains("USE TEMP B-TREE FOR ORDER BY")),
            "{what} sorts the result:\n{text}"
        );
    }
}

/// Each plan of a search (`SearchPlan`) reads what it names by index: the
/// word index by its term range, the members it finds by their key, the
/// names by their range of the name index; no table is scanned. The words
/// plans sort only what the term range found, never the org (the memberships
/// are reached by key from the word index's rows, not by an order's index).
async fn search_plans_use_the_word_index(app: &TestApp, org_id: &str) {
    use store::memberships::{search_count_sql, search_sql, SearchPlan};
    for (sort, desc) in [(MemberSort::Name, false), (MemberSort::Joined, true), (MemberSort::LastActive, false)] {
        let q = MemberQuery { q: Some("zoe ahm".into()), sort: Some(sort), desc: Some(desc), ..Default::default() };
        let page = members::page_query(org_id, &q, 50).unwrap();
        let mut plans = vec![SearchPlan::Words];
        if sort == MemberSort::Name && app.state.db.text_by_code_point {
            plans.extend([SearchPlan::NameRangeAnd(true), SearchPlan::NameRangeAnd(false)]);
        }
        for search_plan in plans {
            let what = format!("search {search_plan:?} by {sort:?} desc={desc}");
            let lines = plan(app, &search_sql(&page, "zoe ahm", search_plan, app.state.db.backend)).await;
            let text = lines.join("\n");
            println!("{what}:\n{text}");
            for alias in ["m", "u", "member_search"] {
                assert_indexed(&what, &lines, alias, false);
            }
            let words = !matches!(search_plan, SearchPlan::NameRangeAnd(false));
            // Beside the names' range, the word index is read by its
            // `shared` ranges: the name's own members are never read twice.
            let split = matches!(search_plan, SearchPlan::NameRangeAnd(_));
            let (term_range, by_key, name_range) = if on_postgres() {
                (
                    // PostgreSQL may read these few terms by either index of
                    // the word table (on a small org it takes the primary key
                    // and filters `shared`); it reads no more of the org.
                    if split {
                        "Scan using member_search_"
                    } else {
                        "Index Only Scan using member_search_pkey on member_search"
                    },
                    "Index Scan using memberships_pkey on memberships",
                    "(sort_name >= 'zoe ahm'::text) AND (sort_name < 'zoe ahn'::text)",
                )
            } else {
                (
                    if split {
                        "SEARCH member_search USING COVERING INDEX member_search_shared (org_id=? AND shared=? AND term>? AND term<?)"
                    } else {
                        "SEARCH member_search USING COVERING INDEX sqlite_autoindex_member_search_1 (org_id=? AND term>? AND term<?)"
                    },
                    "SEARCH m USING INDEX sqlite_autoindex_memberships_1 (org_id=? AND user_id=?)",
                    "SEARCH m USING INDEX memberships_org_name (org_id=? AND sort_name>? AND sort_name<?)",
                )
            };
            if words {
                assert!(text.contains(term_range), "{what} reads the word index's range:\n{text}");
                assert!(text.contains(by_key), "{what} reaches each match by its key:\n{text}");
                // No walk of an order's index: where one is read, it is the
                // names' range (the name range plan's first half).
                for (i, line) in lines.iter().enumerate() {
                    let order_index = line.contains("memberships_org_") && !line.contains("memberships_org_role");
                    let ranged =
                        line.contains("sort_name>?") || lines.get(i + 1).is_some_and(|next| next.contains(name_range));
                    assert!(!order_index || ranged, "{what} walks an order's index:\n{text}");
                }
            }
            if matches!(search_plan, SearchPlan::NameRangeAnd(_)) {
                assert!(text.contains(name_range), "{what} reads the names' range of the name index:\n{text}");
            }
        }
    }
    for not_names in [false, true] {
        let lines = plan(app, &search_count_sql(org_id, "zoe ahm", not_names, 3000, app.state.db.backend)).await;
        assert_indexed("the search's count", &lines, "member_search", false);
        let text = lines.join("\n");
        let expected = match (on_postgres(), not_names) {
            (true, false) => "Index Only Scan using member_search_pkey",
            (true, true) => "Scan using member_search_",
            (false, false) => "COVERING INDEX sqlite_autoindex_member_search_1",
            (false, true) => "COVERING INDEX member_search_shared",
        };
        assert!(text.contains(expected), "the search's count reads only the word index:\n{text}");
    }
}

#[tokio::test]
async fn hot_reads_use_their_indexes() {
    let app = TestApp::start().await;
    let ada = app.user("ada@example.com", "Ada").await;
    let org = app.org(&ada, "Acme").await;
    for i in 0..5 {
        let u = app.user(&format!("m{i}@example.com"), &format!("Member {i}")).await;
        app.join(&ada, &org, &u, "member").await;
    }

    for sort in [MemberSort::Joined, MemberSort::Name, MemberSort::LastActive] {
        for desc in [false, true] {
            let q = MemberQuery { sort: Some(sort), desc: Some(desc), ..Default::default() };
            let sql = store::memberships::page_sql(&members::page_query(&org.id, &q, 50).unwrap());
            assert_indexed(&format!("members by {sort:?} desc={desc}"), &plan(&app, &sql).await, "m", true);
        }
    }
    let search = MemberQuery { q: Some("ada".into()), sort: Some(MemberSort::Name), ..Default::default() };
    let sql = store::memberships::page_sql(&members::page_query(&org.id, &search, 50).unwrap());
    assert_indexed("prefix search", &plan(&app, &sql).await, "m", true);
    search_plans_use_the_word_index(&app, &org.id).await;
    let role = MemberQuery { role: Some("member".into()), ..Default::default() };
    let sql = store::memberships::page_sql(&members::page_query(&org.id, &role, 50).unwrap());
    let role_plan = plan(&app, &sql).await;
    assert_indexed("role filter", &role_plan, "m", true);
    assert!(
        role_plan.join("\n").contains("memberships_org_role_name"),
        "a role filter walks only that role's members:\n{}",
        role_plan.join("\n")
    );

    for filter in [InvitationFilter::Pending, InvitationFilter::Expired, InvitationFilter::Open] {
        let mut sql = Sql::new(&store::invitations::open_page_sql(filter));
        sql.bind_value(org.id.as_str()).bind_value(0i64).bind_value(0i64).bind_value("").bind_value(51i64);
        assert_indexed(&format!("{filter:?} invitations"), &plan(&app, &sql).await, "i", true);
    }
    let mut sql = Sql::new(&store::invitations::managed_sql());
    sql.bind_value(ada.id.as_str()).bind_value(0i64);
    // Across orgs the rows come from one index range per org I belong to;
    // merging them sorts the answer (my orgs' open invitations), never an org.
    assert_indexed("across-org pending invitations", &plan(&app, &sql).await, "i", false);
    // Its page: the same ranges (one per org I belong to, each by the open
    // invitations' index), my memberships by their user index; the sort is
    // of my orgs' open invitations, cut at the page.
    let mut sql = Sql::new(&store::invitations::managed_page_sql(&["owner", "admin"], &["owner", "admin", "member"]));
    sql.bind_value(ada.id.as_str()).bind_value(0i64).bind_value(0i64).bind_value("").bind_value(51i64);
    let page_plan = plan(&app, &sql).await;
    for alias in ["i", "k", "me", "r", "o", "u"] {
        assert_indexed("across-org pending invitations, a page", &page_plan, alias, false);
    }
    // (PostgreSQL's planner walks a tiny table's index instead of ranging
    // over it per org; on the benchmark's 500 orgs it ranges.)
    let text = page_plan.join("\n");
    assert!(
        on_postgres() || text.contains("invitations_org_open (org_id=? AND status=? AND expires_at>?)"),
        "a page reads each org's open invitations by index:\n{text}"
    );
}
