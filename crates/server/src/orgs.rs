//! Organizations: create, read, settings, logo, delete, transfer, leave.

use orgdesk_core::api::AuditAction;
use orgdesk_core::api::{
    CreateOrg, DeleteOrg, MemberStatus, MyOrg, MyPermissions, Org, OrgName, TransferOwnership, UpdateOrg,
};
use orgdesk_core::{validate, BuiltinRole, ErrorCode, Permission};
use serde_json::json;

use crate::access::{role_permissions, Delegated, OrgAccess};
use crate::audit::{self, Change};
use crate::auth::{Actor, AuthUser};
use crate::db::{violation, Constraint};
use crate::error::{field, precondition_failed, ApiError, ApiResult};
use crate::rate_limit::{self, Window};
use crate::state::AppState;
use crate::store::{self, orgs::OrgRow, Conn};
use crate::time::{new_id, now_ms, rfc3339, DAY};

pub const MAX_LOGO_BYTES: usize = 512 * 1024;

impl From<OrgRow> for Org {
    fn from(r: OrgRow) -> Org {
        Org {
            id: r.id,
            name: r.name,
            slug: r.slug,
            default_language: r.default_language,
            timezone: r.timezone,
            invitation_lifetime_days: r.invitation_lifetime_days,
            has_logo: r.has_logo == 1,
            personal: r.personal == 1,
            member_count: r.member_count,
            created_at: rfc3339(r.created_at),
            version: r.version,
        }
    }
}

pub async fn load_org(conn: &mut Conn, org_id: &str) -> ApiResult<Org> {
    let row = store::orgs::org(conn, org_id).await?;
    row.map(Org::from).ok_or_else(|| ApiError::not_found("organization"))
}

/// Inserts an org with its built-in roles and `owner_id` as owner. Without a
/// slug one is made from the name; a generated slug that another request
/// takes first is replaced by the next one, so nobody is refused for a slug
/// they never chose. A chosen slug that is taken answers `slug_taken`.
pub async fn insert_org(
    conn: &mut Conn,
    name: &str,
    slug: Option<&str>,
    personal: bool,
    owner_id: &str,
    actor: &Actor,
) -> ApiResult<String> {
    let id = new_id();
    let now = now_ms();
    let base = validate::slugify(name);
    let mut attempt = 0;
    let slug = loop {
        let candidate = match slug {
            Some(s) => s.to_owned(),
            None if attempt == 0 => free_slug(conn, &base).await?,
            None => random_suffix_slug(&base),
        };
        let org = store::orgs::NewOrg { id: &id, name, slug: &candidate, personal, created_at: now };
        if store::orgs::insert_if_slug_free(&mut *conn, &org).await? {
            break candidate;
        }
        if slug.is_some() {
            return Err(ApiError::new(
                ErrorCode::SlugTaken,
                format!("The slug \"{candidate}\" is taken; choose another."),
            ));
        }
        attempt += 1;
        if attempt > 20 {
            tracing::error!(base, "no free generated slug after 20 attempts");
            return Err(ApiError::internal());
        }
    };
    for role in BuiltinRole::ALL {
        store::roles::insert_builtin(&mut *conn, &id, role.key(), role.name(), now).await?;
    }
    store::memberships::insert(conn, &id, owner_id, "owner", now).await?;
    let change =
        Change::new(AuditAction::OrgCreated, Some(&id)).after(json!({"name": name, "slug": slug, "owner": owner_id}));
    audit::record(conn, &id, actor, change).await?;
    Ok(id)
}

/// The name's slug, or with the lowest free numeric suffix (`acme-2`).
async fn free_slug(conn: &mut Conn, base: &str) -> ApiResult<String> {
    let base = slug_base(base);
    for n in 0..50 {
        let candidate = if n == 0 { base.clone() } else { format!("{base}-{}", n + 1) };
        if !store::orgs::slug_taken(&mut *conn, &candidate).await? {
            return Ok(candidate);
        }
    }
    Ok(random_suffix_slug(&base))
}

