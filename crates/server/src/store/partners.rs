//! Partner relationships: `partner_relationships`, the roles they grant
//! (`partner_roles`) and the partner teams that hold them
//! (`partner_assignments`), and the per-request read of delegated access.

use super::on;
use super::orgs::OrgRef;
use super::{Executor, Result};

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct RelationshipRow {
    pub id: String,
    pub partner_org_id: String,
    pub partner_name: String,
    pub partner_slug: String,
    pub customer_org_id: String,
    pub customer_name: String,
    pub customer_slug: String,
    pub status: String,
    pub ends_at: i64,
    pub created_at: i64,
    pub accepted_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub created_workspace: i64,
    pub handoff_invitation_id: Option<String>,
    pub handed_off_at: Option<i64>,
}

const REL_COLUMNS: &str = "r.id, r.partner_org_id, p.name AS partner_name, p.slug AS partner_slug, \
     r.customer_org_id, c.name AS customer_name, c.slug AS customer_slug, r.status, r.ends_at, r.created_at, \
     r.accepted_at, r.ended_at, r.created_workspace, r.handoff_invitation_id, r.handed_off_at";

const REL_FROM: &str = "FROM partner_relationships r JOIN orgs p ON p.id = r.partner_org_id \
     JOIN orgs c ON c.id = r.customer_org_id";

pub struct NewRelationship<'a> {
    pub id: &'a str,
    pub partner_org_id: &'a str,
    pub customer_org_id: &'a str,
    pub status: &'a str,
    pub ends_at: i64,
    pub requested_by: Option<&'a str>,
    pub request_token_hash: Option<&'a str>,
    pub created_at: i64,
    pub created_workspace: bool,
}

/// Fails on `partner_relationships_one_open` when the pair has a requested
/// or active relationship.
pub async fn insert(db: impl Executor<'_>, new: &NewRelationship<'_>) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "INSERT INTO partner_relationships (id, partner_org_id, customer_org_id, status, ends_at, requested_by, \
             request_token_hash, created_at, accepted_at, created_workspace) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $4 = 'active' THEN $8 END, $9)",
        )
        .bind(new.id)
        .bind(new.partner_org_id)
        .bind(new.customer_org_id)
        .bind(new.status)
        .bind(new.ends_at)
        .bind(new.requested_by)
        .bind(new.request_token_hash)
        .bind(new.created_at)
        .bind(i64::from(new.created_workspace))
        .execute(db)
        .await
        .map(|_| ())
    })
}

