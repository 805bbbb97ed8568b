//! The word index of prefix search: the `member_search` table (migration
//! 0017), one row per (org, term, member). A membership's terms are its
//! lower-case name from each word on and its member's email key, as UTF-8
//! bytes: a search for `q` matches the members with a term starting with
//! `q`, which is exactly the old rule (`sort_name LIKE 'q%' OR sort_name LIKE
//! '% q%' OR email_key LIKE 'q%'`), and is one byte range of the index on
//! both databases. Every write that changes a membership's name or email key
//! calls this module in its transaction; a removed membership loses its
//! rows through the foreign key.

use super::on;
use super::{Executor, Result};
use crate::db::{Backend, Bind, Sql};

/// The terms of a membership: `sort_name` from its start and after every
/// space, and `email_key`; each once.
pub fn terms(sort_name: &str, email_key: &str) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut add = |t: &str| {
        if !t.is_empty() && !out.iter().any(|o| o == t.as_bytes()) {
            out.push(t.as_bytes().to_vec());
        }
    };
    add(sort_name);
    for (i, c) in sort_name.char_indices() {
        if c == ' ' {
            add(&sort_name[i + 1..]);
        }
    }
    add(email_key);
    out
}

/// The byte range of the terms that start with `prefix`: `[low, high)`.
/// UTF-8 never holds the byte 0xFF, so the last byte can always go up by one.
pub fn prefix_range(prefix: &str) -> (Vec<u8>, Vec<u8>) {
    let low = prefix.as_bytes().to_vec();
    let mut high = low.clone();
    match high.last_mut() {
        Some(b) => *b += 1,
        None => high.push(0xFF),
    }
    (low, high)
}

/// The text range of the names that start with `prefix`, `[prefix, high)`
/// with `high` its last character's successor; `None` when there is none
/// (a prefix of U+10FFFF only). In an order by code point (SQLite's, and
/// PostgreSQL's under a C collation) it is the same set as
/// [`prefix_range`]'s bytes.
pub fn text_prefix_range(prefix: &str) -> Option<(String, String)> {
    let mut high: Vec<char> = prefix.chars().collect();
    while let Some(last) = high.pop() {
        let next = match last {
            '\u{D7FF}' => Some('\u{E000}'),
            c => char::from_u32(c as u32 + 1),
        };
        if let Some(next) = next {
            high.push(next);
            return Some((prefix.to_owned(), high.into_iter().collect()));
        }
    }
    None
}

/// How many leading bytes `a` and `b` share.
pub fn shared_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Queries longer than this (in bytes) leave the name's members out by a
/// filter on the term range (few terms share so long a prefix) instead of
/// one index range per `shared` value.
pub const SHARED_RANGES_UP_TO: usize = 32;

/// Appends the condition "the term's member's name does not start with
/// `q`" for rows of `q`'s term range: `shared IN (0, …, len - 1)`, one range
/// of `member_search_shared` each, or for a long `q` the name's byte range.
pub fn not_names_filter(sql: &mut Sql, q: &str) {
    let len = q.len();
    if len <= SHARED_RANGES_UP_TO {
        sql.push(" AND shared IN (");
        for i in 0..len {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(i as i64);
        }
        sql.push(")");
    } else {
        let (low, high) = prefix_range(q);
        sql.push(" AND NOT (name >= ").bind(Bind::Bytes(low)).push(" AND name < ").bind(Bind::Bytes(high)).push(")");
    }
}

/// The word index as a search's term range reads it: with `not_names`, on
/// SQLite, named to `member_search_shared`, whose `shared` ranges
/// [`not_names_filter`] reads (the planner, without statistics for a
/// small org, would read the org's rows by `member_search_member`).
pub fn table(q: &str, not_names: bool, backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite if not_names && q.len() <= SHARED_RANGES_UP_TO => {
            "member_search INDEXED BY member_search_shared"
        }
        _ => "member_search",
    }
}

/// A membership to index: (org id, user id, its sort name, its member's email key).
pub type Indexed = (String, String, String, String);

/// Writes the terms of `memberships` (which have none yet), in statements
/// of at most 200 rows (1,000 values: under SQLite's old default limit).
pub async fn insert_terms(db: impl Executor<'_>, memberships: &[Indexed]) -> Result<()> {
    let rows: Vec<[Bind; 5]> = memberships
        .iter()
        .flat_map(|(org_id, user_id, sort_name, email_key)| {
            terms(sort_name, email_key).into_iter().map(move |t| {
                let shared = shared_prefix(&t, sort_name.as_bytes()) as i64;
                [
                    Bind::from(org_id.as_str()),
                    Bind::Bytes(t),
                    Bind::Bytes(sort_name.as_bytes().to_vec()),
                    Bind::from(user_id.as_str()),
                    Bind::Int(shared),
                ]
            })
        })
        .collect();
    on!(db, |db| {
        for chunk in rows.chunks(200) {
            let mut sql = Sql::new("INSERT INTO member_search (org_id, term, name, user_id, shared) VALUES ");
            sql.values(chunk.iter().cloned());
            sql.push(" ON CONFLICT DO NOTHING");
            sql.query().execute(&mut *db).await?;
        }
        Ok(())
    })
}

