import { describe, expect, it } from "vitest";
import type { InviteResult } from "./bindings/InviteResult";
import { outcomeText, summarize } from "./invite-results";

const result = (outcome: InviteResult["outcome"], message: string | null = null): InviteResult => ({
  email: "a@x.io", outcome, message, invitation: null,
});

describe("invite results", () => {
  it("words each outcome and adds the server's reason for invalid ones", () => {
    expect(outcomeText(result("already_member"))).toBe("Already a member");
    expect(outcomeText(result("invalid", "no domain"))).toBe("Not a valid email: no domain");
  });
  it("summarizes how many were invited", () => {
    expect(summarize([result("invited"), result("invited")])).toBe("Invited 2.");
    expect(summarize([result("invited"), result("invalid")])).toBe("Invited 1; 1 not invited.");
  });
});
