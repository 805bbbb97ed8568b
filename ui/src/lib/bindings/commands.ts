// Generated from src-tauri/src/commands/*.rs by src-tauri/src/contract.rs
// (`cargo test --features ts --lib -p orgdesk`). Do not edit: CI fails when it is stale.
// Every command rejects with a UiError `{code, message}`.

import { Channel } from "@tauri-apps/api/core";
import { invoke } from "../trace";
import type { Accepted } from "./Accepted";
import type { AccountSummary } from "./AccountSummary";
import type { ApiKey } from "./ApiKey";
import type { AppState } from "./AppState";
import type { AuditEvent } from "./AuditEvent";
import type { AuditQuery } from "./AuditQuery";
import type { BulkChange } from "./BulkChange";
import type { BulkReport } from "./BulkReport";
import type { ConnectionStatus } from "./ConnectionStatus";
import type { CreateCustomerWorkspace } from "./CreateCustomerWorkspace";
import type { CreateRole } from "./CreateRole";
import type { CreatedApiKey } from "./CreatedApiKey";
import type { Invitation } from "./Invitation";
import type { InvitationPreview } from "./InvitationPreview";
import type { InviteResults } from "./InviteResults";
import type { LinkEvent } from "./LinkEvent";
import type { ManagedInvitation } from "./ManagedInvitation";
import type { Member } from "./Member";
import type { MemberFilter } from "./MemberFilter";
import type { MemberListState } from "./MemberListState";
import type { MemberSignIns } from "./MemberSignIns";
import type { MemberStatus } from "./MemberStatus";
import type { MemberWindow } from "./MemberWindow";
import type { MyInvitation } from "./MyInvitation";
import type { MyOrg } from "./MyOrg";
import type { OidcProvider } from "./OidcProvider";
import type { Org } from "./Org";
import type { OrgScreen } from "./OrgScreen";
import type { Page } from "./Page";
import type { PartnerAccess } from "./PartnerAccess";
import type { PartnerRelationship } from "./PartnerRelationship";
import type { PermissionInfo } from "./PermissionInfo";
import type { PersonMembership } from "./PersonMembership";
import type { RemovePersonResults } from "./RemovePersonResults";
import type { Role } from "./Role";
import type { RoleCount } from "./RoleCount";
import type { SecurityEvent } from "./SecurityEvent";
import type { Session } from "./Session";
import type { Snapshot } from "./Snapshot";
import type { SyncProgress } from "./SyncProgress";
import type { SyncReport } from "./SyncReport";
import type { Team } from "./Team";
import type { TeamAssignment } from "./TeamAssignment";
import type { TeamMember } from "./TeamMember";
import type { UpdateOrg } from "./UpdateOrg";
import type { UpdateRole } from "./UpdateRole";
import type { UpdateStatus } from "./UpdateStatus";
import type { UpdateWebhookEndpoint } from "./UpdateWebhookEndpoint";
import type { User } from "./User";
import type { ViewEvent } from "./ViewEvent";
import type { WebhookDelivery } from "./WebhookDelivery";
import type { WebhookEndpoint } from "./WebhookEndpoint";
import type { WebhookSecret } from "./WebhookSecret";

export { Channel };

