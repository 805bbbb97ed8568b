//! One method per operation of the `/v1` API, in the order of the server's
//! route modules. List reads take the ETag last seen and may answer
//! [`Fetched::NotModified`]; updates of versioned resources take the version
//! last seen and send it in `If-Match`.

use orgdesk_core::api::*;
use reqwest::Method;

use super::{Api, Call, Fetched};
use crate::error::Result;

impl Api {
    // ------------------------------------------------------------ accounts

    pub async fn sign_up(&self, req: &SignUp) -> Result<SessionGrant> {
        self.json(Call::new(Method::POST, &["v1", "auth", "signup"]).json(req)?).await
    }

    pub async fn sign_in(&self, req: &SignIn) -> Result<SessionGrant> {
        self.json(Call::new(Method::POST, &["v1", "auth", "signin"]).json(req)?).await
    }

    /// Ends the session this client holds on the server.
    pub async fn sign_out(&self) -> Result<()> {
        self.no_content(Call::new(Method::POST, &["v1", "auth", "signout"])).await
    }

    pub async fn verify_email(&self, token: &str) -> Result<()> {
        let body = VerifyEmail { token: token.into() };
        self.no_content(Call::new(Method::POST, &["v1", "auth", "verify-email"]).json(&body)?).await
    }

    pub async fn resend_verification(&self) -> Result<()> {
        self.no_content(Call::new(Method::POST, &["v1", "auth", "resend-verification"])).await
    }

    /// Answers the same whether or not the address has an account.
    pub async fn request_password_reset(&self, email: &str) -> Result<()> {
        let body = PasswordResetRequest { email: email.into() };
        self.no_content(Call::new(Method::POST, &["v1", "auth", "password-reset"]).json(&body)?).await
    }

    /// Ends every session of the account, this client's included.
    pub async fn confirm_password_reset(&self, token: &str, password: &str) -> Result<()> {
        let body = PasswordResetConfirm { token: token.into(), password: password.into() };
        self.no_content(Call::new(Method::POST, &["v1", "auth", "password-reset", "confirm"]).json(&body)?).await
    }

    /// The new address gets a link; the change happens when it is followed.
    pub async fn change_email(&self, email: &str, password: &str) -> Result<()> {
        let body = ChangeEmail { email: email.into(), password: password.into() };
        self.no_content(Call::new(Method::POST, &["v1", "me", "email"]).json(&body)?).await
    }

    pub async fn confirm_email_change(&self, token: &str) -> Result<()> {
        let body = ConfirmEmailChange { token: token.into() };
        self.no_content(Call::new(Method::POST, &["v1", "auth", "email-change", "confirm"]).json(&body)?).await
    }

    pub async fn security_log(&self, query: &PageQuery) -> Result<Page<SecurityEvent>> {
        self.json(Call::get(&["v1", "me", "security-log"]).query(query)?).await
    }

    /// The OpenID providers this server offers (none configured: empty).
    pub async fn auth_providers(&self) -> Result<Vec<OidcProvider>> {
        self.json(Call::get(&["v1", "auth", "providers"])).await
    }

    pub async fn start_oidc_flow(&self, provider: &str, req: &StartOidcFlow) -> Result<OidcFlowStarted> {
        self.json(Call::new(Method::POST, &["v1", "auth", "oidc", provider, "flows"]).json(req)?).await
    }

    pub async fn oidc_token(&self, req: &OidcTokenRequest) -> Result<SessionGrant> {
        self.json(Call::new(Method::POST, &["v1", "auth", "oidc", "token"]).json(req)?).await
    }

    pub async fn me(&self) -> Result<User> {
        self.json(Call::get(&["v1", "me"])).await
    }

    pub async fn update_me(&self, req: &UpdateProfile) -> Result<User> {
        self.json(Call::new(Method::PATCH, &["v1", "me"]).json(req)?).await
    }

    pub async fn sessions(&self) -> Result<Vec<Session>> {
        self.json(Call::get(&["v1", "me", "sessions"])).await
    }

    pub async fn revoke_session(&self, id: &str) -> Result<()> {
        self.no_content(Call::new(Method::DELETE, &["v1", "me", "sessions", id])).await
    }

    // ------------------------------------------------------------ orgs

    pub async fn list_orgs(&self, etag: Option<&str>) -> Result<Fetched<Vec<MyOrg>>> {
        self.conditional(Call::get(&["v1", "orgs"]).if_none_match(etag)?).await
    }