/// The name's slug with six random hexadecimal digits: what a generated slug
/// becomes when a concurrent request took the numbered one.
fn random_suffix_slug(base: &str) -> String {
    let suffix: String = uuid::Uuid::new_v4().simple().to_string().chars().take(6).collect();
    format!("{}-{suffix}", slug_base(base))
}

fn slug_base(base: &str) -> String {
    base.chars().take(validate::SLUG_MAX - 7).collect::<String>().trim_end_matches('-').to_owned()
}

pub async fn create(state: &AppState, user: &AuthUser, req: CreateOrg) -> ApiResult<Org> {
    let name = validate::org_name(&req.name).map_err(field("name"))?;
    let slug = req.slug.as_deref().map(validate::slug).transpose().map_err(field("slug"))?;
    let mut tx = state.db.write().await?;
    let window = Window::new(format!("orgs:create:{}", user.user_id), state.limits.orgs_per_user_per_day, DAY);
    rate_limit::take(tx.conn(), &[window], 1, "new organizations from your account today").await?.keep();
    let id = insert_org(tx.conn(), &name, slug.as_deref(), false, &user.user_id, &user.actor()).await?;
    let org = load_org(tx.conn(), &id).await?;
    tx.commit().await?;
    Ok(org)
}

/// My organizations with my role and permissions, by name.
/// My orgs: those I am a member of, then those I reach through a partner
/// relationship (`via_partner`, with the delegated permissions as
/// [`OrgAccess`] resolves them for a request).
pub async fn list_mine(state: &AppState, user: &AuthUser) -> ApiResult<Vec<MyOrg>> {
    let rows = store::orgs::mine(&state.db, &user.user_id).await?;
    let mut orgs: Vec<MyOrg> = rows
        .into_iter()
        .map(|r| {
            let disabled = r.status != MemberStatus::Active.as_str();
            MyOrg {
                permissions: if disabled {
                    Vec::new()
                } else {
                    role_permissions(&r.role, r.builtin, &r.permissions).to_vec()
                },
                id: r.id,
                name: r.name,
                slug: r.slug,
                personal: r.personal == 1,
                has_logo: r.has_logo == 1,
                role: r.role,
                role_name: r.role_name,
                status: if disabled { MemberStatus::Disabled } else { MemberStatus::Active },
                via_partner: None,
            }
        })
        .collect();
    if user.api_key.is_none() {
        // One statement for every delegated org, resolved as a request would
        // be (`OrgAccess::resolve` reads the same rows for one org).
        let rows = store::partners::delegated_orgs(&state.db.pool, &user.user_id, now_ms()).await?;
        let mut delegated: Vec<MyOrg> = Vec::new();
        for (first, held) in Delegated::of_each(&rows) {
            if orgs.iter().any(|o| o.id == held.org_id) {
                continue;
            }
            let row = &rows[first];
            let role_name = held
                .roles
                .iter()
                .map(|k| BuiltinRole::from_key(k).map(|r| r.name().to_owned()).unwrap_or_else(|| k.clone()))
                .collect::<Vec<_>>()
                .join(", ");
            delegated.push(MyOrg {
                id: held.org_id,
                name: row.org_name.clone(),
                slug: row.org_slug.clone(),
                personal: false,
                has_logo: false,
                role: held.roles.join(", "),
                role_name,
                status: MemberStatus::Active,
                permissions: held.permissions.to_vec(),
                via_partner: Some(OrgName {
                    id: held.delegation.partner_org_id,
                    name: held.delegation.partner_name,
                    slug: row.partner_slug.clone(),
                }),
            });
        }
        delegated.sort_by(|a, b| {
            let partner = |o: &MyOrg| o.via_partner.as_ref().map(|p| p.name.to_lowercase()).unwrap_or_default();
            (partner(a), a.name.to_lowercase(), &a.id).cmp(&(partner(b), b.name.to_lowercase(), &b.id))
        });
        orgs.extend(delegated);
    }
    Ok(orgs)
}

