import { describe, expect, it } from "vitest";
import type { Code } from "./bindings/Code";
import { describeError, isOfflineError, messageFor } from "./errors";

describe("messageFor", () => {
  it("has a sentence for every code the Rust side can send", () => {
    // Listing the codes here makes a new Rust code fail this test until the
    // UI words it (the Record<Code, string> type already forces that at compile time).
    const codes: Code[] = [
      "validation_failed", "payload_too_large", "unsupported_media_type", "unauthenticated",
      "invalid_credentials", "email_not_verified", "forbidden", "member_disabled", "role_escalation",
      "owner_protected", "not_found", "slug_taken", "email_taken", "role_exists", "role_in_use",
      "already_member", "already_invited", "invitation_not_pending", "invitation_expired", "invitation_email_mismatch",
      "confirmation_mismatch", "precondition_failed", "rate_limited", "idempotency_key_reused", "idempotency_key_in_progress", "internal", "unavailable",
      "offline", "bad_response", "insecure_url", "session_revoked", "not_signed_in", "keychain",
      "storage", "cancelled",
    ];
    for (const code of codes) expect(messageFor(code)).toMatch(/\w.*[.?]$/);
  });
});

describe("describeError", () => {
  it("chooses the sentence by code, not by the server's text", () => {
    expect(describeError({ code: "role_escalation", message: "admin cannot grant owner" })).toBe(
      "You cannot grant or change a role with more rights than your own.",
    );
  });
  it("adds the server's detail where it helps the person act (validation)", () => {
    expect(describeError({ code: "validation_failed", message: "slug: use lowercase letters" })).toBe(
      "Some of what you entered is not valid. slug: use lowercase letters",
    );
  });
  it("does not crash on something that is not a UiError", () => {
    expect(describeError(new Error("boom"))).toBe("Something went wrong.");
    expect(describeError(undefined)).toBe("Something went wrong.");
  });
});

describe("isOfflineError", () => {
  it("recognizes the offline code only", () => {
    expect(isOfflineError({ code: "offline", message: "" })).toBe(true);
    expect(isOfflineError({ code: "unavailable", message: "" })).toBe(false);
    expect(isOfflineError("offline")).toBe(false);
  });
});
