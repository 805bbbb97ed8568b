//! The small server-rendered pages behind emailed links: `/invite/<token>`,
//! `/verify/<token>`, `/partner-requests/<token>` and the rest. Plain HTML forms, no script. A GET only shows a
//! page (mail scanners follow links); every change is a form's POST. A page
//! that shows an error answers with the error's status (404 unknown link,
//! 409 used, 410 expired, 401 wrong password, 422 invalid input), so
//! machines read the same outcome as people.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Html;
use axum::routing::{get, post};
use axum::{Form, Router};
use orgdesk_core::api::{InvitationSignUp, InvitationStatus};
use serde::Deserialize;
use tower_http::set_header::SetResponseHeaderLayer;

use super::ApiPath;
use crate::auth::ClientMeta;
use crate::error::ApiError;
use crate::invitations;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/invite/{token}", get(invite_page))
        .route("/invite/{token}/signup", post(invite_sign_up))
        .route("/invite/{token}/accept", post(invite_accept))
        .route("/invite/{token}/decline", post(invite_decline))
        .route("/invite/{token}/oidc/{provider}", post(invite_oidc))
        .route("/verify/{token}", get(verify_page).post(verify_confirm))
        .route("/partner-requests/{token}", get(partner_request_page))
        .route("/partner-requests/{token}/accept", post(partner_request_accept))
        .route("/reset", get(forgot_page).post(forgot_submit))
        .route("/email-change/{token}", get(email_change_page).post(email_change_submit))
        .route("/reset/{token}", get(reset_page).post(reset_submit))
        // The invitation page sets its own (its forms may lead to a provider).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        ))
        // The token is in the address: it must not travel on in a Referer.
        .layer(header(header::REFERRER_POLICY, "no-referrer"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(header::CACHE_CONTROL, "no-store"))
}

/// No script at all; the inline style sheet and same-origin forms only.
const PAGE_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

