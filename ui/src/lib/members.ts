// The member list's view state. The rows themselves live in Rust (the
// client's MemberView): the screen asks for windows of them, in chunks.
import type { Member } from "./bindings/Member";
import type { MemberFilter } from "./bindings/MemberFilter";
import type { MemberSortKey } from "./bindings/MemberSortKey";

export type { MemberFilter, MemberSortKey };

export const DEFAULT_VIEW: MemberFilter = { query: "", role: null, status: null, sort: "name", desc: false };

/** Rows are fetched in chunks of this many. */
export const CHUNK = 100;

/** Clicking a column header: same column flips the order, a new one starts ascending. */
export function toggleSort(view: MemberFilter, key: MemberSortKey): MemberFilter {
  return view.sort === key ? { ...view, desc: !view.desc } : { ...view, sort: key, desc: false };
}

/** The chunk numbers that hold rows `start..end` (end exclusive). */
export function chunksCovering(start: number, end: number, chunk = CHUNK): number[] {
  if (end <= start) return [];
  const out: number[] = [];
  for (let c = Math.floor(start / chunk); c <= Math.floor((end - 1) / chunk); c++) out.push(c);
  return out;
}

/** Row `index` of the fetched chunks, or undefined while its chunk is on its way. */
export function rowAt(chunks: ReadonlyMap<number, Member[]>, index: number, chunk = CHUNK): Member | undefined {
  return chunks.get(Math.floor(index / chunk))?.[index % chunk];
}
