// The screens other than Members, each loaded the first time it is opened:
// the start-up parses the shell and the member list only (the app opens on
// an org's members unless it was closed elsewhere).
import type { Component } from "svelte";
import type { MyOrg } from "./bindings/MyOrg";
import type { ScreenId } from "./state.svelte";

type OrgScreen = Component<{ org: MyOrg }>;
type AccountScreen = Component<Record<string, never>>;

const orgScreens: Record<Exclude<ScreenId, "members" | AccountScreenId>, () => Promise<{ default: OrgScreen }>> = {
  invitations: () => import("../screens/Invitations.svelte"),
  roles: () => import("../screens/Roles.svelte"),
  settings: () => import("../screens/Settings.svelte"),
  "api-keys": () => import("../screens/ApiKeys.svelte"),
  webhooks: () => import("../screens/Webhooks.svelte"),
  teams: () => import("../screens/Teams.svelte"),
  customers: () => import("../screens/Customers.svelte"),
  audit: () => import("../screens/Audit.svelte"),
};

type AccountScreenId = "across" | "my-invitations" | "account";
const accountScreens: Record<AccountScreenId, () => Promise<{ default: AccountScreen }>> = {
  across: () => import("../screens/Across.svelte"),
  "my-invitations": () => import("../screens/MyInvitations.svelte"),
  account: () => import("../screens/Account.svelte"),
};

const loaded = new Map<string, Promise<Component<never>>>();

function load<C>(id: string, importer: () => Promise<{ default: C }>): Promise<C> {
  let screen = loaded.get(id) as Promise<C> | undefined;
  if (!screen) {
    screen = importer().then((m) => m.default);
    // A failed load (the file could not be read) is tried again next time.
    screen.catch(() => loaded.delete(id));
    loaded.set(id, screen as Promise<Component<never>>);
  }
  return screen;
}

/** An org's screen (not Members, which is in the start-up bundle). */
export const orgScreen = (id: Exclude<ScreenId, "members" | AccountScreenId>): Promise<OrgScreen> => load(id, orgScreens[id]);

/** A screen of the account rather than of an org. */
export const accountScreen = (id: AccountScreenId): Promise<AccountScreen> => load(id, accountScreens[id]);
