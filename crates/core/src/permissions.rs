//! The permission catalog and the built-in roles' permission table (DESIGN.md,
//! "Roles and permissions").

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A permission from the catalog. Custom roles may also carry application
/// permissions (`app:<name>`), which are kept as plain strings in a [`PermissionSet`].
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
pub enum Permission {
    #[serde(rename = "org:read")]
    OrgRead,
    #[serde(rename = "org:update")]
    OrgUpdate,
    #[serde(rename = "org:delete")]
    OrgDelete,
    #[serde(rename = "org:transfer")]
    OrgTransfer,
    #[serde(rename = "members:read")]
    MembersRead,
    #[serde(rename = "members:invite")]
    MembersInvite,
    #[serde(rename = "members:update")]
    MembersUpdate,
    #[serde(rename = "members:remove")]
    MembersRemove,
    #[serde(rename = "invitations:read")]
    InvitationsRead,
    #[serde(rename = "invitations:revoke")]
    InvitationsRevoke,
    #[serde(rename = "roles:manage")]
    RolesManage,
    #[serde(rename = "audit:read")]
    AuditRead,
    #[serde(rename = "billing:read")]
    BillingRead,
    #[serde(rename = "billing:manage")]
    BillingManage,
    #[serde(rename = "api_keys:manage")]
    ApiKeysManage,
    #[serde(rename = "webhooks:manage")]
    WebhooksManage,
    #[serde(rename = "teams:manage")]
    TeamsManage,
    #[serde(rename = "partners:manage")]
    PartnersManage,
}

impl Permission {
    pub const ALL: [Permission; 18] = [
        Permission::OrgRead,
        Permission::OrgUpdate,
        Permission::OrgDelete,
        Permission::OrgTransfer,
        Permission::MembersRead,
        Permission::MembersInvite,
        Permission::MembersUpdate,
        Permission::MembersRemove,
        Permission::InvitationsRead,
        Permission::InvitationsRevoke,
        Permission::RolesManage,
        Permission::AuditRead,
        Permission::BillingRead,
        Permission::BillingManage,
        Permission::ApiKeysManage,
        Permission::WebhooksManage,
        Permission::TeamsManage,
        Permission::PartnersManage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::OrgRead => "org:read",
            Permission::OrgUpdate => "org:update",
            Permission::OrgDelete => "org:delete",
            Permission::OrgTransfer => "org:transfer",
            Permission::MembersRead => "members:read",
            Permission::MembersInvite => "members:invite",
            Permission::MembersUpdate => "members:update",
            Permission::MembersRemove => "members:remove",
            Permission::InvitationsRead => "invitations:read",
            Permission::InvitationsRevoke => "invitations:revoke",
            Permission::RolesManage => "roles:manage",
            Permission::AuditRead => "audit:read",
            Permission::BillingRead => "billing:read",
            Permission::BillingManage => "billing:manage",
            Permission::ApiKeysManage => "api_keys:manage",
            Permission::WebhooksManage => "webhooks:manage",
            Permission::TeamsManage => "teams:manage",
            Permission::PartnersManage => "partners:manage",
        }
    }

    pub fn parse(s: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn description(self) -> &'static str {
        match self {
            Permission::OrgRead => "See the organization and its settings",
            Permission::OrgUpdate => "Change the organization's name, slug, logo and defaults",
            Permission::OrgDelete => "Delete the organization",
            Permission::OrgTransfer => "Transfer ownership to another member",
            Permission::MembersRead => "See the member list",
            Permission::MembersInvite => "Invite people and resend invitations",
            Permission::MembersUpdate => "Change members' roles, disable and enable them",
            Permission::MembersRemove => "Remove members",
            Permission::InvitationsRead => "See pending invitations",
            Permission::InvitationsRevoke => "Cancel pending invitations",
            Permission::RolesManage => "Create, edit and delete custom roles",
            Permission::AuditRead => "Read and export the audit log",
            Permission::BillingRead => "See billing information",
            Permission::BillingManage => "Change billing information",
            Permission::ApiKeysManage => "Create, list and revoke the organization's API keys",
            Permission::WebhooksManage => "Manage webhook endpoints, their secrets and deliveries",
            Permission::TeamsManage => "Create, rename and delete teams and change who is in them",
            Permission::PartnersManage => {
                "Request, accept, renew and end partner relationships, and assign them to teams"
            }
        }
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether `s` is an application permission, `app:<name>` with a lowercase name.
pub fn is_app_permission(s: &str) -> bool {
    match s.strip_prefix("app:") {
        Some(name) => {
            (1..=64).contains(&name.len())
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-' || b == b'.')
        }
        None => false,
    }
}

/// Stands for every `app:<name>` permission; only the owner holds it.
pub const ALL_APP_PERMISSIONS: &str = "app:*";

/// The built-in roles every organization has.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BuiltinRole {
    Owner,
    Admin,
    Member,
    Billing,
    Viewer,
}

