// The app's own timeline, in the WebView's User Timing entries: every
// command's round trip (`ipc <command>`, from the call to its answer) and
// every message a view's channel delivers (`channel view <kind>`, as long as
// its handler ran) and a few named points (`mark`), so a profile of a start
// or a switch (scripts/profile-app.sh) reads where the time went. The
// entries are dropped every few thousand, so a long session keeps none of
// them for long.
import { invoke as tauriInvoke, type InvokeArgs, type InvokeOptions } from "@tauri-apps/api/core";

const KEEP = 4000;
let recorded = 0;

function kept(): void {
  if (++recorded >= KEEP) {
    recorded = 0;
    performance.clearMeasures();
    performance.clearMarks();
  }
}

function record(name: string, start: number): void {
  performance.measure(name, { start, end: performance.now() });
  kept();
}

/** The Tauri bridge's `invoke`, with its round trip recorded. */
export function invoke<T>(cmd: string, args?: InvokeArgs, options?: InvokeOptions): Promise<T> {
  const start = performance.now();
  const answer = tauriInvoke<T>(cmd, args, options);
  answer.then(
    () => record(`ipc ${cmd}`, start),
    () => record(`ipc ${cmd} (rejected)`, start),
  );
  return answer;
}

/** Marks a channel's message as it is handed over (its handler's run is the measure's length). */
export function traced<T>(name: (message: T) => string, onMessage: (message: T) => void): (message: T) => void {
  return (message) => {
    const start = performance.now();
    onMessage(message);
    record(`channel ${name(message)}`, start);
  };
}

/** A point on the timeline ("members: rows answered"). */
export function mark(name: string): void {
  performance.mark(name);
  kept();
}
