//! The event log: a domain event (`member.added`, `invitation.expired`, …)
//! for every change, written with its audit event in the change's
//! transaction (`audit::record` calls [`for_audit`]), so the event stream and
//! the webhooks see exactly the committed changes. An event is
//! `{id, type, org_id, timestamp, data}`; `data` is the changed object's key
//! (`id`, `user_id` or `key`) with its fields after the change (for a
//! removal: as they were), and `previous` with the fields before it when a
//! change has both.

use orgdesk_core::api::AuditAction;
use orgdesk_core::Permission;
use serde_json::{json, Map, Value};

use crate::state::AppState;
use crate::store::{self, events::NewEvent, Conn};
use crate::time::{new_id, now_ms, rfc3339};

/// Every event type, with the permission a reader needs to see it.
pub const TYPES: &[(&str, Permission)] = &[
    ("member.added", Permission::MembersRead),
    ("member.updated", Permission::MembersRead),
    ("member.disabled", Permission::MembersRead),
    ("member.enabled", Permission::MembersRead),
    ("member.removed", Permission::MembersRead),
    ("invitation.created", Permission::InvitationsRead),
    ("invitation.resent", Permission::InvitationsRead),
    ("invitation.revoked", Permission::InvitationsRead),
    ("invitation.accepted", Permission::InvitationsRead),
    ("invitation.declined", Permission::InvitationsRead),
    ("invitation.expired", Permission::InvitationsRead),
    ("role.created", Permission::OrgRead),
    ("role.updated", Permission::OrgRead),
    ("role.deleted", Permission::OrgRead),
    ("org.updated", Permission::OrgRead),
    ("org.ownership_transferred", Permission::OrgRead),
    ("org.deleted", Permission::OrgRead),
    ("api_key.created", Permission::ApiKeysManage),
    ("api_key.revoked", Permission::ApiKeysManage),
    ("team.created", Permission::MembersRead),
    ("team.updated", Permission::MembersRead),
    ("team.deleted", Permission::MembersRead),
    ("team.member_added", Permission::MembersRead),
    ("team.member_removed", Permission::MembersRead),
    ("partner_relationship.requested", Permission::MembersRead),
    ("partner_relationship.accepted", Permission::MembersRead),
    ("partner_relationship.renewed", Permission::MembersRead),
    ("partner_relationship.ended", Permission::MembersRead),
    ("partner_relationship.expired", Permission::MembersRead),
    ("partner_relationship.assignments_changed", Permission::MembersRead),
    ("partner_relationship.handed_off", Permission::MembersRead),
];

/// The permission that lets a caller read events of `event_type`.
pub fn read_permission(event_type: &str) -> Option<Permission> {
    TYPES.iter().find(|(t, _)| *t == event_type).map(|(_, p)| *p)
}

/// The event types an audit action produces (none for `org.created`: its
/// only reader is its creator, who made it).
fn types_of(action: AuditAction) -> &'static [&'static str] {
    use AuditAction::*;
    match action {
        OrgCreated => &[],
        OrgUpdated | OrgLogoChanged | OrgLogoRemoved => &["org.updated"],
        OrgDeleted => &["org.deleted"],
        OrgOwnershipTransferred => &["org.ownership_transferred"],
        MemberRoleChanged => &["member.updated"],
        MemberDisabled => &["member.disabled"],
        MemberEnabled => &["member.enabled"],
        MemberRemoved | MemberLeft => &["member.removed"],
        RoleCreated => &["role.created"],
        RoleUpdated => &["role.updated"],
        RoleDeleted => &["role.deleted"],
        InvitationCreated => &["invitation.created"],
        InvitationResent => &["invitation.resent"],
        InvitationRevoked => &["invitation.revoked"],
        // Accepting an invitation also adds a member.
        InvitationAccepted => &["invitation.accepted", "member.added"],
        InvitationDeclined => &["invitation.declined"],
        ApiKeyCreated => &["api_key.created"],
        ApiKeyRevoked => &["api_key.revoked"],
        TeamCreated => &["team.created"],
        TeamRenamed => &["team.updated"],
        TeamDeleted => &["team.deleted"],
        TeamMemberAdded => &["team.member_added"],
        TeamMemberRemoved => &["team.member_removed"],
        // A created workspace's relationship is accepted from the start.
        PartnerRequested => &["partner_relationship.requested"],
        PartnerWorkspaceCreated | PartnerAccepted => &["partner_relationship.accepted"],
        PartnerRenewed => &["partner_relationship.renewed"],
        PartnerEnded => &["partner_relationship.ended"],
        PartnerExpired => &["partner_relationship.expired"],
        PartnerAssignmentsChanged => &["partner_relationship.assignments_changed"],
        PartnerHandedOff => &["partner_relationship.handed_off"],
        // Asking for a renewal changes nothing but a reminder: audit only.
        PartnerRenewalRequested => &[],
        // Webhook settings are in the audit trail only.
        WebhookCreated | WebhookUpdated | WebhookDeleted | WebhookSecretRotated | WebhookDisabled => &[],
    }
}

