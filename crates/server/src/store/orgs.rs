//! Organizations: the `orgs` table.

use super::on;
use orgdesk_core::validate;

/// How a request names an org: by id when the reference has an id's shape,
/// by slug otherwise (slugs never take the id shape, `validate::slug`), so
/// a reference names at most one org.
#[derive(Clone, Copy, Debug)]
pub enum OrgRef<'a> {
    Id(&'a str),
    Slug(&'a str),
}

impl<'a> OrgRef<'a> {
    /// `reference` lower-cased already.
    pub fn of(reference: &'a str) -> OrgRef<'a> {
        if validate::is_id_shaped(reference) {
            OrgRef::Id(reference)
        } else {
            OrgRef::Slug(reference)
        }
    }

    /// The column it is compared with, on `orgs o`.
    pub(super) fn column(self) -> &'static str {
        match self {
            OrgRef::Id(_) => "o.id",
            OrgRef::Slug(_) => "o.slug",
        }
    }

    pub(super) fn value(self) -> &'a str {
        match self {
            OrgRef::Id(v) | OrgRef::Slug(v) => v,
        }
    }
}

use super::{Executor, Result};
use crate::db::{Db, Sql};

#[derive(sqlx::FromRow)]
pub struct OrgRow {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub default_language: String,
    pub timezone: String,
    pub invitation_lifetime_days: i64,
    pub personal: i64,
    pub has_logo: i64,
    pub member_count: i64,
    pub created_at: i64,
    pub version: i64,
}

pub async fn org(db: impl Executor<'_>, org_id: &str) -> Result<Option<OrgRow>> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT id, name, slug, default_language, timezone, invitation_lifetime_days, personal, \
                    CAST(CASE WHEN logo_data IS NULL THEN 0 ELSE 1 END AS BIGINT) AS has_logo, \
                    (SELECT COUNT(*) FROM memberships m WHERE m.org_id = orgs.id) AS member_count, created_at, version \
             FROM orgs WHERE id = $1",
        )
        .bind(org_id)
        .fetch_optional(db)
        .await
    })
}

/// What an invitation needs of its org: name, time zone, lifetime, logo.
#[derive(sqlx::FromRow)]
pub struct InvitingOrg {
    pub id: String,
    pub name: String,
    pub timezone: String,
    pub lifetime_days: i64,
    /// 0 or 1 (the `Any` driver has no boolean type).
    pub has_logo: i64,
}

pub async fn inviting_org(db: impl Executor<'_>, org_id: &str) -> Result<Option<InvitingOrg>> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT id, name, timezone, invitation_lifetime_days AS lifetime_days, \
             CAST(CASE WHEN logo_data IS NULL THEN 0 ELSE 1 END AS BIGINT) AS has_logo FROM orgs WHERE id = $1",
        )
        .bind(org_id)
        .fetch_optional(db)
        .await
    })
}

pub struct NewOrg<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub slug: &'a str,
    pub personal: bool,
    pub created_at: i64,
}

/// Inserts the org with the default settings; false when its slug is taken.
pub async fn insert_if_slug_free(db: impl Executor<'_>, new: &NewOrg<'_>) -> Result<bool> {
    on!(db, |db| {
        let inserted = sqlx::query(
            "INSERT INTO orgs (id, name, slug, default_language, timezone, invitation_lifetime_days, personal, created_at) \
             VALUES ($1, $2, $3, 'en', 'UTC', 7, $4, $5) ON CONFLICT (slug) DO NOTHING",
        )
        .bind(new.id)
        .bind(new.name)
        .bind(new.slug)
        .bind(new.personal as i64)
        .bind(new.created_at)
        .execute(db)
        .await?;
        Ok(inserted.rows_affected() == 1)
    })
}

