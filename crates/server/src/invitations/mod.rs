//! The invitation lifecycle: pending → accepted | declined | revoked | expired.
//! A pending invitation whose expiry passed is reported as expired. Sending
//! (email text, limits) is in [`sending`]; `Idempotency-Key` in
//! [`crate::idempotency`].

use orgdesk_core::api::AuditAction;
use orgdesk_core::api::{
    Accepted, CreateInvitations, Invitation, InvitationListQuery, InvitationPreview, InvitationSignUp,
    InvitationStatus, InviteOutcome, InviteResult, InviteResults, MyInvitation, Page, SessionGrant,
};
use orgdesk_core::{validate, ErrorCode, Permission};
use serde_json::json;
use std::collections::HashMap;

use crate::access::{load_role, OrgAccess};
use crate::accounts::{insert_user, open_session, NewUser};
use crate::audit::{self, Change};
use crate::auth::{hash_token, new_token, Actor, AuthUser, ClientMeta};
use crate::error::{ApiError, ApiResult};
use crate::idempotency::{self, Begin, Claim};
use crate::outbox;
use crate::pagination::{decode_cursor, encode_cursor, page_limit};
use crate::state::AppState;
use crate::store::{
    self,
    invitations::{InvitationRow, LinkRow, NewInvitation},
    orgs::InvitingOrg,
    Conn,
};
use crate::time::{new_id, now_ms, rfc3339, DAY};

mod sending;
use sending::InvitationEmail;

/// The status a stored invitation reports: a pending one past its expiry is expired.
pub fn effective_status(stored: &str, expires_at: i64, now: i64) -> InvitationStatus {
    match InvitationStatus::parse(stored) {
        Some(InvitationStatus::Pending) if expires_at <= now => InvitationStatus::Expired,
        Some(status) => status,
        None => InvitationStatus::Expired,
    }
}

impl InvitationRow {
    pub fn into_api(self, link: Option<String>) -> Invitation {
        Invitation {
            status: effective_status(&self.status, self.expires_at, now_ms()),
            id: self.id,
            org_id: self.org_id,
            email: self.email,
            role: self.role,
            invited_by: self.invited_by,
            invited_by_name: self.invited_by_name,
            created_at: rfc3339(self.created_at),
            expires_at: rfc3339(self.expires_at),
            last_sent_at: rfc3339(self.last_sent_at),
            send_count: self.send_count,
            link,
        }
    }
}

fn invite_link(state: &AppState, token: &str) -> String {
    format!("{}/invite/{token}", state.public_url)
}

async fn load(conn: &mut Conn, org_id: &str, id: &str) -> ApiResult<InvitationRow> {
    let row = store::invitations::invitation(conn, org_id, id).await?;
    row.ok_or_else(|| ApiError::not_found("invitation"))
}

async fn org_info(conn: &mut Conn, org_id: &str) -> ApiResult<InvitingOrg> {
    store::orgs::inviting_org(conn, org_id).await?.ok_or_else(|| ApiError::not_found("organization"))
}

/// The display name of a role key in an org (the key when the role is gone).
async fn role_name(conn: &mut Conn, org_id: &str, role_key: &str) -> ApiResult<String> {
    let name = crate::store::roles::name(conn, org_id, role_key).await?;
    Ok(name.unwrap_or_else(|| role_key.to_owned()))
}

enum Classified {
    Valid(String),
    Invalid(String, String),
    Duplicate(String),
}

fn classify(emails: &[String]) -> Vec<Classified> {
    let mut seen = std::collections::HashSet::new();
    emails
        .iter()
        .map(|raw| match validate::email(raw) {
            Ok(email) if !seen.insert(validate::email_key(&email)) => Classified::Duplicate(email),
            Ok(email) => Classified::Valid(email),
            Err(message) => Classified::Invalid(raw.trim().to_owned(), message),
        })
        .collect()
}

