//! Sending invitations: the email's text and the limits on how many go out —
//! per organization, per inviting account and for the whole installation,
//! each an hourly window the operator sets (`Limits`).

use crate::access::OrgAccess;
use crate::emails::{self, Block};
use crate::error::ApiResult;
use crate::outbox::Email;
use crate::rate_limit::{self, Reservation, Window};
use crate::state::AppState;
use crate::store::orgs::InvitingOrg;
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

/// What an invitation email says: who invites whom to which organization
/// (name and logo) in which role, and until when, in the organization's own
/// time zone. `resent` says so in the subject.
pub struct InvitationEmail<'a> {
    pub to: &'a str,
    pub org: &'a InvitingOrg,
    pub inviter: &'a str,
    pub role_name: &'a str,
    pub token: &'a str,
    pub expires_at: i64,
    pub resent: bool,
}

pub fn invitation_email(state: &AppState, e: &InvitationEmail<'_>) -> Email {
    let link = super::invite_link(state, e.token);
    let org = &e.org.name;
    let subject = if e.resent {
        format!("Reminder: join {org} on Orgdesk")
    } else {
        format!("Join {org} on Orgdesk: {} invited you", e.inviter)
    };
    emails::compose(
        e.to,
        subject,
        &format!("Join {org} on Orgdesk"),
        &[
            Block::Para(format!("{} invited you to join {org} on Orgdesk as {}.", e.inviter, e.role_name)),
            Block::Button { label: "Accept the invitation".into(), url: link },
            Block::Para(format!("Or open it in the Orgdesk app: orgdesk://invite/{}", e.token)),
            Block::Para(format!("The invitation expires on {}.", emails::long_time(e.expires_at, &e.org.timezone))),
            Block::Note(format!(
                "This invitation was sent to {} on behalf of {org}. If you did not expect it, ignore this email: \
                 nothing happens unless you accept.",
                e.to
            )),
        ],
        (e.org.has_logo != 0).then_some(e.org.id.as_str()),
    )
}
