// The member list's view state. The rows themselves live in Rust (the
// client's MemberView): the screen asks for windows of them, in chunks.
import type { Member } from "./bindings/Member";
import type { MemberFilter } from "./bindings/MemberFilter";
import type { MemberSortKey } from "./bindings/MemberSortKey";
import type { MemberWindow } from "./bindings/MemberWindow";

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

/** How many orgs' first windows are kept (the ones switched between most recently). */
const KEPT_FIRST_WINDOWS = 16;
const firstWindows = new Map<string, MemberWindow>();
const prefetched = new Map<string, { at: number; answer: Promise<MemberWindow | null> }>();
/** A prefetched answer older than this is not used (it was for a start-up, not for a later visit). */
const PREFETCH_FRESH_MS = 10_000;

/**
 * The first rows of an org's default view as its members screen last showed
 * them: a screen mounting for that org paints them in the frame of the click
 * and asks for the fresh ones as it always does (the view channel's revision
 * then says whether they moved). Kept for the account shown only.
 */
export function keptFirstWindow(orgId: string): MemberWindow | undefined {
  return firstWindows.get(orgId);
}

/** Keeps what a members screen shows at the top of its default view. */
export function keepFirstWindow(orgId: string, window: MemberWindow): void {
  firstWindows.delete(orgId);
  firstWindows.set(orgId, window);
  if (firstWindows.size > KEPT_FIRST_WINDOWS) firstWindows.delete(firstWindows.keys().next().value!);
}

/**
 * Asks for an org's first window ahead of its screen (at start-up, for the
 * org the app opens with, while the org list is still on its way); the
 * screen's first request takes the answer instead of asking again.
 */
export function prefetchFirstWindow(orgId: string, ask: () => Promise<MemberWindow | null>): void {
  const answer = ask();
  answer.catch(() => {});
  prefetched.set(orgId, { at: Date.now(), answer });
}

/** The prefetched first window of `orgId`, once (the next request asks again). */
export function takePrefetchedFirstWindow(orgId: string): Promise<MemberWindow | null> | undefined {
  const entry = prefetched.get(orgId);
  prefetched.delete(orgId);
  return entry && Date.now() - entry.at < PREFETCH_FRESH_MS ? entry.answer : undefined;
}

/** Another account (or none) is shown: nothing of the last one's rows stays. */
export function forgetFirstWindows(): void {
  firstWindows.clear();
  prefetched.clear();
}

/** Whether `view` is the default one (the first window kept is of that view only). */
export function isDefaultView(view: MemberFilter): boolean {
  return view.query === DEFAULT_VIEW.query && view.role === DEFAULT_VIEW.role && view.status === DEFAULT_VIEW.status &&
    view.sort === DEFAULT_VIEW.sort && view.desc === DEFAULT_VIEW.desc;
}
