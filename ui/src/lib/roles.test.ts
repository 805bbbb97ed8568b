import { describe, expect, it } from "vitest";
import type { Role } from "./bindings/Role";
import { assignableRoles, permissionsLost, roleKeyProblem, roleName } from "./roles";

const role = (key: string, permissions: string[]): Role => ({
  key, name: key[0].toUpperCase() + key.slice(1), builtin: true, permissions, member_count: 0n as never,
});

describe("assignableRoles", () => {
  const roles = [
    role("owner", ["org:delete", "org:read"]),
    role("admin", ["org:read", "members:invite"]),
    role("member", ["org:read"]),
    role("agent", ["org:read", "app:tickets"]),
  ];
  it("never offers owner, and only roles within my own permissions", () => {
    const mine = new Set(["org:read", "members:invite"]);
    expect(assignableRoles(roles, mine).map((r) => r.key)).toEqual(["admin", "member"]);
  });
  it("falls back to the built-in roles before the list loads", () => {
    expect(assignableRoles(null, new Set()).map((r) => r.key)).toEqual(["admin", "member", "billing", "viewer"]);
  });
});

describe("roleName", () => {
  it("names custom and built-in keys, and falls back to the key", () => {
    expect(roleName([{ key: "agent", name: "Support agent" }], "agent")).toBe("Support agent");
    expect(roleName([], "viewer")).toBe("Viewer");
    expect(roleName([], "mystery")).toBe("mystery");
  });
});

describe("roleKeyProblem", () => {
  it("accepts keys the server accepts", () => {
    expect(roleKeyProblem("support-agent")).toBeNull();
    expect(roleKeyProblem("l2_agent")).toBeNull();
  });
  it("says in words what is wrong", () => {
    expect(roleKeyProblem("Support Agent")).toMatch(/lowercase/);
    expect(roleKeyProblem("support agent")).toMatch(/No spaces/);
    expect(roleKeyProblem("admin")).toMatch(/built-in/);
    expect(roleKeyProblem("a")).toMatch(/2–32/);
    expect(roleKeyProblem("2fa")).toMatch(/letter/);
    expect(roleKeyProblem("agent!")).toMatch(/only lowercase/);
    expect(roleKeyProblem("")).toMatch(/Give the role a key/);
    expect(roleKeyProblem("agent", ["agent"])).toMatch(/already has/);
  });
});

describe("permissionsLost", () => {
  const roles = [role("admin", ["org:read", "members:read", "members:invite"]), role("member", ["org:read", "members:read"])];
  it("lists what a demotion takes away", () => {
    expect(permissionsLost(roles, "admin", "member")).toEqual(["members:invite"]);
  });
  it("is empty for a promotion or an unknown role", () => {
    expect(permissionsLost(roles, "member", "admin")).toEqual([]);
    expect(permissionsLost(null, "admin", "member")).toEqual([]);
  });
});