/** The name of every command the app registers. */
export const COMMANDS = [
  "app_state",
  "sign_in",
  "switch_account",
  "sign_out",
  "connection_status",
  "remember_org",
  "set_unsaved_edits",
  "watch_close_requests",
  "close_window",
  "sign_up",
  "request_password_reset",
  "reset_password",
  "my_profile",
  "update_profile",
  "verify_email",
  "resend_verification",
  "change_email",
  "confirm_email_change",
  "my_sessions",
  "revoke_session",
  "security_log",
  "auth_providers",
  "start_provider_sign_in",
  "finish_provider_sign_in",
  "watch_links",
  "remember_screen",
  "diagnostics",
  "screen_link",
  "refresh_tray",
  "tray_menu",
  "set_keep_in_tray",
  "set_notifications",
  "notification_log",
  "watch_updates",
  "check_for_update",
  "install_update",
  "cached_orgs",
  "refresh_orgs",
  "create_org",
  "cached_org_details",
  "org_details",
  "update_org",
  "choose_org_logo",
  "org_logo",
  "transfer_ownership",
  "leave_org",
  "delete_org",
  "member_window",
  "member_ids",
  "cached_member",
  "member_role_counts",
  "sync_members",
  "change_member_role",
  "set_member_status",
  "remove_member",
  "bulk_change_members",
  "member_sign_ins",
  "export_members_csv",
  "cached_invitations",
  "refresh_invitations",
  "more_invitations",
  "invite",
  "resend_invitation",
  "cancel_invitation",
  "cached_my_invitations",
  "refresh_my_invitations",
  "accept_my_invitation",
  "decline_my_invitation",
  "preview_invitation",
  "accept_invitation_link",
  "decline_invitation_link",
  "cached_managed_invitations",
  "refresh_managed_invitations",
  "find_people",
  "remove_person",
  "cached_roles",
  "refresh_roles",
  "permission_catalog",
  "create_role",
  "update_role",
  "delete_role",
  "audit_page",
  "export_audit_csv",
  "watch_orgs",
  "watch_org",
  "watch_members",
  "watch_invitations",
  "watch_roles",
  "watch_my_invitations",
  "watch_managed_invitations",
  "unwatch",
  "api_keys",
  "create_api_key",
  "revoke_api_key",
  "webhooks",
  "create_webhook",
  "update_webhook",
  "delete_webhook",
  "reveal_webhook_secret",
  "rotate_webhook_secret",
  "send_test_webhook",
  "webhook_deliveries",
  "replay_webhook_delivery",
  "teams",
  "create_team",
  "rename_team",
  "delete_team",
  "team_members",
  "add_team_member",
  "remove_team_member",
  "customers",
  "create_customer_workspace",
  "request_customer",
  "set_team_assignments",
  "end_as_partner",
  "request_renewal",
  "partner_access",
  "accept_partner",
  "end_partner_access",
  "renew_partner_access",
] as const;

export const appState = (): Promise<AppState> => invoke<AppState>("app_state");

export const signIn = (serverUrl: string, email: string, password: string): Promise<AccountSummary> => invoke<AccountSummary>("sign_in", { serverUrl, email, password });

export const switchAccount = (accountId: string): Promise<AccountSummary> => invoke<AccountSummary>("switch_account", { accountId });

export const signOut = (accountId: string): Promise<void> => invoke<void>("sign_out", { accountId });

export const connectionStatus = (): Promise<ConnectionStatus> => invoke<ConnectionStatus>("connection_status");

export const rememberOrg = (orgId: string): Promise<void> => invoke<void>("remember_org", { orgId });

/** The UI has (or no longer has) edits that closing the window would drop. */
export const setUnsavedEdits = (unsaved: boolean): Promise<void> => invoke<void>("set_unsaved_edits", { unsaved });

/** Close requests held for unsaved edits arrive on `channel`. */
export const watchCloseRequests = (channel: Channel<void>): Promise<void> => invoke<void>("watch_close_requests", { channel });

/** Closes the window after the person agreed to drop unsaved edits. */
export const closeWindow = (): Promise<void> => invoke<void>("close_window");

export const signUp = (serverUrl: string, name: string, email: string, password: string, timezone: string | null): Promise<AccountSummary> => invoke<AccountSummary>("sign_up", { serverUrl, name, email, password, timezone });

export const requestPasswordReset = (serverUrl: string, email: string): Promise<void> => invoke<void>("request_password_reset", { serverUrl, email });

export const resetPassword = (serverUrl: string, link: string, password: string): Promise<void> => invoke<void>("reset_password", { serverUrl, link, password });

export const myProfile = (): Promise<User> => invoke<User>("my_profile");

export const updateProfile = (name: string | null, timezone: string | null): Promise<User> => invoke<User>("update_profile", { name, timezone });

export const verifyEmail = (link: string): Promise<User> => invoke<User>("verify_email", { link });

