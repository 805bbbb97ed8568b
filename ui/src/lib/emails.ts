// Parsing of emails pasted into the invite dialog: any mix of commas,
// semicolons, whitespace and new lines, and "Name <email>" forms as mail
// clients copy them. The server decides what is valid; this only splits.

export interface PastedEmails {
  emails: string[];
  /** Entries dropped because they were repeated (case-insensitively). */
  duplicates: string[];
}

export function parsePastedEmails(text: string): PastedEmails {
  const emails: string[] = [];
  const duplicates: string[] = [];
  const seen = new Set<string>();
  for (const entry of splitEntries(text)) {
    const key = entry.toLowerCase();
    if (seen.has(key)) {
      duplicates.push(entry);
      continue;
    }
    seen.add(key);
    emails.push(entry);
  }
  return { emails, duplicates };
}

function splitEntries(text: string): string[] {
  const entries: string[] = [];
  for (const chunk of text.split(/[,;\n\r\t]+/)) {
    const bracketed = /<([^<>]+)>/.exec(chunk);
    const parts = bracketed ? [bracketed[1]] : chunk.split(/\s+/);
    for (const part of parts) {
      const entry = part
        .replace(/^mailto:/i, "")
        .replace(/^["'(]+|["')]+$/g, "")
        .trim();
      if (entry) entries.push(entry);
    }
  }
  return entries;
}

/** Whether an entry looks enough like an email to send (the server validates). */
export function looksLikeEmail(entry: string): boolean {
  return /^[^\s@]+@[^\s@]+$/.test(entry);
}
