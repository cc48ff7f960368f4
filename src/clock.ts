/** Injected wherever time decides something, so tests can move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function iso(clock: Clock, plusMs = 0): string {
  return new Date(clock.now().getTime() + plusMs).toISOString();
}
