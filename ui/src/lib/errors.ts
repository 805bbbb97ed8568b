// Human messages chosen by error code. The UI branches on `code`, never on the
// server's text; the server's message is only shown where it adds detail
// (validation), see `describeError`.
import type { Code } from "./bindings/Code";
import type { UiError } from "./bindings/UiError";

/** One sentence per code; `Record<Code, string>` makes a new Rust code a type error until it is worded here. */
export const MESSAGES: Record<Code, string> = {
  validation_failed: "Some of what you entered is not valid.",
  payload_too_large: "That is too large for the server to accept.",
  unsupported_media_type: "That file type is not accepted. Use PNG, JPEG or WebP.",
  unauthenticated: "Your session has ended. Sign in again.",
  invalid_credentials: "Email or password is wrong.",
  invalid_grant: "This sign-in did not complete. Sign in with your provider again.",
  email_not_verified: "Verify your email address first; check your inbox.",
  forbidden: "Your role does not allow this.",
  member_disabled: "Your membership in this organization is disabled.",
  role_escalation: "You cannot grant or change a role with more rights than your own.",
  owner_protected: "The owner cannot be removed, disabled or demoted. Transfer ownership first.",
  not_found: "It no longer exists, or you cannot see it.",
  slug_taken: "That slug is taken by another organization.",
  email_taken: "An account with this email exists already.",
  role_exists: "A role with this key exists already.",
  role_in_use: "Members or pending invitations still hold this role.",
  already_member: "This person is already a member.",
  already_invited: "This address has a pending invitation already.",
  invitation_not_pending: "This invitation was already accepted, declined or cancelled.",
  invitation_expired: "This invitation has expired. Ask for a new one.",
  invitation_email_mismatch: "This invitation was sent to another email address.",
  confirmation_mismatch: "The confirmation you typed does not match.",
  precondition_failed: "Someone else changed this meanwhile. It was reloaded; try again.",
  rate_limited: "Too many attempts. Wait a moment and try again.",
  idempotency_key_reused: "This request was already sent with different content. Try again.",
  idempotency_key_in_progress: "The same request is still being processed. Wait a moment and try again.",
  team_exists: "This organization has a team with this name already.",
  relationship_exists: "These organizations have a partner relationship already.",
  relationship_not_pending: "This partner relationship was already accepted, ended or has expired.",
  internal: "The server had a problem. Try again later.",
  unavailable: "The server is temporarily unavailable. Try again later.",
  offline: "The server cannot be reached. You are seeing the last synced data.",
  bad_response: "The server answered something this app does not understand. Is the URL right?",
  insecure_url:
    "Use an https:// server URL (plain http:// is only allowed for this machine).",
  session_revoked: "Your session was ended on the server. Sign in again.",
  not_signed_in: "You are not signed in to this account.",
  keychain: "The system keychain is not available, so your session is kept in memory only.",
  storage: "The local cache could not be read or written.",
  cancelled: "Cancelled.",
  no_browser: "No browser could be opened for the sign-in page.",
};

/** Codes whose server-side detail is worth showing next to our sentence. */
const DETAIL_CODES: ReadonlySet<Code> = new Set<Code>(["validation_failed", "bad_response", "no_browser"]);

export function messageFor(code: Code): string {
  return MESSAGES[code] ?? "Something went wrong.";
}

export function isUiError(value: unknown): value is UiError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as UiError).code === "string" &&
    typeof (value as UiError).message === "string"
  );
}

/** One sentence for a failed command, whatever was thrown. */
export function describeError(error: unknown): string {
  if (!isUiError(error)) return "Something went wrong.";
  const sentence = messageFor(error.code);
  if (DETAIL_CODES.has(error.code) && error.message && error.message !== sentence) {
    return `${sentence} ${error.message}`;
  }
  return sentence;
}

export function isOfflineError(error: unknown): boolean {
  return isUiError(error) && error.code === "offline";
}
