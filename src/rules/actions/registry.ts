import * as z from '../../zod.js';
import type { ActionRunner, FileRef } from './types.js';
import { didYouMean } from '../../suggest.js';
import { emailAction } from './email/index.js';
import { assignAction } from './assign/index.js';
import { buildAction } from './build/index.js';
import { procedureAction } from './procedure/index.js';
import { webhookAction } from './webhook/index.js';

// One line per action type, each in its own folder.
export const actions: readonly ActionRunner[] = [
  assignAction as unknown as ActionRunner,
  buildAction as unknown as ActionRunner,
  emailAction as unknown as ActionRunner,
  procedureAction as unknown as ActionRunner,
  webhookAction as unknown as ActionRunner,
];

export function actionByName(name: string): ActionRunner | undefined {
  return actions.find((a) => a.name === name);
}

/** A `do:` entry is an object with exactly one key, the action's name. */
export const actionSchema = z.record(z.string(), z.unknown()).transform((obj, ctx) => {
  const keys = Object.keys(obj);
  if (keys.length !== 1) {
    ctx.addIssue({ code: 'custom', message: `must have exactly one action key (one of ${actions.map((a) => a.name).join(', ')}), found ${keys.length ? keys.join(', ') : 'none'}` });
    return z.NEVER;
  }
  const name = keys[0]!;
  const runner = actionByName(name);
  if (!runner) {
    ctx.addIssue({ code: 'custom', path: [name], message: `unknown action (known: ${actions.map((a) => a.name).join(', ')})${didYouMean(name, actions.map((a) => a.name))}` });
    return z.NEVER;
  }
  const parsed = runner.schema.safeParse(obj[name]);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: [name, ...issue.path] } as never);
    return z.NEVER;
  }
  return { action: name, params: parsed.data as unknown };
});

export type RuleAction = z.output<typeof actionSchema>;

/** Every file the rules' actions name, keyed by where it stands in the config (`rules[0].do[1].webhook.url_file`). */
export function actionFiles(rules: readonly { do: readonly RuleAction[] }[]): FileRef[] {
  return rules.flatMap((r, i) => r.do.flatMap((a, j) =>
    (actionByName(a.action)?.files?.(a.params) ?? []).map((f) => ({ ...f, key: `rules[${i}].do[${j}].${a.action}.${f.key}` }))));
}
