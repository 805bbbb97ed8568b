//! What every handler can reach.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::db::Db;
use crate::metrics::Metrics;

/// Every limit an operator can set, each by flag and environment variable
/// (`--limit-<name>` / `ORGDESK_LIMIT_<NAME>`); the defaults are [`Limits::DEFAULT`].
#[derive(Clone, Debug, clap::Args)]
pub struct Limits {
    /// Failed sign-ins per account per hour.
    #[arg(long = "limit-signin-failures-per-account", env = "ORGDESK_LIMIT_SIGNIN_FAILURES_PER_ACCOUNT", default_value_t = Limits::DEFAULT.signin_failures_per_account)]
    pub signin_failures_per_account: i64,
    /// Failed sign-ins per client IP per hour.
    #[arg(long = "limit-signin-failures-per-ip", env = "ORGDESK_LIMIT_SIGNIN_FAILURES_PER_IP", default_value_t = Limits::DEFAULT.signin_failures_per_ip)]
    pub signin_failures_per_ip: i64,
    /// Invitation emails (create and resend) per organization per hour.
    #[arg(long = "limit-invitations-per-org", env = "ORGDESK_LIMIT_INVITATIONS_PER_ORG", default_value_t = Limits::DEFAULT.invitations_per_org)]
    pub invitations_per_org: i64,
    /// Bulk invitation calls (more than one email) per organization per hour.
    #[arg(long = "limit-bulk-invites-per-org", env = "ORGDESK_LIMIT_BULK_INVITES_PER_ORG", default_value_t = Limits::DEFAULT.bulk_invites_per_org)]
    pub bulk_invites_per_org: i64,
    /// Invitation emails sent by one account, across its orgs, per hour.
    #[arg(long = "limit-invitations-per-user", env = "ORGDESK_LIMIT_INVITATIONS_PER_USER", default_value_t = Limits::DEFAULT.invitations_per_user)]
    pub invitations_per_user: i64,
    /// Invitation emails from the whole installation per hour.
    #[arg(long = "limit-invitations-global", env = "ORGDESK_LIMIT_INVITATIONS_GLOBAL", default_value_t = Limits::DEFAULT.invitations_global)]
    pub invitations_global: i64,
    /// Organizations one account creates per day (personal workspaces aside).
    #[arg(long = "limit-orgs-per-user-per-day", env = "ORGDESK_LIMIT_ORGS_PER_USER_PER_DAY", default_value_t = Limits::DEFAULT.orgs_per_user_per_day)]
    pub orgs_per_user_per_day: i64,
    /// Failed sign-ins per hour per account from a network it signed in from
    /// before (counted instead of the per-account limit, so a stranger
    /// elsewhere cannot lock the owner out).
    #[arg(long = "limit-signin-failures-per-known-network", env = "ORGDESK_LIMIT_SIGNIN_FAILURES_PER_KNOWN_NETWORK", default_value_t = Limits::DEFAULT.signin_failures_per_known_network)]
    pub signin_failures_per_known_network: i64,
    /// Password reset requests per address per hour (from networks the account never used).
    #[arg(long = "limit-reset-requests-per-account", env = "ORGDESK_LIMIT_RESET_REQUESTS_PER_ACCOUNT", default_value_t = Limits::DEFAULT.reset_requests_per_account)]
    pub reset_requests_per_account: i64,
    /// Password reset requests per address and network per hour.
    #[arg(long = "limit-reset-requests-per-account-network", env = "ORGDESK_LIMIT_RESET_REQUESTS_PER_ACCOUNT_NETWORK", default_value_t = Limits::DEFAULT.reset_requests_per_account_network)]
    pub reset_requests_per_account_network: i64,
    /// Password reset requests per network per hour.
    #[arg(long = "limit-reset-requests-per-ip", env = "ORGDESK_LIMIT_RESET_REQUESTS_PER_IP", default_value_t = Limits::DEFAULT.reset_requests_per_ip)]
    pub reset_requests_per_ip: i64,
    /// Addresses one invitation call may list.
    #[arg(long = "limit-invitation-emails-per-call", env = "ORGDESK_LIMIT_INVITATION_EMAILS_PER_CALL", default_value_t = Limits::DEFAULT.invitation_emails_per_call)]
    pub invitation_emails_per_call: i64,
    /// Sign-ins with an OpenID provider started per client IP per hour.
    #[arg(long = "limit-oidc-flows-per-ip", env = "ORGDESK_LIMIT_OIDC_FLOWS_PER_IP", default_value_t = Limits::DEFAULT.oidc_flows_per_ip)]
    pub oidc_flows_per_ip: i64,
    /// Partner relationship requests one organization sends per day (each
    /// emails another org's admins; failed ones count too, so a partner
    /// cannot probe for slugs and role names at will).
    #[arg(long = "limit-partner-requests-per-org-per-day", env = "ORGDESK_LIMIT_PARTNER_REQUESTS_PER_ORG_PER_DAY", default_value_t = Limits::DEFAULT.partner_requests_per_org_per_day)]
    pub partner_requests_per_org_per_day: i64,
    /// Verification emails one account asks for per hour.
    #[arg(long = "limit-verification-emails-per-user", env = "ORGDESK_LIMIT_VERIFICATION_EMAILS_PER_USER", default_value_t = Limits::DEFAULT.verification_emails_per_user)]
    pub verification_emails_per_user: i64,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        signin_failures_per_account: 100,
        signin_failures_per_ip: 1000,
        invitations_per_org: 250,
        bulk_invites_per_org: 50,
        invitations_per_user: 500,
        invitations_global: 10_000,
        orgs_per_user_per_day: 20,
        verification_emails_per_user: 10,
        invitation_emails_per_call: 500,
        signin_failures_per_known_network: 20,
        reset_requests_per_account: 5,
        reset_requests_per_account_network: 5,
        reset_requests_per_ip: 50,
        oidc_flows_per_ip: 300,
        partner_requests_per_org_per_day: 20,
    };
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}

pub struct AppInner {
    pub db: Db,
    /// Base of links in emails, e.g. `https://orgdesk.example.com`.
    pub public_url: String,
    /// Exposes the outbox over HTTP for local users following invitation links.
    pub dev_outbox: bool,
    pub limits: Limits,
    /// The bearer token `/metrics` asks for; without one `/metrics` answers 404.
    pub metrics_token: Option<String>,
    /// Sent emails are deleted from the outbox after this many days (they
    /// hold live invitation links).
    pub outbox_retention_days: i64,
    pub metrics: Metrics,
    /// The OpenID providers people may sign in with.
    pub oidc: crate::oidc::Oidc,
    /// Webhook signing, the delivery client and its wake-up.
    pub webhooks: crate::webhooks::Webhooks,
    /// New events for this process's event streams.
    pub hub: crate::stream::Hub,
    /// How often a stream sends a heartbeat.
    pub stream_heartbeat: std::time::Duration,
    /// Wakes the mail worker when an email is queued.
    pub mail_queued: tokio::sync::Notify,
    /// When each (org, user) last had `last_active_at` written, so busy users
    /// cost one write a minute, not one per request.
    pub activity_written: Mutex<HashMap<(String, String), i64>>,
}

pub type AppState = Arc<AppInner>;