export const resendVerification = (): Promise<void> => invoke<void>("resend_verification");

export const changeEmail = (email: string, password: string): Promise<void> => invoke<void>("change_email", { email, password });

export const confirmEmailChange = (link: string): Promise<User> => invoke<User>("confirm_email_change", { link });

export const mySessions = (): Promise<Session[]> => invoke<Session[]>("my_sessions");

export const revokeSession = (sessionId: string): Promise<void> => invoke<void>("revoke_session", { sessionId });

export const securityLog = (cursor: string | null): Promise<Page<SecurityEvent>> => invoke<Page<SecurityEvent>>("security_log", { cursor });

export const authProviders = (serverUrl: string): Promise<OidcProvider[]> => invoke<OidcProvider[]>("auth_providers", { serverUrl });

/** Starts signing in with `provider` and opens its page in the system browser; the app continues when `orgdesk://auth/callback?code=…` arrives. */
export const startProviderSignIn = (serverUrl: string, provider: string, invitation: string | null): Promise<void> => invoke<void>("start_provider_sign_in", { serverUrl, provider, invitation });

/** Redeems the one-time code of the provider round trip for a session. */
export const finishProviderSignIn = (code: string): Promise<AccountSummary> => invoke<AccountSummary>("finish_provider_sign_in", { code });

/** Sends every `orgdesk://` link received, now and later, over `links`: a link to open, or why one was refused. */
export const watchLinks = (links: Channel<LinkEvent>): Promise<void> => invoke<void>("watch_links", { links });

/** Remembers the screen shown, to open it again after a restart. */
export const rememberScreen = (screen: string): Promise<void> => invoke<void>("remember_screen", { screen });

/** What support asks for, as text to paste: versions, OS, server, the connection's last error, the last problems of the log file and the UI's own last errors (`ui_errors`). Carries no token and no email address. */
export const diagnostics = (uiErrors: string[]): Promise<string> => invoke<string>("diagnostics", { uiErrors });

/** The `orgdesk://o/<slug>/<screen>` link of an org's screen, made by the same module that parses links, so what is copied opens again. */
export const screenLink = (slug: string, screen: OrgScreen | null): Promise<string> => invoke<string>("screen_link", { slug, screen });

/** Rebuilds the tray menu (the account's first nine orgs, invitations expiring within 24 hours); the UI asks after each refresh of the org list. */
export const refreshTray = (): Promise<void> => invoke<void>("refresh_tray");

/** The labels of the tray menu as last set (the tray cannot be read back from the desktop under Xvfb, so tests read it here). */
export const trayMenu = (): Promise<string[]> => invoke<string[]>("tray_menu");

/** Whether closing the window keeps the app running in the tray. */
export const setKeepInTray = (on: boolean): Promise<void> => invoke<void>("set_keep_in_tray", { on });

/** Native notifications on or off (kept in the profile). */
export const setNotifications = (on: boolean): Promise<void> => invoke<void>("set_notifications", { on });

/** The last notices of the live streams and whether each was shown (for diagnostics and the end-to-end run; titles only, no names). */
export const notificationLog = (): Promise<string[]> => invoke<string[]>("notification_log");

/** Sends the updater's status now and on every change over `updates`. */
export const watchUpdates = (channel: Channel<UpdateStatus>): Promise<void> => invoke<void>("watch_updates", { channel });

/** Asks the update URL now (the app also asks at start and daily). */
export const checkForUpdate = (): Promise<UpdateStatus> => invoke<UpdateStatus>("check_for_update");

/** Downloads the update found, checks its signature and installs it. */
export const installUpdate = (): Promise<UpdateStatus> => invoke<UpdateStatus>("install_update");

export const cachedOrgs = (): Promise<Snapshot<MyOrg[]> | null> => invoke<Snapshot<MyOrg[]> | null>("cached_orgs");

export const refreshOrgs = (): Promise<Snapshot<MyOrg[]>> => invoke<Snapshot<MyOrg[]>>("refresh_orgs");

export const createOrg = (name: string, slug: string | null): Promise<Org> => invoke<Org>("create_org", { name, slug });

