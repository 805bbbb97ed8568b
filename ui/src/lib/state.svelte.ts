// The app's shared state: who is signed in, which org is open, which screen,
// and whether the server is reachable. Screens keep their own lists, each
// from one view channel (`watch`, ./view.ts); the org list is one too.
import * as api from "./api";
import { CHUNK, DEFAULT_VIEW, forgetFirstWindows, prefetchFirstWindow } from "./members";
import { channel } from "./channel";
import type { Channel } from "./bindings/commands";
import type { ViewEvent } from "./bindings/ViewEvent";
import { watchView, type ViewHandlers } from "./view";
import type { AccountSummary } from "./bindings/AccountSummary";
import type { ConnectionStatus } from "./bindings/ConnectionStatus";
import type { LinkEvent } from "./bindings/LinkEvent";
import type { MyOrg } from "./bindings/MyOrg";
import type { Snapshot } from "./bindings/Snapshot";
import type { VaultStatus } from "./bindings/VaultStatus";
import { describeError, isOfflineError, isUiError } from "./errors";
import { isAccountScreen, permissionSet, type Permissions } from "./permissions";
import { ToastTimers, toastLifetime } from "./toasts";
import type { User } from "./bindings/User";
import { resolveLink } from "./links";
import type { Link } from "./bindings/Link";
import type { UpdateStatus } from "./bindings/UpdateStatus";

export type ScreenId =
  | "members"
  | "invitations"
  | "roles"
  | "settings"
  | "api-keys"
  | "webhooks"
  | "teams"
  | "customers"
  | "audit"
  | "across"
  | "my-invitations"
  | "account";
const SCREEN_IDS: readonly string[] = ["members", "invitations", "roles", "settings", "api-keys", "webhooks", "teams", "customers", "audit", "across", "my-invitations", "account"];

export interface Toast {
  id: number;
  text: string;
  kind: "info" | "error";
  /** A button in the toast, e.g. Undo. */
  action?: { label: string; run: () => void | Promise<void> };
}

class AppStore {
  ready = $state(false);
  accounts = $state<AccountSummary[]>([]);
  activeAccount = $state<AccountSummary | null>(null);
  vault = $state<VaultStatus | null>(null);
  suggestedServerUrl = $state<string | null>(null);
  orgs = $state.raw<MyOrg[]>([]);
  orgsLoaded = $state(false);
  /** Why the org list could not be loaded when there was no cache to show. */
  orgsError = $state<string | null>(null);
  currentOrgId = $state<string | null>(null);
  screen = $state<ScreenId>("members");
  connection = $state<ConnectionStatus>({ online: true, last_sync_at: null, last_error: null, stream: "off" });
  /** Native notifications (answered invitations, invitations to me); on by default. */
  notifications = $state(true);
  /** Stops the org list's view channel. */
  private stopOrgs: (() => void) | null = null;
  toasts = $state<Toast[]>([]);
  private toastTimers = new ToastTimers();
  paletteOpen = $state(false);
  pendingInviteToken = $state<string | null>(null);
  /** A password reset link to open in the reset form (from `orgdesk://reset/…`). */
  resetLink = $state<string | null>(null);
  /** An orgdesk://o/… link waiting for the org list (or a sign-in) to be opened. */
  private pendingLink: LinkEvent | null = null;
  private linkReceived = false;
  keepInTray = $state(false);
  /** The last error messages shown, for "Copy diagnostics". */
  recentErrors: string[] = [];
  addingAccount = $state(false);
  /** Set by the palette's "find a person"; read by the Across screen. */
  personQuery = $state("");
  /** What a screen's unsaved edits are (e.g. "permission changes to 2 roles"); navigation asks before dropping them. */
  unsaved = $state<string | null>(null);
  /** A navigation waiting for the person to agree to drop the unsaved edits. */
  pendingLeave = $state<(() => void) | null>(null);
  shortcutsOpen = $state(false);
  /** The signed-in person's profile, when the server could be asked (for the verification banner and the account screen). */
  me = $state<User | null>(null);

  currentOrg = $derived(this.orgs.find((org) => org.id === this.currentOrgId) ?? null);
  permissions: Permissions = $derived(permissionSet(this.currentOrg?.permissions));
  online = $derived(this.connection.online);

  async load(): Promise<void> {
    try {
      const state = await api.appState();
      this.accounts = state.accounts;
      this.vault = state.vault;
      this.suggestedServerUrl = state.suggested_server_url;
      this.keepInTray = state.keep_in_tray;
      this.notifications = state.notifications;
      this.activeAccount = state.accounts.find((a) => a.id === state.active) ?? null;
      // Open again where the app was; the role check in App.svelte still applies.
      // A link that started the app (it may arrive first) decides instead.
      if (!this.linkReceived && state.last_screen && SCREEN_IDS.includes(state.last_screen)) this.screen = state.last_screen as ScreenId;
      // e.g. "the cache could not be read and was rebuilt"
      for (const notice of state.cache_notices) this.toast(notice.message, "error");
    } catch (error) {
      this.toast(describeError(error), "error");
    }
    this.ready = true;
    if (this.activeAccount) await this.openAccount(this.activeAccount);
  }

