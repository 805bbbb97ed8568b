import { Channel } from "./bindings/commands";

/** A channel for a command's stream of messages (progress, links, close requests), each handed to `onMessage`. */
export function channel<T>(onMessage: (message: T) => void): Channel<T> {
  const c = new Channel<T>();
  c.onmessage = onMessage;
  return c;
}
