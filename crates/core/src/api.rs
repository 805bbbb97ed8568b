//! JSON wire types of the `/v1` API. Timestamps are RFC 3339 strings in UTC;
//! ids are UUIDv7 strings.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::permissions::Permission;

// ---------------------------------------------------------------- accounts

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignUp {
    #[schema(min_length = 3, max_length = 254)]
    pub email: String,
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[schema(min_length = 10, max_length = 1024)]
    pub password: String,
    #[serde(default)]
    pub timezone: Option<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    #[schema(max_length = 254)]
    pub email: String,
    #[schema(max_length = 1024)]
    pub password: String,
    /// Shown in the session list, e.g. "Orgdesk on ada-laptop".
    #[serde(default)]
    pub device_name: Option<String>,
}

/// An OpenID provider the operator configured (`GET /v1/auth/providers`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OidcProvider {
    pub id: String,
    /// Shown on the button, e.g. "Corp SSO".
    pub name: String,
}

/// Start signing in with a provider (RFC 8252: the app opens
/// `authorize_url` in the system browser and waits at `redirect_uri`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartOidcFlow {
    /// `orgdesk://auth/callback`, or a loopback `http://127.0.0.1:<port>/…`
    /// (or `http://[::1]:<port>/…`). It gets `?code=…` (or `?error=…`).
    #[schema(max_length = 2000)]
    pub redirect_uri: String,
    /// The app's PKCE challenge: base64url(SHA-256(code_verifier)), no padding (S256).
    #[schema(min_length = 43, max_length = 43)]
    pub code_challenge: String,
    /// An invitation's token: accepted for the account once it signed in.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub invitation: Option<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OidcFlowStarted {
    /// Open this in the system browser; valid 10 minutes, once.
    pub authorize_url: String,
}

/// Exchange the one-time code the redirect carried for a session.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OidcTokenRequest {
    #[schema(max_length = 200)]
    pub code: String,
    /// The PKCE verifier whose challenge started the flow (43–128 characters).
    #[schema(min_length = 43, max_length = 128)]
    pub code_verifier: String,
    /// Shown in the session list, e.g. "Orgdesk on ada-laptop".
    #[serde(default)]
    pub device_name: Option<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub timezone: String,
    pub email_verified: bool,
    pub created_at: String,
}

/// A new session. The token is shown once and only its hash is kept.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionGrant {
    pub token: String,
    pub session: Session,
    pub user: User,
}

impl std::fmt::Debug for SessionGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionGrant")
            .field("token", &"<redacted>")
            .field("session", &self.session)
            .field("user", &self.user)
            .finish()
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Session {
    pub id: String,
    pub device_name: String,
    pub created_at: String,
    pub last_used_at: String,
    pub expires_at: String,
    /// True for the session that made this request.
    pub current: bool,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProfile {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
}

/// What a security event records.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SecurityEventKind {
    SignIn,
    SignInFailed,
    PasswordReset,
    SessionRevoked,
    SignedOut,
}

impl SecurityEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SecurityEventKind::SignIn => "sign_in",
            SecurityEventKind::SignInFailed => "sign_in_failed",
            SecurityEventKind::PasswordReset => "password_reset",
            SecurityEventKind::SessionRevoked => "session_revoked",
            SecurityEventKind::SignedOut => "signed_out",
        }
    }

    pub fn parse(s: &str) -> Option<SecurityEventKind> {
        [
            SecurityEventKind::SignIn,
            SecurityEventKind::SignInFailed,
            SecurityEventKind::PasswordReset,
            SecurityEventKind::SessionRevoked,
            SecurityEventKind::SignedOut,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One entry of my security log: with the network and device, for me only.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SecurityEvent {
    pub id: String,
    pub kind: SecurityEventKind,
    pub at: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The OpenID provider's id, for a sign-in through one (else absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
}

/// A member's recent sign-ins as an org admin sees them: times only.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MemberSignIns {
    pub last_sign_in_at: Option<String>,
    /// The newest first, at most 20.
    pub recent: Vec<String>,
}

/// Move my account to another address (confirmed by a link sent there).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeEmail {
    #[schema(max_length = 254)]
    pub email: String,
    #[schema(max_length = 1024)]
    pub password: String,
}

/// The token of an address-change link.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmEmailChange {
    pub token: String,
}

