// Lists read a page at a time: the first page comes on the view's channel
// (cached, fresh, live), later ones on demand.

/**
 * The first page followed by the later pages loaded so far, each row once:
 * a row the fresh first page holds now replaces its older copy further down.
 */
export function withFirstPage<T extends { id: string }>(first: T[], later: T[]): T[] {
  const seen = new Set(first.map((row) => row.id));
  return [...first, ...later.filter((row) => !seen.has(row.id))];
}