/// A person acting through a partner relationship cannot invite their own
/// address: a membership would outlast the relationship, its end and their
/// leaving the partner team (`access::OrgAccess::resolve`).
fn refuse_self_invitation(access: &OrgAccess, inviter: &AuthUser, emails: &[String]) -> ApiResult<()> {
    let Some(delegation) = &access.delegation else { return Ok(()) };
    let mine = validate::email_key(&inviter.email);
    if emails.iter().any(|e| validate::email_key(e) == mine) {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            format!(
                "You act in this organization through {}, so you cannot invite yourself as one of its members; \
                 ask one of its own admins.",
                delegation.partner_name
            ),
        ));
    }
    Ok(())
}

/// What [`create`] answers: a fresh result, or the stored answer of an
/// earlier request under the same `Idempotency-Key`, byte for byte.
pub enum Created {
    Fresh(InviteResults),
    Replayed { status: u16, body: String },
}

/// Bulk invitation: one role, many emails, one result per email.
pub async fn create(
    state: &AppState,
    access: &OrgAccess,
    inviter: &AuthUser,
    req: CreateInvitations,
    idempotency_key: Option<&str>,
) -> ApiResult<Created> {
    access.require(Permission::MembersInvite)?;
    require_verified(inviter)?;
    refuse_self_invitation(access, inviter, &req.emails)?;
    if req.emails.is_empty() {
        return Err(ApiError::invalid("emails", "Enter at least one email address."));
    }
    let max = state.limits.invitation_emails_per_call;
    if req.emails.len() as i64 > max {
        return Err(ApiError::invalid("emails", format!("Invite at most {max} addresses at once; split the list.")));
    }
    let claim = match idempotency_key {
        None => None,
        Some(key) => {
            let scope = format!("invitations:{}", access.org_id);
            match idempotency::begin(&state.db, &access.user_id, &scope, key, &req).await? {
                Begin::Replay { status, body } => return Ok(Created::Replayed { status, body }),
                Begin::Fresh(claim) => Some(claim),
            }
        }
    };
    let result = create_claimed(state, access, inviter, &req, claim.as_ref()).await;
    if result.is_err() {
        if let Some(claim) = claim {
            claim.abandon(&state.db).await;
        }
    }
    result.map(Created::Fresh)
}

async fn create_claimed(
    state: &AppState,
    access: &OrgAccess,
    inviter: &AuthUser,
    req: &CreateInvitations,
    claim: Option<&Claim>,
) -> ApiResult<InviteResults> {
    let role = req.role.trim().to_owned();
    let classified = classify(&req.emails);
    let valid = classified.iter().filter(|c| matches!(c, Classified::Valid(_))).count() as i64;
    let bulk = req.emails.len() > 1;
    let sends = sending::reserve(state, access, valid, bulk).await?;
    match insert_all(state, access, inviter, &role, classified, claim).await {
        Ok((response, sent)) => {
            sends.settle(&state.db, sent).await?;
            Ok(response)
        }
        Err(e) => {
            if let Err(release) = sends.release(&state.db).await {
                tracing::warn!(error = release.detail, "releasing reserved invitation sends failed");
            }
            Err(e)
        }
    }
}

