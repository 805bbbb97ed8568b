// Search, filter and sort of the cached member list, done in memory so a
// 10,000-row org answers each keystroke at once.
import type { Member } from "./bindings/Member";
import type { MemberStatus } from "./bindings/MemberStatus";
import type { BulkMemberResults } from "./bindings/BulkMemberResults";

export type MemberSortKey = "name" | "email" | "role" | "status" | "joined" | "last_active";

export interface MemberView {
  query: string;
  role: string | null;
  status: MemberStatus | null;
  sort: MemberSortKey;
  desc: boolean;
}

export const DEFAULT_VIEW: MemberView = { query: "", role: null, status: null, sort: "name", desc: false };

function sortValue(member: Member, key: MemberSortKey): string {
  switch (key) {
    case "name": return (member.name || member.email).toLowerCase();
    case "email": return member.email.toLowerCase();
    case "role": return member.role;
    case "status": return member.status;
    case "joined": return member.joined_at;
    case "last_active": return member.last_active_at ?? "";
  }
}

export function viewMembers(members: readonly Member[], view: MemberView): Member[] {
  const q = view.query.trim().toLowerCase();
  const kept = members.filter(
    (m) =>
      (!q || m.name.toLowerCase().includes(q) || m.email.toLowerCase().includes(q)) &&
      (!view.role || m.role === view.role) &&
      (!view.status || m.status === view.status),
  );
  const direction = view.desc ? -1 : 1;
  const keyed = kept.map((m) => ({ m, k: sortValue(m, view.sort) }));
  keyed.sort((a, b) => (a.k < b.k ? -direction : a.k > b.k ? direction : a.m.user_id < b.m.user_id ? -1 : 1));
  return keyed.map((x) => x.m);
}

/** Clicking a column header: same column flips the order, a new one starts ascending. */
export function toggleSort(view: MemberView, key: MemberSortKey): MemberView {
  return view.sort === key ? { ...view, desc: !view.desc } : { ...view, sort: key, desc: false };
}

export function replaceMember(members: readonly Member[], updated: Member): Member[] {
  return members.map((m) => (m.user_id === updated.user_id ? updated : m));
}

/** What a bulk change did: the list after it, who it removed, and a line per refused member. */
export function applyBulkResults(
  members: readonly Member[],
  answer: BulkMemberResults,
): { members: Member[]; changed: number; changedIds: string[]; removed: Member[]; refusals: string[] } {
  const byId = new Map(members.map((m) => [m.user_id, m]));
  const gone = new Set<string>();
  const after = new Map<string, Member>();
  const refusals: string[] = [];
  let changed = 0;
  for (const r of answer.results) {
    if (r.outcome === "removed") gone.add(r.user_id);
    else if (r.outcome === "changed" && r.member) {
      after.set(r.user_id, r.member);
      changed += 1;
    } else if (r.outcome === "refused") {
      refusals.push(`${byId.get(r.user_id)?.email ?? r.user_id}: ${r.message ?? r.code ?? "refused"}`);
    }
  }
  return {
    members: members.filter((m) => !gone.has(m.user_id)).map((m) => after.get(m.user_id) ?? m),
    changed,
    changedIds: [...after.keys()],
    removed: members.filter((m) => gone.has(m.user_id)),
    refusals,
  };
}
