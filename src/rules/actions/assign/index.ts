import type { ActionContext, ActionOutcome, ActionRunner } from '../types.js';
import { didYouMean } from '../../../suggest.js';
import { assignSchema, type AssignActionParams } from '../../../rotation/assign-params.js';

export const assignAction: ActionRunner<typeof assignSchema> = {
  name: 'assign',
  schema: assignSchema,

  check(params: AssignActionParams, env) {
    const problems: string[] = [];
    if (!(params.rotation in env.rotations)) problems.push(`rotation: no rotation "${params.rotation}" in rotations:${didYouMean(params.rotation, Object.keys(env.rotations)) || (Object.keys(env.rotations).length ? ` (configured: ${Object.keys(env.rotations).join(', ')})` : '')}`);
    for (const [kind, name] of Object.entries(params.templates)) {
      if (!env.templates.has(name)) problems.push(`templates.${kind}: no template "${name}" in ${env.templates.dirs.join(' or ')}${didYouMean(name, env.templates.names())}`);
      else {
        const err = env.templates.compileError(name);
        if (err) problems.push(`templates.${kind}: ${err}`);
      }
    }
    return problems;
  },

  run(ctx: ActionContext, params: AssignActionParams): ActionOutcome {
    const a = ctx.assignments.create(ctx.event, ctx.ruleId, ctx.index, params);
    const who = a.state === 'claiming' ? `volunteers requested from rotation ${a.rotation}` : a.state === 'asking' ? `${a.person} asked (${a.mode})` : 'nobody available: the rotation was told';
    return { action: 'assign', summary: `assignment #${a.id}: ${who}` };
  },
};
