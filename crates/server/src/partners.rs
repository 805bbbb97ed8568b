//! Partner relationships: a partner org acts in a customer org with named
//! roles until an end date, through the partner teams it assigns them to.
//!
//! - A relationship is **requested** by a partner admin (`partners:manage`)
//!   and starts when an owner or admin of the customer accepts it (by the
//!   emailed link, `POST /v1/partner-requests/{token}/accept`, or from the
//!   customer's own list); a partner that **creates a customer workspace**
//!   holds an active one from the start, and its owner is the new org's
//!   owner of record until the invited first owner accepts (the hand-off).
//! - Either side **ends** it at once; it **expires** when `ends_at` passes
//!   (checked at every access resolution; the janitor writes the expiry's
//!   events once). The customer **renews** it (a new end, ≤ 2 years ahead);
//!   the partner can only ask it to (`request_renewal`: a reminder to its admins).
//! - Delegated access itself is resolved in `access::OrgAccess::resolve`.
//!
//! Every change writes an audit event in both orgs and its domain events.

use orgdesk_core::api::{
    AuditAction, CreateCustomerWorkspace, HandOff, Invitation, OrgName, PartnerAccess, PartnerRelationship,
    RelationshipRequestPreview, RelationshipStatus, RenewRelationship, RequestRelationship, SetAssignments,
    TeamAssignment,
};
use orgdesk_core::{validate, BuiltinRole, ErrorCode, Permission};
use serde_json::json;

use crate::access::OrgAccess;
use crate::audit::{self, Change};
use crate::auth::{hash_token, new_token, Actor, AuthUser};
use crate::db::{violation, Constraint, Db};
use crate::emails::{self, Block};
use crate::error::{field, ApiError, ApiResult};
use crate::invitations::Handoff;
use crate::rate_limit::{self, Window};
use crate::state::AppState;
use crate::store::{
    self,
    invitations::LinkRow,
    orgs::OrgRef,
    partners::{NewRelationship, RelationshipRow, Side},
    Conn,
};
use crate::time::{new_id, now_ms, parse_rfc3339, rfc3339, DAY};

/// The longest a relationship runs before it must be renewed.
pub const MAX_DURATION_MS: i64 = 730 * DAY + DAY;

/// The most roles one relationship grants.
const MAX_ROLES: usize = 20;

/// The status a stored row reports: requested or active past its end is expired.
pub fn effective_status(stored: &str, ends_at: i64, now: i64) -> RelationshipStatus {
    match RelationshipStatus::parse(stored) {
        Some(RelationshipStatus::Requested | RelationshipStatus::Active) if ends_at <= now => {
            RelationshipStatus::Expired
        }
        Some(status) => status,
        None => RelationshipStatus::Ended,
    }
}

fn not_pending(what: &str) -> ApiError {
    ApiError::new(ErrorCode::RelationshipNotPending, format!("This partner relationship {what}."))
}

fn exists() -> ApiError {
    ApiError::new(
        ErrorCode::RelationshipExists,
        "These organizations have a requested or active partner relationship already; end it or renew it instead.",
    )
}

fn parse_ends_at(text: &str, now: i64) -> ApiResult<i64> {
    let at = parse_rfc3339(text).ok_or_else(|| {
        ApiError::invalid("ends_at", format!("\"{text}\" is not an RFC 3339 time such as 2027-06-30T00:00:00Z."))
    })?;
    if at <= now {
        return Err(ApiError::invalid("ends_at", "The end date must be in the future."));
    }
    if at > now + MAX_DURATION_MS {
        return Err(ApiError::invalid("ends_at", "A partner relationship runs at most two years; renew it later."));
    }
    Ok(at)
}

/// The customer's own role names, for the partner that created it.
fn no_such_role(role: &str) -> ApiError {
    ApiError::invalid("roles", format!("The customer organization has no role \"{role}\"."))
}

/// The roles a relationship may grant: 1 to 20 of the customer's roles,
/// never the owner's; `missing` answers for a role the customer lacks.
async fn check_roles(
    conn: &mut Conn,
    customer_org_id: &str,
    roles: &[String],
    missing: impl Fn(&str) -> ApiError,
) -> ApiResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for role in roles {
        let role = role.trim().to_owned();
        if role == BuiltinRole::Owner.key() {
            return Err(ApiError::invalid("roles", "A partner relationship never grants the owner role."));
        }
        if store::roles::permissions(&mut *conn, customer_org_id, &role).await?.is_none() {
            return Err(missing(&role));
        }
        if !out.contains(&role) {
            out.push(role);
        }
    }
    if out.is_empty() || out.len() > MAX_ROLES {
        return Err(ApiError::invalid("roles", format!("Name 1 to {MAX_ROLES} of the customer's roles.")));
    }
    out.sort();
    Ok(out)
}