export const cachedOrgDetails = (orgId: string): Promise<Snapshot<Org> | null> => invoke<Snapshot<Org> | null>("cached_org_details", { orgId });

export const orgDetails = (orgId: string): Promise<Snapshot<Org>> => invoke<Snapshot<Org>>("org_details", { orgId });

export const updateOrg = (orgId: string, version: number, change: UpdateOrg): Promise<Org> => invoke<Org>("update_org", { orgId, version, change });

/** Opens a file picker and uploads the chosen image; `None` when cancelled. No session is held while the picker is open: the upload takes the session of the account that asked, afterwards (an error if it signed out meanwhile; switching accounts does not send the logo elsewhere). */
export const chooseOrgLogo = (orgId: string): Promise<Org | null> => invoke<Org | null>("choose_org_logo", { orgId });

/** The logo as a `data:` URL (the CSP allows images from data: only). */
export const orgLogo = (orgId: string): Promise<string> => invoke<string>("org_logo", { orgId });

export const transferOwnership = (orgId: string, userId: string): Promise<void> => invoke<void>("transfer_ownership", { orgId, userId });

export const leaveOrg = (orgId: string): Promise<void> => invoke<void>("leave_org", { orgId });

export const deleteOrg = (orgId: string, confirmSlug: string): Promise<void> => invoke<void>("delete_org", { orgId, confirmSlug });

/** Rows `offset..offset + limit` (at most 500) of the cached members matching `filter`, with the counts; `null` before the first sync. */
export const memberWindow = (orgId: string, filter: MemberFilter, offset: number, limit: number): Promise<MemberWindow | null> => invoke<MemberWindow | null>("member_window", { orgId, filter, offset, limit });

/** The ids of every cached member matching `filter` ("select all shown"). */
export const memberIds = (orgId: string, filter: MemberFilter): Promise<string[]> => invoke<string[]>("member_ids", { orgId, filter });

/** One cached member (the member pane follows changes with it). */
export const cachedMember = (orgId: string, userId: string): Promise<Member | null> => invoke<Member | null>("cached_member", { orgId, userId });

/** How many of the selected members hold each role (for the bulk change's warning). */
export const memberRoleCounts = (orgId: string, userIds: string[]): Promise<RoleCount[]> => invoke<RoleCount[]>("member_role_counts", { orgId, userIds });

/** Brings the cached list up to date, reporting progress after each page. */
export const syncMembers = (orgId: string, progress: Channel<SyncProgress>): Promise<SyncReport> => invoke<SyncReport>("sync_members", { orgId, progress });

export const changeMemberRole = (orgId: string, userId: string, version: number, role: string): Promise<Member> => invoke<Member>("change_member_role", { orgId, userId, version, role });

/** With `revoke_api_keys` (disabling only), also revokes the API keys the member created in the org, in the same transaction. */
export const setMemberStatus = (orgId: string, userId: string, version: number, status: MemberStatus, revokeApiKeys: boolean): Promise<Member> => invoke<Member>("set_member_status", { orgId, userId, version, status, revokeApiKeys });

/** With `revoke_api_keys`, also revokes the API keys the member created in the org, in the same transaction. */
export const removeMember = (orgId: string, userId: string, revokeApiKeys: boolean): Promise<void> => invoke<void>("remove_member", { orgId, userId, revokeApiKeys });

/** The selected members' role, status or membership, in one request; with `revoke_api_keys` (a removal or disabling), each one's API keys too. */
export const bulkChangeMembers = (orgId: string, userIds: string[], change: BulkChange, revokeApiKeys: boolean): Promise<BulkReport> => invoke<BulkReport>("bulk_change_members", { orgId, userIds, change, revokeApiKeys });

/** A member's recent sign-in times, for the member pane. */
export const memberSignIns = (orgId: string, userId: string): Promise<MemberSignIns> => invoke<MemberSignIns>("member_sign_ins", { orgId, userId });