  async openAccount(account: AccountSummary): Promise<void> {
    this.activeAccount = account;
    this.addingAccount = false;
    this.orgs = [];
    this.orgsLoaded = false;
    this.orgsError = null;
    this.currentOrgId = null;
    this.me = null;
    forgetFirstWindows();
    // The org it opens with: its top rows are asked for while the org list is.
    const first = account.last_org_id;
    if (first && this.screen === "members") prefetchFirstWindow(first, () => api.memberWindow(first, DEFAULT_VIEW, 0, CHUNK));
    this.loadMe();
    await this.loadOrgs(account.last_org_id);
  }

  /**
   * The signed-in person's profile as the server just answered it; the
   * account list (switcher, account menu) follows a changed name or address.
   */
  setMe(me: User): void {
    this.me = me;
    const account = this.activeAccount;
    if (!account || account.user_id !== me.id) return;
    if (account.email === me.email && account.name === me.name) return;
    const updated = { ...account, email: me.email, name: me.name };
    this.activeAccount = updated;
    this.accounts = this.accounts.map((a) => (a.id === updated.id ? updated : a));
  }

  /** Asks the server who is signed in (offline: stays unknown, the banner waits). */
  async loadMe(): Promise<void> {
    const account = this.activeAccount;
    try {
      const me = await api.myProfile();
      if (this.activeAccount?.id === account?.id) this.setMe(me);
    } catch {
      // Offline or signed out: the org list says so.
    }
  }

  /**
   * Watches a view for a screen: its status messages drive the offline
   * banner and failures are noted (toast, or the banner when offline)
   * unless the screen handles them. Answers the function that stops it.
   */
  watch<T>(start: (channel: Channel<ViewEvent<T>>) => Promise<number>, handlers: ViewHandlers<T>): () => void {
    return watchView<T>(
      start,
      { status: (status) => this.setConnection(status), failed: (error) => this.noteFailure(error), ...handlers },
      { makeChannel: channel, unwatch: api.unwatch },
    );
  }

  /**
   * The org list's view: the cached list at once, the fresh one, every
   * change, and the connection status. Resolves once the server answered
   * (or could not be asked); the view goes on after that.
   */
  loadOrgs(preferredOrgId: string | null = this.currentOrgId): Promise<void> {
    this.stopOrgs?.();
    let preferred = preferredOrgId;
    return new Promise((answered) => {
      this.stopOrgs = this.watch<MyOrg[]>(api.watchOrgs, {
        data: (snapshot) => {
          this.applyOrgs(snapshot, preferred);
          preferred = null;
          this.openPendingLink();
          api.refreshTray().catch(() => {});
          if (snapshot.source === "network") answered();
        },
        failed: (error) => {
          // Without a cached list there is nothing to show: say why instead of "Loading…".
          if (!this.orgsLoaded) this.orgsError = describeError(error);
          this.noteFailure(error);
          answered();
        },
      });
    });
  }

  /** The live stream moved the connection status (every view's channel carries it). */
  setConnection(status: ConnectionStatus): void {
    this.connection = status;
  }

  async refreshOrgs(preferredOrgId: string | null = this.currentOrgId): Promise<void> {
    try {
      this.applyOrgs(await api.refreshOrgs(), preferredOrgId);
    } catch (error) {
      // Without a cached list there is nothing to show: say why instead of "Loading…".
      if (!this.orgsLoaded) this.orgsError = describeError(error);
      this.noteFailure(error);
    }
    await this.refreshConnection();
    this.openPendingLink();
    api.refreshTray().catch(() => {});
  }

  /** Closing the window keeps the app in the tray (off by default). */
  async setKeepInTray(on: boolean): Promise<void> {
    try {
      await api.setKeepInTray(on);
      this.keepInTray = on;
      this.toast(on ? "Closing the window now keeps Orgdesk in the tray." : "Closing the window now quits Orgdesk.");
    } catch (error) {
      this.toast(describeError(error), "error");
    }
  }

  /** What the updater last said (App.svelte subscribes at start); null until it has. */
  update = $state<UpdateStatus | null>(null);
  /** "Not now" on an offered version hides the banner until another version is offered. */
  updateDismissed = $state<string | null>(null);