async fn to_api(conn: &mut Conn, row: RelationshipRow, with_assignments: bool) -> ApiResult<PartnerRelationship> {
    let roles = store::partners::roles(&mut *conn, &row.id).await?;
    let assignments = if with_assignments {
        let rows = store::partners::assignments(&mut *conn, &row.id).await?;
        Some(
            rows.into_iter()
                .map(|a| TeamAssignment { team_id: a.team_id, role: a.role_key, team_name: Some(a.team_name) })
                .collect(),
        )
    } else {
        None
    };
    let partner = OrgName { id: row.partner_org_id, name: row.partner_name, slug: row.partner_slug };
    let owner_of_record = (row.created_workspace == 1 && row.handed_off_at.is_none()).then(|| partner.clone());
    Ok(PartnerRelationship {
        status: effective_status(&row.status, row.ends_at, now_ms()),
        id: row.id,
        partner,
        customer: OrgName { id: row.customer_org_id, name: row.customer_name, slug: row.customer_slug },
        roles,
        ends_at: rfc3339(row.ends_at),
        created_at: rfc3339(row.created_at),
        accepted_at: row.accepted_at.map(rfc3339),
        ended_at: row.ended_at.map(rfc3339),
        created_workspace: row.created_workspace == 1,
        owner_of_record,
        assignments,
    })
}

async fn load(conn: &mut Conn, side: Side, org_id: &str, id: &str) -> ApiResult<RelationshipRow> {
    let row = store::partners::of_side(&mut *conn, side, org_id, id).await?;
    row.ok_or_else(|| ApiError::not_found("partner relationship"))
}

/// Takes the row lock, then reads it from `side`.
async fn lock_and_load(conn: &mut Conn, side: Side, org_id: &str, id: &str) -> ApiResult<RelationshipRow> {
    store::partners::lock(&mut *conn, id).await?;
    load(conn, side, org_id, id).await
}

/// How the actor is named in the other org's audit trail: "<person> (<org>)".
fn actor_for_other_side(access: &OrgAccess, user: &AuthUser, own_org_name: &str) -> Actor {
    let mut actor = access.actor.clone();
    actor.label = Some(format!("{} ({own_org_name})", user.display_name()));
    actor
}

