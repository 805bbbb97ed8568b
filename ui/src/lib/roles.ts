// The role choices offered in member and invitation controls.
import type { Role } from "./bindings/Role";

export interface RoleChoice {
  key: string;
  name: string;
}

/** Built-in roles, used until the org's role list has loaded. */
export const BUILTIN_ROLES: readonly RoleChoice[] = [
  { key: "owner", name: "Owner" },
  { key: "admin", name: "Admin" },
  { key: "member", name: "Member" },
  { key: "billing", name: "Billing" },
  { key: "viewer", name: "Viewer" },
];

/**
 * Roles I may hand out: never owner (ownership moves by transfer), and only
 * roles whose permissions I hold myself (the server enforces this too).
 */
export function assignableRoles(roles: readonly Role[] | null, mine: ReadonlySet<string>): RoleChoice[] {
  if (!roles) return BUILTIN_ROLES.filter((r) => r.key !== "owner");
  return roles
    .filter((r) => r.key !== "owner" && r.permissions.every((p) => mine.has(p)))
    .map((r) => ({ key: r.key, name: r.name }));
}

export function roleName(roles: readonly RoleChoice[], key: string): string {
  return roles.find((r) => r.key === key)?.name ?? BUILTIN_ROLES.find((r) => r.key === key)?.name ?? key;
}