    pub async fn create_org(&self, req: &CreateOrg) -> Result<Org> {
        self.json(Call::new(Method::POST, &["v1", "orgs"]).json(req)?).await
    }

    /// `org` is an id or a slug.
    pub async fn get_org(&self, org: &str, etag: Option<&str>) -> Result<Fetched<Org>> {
        self.conditional(Call::get(&["v1", "orgs", org]).if_none_match(etag)?).await
    }

    /// `version` is the `Org::version` the change was based on; a stale one
    /// fails with `Code::PreconditionFailed`. `None` overwrites blindly.
    pub async fn update_org(&self, org: &str, version: Option<i64>, req: &UpdateOrg) -> Result<Org> {
        let call = Call::new(Method::PATCH, &["v1", "orgs", org]).if_match(version)?.json(req)?;
        self.json(call).await
    }

    pub async fn delete_org(&self, org: &str, confirm_slug: &str) -> Result<()> {
        let body = DeleteOrg { confirm_slug: confirm_slug.into() };
        self.no_content(Call::new(Method::DELETE, &["v1", "orgs", org]).json(&body)?).await
    }

    pub async fn my_permissions(&self, org: &str) -> Result<MyPermissions> {
        self.json(Call::get(&["v1", "orgs", org, "permissions"])).await
    }

    /// The logo's bytes and content type.
    pub async fn org_logo(&self, org: &str) -> Result<(Vec<u8>, String)> {
        let answer = self.send(Call::get(&["v1", "orgs", org, "logo"])).await?;
        let content_type = answer.content_type.unwrap_or_else(|| "application/octet-stream".into());
        Ok((answer.body, content_type))
    }

    pub async fn set_org_logo(&self, org: &str, bytes: Vec<u8>, content_type: &'static str) -> Result<Org> {
        let mut call = Call::new(Method::PUT, &["v1", "orgs", org, "logo"]);
        call.body = Some((bytes, content_type));
        self.json(call).await
    }

    pub async fn remove_org_logo(&self, org: &str) -> Result<Org> {
        self.json(Call::new(Method::DELETE, &["v1", "orgs", org, "logo"])).await
    }

    pub async fn transfer_ownership(&self, org: &str, user_id: &str) -> Result<()> {
        let body = TransferOwnership { user_id: user_id.into() };
        self.no_content(Call::new(Method::POST, &["v1", "orgs", org, "transfer"]).json(&body)?).await
    }

    pub async fn leave_org(&self, org: &str) -> Result<()> {
        self.no_content(Call::new(Method::POST, &["v1", "orgs", org, "leave"])).await
    }

    // ------------------------------------------------------------ members

    pub async fn list_members(
        &self,
        org: &str,
        query: &MemberQuery,
        etag: Option<&str>,
    ) -> Result<Fetched<Page<Member>>> {
        let call = Call::get(&["v1", "orgs", org, "members"]).query(query)?.if_none_match(etag)?;
        self.conditional(call).await
    }

    pub async fn get_member(&self, org: &str, user_id: &str) -> Result<Member> {
        self.json(Call::get(&["v1", "orgs", org, "members", user_id])).await
    }

    /// `version` is the `Member::version` the change was based on.
    pub async fn update_member(
        &self,
        org: &str,
        user_id: &str,
        version: Option<i64>,
        req: &UpdateMember,
    ) -> Result<Member> {
        let call = Call::new(Method::PATCH, &["v1", "orgs", org, "members", user_id]).if_match(version)?.json(req)?;
        self.json(call).await
    }

    pub async fn bulk_change_members(&self, org: &str, req: &BulkMemberChange) -> Result<BulkMemberResults> {
        self.json(Call::new(Method::POST, &["v1", "orgs", org, "members", "bulk"]).json(req)?).await
    }

    /// Times only: networks and devices are shown to the person themselves.
    pub async fn member_sign_ins(&self, org: &str, user_id: &str) -> Result<MemberSignIns> {
        self.json(Call::get(&["v1", "orgs", org, "members", user_id, "sign-ins"])).await
    }

    pub async fn remove_member(&self, org: &str, user_id: &str) -> Result<()> {
        self.no_content(Call::new(Method::DELETE, &["v1", "orgs", org, "members", user_id])).await
    }

