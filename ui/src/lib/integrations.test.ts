import { describe, expect, it } from "vitest";
import {
  EVENT_TYPES, attemptSummary, chosenEventTypes, deliveryLabel, eventTypesLabel, eventTypesProblem, expiryAt,
  grantablePermissions, keyNameProblem, keyState, liveKeys, revokeOffer, scopeProblem, webhookUrlProblem,
} from "./integrations";

const NOW = Date.parse("2026-12-01T12:00:00Z");

describe("API keys", () => {
  it("offers only the permissions the creator holds", () => {
    const catalog = [
      { key: "org:read", description: "" },
      { key: "members:read", description: "" },
      { key: "org:delete", description: "" },
    ] as never;
    const got = grantablePermissions(catalog, new Set(["org:read", "members:read", "app:*"]));
    expect(got.map((p) => p.key)).toEqual(["org:read", "members:read"]);
  });

  it("names and scopes are checked", () => {
    expect(keyNameProblem("  ")).toMatch(/Name the key/);
    expect(keyNameProblem("x".repeat(101))).toMatch(/101/);
    expect(keyNameProblem("CI")).toBeNull();
    expect(scopeProblem([])).toMatch(/at least one/);
    expect(scopeProblem(["org:read"])).toBeNull();
  });

  it("turns an expiry choice into a time, or says why not", () => {
    expect(expiryAt("never", "", NOW)).toEqual({ at: null, problem: null });
    expect(expiryAt("30", "", NOW).at).toBe("2026-12-31T12:00:00.000Z");
    expect(expiryAt("date", "", NOW).problem).toMatch(/Choose the day/);
    expect(expiryAt("date", "2020-01-01", NOW).problem).toMatch(/future/);
    const later = expiryAt("date", "2027-03-04", NOW);
    expect(later.problem).toBeNull();
    expect(new Date(later.at!).getDate()).toBe(4);
  });

  it("tells active, expired and revoked keys apart", () => {
    expect(keyState({ revoked_at: null, expires_at: null }, NOW)).toBe("active");
    expect(keyState({ revoked_at: null, expires_at: "2026-11-30T00:00:00Z" }, NOW)).toBe("expired");
    expect(keyState({ revoked_at: "2026-11-01T00:00:00Z", expires_at: null }, NOW)).toBe("revoked");
    const keys = [
      { name: "a", revoked_at: null, expires_at: null },
      { name: "b", revoked_at: "2026-11-01T00:00:00Z", expires_at: null },
    ];
    expect(liveKeys(keys, NOW).map((k) => k.name)).toEqual(["a"]);
  });

  it("words the offer to revoke a member's keys", () => {
    expect(revokeOffer([{ name: "CI" }])).toBe("Also revoke the API key they created (CI)");
    expect(revokeOffer([{ name: "CI" }, { name: "Backups" }])).toBe("Also revoke the 2 API keys they created (CI, Backups)");
  });
});

describe("webhooks", () => {
  it("sends all types as * and a choice in catalog order", () => {
    expect(chosenEventTypes(true, new Set(["member.added"]))).toEqual(["*"]);
    expect(chosenEventTypes(false, new Set(["member.removed", "member.added"]))).toEqual(["member.added", "member.removed"]);
    expect(eventTypesProblem(false, new Set())).toMatch(/at least one/);
    expect(eventTypesProblem(true, new Set())).toBeNull();
    expect(EVENT_TYPES).toHaveLength(31);
  });

  it("labels event type lists", () => {
    expect(eventTypesLabel(["*"])).toBe("All events");
    expect(eventTypesLabel(["a", "b"])).toBe("a, b");
    expect(eventTypesLabel(["a", "b", "c", "d", "e"])).toBe("a, b, c + 2 more");
  });

  it("checks receiver URLs", () => {
    expect(webhookUrlProblem("")).toMatch(/URL/);
    expect(webhookUrlProblem("example.com/hook")).toMatch(/not a URL/);
    expect(webhookUrlProblem("ftp://example.com/")).toMatch(/https/);
    expect(webhookUrlProblem("https://u:p@example.com/")).toMatch(/credentials/);
    expect(webhookUrlProblem("https://example.com/hook")).toBeNull();
  });

  it("summarises attempts and deliveries", () => {
    const a = { attempt: 1, at: "", status_code: 200, duration_ms: 35, error: null, response_excerpt: "ok" };
    expect(attemptSummary(a)).toBe("200 · 35 ms");
    expect(attemptSummary({ ...a, status_code: null, error: "timed out", duration_ms: 10000 })).toBe("timed out · 10000 ms");
    expect(deliveryLabel({ status: "delivered", attempts: 1 })).toBe("Delivered (1 attempt)");
    expect(deliveryLabel({ status: "pending", attempts: 0 })).toBe("Queued");
    expect(deliveryLabel({ status: "pending", attempts: 3 })).toBe("Retrying (3 attempts)");
    expect(deliveryLabel({ status: "failed", attempts: 17 })).toBe("Gave up (17 attempts)");
  });
});
