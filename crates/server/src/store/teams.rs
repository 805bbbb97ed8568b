//! Teams: the `teams` and `team_members` tables.

use super::on;
use super::{Executor, Result};

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct TeamRow {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub member_count: i64,
    pub created_at: i64,
}

const TEAM_COLUMNS: &str = "t.id, t.org_id, t.name, \
     (SELECT COUNT(*) FROM team_members tm WHERE tm.team_id = t.id) AS member_count, t.created_at";

/// The org's teams by name.
pub async fn of_org(db: impl Executor<'_>, org_id: &str) -> Result<Vec<TeamRow>> {
    on!(db, |db| {
        sqlx::query_as(&format!("SELECT {TEAM_COLUMNS} FROM teams t WHERE t.org_id = $1 ORDER BY t.name_key, t.id"))
            .bind(org_id)
            .fetch_all(db)
            .await
    })
}

/// One team of the org.
pub async fn team(db: impl Executor<'_>, org_id: &str, team_id: &str) -> Result<Option<TeamRow>> {
    on!(db, |db| {
        sqlx::query_as(&format!("SELECT {TEAM_COLUMNS} FROM teams t WHERE t.org_id = $1 AND t.id = $2"))
            .bind(org_id)
            .bind(team_id)
            .fetch_optional(db)
            .await
    })
}

/// The teams of the org that `user_id` is in.
pub async fn of_member(db: impl Executor<'_>, org_id: &str, user_id: &str) -> Result<Vec<TeamRow>> {
    on!(db, |db| {
        sqlx::query_as(&format!(
            "SELECT {TEAM_COLUMNS} FROM teams t JOIN team_members me ON me.team_id = t.id AND me.user_id = $2 \
             WHERE t.org_id = $1 ORDER BY t.name_key, t.id"
        ))
        .bind(org_id)
        .bind(user_id)
        .fetch_all(db)
        .await
    })
}

pub struct NewTeam<'a> {
    pub id: &'a str,
    pub org_id: &'a str,
    pub name: &'a str,
    pub name_key: &'a str,
    pub created_at: i64,
}

/// Fails on `teams_org_name` when the org has a team of that name.
pub async fn insert(db: impl Executor<'_>, new: &NewTeam<'_>) -> Result<()> {
    on!(db, |db| {
        sqlx::query("INSERT INTO teams (id, org_id, name, name_key, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(new.id)
            .bind(new.org_id)
            .bind(new.name)
            .bind(new.name_key)
            .bind(new.created_at)
            .execute(db)
            .await
            .map(|_| ())
    })
}

/// Renames a team; false when the org has no such team. Fails on
/// `teams_org_name` when another team has the name.
pub async fn rename(db: impl Executor<'_>, org_id: &str, team_id: &str, name: &str, name_key: &str) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query("UPDATE teams SET name = $1, name_key = $2 WHERE org_id = $3 AND id = $4")
            .bind(name)
            .bind(name_key)
            .bind(org_id)
            .bind(team_id)
            .execute(db)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Deletes a team with its members and assignments; false when there was none.
pub async fn delete(db: impl Executor<'_>, org_id: &str, team_id: &str) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query("DELETE FROM teams WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(team_id)
            .execute(db)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Adds a member of the org to one of its teams, in one statement: nothing
/// when the team is not the org's or the person is not its member. Answers
/// whether a row was added (false also when they were in the team already).
pub async fn add_member(db: impl Executor<'_>, org_id: &str, team_id: &str, user_id: &str, at: i64) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query(
            "INSERT INTO team_members (team_id, org_id, user_id, added_at) \
             SELECT t.id, m.org_id, m.user_id, $4 FROM teams t \
             JOIN memberships m ON m.org_id = t.org_id AND m.user_id = $3 \
             WHERE t.id = $2 AND t.org_id = $1 \
             ON CONFLICT DO NOTHING",
        )
        .bind(org_id)
        .bind(team_id)
        .bind(user_id)
        .bind(at)
        .execute(db)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Whether `user_id` is in the team.
pub async fn has_member(db: impl Executor<'_>, team_id: &str, user_id: &str) -> Result<bool> {
    on!(db, |db| {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM team_members WHERE team_id = $1 AND user_id = $2")
            .bind(team_id)
            .bind(user_id)
            .fetch_one(db)
            .await?;
        Ok(n > 0)
    })
}

pub async fn remove_member(db: impl Executor<'_>, org_id: &str, team_id: &str, user_id: &str) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query("DELETE FROM team_members WHERE org_id = $1 AND team_id = $2 AND user_id = $3")
            .bind(org_id)
            .bind(team_id)
            .bind(user_id)
            .execute(db)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct TeamMemberRow {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub added_at: i64,
}

/// A team's members by name.
pub async fn members(db: impl Executor<'_>, team_id: &str) -> Result<Vec<TeamMemberRow>> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT tm.user_id, u.name, u.email, tm.added_at FROM team_members tm JOIN users u ON u.id = tm.user_id \
             WHERE tm.team_id = $1 ORDER BY LOWER(u.name), tm.user_id",
        )
        .bind(team_id)
        .fetch_all(db)
        .await
    })
}
