import { createHash } from 'node:crypto';
import { didYouMean } from '../../../suggest.js';
import type { ActionContext, ActionOutcome, ActionRunner } from '../types.js';
import { emailSchema, type EmailParams } from './schema.js';
import { renderContext } from '../../../mail/context.js';
import { mailbox } from '../../../mail/address.js';

const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;

function resolveRecipient(r: string, people: Record<string, { name: string; email: string }>): string {
  const p = people[r];
  return p ? mailbox(p) : r;
}

/**
 * A stable Message-ID: the same (event, rule, action) always gets the same
 * one, so a message re-queued after a crash is recognisably the same message.
 */
export function stableMessageId(eventId: number, ruleId: string, index: number, domain: string): string {
  const h = createHash('sha256').update(`${eventId}\u0000${ruleId}\u0000${index}`).digest('hex').slice(0, 12);
  return `<kh.${eventId}.${index}.${h}@${domain}>`;
}

export const emailAction: ActionRunner<typeof emailSchema> = {
  name: 'email',
  schema: emailSchema,

  check(params: EmailParams, env) {
    const problems: string[] = [];
    if (!env.templates.has(params.template)) problems.push(`template: no template "${params.template}" in ${env.templates.dirs.join(' or ')}${didYouMean(params.template, env.templates.names())}`);
    else {
      const err = env.templates.compileError(params.template);
      if (err) problems.push(`template: ${err}`);
    }
    for (const r of [...params.to, ...params.cc]) {
      if (!EMAIL.test(r) && !(r in env.people)) problems.push(`to: "${r}" is neither an email address nor a person in people:${didYouMean(r, Object.keys(env.people))}`);
    }
    return problems;
  },

  run(ctx: ActionContext, params: EmailParams): ActionOutcome {
    const { store, event } = ctx;
    const at = ctx.clock.now().toISOString();
    const messageId = stableMessageId(event.id, ctx.ruleId, ctx.index, ctx.mail.domain);
    const rendered = ctx.templates.render(params.template, renderContext(event, { from: ctx.mail.from }, ctx.assignments.roles(event.release_id)));
    let inReplyTo: string | null = null;
    let threadKey: string | null = null;
    if (params.thread) {
      threadKey = `${params.thread}:${event.release_id ?? `event-${event.id}`}`;
      const root = store.threads.root(threadKey);
      if (root) inReplyTo = root;
      else store.threads.claimRoot(threadKey, messageId, at);
    }
    const to = params.to.map((r) => resolveRecipient(r, ctx.people));
    store.outbox.enqueue({
      message_id: messageId, rule_run_id: ctx.runId, event_id: event.id, release_id: event.release_id,
      template: params.template, thread_key: threadKey, recipients: to,
      cc: params.cc.map((r) => resolveRecipient(r, ctx.people)),
      subject: rendered.subject, body: rendered.body, in_reply_to: inReplyTo, refs: inReplyTo,
    }, at);
    return { action: 'email', summary: `queued ${params.template} to ${to.join(', ')}: ${rendered.subject}` };
  },
};