pub async fn insert_role(
    db: impl Executor<'_>,
    relationship_id: &str,
    customer_org_id: &str,
    role: &str,
) -> Result<()> {
    on!(db, |db| {
        sqlx::query(
            "INSERT INTO partner_roles (relationship_id, customer_org_id, role_key) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(relationship_id)
        .bind(customer_org_id)
        .bind(role)
        .execute(db)
        .await
        .map(|_| ())
    })
}

/// The relationship's roles, by key.
pub async fn roles(db: impl Executor<'_>, relationship_id: &str) -> Result<Vec<String>> {
    on!(db, |db| {
        sqlx::query_scalar("SELECT role_key FROM partner_roles WHERE relationship_id = $1 ORDER BY role_key")
            .bind(relationship_id)
            .fetch_all(db)
            .await
    })
}

/// Marks a pair's requested or active relationships whose end passed as
/// expired (so a new one can be made), and answers those it marked first,
/// whose expiry's events the caller writes.
pub async fn expire_lapsed_pair(
    db: impl Executor<'_>,
    partner: &str,
    customer: &str,
    now: i64,
) -> Result<Vec<ExpiredRow>> {
    on!(db, |db| {
        sqlx::query_as(
            "UPDATE partner_relationships SET status = 'expired', expiry_noticed_at = $3, version = version + 1 \
             WHERE partner_org_id = $1 AND customer_org_id = $2 AND status IN ('requested', 'active') \
             AND ends_at <= $3 AND expiry_noticed_at IS NULL \
             RETURNING id, partner_org_id, customer_org_id, ends_at",
        )
        .bind(partner)
        .bind(customer)
        .bind(now)
        .fetch_all(db)
        .await
    })
}

/// One relationship, seen from `org_id`'s side (`partner_org_id` or `customer_org_id`).
pub async fn of_side(db: impl Executor<'_>, side: Side, org_id: &str, id: &str) -> Result<Option<RelationshipRow>> {
    on!(db, |db| {
        sqlx::query_as(&format!("SELECT {REL_COLUMNS} {REL_FROM} WHERE r.{} = $1 AND r.id = $2", side.column()))
            .bind(org_id)
            .bind(id)
            .fetch_optional(db)
            .await
    })
}

/// Every relationship of `org_id` on that side, newest first.
pub async fn all_of_side(db: impl Executor<'_>, side: Side, org_id: &str) -> Result<Vec<RelationshipRow>> {
    on!(db, |db| {
        sqlx::query_as(&format!(
            "SELECT {REL_COLUMNS} {REL_FROM} WHERE r.{} = $1 ORDER BY r.created_at DESC, r.id DESC",
            side.column()
        ))
        .bind(org_id)
        .fetch_all(db)
        .await
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Partner,
    Customer,
}

impl Side {
    fn column(self) -> &'static str {
        match self {
            Side::Partner => "partner_org_id",
            Side::Customer => "customer_org_id",
        }
    }
}

/// The relationship a request link names.
pub async fn by_token_hash(db: impl Executor<'_>, hash: &str) -> Result<Option<RelationshipRow>> {
    on!(db, |db| {
        sqlx::query_as(&format!("SELECT {REL_COLUMNS} {REL_FROM} WHERE r.request_token_hash = $1"))
            .bind(hash)
            .fetch_optional(db)
            .await
    })
}

/// Requested → active, once: false when it was not requested any more, or its end passed.
pub async fn accept(db: impl Executor<'_>, id: &str, now: i64) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query(
            "UPDATE partner_relationships SET status = 'active', accepted_at = $2, request_token_hash = NULL, \
             version = version + 1 WHERE id = $1 AND status = 'requested' AND ends_at > $2",
        )
        .bind(id)
        .bind(now)
        .execute(db)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Requested or active (and not past its end) → ended, once.
pub async fn end(db: impl Executor<'_>, id: &str, now: i64, by_org_id: &str) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query(
            "UPDATE partner_relationships SET status = 'ended', ended_at = $2, ended_by_org_id = $3, \
             request_token_hash = NULL, version = version + 1 \
             WHERE id = $1 AND status IN ('requested', 'active') AND ends_at > $2",
        )
        .bind(id)
        .bind(now)
        .bind(by_org_id)
        .execute(db)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// A new end for an active relationship that has not ended or expired.
pub async fn renew(db: impl Executor<'_>, id: &str, ends_at: i64, now: i64) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query(
            "UPDATE partner_relationships SET ends_at = $2, expiry_noticed_at = NULL, version = version + 1 \
             WHERE id = $1 AND status = 'active' AND ends_at > $3",
        )
        .bind(id)
        .bind(ends_at)
        .bind(now)
        .execute(db)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// Takes the relationship row's write lock until commit.
pub async fn lock(db: impl Executor<'_>, id: &str) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE partner_relationships SET version = version WHERE id = $1")
            .bind(id)
            .execute(db)
            .await
            .map(|_| ())
    })
}

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct AssignmentRow {
    pub team_id: String,
    pub team_name: String,
    pub role_key: String,
}

pub async fn assignments(db: impl Executor<'_>, relationship_id: &str) -> Result<Vec<AssignmentRow>> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT a.team_id, t.name AS team_name, a.role_key FROM partner_assignments a \
             JOIN teams t ON t.id = a.team_id WHERE a.relationship_id = $1 ORDER BY t.name_key, a.team_id, a.role_key",
        )
        .bind(relationship_id)
        .fetch_all(db)
        .await
    })
}

pub async fn clear_assignments(db: impl Executor<'_>, relationship_id: &str) -> Result<()> {
    on!(db, |db| {
        sqlx::query("DELETE FROM partner_assignments WHERE relationship_id = $1")
            .bind(relationship_id)
            .execute(db)
            .await
            .map(|_| ())
    })
}

/// Assigns one of the relationship's roles to a team of the partner org, in
/// one statement: nothing when the team is not the partner's or the role is
/// not the relationship's. Answers whether a row was written.
pub async fn assign(
    db: impl Executor<'_>,
    relationship_id: &str,
    partner_org_id: &str,
    team_id: &str,
    role: &str,
) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query(
            "INSERT INTO partner_assignments (relationship_id, role_key, team_id) \
             SELECT pr.relationship_id, pr.role_key, t.id FROM partner_roles pr \
             JOIN teams t ON t.id = $3 AND t.org_id = $2 \
             WHERE pr.relationship_id = $1 AND pr.role_key = $4 \
             ON CONFLICT DO NOTHING",
        )
        .bind(relationship_id)
        .bind(partner_org_id)
        .bind(team_id)
        .bind(role)
        .execute(db)
        .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// The relationships a team holds roles of (before it is deleted).
pub async fn relationships_of_team(db: impl Executor<'_>, team_id: &str) -> Result<Vec<(String, String)>> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT DISTINCT r.id, r.customer_org_id FROM partner_assignments a \
             JOIN partner_relationships r ON r.id = a.relationship_id WHERE a.team_id = $1",
        )
        .bind(team_id)
        .fetch_all(db)
        .await
    })
}

