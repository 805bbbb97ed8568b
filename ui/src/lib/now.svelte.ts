// A clock that ticks once a second while some screen shows countdowns.
let current = $state(Date.now());
let users = 0;
let timer: ReturnType<typeof setInterval> | undefined;

export const clock = {
  get now() {
    return current;
  },
};

/** Call from a component's onMount; returns the matching cleanup. */
export function useClock(): () => void {
  users += 1;
  if (!timer) timer = setInterval(() => (current = Date.now()), 1000);
  return () => {
    users -= 1;
    if (users === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}
