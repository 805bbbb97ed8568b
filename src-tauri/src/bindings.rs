//! Writes the TypeScript types of every command's inputs and outputs to
//! ui/src/lib/bindings/ (run: `cargo test --features ts --lib bindings`).
//! Never edit those files by hand; CI regenerates them and fails on a diff.

use std::path::Path;

use orgdesk_client::core::api::*;
use orgdesk_client::core::ErrorCode;
use orgdesk_client::sync::{SyncMode, SyncPhase};
use orgdesk_client::{
    AccountSummary, CacheNotice, Code, ConnectionStatus, Snapshot, Source, SyncProgress, SyncReport, UiError,
    VaultStatus,
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
        Snapshot<()>, Source, SyncProgress, SyncPhase, SyncReport, SyncMode,
        // wire types from orgdesk-core
        ErrorCode, MyOrg, Org, CreateOrg, UpdateOrg, Member, MemberStatus, Page<()>, UpdateMember,
        Role, CreateRole, UpdateRole, PermissionInfo,
        Invitation, InvitationStatus, InviteResults, InviteResult, InviteOutcome, InvitationPreview,
        MyInvitation, Accepted, ManagedInvitation, PersonMembership, RemovePersonResults,
        RemovePersonResult, RemoveOutcome, AuditEvent, AuditQuery,
        User, Session, SecurityEvent, SecurityEventKind, MemberSignIns,
        BulkChange, BulkMemberResults, BulkMemberResult, BulkOutcome, OidcProvider,
    );
}
