// Form checks the app makes before asking the server, so a problem shows next
// to its field in words. They follow crates/core/src/validate.rs; the server
// still decides, and its answer is shown too.

/** Supported languages offered as suggestions (any BCP 47 tag is accepted). */
export const SUGGESTED_LANGUAGES: readonly string[] = [
  "en", "en-US", "en-GB", "de", "de-CH", "fr", "fr-CA", "es", "es-419", "it", "pt", "pt-BR", "nl",
  "sv", "da", "nb", "fi", "pl", "cs", "tr", "el", "ru", "uk", "ar", "he", "hi", "ja", "ko",
  "zh-Hans", "zh-Hant-TW",
];

/** The IANA time zones this system knows, UTC first. */
export function timeZoneSuggestions(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf?.("timeZone") ?? [];
  return ["UTC", ...zones.filter((z) => z !== "UTC")];
}

/** A language's name in English, for the suggestion list ("fr-CA" → "French (Canada)"). */
export function languageName(tag: string): string {
  try {
    return new Intl.DisplayNames(["en"], { type: "language" }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

export function timeZoneProblem(raw: string): string | null {
  const tz = raw.trim();
  if (!tz) return "Choose a time zone, e.g. Europe/Berlin or UTC.";
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return null;
  } catch {
    return `“${tz}” is not an IANA time zone; choose one from the list, e.g. Europe/Berlin, America/New_York or UTC.`;
  }
}

/** BCP 47 in its common shape: language, optional script, region, variants (as core's `validate::language`). */
export function languageProblem(raw: string): string | null {
  const tag = raw.trim();
  if (!tag) return "Choose a language, e.g. en or de-CH.";
  const shape = /^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*$/;
  return shape.test(tag) ? null : `“${tag}” is not a language tag; use one such as en, de-CH or zh-Hant-TW (a hyphen, not an underscore).`;
}

export function slugProblem(raw: string): string | null {
  const slug = raw.trim();
  if (!slug) return "Give the organization a slug, e.g. acme-robotics.";
  if (/[A-Z]/.test(slug)) return `Use lowercase letters: “${slug.toLowerCase()}”.`;
  if (!/^[a-z0-9-]+$/.test(slug)) return "Use only lowercase letters, digits and hyphens.";
  return null;
}

export function lifetimeProblem(days: number | null | undefined): string | null {
  if (days === null || days === undefined || !Number.isInteger(days) || days < 1 || days > 30)
    return "Invitations last 1 to 30 whole days.";
  return null;
}

export function serverUrlProblem(raw: string): string | null {
  const url = raw.trim();
  if (!url) return "Give the server's address, e.g. https://orgdesk.example.com.";
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? null : "The address starts with https:// (or http://).";
  } catch {
    return `“${url}” is not a web address; it looks like https://orgdesk.example.com.`;
  }
}

/** The shape only (one @, something on each side); the server decides the rest. */
export function emailProblem(raw: string): string | null {
  const email = raw.trim();
  if (!email) return "Give your email address.";
  return /^[^\s@]+@[^\s@]+$/.test(email) ? null : `“${email}” is not an email address.`;
}

/** As core's `validate::password` (10 to 1024 characters). */
export function newPasswordProblem(raw: string): string | null {
  const length = [...raw].length;
  if (length < 10) return "Choose a password of at least 10 characters.";
  if (length > 1024) return "A password can be at most 1024 characters long.";
  return null;
}

/** As core's `validate::person_name`: 1 to 100 characters. */
export function personNameProblem(raw: string): string | null {
  const name = raw.trim();
  if (!name) return "Give your name as colleagues should see it.";
  if ([...name].length > 100) return "A name can be at most 100 characters long.";
  return null;
}

/** The key of the first field with a problem (to focus it), or null when none has one. */
export function firstProblem(problems: Record<string, string | null>): string | null {
  return Object.entries(problems).find(([, problem]) => problem)?.[0] ?? null;
}