/** Writes the cached member list as CSV where the person chooses; answers the path written, or `None` when they cancelled. The list is read first; the session is not held while the dialog is open. */
export const exportMembersCsv = (orgId: string, slug: string): Promise<string | null> => invoke<string | null>("export_members_csv", { orgId, slug });

export const cachedInvitations = (orgId: string): Promise<Snapshot<Page<Invitation>> | null> => invoke<Snapshot<Page<Invitation>> | null>("cached_invitations", { orgId });

export const refreshInvitations = (orgId: string): Promise<Snapshot<Page<Invitation>>> => invoke<Snapshot<Page<Invitation>>>("refresh_invitations", { orgId });

/** The open invitations after the page whose `next_cursor` this is. */
export const moreInvitations = (orgId: string, cursor: string): Promise<Page<Invitation>> => invoke<Page<Invitation>>("more_invitations", { orgId, cursor });

export const invite = (orgId: string, emails: string[], role: string): Promise<InviteResults> => invoke<InviteResults>("invite", { orgId, emails, role });

export const resendInvitation = (orgId: string, invitationId: string): Promise<Invitation> => invoke<Invitation>("resend_invitation", { orgId, invitationId });

export const cancelInvitation = (orgId: string, invitationId: string): Promise<void> => invoke<void>("cancel_invitation", { orgId, invitationId });

export const cachedMyInvitations = (): Promise<Snapshot<MyInvitation[]> | null> => invoke<Snapshot<MyInvitation[]> | null>("cached_my_invitations");

export const refreshMyInvitations = (): Promise<Snapshot<MyInvitation[]>> => invoke<Snapshot<MyInvitation[]>>("refresh_my_invitations");

export const acceptMyInvitation = (invitationId: string): Promise<Accepted> => invoke<Accepted>("accept_my_invitation", { invitationId });

export const declineMyInvitation = (invitationId: string): Promise<void> => invoke<void>("decline_my_invitation", { invitationId });

export const previewInvitation = (token: string): Promise<InvitationPreview> => invoke<InvitationPreview>("preview_invitation", { token });

export const acceptInvitationLink = (token: string): Promise<Accepted> => invoke<Accepted>("accept_invitation_link", { token });

export const declineInvitationLink = (token: string): Promise<void> => invoke<void>("decline_invitation_link", { token });

export const cachedManagedInvitations = (): Promise<Snapshot<ManagedInvitation[]> | null> => invoke<Snapshot<ManagedInvitation[]> | null>("cached_managed_invitations");

export const refreshManagedInvitations = (): Promise<Snapshot<ManagedInvitation[]>> => invoke<Snapshot<ManagedInvitation[]>>("refresh_managed_invitations");

/** Everyone whose name or email starts with `query` across my orgs. */
export const findPeople = (query: string): Promise<PersonMembership[]> => invoke<PersonMembership[]>("find_people", { query });

/** With `revoke_api_keys`, each removal also revokes the keys the person created in that org. */
export const removePerson = (email: string, orgIds: string[], revokeApiKeys: boolean): Promise<RemovePersonResults> => invoke<RemovePersonResults>("remove_person", { email, orgIds, revokeApiKeys });

export const cachedRoles = (orgId: string): Promise<Snapshot<Role[]> | null> => invoke<Snapshot<Role[]> | null>("cached_roles", { orgId });

export const refreshRoles = (orgId: string): Promise<Snapshot<Role[]>> => invoke<Snapshot<Role[]>>("refresh_roles", { orgId });

export const permissionCatalog = (): Promise<PermissionInfo[]> => invoke<PermissionInfo[]>("permission_catalog");

export const createRole = (orgId: string, role: CreateRole): Promise<Role> => invoke<Role>("create_role", { orgId, role });

export const updateRole = (orgId: string, key: string, change: UpdateRole): Promise<Role> => invoke<Role>("update_role", { orgId, key, change });

export const deleteRole = (orgId: string, key: string): Promise<void> => invoke<void>("delete_role", { orgId, key });

export const auditPage = (orgId: string, query: AuditQuery): Promise<Snapshot<Page<AuditEvent>>> => invoke<Snapshot<Page<AuditEvent>>>("audit_page", { orgId, query });