pub async fn get(state: &AppState, access: &OrgAccess) -> ApiResult<Org> {
    access.require(Permission::OrgRead)?;
    let mut conn = state.db.pool.acquire().await?;
    load_org(&mut conn, &access.org_id).await
}

pub fn my_permissions(access: &OrgAccess) -> MyPermissions {
    MyPermissions { org_id: access.org_id.clone(), role: access.role.clone(), permissions: access.permissions.to_vec() }
}

/// Applies the given settings. `if_match` is the version the caller read; a
/// newer one in the database answers 412.
pub async fn update(state: &AppState, access: &OrgAccess, req: UpdateOrg, if_match: Option<i64>) -> ApiResult<Org> {
    access.require(Permission::OrgUpdate)?;
    let nothing = req.name.is_none()
        && req.slug.is_none()
        && req.default_language.is_none()
        && req.timezone.is_none()
        && req.invitation_lifetime_days.is_none();
    if nothing {
        return Err(ApiError::invalid("name", "Send at least one setting to change."));
    }
    let name = req.name.as_deref().map(validate::org_name).transpose().map_err(field("name"))?;
    let slug = req.slug.as_deref().map(validate::slug).transpose().map_err(field("slug"))?;
    let language =
        req.default_language.as_deref().map(validate::language).transpose().map_err(field("default_language"))?;
    let timezone = req.timezone.as_deref().map(validate::timezone).transpose().map_err(field("timezone"))?;
    let lifetime = req
        .invitation_lifetime_days
        .map(validate::invitation_lifetime_days)
        .transpose()
        .map_err(field("invitation_lifetime_days"))?;

    let mut tx = state.db.write().await?;
    lock_org(tx.conn(), &access.org_id).await?;
    let before = load_org(tx.conn(), &access.org_id).await?;
    if let Some(expected) = if_match {
        if expected != before.version {
            return Err(precondition_failed());
        }
    }
    let after = Org {
        name: name.unwrap_or_else(|| before.name.clone()),
        slug: slug.unwrap_or_else(|| before.slug.clone()),
        default_language: language.unwrap_or_else(|| before.default_language.clone()),
        timezone: timezone.unwrap_or_else(|| before.timezone.clone()),
        invitation_lifetime_days: lifetime.unwrap_or(before.invitation_lifetime_days),
        version: before.version + 1,
        ..before.clone()
    };
    let settings = store::orgs::Settings {
        name: &after.name,
        slug: &after.slug,
        default_language: &after.default_language,
        timezone: &after.timezone,
        invitation_lifetime_days: after.invitation_lifetime_days,
    };
    match store::orgs::update_settings(tx.conn(), &access.org_id, before.version, &settings).await {
        Ok(true) => {}
        Ok(false) => return Err(precondition_failed()),
        Err(e) if violation(&e) == Some(Constraint::OrgSlug) => {
            return Err(ApiError::new(
                ErrorCode::SlugTaken,
                format!("The slug \"{}\" is taken; choose another.", after.slug),
            ))
        }
        Err(e) => return Err(e.into()),
    }
    let (b, a) = settings_diff(&before, &after);
    audit::record(
        tx.conn(),
        &access.org_id,
        &access.actor,
        Change::new(AuditAction::OrgUpdated, Some(&access.org_id)).before(b).after(a),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

fn settings_diff(before: &Org, after: &Org) -> (serde_json::Value, serde_json::Value) {
    let b = serde_json::to_value(before).unwrap_or_default();
    let a = serde_json::to_value(after).unwrap_or_default();
    let mut old = serde_json::Map::new();
    let mut new = serde_json::Map::new();
    for key in ["name", "slug", "default_language", "timezone", "invitation_lifetime_days"] {
        if b[key] != a[key] {
            old.insert(key.into(), b[key].clone());
            new.insert(key.into(), a[key].clone());
        }
    }
    (old.into(), new.into())
}

/// The image type from the file's first bytes, whatever the request claims.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// The largest side a stored logo keeps; larger uploads are scaled down.
pub const LOGO_MAX_SIDE: u32 = 512;

/// Decodes the whole image (not just its first bytes) and re-encodes it as a
/// PNG: what is stored and served is pixels we wrote, never the upload's own
/// bytes, so a valid header followed by HTML, metadata (EXIF locations) or
/// anything after the image is gone. Dimensions and memory are bounded
/// before decoding.
pub fn reencode_logo(bytes: &[u8]) -> ApiResult<Vec<u8>> {
    use image::ImageFormat;
    let refuse = |detail: &str| ApiError::new(ErrorCode::UnsupportedMediaType, detail.to_owned());
    let format = match sniff_image(bytes) {
        Some("image/png") => ImageFormat::Png,
        Some("image/jpeg") => ImageFormat::Jpeg,
        Some("image/webp") => ImageFormat::WebP,
        _ => return Err(refuse("A logo must be a PNG, JPEG or WebP image.")),
    };
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(8192);
    limits.max_image_height = Some(8192);
    limits.max_alloc = Some(128 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().map_err(|_| {
        refuse("The logo could not be read as an image (damaged, truncated or too large); export it again as PNG.")
    })?;
    let image = if image.width() > LOGO_MAX_SIDE || image.height() > LOGO_MAX_SIDE {
        image.thumbnail(LOGO_MAX_SIDE, LOGO_MAX_SIDE)
    } else {
        image
    };
    let mut out = Vec::new();
    image.write_to(&mut std::io::Cursor::new(&mut out), ImageFormat::Png).map_err(|e| {
        tracing::error!(error = %e, "re-encoding a logo failed");
        ApiError::internal()
    })?;
    Ok(out)
}

pub async fn set_logo(state: &AppState, access: &OrgAccess, bytes: &[u8]) -> ApiResult<Org> {
    access.require(Permission::OrgUpdate)?;
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(ApiError::new(ErrorCode::PayloadTooLarge, "A logo can be at most 512 KB; make the image smaller."));
    }
    let upload = bytes.to_vec();
    let png = tokio::task::spawn_blocking(move || reencode_logo(&upload)).await.map_err(|_| ApiError::internal())??;
    let content_type = "image/png";
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(&png);
    let mut tx = state.db.write().await?;
    store::orgs::set_logo(tx.conn(), &access.org_id, content_type, &encoded).await?;
    let change = Change::new(AuditAction::OrgLogoChanged, Some(&access.org_id))
        .after(json!({"type": content_type, "bytes": png.len()}));
    audit::record(tx.conn(), &access.org_id, &access.actor, change).await?;
    let org = load_org(tx.conn(), &access.org_id).await?;
    tx.commit().await?;
    Ok(org)
}

pub async fn remove_logo(state: &AppState, access: &OrgAccess) -> ApiResult<Org> {
    access.require(Permission::OrgUpdate)?;
    let mut tx = state.db.write().await?;
    store::orgs::remove_logo(tx.conn(), &access.org_id).await?;
    audit::record(
        tx.conn(),
        &access.org_id,
        &access.actor,
        Change::new(AuditAction::OrgLogoRemoved, Some(&access.org_id)),
    )
    .await?;
    let org = load_org(tx.conn(), &access.org_id).await?;
    tx.commit().await?;
    Ok(org)
}

/// The logo's content type and bytes.
pub async fn logo(state: &AppState, access: &OrgAccess) -> ApiResult<(String, Vec<u8>)> {
    access.require(Permission::OrgRead)?;
    let row = store::orgs::logo(&state.db.pool, &access.org_id).await?;
    use base64::Engine;
    match row {
        Some((Some(t), Some(data))) => {
            let bytes = base64::engine::general_purpose::STANDARD.decode(data).map_err(|_| ApiError::internal())?;
            Ok((t, bytes))
        }
        _ => Err(ApiError::not_found("logo")),
    }
}

/// Takes the org row's write lock for the rest of the transaction
/// (`store::orgs::lock`), so a read-modify-write of the org cannot
/// interleave with another one: without If-Match the second waits and
/// applies to the new version instead of failing; a second delete finds
/// nothing to delete.
async fn lock_org(conn: &mut Conn, org_id: &str) -> ApiResult<()> {
    store::orgs::lock(conn, org_id).await?;
    Ok(())
}

pub async fn delete(state: &AppState, access: &OrgAccess, user: &AuthUser, req: DeleteOrg) -> ApiResult<()> {
    access.require(Permission::OrgDelete)?;
    let mut tx = state.db.write().await?;
    lock_org(tx.conn(), &access.org_id).await?;
    let org = load_org(tx.conn(), &access.org_id).await?;
    if req.confirm_slug.trim() != org.slug {
        return Err(ApiError::new(
            ErrorCode::ConfirmationMismatch,
            format!("Type the organization's slug \"{}\" to confirm its deletion.", org.slug),
        ));
    }
    // The audit and domain events first, while the org's webhook endpoints
    // exist to queue `org.deleted` for; then the pending deliveries keep
    // what sending needs, since the endpoints go with the org.
    let change =
        Change::new(AuditAction::OrgDeleted, Some(&org.id)).before(json!({"name": org.name, "slug": org.slug}));
    audit::record(tx.conn(), &org.id, &access.actor, change).await?;
    // Its partner relationships end with it, recorded in the other org too.
    crate::partners::before_org_deleted(tx.conn(), access, user).await?;
    store::webhooks::keep_pending_of_org(tx.conn(), &org.id).await?;
    // Invitations, memberships and roles go with the org; the audit trail stays.
    store::orgs::delete(tx.conn(), &org.id).await?;
    tx.commit().await?;
    state.webhooks.queued.notify_one();
    Ok(())
}

/// Moves ownership to an active member; the old owner becomes admin. Both
/// updates are conditional, so concurrent transfers, demotions and removals
/// can never leave the org with no owner or two.
pub async fn transfer(state: &AppState, access: &OrgAccess, req: TransferOwnership) -> ApiResult<()> {
    access.require_person()?;
    access.require(Permission::OrgTransfer)?;
    if req.user_id == access.user_id {
        return Err(ApiError::invalid("user_id", "You own this organization already; choose another member."));
    }
    let mut tx = state.db.write().await?;
    if !store::memberships::demote_owner(tx.conn(), &access.org_id, &access.user_id).await? {
        return Err(ApiError::new(ErrorCode::Forbidden, "You are no longer the owner of this organization."));
    }
    if !store::memberships::promote_to_owner(tx.conn(), &access.org_id, &req.user_id).await? {
        return Err(ApiError::invalid("user_id", "Ownership can go only to an active member of this organization."));
    }
    let change = Change::new(AuditAction::OrgOwnershipTransferred, Some(&req.user_id))
        .before(json!({"owner": access.user_id}))
        .after(json!({"owner": req.user_id}));
    audit::record(tx.conn(), &access.org_id, &access.actor, change).await?;
    tx.commit().await?;
    Ok(())
}

/// Leaves the org; the owner must transfer ownership first.
pub async fn leave(state: &AppState, access: &OrgAccess) -> ApiResult<()> {
    access.require_person()?;
    access.require_member()?;
    let mut tx = state.db.write().await?;
    if !store::memberships::remove_unless_owner(tx.conn(), &access.org_id, &access.user_id).await? {
        // Either the caller is the owner, or a concurrent leave or removal
        // already ended the membership.
        let role = store::memberships::role_of(tx.conn(), &access.org_id, &access.user_id).await?;
        return Err(match role {
            Some(_) => ApiError::new(
                ErrorCode::OwnerProtected,
                "The owner cannot leave; transfer ownership to another member first.",
            ),
            None => ApiError::not_found("membership"),
        });
    }
    let change = Change::new(AuditAction::MemberLeft, Some(&access.user_id)).before(json!({"role": access.role}));
    audit::record(tx.conn(), &access.org_id, &access.actor, change).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn sniffs_images_by_content() {
        assert_eq!(super::sniff_image(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(super::sniff_image(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(super::sniff_image(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(super::sniff_image(b"<svg xmlns="), None);
    }
}
