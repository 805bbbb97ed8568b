// Typed wrappers over the app's Tauri commands (src-tauri/src/commands/).
// Every type comes from ./bindings, generated from the Rust types; a command
// rejects with a UiError `{code, message}`.
import { Channel, invoke } from "@tauri-apps/api/core";
import type { AccountSummary } from "./bindings/AccountSummary";
import type { Accepted } from "./bindings/Accepted";
import type { AppState } from "./bindings/AppState";
import type { AuditEvent } from "./bindings/AuditEvent";
import type { AuditQuery } from "./bindings/AuditQuery";
import type { BulkChange } from "./bindings/BulkChange";
import type { BulkMemberResults } from "./bindings/BulkMemberResults";
import type { ConnectionStatus } from "./bindings/ConnectionStatus";
import type { CreateRole } from "./bindings/CreateRole";
import type { Invitation } from "./bindings/Invitation";
import type { LinkEvent } from "./bindings/LinkEvent";
import type { OrgScreen } from "./bindings/OrgScreen";
import type { InvitationPreview } from "./bindings/InvitationPreview";
import type { InviteResults } from "./bindings/InviteResults";
import type { ManagedInvitation } from "./bindings/ManagedInvitation";
import type { Member } from "./bindings/Member";
import type { MemberSignIns } from "./bindings/MemberSignIns";
import type { MemberStatus } from "./bindings/MemberStatus";
import type { MyInvitation } from "./bindings/MyInvitation";
import type { MyOrg } from "./bindings/MyOrg";
import type { OidcProvider } from "./bindings/OidcProvider";
import type { Org } from "./bindings/Org";
import type { Page } from "./bindings/Page";
import type { PermissionInfo } from "./bindings/PermissionInfo";
import type { PersonMembership } from "./bindings/PersonMembership";
import type { RemovePersonResults } from "./bindings/RemovePersonResults";
import type { Role } from "./bindings/Role";
import type { SecurityEvent } from "./bindings/SecurityEvent";
import type { Session } from "./bindings/Session";
import type { Snapshot } from "./bindings/Snapshot";
import type { SyncProgress } from "./bindings/SyncProgress";
import type { SyncReport } from "./bindings/SyncReport";
import type { UpdateOrg } from "./bindings/UpdateOrg";
import type { UpdateStatus } from "./bindings/UpdateStatus";
import type { UpdateRole } from "./bindings/UpdateRole";
import type { User } from "./bindings/User";

// ---------------------------------------------------------------- accounts
export const appState = () => invoke<AppState>("app_state");
export const signIn = (serverUrl: string, email: string, password: string) =>
  invoke<AccountSummary>("sign_in", { serverUrl, email, password });
export const switchAccount = (accountId: string) =>
  invoke<AccountSummary>("switch_account", { accountId });
export const signOut = (accountId: string) => invoke<void>("sign_out", { accountId });
export const connectionStatus = () => invoke<ConnectionStatus>("connection_status");
export const rememberOrg = (orgId: string) => invoke<void>("remember_org", { orgId });
export const setUnsavedEdits = (unsaved: boolean) => invoke<void>("set_unsaved_edits", { unsaved });
/** `onRequest` runs when closing the window waits for the person to agree to drop unsaved edits. */
export function watchCloseRequests(onRequest: () => void): Promise<void> {
  const channel = new Channel<null>();
  channel.onmessage = () => onRequest();
  return invoke<void>("watch_close_requests", { channel });
}
export const closeWindow = () => invoke<void>("close_window");

// ---------------------------------------------------------------- my account
export const signUp = (serverUrl: string, name: string, email: string, password: string, timezone: string | null) =>
  invoke<AccountSummary>("sign_up", { serverUrl, name, email, password, timezone });
export const authProviders = (serverUrl: string) => invoke<OidcProvider[]>("auth_providers", { serverUrl });
/** Opens the provider's sign-in page in the system browser; the app goes on at `orgdesk://auth/callback`. */
export const startProviderSignIn = (serverUrl: string, provider: string, invitation: string | null) =>
  invoke<void>("start_provider_sign_in", { serverUrl, provider, invitation });
export const finishProviderSignIn = (code: string) => invoke<AccountSummary>("finish_provider_sign_in", { code });
export const requestPasswordReset = (serverUrl: string, email: string) =>
  invoke<void>("request_password_reset", { serverUrl, email });
