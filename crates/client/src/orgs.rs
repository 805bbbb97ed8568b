//! Organizations, my permissions in them, their roles and audit log, as
//! cached reads (`cached_*`) and their revalidating twins.

use orgdesk_core::api::{AuditEvent, AuditQuery, CreateOrg, MyOrg, MyPermissions, Org, Page, Role, UpdateOrg};

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