/// The names of the partner's people who hold access through the
/// relationship now: active members of the partner org in an assigned team.
pub async fn people(db: impl Executor<'_>, relationship_id: &str) -> Result<Vec<String>> {
    on!(db, |db| {
        sqlx::query_scalar(
            "SELECT u.name FROM users u WHERE u.id IN ( \
               SELECT tm.user_id FROM partner_relationships r \
               JOIN partner_assignments a ON a.relationship_id = r.id \
               JOIN team_members tm ON tm.team_id = a.team_id \
               JOIN memberships m ON m.org_id = r.partner_org_id AND m.user_id = tm.user_id AND m.status = 'active' \
               WHERE r.id = $1) \
             ORDER BY LOWER(u.name), u.id",
        )
        .bind(relationship_id)
        .fetch_all(db)
        .await
    })
}

/// One role a person holds in an org through a partner relationship.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct DelegatedRow {
    pub org_id: String,
    pub relationship_id: String,
    pub partner_org_id: String,
    pub partner_name: String,
    pub role_key: String,
    pub builtin: i64,
    pub permissions: String,
}

/// What `user_id` holds in the org `org` names through partner
/// relationships, now: a row per role of an active relationship whose end
/// has not passed, assigned to a partner team the person is in while an
/// active member of the partner org. Read per request (never cached), so an
/// end, a removal from the team or the org, or the end date passing holds on
/// every replica at the next request.
pub async fn delegated_access(
    db: impl Executor<'_>,
    org: OrgRef<'_>,
    user_id: &str,
    now: i64,
) -> Result<Vec<DelegatedRow>> {
    on!(db, |db| {
        sqlx::query_as(&format!(
            "SELECT o.id AS org_id, r.id AS relationship_id, r.partner_org_id, p.name AS partner_name, \
             a.role_key, ro.builtin, ro.permissions \
             FROM orgs o \
             JOIN partner_relationships r ON r.customer_org_id = o.id AND r.status = 'active' AND r.ends_at > $3 \
             JOIN orgs p ON p.id = r.partner_org_id \
             JOIN memberships m ON m.org_id = r.partner_org_id AND m.user_id = $2 AND m.status = 'active' \
             JOIN partner_assignments a ON a.relationship_id = r.id \
             JOIN teams t ON t.id = a.team_id AND t.org_id = r.partner_org_id \
             JOIN team_members tm ON tm.team_id = t.id AND tm.user_id = $2 \
             JOIN roles ro ON ro.org_id = o.id AND ro.role_key = a.role_key \
             WHERE {} = $1 AND a.role_key <> 'owner' \
             ORDER BY r.id, a.role_key",
            org.column()
        ))
        .bind(org.value())
        .bind(user_id)
        .bind(now)
        .fetch_all(db)
        .await
    })
}

pub async fn set_handoff_invitation(db: impl Executor<'_>, id: &str, invitation_id: &str) -> Result<()> {
    on!(db, |db| {
        sqlx::query("UPDATE partner_relationships SET handoff_invitation_id = $2 WHERE id = $1")
            .bind(id)
            .bind(invitation_id)
            .execute(db)
            .await
            .map(|_| ())
    })
}

/// Marks the hand-off of the workspace `org_id` done, once, when
/// `invitation_id` is its hand-off invitation: answers the relationship's
/// id and the partner org's id.
pub async fn complete_handoff(
    db: impl Executor<'_>,
    org_id: &str,
    invitation_id: &str,
    now: i64,
) -> Result<Option<(String, String)>> {
    on!(db, |db| {
        sqlx::query_as(
            "UPDATE partner_relationships SET handed_off_at = $3, version = version + 1 \
             WHERE customer_org_id = $1 AND handoff_invitation_id = $2 AND handed_off_at IS NULL \
             AND created_workspace = 1 RETURNING id, partner_org_id",
        )
        .bind(org_id)
        .bind(invitation_id)
        .bind(now)
        .fetch_optional(db)
        .await
    })
}

/// The partner org whose owner holds `org_id` as owner of record (a created
/// workspace not handed off yet).
pub async fn owner_of_record(db: impl Executor<'_>, org_id: &str) -> Result<Option<(String, String, String)>> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT p.id, p.name, p.slug FROM partner_relationships r JOIN orgs p ON p.id = r.partner_org_id \
             WHERE r.customer_org_id = $1 AND r.created_workspace = 1 AND r.handed_off_at IS NULL \
             ORDER BY r.created_at LIMIT 1",
        )
        .bind(org_id)
        .fetch_optional(db)
        .await
    })
}

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct ExpiredRow {
    pub id: String,
    pub partner_org_id: String,
    pub customer_org_id: String,
    pub ends_at: i64,
}

