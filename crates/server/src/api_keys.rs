//! Organization API keys: a machine credential for one org's `/v1/orgs/{org}/…`
//! endpoints, carrying a subset of its creator's permissions (the escalation
//! rule), optionally expiring. The key (≥ 256 bits) is shown once; only its
//! SHA-256 is stored, with a visible prefix. Requests with a key are
//! admitted by `auth` (to org-scoped paths only) and `access` (to its own
//! org only, with its own permissions).

use orgdesk_core::api::{ApiKey, AuditAction, CreateApiKey, CreatedApiKey};
use orgdesk_core::{validate, ErrorCode, Permission, PermissionSet};
use serde_json::json;

use crate::access::OrgAccess;
use crate::audit::{self, Change};
use crate::auth::{new_token, API_KEY_PREFIX};
use crate::db::Db;
use crate::error::{field, ApiError, ApiResult};
use crate::store::{self, api_keys::KeyRow, Conn};
use crate::time::{new_id, now_ms, parse_rfc3339, rfc3339};

/// How many characters of a key lists show (`odk_` and 8 more).
const PREFIX_LEN: usize = API_KEY_PREFIX.len() + 1 + 8;

impl From<KeyRow> for ApiKey {
    fn from(r: KeyRow) -> ApiKey {
        ApiKey {
            id: r.id,
            org_id: r.org_id,
            name: r.name,
            prefix: r.prefix,
            permissions: PermissionSet::from_storage(&r.permissions).to_vec(),
            created_by: r.created_by,
            created_by_name: r.created_by_name,
            created_at: rfc3339(r.created_at),
            expires_at: r.expires_at.map(rfc3339),
            last_used_at: r.last_used_at.map(rfc3339),
            revoked_at: r.revoked_at.map(rfc3339),
        }
    }
}

fn key_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid("name", "Name the key in 1 to 100 characters, e.g. \"CI deploys\"."));
    }
    Ok(name.to_owned())
}

pub async fn create(db: &Db, access: &OrgAccess, req: CreateApiKey) -> ApiResult<CreatedApiKey> {
    access.require(Permission::ApiKeysManage)?;
    let name = key_name(&req.name)?;
    if req.permissions.is_empty() {
        return Err(ApiError::invalid("permissions", "Give the key at least one permission, e.g. members:read."));
    }
    let names = validate::permission_names(&req.permissions).map_err(field("permissions"))?;
    let permissions = PermissionSet::from_iter(names);
    if !access.permissions.covers(&permissions) {
        return Err(ApiError::new(
            ErrorCode::RoleEscalation,
            "A key can hold only permissions you hold yourself; remove the others from its list.",
        ));
    }
    let now = now_ms();
    let expires_at = match req.expires_at.as_deref() {
        None => None,
        Some(text) => match parse_rfc3339(text) {
            Some(at) if at > now => Some(at),
            Some(_) => return Err(ApiError::invalid("expires_at", "The expiry must be in the future.")),
            None => {
                return Err(ApiError::invalid(
                    "expires_at",
                    format!("\"{text}\" is not an RFC 3339 time such as 2027-01-31T12:00:00Z."),
                ))
            }
        },
    };
    let (secret, hash) = new_token(API_KEY_PREFIX);
    let id = new_id();
    let prefix: String = secret.chars().take(PREFIX_LEN).collect();
    let mut tx = db.write().await?;
    store::api_keys::insert(
        tx.conn(),
        &store::api_keys::NewKey {
            id: &id,
            org_id: &access.org_id,
            name: &name,
            prefix: &prefix,
            key_hash: &hash,
            permissions: &permissions.to_storage(),
            created_by: access.person_id.as_deref(),
            created_at: now,
            expires_at,
        },
    )
    .await?;
    let change = Change::new(AuditAction::ApiKeyCreated, Some(&id)).after(json!({
        "name": name, "prefix": prefix, "permissions": permissions.to_vec(),
        "expires_at": expires_at.map(rfc3339), "created_by": access.person_id,
    }));
    audit::record(tx.conn(), &access.org_id, &access.actor, change).await?;
    let row = store::api_keys::get(tx.conn(), &access.org_id, &id).await?.ok_or_else(ApiError::internal)?;
    tx.commit().await?;
    Ok(CreatedApiKey { key: row.into(), secret })
}

pub async fn list(db: &Db, access: &OrgAccess, created_by: Option<&str>) -> ApiResult<Vec<ApiKey>> {
    access.require(Permission::ApiKeysManage)?;
    let rows = store::api_keys::of_org(&db.pool, &access.org_id, created_by).await?;
    Ok(rows.into_iter().map(ApiKey::from).collect())
}

/// Revokes a key at once (its next request is refused). Revoking a revoked
/// key changes nothing and answers the same.
pub async fn revoke(db: &Db, access: &OrgAccess, id: &str) -> ApiResult<()> {
    access.require(Permission::ApiKeysManage)?;
    let mut tx = db.write().await?;
    let Some(key) = store::api_keys::get(tx.conn(), &access.org_id, id).await? else {
        return Err(ApiError::not_found("API key"));
    };
    if store::api_keys::revoke(tx.conn(), &access.org_id, id, now_ms()).await? {
        let change = Change::new(AuditAction::ApiKeyRevoked, Some(id))
            .before(json!({"name": key.name, "prefix": key.prefix, "created_by": key.created_by}));
        audit::record(tx.conn(), &access.org_id, &access.actor, change).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Revokes, in the caller's transaction, the live keys `user_id` created in
/// the org (removing or disabling them with `?revoke_api_keys=true`).
pub async fn revoke_created_by(conn: &mut Conn, access: &OrgAccess, user_id: &str) -> ApiResult<usize> {
    access.require(Permission::ApiKeysManage)?;
    let revoked = store::api_keys::revoke_created_by(&mut *conn, &access.org_id, user_id, now_ms()).await?;
    let changes = revoked
        .iter()
        .map(|(id, name)| {
            Change::new(AuditAction::ApiKeyRevoked, Some(id.as_str()))
                .before(json!({"name": name, "created_by": user_id}))
        })
        .collect();
    audit::record_many(conn, &access.org_id, &access.actor, changes).await?;
    Ok(revoked.len())
}
