import { describe, expect, it } from "vitest";
import {
  allowedScreen,
  invitationControls,
  memberControls,
  offlineReason,
  permissionSet,
  rowControls,
  visibleScreens,
} from "./permissions";

// The built-in roles' permissions as DESIGN.md's table lists them.
const admin = permissionSet([
  "org:read", "org:update", "members:read", "members:invite", "members:update",
  "members:remove", "invitations:read", "invitations:revoke", "roles:manage",
  "audit:read", "billing:read",
]);
const member = permissionSet(["org:read", "members:read"]);
const viewer = permissionSet(["org:read", "members:read", "audit:read"]);

describe("member controls", () => {
  it("gives an admin every member action", () => {
    expect(memberControls(admin)).toEqual({
      changeRole: true, toggleStatus: true, remove: true, bulk: true, invite: true, exportCsv: true,
    });
  });
  it("gives a plain member the list only", () => {
    const controls = memberControls(member);
    expect(controls.changeRole || controls.toggleStatus || controls.remove || controls.bulk).toBe(false);
    expect(controls.invite).toBe(false);
    expect(controls.exportCsv).toBe(true);
  });
  it("never offers to touch the owner's row or to remove myself", () => {
    const controls = memberControls(admin);
    expect(rowControls(controls, "owner", false)).toEqual({ changeRole: false, toggleStatus: false, remove: false });
    expect(rowControls(controls, "admin", true).remove).toBe(false);
    expect(rowControls(controls, "member", false)).toEqual({ changeRole: true, toggleStatus: true, remove: true });
  });
});

describe("invitation controls", () => {
  it("hides invitations from a member entirely", () => {
    expect(invitationControls(member)).toEqual({ view: false, invite: false, resend: false, cancel: false });
  });
  it("lets an admin invite, resend and cancel", () => {
    expect(invitationControls(admin)).toEqual({ view: true, invite: true, resend: true, cancel: true });
  });
});

describe("screens", () => {
  it("shows the audit log to a viewer but not invitations", () => {
    const ids = visibleScreens(viewer).map((s) => s.id);
    expect(ids).toContain("audit");
    expect(ids).not.toContain("invitations");
  });
  it("shows API keys and webhooks, under settings, only with their permissions", () => {
    const ids = (perms: string[]) => visibleScreens(permissionSet(["org:read", ...perms])).map((s) => s.id);
    expect(ids([])).toEqual(["roles", "settings"]);
    expect(ids(["api_keys:manage"])).toEqual(["roles", "settings", "api-keys"]);
    expect(ids(["webhooks:manage"])).toEqual(["roles", "settings", "webhooks"]);
    expect(visibleScreens(permissionSet(["api_keys:manage"])).find((s) => s.id === "api-keys")?.under).toBe("settings");
    expect(allowedScreen("webhooks", permissionSet(["org:read", "members:read"]))).toBe("members");
  });
  it("shows teams to whoever reads members and customers only with partners:manage", () => {
    const ids = (perms: string[]) => visibleScreens(permissionSet(perms)).map((s) => s.id);
    expect(ids(["members:read"])).toEqual(["members", "teams"]);
    expect(ids(["members:read", "partners:manage"])).toEqual(["members", "teams", "customers"]);
    expect(allowedScreen("customers", permissionSet(["members:read"]))).toBe("members");
  });
});

describe("offlineReason", () => {
  it("is null online and a sentence offline", () => {
    expect(offlineReason(true, null)).toBeNull();
    expect(offlineReason(false, null)).toBe("Offline — needs the server");
    expect(offlineReason(false, "2026-11-23T12:00:00Z")).toMatch(/^Offline — needs the server \(last synced /);
  });
});

describe("allowedScreen", () => {
  it("keeps a screen the role allows", () => {
    expect(allowedScreen("audit", admin)).toBe("audit");
  });
  it("falls back to the first allowed org screen when the role cannot open it", () => {
    expect(allowedScreen("audit", member)).toBe("members");
    expect(allowedScreen("invitations", member)).toBe("members");
  });
  it("falls back to the account's own invitations when no org screen is allowed", () => {
    expect(allowedScreen("members", permissionSet([]))).toBe("my-invitations");
  });
  it("always allows the cross-org screens", () => {
    expect(allowedScreen("across", permissionSet([]))).toBe("across");
    expect(allowedScreen("my-invitations", member)).toBe("my-invitations");
    expect(allowedScreen("account", permissionSet([]))).toBe("account");
  });
});
