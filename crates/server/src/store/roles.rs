//! Roles: the `roles` table (built-in rows store no permissions; the
//! built-in table in `orgdesk_core` is theirs).

use super::on;
use super::{Executor, Result};

pub async fn insert_builtin(
    db: impl Executor<'_>,
    org_id: &str,
    role_key: &str,
    name: &str,
    created_at: i64,
) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "INSERT INTO roles (org_id, role_key, name, builtin, permissions, created_at) VALUES ($1, $2, $3, 1, '', $4)",
        )
        .bind(org_id)
        .bind(role_key)
        .bind(name)
        .bind(created_at)
        .execute(db)
        .await
        .map(|_| ())
    })
}

/// The built-in roles (key, name) of many orgs, in one statement per 500 rows
/// (demo seeding).
pub async fn insert_builtin_many(
    conn: &mut super::Conn,
    org_ids: &[&str],
    roles: &[(&str, &str)],
    created_at: i64,
) -> Result<()> {
    on!(conn, |conn| {
        use crate::db::{Bind, Sql};
        let rows: Vec<(&str, &str, &str)> =
            org_ids.iter().flat_map(|org| roles.iter().map(move |(key, name)| (*org, *key, *name))).collect();
        for chunk in rows.chunks(500) {
            let mut sql =
                Sql::new("INSERT INTO roles (org_id, role_key, name, builtin, permissions, created_at) VALUES ");
            sql.values(chunk.iter().map(|(org, key, name)| {
                [
                    Bind::from(*org),
                    Bind::from(*key),
                    Bind::from(*name),
                    Bind::from(1i64),
                    Bind::from(""),
                    Bind::from(created_at),
                ]
            }));
            sql.query().execute(&mut *conn).await?;
        }
        Ok(())
    })
}

pub async fn insert_custom(
    db: impl Executor<'_>,
    org_id: &str,
    role_key: &str,
    name: &str,
    permissions: &str,
    created_at: i64,
) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "INSERT INTO roles (org_id, role_key, name, builtin, permissions, created_at) VALUES ($1, $2, $3, 0, $4, $5)",
        )
        .bind(org_id)
        .bind(role_key)
        .bind(name)
        .bind(permissions)
        .bind(created_at)
        .execute(db)
        .await
        .map(|_| ())
    })
}

/// A role with how many members hold it.
#[derive(sqlx::FromRow)]
pub struct RoleRow {
    pub role_key: String,
    pub name: String,
    pub builtin: i64,
    pub permissions: String,
    pub member_count: i64,
}

const ROLE_SELECT: &str = "SELECT r.role_key, r.name, r.builtin, r.permissions, \
    (SELECT COUNT(*) FROM memberships m WHERE m.org_id = r.org_id AND m.role = r.role_key) AS member_count \
    FROM roles r WHERE r.org_id = $1";

pub async fn of_org(db: impl Executor<'_>, org_id: &str) -> Result<Vec<RoleRow>> {
    on!(db, |db| sqlx::query_as(ROLE_SELECT).bind(org_id).fetch_all(db).await)
}

pub async fn role(db: impl Executor<'_>, org_id: &str, role_key: &str) -> Result<Option<RoleRow>> {
    on!(db, |db| {
        sqlx::query_as(&format!("{ROLE_SELECT} AND r.role_key = $2"))
            .bind(org_id)
            .bind(role_key)
            .fetch_optional(db)
            .await
    })
}

/// (builtin, stored permissions) of a role.
pub async fn permissions(db: impl Executor<'_>, org_id: &str, role_key: &str) -> Result<Option<(i64, String)>> {
    on!(db, |db| {
        sqlx::query_as("SELECT builtin, permissions FROM roles WHERE org_id = $1 AND role_key = $2")
            .bind(org_id)
            .bind(role_key)
            .fetch_optional(db)
            .await
    })
}

pub async fn name(db: impl Executor<'_>, org_id: &str, role_key: &str) -> Result<Option<String>> {
    on!(db, |db| {
        sqlx::query_scalar("SELECT name FROM roles WHERE org_id = $1 AND role_key = $2")
            .bind(org_id)
            .bind(role_key)
            .fetch_optional(db)
            .await
    })
}

/// Takes the role row's write lock until commit (see `orgs::lock`).
pub async fn lock(db: impl Executor<'_>, org_id: &str, role_key: &str) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE roles SET name = name WHERE org_id = $1 AND role_key = $2")
            .bind(org_id)
            .bind(role_key)
            .execute(db)
            .await
            .map(|_| ())
    })
}

pub async fn update(db: impl Executor<'_>, org_id: &str, role_key: &str, name: &str, permissions: &str) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE roles SET name = $1, permissions = $2 WHERE org_id = $3 AND role_key = $4")
            .bind(name)
            .bind(permissions)
            .bind(org_id)
            .bind(role_key)
            .execute(db)
            .await
            .map(|_| ())
    })
}

/// Deletes a role; false when there was none. Fails with the
/// `MembershipRole` constraint while a member holds it.
pub async fn delete(db: impl Executor<'_>, org_id: &str, role_key: &str) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query("DELETE FROM roles WHERE org_id = $1 AND role_key = $2")
            .bind(org_id)
            .bind(role_key)
            .execute(db)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}
