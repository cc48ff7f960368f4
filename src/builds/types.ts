import type * as z from 'zod';
import type { Logger } from '../log.js';
import type { BuildRow } from '../store/builds.js';

/** A failure to talk to a CI, classified for the tracker. */
export class BuildError extends Error {
  constructor(
    message: string,
    /** Worth trying again (network, 5xx); false for 401, 404, 422. */
    readonly retryable: boolean,
    /** Rate-limited: not before this instant (ms). Does not count as an attempt. */
    readonly retryAt?: number,
  ) {
    super(message);
    this.name = 'BuildError';
  }
}

export interface Dispatched {
  external_id?: string | undefined;
  url?: string | undefined;
  tracking: Record<string, unknown>;
}

export type Progress =
  | { state: 'running'; url?: string | undefined; external_id?: string | undefined; tracking?: Record<string, unknown> | undefined }
  | { state: 'succeeded' | 'failed'; detail: string; url?: string | undefined; artifacts?: string[] | undefined }
  /** The run is gone from our view (a command whose daemon restarted): dispatch again if attempts remain. */
  | { state: 'lost'; detail: string };

export interface TriggerContext {
  log: Logger;
  now(): number;
  /** Where a command writes its output. */
  logDir: string;
  /** Whether another build already follows this run (its external id, for this target type). */
  followed(externalId: string, type: string, exceptBuild: number): boolean;
  /** Tell the tracker a build has news (a command exited): it is looked at now, not at its next poll. */
  wake(buildId?: number): void;
}

/**
 * One CI or runner: a folder under src/builds/ and a line in the registry.
 * `render` turns the target's templated keys into the stored request when a
 * rule runs; the rest talks to the CI with that request.
 */
export interface Trigger<S extends z.ZodType = z.ZodType> {
  readonly type: string;
  /** The target's own keys (type included); the shared ones are added by the registry. */
  readonly schema: S;
  render(cfg: z.output<S>, render: (template: string, key: string) => string): Record<string, unknown>;
  dispatch(cfg: z.output<S>, build: BuildRow, ctx: TriggerContext): Promise<Dispatched>;
  poll(cfg: z.output<S>, build: BuildRow, ctx: TriggerContext): Promise<Progress>;
  /** After a crash between dispatching and recording it: the run already started, if it can be found. */
  recover?(cfg: z.output<S>, build: BuildRow, ctx: TriggerContext): Promise<Dispatched | undefined>;
  /** Files (token_file...) that must exist, by key. */
  secrets?(cfg: z.output<S>): Record<string, string>;
  /** The tracker gave up on a running build (its `timeout`): stop what runs for it, where this trigger can. */
  cancel?(cfg: z.output<S>, build: BuildRow, ctx: TriggerContext): Promise<void>;
  /** Daemon stop: let go of anything running in this process. */
  shutdown?(logDir: string): void;
}
