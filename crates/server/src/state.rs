//! What every handler can reach.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::db::Db;
use crate::metrics::Metrics;

#[derive(Clone, Debug)]
pub struct Limits {
    /// Failed sign-ins per account per hour.
    pub signin_failures_per_account: i64,
    /// Failed sign-ins per client IP per hour.
    pub signin_failures_per_ip: i64,
    /// Invitation emails (create and resend) per organization per hour.
    pub invitations_per_org: i64,
    /// Bulk invitation calls (more than one email) per organization per hour.
    pub bulk_invites_per_org: i64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            signin_failures_per_account: 100,
            signin_failures_per_ip: 1000,
            invitations_per_org: 250,
            bulk_invites_per_org: 50,
        }
    }
}

pub struct AppInner {
    pub db: Db,
    /// Base of links in emails, e.g. `https://orgdesk.example.com`.
    pub public_url: String,
    /// Exposes the outbox over HTTP for local users following invitation links.
    pub dev_outbox: bool,
    pub limits: Limits,
    pub metrics: Metrics,
    /// Wakes the mail worker when an email is queued.
    pub mail_queued: tokio::sync::Notify,
    /// When each (org, user) last had `last_active_at` written, so busy users
    /// cost one write a minute, not one per request.
    pub activity_written: Mutex<HashMap<(String, String), i64>>,
}

pub type AppState = Arc<AppInner>;