/// One transaction: an outcome per address, the invitations, their emails,
/// audit events and (under an `Idempotency-Key`) the stored answer. Set
/// based: a constant number of statements per chunk of addresses, however
/// many there are (members among them, stale ones expired, the inserts,
/// the ones a concurrent request invited first, emails, audit events).
async fn insert_all(
    state: &AppState,
    access: &OrgAccess,
    inviter: &AuthUser,
    role: &str,
    classified: Vec<Classified>,
    claim: Option<&Claim>,
) -> ApiResult<(InviteResults, i64)> {
    let mut tx = state.db.write().await?;
    let role_perms = load_role(tx.conn(), &access.org_id, role).await?;
    access.require_covers(role, &role_perms)?;
    let org = org_info(tx.conn(), &access.org_id).await?;
    let role_display = role_name(tx.conn(), &access.org_id, role).await?;
    let now = now_ms();
    let expires_at = now + org.lifetime_days * DAY;

    let valid: Vec<(String, String)> = classified
        .iter()
        .filter_map(|c| match c {
            Classified::Valid(email) => Some((email.clone(), validate::email_key(email))),
            _ => None,
        })
        .collect();
    let mut outcomes: HashMap<String, InviteResult> = HashMap::new();
    let mut emails = Vec::new();
    let mut changes = Vec::new();
    let mut sent = 0;
    for chunk in valid.chunks(INSERT_CHUNK) {
        let keys: Vec<&str> = chunk.iter().map(|(_, k)| k.as_str()).collect();
        let members = store::memberships::member_email_keys(tx.conn(), &access.org_id, &keys).await?;
        let candidates: Vec<&(String, String)> = chunk.iter().filter(|(_, k)| !members.contains(k)).collect();
        for (email, _) in chunk.iter().filter(|(_, k)| members.contains(k)) {
            outcomes.insert(
                email.clone(),
                InviteResult {
                    email: email.clone(),
                    outcome: InviteOutcome::AlreadyMember,
                    message: None,
                    invitation: None,
                },
            );
        }
        if candidates.is_empty() {
            continue;
        }
        let candidate_keys: Vec<&str> = candidates.iter().map(|(_, k)| k.as_str()).collect();
        // Expired pending invitations make way for the new ones.
        store::invitations::expire_lapsed(tx.conn(), &access.org_id, &candidate_keys, now).await?;
        // A concurrent request that invites an address first wins the unique
        // index; this one reports it as already invited.
        let fresh: Vec<(String, String, String)> = candidates
            .iter()
            .map(|(email, _)| {
                let (token, hash) = new_token("odi");
                (email.clone(), token, hash)
            })
            .collect();
        let ids: Vec<String> = fresh.iter().map(|_| new_id()).collect();
        let rows: Vec<NewInvitation<'_>> = fresh
            .iter()
            .zip(&ids)
            .zip(&candidates)
            .map(|(((email, _, hash), id), (_, key))| NewInvitation {
                id,
                org_id: &access.org_id,
                email,
                email_key: key,
                role,
                invited_by: access.person_id.as_deref(),
                token_hash: hash,
                created_at: now,
                expires_at,
            })
            .collect();
        let inserted = store::invitations::insert_unless_pending(tx.conn(), &rows).await?;
        let mut lost = Vec::new();
        for (((email, token, _), id), _) in fresh.iter().zip(&ids).zip(&candidates) {
            if !inserted.contains(id) {
                lost.push(email.clone());
                continue;
            }
            emails.push(sending::invitation_email(
                state,
                &InvitationEmail {
                    to: email,
                    org: &org,
                    inviter: inviter.display_name(),
                    role_name: &role_display,
                    token,
                    expires_at,
                    resent: false,
                },
            ));
            changes.push((id.clone(), json!({"email": email, "role": role})));
            let invitation = Invitation {
                id: id.clone(),
                org_id: access.org_id.clone(),
                email: email.clone(),
                role: role.to_owned(),
                status: InvitationStatus::Pending,
                invited_by: access.person_id.clone(),
                invited_by_name: Some(inviter.display_name().to_owned()),
                created_at: rfc3339(now),
                expires_at: rfc3339(expires_at),
                last_sent_at: rfc3339(now),
                send_count: 1,
                link: Some(invite_link(state, token)),
            };
            outcomes.insert(
                email.clone(),
                InviteResult {
                    email: email.clone(),
                    outcome: InviteOutcome::Invited,
                    message: None,
                    invitation: Some(invitation),
                },
            );
            sent += 1;
        }
        if !lost.is_empty() {
            let lost_keys: Vec<String> = lost.iter().map(|e| validate::email_key(e)).collect();
            let lost_refs: Vec<&str> = lost_keys.iter().map(String::as_str).collect();
            let pending = store::invitations::pending_to(tx.conn(), &access.org_id, &lost_refs).await?;
            let mut by_key: HashMap<String, InvitationRow> =
                pending.into_iter().map(|row| (validate::email_key(&row.email), row)).collect();
            for email in lost {
                let existing = by_key.remove(&validate::email_key(&email)).map(|row| row.into_api(None));
                outcomes.insert(
                    email.clone(),
                    InviteResult { email, outcome: InviteOutcome::AlreadyInvited, message: None, invitation: existing },
                );
            }
        }
    }
    outbox::enqueue_many(tx.conn(), emails).await?;
    let audit_changes = changes
        .iter()
        .map(|(id, after)| Change::new(AuditAction::InvitationCreated, Some(id.as_str())).after(after.clone()))
        .collect();
    audit::record_many(tx.conn(), &access.org_id, &access.actor, audit_changes).await?;

    // One result per address, in the order given.
    let mut results = Vec::with_capacity(classified.len());
    for item in classified {
        results.push(match item {
            Classified::Invalid(email, message) => {
                InviteResult { email, outcome: InviteOutcome::Invalid, message: Some(message), invitation: None }
            }
            Classified::Duplicate(email) => InviteResult {
                email,
                outcome: InviteOutcome::AlreadyInvited,
                message: Some("This address is listed twice; it is invited once.".to_owned()),
                invitation: None,
            },
            Classified::Valid(email) => match outcomes.remove(&email) {
                Some(result) => result,
                None => {
                    tracing::error!("an address of a bulk invitation got no outcome");
                    return Err(ApiError::internal());
                }
            },
        });
    }
    let response = InviteResults { results };
    if let Some(claim) = claim {
        claim.complete(tx.conn(), 201, &stored_answer(&response)).await?;
    }
    tx.commit().await?;
    state.mail_queued.notify_one();
    Ok((response, sent))
}