/** Saves the server's CSV of the filtered log where the person chooses. The CSV is fetched first and the session let go before the dialog opens. */
export const exportAuditCsv = (orgId: string, slug: string, query: AuditQuery): Promise<string | null> => invoke<string | null>("export_audit_csv", { orgId, slug, query });

/** My orgs (the sidebar), with the connection status for the offline banner. */
export const watchOrgs = (channel: Channel<ViewEvent<MyOrg[]>>): Promise<number> => invoke<number>("watch_orgs", { channel });

/** One org's settings. */
export const watchOrg = (orgId: string, channel: Channel<ViewEvent<Org>>): Promise<number> => invoke<number>("watch_org", { orgId, channel });

/** An org's member list: its size, revision and sync time, sync progress, and a message whenever it changed (the rows come from `member_window`; ask again only when the revision moved past the rows'). */
export const watchMembers = (orgId: string, channel: Channel<ViewEvent<MemberListState>>): Promise<number> => invoke<number>("watch_members", { orgId, channel });

/** An org's open invitations. */
export const watchInvitations = (orgId: string, channel: Channel<ViewEvent<Page<Invitation>>>): Promise<number> => invoke<number>("watch_invitations", { orgId, channel });

/** An org's roles. */
export const watchRoles = (orgId: string, channel: Channel<ViewEvent<Role[]>>): Promise<number> => invoke<number>("watch_roles", { orgId, channel });

/** The invitations addressed to me. */
export const watchMyInvitations = (channel: Channel<ViewEvent<MyInvitation[]>>): Promise<number> => invoke<number>("watch_my_invitations", { channel });

/** Every pending invitation in the orgs I manage. */
export const watchManagedInvitations = (channel: Channel<ViewEvent<ManagedInvitation[]>>): Promise<number> => invoke<number>("watch_managed_invitations", { channel });

/** Stops a watch (the screen that made it went away). */
export const unwatch = (id: number): Promise<void> => invoke<void>("unwatch", { id });

/** The org's API keys (never the keys themselves); with `created_by`, only those that person created. */
export const apiKeys = (orgId: string, createdBy: string | null): Promise<ApiKey[]> => invoke<ApiKey[]>("api_keys", { orgId, createdBy });

/** A new key; its `secret` is shown this once and kept nowhere. */
export const createApiKey = (orgId: string, name: string, permissions: string[], expiresAt: string | null): Promise<CreatedApiKey> => invoke<CreatedApiKey>("create_api_key", { orgId, name, permissions, expiresAt });

export const revokeApiKey = (orgId: string, keyId: string): Promise<void> => invoke<void>("revoke_api_key", { orgId, keyId });

export const webhooks = (orgId: string): Promise<WebhookEndpoint[]> => invoke<WebhookEndpoint[]>("webhooks", { orgId });

export const createWebhook = (orgId: string, url: string, description: string | null, eventTypes: string[]): Promise<WebhookEndpoint> => invoke<WebhookEndpoint>("create_webhook", { orgId, url, description, eventTypes });

/** Changes the fields set in `change`: URL, description, event types, enabled. */
export const updateWebhook = (orgId: string, endpointId: string, change: UpdateWebhookEndpoint): Promise<WebhookEndpoint> => invoke<WebhookEndpoint>("update_webhook", { orgId, endpointId, change });

export const deleteWebhook = (orgId: string, endpointId: string): Promise<void> => invoke<void>("delete_webhook", { orgId, endpointId });

/** The endpoint's signing secret, on this explicit request only. */
export const revealWebhookSecret = (orgId: string, endpointId: string): Promise<WebhookSecret> => invoke<WebhookSecret>("reveal_webhook_secret", { orgId, endpointId });

/** A new signing secret; the old one also signs for `overlap_hours` (none: 24). */
export const rotateWebhookSecret = (orgId: string, endpointId: string, overlapHours: number | null): Promise<WebhookSecret> => invoke<WebhookSecret>("rotate_webhook_secret", { orgId, endpointId, overlapHours });

