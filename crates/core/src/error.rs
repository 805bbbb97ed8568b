//! Error codes and RFC 9457 problem details. The code is the stable part that
//! clients branch on; the title and detail are for people.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request body or query is malformed or fails validation (400/422).
    ValidationFailed,
    /// The body is larger than this endpoint accepts (413).
    PayloadTooLarge,
    /// The uploaded file's type is not accepted (415).
    UnsupportedMediaType,
    /// No valid session token was presented (401).
    Unauthenticated,
    /// Email or password is wrong (401). Same answer whether or not the account exists.
    InvalidCredentials,
    /// The action needs a verified email address (403).
    EmailNotVerified,
    /// The caller lacks the permission this action needs (403).
    Forbidden,
    /// The caller's membership in this organization is disabled (403).
    MemberDisabled,
    /// The action would grant or touch a role with permissions the caller does not hold (403).
    RoleEscalation,
    /// The owner cannot be removed, disabled, demoted or leave; ownership moves only by transfer (409).
    OwnerProtected,
    /// No such resource, or not visible to the caller (404).
    NotFound,
    /// The slug is taken by another organization (409).
    SlugTaken,
    /// An account with this email exists already (409).
    EmailTaken,
    /// A custom role with this key exists already (409).
    RoleExists,
    /// The role is still held by members or pending invitations (409).
    RoleInUse,
    /// The person is already a member of the organization (409).
    AlreadyMember,
    /// The address has a pending invitation to this organization already (409).
    AlreadyInvited,
    /// The invitation is no longer pending: accepted, declined or revoked (409).
    InvitationNotPending,
    /// The invitation expired (410).
    InvitationExpired,
    /// The invitation was sent to another email address (403).
    InvitationEmailMismatch,
    /// A typed confirmation did not match (422).
    ConfirmationMismatch,
    /// The resource changed since it was read: If-Match failed (412).
    PreconditionFailed,
    /// Too many requests; retry after the Retry-After header's seconds (429).
    RateLimited,
    /// The Idempotency-Key was used before for a different request (422).
    IdempotencyKeyReused,
    /// A request with this Idempotency-Key is still running; retry after Retry-After (409).
    IdempotencyKeyInProgress,
    /// The server failed; the detail is in its logs under the request id (500).
    Internal,
    /// The database is not reachable (503).
    Unavailable,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::EmailNotVerified => "email_not_verified",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::MemberDisabled => "member_disabled",
            ErrorCode::RoleEscalation => "role_escalation",
            ErrorCode::OwnerProtected => "owner_protected",
            ErrorCode::NotFound => "not_found",
            ErrorCode::SlugTaken => "slug_taken",
            ErrorCode::EmailTaken => "email_taken",
            ErrorCode::RoleExists => "role_exists",
            ErrorCode::RoleInUse => "role_in_use",
            ErrorCode::AlreadyMember => "already_member",
            ErrorCode::AlreadyInvited => "already_invited",
            ErrorCode::InvitationNotPending => "invitation_not_pending",
            ErrorCode::InvitationExpired => "invitation_expired",
            ErrorCode::InvitationEmailMismatch => "invitation_email_mismatch",
            ErrorCode::ConfirmationMismatch => "confirmation_mismatch",
            ErrorCode::PreconditionFailed => "precondition_failed",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::IdempotencyKeyInProgress => "idempotency_key_in_progress",
            ErrorCode::Internal => "internal",
            ErrorCode::Unavailable => "unavailable",
        }
    }
}

/// One field's problem inside a validation error.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// RFC 9457 problem details, `application/problem+json`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: ErrorCode,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_strings_match_serde() {
        for code in [ErrorCode::ValidationFailed, ErrorCode::RoleEscalation, ErrorCode::Unavailable] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }
}