fn header(name: header::HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>{title} — Orgdesk</title><style>\
body{{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1d2330}}\
h1{{font-size:1.5rem}}form{{border:1px solid #d6dae3;border-radius:8px;padding:1rem;margin:1rem 0}}\
label{{display:block;margin:.5rem 0}}input{{display:block;width:100%;padding:.4rem;font:inherit}}\
button{{font:inherit;padding:.4rem 1rem;margin-top:.5rem}}.muted{{color:#5b6475}}.error{{color:#a32020}}\
@media (prefers-color-scheme:dark){{body{{background:#15181f;color:#e6e8ee}}form{{border-color:#394050}}}}\
</style></head><body>{body}</body></html>",
        title = escape(title)
    ))
}

/// A message page with the pages' headers, for routes outside this router
/// (the OpenID callback).
pub fn message((status, title, text): (StatusCode, &str, &str)) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut response = (status, message_page(title, text)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

fn message_page(title: &str, message: &str) -> Html<String> {
    page(title, &format!("<h1>{}</h1><p>{}</p>", escape(title), escape(message)))
}

/// A page and its status.
type Page = (StatusCode, Html<String>);

fn ok(html: Html<String>) -> Page {
    (StatusCode::OK, html)
}

fn error_page(e: ApiError) -> Page {
    (e.status(), message_page("This invitation cannot be used", &e.detail))
}

async fn invite_page(State(state): State<AppState>, ApiPath(token): ApiPath<String>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let page = invite_page_body(&state, &token).await;
    let providers = state.oidc.list();
    if providers.is_empty() || page.0 != StatusCode::OK {
        return page.into_response();
    }
    // "Continue with …" posts here, then goes on to the provider: the
    // provider's origin is a form target too.
    let origins = crate::oidc::authorization_origins(&state).await.join(" ");
    let csp = PAGE_CSP.replace("form-action 'self'", &format!("form-action 'self' {origins}"));
    let mut response = page.into_response();
    if let Ok(value) = HeaderValue::from_str(&csp) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

async fn invite_page_body(state: &AppState, token: &str) -> Page {
    let token = token.to_owned();
    let preview = match invitations::preview(state, &token).await {
        Ok(p) => p,
        Err(e) => return error_page(e),
    };
    let inviter = preview.inviter_name.as_deref().unwrap_or("Someone");
    let head = format!(
        "<h1>Join {org}</h1><p>{inviter} invited <strong>{email}</strong> to <strong>{org}</strong> as {role}.</p>",
        org = escape(&preview.org_name),
        inviter = escape(inviter),
        email = escape(&preview.email),
        role = escape(&preview.role_name),
    );
    if preview.status != InvitationStatus::Pending {
        let (status, why) = match preview.status {
            InvitationStatus::Expired => {
                (StatusCode::GONE, "This invitation expired; ask the organization for a new one.")
            }
            InvitationStatus::Accepted => (StatusCode::CONFLICT, "This invitation was accepted already."),
            _ => (StatusCode::CONFLICT, "This invitation is no longer open."),
        };
        return (status, page("Invitation", &format!("{head}<p class=\"error\">{why}</p>")));
    }
    let t = escape(&token);
    let providers: String = state
        .oidc
        .list()
        .iter()
        .map(|p| {
            format!(
                "<form method=\"post\" action=\"/invite/{t}/oidc/{id}\"><button>Continue with {name}</button></form>",
                id = escape(&p.id),
                name = escape(&p.name)
            )
        })
        .collect();
    let body = format!(
        "{head}<p class=\"muted\">Expires {expires}.</p>\
<p><a href=\"orgdesk://invite/{t}\">Open in Orgdesk</a></p>{providers}\
<form method=\"post\" action=\"/invite/{t}/signup\"><h2>New to Orgdesk?</h2>\
<label>Email<input value=\"{email}\" disabled></label>\
<label>Your name<input name=\"name\" required maxlength=\"100\" autocomplete=\"name\"></label>\
<label>Password (at least 10 characters)<input name=\"password\" type=\"password\" required minlength=\"10\" autocomplete=\"new-password\"></label>\
<button>Create account and join</button></form>\
<form method=\"post\" action=\"/invite/{t}/accept\"><h2>Have an account?</h2>\
<label>Email<input value=\"{email}\" disabled></label>\
<label>Password<input name=\"password\" type=\"password\" required autocomplete=\"current-password\"></label>\
<button>Sign in and join</button><p><a href=\"/reset\">Forgot your password?</a></p></form>\
<form method=\"post\" action=\"/invite/{t}/decline\"><button>Decline</button></form>",
        expires = escape(&preview.expires_at),
        email = escape(&preview.email),
    );
    ok(page("Invitation", &body))
}

#[derive(Deserialize)]
struct SignUpForm {
    name: String,
    password: String,
}

#[derive(Deserialize)]
struct PasswordForm {
    password: String,
}

async fn invite_sign_up(
    State(state): State<AppState>,
    meta: ClientMeta,
    ApiPath(token): ApiPath<String>,
    Form(form): Form<SignUpForm>,
) -> Page {
    let req = InvitationSignUp { name: form.name, password: form.password, timezone: None };
    match invitations::sign_up(&state, &token, req, &meta).await {
        Ok(grant) => ok(message_page(
            "Welcome to Orgdesk",
            &format!(
                "Your account {} is ready and you joined the organization. Sign in from the Orgdesk app.",
                grant.user.email
            ),
        )),
        Err(e) => error_page(e),
    }
}

async fn invite_accept(
    State(state): State<AppState>,
    meta: ClientMeta,
    ApiPath(token): ApiPath<String>,
    Form(form): Form<PasswordForm>,
) -> Page {
    match invitations::accept_with_password(&state, &token, &form.password, &meta).await {
        Ok(_) => ok(message_page("You joined", "You are now a member. Open the Orgdesk app to see the organization.")),
        Err(e) => error_page(e),
    }
}

/// A partner's request for access, as its emailed link shows it; accepting
/// is the form's POST, for the customer's owner or an admin.
async fn partner_request_page(State(state): State<AppState>, ApiPath(token): ApiPath<String>) -> Page {
    use orgdesk_core::api::RelationshipStatus;
    let title = "This partner request cannot be used";
    let preview = match crate::partners::preview(&state, &token).await {
        Ok(p) => p,
        Err(e) => return (e.status(), message_page(title, &e.detail)),
    };
    let head = format!(
        "<h1>Partner access to {customer}</h1><p><strong>{partner}</strong> asks to administer \
         <strong>{customer}</strong> with the roles {roles} until {ends}.</p>",
        customer = escape(&preview.customer.name),
        partner = escape(&preview.partner_name),
        roles = escape(&preview.roles.join(", ")),
        ends = escape(&preview.ends_at),
    );
    let why = match preview.status {
        RelationshipStatus::Requested => None,
        RelationshipStatus::Expired => Some((StatusCode::GONE, "This request expired; ask the partner for a new one.")),
        _ => Some((StatusCode::CONFLICT, "This request was answered or ended already.")),
    };
    if let Some((status, why)) = why {
        return (status, page("Partner request", &format!("{head}<p class=\"error\">{why}</p>")));
    }
    let form = format!(
        "<form method=\"post\" action=\"/partner-requests/{t}/accept\"><p>Sign in as an owner or admin of {customer} \
         to accept. Either side can end it at any time.</p>\
         <label>Email<input name=\"email\" type=\"email\" autocomplete=\"email\" required></label>\
         <label>Password<input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>\
         <button>Accept partner access</button></form><p class=\"muted\">Nothing changes unless you accept.</p>",
        t = escape(&token),
        customer = escape(&preview.customer.name),
    );
    ok(page("Partner request", &format!("{head}{form}")))
}

#[derive(Deserialize)]
struct SignInForm {
    email: String,
    password: String,
}

async fn partner_request_accept(
    State(state): State<AppState>,
    meta: ClientMeta,
    ApiPath(token): ApiPath<String>,
    Form(form): Form<SignInForm>,
) -> Page {
    match crate::partners::accept_with_password(&state, &token, &form.email, &form.password, &meta).await {
        Ok(r) => ok(message_page(
            "Partner access accepted",
            &format!(
                "{} now has access to {} with the roles {} until {}. End it at any time under Members → Partner access.",
                r.partner.name,
                r.customer.name,
                r.roles.join(", "),
                r.ends_at
            ),
        )),
        Err(e) => (e.status(), message_page("The request was not accepted", &e.detail)),
    }
}

async fn invite_decline(State(state): State<AppState>, meta: ClientMeta, ApiPath(token): ApiPath<String>) -> Page {
    match invitations::decline(&state, &token, &meta).await {
        Ok(()) => ok(message_page("Invitation declined", "You declined the invitation. Nothing else will happen.")),
        Err(e) => error_page(e),
    }
}

/// "Continue with <provider>": starts a flow carrying the invitation and
/// sends the browser to the provider; the callback shows the outcome.
async fn invite_oidc(
    State(state): State<AppState>,
    meta: ClientMeta,
    ApiPath((token, provider)): ApiPath<(String, String)>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if let Err(e) = invitations::preview(&state, &token).await {
        return error_page(e).into_response();
    }
    match crate::oidc::start_for_invitation(&state, &provider, &token, &meta).await {
        Ok(url) => match HeaderValue::from_str(&url) {
            Ok(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
            Err(_) => error_page(ApiError::internal()).into_response(),
        },
        Err(e) => (e.status(), message_page("Sign-in is not available", &e.detail)).into_response(),
    }
}

/// Shows a button: following the link verifies nothing by itself, since
/// mail scanners fetch every link in an email.
async fn verify_page(ApiPath(token): ApiPath<String>) -> Page {
    let body = format!(
        "<h1>Confirm your email address</h1><p>Press the button to confirm that this address is yours.</p>\
<form method=\"post\" action=\"/verify/{t}\"><button>Confirm my email address</button></form>",
        t = escape(&token)
    );
    ok(page("Confirm your email address", &body))
}

async fn verify_confirm(State(state): State<AppState>, ApiPath(token): ApiPath<String>) -> Page {
    match crate::accounts::verify_email(&state, &token).await {
        Ok(()) => ok(message_page("Email verified", "Thank you: your email address is confirmed.")),
        Err(e) => (e.status(), message_page("This link cannot be used", &e.detail)),
    }
}

/// Shows a button only: the change happens on its POST.
async fn email_change_page(ApiPath(token): ApiPath<String>) -> Page {
    let body = format!(
        "<h1>Use this address for Orgdesk?</h1><p>Your account moves to this address when you confirm.</p>\
<form method=\"post\" action=\"/email-change/{t}\"><button>Use this address</button></form>",
        t = escape(&token)
    );
    ok(page("Confirm your new address", &body))
}

async fn email_change_submit(State(state): State<AppState>, ApiPath(token): ApiPath<String>) -> Page {
    match crate::email_change::confirm(&state, &token).await {
        Ok(()) => ok(message_page("Address changed", "Your Orgdesk account uses this address from now on.")),
        Err(e) => (e.status(), message_page("This link cannot be used", &e.detail)),
    }
}

/// "Forgot password?": asks for the address.
async fn forgot_page() -> Page {
    ok(page(
        "Forgot your password?",
        "<h1>Forgot your password?</h1><p>Enter your account's email address; we send it a link to choose a new password.</p>\
<form method=\"post\" action=\"/reset\"><label>Email<input name=\"email\" type=\"email\" required autocomplete=\"email\"></label>\
<button>Send the link</button></form>",
    ))
}

#[derive(Deserialize)]
struct EmailForm {
    email: String,
}

async fn forgot_submit(State(state): State<AppState>, meta: ClientMeta, Form(form): Form<EmailForm>) -> Page {
    match crate::recovery::request(&state, &form.email, &meta).await {
        Ok(()) => ok(message_page(
            "Check your email",
            "If an account uses this address, it has an email with a link that works for 30 minutes.",
        )),
        Err(e) => (e.status(), message_page("Try again later", &e.detail)),
    }
}

/// Shows the form only: following the link changes nothing.
async fn reset_page(ApiPath(token): ApiPath<String>) -> Page {
    let body = format!(
        "<h1>Choose a new password</h1><p>Every device signed in to the account is signed out when you save.</p>\
<form method=\"post\" action=\"/reset/{t}\"><label>New password (at least 10 characters)\
<input name=\"password\" type=\"password\" required minlength=\"10\" autocomplete=\"new-password\"></label>\
<button>Save the new password</button></form>",
        t = escape(&token)
    );
    ok(page("Choose a new password", &body))
}

async fn reset_submit(
    State(state): State<AppState>,
    meta: ClientMeta,
    ApiPath(token): ApiPath<String>,
    Form(form): Form<PasswordForm>,
) -> Page {
    match crate::recovery::complete(&state, &token, &form.password, &meta).await {
        Ok(()) => ok(message_page(
            "Password changed",
            "Your new password is set and every session was signed out. Sign in again in the Orgdesk app.",
        )),
        Err(e) => (e.status(), message_page("This link cannot be used", &e.detail)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        assert_eq!(super::escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}
