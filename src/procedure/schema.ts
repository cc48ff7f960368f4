import * as z from '../zod.js';
import { duration, id } from '../fields.js';
import { gateSchema } from '../builds/gate.js';
import { assignSchema } from '../rotation/assign-params.js';

// The `procedures:` section: a team's way of taking one kernel from
// "announced" to "packages available". Each phase is optional; their order is fixed.

const within = duration.optional();

const phases = z.strictObject({
  /** A release manager from a rotation, as the assign action finds one. */
  assign: assignSchema.extend({ within }).optional(),
  /** The procedure's own builds; the phase ends when every build of the kernel has ended well. */
  build: z.strictObject({ targets: z.array(id).min(1, 'needs at least one target'), within }).optional(),
  /** Testers try the build; `approvals` of them must report it good. */
  test: z.strictObject({
    testers: z.array(id).default([]),
    approvals: z.number().int().min(1).max(50).default(1),
    checklist: z.array(z.string().min(1)).default([]),
    within,
  }).optional(),
  /**
   * The packages go to the team's repository. With `repo`, the phase ends by
   * itself when the package appears there; without it, by `published`.
   */
  publish: z.strictObject({ repo: gateSchema.omit({ within: true }).optional(), within }).optional(),
});

export const procedureSchema = z.strictObject({
  phases: phases.prefault({}),
  /** A phase past its `within`: release.overdue once per this. */
  remind_every: duration.prefault('1d'),
  /** Reminders to the release manager before the support person is named too; as many again before the rotation is. */
  escalate_after: z.number().int().min(0).max(100).default(2),
  /** A newer kernel of the same stream supersedes an older one not yet announced. */
  supersede: z.boolean().default(true),
  /** Modules built for a kernel load on later kernels of the same ABI (weak-updates, kABI): the notice may say so. */
  reuse_on_same_abi: z.boolean().default(false),
});

export const proceduresSchema = z.record(id, procedureSchema).default({});

export type ProcedureConfig = z.output<typeof procedureSchema>;