/// Claims active relationships whose end passed (marking them expired), at
/// most `limit`, each once across replicas.
pub async fn claim_expired(db: impl Executor<'_>, now: i64, limit: i64) -> Result<Vec<ExpiredRow>> {
    on!(db, |db| {
        sqlx::query_as(
            "UPDATE partner_relationships SET status = 'expired', expiry_noticed_at = $1, version = version + 1 \
             WHERE id IN (SELECT id FROM partner_relationships WHERE status = 'active' AND ends_at <= $1 \
             AND expiry_noticed_at IS NULL ORDER BY ends_at LIMIT $2) \
             AND status = 'active' AND expiry_noticed_at IS NULL \
             RETURNING id, partner_org_id, customer_org_id, ends_at",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(db)
        .await
    })
}

/// The addresses of the org's owner and admins (active), who may accept a
/// relationship request.
pub async fn admin_addresses(db: impl Executor<'_>, org_id: &str) -> Result<Vec<String>> {
    on!(db, |db| {
        sqlx::query_scalar(
            "SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE m.org_id = $1 AND m.role IN ('owner', 'admin') AND m.status = 'active' ORDER BY u.email",
        )
        .bind(org_id)
        .fetch_all(db)
        .await
    })
}

/// The org's owner's user id.
pub async fn owner_of(db: impl Executor<'_>, org_id: &str) -> Result<Option<String>> {
    on!(db, |db| {
        sqlx::query_scalar("SELECT user_id FROM memberships WHERE org_id = $1 AND role = 'owner'")
            .bind(org_id)
            .fetch_optional(db)
            .await
    })
}

/// The org `org` names: id, name, slug.
pub async fn org_by_ref(db: impl Executor<'_>, org: OrgRef<'_>) -> Result<Option<(String, String, String)>> {
    on!(db, |db| {
        sqlx::query_as(&format!("SELECT o.id, o.name, o.slug FROM orgs o WHERE {} = $1", org.column()))
            .bind(org.value())
            .fetch_optional(db)
            .await
    })
}

/// Ends the owner of record's membership at the hand-off (the one owner
/// row is deleted, so the new owner can take its place).
pub async fn remove_owner(db: impl Executor<'_>, org_id: &str, user_id: &str) -> Result<bool> {
    on!(db, |db| {
        let done = sqlx::query("DELETE FROM memberships WHERE org_id = $1 AND user_id = $2 AND role = 'owner'")
            .bind(org_id)
            .bind(user_id)
            .execute(db)
            .await?;
        Ok(done.rows_affected() == 1)
    })
}

/// A [`DelegatedRow`] with the names the org lists show.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct DelegatedOrgRow {
    #[sqlx(flatten)]
    pub access: DelegatedRow,
    pub org_name: String,
    pub org_slug: String,
    pub partner_slug: String,
    pub ends_at: i64,
}

/// Every org `user_id` holds delegated access to now, a row per role, by
/// org and then relationship id (the order [`delegated_access`] reads one
/// org's rows in, so both pick the same acting relationship): the same
/// joins as [`delegated_access`], for all orgs in one statement.
pub async fn delegated_orgs(db: impl Executor<'_>, user_id: &str, now: i64) -> Result<Vec<DelegatedOrgRow>> {
    on!(db, |db| {
        sqlx::query_as(
            "SELECT o.id AS org_id, r.id AS relationship_id, r.partner_org_id, p.name AS partner_name, \
             a.role_key, ro.builtin, ro.permissions, \
             o.name AS org_name, o.slug AS org_slug, p.slug AS partner_slug, r.ends_at \
             FROM partner_relationships r \
             JOIN orgs o ON o.id = r.customer_org_id \
             JOIN orgs p ON p.id = r.partner_org_id \
             JOIN memberships m ON m.org_id = r.partner_org_id AND m.user_id = $1 AND m.status = 'active' \
             JOIN partner_assignments a ON a.relationship_id = r.id \
             JOIN teams t ON t.id = a.team_id AND t.org_id = r.partner_org_id \
             JOIN team_members tm ON tm.team_id = t.id AND tm.user_id = $1 \
             JOIN roles ro ON ro.org_id = o.id AND ro.role_key = a.role_key \
             WHERE r.status = 'active' AND r.ends_at > $2 AND a.role_key <> 'owner' \
             GROUP BY o.id, r.id, r.partner_org_id, p.name, a.role_key, ro.builtin, ro.permissions, \
             o.name, o.slug, p.slug, r.ends_at \
             ORDER BY o.id, r.id, a.role_key",
        )
        .bind(user_id)
        .bind(now)
        .fetch_all(db)
        .await
    })
}
