//! Teams: named groups of an organization's members (`teams:manage` to
//! change them, `members:read` to see them). A team member is a membership
//! of the same org, so removing someone from the org removes them from its
//! teams in the same statement (the foreign key cascades). In a partner org,
//! teams are what relationships' roles are assigned to (`crate::partners`).

use orgdesk_core::api::{AuditAction, CreateTeam, Team, TeamMember, UpdateTeam};
use orgdesk_core::{validate, ErrorCode, Permission};
use serde_json::json;

use crate::access::OrgAccess;
use crate::audit::{self, Change};
use crate::auth::AuthUser;
use crate::db::{violation, Constraint, Db};
use crate::error::{field, ApiError, ApiResult};
use crate::store::{
    self,
    teams::{NewTeam, TeamRow},
    Conn,
};
use crate::time::{new_id, now_ms, rfc3339};

impl From<TeamRow> for Team {
    fn from(r: TeamRow) -> Team {
        Team {
            id: r.id,
            org_id: r.org_id,
            name: r.name,
            member_count: r.member_count,
            created_at: rfc3339(r.created_at),
        }
    }
}

fn name_of(raw: &str) -> ApiResult<(String, String)> {
    let name = validate::person_name(raw).map_err(field("name"))?;
    let key = name.to_lowercase();
    Ok((name, key))
}

fn team_exists(name: &str) -> ApiError {
    ApiError::new(ErrorCode::TeamExists, format!("This organization has a team \"{name}\" already."))
}

pub async fn load(conn: &mut Conn, org_id: &str, team_id: &str) -> ApiResult<Team> {
    let row = store::teams::team(conn, org_id, team_id).await?;
    row.map(Team::from).ok_or_else(|| ApiError::not_found("team"))
}

pub async fn list(db: &Db, access: &OrgAccess) -> ApiResult<Vec<Team>> {
    access.require(Permission::MembersRead)?;
    Ok(store::teams::of_org(&db.pool, &access.org_id).await?.into_iter().map(Team::from).collect())
}

pub async fn get(db: &Db, access: &OrgAccess, team_id: &str) -> ApiResult<Team> {
    access.require(Permission::MembersRead)?;
    let mut conn = db.pool.acquire().await?;
    load(&mut conn, &access.org_id, team_id).await
}

/// The teams a member of the org is in.
pub async fn of_member(db: &Db, access: &OrgAccess, user_id: &str) -> ApiResult<Vec<Team>> {
    access.require(Permission::MembersRead)?;
    let mut conn = db.pool.acquire().await?;
    crate::members::load_member(&mut conn, &access.org_id, user_id).await?;
    Ok(store::teams::of_member(&mut conn, &access.org_id, user_id).await?.into_iter().map(Team::from).collect())
}

pub async fn members(db: &Db, access: &OrgAccess, team_id: &str) -> ApiResult<Vec<TeamMember>> {
    access.require(Permission::MembersRead)?;
    let mut conn = db.pool.acquire().await?;
    load(&mut conn, &access.org_id, team_id).await?;
    let rows = store::teams::members(&mut conn, team_id).await?;
    Ok(rows
        .into_iter()
        .map(|r| TeamMember { user_id: r.user_id, name: r.name, email: r.email, added_at: rfc3339(r.added_at) })
        .collect())
}

pub async fn create(db: &Db, access: &OrgAccess, req: CreateTeam) -> ApiResult<Team> {
    access.require(Permission::TeamsManage)?;
    let (name, name_key) = name_of(&req.name)?;
    let id = new_id();
    let mut tx = db.write().await?;
    let new = NewTeam { id: &id, org_id: &access.org_id, name: &name, name_key: &name_key, created_at: now_ms() };
    match store::teams::insert(tx.conn(), &new).await {
        Ok(()) => {}
        Err(e) if violation(&e) == Some(Constraint::TeamName) => return Err(team_exists(&name)),
        Err(e) => return Err(e.into()),
    }
    let change = Change::new(AuditAction::TeamCreated, Some(&id)).after(json!({"name": name}));
    audit::record(tx.conn(), &access.org_id, &access.actor, change).await?;
    let team = load(tx.conn(), &access.org_id, &id).await?;
    tx.commit().await?;
    Ok(team)
}

