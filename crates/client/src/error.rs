//! The client's error: a stable [`Code`] the UI branches on, and a message a
//! person can read. The UI only ever sees [`UiError`] (`{code, message}`).

use orgdesk_core::{ErrorCode, FieldError, Problem};
use serde::{Deserialize, Serialize};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, stable across releases. The server's codes come first
/// (same spelling as `orgdesk_core::ErrorCode`), then the client's own.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    ValidationFailed,
    PayloadTooLarge,
    UnsupportedMediaType,
    Unauthenticated,
    InvalidCredentials,
    EmailNotVerified,
    Forbidden,
    MemberDisabled,
    RoleEscalation,
    OwnerProtected,
    NotFound,
    SlugTaken,
    EmailTaken,
    RoleExists,
    RoleInUse,
    AlreadyMember,
    AlreadyInvited,
    InvitationNotPending,
    InvitationExpired,
    InvitationEmailMismatch,
    ConfirmationMismatch,
    /// Someone changed the resource since it was read (If-Match failed):
    /// reload and apply the change again.
    PreconditionFailed,
    RateLimited,
    IdempotencyKeyReused,
    IdempotencyKeyInProgress,
    Internal,
    Unavailable,
    /// The server cannot be reached (connection refused, DNS, timeout).
    Offline,
    /// The server answered something this client does not understand.
    BadResponse,
    /// The server URL is not usable: malformed, or plain http:// to a host
    /// that is not this machine.
    InsecureUrl,
    /// The server revoked this session; the account's cache was wiped and the
    /// user must sign in again.
    SessionRevoked,
    /// No signed-in account with this id.
    NotSignedIn,
    /// The OS keychain refused an operation it had accepted before.
    Keychain,
    /// The local cache or account file could not be read or written.
    Storage,
    /// A sync was cancelled by the user.
    Cancelled,
}

impl From<ErrorCode> for Code {
    fn from(code: ErrorCode) -> Code {
        match code {
            ErrorCode::ValidationFailed => Code::ValidationFailed,
            ErrorCode::PayloadTooLarge => Code::PayloadTooLarge,
            ErrorCode::UnsupportedMediaType => Code::UnsupportedMediaType,
            ErrorCode::Unauthenticated => Code::Unauthenticated,
            ErrorCode::InvalidCredentials => Code::InvalidCredentials,
            ErrorCode::EmailNotVerified => Code::EmailNotVerified,
            ErrorCode::Forbidden => Code::Forbidden,
            ErrorCode::MemberDisabled => Code::MemberDisabled,
            ErrorCode::RoleEscalation => Code::RoleEscalation,
            ErrorCode::OwnerProtected => Code::OwnerProtected,
            ErrorCode::NotFound => Code::NotFound,
            ErrorCode::SlugTaken => Code::SlugTaken,
            ErrorCode::EmailTaken => Code::EmailTaken,
            ErrorCode::RoleExists => Code::RoleExists,
            ErrorCode::RoleInUse => Code::RoleInUse,
            ErrorCode::AlreadyMember => Code::AlreadyMember,
            ErrorCode::AlreadyInvited => Code::AlreadyInvited,
            ErrorCode::InvitationNotPending => Code::InvitationNotPending,
            ErrorCode::InvitationExpired => Code::InvitationExpired,
            ErrorCode::InvitationEmailMismatch => Code::InvitationEmailMismatch,
            ErrorCode::ConfirmationMismatch => Code::ConfirmationMismatch,
            ErrorCode::PreconditionFailed => Code::PreconditionFailed,
            ErrorCode::RateLimited => Code::RateLimited,
            ErrorCode::IdempotencyKeyReused => Code::IdempotencyKeyReused,
            ErrorCode::IdempotencyKeyInProgress => Code::IdempotencyKeyInProgress,
            ErrorCode::Internal => Code::Internal,
            ErrorCode::Unavailable => Code::Unavailable,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered with problem details.
    #[error("{}", .problem.detail)]
    Api {
        problem: Box<Problem>,
        /// Seconds from `Retry-After`, for 429.
        retry_after: Option<u64>,
    },
    #[error("The server at {server} cannot be reached: {reason}")]
    Offline { server: String, reason: String },
    #[error("The server answered something unexpected: {0}")]
    BadResponse(String),
    #[error("{0}")]
    InsecureUrl(String),
    #[error("Your session was ended on the server; sign in again.")]
    SessionRevoked,
    #[error("Not signed in to this account.")]
    NotSignedIn,
    #[error("The keychain failed: {0}")]
    Keychain(String),
    #[error("Local storage failed: {0}")]
    Storage(String),
    #[error("Cancelled.")]
    Cancelled,
}

impl Error {
    pub fn code(&self) -> Code {
        match self {
            Error::Api { problem, .. } => problem.code.into(),
            Error::Offline { .. } => Code::Offline,
            Error::BadResponse(_) => Code::BadResponse,
            Error::InsecureUrl(_) => Code::InsecureUrl,
            Error::SessionRevoked => Code::SessionRevoked,
            Error::NotSignedIn => Code::NotSignedIn,
            Error::Keychain(_) => Code::Keychain,
            Error::Storage(_) => Code::Storage,
            Error::Cancelled => Code::Cancelled,
        }
    }

    /// Field-level validation messages, when the server sent any.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Error::Api { problem, .. } => &problem.errors,
            _ => &[],
        }
    }

    pub fn is_offline(&self) -> bool {
        matches!(self, Error::Offline { .. })
    }

    /// The shape the UI receives.
    pub fn to_ui(&self) -> UiError {
        UiError { code: self.code(), message: self.to_string() }
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Error {
        Error::Storage(e.to_string())
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::Storage(e.to_string())
    }
}

/// The error as the web UI sees it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UiError {
    pub code: Code,
    pub message: String,
}

impl From<Error> for UiError {
    fn from(e: Error) -> UiError {
        e.to_ui()
    }
}

impl From<&Error> for UiError {
    fn from(e: &Error) -> UiError {
        e.to_ui()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_codes_keep_their_spelling() {
        for code in [ErrorCode::PreconditionFailed, ErrorCode::RoleEscalation, ErrorCode::Unavailable] {
            assert_eq!(serde_json::to_value(Code::from(code)).unwrap(), serde_json::to_value(code).unwrap());
        }
    }
}