    /// Removes a member and, in the same transaction, revokes the API keys
    /// they created in the org (needs `api_keys:manage` too).
    pub async fn remove_member_and_keys(&self, org: &str, user_id: &str) -> Result<()> {
        let call = Call::new(Method::DELETE, &["v1", "orgs", org, "members", user_id]).query(&revoking())?;
        self.no_content(call).await
    }

    /// Disables a member (`req.status` must be disabled) and revokes the
    /// API keys they created in the org, in one transaction.
    pub async fn update_member_and_revoke_keys(
        &self,
        org: &str,
        user_id: &str,
        version: Option<i64>,
        req: &UpdateMember,
    ) -> Result<Member> {
        let call = Call::new(Method::PATCH, &["v1", "orgs", org, "members", user_id])
            .query(&revoking())?
            .if_match(version)?
            .json(req)?;
        self.json(call).await
    }

    /// A bulk removal or disabling that also revokes each member's keys.
    pub async fn bulk_change_members_and_revoke_keys(
        &self,
        org: &str,
        req: &BulkMemberChange,
    ) -> Result<BulkMemberResults> {
        let call = Call::new(Method::POST, &["v1", "orgs", org, "members", "bulk"]).query(&revoking())?.json(req)?;
        self.json(call).await
    }

    // ------------------------------------------------------------ roles

    pub async fn permission_catalog(&self) -> Result<Vec<PermissionInfo>> {
        self.json(Call::get(&["v1", "permissions"])).await
    }

    pub async fn list_roles(&self, org: &str, etag: Option<&str>) -> Result<Fetched<Vec<Role>>> {
        self.conditional(Call::get(&["v1", "orgs", org, "roles"]).if_none_match(etag)?).await
    }

    pub async fn create_role(&self, org: &str, req: &CreateRole) -> Result<Role> {
        self.json(Call::new(Method::POST, &["v1", "orgs", org, "roles"]).json(req)?).await
    }

    pub async fn update_role(&self, org: &str, key: &str, req: &UpdateRole) -> Result<Role> {
        self.json(Call::new(Method::PATCH, &["v1", "orgs", org, "roles", key]).json(req)?).await
    }

    pub async fn delete_role(&self, org: &str, key: &str) -> Result<()> {
        self.no_content(Call::new(Method::DELETE, &["v1", "orgs", org, "roles", key])).await
    }

    // ------------------------------------------------------------ teams

    pub async fn list_teams(&self, org: &str, etag: Option<&str>) -> Result<Fetched<Vec<Team>>> {
        self.conditional(Call::get(&["v1", "orgs", org, "teams"]).if_none_match(etag)?).await
    }

    pub async fn create_team(&self, org: &str, req: &CreateTeam) -> Result<Team> {
        self.json(Call::new(Method::POST, &["v1", "orgs", org, "teams"]).json(req)?).await
    }

    pub async fn get_team(&self, org: &str, team_id: &str) -> Result<Team> {
        self.json(Call::get(&["v1", "orgs", org, "teams", team_id])).await
    }

    pub async fn rename_team(&self, org: &str, team_id: &str, req: &UpdateTeam) -> Result<Team> {
        self.json(Call::new(Method::PATCH, &["v1", "orgs", org, "teams", team_id]).json(req)?).await
    }

    pub async fn delete_team(&self, org: &str, team_id: &str) -> Result<()> {
        self.no_content(Call::new(Method::DELETE, &["v1", "orgs", org, "teams", team_id])).await
    }

    pub async fn team_members(&self, org: &str, team_id: &str, etag: Option<&str>) -> Result<Fetched<Vec<TeamMember>>> {
        self.conditional(Call::get(&["v1", "orgs", org, "teams", team_id, "members"]).if_none_match(etag)?).await
    }

    /// Answers the team's members after the change (already in: unchanged).
    pub async fn add_team_member(&self, org: &str, team_id: &str, user_id: &str) -> Result<Vec<TeamMember>> {
        self.json(Call::new(Method::PUT, &["v1", "orgs", org, "teams", team_id, "members", user_id])).await
    }

    pub async fn remove_team_member(&self, org: &str, team_id: &str, user_id: &str) -> Result<()> {
        self.no_content(Call::new(Method::DELETE, &["v1", "orgs", org, "teams", team_id, "members", user_id])).await
    }

    pub async fn member_teams(&self, org: &str, user_id: &str, etag: Option<&str>) -> Result<Fetched<Vec<Team>>> {
        self.conditional(Call::get(&["v1", "orgs", org, "members", user_id, "teams"]).if_none_match(etag)?).await
    }