/// The change's audit and domain events in both orgs.
#[allow(clippy::too_many_arguments)]
async fn record_both(
    conn: &mut Conn,
    row: &RelationshipRow,
    own: Side,
    access: &OrgAccess,
    user: &AuthUser,
    action: AuditAction,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> ApiResult<()> {
    let (own_name, other_org) = match own {
        Side::Partner => (&row.partner_name, &row.customer_org_id),
        Side::Customer => (&row.customer_name, &row.partner_org_id),
    };
    let other_actor = actor_for_other_side(access, user, own_name);
    let mut after = after;
    after["partner_org_id"] = json!(row.partner_org_id);
    after["customer_org_id"] = json!(row.customer_org_id);
    for (org_id, actor) in [(&access.org_id, &access.actor), (other_org, &other_actor)] {
        let mut change = Change::new(action, Some(&row.id)).after(after.clone());
        if let Some(before) = &before {
            change = change.before(before.clone());
        }
        audit::record(&mut *conn, org_id, actor, change).await?;
    }
    Ok(())
}

/// Expired relationships of the pair make way for a new one; their
/// expiry's events are written here when the janitor has not yet.
async fn expire_pair(conn: &mut Conn, partner: &str, customer: &str, now: i64) -> ApiResult<()> {
    for row in store::partners::expire_lapsed_pair(&mut *conn, partner, customer, now).await? {
        record_expired(conn, &row).await?;
    }
    Ok(())
}

async fn record_expired(conn: &mut Conn, row: &store::partners::ExpiredRow) -> store::Result<()> {
    let actor = Actor { user_id: None, label: Some("Orgdesk".into()), ..Default::default() };
    let after = json!({"ends_at": rfc3339(row.ends_at), "partner_org_id": row.partner_org_id,
                       "customer_org_id": row.customer_org_id, "status": "expired"});
    for org_id in [&row.partner_org_id, &row.customer_org_id] {
        let change = Change::new(AuditAction::PartnerExpired, Some(&row.id)).after(after.clone());
        audit::record(&mut *conn, org_id, &actor, change).await?;
    }
    Ok(())
}

fn require_partner_admin(access: &OrgAccess) -> ApiResult<()> {
    access.require_person()?;
    access.require_member()?;
    access.require(Permission::PartnersManage)
}

/// Queues one email to each owner and admin of the relationship's customer,
/// with a closing note saying so.
async fn email_customer_admins(
    conn: &mut Conn,
    row: &RelationshipRow,
    subject: String,
    heading: &str,
    mut blocks: Vec<Block>,
) -> ApiResult<()> {
    blocks.push(Block::Note(format!("Sent to the owner and admins of {}.", row.customer_name)));
    for to in store::partners::admin_addresses(&mut *conn, &row.customer_org_id).await? {
        let email = emails::compose(&to, subject.clone(), heading, &blocks, None);
        crate::outbox::enqueue(&mut *conn, email).await?;
    }
    Ok(())
}

fn request_link(state: &AppState, token: &str) -> String {
    format!("{}/partner-requests/{token}", state.public_url)
}

/// A partner admin asks a customer org for a relationship; the customer's
/// owner and admins get a link to accept it.
pub async fn request(
    state: &AppState,
    access: &OrgAccess,
    user: &AuthUser,
    req: RequestRelationship,
) -> ApiResult<PartnerRelationship> {
    require_partner_admin(access)?;
    let now = now_ms();
    let ends_at = parse_ends_at(&req.ends_at, now)?;
    let reference = req.customer.trim().to_ascii_lowercase();
    // Counted before the lookup and kept when it fails: an unknown slug or
    // role costs a request like a sent one.
    let window =
        Window::new(format!("partners:request:{}", access.org_id), state.limits.partner_requests_per_org_per_day, DAY);
    rate_limit::reserve(&state.db, &[window], 1, "partner requests from this organization today").await?.keep();
    let mut tx = state.db.write().await?;
    // One answer for an unknown org and for a role it lacks, so a request
    // tells a stranger no more than that the pair did not match.
    let unknown = || {
        ApiError::invalid(
            "customer",
            "No organization with this slug or id has all of these roles; check both with the customer's admins.",
        )
    };
    let (customer_id, _, _) =
        store::partners::org_by_ref(tx.conn(), OrgRef::of(&reference)).await?.ok_or_else(unknown)?;
    if customer_id == access.org_id {
        return Err(ApiError::invalid("customer", "An organization cannot be its own partner."));
    }
    let roles = check_roles(tx.conn(), &customer_id, &req.roles, |_| unknown()).await?;
    expire_pair(tx.conn(), &access.org_id, &customer_id, now).await?;
    let id = new_id();
    let (token, hash) = new_token("odp");
    let new = NewRelationship {
        id: &id,
        partner_org_id: &access.org_id,
        customer_org_id: &customer_id,
        status: "requested",
        ends_at,
        requested_by: access.person_id.as_deref(),
        request_token_hash: Some(&hash),
        created_at: now,
        created_workspace: false,
    };
    match store::partners::insert(tx.conn(), &new).await {
        Ok(()) => {}
        Err(e) if violation(&e) == Some(Constraint::OneOpenRelationship) => return Err(exists()),
        Err(e) => return Err(e.into()),
    }
    for role in &roles {
        store::partners::insert_role(tx.conn(), &id, &customer_id, role).await?;
    }
    let row = load(tx.conn(), Side::Partner, &access.org_id, &id).await?;
    let after = json!({"roles": roles, "ends_at": rfc3339(ends_at), "status": "requested"});
    record_both(tx.conn(), &row, Side::Partner, access, user, AuditAction::PartnerRequested, None, after).await?;
    let link = request_link(state, &token);
    let blocks = vec![
        Block::Para(format!(
            "{} of {} asks to administer {} on Orgdesk as a partner, with the roles {} until {}.",
            user.display_name(),
            row.partner_name,
            row.customer_name,
            roles.join(", "),
            emails::long_time(ends_at, "UTC"),
        )),
        Block::Button { label: "Review the request".into(), url: link },
        Block::Para("Nothing changes unless an owner or admin accepts it; either side can end it at any time.".into()),
    ];
    let subject = format!("{} asks for partner access to {}", row.partner_name, row.customer_name);
    let heading = format!("Partner access to {}", row.customer_name);
    email_customer_admins(tx.conn(), &row, subject, &heading, blocks).await?;
    let answer = to_api(tx.conn(), row, true).await?;
    tx.commit().await?;
    state.mail_queued.notify_one();
    Ok(answer)
}

/// What a request link shows; a GET changes nothing.
pub async fn preview(state: &AppState, token: &str) -> ApiResult<RelationshipRequestPreview> {
    let mut conn = state.db.pool.acquire().await?;
    let row = store::partners::by_token_hash(&mut conn, &hash_token(token))
        .await?
        .ok_or_else(|| ApiError::not_found("partner request (it may have been answered or ended)"))?;
    let roles = store::partners::roles(&mut conn, &row.id).await?;
    Ok(RelationshipRequestPreview {
        status: effective_status(&row.status, row.ends_at, now_ms()),
        id: row.id,
        partner_name: row.partner_name,
        customer: OrgName { id: row.customer_org_id, name: row.customer_name, slug: row.customer_slug },
        roles,
        ends_at: rfc3339(row.ends_at),
    })
}

/// Accepting by the emailed link: the caller must be an owner or admin
/// (`partners:manage`) of the customer org, and a member of it.
pub async fn accept_by_token(state: &AppState, user: &AuthUser, token: &str) -> ApiResult<PartnerRelationship> {
    let row = {
        let mut conn = state.db.pool.acquire().await?;
        store::partners::by_token_hash(&mut conn, &hash_token(token)).await?
    };
    let row = row.ok_or_else(|| ApiError::not_found("partner request (it may have been answered or ended)"))?;
    let access = OrgAccess::resolve(state, user, &row.customer_org_id).await?;
    accept(&state.db, &access, user, &row.id).await
}

/// Accepting on the emailed link's page (`/partner-requests/<token>`): for
/// whoever signs in there with the email and password of the customer's
/// owner or an admin.
pub async fn accept_with_password(
    state: &AppState,
    token: &str,
    email: &str,
    password: &str,
    meta: &crate::auth::ClientMeta,
) -> ApiResult<PartnerRelationship> {
    let user_id = crate::accounts::check_credentials(state, email, password, meta).await?;
    let account =
        store::accounts::user(&state.db.pool, &user_id).await?.ok_or_else(|| ApiError::not_found("account"))?;
    let user = AuthUser {
        user_id,
        session_id: String::new(),
        email: account.email,
        name: account.name,
        email_verified: account.email_verified_at.is_some(),
        meta: meta.clone(),
        org_access: None,
        api_key: None,
    };
    accept_by_token(state, &user, token).await
}

/// The customer's owner or an admin accepts a requested relationship.
pub async fn accept(db: &Db, access: &OrgAccess, user: &AuthUser, id: &str) -> ApiResult<PartnerRelationship> {
    require_partner_admin(access)?;
    let mut tx = db.write().await?;
    let row = lock_and_load(tx.conn(), Side::Customer, &access.org_id, id).await?;
    let now = now_ms();
    match effective_status(&row.status, row.ends_at, now) {
        RelationshipStatus::Requested => {}
        RelationshipStatus::Active => return Err(not_pending("was accepted already")),
        RelationshipStatus::Ended => return Err(not_pending("was ended")),
        RelationshipStatus::Expired => return Err(not_pending("expired; ask the partner for a new one")),
    }
    if !store::partners::accept(tx.conn(), id, now).await? {
        return Err(not_pending("was answered meanwhile"));
    }
    let row = load(tx.conn(), Side::Customer, &access.org_id, id).await?;
    let after = json!({"status": "active", "ends_at": rfc3339(row.ends_at)});
    record_both(tx.conn(), &row, Side::Customer, access, user, AuditAction::PartnerAccepted, None, after).await?;
    let answer = to_api(tx.conn(), row, false).await?;
    tx.commit().await?;
    Ok(answer)
}

/// Either side ends a requested or active relationship, at once: delegated
/// access ends at every replica's next request.
pub async fn end(db: &Db, access: &OrgAccess, user: &AuthUser, side: Side, id: &str) -> ApiResult<()> {
    require_partner_admin(access)?;
    let mut tx = db.write().await?;
    let row = lock_and_load(tx.conn(), side, &access.org_id, id).await?;
    if !store::partners::end(tx.conn(), id, now_ms(), &access.org_id).await? {
        return Err(not_pending("has ended or expired already"));
    }
    let before = json!({"status": row.status});
    let after = json!({"status": "ended", "ended_by_org_id": access.org_id});
    record_both(tx.conn(), &row, side, access, user, AuditAction::PartnerEnded, Some(before), after).await?;
    tx.commit().await?;
    Ok(())
}

/// The customer renews an active relationship: a new end, at most two years ahead.
pub async fn renew(
    db: &Db,
    access: &OrgAccess,
    user: &AuthUser,
    id: &str,
    req: RenewRelationship,
) -> ApiResult<PartnerRelationship> {
    require_partner_admin(access)?;
    let now = now_ms();
    let ends_at = parse_ends_at(&req.ends_at, now)?;
    let mut tx = db.write().await?;
    let row = lock_and_load(tx.conn(), Side::Customer, &access.org_id, id).await?;
    if !store::partners::renew(tx.conn(), id, ends_at, now).await? {
        return Err(not_pending("is not active (requested, ended or expired); only an active one is renewed"));
    }
    let before = json!({"ends_at": rfc3339(row.ends_at)});
    let after = json!({"ends_at": rfc3339(ends_at)});
    record_both(tx.conn(), &row, Side::Customer, access, user, AuditAction::PartnerRenewed, Some(before), after)
        .await?;
    let row = load(tx.conn(), Side::Customer, &access.org_id, id).await?;
    let answer = to_api(tx.conn(), row, false).await?;
    tx.commit().await?;
    Ok(answer)
}

/// The partner asks the customer to renew an active relationship (it
/// cannot extend its own access): the customer's owner and admins get a
/// reminder, at most once a day per relationship, and both trails record it.
pub async fn request_renewal(state: &AppState, access: &OrgAccess, user: &AuthUser, id: &str) -> ApiResult<()> {
    require_partner_admin(access)?;
    let mut tx = state.db.write().await?;
    let row = lock_and_load(tx.conn(), Side::Partner, &access.org_id, id).await?;
    if effective_status(&row.status, row.ends_at, now_ms()) != RelationshipStatus::Active {
        return Err(not_pending("is not active; ask the customer for a new one instead"));
    }
    let window = Window::new(format!("partners:renewal:{id}"), 1, DAY);
    rate_limit::take(tx.conn(), &[window], 1, "renewal reminders for this customer today").await?.keep();
    let after = json!({"ends_at": rfc3339(row.ends_at)});
    let action = AuditAction::PartnerRenewalRequested;
    record_both(tx.conn(), &row, Side::Partner, access, user, action, None, after).await?;
    let blocks = vec![
        Block::Para(format!(
            "{} of {} asks you to renew its partner access to {}, which ends on {}.",
            user.display_name(),
            row.partner_name,
            row.customer_name,
            emails::long_time(row.ends_at, "UTC"),
        )),
        Block::Para(format!(
            "To renew it, open {} in Orgdesk: Members, then Partner access, then Renew. \
             Nothing changes if you do not; the access ends on its date.",
            row.customer_name
        )),
    ];
    let subject = format!("{} asks {} to renew its partner access", row.partner_name, row.customer_name);
    let heading = format!("Partner access to {} ends soon", row.customer_name);
    email_customer_admins(tx.conn(), &row, subject, &heading, blocks).await?;
    tx.commit().await?;
    state.mail_queued.notify_one();
    Ok(())
}

/// The partner's relationships with its customers, newest first.
pub async fn customers(db: &Db, access: &OrgAccess) -> ApiResult<Vec<PartnerRelationship>> {
    access.require_member()?;
    access.require(Permission::PartnersManage)?;
    let mut conn = db.pool.acquire().await?;
    let rows = store::partners::all_of_side(&mut conn, Side::Partner, &access.org_id).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(to_api(&mut conn, row, true).await?);
    }
    Ok(out)
}

