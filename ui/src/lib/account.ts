// Words for the account screen.
import type { SecurityEventKind } from "./bindings/SecurityEventKind";

const WORDS: Record<SecurityEventKind, string> = {
  sign_in: "Signed in",
  sign_in_failed: "Failed sign-in (wrong password)",
  password_reset: "Password reset",
  session_revoked: "A session was signed out from another one",
  signed_out: "Signed out",
};

export function securityEventWords(kind: SecurityEventKind): string {
  return WORDS[kind] ?? kind;
}