/// The terms of one membership, written anew from its current row and user.
pub async fn index_membership(db: impl Executor<'_>, org_id: &str, user_id: &str) -> Result<()> {
    on!(db, |db| {
        sqlx::query("DELETE FROM member_search WHERE org_id = $1 AND user_id = $2")
            .bind(org_id)
            .bind(user_id)
            .execute(&mut *db)
            .await?;
        let rows: Vec<Indexed> = sqlx::query_as(
            "SELECT m.org_id, m.user_id, m.sort_name, u.email_key FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.org_id = $1 AND m.user_id = $2",
        )
        .bind(org_id)
        .bind(user_id)
        .fetch_all(&mut *db)
        .await?;
        insert_terms(&mut *db, &rows).await
    })
}

/// The terms of every membership of `user_id`, written anew (after a new
/// name or email key).
pub async fn index_user(db: impl Executor<'_>, user_id: &str) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "DELETE FROM member_search WHERE user_id = $1 \
             AND org_id IN (SELECT org_id FROM memberships WHERE user_id = $1)",
        )
        .bind(user_id)
        .execute(&mut *db)
        .await?;
        let rows: Vec<Indexed> = sqlx::query_as(
            "SELECT m.org_id, m.user_id, m.sort_name, u.email_key FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.user_id = $1",
        )
        .bind(user_id)
        .fetch_all(&mut *db)
        .await?;
        insert_terms(&mut *db, &rows).await
    })
}

/// Indexes every membership of the database (the data step that fills the
/// table once, after migration 0017): replaces whatever rows were there.
pub async fn index_all(db: impl Executor<'_>) -> Result<()> {
    on!(db, |db| {
        sqlx::query("DELETE FROM member_search").execute(&mut *db).await?;
        let rows: Vec<Indexed> = sqlx::query_as(
            "SELECT m.org_id, m.user_id, m.sort_name, u.email_key FROM memberships m JOIN users u ON u.id = m.user_id",
        )
        .fetch_all(&mut *db)
        .await?;
        insert_terms(&mut *db, &rows).await
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_start_at_every_word_and_the_email() {
        let t = terms("zoe ahmed-li", "zoe@x.test");
        let t: Vec<&str> = t.iter().map(|b| std::str::from_utf8(b).unwrap()).collect();
        assert_eq!(t, ["zoe ahmed-li", "ahmed-li", "zoe@x.test"]);
        // Two spaces: the old rule (`LIKE '% q%'`) matched after each one.
        let t = terms("a  b", "b");
        let t: Vec<&str> = t.iter().map(|b| std::str::from_utf8(b).unwrap()).collect();
        assert_eq!(t, ["a  b", " b", "b"]);
    }

    #[test]
    fn a_term_of_a_member_whose_name_starts_with_q_shares_at_least_q() {
        // For q a prefix of the term: the name starts with q exactly when
        // the shared part is at least q long.
        let name = "ada adams";
        for (term, q, name_starts) in [
            ("ada adams", "ada", true),
            ("adams", "ada", true),
            ("adams", "adam", false),
            ("ada.adams3@x", "ada.", false),
        ] {
            assert!(term.starts_with(q));
            let shared = shared_prefix(term.as_bytes(), name.as_bytes());
            assert_eq!(shared >= q.len(), name_starts, "{term} {q}");
            assert_eq!(name.starts_with(q), name_starts);
        }
    }

    #[test]
    fn a_text_prefix_is_the_range_up_to_the_next_character() {
        assert_eq!(text_prefix_range("zoe"), Some(("zoe".into(), "zof".into())));
        assert_eq!(text_prefix_range("a\u{D7FF}"), Some(("a\u{D7FF}".into(), "a\u{E000}".into())));
        assert_eq!(text_prefix_range("a\u{10FFFF}"), Some(("a\u{10FFFF}".into(), "b".into())));
        assert_eq!(text_prefix_range("\u{10FFFF}"), None);
    }

    #[test]
    fn a_prefix_is_a_byte_range() {
        let (low, high) = prefix_range("zoé");
        for term in ["zoé", "zoé ahmed", "zoéz"] {
            assert!(term.as_bytes() >= low.as_slice() && term.as_bytes() < high.as_slice(), "{term}");
        }
        for term in ["zoe", "zof", "zo", "zoê"] {
            assert!(!(term.as_bytes() >= low.as_slice() && term.as_bytes() < high.as_slice()), "{term}");
        }
    }
}