pub async fn customer(db: &Db, access: &OrgAccess, id: &str) -> ApiResult<PartnerRelationship> {
    access.require_member()?;
    access.require(Permission::PartnersManage)?;
    let mut conn = db.pool.acquire().await?;
    let row = load(&mut conn, Side::Partner, &access.org_id, id).await?;
    to_api(&mut conn, row, true).await
}

/// The customer's view: every partner's access with the people who hold
/// it now (names only). A delegated caller sees their own partner's only.
pub async fn partner_access(db: &Db, access: &OrgAccess) -> ApiResult<Vec<PartnerAccess>> {
    access.require(Permission::MembersRead)?;
    let mut conn = db.pool.acquire().await?;
    let rows = store::partners::all_of_side(&mut conn, Side::Customer, &access.org_id).await?;
    let mut out = Vec::new();
    for row in rows {
        if access.delegation.as_ref().is_some_and(|d| d.relationship_id != row.id) {
            continue;
        }
        let status = effective_status(&row.status, row.ends_at, now_ms());
        let people = match status {
            RelationshipStatus::Active => store::partners::people(&mut conn, &row.id).await?,
            _ => Vec::new(),
        };
        out.push(PartnerAccess { relationship: to_api(&mut conn, row, false).await?, people });
    }
    Ok(out)
}

