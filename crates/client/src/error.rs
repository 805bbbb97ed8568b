//! The client's error: a stable [`Code`] the UI branches on, and a message a
//! person can read. The UI only ever sees [`UiError`] (`{code, message}`).

use orgdesk_core::{ErrorCode, FieldError, Problem};
use serde::{Deserialize, Serialize};

pub type Result<T, E = Error> = std::result::Result<T, E>;

macro_rules! define_code {
    ($(#[doc = $doc:literal] $variant:ident = $wire:literal, $status:literal, $title:literal;)*) => {
        /// What went wrong, stable across releases: the server's codes (made
        /// from `orgdesk_core::for_each_error_code!`, so spelled like
        /// `ErrorCode`), then the client's own.
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Code {
            $(#[doc = $doc] $variant,)*
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
            /// No browser could be opened for an identity provider's sign-in page.
            NoBrowser,
        }

        impl From<ErrorCode> for Code {
            fn from(code: ErrorCode) -> Code {
                match code {
                    $(ErrorCode::$variant => Code::$variant,)*
                }
            }
        }
    };
}

orgdesk_core::for_each_error_code!(define_code);

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
    /// Input refused before anything was sent (the message says what to fix).
    #[error("{0}")]
    Invalid(String),
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
            Error::Invalid(_) => Code::ValidationFailed,
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
        for &code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(Code::from(code)).unwrap(), serde_json::to_value(code).unwrap());
        }
    }
}
