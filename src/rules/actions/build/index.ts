import type { ActionContext, ActionOutcome, ActionRunner } from '../types.js';
import { didYouMean } from '../../../suggest.js';
import { buildSchema, type BuildActionParams } from './schema.js';

export const buildAction: ActionRunner<typeof buildSchema> = {
  name: 'build',
  schema: buildSchema,

  check(params: BuildActionParams, env) {
    const names = Object.keys(env.builds);
    return params.target in env.builds ? [] : [`target: no build target "${params.target}" in builds:${didYouMean(params.target, names) || (names.length ? ` (configured: ${names.join(', ')})` : '')}`];
  },

  /** Rows only: the tracker dispatches after the transaction commits, so a crash here dispatches nothing. */
  run(ctx: ActionContext, params: BuildActionParams): ActionOutcome {
    const rows = ctx.builds.create(ctx.event, ctx.ruleId, ctx.index, params.target);
    const combos = rows.map((r) => (r.combo_key ? `[${r.combo_key}]` : '')).filter(Boolean);
    return { action: 'build', summary: `${rows.length} build${rows.length === 1 ? '' : 's'} of ${params.target} queued${combos.length ? ` ${combos.join(' ')}` : ''}` };
  },
};