/// Who is invited to own which workspace, by whom, replacing which invitation.
#[derive(Clone, Copy)]
pub struct Handoff<'a> {
    pub org_id: &'a str,
    pub email: &'a str,
    /// The pending hand-off invitation this one replaces.
    pub previous: Option<&'a str>,
    pub inviter_id: Option<&'a str>,
    pub inviter_name: &'a str,
    pub actor: &'a Actor,
}

/// The hand-off invitation of a customer workspace (`partners`): `email` is
/// invited to become the org's owner, replacing the partner's owner of
/// record when they accept. Written in the caller's transaction, with its
/// email and audit event; a pending hand-off invitation to another address
/// is revoked, so one link at a time can hand the org off.
pub async fn insert_handoff(state: &AppState, conn: &mut Conn, handoff: &Handoff<'_>) -> ApiResult<Invitation> {
    let Handoff { org_id, email, previous, inviter_id, inviter_name, actor } = *handoff;
    let email = validate::email(email).map_err(crate::error::field("owner_email"))?;
    let key = validate::email_key(&email);
    let org = org_info(conn, org_id).await?;
    let now = now_ms();
    if let Some(previous) = previous {
        if store::invitations::revoke(&mut *conn, previous, now).await? {
            let change = Change::new(AuditAction::InvitationRevoked, Some(previous)).before(json!({"role": "owner"}));
            audit::record(&mut *conn, org_id, actor, change).await?;
        }
    }
    let expires_at = now + org.lifetime_days * DAY;
    store::invitations::expire_lapsed(&mut *conn, org_id, &[key.as_str()], now).await?;
    let (token, hash) = new_token("odi");
    let id = new_id();
    let row = NewInvitation {
        id: &id,
        org_id,
        email: &email,
        email_key: &key,
        role: orgdesk_core::BuiltinRole::Owner.key(),
        invited_by: inviter_id,
        token_hash: &hash,
        created_at: now,
        expires_at,
    };
    if !store::invitations::insert_unless_pending(&mut *conn, &[row]).await?.contains(&id) {
        return Err(ApiError::new(
            ErrorCode::AlreadyInvited,
            format!("{email} has a pending invitation to this organization already; revoke it first."),
        ));
    }
    let message = sending::invitation_email(
        state,
        &InvitationEmail {
            to: &email,
            org: &org,
            inviter: inviter_name,
            role_name: "Owner",
            token: &token,
            expires_at,
            resent: false,
        },
    );
    outbox::enqueue(&mut *conn, message).await?;
    let change = Change::new(AuditAction::InvitationCreated, Some(&id)).after(json!({"email": email, "role": "owner"}));
    audit::record(conn, org_id, actor, change).await?;
    Ok(Invitation {
        id,
        org_id: org_id.to_owned(),
        email,
        role: orgdesk_core::BuiltinRole::Owner.key().to_owned(),
        status: InvitationStatus::Pending,
        invited_by: inviter_id.map(str::to_owned),
        invited_by_name: Some(inviter_name.to_owned()),
        created_at: rfc3339(now),
        expires_at: rfc3339(expires_at),
        last_sent_at: rfc3339(now),
        send_count: 1,
        link: Some(invite_link(state, &token)),
    })
}

