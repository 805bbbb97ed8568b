//! Organizations, my permissions in them, their roles and audit log, as
//! cached reads (`cached_*`) and their revalidating twins.

use orgdesk_core::api::{
    AuditEvent, AuditQuery, CreateOrg, CreateRole, MyOrg, MyPermissions, Org, Page, Role, UpdateOrg, UpdateRole,
};

use crate::cache_keys as keys;
use crate::error::Result;
use crate::session::Session;
use crate::snapshot::Snapshot;

impl Session {
    pub async fn cached_orgs(&self) -> Result<Option<Snapshot<Vec<MyOrg>>>> {
        self.cached(&keys::orgs()).await
    }

    pub async fn orgs(&self) -> Result<Snapshot<Vec<MyOrg>>> {
        self.revalidate(&keys::orgs(), |api, etag| async move { api.list_orgs(etag.as_deref()).await }).await
    }

    pub async fn cached_org(&self, org_id: &str) -> Result<Option<Snapshot<Org>>> {
        self.cached(&keys::org(org_id)).await
    }

    /// Settings of one org; `data.version` goes back into [`Session::update_org`].
    pub async fn org(&self, org_id: &str) -> Result<Snapshot<Org>> {
        self.revalidate(&keys::org(org_id), |api, etag| async move { api.get_org(org_id, etag.as_deref()).await }).await
    }

    pub async fn create_org(&self, req: &CreateOrg) -> Result<Org> {
        let org = self.call(|api| api.create_org(req)).await?;
        self.cache()?.put(&keys::org(&org.id), &org, Some(&format!("\"{}\"", org.version))).await?;
        Ok(org)
    }

    /// Changes settings if nobody else did since `version` was read; else
    /// fails with `Code::PreconditionFailed` (reload and retry).
    pub async fn update_org(&self, org_id: &str, version: i64, req: &UpdateOrg) -> Result<Org> {
        let org = self.call(|api| api.update_org(org_id, Some(version), req)).await?;
        self.cache()?.put(&keys::org(org_id), &org, Some(&format!("\"{}\"", org.version))).await?;
        Ok(org)
    }

    pub async fn cached_permissions(&self, org_id: &str) -> Result<Option<Snapshot<MyPermissions>>> {
        self.cached(&keys::permissions(org_id)).await
    }

    /// My role and effective permissions: the UI shows only what they allow.
    pub async fn permissions(&self, org_id: &str) -> Result<Snapshot<MyPermissions>> {
        self.refresh(&keys::permissions(org_id), |api| api.my_permissions(org_id)).await
    }

    pub async fn cached_roles(&self, org_id: &str) -> Result<Option<Snapshot<Vec<Role>>>> {
        self.cached(&keys::roles(org_id)).await
    }

    pub async fn roles(&self, org_id: &str) -> Result<Snapshot<Vec<Role>>> {
        self.revalidate(&keys::roles(org_id), |api, etag| async move { api.list_roles(org_id, etag.as_deref()).await })
            .await
    }

    pub async fn create_role(&self, org_id: &str, req: &CreateRole) -> Result<Role> {
        let role = self.call(|api| api.create_role(org_id, req)).await?;
        let added = role.clone();
        self.edit_cached_roles(org_id, move |roles| {
            roles.retain(|r| r.key != added.key);
            roles.push(added.clone());
        })
        .await?;
        Ok(role)
    }

    pub async fn update_role(&self, org_id: &str, key: &str, req: &UpdateRole) -> Result<Role> {
        let role = self.call(|api| api.update_role(org_id, key, req)).await?;
        let changed = role.clone();
        self.edit_cached_roles(org_id, move |roles| {
            for r in roles.iter_mut().filter(|r| r.key == changed.key) {
                *r = changed.clone();
            }
        })
        .await?;
        Ok(role)
    }

    pub async fn delete_role(&self, org_id: &str, key: &str) -> Result<()> {
        self.call(|api| api.delete_role(org_id, key)).await?;
        self.edit_cached_roles(org_id, |roles| roles.retain(|r| r.key != key)).await
    }

    /// My own change applied to the cached roles at once, so a view reopened
    /// before the next revalidation shows it (the ETag is dropped: the next
    /// read asks plainly).
    async fn edit_cached_roles(&self, org_id: &str, edit: impl FnOnce(&mut Vec<Role>)) -> Result<()> {
        let key = keys::roles(org_id);
        if let Some(mut entry) = self.cache()?.get(&key).await? {
            edit(&mut entry.value);
            self.cache()?.put_synced_at(&key, &entry.value, None, entry.synced_at).await?;
            self.announce(crate::live::Change::Roles { org_id: org_id.to_owned() });
        }
        Ok(())
    }

    pub async fn cached_audit(&self, org_id: &str, query: &AuditQuery) -> Result<Option<Snapshot<Page<AuditEvent>>>> {
        let key = keys::audit(self.cache()?, org_id, query);
        self.cached(&key).await
    }

    /// One page of the audit log, cached per filter and cursor.
    pub async fn audit(&self, org_id: &str, query: &AuditQuery) -> Result<Snapshot<Page<AuditEvent>>> {
        let key = keys::audit(self.cache()?, org_id, query);
        self.revalidate(&key, |api, etag| async move { api.list_audit(org_id, query, etag.as_deref()).await }).await
    }
}
