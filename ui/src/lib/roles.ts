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

/**
 * Why `key` cannot be a custom role's key, in words, or null when it can:
 * the rule of `validate::role_key` in core (the server checks it too), plus
 * keys this org already has.
 */
export function roleKeyProblem(key: string, taken: readonly string[] = []): string | null {
  const k = key.trim();
  if (!k) return "Give the role a key, e.g. support-agent.";
  if (BUILTIN_ROLES.some((r) => r.key === k)) return `“${k}” is a built-in role; choose another key.`;
  if (taken.includes(k)) return `This organization already has a role “${k}”.`;
  if (/[A-Z]/.test(k)) return `Use lowercase letters only: “${k.toLowerCase()}”.`;
  if (/\s/.test(k)) return "No spaces: join words with - or _, e.g. support-agent.";
  if (k.length < 2 || k.length > 32) return `A role key is 2–32 characters; this one has ${k.length}.`;
  if (!/^[a-z]/.test(k)) return "Start the key with a letter.";
  if (!/^[a-z][a-z0-9_-]*$/.test(k)) return "Use only lowercase letters, digits, - and _.";
  return null;
}

/**
 * What moving from role `from` to role `to` takes away: the permissions of
 * `from` that `to` lacks (empty when it is not a demotion). Unknown roles
 * (not loaded yet) take nothing away, so no warning is invented.
 */
export function permissionsLost(roles: readonly Role[] | null, from: string, to: string): string[] {
  const before = roles?.find((r) => r.key === from)?.permissions;
  const after = roles?.find((r) => r.key === to)?.permissions;
  if (!before || !after) return [];
  return before.filter((p) => !after.includes(p));
}
