import * as z from '../zod.js';
import { duration } from '../fields.js';
import { command } from './command/index.js';
import { gateSchema } from './gate.js';
import { githubWorkflow } from './github-workflow/index.js';
import { gitlabPipeline } from './gitlab-pipeline/index.js';
import { jenkins } from './jenkins/index.js';
import type { Trigger } from './types.js';

// One line per trigger type, each in its own folder.
export const triggers: readonly Trigger[] = [
  githubWorkflow as unknown as Trigger,
  gitlabPipeline as unknown as Trigger,
  jenkins as unknown as Trigger,
  command as unknown as Trigger,
];

export function triggerFor(type: string): Trigger | undefined {
  return triggers.find((t) => t.type === type);
}

/** Keys every build target has, whatever its type. */
const shared = {
  /** One build per combination: { arch: [x86_64, aarch64], ofed: ["24.10", "25.01"] }. */
  matrix: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a name usable as {{matrix.NAME}}'), z.array(z.union([z.string(), z.number()])).min(1)).optional(),
  /** Dispatch attempts before the build counts as failed. */
  max_attempts: z.number().int().min(1).max(50).default(3),
  retry: z.strictObject({ base: duration.prefault('1m'), max: duration.prefault('1h') }).prefault({}),
  /** How often a running build is looked at. */
  poll_every: duration.prefault('1m'),
  /** A build still running this long after its dispatch counts as failed. */
  timeout: duration.prefault('12h'),
  wait_for_packages: gateSchema.optional(),
};

const schemas = triggers.map((t) => (t.schema as unknown as z.ZodObject).extend(shared));
export const targetSchema = z.discriminatedUnion('type', schemas as unknown as [z.ZodObject, z.ZodObject, ...z.ZodObject[]]);

export type TargetConfig = z.output<typeof targetSchema> & {
  type: string;
  matrix?: Record<string, (string | number)[]> | undefined;
  max_attempts: number;
  retry: { base: number; max: number };
  poll_every: number;
  timeout: number;
  wait_for_packages?: z.output<typeof gateSchema> | undefined;
};
