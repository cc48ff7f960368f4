/** Injected wherever time decides something, so tests can move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function iso(clock: Clock, plusMs = 0): string {
  return new Date(clock.now().getTime() + plusMs).toISOString();
}

/**
 * Runs `fn` at the start of every wall-clock minute until stopped. A plain
 * timer: node-cron's matcher spends milliseconds of date arithmetic on each
 * beat, a visible share of an idle daemon's CPU.
 */
export function everyMinute(fn: () => void): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    // Armed before fn runs, so a callback that throws still has a next minute.
    timer = setTimeout(() => { arm(); fn(); }, 60_000 - (Date.now() % 60_000));
  };
  arm();
  return { stop: () => clearTimeout(timer) };
}