/// Replaces which partner teams hold which of the relationship's roles.
pub async fn set_assignments(
    db: &Db,
    access: &OrgAccess,
    user: &AuthUser,
    id: &str,
    req: SetAssignments,
) -> ApiResult<PartnerRelationship> {
    require_partner_admin(access)?;
    if req.assignments.len() > 200 {
        return Err(ApiError::invalid("assignments", "Assign at most 200 team and role pairs."));
    }
    let mut tx = db.write().await?;
    let row = lock_and_load(tx.conn(), Side::Partner, &access.org_id, id).await?;
    match effective_status(&row.status, row.ends_at, now_ms()) {
        RelationshipStatus::Requested | RelationshipStatus::Active => {}
        _ => return Err(not_pending("has ended or expired; its assignments cannot change")),
    }
    let roles = store::partners::roles(tx.conn(), id).await?;
    let mut wanted: Vec<(String, String)> = Vec::new();
    for a in &req.assignments {
        let role = a.role.trim().to_owned();
        if !roles.contains(&role) {
            return Err(ApiError::invalid(
                "assignments",
                format!("\"{role}\" is not one of this relationship's roles ({}).", roles.join(", ")),
            ));
        }
        crate::teams::load(tx.conn(), &access.org_id, &a.team_id).await?;
        if !wanted.contains(&(a.team_id.clone(), role.clone())) {
            wanted.push((a.team_id.clone(), role));
        }
    }
    let before: Vec<_> = store::partners::assignments(tx.conn(), id)
        .await?
        .into_iter()
        .map(|a| json!({"team_id": a.team_id, "team_name": a.team_name, "role": a.role_key}))
        .collect();
    store::partners::clear_assignments(tx.conn(), id).await?;
    for (team_id, role) in &wanted {
        // The team and role were checked above; the statement checks them
        // again, so a team deleted meanwhile is not assigned.
        if !store::partners::assign(tx.conn(), id, &access.org_id, team_id, role).await? {
            return Err(ApiError::not_found("team"));
        }
    }
    let after: Vec<_> = store::partners::assignments(tx.conn(), id)
        .await?
        .into_iter()
        .map(|a| json!({"team_id": a.team_id, "team_name": a.team_name, "role": a.role_key}))
        .collect();
    if before != after {
        record_both(
            tx.conn(),
            &row,
            Side::Partner,
            access,
            user,
            AuditAction::PartnerAssignmentsChanged,
            Some(json!({"assignments": before})),
            json!({"assignments": after}),
        )
        .await?;
    }
    let answer = to_api(tx.conn(), row, true).await?;
    tx.commit().await?;
    Ok(answer)
}

