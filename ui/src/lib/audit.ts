// One line per audit event for people (the member pane's activity list):
// who did what, with the change's fields when it has some.
import type { AuditEvent } from "./bindings/AuditEvent";

/** `member.role_changed` → "member role changed". */
export function actionWords(action: string): string {
  return action.replace(/[._]/g, " ");
}

function changeWords(event: AuditEvent): string {
  const after = event.after;
  if (!after || typeof after !== "object" || Array.isArray(after)) return "";
  const before = event.before && typeof event.before === "object" && !Array.isArray(event.before) ? event.before : {};
  const parts = Object.entries(after).map(([key, value]) => {
    const was = (before as Record<string, unknown>)[key];
    const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
    return was === undefined ? `${key} ${show(value)}` : `${key} ${show(was)} → ${show(value)}`;
  });
  return parts.join(", ").slice(0, 120);
}

export function describeAudit(event: AuditEvent): string {
  const who = event.actor_name ?? "The system";
  const change = changeWords(event);
  return `${who}: ${actionWords(event.action)}${change ? ` (${change})` : ""}`;
}
