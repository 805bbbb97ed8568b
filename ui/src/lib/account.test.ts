import { describe, expect, it } from "vitest";
import { securityEventWords } from "./account";

describe("securityEventWords", () => {
  it("says each kind in words", () => {
    expect(securityEventWords("sign_in_failed")).toMatch(/Failed sign-in/);
    expect(securityEventWords("password_reset")).toBe("Password reset");
  });
});
