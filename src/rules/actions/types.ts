import type * as z from 'zod';
import type { Clock } from '../../clock.js';
import type { HeraldEvent } from '../../domain.js';
import type { Logger } from '../../log.js';
import type { Store } from '../../store/index.js';
import type { TemplateSet } from '../../mail/templates.js';
import type { AssignmentService } from '../../rotation/service.js';
import type { RoleHolders } from '../../mail/recipients.js';
import type { BuildRow } from '../../store/builds.js';
import type { ReleaseRecord } from '../../store/procedures.js';

// The rules see the build tracker and the procedure through these ports, which
// the daemon fills with the real services: the rules stay below them.

/** What the build action asks of the tracker: rows written in the rule run's transaction. */
export interface BuildPort {
  create(event: HeraldEvent, ruleId: string, index: number, target: string): BuildRow[];
}

/** What the rules ask of the release procedure. */
export interface ProcedurePort {
  start(origin: HeraldEvent, ruleId: string, name: string): { record: ReleaseRecord; created: boolean };
  /** The phase changes an event causes, in its transaction, before the rules see it. */
  observe(event: HeraldEvent): void;
  recordOf(event: HeraldEvent): ReleaseRecord | undefined;
  holders(event: HeraldEvent, record: ReleaseRecord | undefined): RoleHolders;
  templateContext(event: HeraldEvent, record: ReleaseRecord | undefined): Record<string, unknown>;
}

export interface ActionEnv {
  store: Store;
  templates: TemplateSet;
  clock: Clock;
  log: Logger;
  mail: { from: string; domain: string };
  people: Record<string, { name: string; email: string }>;
  /** The rotation procedure: the assign action starts it, templates read its roles. */
  assignments: AssignmentService;
  /** The build action writes rows; the tracker takes them from there. */
  builds: BuildPort;
  /** Release records: the procedure action starts one; events move them on before the rules see the event. */
  procedures: ProcedurePort;
}

export interface ActionContext extends ActionEnv {
  event: HeraldEvent;
  ruleId: string;
  runId: number;
  /** Position of this action in the rule's `do` list: part of stable ids. */
  index: number;
}

/** What an action did, recorded in the log and printed by replay --dry-run later. */
export interface ActionOutcome { action: string; summary: string }

export interface ActionRunner<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly schema: S;
  /** Runs inside the rule run's transaction: write, do not wait on the network. */
  run(ctx: ActionContext, params: z.output<S>): ActionOutcome;
  /** Config-time checks that need more than the schema (templates exist, people known). */
  check?(params: z.output<S>, env: CheckEnv): string[];
  /** The files (or `credential:NAME`s) its params name, read when it runs: made absolute at load, warned about by check-config. */
  files?(params: z.output<S>): FileRef[];
}

/** A params key naming a file; `set` writes the path back (made absolute against the config's folder). */
export interface FileRef { key: string; ref: string; set(path: string): void }

/** What config-time checks see. */
export interface CheckEnv { templates: TemplateSet; people: Record<string, unknown>; rotations: Record<string, unknown>; builds: Record<string, unknown>; procedures: Record<string, unknown> }
