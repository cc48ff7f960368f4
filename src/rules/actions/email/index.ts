import { createHash } from 'node:crypto';
import { didYouMean } from '../../../suggest.js';
import type { ActionContext, ActionOutcome, ActionRunner } from '../types.js';
import { emailSchema, type EmailParams } from './schema.js';
import { renderContext } from '../../../mail/context.js';
import { mailbox } from '../../../mail/address.js';
import { recipientProblem, resolveRecipients, ROLES } from '../../../mail/recipients.js';
import { issueToken, tokenTag } from '../../../rotation/reply.js';

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
    for (const [key, list] of [['to', params.to], ['cc', params.cc]] as const) {
      for (const r of list) {
        const problem = recipientProblem(r, env.people, env.rotations);
        if (problem) problems.push(`${key}: ${problem}${r in env.people || r.includes('@') || r.includes(':') ? '' : didYouMean(r, [...Object.keys(env.people), ...ROLES])}`);
      }
    }
    return problems;
  },

  run(ctx: ActionContext, params: EmailParams): ActionOutcome {
    const { store, event } = ctx;
    const at = ctx.clock.now().toISOString();
    const record = ctx.procedures.recordOf(event);
    const holders = ctx.procedures.holders(event, record);
    const context = { ...renderContext(event, { from: ctx.mail.from }, holders), ...ctx.procedures.templateContext(event, record) };
    const to = resolveRecipients(params.to, ctx.people, holders);
    const cc = resolveRecipients(params.cc, ctx.people, holders);
    let threadKey: string | null = null;
    let root: string | undefined;
    if (params.thread) {
      threadKey = `${params.thread}:${event.release_id ?? `event-${event.id}`}`;
      root = store.threads.root(threadKey);
    }
    const queue = (messageId: string, recipients: string[], ccList: string[], extra: Record<string, unknown>, tag?: string) => {
      const rendered = ctx.templates.render(params.template, { ...context, ...extra });
      const subject = tag && !rendered.subject.toLowerCase().includes(tag.toLowerCase()) ? `${rendered.subject} ${tag}` : rendered.subject;
      if (threadKey && !root) {
        store.threads.claimRoot(threadKey, messageId, at);
        root = messageId;
      }
      const inReplyTo = root === messageId ? null : root ?? null;
      store.outbox.enqueue({
        message_id: messageId, rule_run_id: ctx.runId, event_id: event.id, release_id: event.release_id,
        template: params.template, thread_key: threadKey, recipients, cc: ccList,
        subject, body: rendered.body, in_reply_to: inReplyTo, refs: inReplyTo,
      }, at);
      return subject;
    };
    const sent: string[] = [];
    let subject = '';
    if (!record) {
      // No procedure: one message to everyone, as a list would send it.
      const all = [...to.people.map(mailbox), ...to.addresses];
      if (all.length) {
        subject = queue(stableMessageId(event.id, ctx.ruleId, ctx.index, ctx.mail.domain), all, [...cc.people.map(mailbox), ...cc.addresses], { recipient: null });
        sent.push(...all);
      }
    } else {
      // In a procedure, each person's copy carries a token issued to them, so
      // their reply can act; plain addresses (lists, users) share one copy.
      const shared = to.addresses.length ? to.addresses : cc.addresses;
      if (shared.length) {
        subject = queue(stableMessageId(event.id, ctx.ruleId, ctx.index, ctx.mail.domain), shared, to.addresses.length ? cc.addresses : [], { recipient: null });
        sent.push(...shared);
      }
      const key = store.secrets.key('reply-token', at);
      for (const p of new Map([...to.people, ...cc.people].map((x) => [x.id, x])).values()) {
        const token = store.procedures.tokenFor(record.id, p.id)?.token ?? issueToken(key, `release:${record.id}`, { kind: 'person', person: p.id });
        store.procedures.saveToken({ token, record_id: record.id, person: p.id, address: p.email.toLowerCase() });
        const messageId = `<kh.${token}.${event.id}.${ctx.index}.${createHash('sha256').update(ctx.ruleId).digest('hex').slice(0, 8)}@${ctx.mail.domain}>`;
        subject = queue(messageId, [mailbox(p)], [], { recipient: p, reply: { token, tag: tokenTag(token) } }, tokenTag(token));
        sent.push(p.email);
      }
    }
    const missing = [...to.unresolved, ...cc.unresolved];
    if (sent.length === 0) {
      ctx.log.warn('mail not queued: no recipient resolved', { template: params.template, unresolved: missing });
      return { action: 'email', summary: `${params.template}: nobody to send to (${missing.join(', ') || 'no recipients'} not known yet)` };
    }
    return { action: 'email', summary: `queued ${params.template} to ${sent.join(', ')}: ${subject}${missing.length ? ` (nobody holds ${missing.join(', ')} yet)` : ''}` };
  },
};