/// Addresses per statement of a bulk invitation (12 values a row).
const INSERT_CHUNK: usize = 250;

/// The answer kept for replays: the same results without the one-time links,
/// since no secret is kept at rest.
fn stored_answer(response: &InviteResults) -> String {
    let mut stored = response.clone();
    for result in &mut stored.results {
        if let Some(invitation) = &mut result.invitation {
            invitation.link = None;
        }
    }
    serde_json::to_string(&stored).unwrap_or_default()
}

/// Invitations waiting for an answer, soonest expiry first: pending ones, or
/// those that expired unanswered (which can be resent), or both. Expired ones
/// report `status: expired` and do not count as pending anywhere.
pub async fn list_pending(
    state: &AppState,
    access: &OrgAccess,
    query: &InvitationListQuery,
) -> ApiResult<Page<Invitation>> {
    access.require(Permission::InvitationsRead)?;
    let limit = page_limit(query.limit)?;
    let (after_expiry, after_id): (i64, String) = match query.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => decode_cursor(c)?,
        None => (0, String::new()),
    };
    let filter = query.status.unwrap_or_default();
    let mut rows = store::invitations::open_page(
        &state.db,
        &access.org_id,
        filter,
        now_ms(),
        (after_expiry, &after_id),
        limit + 1,
    )
    .await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| encode_cursor(&(r.expires_at, &r.id)))
    } else {
        None
    };
    Ok(Page { items: rows.into_iter().map(|r| r.into_api(None)).collect(), next_cursor })
}

/// A new token and a fresh lifetime; the old link stops working.
pub async fn resend(state: &AppState, access: &OrgAccess, inviter: &AuthUser, id: &str) -> ApiResult<Invitation> {
    access.require(Permission::MembersInvite)?;
    require_verified(inviter)?;
    let sends = sending::reserve(state, access, 1, false).await?;
    match resend_reserved(state, access, inviter, id).await {
        Ok(invitation) => {
            sends.keep();
            Ok(invitation)
        }
        Err(e) => {
            if let Err(release) = sends.release(&state.db).await {
                tracing::warn!(error = release.detail, "releasing a reserved invitation send failed");
            }
            Err(e)
        }
    }
}