impl BuiltinRole {
    pub const ALL: [BuiltinRole; 5] =
        [BuiltinRole::Owner, BuiltinRole::Admin, BuiltinRole::Member, BuiltinRole::Billing, BuiltinRole::Viewer];

    pub fn key(self) -> &'static str {
        match self {
            BuiltinRole::Owner => "owner",
            BuiltinRole::Admin => "admin",
            BuiltinRole::Member => "member",
            BuiltinRole::Billing => "billing",
            BuiltinRole::Viewer => "viewer",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BuiltinRole::Owner => "Owner",
            BuiltinRole::Admin => "Admin",
            BuiltinRole::Member => "Member",
            BuiltinRole::Billing => "Billing",
            BuiltinRole::Viewer => "Viewer",
        }
    }

    pub fn from_key(key: &str) -> Option<BuiltinRole> {
        BuiltinRole::ALL.into_iter().find(|r| r.key() == key)
    }

    /// The permission table of DESIGN.md, one row per role.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            BuiltinRole::Owner => &Permission::ALL,
            BuiltinRole::Admin => &[
                OrgRead,
                OrgUpdate,
                MembersRead,
                MembersInvite,
                MembersUpdate,
                MembersRemove,
                InvitationsRead,
                InvitationsRevoke,
                RolesManage,
                AuditRead,
                BillingRead,
                ApiKeysManage,
                WebhooksManage,
                TeamsManage,
                PartnersManage,
            ],
            BuiltinRole::Member => &[OrgRead, MembersRead],
            BuiltinRole::Billing => &[OrgRead, MembersRead, BillingRead, BillingManage],
            BuiltinRole::Viewer => &[OrgRead, MembersRead, AuditRead],
        }
    }

    /// The owner also holds every application permission (`app:*`).
    pub fn permission_set(self) -> PermissionSet {
        let mut set = PermissionSet::from_iter(self.permissions().iter().map(|p| p.as_str().to_owned()));
        if self == BuiltinRole::Owner {
            set.0.insert(ALL_APP_PERMISSIONS.to_owned());
        }
        set
    }
}

/// A role's effective permissions: catalog permissions and `app:*` ones.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct PermissionSet(BTreeSet<String>);

impl PermissionSet {
    pub fn has(&self, permission: Permission) -> bool {
        self.0.contains(permission.as_str())
    }

    pub fn contains_str(&self, permission: &str) -> bool {
        self.0.contains(permission)
    }

    /// True when every permission of `other` is also in `self`: the test of the
    /// escalation rule ("nobody grants what they do not hold").
    pub fn covers(&self, other: &PermissionSet) -> bool {
        let all_apps = self.0.contains(ALL_APP_PERMISSIONS);
        other.0.iter().all(|p| self.0.contains(p) || (all_apps && is_app_permission(p)))
    }

    /// Takes `permission` out of the set.
    pub fn remove(&mut self, permission: Permission) {
        self.0.remove(permission.as_str());
    }

    /// Adds every permission of `other` (the union).
    pub fn extend(&mut self, other: &PermissionSet) {
        self.0.extend(other.0.iter().cloned());
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn to_vec(&self) -> Vec<String> {
        self.0.iter().cloned().collect()
    }

    /// Stored form: the permissions joined by spaces.
    pub fn to_storage(&self) -> String {
        self.to_vec().join(" ")
    }

    pub fn from_storage(s: &str) -> PermissionSet {
        PermissionSet::from_iter(s.split_whitespace().map(str::to_owned))
    }
}

impl FromIterator<String> for PermissionSet {
    fn from_iter<T: IntoIterator<Item = String>>(iter: T) -> Self {
        PermissionSet(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_holds_every_catalog_permission() {
        let owner = BuiltinRole::Owner.permission_set();
        for role in BuiltinRole::ALL {
            assert!(owner.covers(&role.permission_set()), "owner must cover {role:?}");
        }
    }

    #[test]
    fn admin_cannot_cover_owner_nor_billing_manager() {
        let admin = BuiltinRole::Admin.permission_set();
        assert!(!admin.covers(&BuiltinRole::Owner.permission_set()));
        assert!(!admin.covers(&BuiltinRole::Billing.permission_set()), "billing:manage is owner/billing only");
        assert!(admin.covers(&BuiltinRole::Member.permission_set()));
        assert!(admin.covers(&BuiltinRole::Viewer.permission_set()));
        let agent = PermissionSet::from_iter(["org:read".to_owned(), "app:tickets".to_owned()]);
        assert!(!admin.covers(&agent), "application permissions are the owner's to grant");
        assert!(BuiltinRole::Owner.permission_set().covers(&agent));
    }

    #[test]
    fn permission_names_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(p));
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.as_str()));
        }
        assert!(is_app_permission("app:tickets.reply"));
        assert!(!is_app_permission("app:"));
        assert!(!is_app_permission("app:Tickets"));
    }
}