/// Many orgs with the default settings, in one statement per 500 (demo
/// seeding; slugs must be free).
pub async fn insert_many(conn: &mut super::Conn, orgs: &[NewOrg<'_>]) -> Result<()> {
    on!(conn, |conn| {
        use crate::db::{Bind, Sql};
        for chunk in orgs.chunks(500) {
            let mut sql = Sql::new(
                "INSERT INTO orgs (id, name, slug, default_language, timezone, invitation_lifetime_days, personal, created_at) VALUES ",
            );
            sql.values(chunk.iter().map(|o| {
                [
                    Bind::from(o.id),
                    Bind::from(o.name),
                    Bind::from(o.slug),
                    Bind::from("en"),
                    Bind::from("UTC"),
                    Bind::from(7i64),
                    Bind::from(o.personal as i64),
                    Bind::from(o.created_at),
                ]
            }));
            sql.query().execute(&mut *conn).await?;
        }
        Ok(())
    })
}

pub async fn slug_taken(db: impl Executor<'_>, slug: &str) -> Result<bool> {
    on!(db, |db| {
        let taken: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM orgs WHERE slug = $1").bind(slug).fetch_one(db).await?;
        Ok(taken > 0)
    })
}

/// One of my orgs, with my role and its permissions.
#[derive(sqlx::FromRow)]
pub struct MyOrgRow {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub personal: i64,
    pub has_logo: i64,
    pub role: String,
    pub role_name: String,
    pub builtin: i64,
    pub permissions: String,
    pub status: String,
}

/// The orgs `user_id` belongs to, by name (SQLite's read path).
pub async fn mine(db: &Db, user_id: &str) -> Result<Vec<MyOrgRow>> {
    let mut sql = Sql::new(
        "SELECT o.id, o.name, o.slug, o.personal, CAST(CASE WHEN o.logo_data IS NULL THEN 0 ELSE 1 END AS BIGINT) AS has_logo, \
                m.role, r.name AS role_name, r.builtin, r.permissions, m.status \
         FROM memberships m JOIN orgs o ON o.id = m.org_id JOIN roles r ON r.org_id = m.org_id AND r.role_key = m.role \
         WHERE m.user_id = $1 ORDER BY LOWER(o.name), o.id",
    );
    sql.bind_value(user_id);
    let read = db.read(&sql, |r| {
        Ok(MyOrgRow {
            id: r.get("id")?,
            name: r.get("name")?,
            slug: r.get("slug")?,
            personal: r.get("personal")?,
            has_logo: r.get("has_logo")?,
            role: r.get("role")?,
            role_name: r.get("role_name")?,
            builtin: r.get("builtin")?,
            permissions: r.get("permissions")?,
            status: r.get("status")?,
        })
    });
    match read.await {
        Some(rows) => rows,
        None => on!(&db.pool, |e| sql.query_as().fetch_all(e).await),
    }
}

/// The settings an admin changes.
pub struct Settings<'a> {
    pub name: &'a str,
    pub slug: &'a str,
    pub default_language: &'a str,
    pub timezone: &'a str,
    pub invitation_lifetime_days: i64,
}

/// Writes the settings if the org is still at `version`, and bumps it; false
/// when it moved on. Fails with the `OrgSlug` constraint when the slug is taken.
pub async fn update_settings(
    db: impl Executor<'_>,
    org_id: &str,
    version: i64,
    settings: &Settings<'_>,
) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query(
            "UPDATE orgs SET name = $1, slug = $2, default_language = $3, timezone = $4, invitation_lifetime_days = $5, \
                    version = version + 1 WHERE id = $6 AND version = $7",
        )
        .bind(settings.name)
        .bind(settings.slug)
        .bind(settings.default_language)
        .bind(settings.timezone)
        .bind(settings.invitation_lifetime_days)
        .bind(org_id)
        .bind(version)
        .execute(db)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Stores a logo (base64) and bumps the version.
pub async fn set_logo(db: impl Executor<'_>, org_id: &str, content_type: &str, base64_data: &str) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE orgs SET logo_type = $1, logo_data = $2, version = version + 1 WHERE id = $3")
            .bind(content_type)
            .bind(base64_data)
            .bind(org_id)
            .execute(db)
            .await
            .map(|_| ())
    })
}

pub async fn remove_logo(db: impl Executor<'_>, org_id: &str) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE orgs SET logo_type = NULL, logo_data = NULL, version = version + 1 WHERE id = $1")
            .bind(org_id)
            .execute(db)
            .await
            .map(|_| ())
    })
}

/// The logo's content type and base64 data, when the org exists.
pub async fn logo(db: impl Executor<'_>, org_id: &str) -> Result<Option<(Option<String>, Option<String>)>> {
    on!(db, |db| {
        sqlx::query_as("SELECT logo_type, logo_data FROM orgs WHERE id = $1").bind(org_id).fetch_optional(db).await
    })
}

/// Takes the org row's write lock for the rest of the transaction (a no-op
/// update: PostgreSQL holds its row lock until commit, SQLite has one writer
/// anyway).
pub async fn lock(db: impl Executor<'_>, org_id: &str) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE orgs SET version = version WHERE id = $1").bind(org_id).execute(db).await.map(|_| ())
    })
}

/// Deletes the org with its invitations, memberships and roles; the audit
/// trail stays.
pub async fn delete(conn: &mut super::Conn, org_id: &str) -> Result<()> {
    on!(conn, |conn| {
        sqlx::query("DELETE FROM invitations WHERE org_id = $1").bind(org_id).execute(&mut *conn).await?;
        sqlx::query("DELETE FROM memberships WHERE org_id = $1").bind(org_id).execute(&mut *conn).await?;
        sqlx::query("DELETE FROM roles WHERE org_id = $1").bind(org_id).execute(&mut *conn).await?;
        sqlx::query("DELETE FROM orgs WHERE id = $1").bind(org_id).execute(&mut *conn).await?;
        Ok(())
    })
}
