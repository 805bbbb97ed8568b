// One read channel per view: a screen watches a view once (one of the
// generated `watch*` commands) and gets on that channel, in order, the
// connection status, the cached snapshot at once, the fresh one after
// revalidation, every later change from the live event stream, and the
// status whenever it moves. Screens hand their handlers here instead of
// writing "cached, then refresh, then reconnect" each.
import type { Channel } from "./bindings/commands";
import type { ConnectionStatus } from "./bindings/ConnectionStatus";
import type { Snapshot } from "./bindings/Snapshot";
import type { SyncProgress } from "./bindings/SyncProgress";
import type { UiError } from "./bindings/UiError";
import type { ViewEvent } from "./bindings/ViewEvent";
import { traced } from "./trace";

export interface ViewHandlers<T> {
  /** What the view shows now (from the cache, then fresh, then after each change). */
  data: (snapshot: Snapshot<T>) => void;
  status?: (status: ConnectionStatus) => void;
  progress?: (progress: SyncProgress) => void;
  failed?: (error: UiError) => void;
}

/** Hands one message of a view's channel to its handler. */
export function dispatch<T>(event: ViewEvent<T>, handlers: ViewHandlers<T>): void {
  switch (event.kind) {
    case "data":
      handlers.data(event.snapshot);
      break;
    case "status":
      handlers.status?.(event.status);
      break;
    case "progress":
      handlers.progress?.(event.progress);
      break;
    case "failed":
      handlers.failed?.(event.error);
      break;
  }
}

export interface ViewDeps<T> {
  /** A channel whose messages go to `onMessage` (`channel()` in the app). */
  makeChannel: (onMessage: (message: ViewEvent<T>) => void) => Channel<ViewEvent<T>>;
  /** Stops a watch by id (`api.unwatch` in the app). */
  unwatch: (id: number) => Promise<unknown>;
}

/**
 * Watches a view: `start` subscribes with the channel and answers the watch
 * id. The function returned stops it: messages after that are dropped, and
 * the watch is ended on the Rust side, also when `start` answers later. A
 * failed `start` goes to `failed`.
 */
export function watchView<T>(
  start: (channel: Channel<ViewEvent<T>>) => Promise<number>,
  handlers: ViewHandlers<T>,
  deps: ViewDeps<T>,
): () => void {
  let stopped = false;
  let id: number | null = null;
  const handle = traced<ViewEvent<T>>((message) => `view ${message.kind}`, (message) => dispatch(message, handlers));
  const ch = deps.makeChannel((message) => {
    if (!stopped) handle(message);
  });
  start(ch).then(
    (watchId) => {
      id = watchId;
      if (stopped) deps.unwatch(watchId).catch(() => {});
    },
    (error) => {
      if (!stopped) handlers.failed?.(error as UiError);
    },
  );
  return () => {
    if (stopped) return;
    stopped = true;
    if (id !== null) deps.unwatch(id).catch(() => {});
  };
}