  /** "Check for updates" (banner, palette). */
  async checkForUpdate(): Promise<void> {
    try {
      this.update = await api.checkForUpdate();
      if (this.update.state === "up_to_date") this.toast(`Orgdesk ${this.update.version} is the newest version.`);
      if (this.update.state === "off") this.toast(this.update.reason);
      if (this.update.state === "failed" && this.update.version === null) this.toast(this.update.message, "error");
    } catch (error) {
      this.toast(describeError(error), "error");
    }
  }

  /** "Install update": download, check the signature, install. */
  async installUpdate(): Promise<void> {
    try {
      this.update = await api.installUpdate();
    } catch (error) {
      this.toast(describeError(error), "error");
    }
  }

  /** The diagnostics shown for copying (App.svelte's dialog), or null. */
  diagnosticsText = $state<string | null>(null);

  /** "Copy diagnostics" (sidebar, palette): versions, OS, server, last problems, for support. */
  async copyDiagnostics(): Promise<void> {
    try {
      this.diagnosticsText = await api.diagnostics(this.recentErrors);
    } catch (error) {
      this.toast(describeError(error), "error");
    }
  }

  /** An orgdesk:// link from Rust: invitations open at once, org links once the org list is known. */
  receiveLink(event: LinkEvent): void {
    this.linkReceived = true;
    if (event.event === "open" && event.link.kind === "invite") {
      this.pendingInviteToken = event.link.token;
      this.go("my-invitations");
      return;
    }
    if (event.event === "open" && this.receiveAccountLink(event.link)) return;
    this.pendingLink = event;
    if (event.event === "refused" || (this.activeAccount && this.orgsLoaded)) this.openPendingLink();
    else if (!this.activeAccount) this.toast("Sign in to open the link.");
  }

  /** The links of the account's emails and of a provider sign-in; false for the others. */
  private receiveAccountLink(link: Link): boolean {
    switch (link.kind) {
      case "reset":
        // The reset form, on the sign-in screen (next to any account already signed in).
        this.resetLink = link.token;
        this.addingAccount = true;
        return true;
      case "verify":
      case "email_change": {
        if (!this.activeAccount) {
          this.toast("Sign in to the account first, then open the link again.", "error");
          return true;
        }
        const confirm = link.kind === "verify" ? api.verifyEmail(link.token) : api.confirmEmailChange(link.token);
        confirm
          .then((me) => {
            this.setMe(me);
            this.toast(link.kind === "verify" ? `Confirmed ${me.email}.` : `Your address is now ${me.email}.`);
          })
          .catch((error) => this.toast(describeError(error), "error"));
        return true;
      }
      case "auth_callback":
        if (link.code) this.finishProviderSignIn(link.code);
        else this.toast(`The sign-in did not finish: ${link.error ?? "the provider refused it"}.`, "error");
        return true;
      default:
        return false;
    }
  }

  private openPendingLink(): void {
    const event = this.pendingLink;
    if (!event) return;
    if (event.event === "open" && !(this.activeAccount && this.orgsLoaded)) return;
    this.pendingLink = null;
    const action = resolveLink(event, this.orgs, this.activeAccount?.email ?? "this account");
    if (action.kind === "tell") this.toast(action.message, "error");
    else if (action.kind === "open-org") {
      this.leave(() => {
        this.selectOrg(action.orgId);
        this.screen = action.screen;
      });
      if (action.notice) this.toast(action.notice);
    }
  }

  private applyOrgs(snapshot: Snapshot<MyOrg[]>, preferredOrgId: string | null): void {
    this.orgs = snapshot.data;
    this.orgsLoaded = true;
    this.orgsError = null;
    const keep = this.orgs.find((o) => o.id === (this.currentOrgId ?? preferredOrgId));
    if (!keep && this.orgs.length > 0) this.selectOrg(this.orgs[0].id);
    else if (keep && this.currentOrgId !== keep.id) this.selectOrg(keep.id);
  }

  /** Runs `go` now, or once the person agrees to lose the unsaved edits. */
  leave(go: () => void): void {
    if (this.unsaved) this.pendingLeave = go;
    else go();
  }

  discardAndLeave(): void {
    const go = this.pendingLeave;
    this.unsaved = null;
    this.pendingLeave = null;
    go?.();
  }

  /** Shows `screen` (after asking, when edits would be lost). */
  go(screen: ScreenId): void {
    if (screen !== this.screen) this.leave(() => (this.screen = screen));
  }

  /** Opens an org from the sidebar, palette or Ctrl+1…9; the cross-org screens give way to its members. */
  openOrg(orgId: string): void {
    if (orgId === this.currentOrgId && !isAccountScreen(this.screen)) return;
    this.leave(() => {
      this.selectOrg(orgId);
      if (isAccountScreen(this.screen)) this.screen = "members";
    });
  }

