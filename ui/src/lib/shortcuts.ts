// Global keyboard shortcuts: Ctrl+K (or ⌘K) opens the command palette,
// Ctrl+1…9 switch to the first nine orgs, ? (outside a text field) shows the
// shortcuts sheet, Ctrl+Z (outside a text field) runs the newest toast's Undo. SHORTCUTS is what that sheet lists: every keyboard path.

export type Shortcut = { kind: "palette" } | { kind: "org"; position: number } | { kind: "help" } | { kind: "undo" };

export function shortcutFor(
  event: {
    key: string;
    ctrlKey: boolean;
    metaKey: boolean;
    altKey: boolean;
    shiftKey: boolean;
  },
  inTextField = false,
): Shortcut | null {
  const mod = event.ctrlKey || event.metaKey;
  if (event.key === "?" && !mod && !event.altKey && !inTextField) return { kind: "help" };
  if (!mod || event.altKey || event.shiftKey) return null;
  if (event.key.toLowerCase() === "k") return { kind: "palette" };
  // In a text field Ctrl+Z is the field's own undo.
  if (event.key.toLowerCase() === "z" && !inTextField) return { kind: "undo" };
  if (/^[1-9]$/.test(event.key)) return { kind: "org", position: Number(event.key) };
  return null;
}

/** Whether keys typed at `target` are text (so "?" is a character, not a shortcut). */
export function isTextField(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).tagName !== "string") return false;
  const el = target as HTMLElement;
  if (el.isContentEditable) return true;
  if (el.tagName === "TEXTAREA") return true;
  if (el.tagName !== "INPUT") return false;
  const type = (el as HTMLInputElement).type;
  return !["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(type);
}

export const SHORTCUTS: readonly { area: string; keys: string; does: string }[] = [
  { area: "Everywhere", keys: "Tab, then Enter", does: "Skip to main content (the first Tab stop)" },
  { area: "Everywhere", keys: "Ctrl+K", does: "Command palette: switch org, go to a screen, find a person" },
  { area: "Everywhere", keys: "Ctrl+1 … Ctrl+9", does: "Open the first nine organizations" },
  { area: "Everywhere", keys: "?", does: "This list of shortcuts" },
  { area: "Everywhere", keys: "Escape", does: "Close the dialog; focus goes back where it was" },
  { area: "Organization search", keys: "Enter", does: "Open the first matching organization" },
  { area: "Organization search", keys: "↓", does: "Move into the organization list" },
  { area: "Organization list", keys: "↑ ↓ Home End", does: "Move between organizations; Enter opens one" },
  { area: "Members table", keys: "↑ ↓ Page Up/Down Home End", does: "Move between member rows" },
  { area: "Members table", keys: "Space", does: "Select or unselect the row" },
  { area: "Members table", keys: "Enter", does: "Open the member's details pane; Escape closes it and returns to the row" },
  { area: "Members table", keys: "→", does: "Go into the row (its first control); Escape comes back to the row" },
  { area: "Command palette", keys: "↑ ↓, Enter", does: "Choose a command and run it" },
  { area: "Everywhere", keys: "Ctrl+Z", does: "Undo the newest change a toast offers to undo (re-enable, invite again, role back)" },
];