/** Queues a `webhook.test` delivery to the endpoint. */
export const sendTestWebhook = (orgId: string, endpointId: string): Promise<WebhookDelivery> => invoke<WebhookDelivery>("send_test_webhook", { orgId, endpointId });

/** The endpoint's newest deliveries with their attempts. */
export const webhookDeliveries = (orgId: string, endpointId: string): Promise<WebhookDelivery[]> => invoke<WebhookDelivery[]>("webhook_deliveries", { orgId, endpointId });

/** Sends a delivery again (same `webhook-id` and body). */
export const replayWebhookDelivery = (orgId: string, endpointId: string, deliveryId: string): Promise<WebhookDelivery> => invoke<WebhookDelivery>("replay_webhook_delivery", { orgId, endpointId, deliveryId });

export const teams = (orgId: string): Promise<Team[]> => invoke<Team[]>("teams", { orgId });

export const createTeam = (orgId: string, name: string): Promise<Team> => invoke<Team>("create_team", { orgId, name });

export const renameTeam = (orgId: string, teamId: string, name: string): Promise<Team> => invoke<Team>("rename_team", { orgId, teamId, name });

export const deleteTeam = (orgId: string, teamId: string): Promise<void> => invoke<void>("delete_team", { orgId, teamId });

export const teamMembers = (orgId: string, teamId: string): Promise<TeamMember[]> => invoke<TeamMember[]>("team_members", { orgId, teamId });

/** Adds a member of the org to the team; answers the team's members after. */
export const addTeamMember = (orgId: string, teamId: string, userId: string): Promise<TeamMember[]> => invoke<TeamMember[]>("add_team_member", { orgId, teamId, userId });

export const removeTeamMember = (orgId: string, teamId: string, userId: string): Promise<void> => invoke<void>("remove_team_member", { orgId, teamId, userId });

/** The partner org's customer relationships, with their team assignments. */
export const customers = (orgId: string): Promise<PartnerRelationship[]> => invoke<PartnerRelationship[]>("customers", { orgId });

/** A new org for a customer: the relationship is active at once and its first owner is invited. */
export const createCustomerWorkspace = (orgId: string, workspace: CreateCustomerWorkspace): Promise<PartnerRelationship> => invoke<PartnerRelationship>("create_customer_workspace", { orgId, workspace });

/** Asks an existing org (slug or id) to accept this partner with `roles` until `ends_at`. */
export const requestCustomer = (orgId: string, customer: string, roles: string[], endsAt: string): Promise<PartnerRelationship> => invoke<PartnerRelationship>("request_customer", { orgId, customer, roles, endsAt });

/** Replaces which partner teams hold which of the relationship's roles. */
export const setTeamAssignments = (orgId: string, relationshipId: string, assignments: TeamAssignment[]): Promise<PartnerRelationship> => invoke<PartnerRelationship>("set_team_assignments", { orgId, relationshipId, assignments });

export const endAsPartner = (orgId: string, relationshipId: string): Promise<void> => invoke<void>("end_as_partner", { orgId, relationshipId });

/** Reminds the customer's owner and admins to renew (at most once a day). */
export const requestRenewal = (orgId: string, relationshipId: string): Promise<void> => invoke<void>("request_renewal", { orgId, relationshipId });

/** The customer's view: each partner's access and who holds it now. */
export const partnerAccess = (orgId: string): Promise<PartnerAccess[]> => invoke<PartnerAccess[]>("partner_access", { orgId });

export const acceptPartner = (orgId: string, relationshipId: string): Promise<PartnerRelationship> => invoke<PartnerRelationship>("accept_partner", { orgId, relationshipId });

/** Ends a partner's access at once, for every one of its people. */
export const endPartnerAccess = (orgId: string, relationshipId: string): Promise<void> => invoke<void>("end_partner_access", { orgId, relationshipId });

export const renewPartnerAccess = (orgId: string, relationshipId: string, endsAt: string): Promise<PartnerRelationship> => invoke<PartnerRelationship>("renew_partner_access", { orgId, relationshipId, endsAt });
