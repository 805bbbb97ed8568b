// What the update banner shows for the updater's status (src-tauri/src/updates.rs).
import type { UpdateStatus } from "./bindings/UpdateStatus";

/** The key "Not now" / "Dismiss" remembers: this state of this version. */
export function dismissKey(status: UpdateStatus | null): string | null {
  return status && "version" in status && status.version !== null ? `${status.state}:${status.version}` : null;
}

/**
 * Whether the banner shows: an offered version, an install under way or
 * done, or a refused install. Not when off, checking or up to date, nor for
 * a failed check alone (no version: the daily check may fail offline), and
 * not once dismissed for this state and version.
 */
export function bannerShown(status: UpdateStatus | null, dismissed: string | null): boolean {
  if (!status) return false;
  const key = dismissKey(status);
  if (key === null || key === dismissed) return false;
  return status.state !== "up_to_date";
}