pub async fn rename(db: &Db, access: &OrgAccess, team_id: &str, req: UpdateTeam) -> ApiResult<Team> {
    access.require(Permission::TeamsManage)?;
    let (name, name_key) = name_of(&req.name)?;
    let mut tx = db.write().await?;
    let before = load(tx.conn(), &access.org_id, team_id).await?;
    match store::teams::rename(tx.conn(), &access.org_id, team_id, &name, &name_key).await {
        Ok(true) => {}
        Ok(false) => return Err(ApiError::not_found("team")),
        Err(e) if violation(&e) == Some(Constraint::TeamName) => return Err(team_exists(&name)),
        Err(e) => return Err(e.into()),
    }
    if before.name != name {
        let change = Change::new(AuditAction::TeamRenamed, Some(team_id))
            .before(json!({"name": before.name}))
            .after(json!({"name": name}));
        audit::record(tx.conn(), &access.org_id, &access.actor, change).await?;
    }
    let team = load(tx.conn(), &access.org_id, team_id).await?;
    tx.commit().await?;
    Ok(team)
}

/// Deletes a team; its members stay members of the org, and the partner
/// roles assigned to it (if any) go with it.
pub async fn delete(db: &Db, access: &OrgAccess, user: &AuthUser, team_id: &str) -> ApiResult<()> {
    access.require(Permission::TeamsManage)?;
    let mut tx = db.write().await?;
    let before = load(tx.conn(), &access.org_id, team_id).await?;
    crate::partners::before_team_deleted(tx.conn(), access, user, team_id).await?;
    if !store::teams::delete(tx.conn(), &access.org_id, team_id).await? {
        return Err(ApiError::not_found("team"));
    }
    let change = Change::new(AuditAction::TeamDeleted, Some(team_id))
        .before(json!({"name": before.name, "member_count": before.member_count}));
    audit::record(tx.conn(), &access.org_id, &access.actor, change).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a member of the org to the team (already in it: unchanged, no event).
pub async fn add_member(db: &Db, access: &OrgAccess, team_id: &str, user_id: &str) -> ApiResult<Vec<TeamMember>> {
    access.require(Permission::TeamsManage)?;
    let mut tx = db.write().await?;
    load(tx.conn(), &access.org_id, team_id).await?;
    crate::members::load_member(tx.conn(), &access.org_id, user_id).await?;
    // One statement checks the membership and adds the row (a removal
    // committed meanwhile is `Constraint::TeamMembership`: 404).
    let added = store::teams::add_member(tx.conn(), &access.org_id, team_id, user_id, now_ms()).await?;
    if added {
        let change = Change::new(AuditAction::TeamMemberAdded, Some(team_id)).after(json!({"user_id": user_id}));
        audit::record(tx.conn(), &access.org_id, &access.actor, change).await?;
    } else if !store::teams::has_member(tx.conn(), team_id, user_id).await? {
        return Err(ApiError::not_found("member"));
    }
    tx.commit().await?;
    members(db, access, team_id).await
}

pub async fn remove_member(db: &Db, access: &OrgAccess, team_id: &str, user_id: &str) -> ApiResult<()> {
    access.require(Permission::TeamsManage)?;
    let mut tx = db.write().await?;
    load(tx.conn(), &access.org_id, team_id).await?;
    if !store::teams::remove_member(tx.conn(), &access.org_id, team_id, user_id).await? {
        return Err(ApiError::not_found("team member"));
    }
    let change = Change::new(AuditAction::TeamMemberRemoved, Some(team_id)).before(json!({"user_id": user_id}));
    audit::record(tx.conn(), &access.org_id, &access.actor, change).await?;
    tx.commit().await?;
    Ok(())
}
