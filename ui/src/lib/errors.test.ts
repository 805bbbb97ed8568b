import { describe, expect, it } from "vitest";
import type { Code } from "./bindings/Code";
import { MESSAGES, describeError, isOfflineError, messageFor } from "./errors";

describe("messageFor", () => {
  it("has a sentence for every code the Rust side can send", () => {
    // The codes come from Rust (bindings/Code.ts); the Record type forces one
    // entry per code, so this checks the wording, not a second list.
    for (const [code, sentence] of Object.entries(MESSAGES)) {
      expect(messageFor(code as Code)).toBe(sentence);
      expect(sentence).toMatch(/\w.*[.?]$/);
    }
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
