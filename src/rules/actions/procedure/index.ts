import * as z from '../../../zod.js';
import { id } from '../../../fields.js';
import { didYouMean } from '../../../suggest.js';
import type { ActionContext, ActionOutcome, ActionRunner } from '../types.js';

export const procedureActionSchema = z.strictObject({ name: id });
type Params = z.output<typeof procedureActionSchema>;

/** Starts a procedure (procedures: NAME) for the kernel of a kernel.released event. */
export const procedureAction: ActionRunner<typeof procedureActionSchema> = {
  name: 'procedure',
  schema: procedureActionSchema,

  check(params: Params, env) {
    const names = Object.keys(env.procedures);
    return params.name in env.procedures ? [] : [`name: no procedure "${params.name}" in procedures:${didYouMean(params.name, names) || (names.length ? ` (configured: ${names.join(', ')})` : '')}`];
  },

  run(ctx: ActionContext, params: Params): ActionOutcome {
    const { record, created } = ctx.procedures.start(ctx.event, ctx.ruleId, params.name);
    return { action: 'procedure', summary: `${created ? 'started' : 'already in'} procedure ${params.name}: release record #${record.id}, ${record.phase}` };
  },
};