    // ------------------------------------------------------------ partners

    /// The partner's relationships with its customers.
    pub async fn list_customers(&self, org: &str, etag: Option<&str>) -> Result<Fetched<Vec<PartnerRelationship>>> {
        self.conditional(Call::get(&["v1", "orgs", org, "customers"]).if_none_match(etag)?).await
    }

    pub async fn request_relationship(&self, org: &str, req: &RequestRelationship) -> Result<PartnerRelationship> {
        self.json(Call::new(Method::POST, &["v1", "orgs", org, "customers"]).json(req)?).await
    }

    pub async fn create_customer_workspace(
        &self,
        org: &str,
        req: &CreateCustomerWorkspace,
    ) -> Result<CustomerWorkspaceCreated> {
        self.json(Call::new(Method::POST, &["v1", "orgs", org, "customer-workspaces"]).json(req)?).await
    }

    pub async fn get_customer(&self, org: &str, relationship_id: &str) -> Result<PartnerRelationship> {
        self.json(Call::get(&["v1", "orgs", org, "customers", relationship_id])).await
    }

    pub async fn end_as_partner(&self, org: &str, relationship_id: &str) -> Result<()> {
        self.no_content(Call::new(Method::POST, &["v1", "orgs", org, "customers", relationship_id, "end"])).await
    }

    pub async fn request_renewal(&self, org: &str, relationship_id: &str) -> Result<()> {
        self.no_content(Call::new(Method::POST, &["v1", "orgs", org, "customers", relationship_id, "renewal-request"]))
            .await
    }

    pub async fn set_team_assignments(
        &self,
        org: &str,
        relationship_id: &str,
        req: &SetAssignments,
    ) -> Result<PartnerRelationship> {
        let call =
            Call::new(Method::PUT, &["v1", "orgs", org, "customers", relationship_id, "assignments"]).json(req)?;
        self.json(call).await
    }

    pub async fn invite_workspace_owner(&self, org: &str, relationship_id: &str, req: &HandOff) -> Result<Invitation> {
        let call = Call::new(Method::POST, &["v1", "orgs", org, "customers", relationship_id, "owner-invitation"])
            .json(req)?;
        self.json(call).await
    }

    /// The customer's view: each partner's access and who holds it.
    pub async fn partner_access(&self, org: &str, etag: Option<&str>) -> Result<Fetched<Vec<PartnerAccess>>> {
        self.conditional(Call::get(&["v1", "orgs", org, "partner-access"]).if_none_match(etag)?).await
    }

    pub async fn accept_partner(&self, org: &str, relationship_id: &str) -> Result<PartnerRelationship> {
        self.json(Call::new(Method::POST, &["v1", "orgs", org, "partner-access", relationship_id, "accept"])).await
    }

    pub async fn end_partner_access(&self, org: &str, relationship_id: &str) -> Result<()> {
        self.no_content(Call::new(Method::POST, &["v1", "orgs", org, "partner-access", relationship_id, "end"])).await
    }

    pub async fn renew_partner_access(
        &self,
        org: &str,
        relationship_id: &str,
        req: &RenewRelationship,
    ) -> Result<PartnerRelationship> {
        let call =
            Call::new(Method::POST, &["v1", "orgs", org, "partner-access", relationship_id, "renew"]).json(req)?;
        self.json(call).await
    }

    pub async fn preview_partner_request(&self, token: &str) -> Result<RelationshipRequestPreview> {
        self.json(Call::get(&["v1", "partner-requests", token])).await
    }

    pub async fn accept_partner_request(&self, token: &str) -> Result<PartnerRelationship> {
        self.json(Call::new(Method::POST, &["v1", "partner-requests", token, "accept"])).await
    }

    /// The orgs I reach through partner relationships.
    pub async fn delegated_orgs(&self, etag: Option<&str>) -> Result<Fetched<Vec<DelegatedOrg>>> {
        self.conditional(Call::get(&["v1", "me", "delegated-orgs"]).if_none_match(etag)?).await
    }

    // ------------------------------------------------------------ invitations

    /// The same `idempotency_key` sent twice creates the invitations once, so
    /// this request is retried after a connection failure.
    pub async fn create_invitations(
        &self,
        org: &str,
        req: &CreateInvitations,
        idempotency_key: &str,
    ) -> Result<InviteResults> {
        let mut call = Call::new(Method::POST, &["v1", "orgs", org, "invitations"])
            .header("idempotency-key", idempotency_key)?
            .json(req)?;
        call.idempotent = true;
        self.json(call).await
    }

