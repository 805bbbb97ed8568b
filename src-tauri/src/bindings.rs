//! Writes the TypeScript types of every command's inputs and outputs to
//! ui/src/lib/bindings/, and the command wrappers and the capability
//! (`contract.rs`) (run: `cargo test --features ts --lib bindings`).
//! Never edit those files by hand; CI regenerates them and fails on a diff.

use std::path::Path;

use orgdesk_client::core::api::*;
use orgdesk_client::core::ErrorCode;
use orgdesk_client::sync::{SyncMode, SyncPhase};
use orgdesk_client::{
    AccountSummary, BulkReport, CacheNotice, Code, ConnectionStatus, MemberFilter, MemberListState, MemberSortKey,
    MemberWindow, RoleCount, Snapshot, Source, StreamState, SyncProgress, SyncReport, UiError, VaultStatus, ViewEvent,
};
use ts_rs::TS;

use crate::desk::AppState;
use crate::links::{Link, LinkEvent, OrgScreen};
use crate::updates::UpdateStatus;

macro_rules! export {
    ($dir:expr; $($ty:ty),+ $(,)?) => {
        $( <$ty as TS>::export_all_to($dir).expect(concat!("export ", stringify!($ty))); )+
    };
}

#[test]
fn export_bindings() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/bindings");
    let _ = std::fs::remove_dir_all(&dir);
    export!(&dir;
        // shell and client
        AppState, LinkEvent, Link, OrgScreen, UpdateStatus, AccountSummary, VaultStatus, CacheNotice, ConnectionStatus, UiError, Code,
        Snapshot<()>, ViewEvent<()>, StreamState, Source, SyncProgress, SyncPhase, SyncReport, SyncMode,
        MemberFilter, MemberListState, MemberSortKey, MemberWindow, RoleCount, BulkReport,
        // wire types from orgdesk-core
        ErrorCode, MyOrg, Org, CreateOrg, UpdateOrg, Member, MemberStatus, Page<()>, UpdateMember,
        Role, CreateRole, UpdateRole, PermissionInfo,
        Invitation, InvitationStatus, InviteResults, InviteResult, InviteOutcome, InvitationPreview,
        MyInvitation, Accepted, ManagedInvitation, PersonMembership, RemovePersonResults,
        RemovePersonResult, RemoveOutcome, AuditEvent, AuditQuery,
        User, Session, SecurityEvent, SecurityEventKind, MemberSignIns,
        BulkChange, BulkMemberResults, BulkMemberResult, BulkOutcome, OidcProvider,
        ApiKey, CreatedApiKey, WebhookEndpoint, UpdateWebhookEndpoint, WebhookSecret, WebhookDelivery, WebhookAttempt,
        Team, TeamMember, TeamAssignment, PartnerRelationship, RelationshipStatus, OrgName, PartnerAccess,
        CreateCustomerWorkspace,
    );
    // The command wrappers and the capability, from the commands' signatures.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let commands = crate::contract::commands(&root.join("src-tauri/src/commands"));
    std::fs::write(dir.join("commands.ts"), crate::contract::typescript(&commands)).expect("write commands.ts");
    std::fs::write(root.join("src-tauri/capabilities/main.json"), crate::contract::capability(&commands))
        .expect("write the capability");
}
