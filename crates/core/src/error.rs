//! Error codes and RFC 9457 problem details. The code is the stable part that
//! clients branch on; the title and detail are for people.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Every error code, once: variant, wire spelling, HTTP status, title and
/// meaning. [`ErrorCode`] is made from this list, and the client's `Code`
/// (which adds codes of its own) from the same list through
/// `for_each_error_code!`, so a code is defined in exactly one place.
#[macro_export]
macro_rules! for_each_error_code {
    ($callback:ident $(, $($args:tt)*)?) => {
        $callback! {
            $($($args)*)?
            #[doc = "The request body or query is malformed or fails validation (400/422)."] ValidationFailed = "validation_failed", 422, "The request is not valid";
            #[doc = "The body is larger than this endpoint accepts (413)."] PayloadTooLarge = "payload_too_large", 413, "The request body is too large";
            #[doc = "The uploaded file's type is not accepted (415)."] UnsupportedMediaType = "unsupported_media_type", 415, "Unsupported content type";
            #[doc = "No valid session token was presented (401)."] Unauthenticated = "unauthenticated", 401, "Sign-in required";
            #[doc = "Email or password is wrong (401). Same answer whether or not the account exists."] InvalidCredentials = "invalid_credentials", 401, "Wrong email or password";
            #[doc = "A sign-in code (OpenID Connect) is unknown, used, expired, or its verifier does not match (400)."] InvalidGrant = "invalid_grant", 400, "Sign-in code not valid";
            #[doc = "The action needs a verified email address (403)."] EmailNotVerified = "email_not_verified", 403, "Email address not verified";
            #[doc = "The caller lacks the permission this action needs (403)."] Forbidden = "forbidden", 403, "Not allowed";
            #[doc = "The caller's membership in this organization is disabled (403)."] MemberDisabled = "member_disabled", 403, "Membership disabled";
            #[doc = "The action would grant or touch a role with permissions the caller does not hold (403)."] RoleEscalation = "role_escalation", 403, "Role above your own";
            #[doc = "The owner cannot be removed, disabled, demoted or leave; ownership moves only by transfer (409)."] OwnerProtected = "owner_protected", 409, "The owner is protected";
            #[doc = "No such resource, or not visible to the caller (404)."] NotFound = "not_found", 404, "Not found";
            #[doc = "The slug is taken by another organization (409)."] SlugTaken = "slug_taken", 409, "Slug taken";
            #[doc = "An account with this email exists already (409)."] EmailTaken = "email_taken", 409, "Email already registered";
            #[doc = "A custom role with this key exists already (409)."] RoleExists = "role_exists", 409, "Role exists";
            #[doc = "The role is still held by members or pending invitations (409)."] RoleInUse = "role_in_use", 409, "Role in use";
            #[doc = "The person is already a member of the organization (409)."] AlreadyMember = "already_member", 409, "Already a member";
            #[doc = "The address has a pending invitation to this organization already (409)."] AlreadyInvited = "already_invited", 409, "Already invited";
            #[doc = "The invitation is no longer pending: accepted, declined or revoked (409)."] InvitationNotPending = "invitation_not_pending", 409, "Invitation no longer pending";
            #[doc = "The invitation expired (410)."] InvitationExpired = "invitation_expired", 410, "Invitation expired";
            #[doc = "The invitation was sent to another email address (403)."] InvitationEmailMismatch = "invitation_email_mismatch", 403, "Invitation for another address";
            #[doc = "A typed confirmation did not match (422)."] ConfirmationMismatch = "confirmation_mismatch", 422, "Confirmation does not match";
            #[doc = "The resource changed since it was read: If-Match failed (412)."] PreconditionFailed = "precondition_failed", 412, "Changed since you read it";
            #[doc = "Too many requests; retry after the Retry-After header's seconds (429)."] RateLimited = "rate_limited", 429, "Too many requests";
            #[doc = "The Idempotency-Key was used before for a different request (422)."] IdempotencyKeyReused = "idempotency_key_reused", 422, "Idempotency key reused";
            #[doc = "A request with this Idempotency-Key is still running; retry after Retry-After (409)."] IdempotencyKeyInProgress = "idempotency_key_in_progress", 409, "Request still running";
            #[doc = "A team with this name exists in the organization already (409)."] TeamExists = "team_exists", 409, "Team exists";
            #[doc = "The two organizations have a requested or active partner relationship already (409)."] RelationshipExists = "relationship_exists", 409, "Partner relationship exists";
            #[doc = "The partner relationship is no longer in the state this needs: accepted, ended or expired already (409)."] RelationshipNotPending = "relationship_not_pending", 409, "Partner relationship changed";
            #[doc = "The server failed; the detail is in its logs under the request id (500)."] Internal = "internal", 500, "Internal error";
            #[doc = "The database is not reachable (503)."] Unavailable = "unavailable", 503, "Service unavailable";
        }
    };
}

macro_rules! define_error_code {
    ($(#[doc = $doc:literal] $variant:ident = $wire:literal, $status:literal, $title:literal;)*) => {
        /// The stable part of every error answer that clients branch on.
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $(#[doc = $doc] $variant,)*
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $wire,)*
                }
            }

            /// The HTTP status this code answers with.
            pub fn status(self) -> u16 {
                match self {
                    $(ErrorCode::$variant => $status,)*
                }
            }

            /// The problem's title, for people.
            pub fn title(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $title,)*
                }
            }
        }
    };
}

for_each_error_code!(define_error_code);

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
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }
}
