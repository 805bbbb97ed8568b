import { describe, expect, it } from "vitest";
import { describeAudit } from "./audit";
import type { AuditEvent } from "./bindings/AuditEvent";

const event = (over: Partial<AuditEvent>): AuditEvent => ({
  id: "e1", org_id: "o1", actor_id: "u1", actor_name: "Avery Agency", action: "member.role_changed",
  target: "u2", before: null, after: null, at: "2026-12-01T10:00:00Z", ip: null, user_agent: null, ...over,
});

describe("describeAudit", () => {
  it("names the actor, the action and the change", () => {
    expect(describeAudit(event({ before: { role: "member" }, after: { role: "viewer" } })))
      .toBe("Avery Agency: member role changed (role member → viewer)");
  });
  it("reads without a change or an actor", () => {
    expect(describeAudit(event({ actor_name: null, action: "invitation.expired" }))).toBe("The system: invitation expired");
    expect(describeAudit(event({ after: { status: "disabled" } }))).toBe("Avery Agency: member role changed (status disabled)");
  });
});
