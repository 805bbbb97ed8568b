//! The signed-in person's own account: profile, address change, sessions,
//! security log; and the account operations that need no session (password
//! reset, email verification), which take the token of an emailed link as
//! the person pastes it.
//!
//! None of this is cached: the security log names networks and devices, and
//! the account screen is only useful online.

use orgdesk_core::api::{MemberSignIns, Page, PageQuery, SecurityEvent, Session as ServerSession, UpdateProfile, User};

use crate::accounts::Accounts;
use crate::api::Api;
use crate::error::{Error, Result};
use crate::session::Session;

/// What an emailed link is for: its path on the server's pages and in
/// `orgdesk://` links.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    Verify,
    Reset,
    EmailChange,
}

impl LinkKind {
    fn path(self) -> &'static str {
        match self {
            LinkKind::Verify => "verify",
            LinkKind::Reset => "reset",
            LinkKind::EmailChange => "email-change",
        }
    }
}

/// The token in what a person pasted: the link from the email
/// (`https://<server>/<kind>/<token>`), the app link (`orgdesk://<kind>/<token>`)
/// or the bare token. A link of another kind is refused, so a reset link is
/// never taken for a verification.
pub fn pasted_token(kind: LinkKind, pasted: &str) -> Result<String> {
    let pasted = pasted.trim();
    let refuse = || Error::Invalid(format!("Paste the {} link from the email, or the code in it.", kind.path()));
    let token = if pasted.contains('/') {
        let without_query = pasted.split(['?', '#']).next().unwrap_or_default();
        let mut parts = without_query.trim_end_matches('/').rsplit('/');
        let token = parts.next().unwrap_or_default();
        if parts.next() != Some(kind.path()) {
            return Err(refuse());
        }
        token
    } else {
        pasted
    };
    let well_formed = token.len() >= 20 && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if well_formed {
        Ok(token.to_owned())
    } else {
        Err(refuse())
    }
}

impl Accounts {
    /// Asks the server to email a reset link. The answer is the same whether
    /// or not the address has an account there.
    pub async fn request_password_reset(&self, server_url: &str, email: &str) -> Result<()> {
        self.anonymous_api(server_url)?.request_password_reset(email.trim()).await
    }

    /// Sets a new password with a reset link; every session of the account
    /// ends, so the caller signs in again with the new password.
    pub async fn reset_password(&self, server_url: &str, pasted_link: &str, password: &str) -> Result<()> {
        let token = pasted_token(LinkKind::Reset, pasted_link)?;
        self.anonymous_api(server_url)?.confirm_password_reset(&token, password).await
    }

    fn anonymous_api(&self, server_url: &str) -> Result<Api> {
        Api::new(server_url, self.shared.options.api.clone())
    }
}

impl Session {
    pub async fn me(&self) -> Result<User> {
        let me = self.call(|api| api.me()).await?;
        self.remember(me)
    }

    pub async fn update_profile(&self, req: &UpdateProfile) -> Result<User> {
        let me = self.call(|api| api.update_me(req)).await?;
        self.remember(me)
    }

    /// The account list keeps the name and address the server answered.
    fn remember(&self, me: User) -> Result<User> {
        self.remember_identity(&me.email, &me.name)?;
        Ok(me)
    }

    /// Confirms this account's address with the verification link.
    pub async fn verify_email(&self, pasted_link: &str) -> Result<User> {
        let token = pasted_token(LinkKind::Verify, pasted_link)?;
        self.call(|api| api.verify_email(&token)).await?;
        self.me().await
    }

    pub async fn resend_verification(&self) -> Result<()> {
        self.call(|api| api.resend_verification()).await
    }

    pub async fn change_email(&self, new_email: &str, password: &str) -> Result<()> {
        self.call(|api| api.change_email(new_email.trim(), password)).await
    }

    /// Follows an address-change link pasted in the app.
    pub async fn confirm_email_change(&self, pasted_link: &str) -> Result<User> {
        let token = pasted_token(LinkKind::EmailChange, pasted_link)?;
        self.call(|api| api.confirm_email_change(&token)).await?;
        self.me().await
    }

    pub async fn sessions(&self) -> Result<Vec<ServerSession>> {
        self.call(|api| api.sessions()).await
    }

    pub async fn revoke_session(&self, session_id: &str) -> Result<()> {
        self.call(|api| api.revoke_session(session_id)).await
    }

    pub async fn security_log(&self, cursor: Option<String>) -> Result<Page<SecurityEvent>> {
        let query = PageQuery { limit: Some(50), cursor };
        self.call(|api| api.security_log(&query)).await
    }

    pub async fn member_sign_ins(&self, org_id: &str, user_id: &str) -> Result<MemberSignIns> {
        self.call(|api| api.member_sign_ins(org_id, user_id)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "vt_AbCdEfGhIjKlMnOpQrStUv-_0123";

    #[test]
    fn takes_the_token_from_the_email_link_the_app_link_or_bare() {
        for pasted in [
            format!("http://127.0.0.1:8787/verify/{TOKEN}"),
            format!("https://orgdesk.example.com/verify/{TOKEN}/"),
            format!("orgdesk://verify/{TOKEN}"),
            format!("  {TOKEN}\n"),
        ] {
            assert_eq!(pasted_token(LinkKind::Verify, &pasted).unwrap(), TOKEN, "{pasted}");
        }
    }

    #[test]
    fn refuses_a_link_of_another_kind_and_odd_tokens() {
        assert!(pasted_token(LinkKind::Verify, &format!("https://x/reset/{TOKEN}")).is_err());
        assert!(pasted_token(LinkKind::Reset, &format!("orgdesk://invite/{TOKEN}")).is_err());
        assert!(pasted_token(LinkKind::Reset, "short").is_err());
        assert!(pasted_token(LinkKind::Reset, "has spaces in it but is long enough").is_err());
        assert!(pasted_token(LinkKind::EmailChange, "").is_err());
    }
}