    pub async fn list_invitations(
        &self,
        org: &str,
        query: &InvitationListQuery,
        etag: Option<&str>,
    ) -> Result<Fetched<Page<Invitation>>> {
        let call = Call::get(&["v1", "orgs", org, "invitations"]).query(query)?.if_none_match(etag)?;
        self.conditional(call).await
    }

    /// A later page of the org's invitations (no ETag: it is not cached).
    pub async fn invitations_page(&self, org: &str, query: &InvitationListQuery) -> Result<Page<Invitation>> {
        self.json(Call::get(&["v1", "orgs", org, "invitations"]).query(query)?).await
    }

    pub async fn resend_invitation(&self, org: &str, id: &str) -> Result<Invitation> {
        self.json(Call::new(Method::POST, &["v1", "orgs", org, "invitations", id, "resend"])).await
    }

    pub async fn revoke_invitation(&self, org: &str, id: &str) -> Result<()> {
        self.no_content(Call::new(Method::DELETE, &["v1", "orgs", org, "invitations", id])).await
    }

    pub async fn preview_invitation(&self, token: &str) -> Result<InvitationPreview> {
        self.json(Call::get(&["v1", "invitations", token])).await
    }

    pub async fn accept_invitation(&self, token: &str) -> Result<Accepted> {
        self.json(Call::new(Method::POST, &["v1", "invitations", token, "accept"])).await
    }

    pub async fn decline_invitation(&self, token: &str) -> Result<()> {
        self.no_content(Call::new(Method::POST, &["v1", "invitations", token, "decline"])).await
    }

    pub async fn sign_up_with_invitation(&self, token: &str, req: &InvitationSignUp) -> Result<SessionGrant> {
        let call = Call::new(Method::POST, &["v1", "invitations", token, "signup"]).json(req)?;
        self.json(call).await
    }

    pub async fn my_invitations(&self, etag: Option<&str>) -> Result<Fetched<Vec<MyInvitation>>> {
        self.conditional(Call::get(&["v1", "me", "invitations"]).if_none_match(etag)?).await
    }

    pub async fn accept_my_invitation(&self, id: &str) -> Result<Accepted> {
        self.json(Call::new(Method::POST, &["v1", "me", "invitations", id, "accept"])).await
    }

    pub async fn decline_my_invitation(&self, id: &str) -> Result<()> {
        self.no_content(Call::new(Method::POST, &["v1", "me", "invitations", id, "decline"])).await
    }

    // ------------------------------------------------------------ across my orgs

    pub async fn managed_invitations(&self, etag: Option<&str>) -> Result<Fetched<Vec<ManagedInvitation>>> {
        self.conditional(Call::get(&["v1", "me", "managed-invitations"]).if_none_match(etag)?).await
    }

    pub async fn find_person(&self, email: &str) -> Result<Vec<PersonMembership>> {
        let query = PersonQuery { email: Some(email.into()), q: None };
        self.json(Call::get(&["v1", "me", "people"]).query(&query)?).await
    }

    /// Everyone whose name or email starts with `prefix`, in my orgs.
    pub async fn find_people(&self, prefix: &str) -> Result<Vec<PersonMembership>> {
        let query = PersonQuery { email: None, q: Some(prefix.into()) };
        self.json(Call::get(&["v1", "me", "people"]).query(&query)?).await
    }

    pub async fn remove_person(&self, req: &RemovePerson) -> Result<RemovePersonResults> {
        self.json(Call::new(Method::POST, &["v1", "me", "people", "remove"]).json(req)?).await
    }

    // ------------------------------------------------------------ audit

    pub async fn list_audit(
        &self,
        org: &str,
        query: &AuditQuery,
        etag: Option<&str>,
    ) -> Result<Fetched<Page<AuditEvent>>> {
        let call = Call::get(&["v1", "orgs", org, "audit"]).query(query)?.if_none_match(etag)?;
        self.conditional(call).await
    }

    pub async fn export_audit_csv(&self, org: &str, query: &AuditQuery) -> Result<String> {
        let answer = self.send(Call::get(&["v1", "orgs", org, "audit.csv"]).query(query)?).await?;
        String::from_utf8(answer.body).map_err(|_| crate::error::Error::BadResponse("the CSV is not UTF-8".into()))
    }