async fn resend_reserved(state: &AppState, access: &OrgAccess, inviter: &AuthUser, id: &str) -> ApiResult<Invitation> {
    let mut tx = state.db.write().await?;
    let row = load(tx.conn(), &access.org_id, id).await?;
    if row.status != InvitationStatus::Pending.as_str() {
        return Err(not_pending());
    }
    let perms = load_role(tx.conn(), &access.org_id, &row.role).await?;
    access.require_covers(&row.role, &perms)?;
    let org = org_info(tx.conn(), &access.org_id).await?;
    let role_display = role_name(tx.conn(), &access.org_id, &row.role).await?;
    let (token, token_hash) = new_token("odi");
    let now = now_ms();
    if !store::invitations::renew(tx.conn(), id, &token_hash, now + org.lifetime_days * DAY, now).await? {
        return Err(not_pending());
    }
    outbox::enqueue(
        tx.conn(),
        sending::invitation_email(
            state,
            &InvitationEmail {
                to: &row.email,
                org: &org,
                inviter: inviter.display_name(),
                role_name: &role_display,
                token: &token,
                expires_at: now + org.lifetime_days * DAY,
                resent: true,
            },
        ),
    )
    .await?;
    let change = Change::new(AuditAction::InvitationResent, Some(id))
        .after(json!({"email": row.email, "send_count": row.send_count + 1}));
    audit::record(tx.conn(), &access.org_id, &access.actor, change).await?;
    let invitation = load(tx.conn(), &access.org_id, id).await?.into_api(Some(invite_link(state, &token)));
    tx.commit().await?;
    state.mail_queued.notify_one();
    Ok(invitation)
}

pub async fn revoke(state: &AppState, access: &OrgAccess, id: &str) -> ApiResult<()> {
    access.require(Permission::InvitationsRevoke)?;
    let mut tx = state.db.write().await?;
    let row = load(tx.conn(), &access.org_id, id).await?;
    let perms = load_role(tx.conn(), &access.org_id, &row.role).await?;
    access.require_covers(&row.role, &perms)?;
    if !store::invitations::revoke(tx.conn(), id, now_ms()).await? {
        return Err(not_pending());
    }
    let change =
        Change::new(AuditAction::InvitationRevoked, Some(id)).before(json!({"email": row.email, "role": row.role}));
    audit::record(tx.conn(), &access.org_id, &access.actor, change).await?;
    tx.commit().await?;
    Ok(())
}

fn require_verified(user: &AuthUser) -> ApiResult<()> {
    if user.email_verified {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::EmailNotVerified,
        "Verify your email address first: open the link in the email we sent you.",
    ))
}

fn not_pending() -> ApiError {
    ApiError::new(ErrorCode::InvitationNotPending, "This invitation was already accepted, declined or cancelled.")
}

fn expired() -> ApiError {
    ApiError::new(ErrorCode::InvitationExpired, "This invitation expired; ask the organization for a new one.")
}

async fn by_token(conn: &mut Conn, token: &str) -> ApiResult<LinkRow> {
    let row = store::invitations::by_token_hash(conn, &hash_token(token)).await?;
    row.ok_or_else(|| ApiError::not_found("invitation (the link may have been replaced by a newer one)"))
}

/// What a link holder may see: org, inviter, role, expiry — nothing else.
pub async fn preview(state: &AppState, token: &str) -> ApiResult<InvitationPreview> {
    let mut conn = state.db.pool.acquire().await?;
    let row = by_token(&mut conn, token).await?;
    Ok(InvitationPreview {
        status: effective_status(&row.status, row.expires_at, now_ms()),
        org_name: row.org_name,
        inviter_name: row.inviter_name,
        role: row.role,
        role_name: row.role_name,
        email: row.email,
        expires_at: rfc3339(row.expires_at),
    })
}

fn check_pending(row: &LinkRow, now: i64) -> ApiResult<()> {
    match effective_status(&row.status, row.expires_at, now) {
        InvitationStatus::Pending => Ok(()),
        InvitationStatus::Expired => Err(expired()),
        _ => Err(not_pending()),
    }
}

