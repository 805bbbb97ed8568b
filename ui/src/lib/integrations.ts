// The rules of the API keys and Webhooks screens, kept free of the DOM so
// they can be unit tested. The server decides; these only explain early.
import type { ApiKey } from "./bindings/ApiKey";
import type { PermissionInfo } from "./bindings/PermissionInfo";
import type { WebhookAttempt } from "./bindings/WebhookAttempt";
import type { WebhookDelivery } from "./bindings/WebhookDelivery";

const DAY = 24 * 60 * 60 * 1000;

/** The catalog permissions a new key may carry: those I hold myself (the escalation rule). */
export function grantablePermissions(catalog: readonly PermissionInfo[], mine: ReadonlySet<string>): PermissionInfo[] {
  return catalog.filter((p) => mine.has(p.key));
}

export function keyNameProblem(name: string): string | null {
  const n = name.trim();
  if (!n) return "Name the key, e.g. “CI deploys”.";
  if ([...n].length > 100) return `A key name has at most 100 characters; this one has ${[...n].length}.`;
  return null;
}

export function scopeProblem(chosen: readonly string[]): string | null {
  return chosen.length ? null : "Give the key at least one permission, e.g. members:read.";
}

export type ExpiryChoice = "never" | "30" | "90" | "365" | "date";

export const EXPIRY_CHOICES: readonly { id: ExpiryChoice; label: string }[] = [
  { id: "never", label: "Never" },
  { id: "30", label: "In 30 days" },
  { id: "90", label: "In 90 days" },
  { id: "365", label: "In a year" },
  { id: "date", label: "On a date…" },
];

/**
 * The expiry to send for a choice (RFC 3339, or null for none), or why it
 * cannot be sent. `date` is a `YYYY-MM-DD` from a date input: the key
 * expires at the end of that day, local time.
 */
export function expiryAt(choice: ExpiryChoice, date: string, now: number): { at: string | null; problem: string | null } {
  if (choice === "never") return { at: null, problem: null };
  if (choice !== "date") return { at: new Date(now + Number(choice) * DAY).toISOString(), problem: null };
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  if (!match) return { at: null, problem: "Choose the day the key stops working." };
  const end = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 23, 59, 59);
  if (Number.isNaN(end.getTime())) return { at: null, problem: "Choose the day the key stops working." };
  if (end.getTime() <= now) return { at: null, problem: "The expiry must be in the future." };
  return { at: end.toISOString(), problem: null };
}

export type KeyState = "active" | "expired" | "revoked";

export function keyState(key: Pick<ApiKey, "revoked_at" | "expires_at">, now: number): KeyState {
  if (key.revoked_at) return "revoked";
  if (key.expires_at && Date.parse(key.expires_at) <= now) return "expired";
  return "active";
}

/** The keys that still work: what removing or disabling their creator would leave behind. */
export function liveKeys<K extends Pick<ApiKey, "revoked_at" | "expires_at">>(keys: readonly K[], now: number): K[] {
  return keys.filter((k) => keyState(k, now) === "active");
}

/** "Revoke their 2 API keys too (CI, Backups)". */
export function revokeOffer(keys: readonly Pick<ApiKey, "name">[]): string {
  const names = keys.map((k) => k.name).join(", ");
  return keys.length === 1 ? `Also revoke the API key they created (${names})` : `Also revoke the ${keys.length} API keys they created (${names})`;
}

/** Every event type a webhook can take, with the permission a reader of it needs. */
export const EVENT_TYPES: readonly { type: string; group: string }[] = [
  { type: "member.added", group: "Members" },
  { type: "member.updated", group: "Members" },
  { type: "member.disabled", group: "Members" },
  { type: "member.enabled", group: "Members" },
  { type: "member.removed", group: "Members" },
  { type: "invitation.created", group: "Invitations" },
  { type: "invitation.resent", group: "Invitations" },
  { type: "invitation.revoked", group: "Invitations" },
  { type: "invitation.accepted", group: "Invitations" },
  { type: "invitation.declined", group: "Invitations" },
  { type: "invitation.expired", group: "Invitations" },
  { type: "role.created", group: "Roles" },
  { type: "role.updated", group: "Roles" },
  { type: "role.deleted", group: "Roles" },
  { type: "org.updated", group: "Organization" },
  { type: "org.ownership_transferred", group: "Organization" },
  { type: "org.deleted", group: "Organization" },
  { type: "api_key.created", group: "API keys" },
  { type: "api_key.revoked", group: "API keys" },
  { type: "team.created", group: "Teams" },
  { type: "team.updated", group: "Teams" },
  { type: "team.deleted", group: "Teams" },
  { type: "team.member_added", group: "Teams" },
  { type: "team.member_removed", group: "Teams" },
  { type: "partner_relationship.requested", group: "Partners" },
  { type: "partner_relationship.accepted", group: "Partners" },
  { type: "partner_relationship.renewed", group: "Partners" },
  { type: "partner_relationship.ended", group: "Partners" },
  { type: "partner_relationship.expired", group: "Partners" },
  { type: "partner_relationship.assignments_changed", group: "Partners" },
  { type: "partner_relationship.handed_off", group: "Partners" },
];

export const EVENT_GROUPS: readonly string[] = [...new Set(EVENT_TYPES.map((e) => e.group))];

/** The event types to send for a picker state: every type is sent as `["*"]` (new types included). */
export function chosenEventTypes(all: boolean, chosen: ReadonlySet<string>): string[] {
  if (all) return ["*"];
  return EVENT_TYPES.map((e) => e.type).filter((t) => chosen.has(t));
}

export function eventTypesProblem(all: boolean, chosen: ReadonlySet<string>): string | null {
  return all || chosen.size > 0 ? null : "Choose at least one event type, or all of them.";
}

/** "All events" or "member.added, member.removed" (at most three, then "+ 4 more"). */
export function eventTypesLabel(types: readonly string[]): string {
  if (types.includes("*")) return "All events";
  if (types.length <= 3) return types.join(", ");
  return `${types.slice(0, 3).join(", ")} + ${types.length - 3} more`;
}

/** Why a receiver URL cannot be saved, or null (the server also refuses private addresses). */
export function webhookUrlProblem(url: string): string | null {
  const u = url.trim();
  if (!u) return "Give the receiver's URL, e.g. https://example.com/orgdesk/webhooks.";
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    return "That is not a URL; start it with https://.";
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return "Use an https:// URL.";
  if (parsed.username || parsed.password) return "Leave credentials out of the URL; verify deliveries by their signature.";
  return null;
}

/** "200 · 35 ms", "timed out · 10000 ms", "500 · 12 ms". */
export function attemptSummary(a: WebhookAttempt): string {
  const outcome = a.status_code !== null ? String(a.status_code) : (a.error ?? "no answer");
  return `${outcome} · ${a.duration_ms} ms`;
}

/** The delivery's state in words, with its attempt count. */
export function deliveryLabel(d: Pick<WebhookDelivery, "status" | "attempts">): string {
  const tries = d.attempts === 1 ? "1 attempt" : `${d.attempts} attempts`;
  if (d.status === "delivered") return `Delivered (${tries})`;
  if (d.status === "failed") return `Gave up (${tries})`;
  return d.attempts === 0 ? "Queued" : `Retrying (${tries})`;
}
