// Wording of the per-email answer of a bulk invite.
import type { InviteOutcome } from "./bindings/InviteOutcome";
import type { InviteResult } from "./bindings/InviteResult";

const OUTCOME_TEXT: Record<InviteOutcome, string> = {
  invited: "Invited",
  already_member: "Already a member",
  already_invited: "Already invited",
  invalid: "Not a valid email",
};

export function outcomeText(result: InviteResult): string {
  const base = OUTCOME_TEXT[result.outcome];
  return result.outcome === "invalid" && result.message ? `${base}: ${result.message}` : base;
}

export function summarize(results: readonly InviteResult[]): string {
  const invited = results.filter((r) => r.outcome === "invited").length;
  const skipped = results.length - invited;
  return skipped === 0 ? `Invited ${invited}.` : `Invited ${invited}; ${skipped} not invited.`;
}