/// The name of the key field of an event type's object.
fn key_field(event_type: &str) -> &'static str {
    match event_type.split('.').next() {
        Some("member") => "user_id",
        Some("role") => "key",
        _ => "id",
    }
}

fn data(event_type: &str, target: Option<&str>, before: Option<&Value>, after: Option<&Value>) -> Value {
    let mut object = Map::new();
    if event_type == "member.added" {
        // The invitation's `after` names the new member.
        if let Some(Value::Object(fields)) = after {
            for (k, v) in fields {
                object.insert(k.clone(), v.clone());
            }
        }
        return Value::Object(object);
    }
    if event_type == "org.ownership_transferred" {
        // Its audit target is the new owner; the object is the org.
        let mut data = json!({ "owner": after.and_then(|a| a.get("owner")).cloned() });
        data["previous"] = json!({ "owner": before.and_then(|b| b.get("owner")).cloned() });
        return data;
    }
    if let Some(target) = target {
        object.insert(key_field(event_type).to_owned(), Value::String(target.to_owned()));
    }
    if let Some(Value::Object(fields)) = after.or(before) {
        for (k, v) in fields {
            object.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    if let (Some(before), Some(_)) = (before, after) {
        object.insert("previous".to_owned(), before.clone());
    }
    Value::Object(object)
}

/// The events of one audited change (`org_id` is added to every `data` by
/// the envelope, not here).
pub fn for_audit<'a>(
    org_id: &'a str,
    action: AuditAction,
    target: Option<&str>,
    before: Option<&Value>,
    after: Option<&Value>,
    at: i64,
) -> Vec<NewEvent<'a>> {
    types_of(action)
        .iter()
        .map(|event_type| NewEvent {
            id: new_id(),
            org_id,
            event_type,
            payload: data(event_type, target, before, after).to_string(),
            at,
        })
        .collect()
}

/// Records events, with their webhook deliveries, in the caller's transaction.
pub async fn record(conn: &mut Conn, events: &[NewEvent<'_>]) -> store::Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    store::events::insert_many(&mut *conn, events).await?;
    crate::webhooks::enqueue(conn, events).await
}

fn wire(id: &str, event_type: &str, org_id: &str, at: i64, payload: &str) -> Value {
    let data = serde_json::from_str::<Value>(payload).unwrap_or(Value::Null);
    json!({ "id": id, "type": event_type, "org_id": org_id, "timestamp": rfc3339(at), "data": data })
}

/// The wire form of an event: what the stream sends and webhooks deliver
/// (`{id, type, org_id, timestamp, data}`, the Standard Webhooks shape).
pub fn envelope(row: &store::events::EventRow) -> Value {
    wire(&row.id, &row.event_type, &row.org_id, row.at, &row.payload)
}

/// The wire form of an event being recorded.
pub fn envelope_of(event: &NewEvent<'_>) -> Value {
    wire(&event.id, event.event_type, event.org_id, event.at, &event.payload)
}

/// One janitor pass: an `invitation.expired` event for every invitation
/// whose expiry passed unanswered since the last pass, each exactly once
/// (the claim and the events commit together). Answers how many.
pub async fn notice_expired_invitations(state: &AppState) -> store::Result<usize> {
    let mut total = 0;
    loop {
        let mut tx = state.db.write().await?;
        let now = now_ms();
        let expired = store::events::claim_expired_invitations(tx.conn(), now, 100).await?;
        let events: Vec<NewEvent<'_>> = expired
            .iter()
            .map(|i| NewEvent {
                id: new_id(),
                org_id: &i.org_id,
                event_type: "invitation.expired",
                payload: json!({"id": i.id, "email": i.email, "role": i.role, "expires_at": rfc3339(i.expires_at)})
                    .to_string(),
                at: now,
            })
            .collect();
        record(tx.conn(), &events).await?;
        let n = events.len();
        drop(events);
        tx.commit().await?;
        total += n;
        if n < 100 {
            return Ok(total);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_audit_action_maps_to_known_types() {
        for action in AuditAction::ALL {
            for t in types_of(*action) {
                assert!(read_permission(t).is_some(), "{t} has a read permission");
            }
        }
    }

    #[test]
    fn data_is_the_object_after_the_change() {
        let d = data("member.updated", Some("u1"), Some(&json!({"role": "member"})), Some(&json!({"role": "admin"})));
        assert_eq!(d, json!({"user_id": "u1", "role": "admin", "previous": {"role": "member"}}));
        let d = data("role.deleted", Some("agent"), Some(&json!({"name": "Agent"})), None);
        assert_eq!(d, json!({"key": "agent", "name": "Agent"}));
    }
}