/// Marks the invitation accepted (only one caller can win) and adds the
/// membership. An invitation to be the owner is a customer workspace's
/// hand-off (`partners::hand_off`), the only way one is made.
async fn join(conn: &mut Conn, row: &LinkRow, user_id: &str, actor: &Actor) -> ApiResult<Accepted> {
    let now = now_ms();
    if !store::invitations::accept(&mut *conn, &row.id, now).await? {
        return Err(not_pending());
    }
    if row.role == orgdesk_core::BuiltinRole::Owner.key() {
        return crate::partners::hand_off(conn, row, user_id, actor).await;
    }
    let existing = store::memberships::role_of(&mut *conn, &row.org_id, user_id).await?;
    if let Some(role) = existing {
        return Ok(Accepted { org_id: row.org_id.clone(), role });
    }
    store::memberships::insert(conn, &row.org_id, user_id, &row.role, now).await?;
    let change = Change::new(AuditAction::InvitationAccepted, Some(&row.id))
        .after(json!({"user_id": user_id, "email": row.email, "role": row.role}));
    audit::record(conn, &row.org_id, actor, change).await?;
    Ok(Accepted { org_id: row.org_id.clone(), role: row.role.clone() })
}

pub async fn accept(state: &AppState, user: &AuthUser, token: &str) -> ApiResult<Accepted> {
    let mut tx = state.db.write().await?;
    let row = by_token(tx.conn(), token).await?;
    check_pending(&row, now_ms())?;
    if validate::email_key(&user.email) != row.email_key {
        return Err(ApiError::new(
            ErrorCode::InvitationEmailMismatch,
            format!("This invitation was sent to {}; sign in with that address to accept it.", row.email),
        ));
    }
    require_verified(user)?;
    let accepted = join(tx.conn(), &row, &user.user_id, &user.actor()).await?;
    tx.commit().await?;
    Ok(accepted)
}

/// Accepts for whoever signs in with email and password (the server-rendered page).
pub async fn accept_with_password(
    state: &AppState,
    token: &str,
    password: &str,
    meta: &ClientMeta,
) -> ApiResult<Accepted> {
    let email = {
        let mut conn = state.db.pool.acquire().await?;
        by_token(&mut conn, token).await?.email
    };
    let user_id = crate::accounts::check_credentials(state, &email, password, meta).await?;
    let mut tx = state.db.write().await?;
    let row = by_token(tx.conn(), token).await?;
    check_pending(&row, now_ms())?;
    // The token was emailed to this address: holding it proves the address.
    store::accounts::mark_verified(tx.conn(), &user_id, now_ms()).await?;
    let actor = Actor { user_id: Some(user_id.clone()), label: None, meta: meta.clone(), via_relationship: None };
    let accepted = join(tx.conn(), &row, &user_id, &actor).await?;
    tx.commit().await?;
    Ok(accepted)
}

/// Accepts for an account that just signed in through an OpenID provider
/// (the flow carried the link's token, kept as its hash). The rules of
/// [`accept`] apply: the invited address must be the account's, verified.
/// Answers the acceptance and the org's name.
pub async fn accept_signed_in(
    state: &AppState,
    token_hash: &str,
    user_id: &str,
    meta: &ClientMeta,
) -> ApiResult<(Accepted, String)> {
    let mut tx = state.db.write().await?;
    let row = store::invitations::by_token_hash(tx.conn(), token_hash)
        .await?
        .ok_or_else(|| ApiError::not_found("invitation (the link may have been replaced by a newer one)"))?;
    check_pending(&row, now_ms())?;
    let user = store::accounts::user(tx.conn(), user_id).await?.ok_or_else(|| ApiError::not_found("user"))?;
    if validate::email_key(&user.email) != row.email_key {
        return Err(ApiError::new(
            ErrorCode::InvitationEmailMismatch,
            format!("This invitation was sent to {}; sign in with that address to accept it.", row.email),
        ));
    }
    if user.email_verified_at.is_none() {
        return Err(ApiError::new(ErrorCode::EmailNotVerified, "Verify your email address first."));
    }
    let actor = Actor { user_id: Some(user_id.to_owned()), label: None, meta: meta.clone(), via_relationship: None };
    let accepted = join(tx.conn(), &row, user_id, &actor).await?;
    tx.commit().await?;
    Ok((accepted, row.org_name))
}