  selectOrg(orgId: string): void {
    if (this.currentOrgId === orgId) return;
    this.currentOrgId = orgId;
    api.rememberOrg(orgId).catch(() => {});
  }

  /** Ctrl+1…9: the n-th org as the sidebar lists it. */
  selectOrgByPosition(position: number): void {
    const org = this.orgs[position - 1];
    if (org) this.openOrg(org.id);
  }

  /** Native notifications on or off (kept with the app's settings). */
  async setNotifications(on: boolean): Promise<void> {
    try {
      await api.setNotifications(on);
      this.notifications = on;
      this.toast(on ? "Notifications are on." : "Notifications are off.");
    } catch (error) {
      this.toast(describeError(error), "error");
    }
  }

  async refreshConnection(): Promise<void> {
    try {
      this.connection = await api.connectionStatus();
    } catch {
      // Not signed in: nothing to show.
    }
  }

  /** Call after any failed command: offline errors flip the banner. */
  noteFailure(error: unknown): void {
    if (isUiError(error) && (error.code === "session_revoked" || error.code === "not_signed_in")) {
      this.toast(describeError(error), "error");
      this.stopOrgs?.();
      this.stopOrgs = null;
      this.activeAccount = null;
      this.orgs = [];
      this.currentOrgId = null;
      forgetFirstWindows();
      api.appState().then((state) => (this.accounts = state.accounts)).catch(() => {});
    } else if (isOfflineError(error)) {
      this.connection = { ...this.connection, online: false };
      this.refreshConnection();
    } else {
      this.toast(describeError(error), "error");
    }
  }

  toast(text: string, kind: Toast["kind"] = "info", action?: Toast["action"]): void {
    const id = Date.now() + Math.random();
    if (kind === "error") this.recentErrors = [...this.recentErrors, `${new Date().toISOString()} ${text}`].slice(-20);
    // At most three at once, so they never hide the screen they talk about.
    this.toasts = [...this.toasts, { id, text, kind, action }].slice(-3);
    // Long enough to read; one with an Undo longer, so there is time to reach it by
    // keyboard; held while the pointer or the focus is on the toasts.
    this.toastTimers.start(id, toastLifetime(text, kind, !!action), () => this.dismissToast(id));
  }

  /** Pointer over, or focus in, the toasts: none of them goes until released. */
  holdToasts(held: boolean): void {
    this.toastTimers.hold(held);
  }

  /** Ctrl+Z: runs the Undo of the newest toast that offers one. */
  undoLatest(): boolean {
    const toast = [...this.toasts].reverse().find((t) => t.action);
    if (!toast?.action) return false;
    this.dismissToast(toast.id);
    toast.action.run();
    return true;
  }

  dismissToast(id: number): void {
    this.toastTimers.stop(id);
    this.toasts = this.toasts.filter((t) => t.id !== id);
    // The last one gone: nothing is left to point at (no pointerleave follows).
    if (this.toasts.length === 0) this.toastTimers.hold(false);
  }

  async signedIn(account: AccountSummary): Promise<void> {
    const state = await api.appState();
    this.accounts = state.accounts;
    this.vault = state.vault;
    this.connection = { online: true, last_sync_at: null, last_error: null, stream: "off" };
    await this.openAccount(account);
  }

  /** The provider round trip came back (`orgdesk://auth/callback?code=…`): redeem it and open the account. */
  async finishProviderSignIn(code: string): Promise<void> {
    try {
      const account = await api.finishProviderSignIn(code);
      // The invitation went with the round trip (the server accepted it): nothing is left to accept here.
      this.pendingInviteToken = null;
      await this.signedIn(account);
    } catch (error) {
      this.toast(describeError(error), "error");
    }
  }

  async switchTo(accountId: string): Promise<void> {
    if (this.unsaved) {
      this.leave(() => this.switchTo(accountId));
      return;
    }
    // The other account's orgs are not shown as this one's while it opens.
    this.stopOrgs?.();
    this.stopOrgs = null;
    this.orgs = [];
    this.orgsLoaded = false;
    try {
      await this.openAccount(await api.switchAccount(accountId));
    } catch (error) {
      this.toast(describeError(error), "error");
      if (this.activeAccount) this.loadOrgs();
    }
  }

  async signOut(): Promise<void> {
    if (!this.activeAccount) return;
    if (this.unsaved) {
      this.leave(() => this.signOut());
      return;
    }
    try {
      await api.signOut(this.activeAccount.id);
    } catch (error) {
      this.toast(describeError(error), "error");
    }
    this.stopOrgs?.();
    this.stopOrgs = null;
    this.activeAccount = null;
    this.orgs = [];
    this.currentOrgId = null;
    forgetFirstWindows();
    const state = await api.appState();
    this.accounts = state.accounts;
  }
}

export const app = new AppStore();