/// Before an org is deleted (in its transaction): every requested or
/// active relationship it is a side of ends, with `partner.ended` (and
/// `"reason": "org_deleted"`) in both orgs, so a customer's trail says its
/// partner went away, and a partner's that a customer did.
pub async fn before_org_deleted(conn: &mut Conn, access: &OrgAccess, user: &AuthUser) -> ApiResult<()> {
    let now = now_ms();
    for side in [Side::Partner, Side::Customer] {
        for row in store::partners::all_of_side(&mut *conn, side, &access.org_id).await? {
            if !matches!(
                effective_status(&row.status, row.ends_at, now),
                RelationshipStatus::Requested | RelationshipStatus::Active
            ) {
                continue;
            }
            store::partners::lock(&mut *conn, &row.id).await?;
            if !store::partners::end(&mut *conn, &row.id, now, &access.org_id).await? {
                continue;
            }
            let before = json!({"status": row.status});
            let after = json!({"status": "ended", "ended_by_org_id": access.org_id, "reason": "org_deleted"});
            record_both(conn, &row, side, access, user, AuditAction::PartnerEnded, Some(before), after).await?;
        }
    }
    Ok(())
}

/// Before a team is deleted: each relationship it held roles of records
/// that its assignments changed, in both orgs.
pub async fn before_team_deleted(conn: &mut Conn, access: &OrgAccess, user: &AuthUser, team_id: &str) -> ApiResult<()> {
    for (relationship_id, _) in store::partners::relationships_of_team(&mut *conn, team_id).await? {
        let row = load(&mut *conn, Side::Partner, &access.org_id, &relationship_id).await?;
        let after = json!({"removed_team_id": team_id});
        let action = AuditAction::PartnerAssignmentsChanged;
        record_both(conn, &row, Side::Partner, access, user, action, None, after).await?;
    }
    Ok(())
}

