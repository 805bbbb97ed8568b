// Expiry countdowns and "last synced" phrases, kept free of the DOM so they
// can be unit tested.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** An invitation expiring within this window is highlighted. */
export const EXPIRES_SOON_MS = DAY;

// One formatter of each kind, made once: `toLocaleDateString()` and
// `toLocaleString()` build a new one at every call (0.1 ms each in WebKit,
// once or twice per row of a list).
const DATE = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "numeric", day: "numeric" });
const DATE_TIME = new Intl.DateTimeFormat(undefined, {
  year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric",
});

/** The local date of an instant, as `toLocaleDateString()` writes it ("unknown" for a bad one). */
export function localDate(isoTime: string): string {
  const date = new Date(isoTime);
  return Number.isNaN(date.getTime()) ? "unknown" : DATE.format(date);
}

/** The local date and time of an instant, as `toLocaleString()` writes it ("unknown" for a bad one). */
export function localDateTime(isoTime: string): string {
  const date = new Date(isoTime);
  return Number.isNaN(date.getTime()) ? "unknown" : DATE_TIME.format(date);
}

export function msUntil(isoTime: string, now: number): number {
  return Date.parse(isoTime) - now;
}

export function expiresSoon(isoTime: string, now: number): boolean {
  const left = msUntil(isoTime, now);
  return left > 0 && left <= EXPIRES_SOON_MS;
}

/** Whether an invitation expired unanswered: the server says so, or its time passed since. */
export function isExpired(invitation: { status: string; expires_at: string }, now: number): boolean {
  return invitation.status === "expired" || msUntil(invitation.expires_at, now) <= 0;
}

/** "in 6 d 4 h", "in 3 h 12 min", "in 45 s", or "expired". */
export function countdown(isoTime: string, now: number): string {
  const left = msUntil(isoTime, now);
  if (Number.isNaN(left)) return "unknown";
  if (left <= 0) return "expired";
  const days = Math.floor(left / DAY);
  const hours = Math.floor((left % DAY) / HOUR);
  const minutes = Math.floor((left % HOUR) / MINUTE);
  if (days > 0) return `in ${days} d ${hours} h`;
  if (hours > 0) return `in ${hours} h ${minutes} min`;
  if (minutes > 0) return `in ${minutes} min`;
  return `in ${Math.ceil(left / 1000)} s`;
}

/** "just now", "5 min ago", "3 h ago", "12 d ago", or a date for older times. */
export function timeAgo(isoTime: string | null | undefined, now: number): string {
  if (!isoTime) return "never";
  const ago = now - Date.parse(isoTime);
  if (Number.isNaN(ago)) return "unknown";
  if (ago < MINUTE) return "just now";
  if (ago < HOUR) return `${Math.floor(ago / MINUTE)} min ago`;
  if (ago < DAY) return `${Math.floor(ago / HOUR)} h ago`;
  if (ago < 30 * DAY) return `${Math.floor(ago / DAY)} d ago`;
  return localDate(isoTime);
}

export function shortDate(isoTime: string | null | undefined): string {
  if (!isoTime) return "—";
  return Number.isNaN(Date.parse(isoTime)) ? "—" : localDate(isoTime);
}

/**
 * The instants bounding a From–To range of `<input type="date">` values
 * ("YYYY-MM-DD", local days, both inclusive): `since` is the start of the
 * first day, `until` (exclusive on the server) the start of the day after the
 * last one.
 */
export function dayRange(from: string, to: string): { since: string | null; until: string | null } {
  const startOf = (day: string, plusDays = 0) => {
    const [y, m, d] = day.split("-").map(Number);
    return new Date(y, m - 1, d + plusDays).toISOString();
  };
  return { since: from ? startOf(from) : null, until: to ? startOf(to, 1) : null };
}
