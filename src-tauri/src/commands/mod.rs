//! The app's Tauri commands. Each one takes state and arguments, calls
//! `orgdesk-client` and hands back data or a `{code, message}` error.
//! build.rs lists the same names, which makes each an `allow-*` permission
//! that src-tauri/capabilities/main.json grants.

mod accounts;
mod across;
mod app;
mod audit;
mod integrations;
mod invitations;
mod members;
mod orgs;
mod partners;
mod profile;
mod roles;
mod updates;
mod views;

use orgdesk_client::UiError;

/// What every command answers.
pub type Answer<T> = Result<T, UiError>;

pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        accounts::app_state,
        accounts::sign_in,
        accounts::switch_account,
        accounts::sign_out,
        accounts::connection_status,
        accounts::remember_org,
        accounts::set_unsaved_edits,
        accounts::watch_close_requests,
        accounts::close_window,
        profile::sign_up,
        profile::request_password_reset,
        profile::reset_password,
        profile::my_profile,
        profile::update_profile,
        profile::verify_email,
        profile::resend_verification,
        profile::change_email,
        profile::confirm_email_change,
        profile::my_sessions,
        profile::revoke_session,
        profile::security_log,
        profile::auth_providers,
        profile::start_provider_sign_in,
        profile::finish_provider_sign_in,
        app::watch_links,
        app::remember_screen,
        app::diagnostics,
        app::screen_link,
        app::refresh_tray,
        app::tray_menu,
        app::set_keep_in_tray,
        app::set_notifications,
        app::notification_log,
        updates::watch_updates,
        updates::check_for_update,
        updates::install_update,
        orgs::cached_orgs,
        orgs::refresh_orgs,
        orgs::create_org,
        orgs::cached_org_details,
        orgs::org_details,
        orgs::update_org,
        orgs::choose_org_logo,
        orgs::org_logo,
        orgs::transfer_ownership,
        orgs::leave_org,
        orgs::delete_org,
        members::member_window,
        members::member_ids,
        members::cached_member,
        members::member_role_counts,
        members::sync_members,
        members::change_member_role,
        members::set_member_status,
        members::remove_member,
        members::bulk_change_members,
        members::member_sign_ins,
        members::export_members_csv,
        invitations::cached_invitations,
        invitations::refresh_invitations,
        invitations::more_invitations,
        invitations::invite,
        invitations::resend_invitation,
        invitations::cancel_invitation,
        invitations::cached_my_invitations,
        invitations::refresh_my_invitations,
        invitations::accept_my_invitation,
        invitations::decline_my_invitation,
        invitations::preview_invitation,
        invitations::accept_invitation_link,
        invitations::decline_invitation_link,
        across::cached_managed_invitations,
        across::refresh_managed_invitations,
        across::find_people,
        across::remove_person,
        roles::cached_roles,
        roles::refresh_roles,
        roles::permission_catalog,
        roles::create_role,
        roles::update_role,
        roles::delete_role,
        audit::audit_page,
        audit::export_audit_csv,
        views::watch_orgs,
        views::watch_org,
        views::watch_members,
        views::watch_invitations,
        views::watch_roles,
        views::watch_my_invitations,
        views::watch_managed_invitations,
        views::unwatch,
        integrations::api_keys,
        integrations::create_api_key,
        integrations::revoke_api_key,
        integrations::webhooks,
        integrations::create_webhook,
        integrations::update_webhook,
        integrations::delete_webhook,
        integrations::reveal_webhook_secret,
        integrations::rotate_webhook_secret,
        integrations::send_test_webhook,
        integrations::webhook_deliveries,
        integrations::replay_webhook_delivery,
        partners::teams,
        partners::create_team,
        partners::rename_team,
        partners::delete_team,
        partners::team_members,
        partners::add_team_member,
        partners::remove_team_member,
        partners::customers,
        partners::create_customer_workspace,
        partners::request_customer,
        partners::set_team_assignments,
        partners::end_as_partner,
        partners::request_renewal,
        partners::partner_access,
        partners::accept_partner,
        partners::end_partner_access,
        partners::renew_partner_access,
    ]
}

#[cfg(test)]
mod tests {
    /// The capability grants exactly the registered commands: a new command
    /// must be granted on purpose, and nothing else may be.
    #[test]
    fn capability_grants_exactly_the_app_commands() {
        let registered: std::collections::BTreeSet<String> = include_str!("mod.rs")
            .lines()
            .filter_map(|line| line.trim().strip_suffix(','))
            .filter_map(|entry| entry.split_once("::").map(|(_, name)| name))
            .filter(|name| name.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .map(|name| format!("allow-{}", name.replace('_', "-")))
            .collect();
        let capability: serde_json::Value = serde_json::from_str(include_str!("../../capabilities/main.json")).unwrap();
        let granted: std::collections::BTreeSet<String> =
            capability["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_owned()).collect();
        assert_eq!(granted, registered);
    }
}
