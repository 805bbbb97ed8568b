//! Sending invitations: the email's text and the limits on how many go out —
//! per organization, per inviting account and for the whole installation,
//! each an hourly window the operator sets (`Limits`).

use crate::access::OrgAccess;
use crate::error::ApiResult;
use crate::outbox::Email;
use crate::rate_limit::{self, Reservation, Window};
use crate::state::AppState;
use crate::time::HOUR;

/// Reserves `emails` invitation emails (and one bulk call when `bulk`) under
/// every sending limit, atomically: concurrent callers never pass a limit.
/// The caller settles the reservation with the number actually sent.
pub async fn reserve(state: &AppState, access: &OrgAccess, emails: i64, bulk: bool) -> ApiResult<Reservation> {
    let limits = &state.limits;
    let mut tx = state.db.write().await?;
    let sends = [
        Window::new(format!("invite:send:{}", access.org_id), limits.invitations_per_org, HOUR),
        Window::new(format!("invite:user:{}", access.user_id), limits.invitations_per_user, HOUR),
        Window::new("invite:global", limits.invitations_global, HOUR),
    ];
    let reservation = rate_limit::take(tx.conn(), &sends, emails, "invitation emails").await?;
    if bulk {
        let calls = [Window::new(format!("invite:bulk:{}", access.org_id), limits.bulk_invites_per_org, HOUR)];
        rate_limit::take(tx.conn(), &calls, 1, "bulk invitations from this organization").await?.keep();
    }
    tx.commit().await?;
    Ok(reservation)
}

pub fn invitation_email(
    state: &AppState,
    to: &str,
    org: &str,
    inviter: &str,
    role: &str,
    token: &str,
    days: i64,
) -> Email {
    let link = super::invite_link(state, token);
    Email {
        to: to.to_owned(),
        subject: format!("{inviter} invited you to {org} on Orgdesk"),
        body: format!(
            "Hello,\n\n{inviter} invited you to join {org} on Orgdesk as {role}.\n\n\
             Accept the invitation in your browser:\n{link}\n\n\
             or in the Orgdesk app:\norgdesk://invite/{token}\n\n\
             The invitation expires in {days} days. If you did not expect it, ignore this email.\n"
        ),
    }
}