/// Marks the invitation declined (only one answer can win) and records it.
async fn mark_declined(conn: &mut Conn, row: &LinkRow, actor: &Actor) -> ApiResult<()> {
    if !store::invitations::decline(&mut *conn, &row.id, now_ms()).await? {
        return Err(not_pending());
    }
    let change = Change::new(AuditAction::InvitationDeclined, Some(&row.id))
        .before(json!({"email": row.email, "role": row.role}));
    audit::record(conn, &row.org_id, actor, change).await?;
    Ok(())
}

/// Declining needs only the token: it was sent to the invited address.
pub async fn decline(state: &AppState, token: &str, meta: &ClientMeta) -> ApiResult<()> {
    let mut tx = state.db.write().await?;
    let row = by_token(tx.conn(), token).await?;
    check_pending(&row, now_ms())?;
    let actor = Actor { user_id: None, label: None, meta: meta.clone(), via_relationship: None };
    mark_declined(tx.conn(), &row, &actor).await?;
    tx.commit().await?;
    Ok(())
}

/// Signs up with the invited address (verified by the token) and joins at once.
pub async fn sign_up(
    state: &AppState,
    token: &str,
    req: InvitationSignUp,
    meta: &ClientMeta,
) -> ApiResult<SessionGrant> {
    let mut tx = state.db.write().await?;
    let row = by_token(tx.conn(), token).await?;
    check_pending(&row, now_ms())?;
    let new = NewUser::validate(&row.email, &req.name, &req.password, req.timezone.as_deref())?;
    let user_id = insert_user(tx.conn(), &new, true, meta).await?;
    let actor = Actor { user_id: Some(user_id.clone()), label: None, meta: meta.clone(), via_relationship: None };
    join(tx.conn(), &row, &user_id, &actor).await?;
    let grant = open_session(tx.conn(), &user_id, "Orgdesk").await?;
    tx.commit().await?;
    Ok(grant)
}

/// Invitations to my address. Only a verified address sees them: anyone can
/// sign up with an address they do not own.
pub async fn mine(state: &AppState, user: &AuthUser) -> ApiResult<Vec<MyInvitation>> {
    require_verified(user)?;
    let rows =
        store::invitations::pending_for_address(&state.db.pool, &validate::email_key(&user.email), now_ms()).await?;
    Ok(rows
        .into_iter()
        .map(|r| MyInvitation {
            id: r.id,
            org_id: r.org_id,
            org_name: r.org_name,
            role: r.role,
            inviter_name: r.inviter_name,
            expires_at: rfc3339(r.expires_at),
        })
        .collect())
}

/// Accepts or declines one of my invitations by id (the app's "My invitations").
/// Both answers need a verified address, like [`mine`].
pub async fn respond_mine(state: &AppState, user: &AuthUser, id: &str, accept: bool) -> ApiResult<Option<Accepted>> {
    require_verified(user)?;
    let mut tx = state.db.write().await?;
    let row = store::invitations::to_address(tx.conn(), id, &validate::email_key(&user.email)).await?;
    let row = row.ok_or_else(|| ApiError::not_found("invitation"))?;
    check_pending(&row, now_ms())?;
    if accept {
        let accepted = join(tx.conn(), &row, &user.user_id, &user.actor()).await?;
        tx.commit().await?;
        return Ok(Some(accepted));
    }
    mark_declined(tx.conn(), &row, &user.actor()).await?;
    tx.commit().await?;
    Ok(None)
}