/// "Create customer workspace": a new org whose owner of record is the
/// partner org's owner, an active relationship from the start, and the
/// hand-off invitation to the customer's first owner, in one transaction.
pub async fn create_workspace(
    state: &AppState,
    access: &OrgAccess,
    user: &AuthUser,
    req: CreateCustomerWorkspace,
) -> ApiResult<(PartnerRelationship, Invitation)> {
    require_partner_admin(access)?;
    let now = now_ms();
    let name = validate::org_name(&req.name).map_err(field("name"))?;
    let slug = req.slug.as_deref().map(validate::slug).transpose().map_err(field("slug"))?;
    let ends_at = parse_ends_at(&req.ends_at, now)?;
    validate::email(&req.owner_email).map_err(field("owner_email"))?;
    let mut tx = state.db.write().await?;
    let window = Window::new(format!("orgs:create:{}", user.user_id), state.limits.orgs_per_user_per_day, DAY);
    rate_limit::take(tx.conn(), &[window], 1, "new organizations from your account today").await?.keep();
    let owner = store::partners::owner_of(tx.conn(), &access.org_id)
        .await?
        .ok_or_else(|| ApiError::not_found("organization owner"))?;
    let customer_id = crate::orgs::insert_org(tx.conn(), &name, slug.as_deref(), false, &owner, &access.actor).await?;
    let roles = check_roles(tx.conn(), &customer_id, &req.roles, no_such_role).await?;
    let id = new_id();
    let new = NewRelationship {
        id: &id,
        partner_org_id: &access.org_id,
        customer_org_id: &customer_id,
        status: "active",
        ends_at,
        requested_by: access.person_id.as_deref(),
        request_token_hash: None,
        created_at: now,
        created_workspace: true,
    };
    store::partners::insert(tx.conn(), &new).await?;
    for role in &roles {
        store::partners::insert_role(tx.conn(), &id, &customer_id, role).await?;
    }
    let row = load(tx.conn(), Side::Partner, &access.org_id, &id).await?;
    let after = json!({"roles": roles, "ends_at": rfc3339(ends_at), "status": "active", "owner_of_record": owner});
    record_both(tx.conn(), &row, Side::Partner, access, user, AuditAction::PartnerWorkspaceCreated, None, after)
        .await?;
    let handoff = Handoff {
        org_id: &customer_id,
        email: &req.owner_email,
        previous: None,
        inviter_id: access.person_id.as_deref(),
        inviter_name: user.display_name(),
        actor: &access.actor,
    };
    let invitation = crate::invitations::insert_handoff(state, tx.conn(), &handoff).await?;
    store::partners::set_handoff_invitation(tx.conn(), &id, &invitation.id).await?;
    let answer = to_api(tx.conn(), row, true).await?;
    tx.commit().await?;
    state.mail_queued.notify_one();
    Ok((answer, invitation))
}

/// Invites the customer's first owner again (another address, or a new link).
pub async fn invite_owner(
    state: &AppState,
    access: &OrgAccess,
    user: &AuthUser,
    id: &str,
    req: HandOff,
) -> ApiResult<Invitation> {
    require_partner_admin(access)?;
    let mut tx = state.db.write().await?;
    let row = lock_and_load(tx.conn(), Side::Partner, &access.org_id, id).await?;
    if row.created_workspace != 1 || row.handed_off_at.is_some() {
        return Err(not_pending(
            "has no hand-off waiting (the workspace was not created by the partner, or was handed off)",
        ));
    }
    if effective_status(&row.status, row.ends_at, now_ms()) != RelationshipStatus::Active {
        return Err(not_pending("has ended or expired"));
    }
    let handoff = Handoff {
        org_id: &row.customer_org_id,
        email: &req.owner_email,
        previous: row.handoff_invitation_id.as_deref(),
        inviter_id: access.person_id.as_deref(),
        inviter_name: user.display_name(),
        actor: &access.actor,
    };
    let invitation = crate::invitations::insert_handoff(state, tx.conn(), &handoff).await?;
    store::partners::set_handoff_invitation(tx.conn(), id, &invitation.id).await?;
    tx.commit().await?;
    state.mail_queued.notify_one();
    Ok(invitation)
}