/** `link` is the reset link (or its code) as pasted from the email. */
export const resetPassword = (serverUrl: string, link: string, password: string) =>
  invoke<void>("reset_password", { serverUrl, link, password });
export const myProfile = () => invoke<User>("my_profile");
export const updateProfile = (name: string | null, timezone: string | null) =>
  invoke<User>("update_profile", { name, timezone });
export const verifyEmail = (link: string) => invoke<User>("verify_email", { link });
export const resendVerification = () => invoke<void>("resend_verification");
export const changeEmail = (email: string, password: string) => invoke<void>("change_email", { email, password });
export const confirmEmailChange = (link: string) => invoke<User>("confirm_email_change", { link });
export const mySessions = () => invoke<Session[]>("my_sessions");
export const revokeSession = (sessionId: string) => invoke<void>("revoke_session", { sessionId });
export const securityLog = (cursor: string | null) => invoke<Page<SecurityEvent>>("security_log", { cursor });

// ---------------------------------------------------------------- orgs
export const cachedOrgs = () => invoke<Snapshot<MyOrg[]> | null>("cached_orgs");
export const refreshOrgs = () => invoke<Snapshot<MyOrg[]>>("refresh_orgs");
export const createOrg = (name: string, slug: string | null) =>
  invoke<Org>("create_org", { name, slug });
export const cachedOrgDetails = (orgId: string) =>
  invoke<Snapshot<Org> | null>("cached_org_details", { orgId });
export const orgDetails = (orgId: string) => invoke<Snapshot<Org>>("org_details", { orgId });
export const updateOrg = (orgId: string, version: number, change: UpdateOrg) =>
  invoke<Org>("update_org", { orgId, version, change });
export const chooseOrgLogo = (orgId: string) =>
  invoke<Org | null>("choose_org_logo", { orgId });
export const orgLogo = (orgId: string) => invoke<string>("org_logo", { orgId });
export const transferOwnership = (orgId: string, userId: string) =>
  invoke<void>("transfer_ownership", { orgId, userId });
export const leaveOrg = (orgId: string) => invoke<void>("leave_org", { orgId });
export const deleteOrg = (orgId: string, confirmSlug: string) =>
  invoke<void>("delete_org", { orgId, confirmSlug });

// ---------------------------------------------------------------- members
export const cachedMembers = (orgId: string) =>
  invoke<Snapshot<Member[]> | null>("cached_members", { orgId });
export function syncMembers(
  orgId: string,
  onProgress: (progress: SyncProgress) => void,
): Promise<SyncReport> {
  const progress = new Channel<SyncProgress>();
  progress.onmessage = onProgress;
  return invoke<SyncReport>("sync_members", { orgId, progress });
}
export const changeMemberRole = (orgId: string, member: Member, role: string) =>
  invoke<Member>("change_member_role", { orgId, userId: member.user_id, version: member.version, role });
export const setMemberStatus = (orgId: string, member: Member, status: MemberStatus) =>
  invoke<Member>("set_member_status", { orgId, userId: member.user_id, version: member.version, status });
export const removeMember = (orgId: string, userId: string) =>
  invoke<void>("remove_member", { orgId, userId });
/** One request for all of `userIds`; the answer says per member what happened. */
export const bulkChangeMembers = (orgId: string, userIds: string[], change: BulkChange) =>
  invoke<BulkMemberResults>("bulk_change_members", { orgId, userIds, change });
export const memberSignIns = (orgId: string, userId: string) =>
  invoke<MemberSignIns>("member_sign_ins", { orgId, userId });
export const exportMembersCsv = (orgId: string, slug: string) =>
  invoke<string | null>("export_members_csv", { orgId, slug });

// ---------------------------------------------------------------- invitations
export const cachedInvitations = (orgId: string) =>
  invoke<Snapshot<Page<Invitation>> | null>("cached_invitations", { orgId });
export const refreshInvitations = (orgId: string) =>
  invoke<Snapshot<Page<Invitation>>>("refresh_invitations", { orgId });
export const invite = (orgId: string, emails: string[], role: string) =>
  invoke<InviteResults>("invite", { orgId, emails, role });
export const resendInvitation = (orgId: string, invitationId: string) =>
  invoke<Invitation>("resend_invitation", { orgId, invitationId });