    // ------------------------------------------------------------ ops

    pub async fn healthz(&self) -> Result<()> {
        self.no_content(Call::get(&["healthz"])).await
    }

    /// The dev/demo outbox (404 unless the server runs with it).
    pub async fn dev_outbox(&self, to: Option<&str>) -> Result<Vec<OutboxEmail>> {
        #[derive(serde::Serialize)]
        struct Query<'a> {
            to: Option<&'a str>,
        }
        self.json(Call::get(&["v1", "dev", "outbox"]).query(&Query { to })?).await
    }

    // ------------------------------------------------------------ API keys

    /// The org's keys (never the keys themselves); with `created_by`, only
    /// the ones that person created.
    pub async fn list_api_keys(&self, org: &str, created_by: Option<&str>) -> Result<Vec<ApiKey>> {
        let query = ApiKeyQuery { created_by: created_by.map(str::to_owned) };
        self.json(Call::get(&["v1", "orgs", org, "api-keys"]).query(&query)?).await
    }

    /// The answer holds the key itself, the only time it is shown.
    pub async fn create_api_key(&self, org: &str, req: &CreateApiKey) -> Result<CreatedApiKey> {
        self.json(Call::new(Method::POST, &["v1", "orgs", org, "api-keys"]).json(req)?).await
    }

    pub async fn revoke_api_key(&self, org: &str, id: &str) -> Result<()> {
        self.no_content(Call::new(Method::DELETE, &["v1", "orgs", org, "api-keys", id])).await
    }

    // ------------------------------------------------------------ webhooks

    pub async fn list_webhooks(&self, org: &str) -> Result<Vec<WebhookEndpoint>> {
        self.json(Call::get(&["v1", "orgs", org, "webhooks"])).await
    }

    pub async fn get_webhook(&self, org: &str, id: &str) -> Result<WebhookEndpoint> {
        self.json(Call::get(&["v1", "orgs", org, "webhooks", id])).await
    }

    pub async fn create_webhook(&self, org: &str, req: &CreateWebhookEndpoint) -> Result<WebhookEndpoint> {
        self.json(Call::new(Method::POST, &["v1", "orgs", org, "webhooks"]).json(req)?).await
    }

    pub async fn update_webhook(&self, org: &str, id: &str, req: &UpdateWebhookEndpoint) -> Result<WebhookEndpoint> {
        self.json(Call::new(Method::PATCH, &["v1", "orgs", org, "webhooks", id]).json(req)?).await
    }

    pub async fn delete_webhook(&self, org: &str, id: &str) -> Result<()> {
        self.no_content(Call::new(Method::DELETE, &["v1", "orgs", org, "webhooks", id])).await
    }

    /// The signing secrets: only on this explicit call.
    pub async fn webhook_secret(&self, org: &str, id: &str) -> Result<WebhookSecret> {
        self.json(Call::get(&["v1", "orgs", org, "webhooks", id, "secret"])).await
    }

    pub async fn rotate_webhook_secret(&self, org: &str, id: &str, req: &RotateWebhookSecret) -> Result<WebhookSecret> {
        self.json(Call::new(Method::POST, &["v1", "orgs", org, "webhooks", id, "rotate-secret"]).json(req)?).await
    }

    /// Queues a `webhook.test` delivery to the endpoint.
    pub async fn send_test_webhook(&self, org: &str, id: &str) -> Result<WebhookDelivery> {
        self.json(Call::new(Method::POST, &["v1", "orgs", org, "webhooks", id, "test"])).await
    }

    /// The endpoint's delivery log, newest first, with each attempt.
    pub async fn webhook_deliveries(&self, org: &str, id: &str) -> Result<Vec<WebhookDelivery>> {
        self.json(Call::get(&["v1", "orgs", org, "webhooks", id, "deliveries"])).await
    }

    /// Sends a delivery again (same `webhook-id`).
    pub async fn replay_webhook_delivery(&self, org: &str, id: &str, delivery_id: &str) -> Result<WebhookDelivery> {
        let path = ["v1", "orgs", org, "webhooks", id, "deliveries", delivery_id, "replay"];
        self.json(Call::new(Method::POST, &path)).await
    }
}

/// `?revoke_api_keys=true`.
fn revoking() -> MemberKeysQuery {
    MemberKeysQuery { revoke_api_keys: Some(true) }
}
