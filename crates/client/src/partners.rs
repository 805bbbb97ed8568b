//! Teams and partner relationships, for the Teams and Customers screens and
//! the customer's "Partner access" section. Read fresh, not cached: the
//! lists are small, and a relationship's end must show at once (offline,
//! these screens say so). Customer workspaces themselves are in the org
//! list (`MyOrg::via_partner`) and cached like any other org.

use orgdesk_core::api::{
    CreateCustomerWorkspace, CreateTeam, HandOff, PartnerAccess, PartnerRelationship, RenewRelationship,
    RequestRelationship, SetAssignments, Team, TeamAssignment, TeamMember, UpdateTeam,
};

use crate::api::Fetched;
use crate::error::{Error, Result};
use crate::session::Session;

fn fresh<T>(fetched: Fetched<T>) -> Result<T> {
    match fetched {
        Fetched::Fresh { value, .. } => Ok(value),
        // No validator was sent, so the server has nothing to confirm.
        Fetched::NotModified => Err(Error::BadResponse("304 to a request without a validator".into())),
    }
}

impl Session {
    pub async fn teams(&self, org_id: &str) -> Result<Vec<Team>> {
        fresh(self.call(|api| api.list_teams(org_id, None)).await?)
    }

    pub async fn create_team(&self, org_id: &str, name: &str) -> Result<Team> {
        let req = CreateTeam { name: name.to_owned() };
        self.call(|api| api.create_team(org_id, &req)).await
    }

    pub async fn rename_team(&self, org_id: &str, team_id: &str, name: &str) -> Result<Team> {
        let req = UpdateTeam { name: name.to_owned() };
        self.call(|api| api.rename_team(org_id, team_id, &req)).await
    }

    pub async fn delete_team(&self, org_id: &str, team_id: &str) -> Result<()> {
        self.call(|api| api.delete_team(org_id, team_id)).await
    }

    pub async fn team_members(&self, org_id: &str, team_id: &str) -> Result<Vec<TeamMember>> {
        fresh(self.call(|api| api.team_members(org_id, team_id, None)).await?)
    }

    /// Adds a member of the org to the team; answers the team's members after.
    pub async fn add_team_member(&self, org_id: &str, team_id: &str, user_id: &str) -> Result<Vec<TeamMember>> {
        self.call(|api| api.add_team_member(org_id, team_id, user_id)).await
    }

    pub async fn remove_team_member(&self, org_id: &str, team_id: &str, user_id: &str) -> Result<()> {
        self.call(|api| api.remove_team_member(org_id, team_id, user_id)).await
    }

    /// The partner org's relationships with its customers (with the team assignments).
    pub async fn customers(&self, org_id: &str) -> Result<Vec<PartnerRelationship>> {
        fresh(self.call(|api| api.list_customers(org_id, None)).await?)
    }

    /// Asks an existing org (slug or id) to accept the partner with `roles` until `ends_at`.
    pub async fn request_customer(
        &self,
        org_id: &str,
        customer: &str,
        roles: Vec<String>,
        ends_at: &str,
    ) -> Result<PartnerRelationship> {
        let req = RequestRelationship { customer: customer.to_owned(), roles, ends_at: ends_at.to_owned() };
        self.call(|api| api.request_relationship(org_id, &req)).await
    }

    /// A new org for a customer, its relationship active at once and its
    /// first owner invited (the invitation's link goes to them by email only).
    pub async fn create_customer_workspace(
        &self,
        org_id: &str,
        req: CreateCustomerWorkspace,
    ) -> Result<PartnerRelationship> {
        Ok(self.call(|api| api.create_customer_workspace(org_id, &req)).await?.relationship)
    }

    /// Replaces which partner teams hold which of the relationship's roles.
    pub async fn set_team_assignments(
        &self,
        org_id: &str,
        relationship_id: &str,
        assignments: Vec<TeamAssignment>,
    ) -> Result<PartnerRelationship> {
        let req = SetAssignments { assignments };
        self.call(|api| api.set_team_assignments(org_id, relationship_id, &req)).await
    }

    pub async fn invite_workspace_owner(&self, org_id: &str, relationship_id: &str, owner_email: &str) -> Result<()> {
        let req = HandOff { owner_email: owner_email.to_owned() };
        self.call(|api| api.invite_workspace_owner(org_id, relationship_id, &req)).await.map(drop)
    }

    /// Ends a relationship from the partner's side.
    pub async fn end_as_partner(&self, org_id: &str, relationship_id: &str) -> Result<()> {
        self.call(|api| api.end_as_partner(org_id, relationship_id)).await
    }

    /// Asks the customer's admins to renew (only the customer renews).
    pub async fn request_renewal(&self, org_id: &str, relationship_id: &str) -> Result<()> {
        self.call(|api| api.request_renewal(org_id, relationship_id)).await
    }

    /// The customer's view: each partner's access and the people holding it.
    pub async fn partner_access(&self, org_id: &str) -> Result<Vec<PartnerAccess>> {
        fresh(self.call(|api| api.partner_access(org_id, None)).await?)
    }

    pub async fn accept_partner(&self, org_id: &str, relationship_id: &str) -> Result<PartnerRelationship> {
        self.call(|api| api.accept_partner(org_id, relationship_id)).await
    }

    /// Ends a partner's access from the customer's side, at once.
    pub async fn end_partner_access(&self, org_id: &str, relationship_id: &str) -> Result<()> {
        self.call(|api| api.end_partner_access(org_id, relationship_id)).await
    }

    pub async fn renew_partner_access(
        &self,
        org_id: &str,
        relationship_id: &str,
        ends_at: &str,
    ) -> Result<PartnerRelationship> {
        let req = RenewRelationship { ends_at: ends_at.to_owned() };
        self.call(|api| api.renew_partner_access(org_id, relationship_id, &req)).await
    }
}
