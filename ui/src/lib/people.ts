// "Find a person in all my orgs": the server answers memberships (by person,
// then org); the finder shows them as one group per person.
import type { PersonMembership } from "./bindings/PersonMembership";

export interface PersonGroup {
  email: string;
  name: string;
  memberships: PersonMembership[];
}

/** Memberships grouped by person (email), in the order the server gave. */
export function groupByPerson(memberships: readonly PersonMembership[]): PersonGroup[] {
  const groups = new Map<string, PersonGroup>();
  for (const m of memberships) {
    const key = m.member.email.toLowerCase();
    let group = groups.get(key);
    if (!group) {
      group = { email: m.member.email, name: m.member.name, memberships: [] };
      groups.set(key, group);
    }
    group.memberships.push(m);
  }
  return [...groups.values()];
}

/** The org ids of a group that I may remove the person from (what "select all" picks). */
export function removableOrgs(group: PersonGroup): string[] {
  return group.memberships.filter((m) => m.can_remove).map((m) => m.org_id);
}

/** "Acme", "Acme and Beta", "Acme, Beta and 3 more". */
export function listOrgs(names: readonly string[], shown = 2): string {
  if (names.length <= 1) return names.join("");
  if (names.length <= shown) return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  return `${names.slice(0, shown).join(", ")} and ${names.length - shown} more`;
}
