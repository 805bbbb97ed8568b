//! Accounts: the `users` table.

use super::on;
use super::{Executor, Result};

#[derive(sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub timezone: String,
    pub email_verified_at: Option<i64>,
    pub created_at: i64,
}

/// An account's address, name and time zone: what an email to it needs.
#[derive(sqlx::FromRow)]
pub struct Addressee {
    pub id: String,
    pub email: String,
    pub name: String,
    pub timezone: String,
}

pub struct NewUser<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub email_key: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub timezone: &'a str,
    pub email_verified_at: Option<i64>,
    pub created_at: i64,
}

pub async fn user(db: impl Executor<'_>, user_id: &str) -> Result<Option<UserRow>> {
    on!(db, |db| {
        sqlx::query_as("SELECT id, email, name, timezone, email_verified_at, created_at FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(db)
            .await
    })
}

/// Fails with the `UserEmail` constraint when the address is taken.
pub async fn insert(db: impl Executor<'_>, new: &NewUser<'_>) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "INSERT INTO users (id, email, email_key, name, password_hash, timezone, email_verified_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new.id)
        .bind(new.email)
        .bind(new.email_key)
        .bind(new.name)
        .bind(new.password_hash)
        .bind(new.timezone)
        .bind(new.email_verified_at)
        .bind(new.created_at)
        .execute(db)
        .await
        .map(|_| ())
    })
}

/// Many accounts, in one statement per 400 (demo seeding).
pub async fn insert_many(conn: &mut super::Conn, users: &[NewUser<'_>]) -> Result<()> {
    on!(conn, |conn| {
        use crate::db::{Bind, Sql};
        for chunk in users.chunks(400) {
            let mut sql = Sql::new(
                "INSERT INTO users (id, email, email_key, name, password_hash, timezone, email_verified_at, created_at) VALUES ",
            );
            sql.values(chunk.iter().map(|u| {
                [
                    Bind::from(u.id),
                    Bind::from(u.email),
                    Bind::from(u.email_key),
                    Bind::from(u.name),
                    Bind::from(u.password_hash),
                    Bind::from(u.timezone),
                    Bind::from(u.email_verified_at),
                    Bind::from(u.created_at),
                ]
            }));
            sql.query().execute(&mut *conn).await?;
        }
        Ok(())
    })
}

pub async fn name(db: impl Executor<'_>, user_id: &str) -> Result<String> {
    on!(db, |db| sqlx::query_scalar("SELECT name FROM users WHERE id = $1").bind(user_id).fetch_one(db).await)
}

pub async fn timezone(db: impl Executor<'_>, user_id: &str) -> Result<String> {
    on!(db, |db| sqlx::query_scalar("SELECT timezone FROM users WHERE id = $1").bind(user_id).fetch_one(db).await)
}

pub async fn password_hash(db: impl Executor<'_>, user_id: &str) -> Result<String> {
    on!(db, |db| {
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1").bind(user_id).fetch_one(db).await
    })
}

pub async fn id_by_email_key(db: impl Executor<'_>, email_key: &str) -> Result<Option<String>> {
    on!(db, |db| {
        sqlx::query_scalar("SELECT id FROM users WHERE email_key = $1").bind(email_key).fetch_optional(db).await
    })
}

/// The account holding an address, and when it confirmed it.
pub async fn verification_by_email_key(
    db: impl Executor<'_>,
    email_key: &str,
) -> Result<Option<(String, Option<i64>)>> {
    on!(db, |db| {
        sqlx::query_as("SELECT id, email_verified_at FROM users WHERE email_key = $1")
            .bind(email_key)
            .fetch_optional(db)
            .await
    })
}

/// The account's id and password hash, for a sign-in.
pub async fn credentials_by_email_key(db: impl Executor<'_>, email_key: &str) -> Result<Option<(String, String)>> {
    on!(db, |db| {
        sqlx::query_as("SELECT id, password_hash FROM users WHERE email_key = $1")
            .bind(email_key)
            .fetch_optional(db)
            .await
    })
}

pub async fn email_key_in_use(db: impl Executor<'_>, email_key: &str) -> Result<bool> {
    on!(db, |db| {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE email_key = $1").bind(email_key).fetch_one(db).await?;
        Ok(count > 0)
    })
}

pub async fn addressee(db: impl Executor<'_>, user_id: &str) -> Result<Addressee> {
    on!(db, |db| {
        sqlx::query_as("SELECT id, email, name, timezone FROM users WHERE id = $1").bind(user_id).fetch_one(db).await
    })
}

pub async fn addressee_by_email_key(db: impl Executor<'_>, email_key: &str) -> Result<Option<Addressee>> {
    on!(db, |db| {
        sqlx::query_as("SELECT id, email, name, timezone FROM users WHERE email_key = $1")
            .bind(email_key)
            .fetch_optional(db)
            .await
    })
}

/// Marks the address verified at `at` unless it was already.
pub async fn mark_verified(db: impl Executor<'_>, user_id: &str, at: i64) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE users SET email_verified_at = $1 WHERE id = $2 AND email_verified_at IS NULL")
            .bind(at)
            .bind(user_id)
            .execute(db)
            .await
            .map(|_| ())
    })
}

pub async fn set_name(db: impl Executor<'_>, user_id: &str, name: &str) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE users SET name = $1 WHERE id = $2").bind(name).bind(user_id).execute(db).await.map(|_| ())
    })
}

pub async fn set_timezone(db: impl Executor<'_>, user_id: &str, timezone: &str) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE users SET timezone = $1 WHERE id = $2")
            .bind(timezone)
            .bind(user_id)
            .execute(db)
            .await
            .map(|_| ())
    })
}

/// A new password through a reset link, which also proves the address.
pub async fn reset_password(db: impl Executor<'_>, user_id: &str, password_hash: &str, at: i64) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "UPDATE users SET password_hash = $1, email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $3",
        )
        .bind(password_hash)
        .bind(at)
        .bind(user_id)
        .execute(db)
        .await
        .map(|_| ())
    })
}

/// Moves the account to a new, verified address. Fails with the `UserEmail`
/// constraint when another account took it.
pub async fn move_address(db: impl Executor<'_>, user_id: &str, email: &str, email_key: &str, at: i64) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE users SET email = $1, email_key = $2, email_verified_at = $3 WHERE id = $4")
            .bind(email)
            .bind(email_key)
            .bind(at)
            .bind(user_id)
            .execute(&mut *db)
            .await?;
        super::member_search::index_user(db, user_id).await
    })
}

/// Every account's (id, email, email_key), for recomputing the keys.
pub async fn email_keys(db: impl Executor<'_>) -> Result<Vec<(String, String, String)>> {
    on!(db, |db| sqlx::query_as("SELECT id, email, email_key FROM users").fetch_all(db).await)
}

pub async fn set_email_key(db: impl Executor<'_>, user_id: &str, email_key: &str) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE users SET email_key = $1 WHERE id = $2")
            .bind(email_key)
            .bind(user_id)
            .execute(&mut *db)
            .await?;
        super::member_search::index_user(db, user_id).await
    })
}