export const cancelInvitation = (orgId: string, invitationId: string) =>
  invoke<void>("cancel_invitation", { orgId, invitationId });

// ---------------------------------------------------------------- across my orgs
export const cachedManagedInvitations = () =>
  invoke<Snapshot<ManagedInvitation[]> | null>("cached_managed_invitations");
export const refreshManagedInvitations = () =>
  invoke<Snapshot<ManagedInvitation[]>>("refresh_managed_invitations");
/** Everyone whose name (or a word of it) or email starts with `query`, with their memberships in my orgs. */
export const findPeople = (query: string) => invoke<PersonMembership[]>("find_people", { query });
export const removePerson = (email: string, orgIds: string[]) =>
  invoke<RemovePersonResults>("remove_person", { email, orgIds });

// ---------------------------------------------------------------- roles
export const cachedRoles = (orgId: string) => invoke<Snapshot<Role[]> | null>("cached_roles", { orgId });
export const refreshRoles = (orgId: string) => invoke<Snapshot<Role[]>>("refresh_roles", { orgId });
export const permissionCatalog = () => invoke<PermissionInfo[]>("permission_catalog");
export const createRole = (orgId: string, role: CreateRole) =>
  invoke<Role>("create_role", { orgId, role });
export const updateRole = (orgId: string, key: string, change: UpdateRole) =>
  invoke<Role>("update_role", { orgId, key, change });
export const deleteRole = (orgId: string, key: string) =>
  invoke<void>("delete_role", { orgId, key });

// ---------------------------------------------------------------- audit
export const auditPage = (orgId: string, query: AuditQuery) =>
  invoke<Snapshot<Page<AuditEvent>>>("audit_page", { orgId, query });
export const exportAuditCsv = (orgId: string, slug: string, query: AuditQuery) =>
  invoke<string | null>("export_audit_csv", { orgId, slug, query });

// ---------------------------------------------------------------- my invitations
export const cachedMyInvitations = () =>
  invoke<Snapshot<MyInvitation[]> | null>("cached_my_invitations");
export const refreshMyInvitations = () =>
  invoke<Snapshot<MyInvitation[]>>("refresh_my_invitations");
export const acceptMyInvitation = (invitationId: string) =>
  invoke<Accepted>("accept_my_invitation", { invitationId });
export const declineMyInvitation = (invitationId: string) =>
  invoke<void>("decline_my_invitation", { invitationId });
export const previewInvitation = (token: string) =>
  invoke<InvitationPreview>("preview_invitation", { token });
export const acceptInvitationLink = (token: string) =>
  invoke<Accepted>("accept_invitation_link", { token });
export const declineInvitationLink = (token: string) =>
  invoke<void>("decline_invitation_link", { token });

// ---------------------------------------------------------------- the desktop shell
/** Every `orgdesk://` link received, now and later: one to open, or why it was refused. */
export function watchLinks(onLink: (event: LinkEvent) => void): Promise<void> {
  const links = new Channel<LinkEvent>();
  links.onmessage = onLink;
  return invoke<void>("watch_links", { links });
}
/** Rebuilds the tray menu from the account's orgs and expiring invitations. */
export const refreshTray = () => invoke<void>("refresh_tray");
export const setKeepInTray = (on: boolean) => invoke<void>("set_keep_in_tray", { on });
export const rememberScreen = (screen: string) => invoke<void>("remember_screen", { screen });
/** The `orgdesk://o/<slug>/<screen>` link of an org's screen. */
export const screenLink = (slug: string, screen: OrgScreen | null) =>
  invoke<string>("screen_link", { slug, screen });
/** The updater's status now and on every change: off, checking, an update available, installing, … */
export function watchUpdates(onStatus: (status: UpdateStatus) => void): Promise<void> {
  const channel = new Channel<UpdateStatus>();
  channel.onmessage = onStatus;
  return invoke<void>("watch_updates", { channel });
}
/** Asks the update URL now (the app also asks at start and daily). */
export const checkForUpdate = () => invoke<UpdateStatus>("check_for_update");
/** Downloads the update found, checks its signature and installs it. */
export const installUpdate = () => invoke<UpdateStatus>("install_update");
/** Versions, OS, server, last problems: text for support (no token, no address). */
export const diagnostics = (uiErrors: string[]) => invoke<string>("diagnostics", { uiErrors });