/// Accepting a hand-off invitation (inside `invitations::join`'s
/// transaction, after the invitation was marked accepted): the invitee
/// becomes the owner, the partner's owner of record leaves the org, and the
/// partner keeps only what the relationship grants.
pub async fn hand_off(
    conn: &mut Conn,
    invitation: &LinkRow,
    user_id: &str,
    actor: &Actor,
) -> ApiResult<orgdesk_core::api::Accepted> {
    let org_id = &invitation.org_id;
    let now = now_ms();
    let Some((relationship_id, partner_org_id)) =
        store::partners::complete_handoff(&mut *conn, org_id, &invitation.id, now).await?
    else {
        return Err(ApiError::new(
            ErrorCode::InvitationNotPending,
            "This hand-off invitation was replaced by a newer one, or the workspace was handed off already.",
        ));
    };
    let previous = store::partners::owner_of(&mut *conn, org_id).await?;
    if previous.as_deref() != Some(user_id) {
        if let Some(previous) = &previous {
            // The owner of record's keys in the workspace go with them.
            let revoked = store::api_keys::revoke_created_by(&mut *conn, org_id, previous, now).await?;
            for (key_id, name) in revoked {
                let change = Change::new(AuditAction::ApiKeyRevoked, Some(&key_id))
                    .before(json!({"name": name, "created_by": previous}));
                audit::record(&mut *conn, org_id, actor, change).await?;
            }
            store::partners::remove_owner(&mut *conn, org_id, previous).await?;
        }
        match store::memberships::role_of(&mut *conn, org_id, user_id).await? {
            Some(_) => {
                store::memberships::set_status_active(&mut *conn, org_id, user_id).await?;
                if !store::memberships::promote_to_owner(&mut *conn, org_id, user_id).await? {
                    return Err(ApiError::internal());
                }
            }
            None => store::memberships::insert(conn, org_id, user_id, BuiltinRole::Owner.key(), now).await?,
        }
    }
    let change = Change::new(AuditAction::InvitationAccepted, Some(&invitation.id))
        .after(json!({"user_id": user_id, "email": invitation.email, "role": "owner"}));
    audit::record(&mut *conn, org_id, actor, change).await?;
    let after = json!({"owner": user_id, "previous_owner": previous, "partner_org_id": partner_org_id,
                       "customer_org_id": org_id});
    for org in [org_id.as_str(), partner_org_id.as_str()] {
        let change = Change::new(AuditAction::PartnerHandedOff, Some(&relationship_id)).after(after.clone());
        audit::record(&mut *conn, org, actor, change).await?;
    }
    Ok(orgdesk_core::api::Accepted { org_id: org_id.clone(), role: BuiltinRole::Owner.key().to_owned() })
}

/// The orgs I hold delegated access to now, grouped by partner (by its
/// name, then the org's).
pub async fn delegated_orgs(db: &Db, user: &AuthUser) -> ApiResult<Vec<orgdesk_core::api::DelegatedOrg>> {
    user.require_person()?;
    let rows = store::partners::delegated_orgs(&db.pool, &user.user_id, now_ms()).await?;
    let mut out: Vec<orgdesk_core::api::DelegatedOrg> = Vec::new();
    for r in rows {
        let a = r.access;
        match out.iter_mut().find(|o| o.org.id == a.org_id && o.partner.id == a.partner_org_id) {
            Some(o) if o.roles.contains(&a.role_key) => {}
            Some(o) => o.roles.push(a.role_key),
            None => out.push(orgdesk_core::api::DelegatedOrg {
                org: OrgName { id: a.org_id, name: r.org_name, slug: r.org_slug },
                partner: OrgName { id: a.partner_org_id, name: a.partner_name, slug: r.partner_slug },
                roles: vec![a.role_key],
                ends_at: rfc3339(r.ends_at),
            }),
        }
    }
    out.sort_by(|a, b| {
        (a.partner.name.to_lowercase(), a.org.name.to_lowercase(), &a.org.id).cmp(&(
            b.partner.name.to_lowercase(),
            b.org.name.to_lowercase(),
            &b.org.id,
        ))
    });
    for o in &mut out {
        o.roles.sort();
    }
    Ok(out)
}

/// One janitor pass: the expiry events of every active relationship whose
/// end passed, each once across replicas. Answers how many.
pub async fn notice_expired(state: &AppState) -> store::Result<usize> {
    let mut total = 0;
    loop {
        let mut tx = state.db.write().await?;
        let expired = store::partners::claim_expired(tx.conn(), now_ms(), 100).await?;
        for row in &expired {
            record_expired(tx.conn(), row).await?;
        }
        tx.commit().await?;
        total += expired.len();
        if expired.len() < 100 {
            return Ok(total);
        }
    }
}
