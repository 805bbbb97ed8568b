//! The one HTTP error type. Every failure leaves as RFC 9457 problem+json with
//! a stable code; database and unexpected errors are logged and answered with
//! a generic 500 that reveals nothing.

use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use orgdesk_core::{ErrorCode, FieldError, Problem};

use crate::db::Constraint;

#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub retry_after_secs: Option<u64>,
    status_override: Option<StatusCode>,
}

pub type ApiResult<T> = Result<T, ApiError>;

pub fn status_of(code: ErrorCode) -> StatusCode {
    StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

impl ApiError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> ApiError {
        ApiError { code, detail: detail.into(), errors: Vec::new(), retry_after_secs: None, status_override: None }
    }

    /// A 422 naming the field at fault.
    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        let mut e = ApiError::new(ErrorCode::ValidationFailed, message.clone());
        e.errors.push(FieldError { field: field.to_owned(), message });
        e
    }

    /// A 400 for a request that could not be read at all (bad JSON, bad query).
    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        let mut e = ApiError::new(ErrorCode::ValidationFailed, detail);
        e.status_override = Some(StatusCode::BAD_REQUEST);
        e
    }

    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(ErrorCode::NotFound, format!("No {what} here, or it is not visible to you."))
    }

    pub fn rate_limited(retry_after_secs: u64, detail: impl Into<String>) -> ApiError {
        let mut e = ApiError::new(ErrorCode::RateLimited, detail);
        e.retry_after_secs = Some(retry_after_secs.max(1));
        e
    }

    pub fn with_retry_after(mut self, secs: u64) -> ApiError {
        self.retry_after_secs = Some(secs.max(1));
        self
    }

    pub fn internal() -> ApiError {
        ApiError::new(ErrorCode::Internal, "The server failed to answer; the details are in its log.")
    }

    pub fn with_status(mut self, status: StatusCode) -> ApiError {
        self.status_override = Some(status);
        self
    }

    pub fn status(&self) -> StatusCode {
        self.status_override.unwrap_or_else(|| status_of(self.code))
    }
}

/// Validation helper: `validate::email(&s).map_err(field("email"))?`.
pub fn field(name: &'static str) -> impl Fn(String) -> ApiError {
    move |message| ApiError::invalid(name, message)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let problem = Problem {
            type_uri: format!("https://orgdesk.dev/problems/{}", self.code.as_str().replace('_', "-")),
            title: self.code.title().to_owned(),
            status: status.as_u16(),
            detail: self.detail,
            code: self.code,
            errors: self.errors,
            request_id: None,
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(secs) = self.retry_after_secs {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// The answer a request gets when the database refused its write because of
/// `constraint`: the outcome the API promises for that conflict.
pub fn conflict(constraint: Constraint) -> ApiError {
    match constraint {
        Constraint::UserEmail => {
            ApiError::new(ErrorCode::EmailTaken, "An account with this email exists already; sign in instead.")
        }
        Constraint::OrgSlug => ApiError::new(ErrorCode::SlugTaken, "This slug is taken; choose another."),
        Constraint::OnePendingInvitation => {
            ApiError::new(ErrorCode::AlreadyInvited, "This address has a pending invitation to this organization.")
        }
        Constraint::Membership => {
            ApiError::new(ErrorCode::AlreadyMember, "This person is a member of this organization already.")
        }
        Constraint::OneOwner => ApiError::new(
            ErrorCode::OwnerProtected,
            "The organization has an owner; ownership moves only by transferring it.",
        ),
        Constraint::RoleKey => ApiError::new(ErrorCode::RoleExists, "A role with this key exists already."),
        Constraint::MembershipRole => ApiError::invalid(
            "role",
            "This role no longer exists in the organization; reload its roles and choose another.",
        ),
        Constraint::IdempotencyKey => ApiError::new(
            ErrorCode::IdempotencyKeyInProgress,
            "A request with this Idempotency-Key is still running; retry after it answers.",
        )
        .with_retry_after(1),
        Constraint::TeamName => ApiError::new(ErrorCode::TeamExists, "A team with this name exists already."),
        Constraint::OneOpenRelationship => ApiError::new(
            ErrorCode::RelationshipExists,
            "These organizations have a requested or active partner relationship already.",
        ),
        Constraint::TeamMembership => ApiError::not_found("member (removed from the organization meanwhile)"),
        Constraint::AssignedTeam => ApiError::not_found("team (deleted meanwhile)"),
        Constraint::GrantedRole => ApiError::invalid(
            "roles",
            "A role was deleted from the customer organization meanwhile; reload its roles and choose again.",
        ),
        // Two sign-ins of one new provider subject at once: the loser
        // retries and signs in to the account the winner linked.
        Constraint::OidcLink => {
            ApiError::new(ErrorCode::Unavailable, "Another sign-in of this account is linking it right now; try again.")
                .with_retry_after(1)
        }
    }
}

/// A write's "Changed since you read it" (If-Match failed).
pub fn precondition_failed() -> ApiError {
    ApiError::new(ErrorCode::PreconditionFailed, "Someone changed this since you read it; reload and try again.")
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> ApiError {
        if let Some(constraint) = crate::db::violation(&e) {
            tracing::info!(?constraint, "a concurrent write won; answering the promised conflict");
            return conflict(constraint);
        }
        match e {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                tracing::error!(error = %e, "database unavailable");
                ApiError::new(ErrorCode::Unavailable, "The database is not reachable right now; try again shortly.")
            }
            other => {
                tracing::error!(error = %other, "database error");
                ApiError::internal()
            }
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> ApiError {
        match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => too_large(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "Send the body as JSON with the header Content-Type: application/json.",
            ),
            StatusCode::UNPROCESSABLE_ENTITY => ApiError::new(ErrorCode::ValidationFailed, r.body_text()),
            _ => ApiError::bad_request(format!("The body is not valid JSON: {}", r.body_text())),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> ApiError {
        ApiError::bad_request(r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> ApiError {
        ApiError::bad_request(r.body_text())
    }
}

impl From<BytesRejection> for ApiError {
    fn from(r: BytesRejection) -> ApiError {
        match r.status() {
            StatusCode::PAYLOAD_TOO_LARGE => too_large(),
            _ => ApiError::bad_request(r.body_text()),
        }
    }
}

fn too_large() -> ApiError {
    ApiError::new(ErrorCode::PayloadTooLarge, "The request body is larger than this endpoint accepts.")
}
