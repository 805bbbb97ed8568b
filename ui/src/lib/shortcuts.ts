// Global keyboard shortcuts: Ctrl+K (or ⌘K) opens the command palette,
// Ctrl+1…9 switch to the first nine orgs.

export type Shortcut = { kind: "palette" } | { kind: "org"; position: number };

export function shortcutFor(event: {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}): Shortcut | null {
  const mod = event.ctrlKey || event.metaKey;
  if (!mod || event.altKey || event.shiftKey) return null;
  if (event.key.toLowerCase() === "k") return { kind: "palette" };
  if (/^[1-9]$/.test(event.key)) return { kind: "org", position: Number(event.key) };
  return null;
}
