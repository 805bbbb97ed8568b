// Entries of the Ctrl+K command palette and how a query ranks them.

export interface PaletteEntry {
  id: string;
  label: string;
  hint: string;
  run: () => void;
}

/** Entries whose label holds every word of the query, best (prefix) first. */
export function rankEntries(entries: PaletteEntry[], query: string, limit = 12): PaletteEntry[] {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return entries.slice(0, limit);
  const scored: { entry: PaletteEntry; score: number }[] = [];
  for (const entry of entries) {
    const label = entry.label.toLowerCase();
    if (!words.every((w) => label.includes(w))) continue;
    const score = label.startsWith(words[0]) ? 0 : label.includes(` ${words[0]}`) ? 1 : 2;
    scored.push({ entry, score });
  }
  scored.sort((a, b) => a.score - b.score);
  return scored.slice(0, limit).map((s) => s.entry);
}
