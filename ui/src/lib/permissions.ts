// What controls to show, from the effective permissions the server returned
// for this org (GET /v1/orgs, /v1/orgs/{org}/permissions). The server still
// decides; this only hides what would be refused. Being offline does not hide
// a control: it disables it with a reason (see `offlineReason`).

export type Permissions = ReadonlySet<string>;

export function permissionSet(list: readonly string[] | undefined): Permissions {
  return new Set(list ?? []);
}

export interface MemberControls {
  changeRole: boolean;
  toggleStatus: boolean;
  remove: boolean;
  bulk: boolean;
  invite: boolean;
  exportCsv: boolean;
}

export function memberControls(perms: Permissions): MemberControls {
  const update = perms.has("members:update");
  const remove = perms.has("members:remove");
  return {
    changeRole: update,
    toggleStatus: update,
    remove,
    bulk: update || remove,
    invite: perms.has("members:invite"),
    exportCsv: perms.has("members:read"),
  };
}

/** Controls for one member row: nobody touches the owner from here. */
export function rowControls(
  controls: MemberControls,
  memberRole: string,
  isMe: boolean,
): { changeRole: boolean; toggleStatus: boolean; remove: boolean } {
  const owner = memberRole === "owner";
  return {
    changeRole: controls.changeRole && !owner,
    toggleStatus: controls.toggleStatus && !owner && !isMe,
    remove: controls.remove && !owner && !isMe,
  };
}

export interface InvitationControls {
  view: boolean;
  invite: boolean;
  resend: boolean;
  cancel: boolean;
}

export function invitationControls(perms: Permissions): InvitationControls {
  return {
    view: perms.has("invitations:read"),
    invite: perms.has("members:invite"),
    resend: perms.has("members:invite"),
    cancel: perms.has("invitations:revoke"),
  };
}

export interface Screen {
  id: "members" | "invitations" | "roles" | "settings" | "api-keys" | "webhooks" | "teams" | "customers" | "audit";
  label: string;
  needs: string;
  /** Shown under this screen in the sidebar (the settings' own pages). */
  under?: Screen["id"];
}

export const ORG_SCREENS: readonly Screen[] = [
  { id: "members", label: "Members", needs: "members:read" },
  { id: "invitations", label: "Invitations", needs: "invitations:read" },
  { id: "roles", label: "Roles", needs: "org:read" },
  { id: "settings", label: "Settings", needs: "org:read" },
  { id: "api-keys", label: "API keys", needs: "api_keys:manage", under: "settings" },
  { id: "webhooks", label: "Webhooks", needs: "webhooks:manage", under: "settings" },
  { id: "teams", label: "Teams", needs: "members:read" },
  { id: "customers", label: "Customers", needs: "partners:manage" },
  { id: "audit", label: "Audit log", needs: "audit:read" },
];

export function visibleScreens(perms: Permissions): Screen[] {
  return ORG_SCREENS.filter((screen) => perms.has(screen.needs));
}

/**
 * The screen to show for `screen` in an org where the account holds `perms`:
 * the same when the role allows it, else the first org screen it allows, else
 * the account's own invitations. The cross-org screens are always allowed.
 */
/** The screens of the account rather than of one org: any role may open them. */
export const ACCOUNT_SCREENS = ["across", "my-invitations", "account"] as const;
export const isAccountScreen = (screen: string): boolean => (ACCOUNT_SCREENS as readonly string[]).includes(screen);

export function allowedScreen<S extends string>(screen: S, perms: Permissions): S | Screen["id"] | "my-invitations" {
  if (isAccountScreen(screen)) return screen;
  const screens = visibleScreens(perms);
  if (screens.some((s) => s.id === screen)) return screen;
  return screens[0]?.id ?? "my-invitations";
}

/** Why a server action is disabled right now, or null when it is allowed. */
export function offlineReason(online: boolean, lastSynced: string | null): string | null {
  if (online) return null;
  return lastSynced
    ? `Offline — needs the server (last synced ${new Date(lastSynced).toLocaleString()})`
    : "Offline — needs the server";
}