/// Ask for a password reset link.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    #[schema(max_length = 254)]
    pub email: String,
}

/// Set a new password with the emailed reset link's token.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    pub token: String,
    #[schema(min_length = 10, max_length = 1024)]
    pub password: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmail {
    pub token: String,
}

// ---------------------------------------------------------------- organizations

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrg {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Generated from the name when absent.
    #[serde(default)]
    #[schema(min_length = 3, max_length = 48, pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")]
    pub slug: Option<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub default_language: String,
    pub timezone: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub invitation_lifetime_days: i64,
    pub has_logo: bool,
    pub personal: bool,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub member_count: i64,
    pub created_at: String,
    /// Changes on every update; send it back in `If-Match`.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub version: i64,
}

/// An organization as its member sees it in their list.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MyOrg {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub personal: bool,
    pub has_logo: bool,
    pub role: String,
    pub role_name: String,
    pub status: MemberStatus,
    pub permissions: Vec<String>,
    /// Set when I am not a member but reach the org through this partner's
    /// relationship (then `role` lists the relationship's roles I hold and
    /// `permissions` are the delegated ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub via_partner: Option<OrgName>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrg {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    #[serde(default)]
    #[schema(min_length = 3, max_length = 48, pattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")]
    pub slug: Option<String>,
    #[serde(default)]
    pub default_language: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    #[schema(minimum = 1, maximum = 30)]
    pub invitation_lifetime_days: Option<i64>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteOrg {
    /// Must repeat the organization's slug.
    pub confirm_slug: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferOwnership {
    pub user_id: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MyPermissions {
    pub org_id: String,
    pub role: String,
    pub permissions: Vec<String>,
}

// ---------------------------------------------------------------- members

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MemberStatus {
    Active,
    Disabled,
}

impl MemberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::Active => "active",
            MemberStatus::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<MemberStatus> {
        match s {
            "active" => Some(MemberStatus::Active),
            "disabled" => Some(MemberStatus::Disabled),
            _ => None,
        }
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Member {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub status: MemberStatus,
    pub joined_at: String,
    pub last_active_at: Option<String>,
    /// The member's own time zone (IANA), as set in their profile.
    #[serde(default)]
    pub timezone: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub version: i64,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberSort {
    #[default]
    Name,
    Joined,
    LastActive,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MemberQuery {
    /// Page size, 1–200 (default 50).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Prefix of the name or email, case-insensitive.
    pub q: Option<String>,
    pub role: Option<String>,
    pub status: Option<MemberStatus>,
    pub sort: Option<MemberSort>,
    /// Descending order when true.
    pub desc: Option<bool>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Absent on the last page.
    pub next_cursor: Option<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMember {
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub status: Option<MemberStatus>,
}

/// One change for many members of an org at once (`POST …/members/bulk`):
/// the same rules and audit events as the single-member operations, in one
/// transaction, with an answer per member.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkMemberChange {
    /// The members' user ids, 1 to 1,000 (repeats count once).
    #[schema(min_items = 1, max_items = 1000)]
    pub user_ids: Vec<String>,
    pub change: BulkChange,
}

/// What a bulk change does to each member.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum BulkChange {
    /// Give each this role (needs `members:update`; the escalation rule applies).
    Role { role: String },
    /// Enable or disable each (needs `members:update`).
    Status { status: MemberStatus },
    /// Remove each from the org (needs `members:remove`).
    Remove,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkOutcome {
    /// Changed; `member` is the member after the change.
    Changed,
    /// Already so; nothing was written.
    Unchanged,
    Removed,
    /// Refused for this member; `code` and `message` say why.
    Refused,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct BulkMemberResult {
    pub user_id: String,
    pub outcome: BulkOutcome,
    /// The member after a change (or as they are, when unchanged).
    pub member: Option<Member>,
    /// Why a member was refused: `owner_protected`, `not_found`, `role_escalation`, …
    pub code: Option<crate::ErrorCode>,
    pub message: Option<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct BulkMemberResults {
    /// In the order of the request's `user_ids`.
    pub results: Vec<BulkMemberResult>,
}

// ---------------------------------------------------------------- roles

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Role {
    pub key: String,
    pub name: String,
    pub builtin: bool,
    pub permissions: Vec<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub member_count: i64,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRole {
    #[schema(min_length = 2, max_length = 32, pattern = "^[a-z][a-z0-9_-]+$")]
    pub key: String,
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    pub permissions: Vec<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRole {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    #[serde(default)]
    pub permissions: Option<Vec<String>>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PermissionInfo {
    pub key: Permission,
    pub description: String,
}

// ---------------------------------------------------------------- invitations

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInvitations {
    /// At most the server's `--limit-invitation-emails-per-call` (500 by default).
    #[schema(min_items = 1)]
    pub emails: Vec<String>,
    pub role: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InviteOutcome {
    Invited,
    AlreadyMember,
    AlreadyInvited,
    Invalid,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct InviteResult {
    pub email: String,
    pub outcome: InviteOutcome,
    /// Why an email was refused, for `invalid`.
    pub message: Option<String>,
    pub invitation: Option<Invitation>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct InviteResults {
    pub results: Vec<InviteResult>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Declined,
    Revoked,
    Expired,
}

impl InvitationStatus {
    /// The stored spelling (the `invitations.status` column and the wire).
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationStatus::Pending => "pending",
            InvitationStatus::Accepted => "accepted",
            InvitationStatus::Declined => "declined",
            InvitationStatus::Revoked => "revoked",
            InvitationStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<InvitationStatus> {
        [
            InvitationStatus::Pending,
            InvitationStatus::Accepted,
            InvitationStatus::Declined,
            InvitationStatus::Revoked,
            InvitationStatus::Expired,
        ]
        .into_iter()
        .find(|status| status.as_str() == s)
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Invitation {
    pub id: String,
    pub org_id: String,
    pub email: String,
    pub role: String,
    pub status: InvitationStatus,
    pub invited_by: Option<String>,
    pub invited_by_name: Option<String>,
    pub created_at: String,
    pub expires_at: String,
    pub last_sent_at: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub send_count: i64,
    /// The accept link; only in the answer to create and resend, because only
    /// the token's hash is kept.
    pub link: Option<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Which invitations an org's list shows.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvitationFilter {
    /// Pending and not yet expired (the default).
    #[default]
    Pending,
    /// Expired without an answer: they can be resent.
    Expired,
    /// Both: every invitation still waiting for an answer or a resend.
    Open,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InvitationListQuery {
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    pub status: Option<InvitationFilter>,
}

/// What the holder of an invitation link may see before accepting.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct InvitationPreview {
    pub org_name: String,
    pub inviter_name: Option<String>,
    pub role: String,
    pub role_name: String,
    pub email: String,
    pub expires_at: String,
    pub status: InvitationStatus,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationSignUp {
    pub name: String,
    pub password: String,
    #[serde(default)]
    pub timezone: Option<String>,
}

/// A pending invitation addressed to me.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MyInvitation {
    pub id: String,
    pub org_id: String,
    pub org_name: String,
    pub role: String,
    pub inviter_name: Option<String>,
    pub expires_at: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Accepted {
    pub org_id: String,
    pub role: String,
}

// ---------------------------------------------------------------- across my orgs

/// A pending invitation in one of the orgs I manage.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ManagedInvitation {
    pub org_id: String,
    pub org_name: String,
    pub org_slug: String,
    pub can_resend: bool,
    pub can_revoke: bool,
    pub invitation: Invitation,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonMembership {
    pub org_id: String,
    pub org_name: String,
    pub org_slug: String,
    pub member: Member,
    /// Whether I could remove this person from this org.
    pub can_remove: bool,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    /// The person's exact address.
    pub email: Option<String>,
    /// Or a prefix of the name (or of a word of it) or of the email,
    /// case-insensitive, as the member list's `q` matches; at most 100
    /// characters. Answers at most 200 memberships, by person then org. With
    /// `email` too: that person, when the prefix matches them. Neither (or a
    /// blank `q` alone) finds nobody.
    #[param(max_length = 100)]
    pub q: Option<String>,
}

/// The most memberships one `GET /v1/me/people?q=` answers.
pub const PEOPLE_LIMIT: usize = 200;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemovePerson {
    pub email: String,
    #[schema(min_items = 1, max_items = 500)]
    pub org_ids: Vec<String>,
    /// Also revoke, in each org's removal, the live API keys the person
    /// created there (as `?revoke_api_keys=true` does for one org). An org
    /// where the caller lacks `api_keys:manage` answers `denied`.
    #[serde(default)]
    pub revoke_api_keys: bool,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RemoveOutcome {
    Removed,
    NotAMember,
    Denied,
    OwnerProtected,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RemovePersonResult {
    pub org_id: String,
    pub outcome: RemoveOutcome,
    pub message: Option<String>,
    /// How many of the person's API keys the removal revoked in this org.
    #[serde(default)]
    pub api_keys_revoked: u32,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RemovePersonResults {
    pub results: Vec<RemovePersonResult>,
}

// ---------------------------------------------------------------- audit actions

macro_rules! audit_actions {
    ($($variant:ident => $wire:literal,)*) => {
        /// What an audit event records, with one spelling each. Every change
        /// writes its event in the change's own transaction, so the audit
        /// trail (and the client's sync, which watches the newest event) sees
        /// exactly the changes that committed.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum AuditAction {
            $($variant,)*
        }

        impl AuditAction {
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $wire,)*
                }
            }

            pub fn parse(s: &str) -> Option<AuditAction> {
                match s {
                    $($wire => Some(AuditAction::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

audit_actions! {
    OrgCreated => "org.created",
    OrgUpdated => "org.updated",
    OrgDeleted => "org.deleted",
    OrgLogoChanged => "org.logo_changed",
    OrgLogoRemoved => "org.logo_removed",
    OrgOwnershipTransferred => "org.ownership_transferred",
    MemberRoleChanged => "member.role_changed",
    MemberDisabled => "member.disabled",
    MemberEnabled => "member.enabled",
    MemberRemoved => "member.removed",
    MemberLeft => "member.left",
    RoleCreated => "role.created",
    RoleUpdated => "role.updated",
    RoleDeleted => "role.deleted",
    InvitationCreated => "invitation.created",
    InvitationResent => "invitation.resent",
    InvitationRevoked => "invitation.revoked",
    InvitationAccepted => "invitation.accepted",
    InvitationDeclined => "invitation.declined",
    ApiKeyCreated => "api_key.created",
    ApiKeyRevoked => "api_key.revoked",
    WebhookCreated => "webhook.created",
    WebhookUpdated => "webhook.updated",
    WebhookDeleted => "webhook.deleted",
    WebhookSecretRotated => "webhook.secret_rotated",
    WebhookDisabled => "webhook.disabled",
    TeamCreated => "team.created",
    TeamRenamed => "team.renamed",
    TeamDeleted => "team.deleted",
    TeamMemberAdded => "team.member_added",
    TeamMemberRemoved => "team.member_removed",
    PartnerRequested => "partner.requested",
    PartnerWorkspaceCreated => "partner.workspace_created",
    PartnerAccepted => "partner.accepted",
    PartnerRenewed => "partner.renewed",
    PartnerRenewalRequested => "partner.renewal_requested",
    PartnerEnded => "partner.ended",
    PartnerExpired => "partner.expired",
    PartnerAssignmentsChanged => "partner.assignments_changed",
    PartnerHandedOff => "partner.handed_off",
}

// ---------------------------------------------------------------- audit

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditEvent {
    pub id: String,
    pub org_id: String,
    pub actor_id: Option<String>,
    pub actor_name: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub at: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    /// Exact action, e.g. `member.role_changed`.
    pub action: Option<String>,
    /// The actor's user id.
    pub actor: Option<String>,
    /// What the event is about: a member's user id, an invitation's id, a role key.
    pub target: Option<String>,
    /// RFC 3339 lower bound, inclusive.
    #[param(format = DateTime)]
    pub since: Option<String>,
    /// RFC 3339 upper bound, exclusive.
    #[param(format = DateTime)]
    pub until: Option<String>,
}

// ---------------------------------------------------------------- outbox (demo/dev)

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OutboxEmail {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_at: String,
    pub sent_at: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub attempts: i64,
    pub last_error: Option<String>,
}

// ---------------------------------------------------------------- API keys

/// An organization API key as lists show it: never the key itself.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiKey {
    pub id: String,
    pub org_id: String,
    pub name: String,
    /// The key's visible start (`odk_` and 8 characters).
    pub prefix: String,
    pub permissions: Vec<String>,
    /// The person who created it.
    pub created_by: Option<String>,
    pub created_by_name: Option<String>,
    pub created_at: String,
    pub expires_at: Option<String>,
    /// Within a minute: uses are written at most once a minute.
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// `POST /v1/orgs/{org}/api-keys`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    /// 1–100 characters, e.g. "CI deploys".
    pub name: String,
    /// A subset of the creator's own permissions.
    pub permissions: Vec<String>,
    /// RFC 3339; none: the key lives until revoked.
    #[serde(default)]
    pub expires_at: Option<String>,
}

/// The new key, the only time it is shown.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub key: ApiKey,
    /// Send it as `Authorization: Bearer <secret>`; it is not shown again.
    pub secret: String,
}

/// Filters of `GET /v1/orgs/{org}/api-keys`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ApiKeyQuery {
    /// Only the keys this person created (what removing them would leave behind).
    #[serde(default)]
    pub created_by: Option<String>,
}

/// `?revoke_api_keys=true` on removing or disabling a member: also revokes
/// the keys they created in the org, in the same transaction.
#[derive(Clone, Debug, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MemberKeysQuery {
    #[serde(default)]
    pub revoke_api_keys: Option<bool>,
}

// ---------------------------------------------------------------- webhooks

/// A webhook endpoint of an organization.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookEndpoint {
    pub id: String,
    pub org_id: String,
    pub url: String,
    pub description: String,
    /// The event types it receives; `["*"]` for every type.
    pub event_types: Vec<String>,
    pub enabled: bool,
    /// Why it was disabled automatically (a day of failed deliveries).
    pub disabled_reason: Option<String>,
    /// Since when every delivery to it has failed.
    pub failing_since: Option<String>,
    /// Until when the previous signing secret also signs (after a rotation).
    pub previous_secret_until: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// `POST /v1/orgs/{org}/webhooks`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookEndpoint {
    /// An `https://` URL (plain `http://` and private addresses only where
    /// the operator allows them).
    pub url: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Event types such as `member.added`, or `["*"]` for all.
    pub event_types: Vec<String>,
}

/// `PATCH /v1/orgs/{org}/webhooks/{id}`: the fields to change.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhookEndpoint {
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub event_types: Option<Vec<String>>,
    /// Enabling a disabled endpoint clears its failure run.
    #[serde(default)]
    pub enabled: Option<bool>,
}

/// The endpoint's signing secrets (`whsec_…`, as the Standard Webhooks
/// libraries take them).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookSecret {
    pub secret: String,
    /// The secret before the last rotation, while it still signs.
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<String>,
}

/// `POST /v1/orgs/{org}/webhooks/{id}/rotate-secret`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateWebhookSecret {
    /// How long the old secret keeps signing too, 0–168 hours (default 24).
    #[serde(default)]
    pub overlap_hours: Option<i64>,
}

/// One attempt to deliver.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookAttempt {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub attempt: i64,
    pub at: String,
    /// The receiver's HTTP status; none when no answer came.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub status_code: Option<i64>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub duration_ms: i64,
    pub error: Option<String>,
    /// The start of the receiver's answer (at most 1 KB).
    pub response_excerpt: Option<String>,
}

/// A delivery of one event to one endpoint, with its attempts.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: String,
    /// The `webhook-id` header: the same on every retry and replay.
    pub message_id: String,
    pub event_type: String,
    /// pending | delivered | failed (gave up after more than a day)
    pub status: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub attempts: i64,
    pub created_at: String,
    pub next_attempt_at: Option<String>,
    pub delivered_at: Option<String>,
    pub payload: serde_json::Value,
    pub log: Vec<WebhookAttempt>,
}

// ---------------------------------------------------------------- teams

/// A named group of an organization's members.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Team {
    pub id: String,
    pub org_id: String,
    pub name: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub member_count: i64,
    pub created_at: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTeam {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTeam {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
}

/// A member of a team.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct TeamMember {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub added_at: String,
}

// ---------------------------------------------------------------- partners

/// Where a partner relationship stands. `requested`: waiting for the
/// customer's owner or an admin; `active`: in force until `ends_at`;
/// `ended`: ended by either side; `expired`: `ends_at` passed (reported as
/// soon as it passes, whatever the stored row says).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RelationshipStatus {
    Requested,
    Active,
    Ended,
    Expired,
}

impl RelationshipStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RelationshipStatus::Requested => "requested",
            RelationshipStatus::Active => "active",
            RelationshipStatus::Ended => "ended",
            RelationshipStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<RelationshipStatus> {
        [
            RelationshipStatus::Requested,
            RelationshipStatus::Active,
            RelationshipStatus::Ended,
            RelationshipStatus::Expired,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// An organization on one side of a relationship.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OrgName {
    pub id: String,
    pub name: String,
    pub slug: String,
}

/// Which partner team holds which of the relationship's roles.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamAssignment {
    pub team_id: String,
    /// One of the relationship's roles (a role key of the customer org).
    pub role: String,
    /// The team's name (answers only; ignored in requests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team_name: Option<String>,
}

/// A partner relationship: the partner org may act in the customer org with
/// `roles` until `ends_at`, through the partner teams it assigns them to.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnerRelationship {
    pub id: String,
    pub partner: OrgName,
    pub customer: OrgName,
    /// Role keys of the customer org (never `owner`).
    pub roles: Vec<String>,
    pub status: RelationshipStatus,
    pub ends_at: String,
    pub created_at: String,
    pub accepted_at: Option<String>,
    pub ended_at: Option<String>,
    /// True when the partner created the customer's workspace.
    pub created_workspace: bool,
    /// Until the customer's first owner accepts the hand-off invitation, the
    /// partner org's owner holds the customer org as owner of record.
    pub owner_of_record: Option<OrgName>,
    /// The partner's side only: which teams hold which roles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignments: Option<Vec<TeamAssignment>>,
}

/// The customer's view of one partner's access.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct PartnerAccess {
    pub relationship: PartnerRelationship,
    /// The partner's people who hold access now (names only).
    pub people: Vec<String>,
}

/// Ask a customer org for a relationship (the customer's owner and admins
/// get a link to accept it).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestRelationship {
    /// The customer org's slug or id.
    #[schema(max_length = 64)]
    pub customer: String,
    /// Role keys of the customer org; never `owner`.
    pub roles: Vec<String>,
    /// RFC 3339, at most two years ahead.
    #[schema(format = DateTime)]
    pub ends_at: String,
}

/// Create an organization for a customer: the relationship is active at once
/// and `owner_email` is invited to take the workspace over.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCustomerWorkspace {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[serde(default)]
    pub slug: Option<String>,
    /// Role keys of the new org the partner keeps (built-in roles).
    pub roles: Vec<String>,
    #[schema(format = DateTime)]
    pub ends_at: String,
    /// The customer's first owner, invited at once.
    #[schema(max_length = 254)]
    pub owner_email: String,
}

/// A created customer workspace: its relationship and the hand-off invitation.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CustomerWorkspaceCreated {
    pub relationship: PartnerRelationship,
    /// The invitation of the customer's first owner (its link shown once).
    pub invitation: Invitation,
}

/// A new end date (renewal), at most two years ahead.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewRelationship {
    #[schema(format = DateTime)]
    pub ends_at: String,
}

/// The partner teams that hold the relationship's roles (replaces the set).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetAssignments {
    pub assignments: Vec<TeamAssignment>,
}

/// Invite the customer's first owner (hand-off of a created workspace).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandOff {
    #[schema(max_length = 254)]
    pub owner_email: String,
}

/// An org I reach through a partner relationship (`GET /v1/me/delegated-orgs`).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct DelegatedOrg {
    pub org: OrgName,
    pub partner: OrgName,
    /// The relationship's roles my partner teams hold there.
    pub roles: Vec<String>,
    pub ends_at: String,
}

/// What the holder of a relationship request link sees (`GET` changes nothing).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RelationshipRequestPreview {
    pub id: String,
    pub partner_name: String,
    pub customer: OrgName,
    pub roles: Vec<String>,
    pub ends_at: String,
    pub status: RelationshipStatus,
}

#[cfg(test)]
mod spelling_tests {
    use super::*;

    #[test]
    fn each_status_and_action_has_one_spelling() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(*action));
        }
        let spellings: std::collections::HashSet<_> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(spellings.len(), AuditAction::ALL.len());
        for s in ["pending", "accepted", "declined", "revoked", "expired"] {
            let status = InvitationStatus::parse(s).unwrap();
            assert_eq!(status.as_str(), s);
            assert_eq!(serde_json::to_value(status).unwrap(), s);
        }
    }
}
