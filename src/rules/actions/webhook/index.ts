import { didYouMean } from '../../../suggest.js';
import { HeraldError, errorMessage } from '../../../errors.js';
import { renderContext } from '../../../mail/context.js';
import { displayUrl } from '../../../mail/webhook-sender.js';
import type { ActionContext, ActionOutcome, ActionRunner } from '../types.js';
import { stableMessageId } from '../email/index.js';
import { webhookSchema, type WebhookParams } from './schema.js';

/**
 * A webhook (a chat channel, an incident tool) through the outbox: the body is
 * rendered and queued in the rule run's transaction and sent by the outbox
 * worker with mail's retries and record, so each (event, rule, action) is
 * delivered once; only the HTTP request's own window (sent, the reply lost
 * to a crash) can repeat it.
 */
export const webhookAction: ActionRunner<typeof webhookSchema> = {
  name: 'webhook',
  schema: webhookSchema,

  check(params: WebhookParams, env) {
    if (params.template === undefined) return [];
    if (!env.templates.has(params.template)) return [`template: no template "${params.template}" in ${env.templates.dirs.join(' or ')}${didYouMean(params.template, env.templates.names())}`];
    const err = env.templates.compileError(params.template);
    return err ? [`template: ${err}`] : [];
  },

  files(params: WebhookParams) {
    return [
      ...(params.url_file ? [{ key: 'url_file', ref: params.url_file, set: (path: string) => { params.url_file = path; } }] : []),
      ...Object.entries(params.secret_headers).map(([name, ref]) => ({ key: `secret_headers.${name}`, ref, set: (path: string) => { params.secret_headers[name] = path; } })),
    ];
  },

  run(ctx: ActionContext, params: WebhookParams): ActionOutcome {
    const { event } = ctx;
    let subject = `${event.type} #${event.id}`;
    let body = JSON.stringify({ id: event.id, type: event.type, created_at: event.created_at, payload: event.payload });
    if (params.template !== undefined) {
      const record = ctx.procedures.recordOf(event);
      const context = { ...renderContext(event, { from: ctx.mail.from }, ctx.procedures.holders(event, record)), ...ctx.procedures.templateContext(event, record) };
      const rendered = ctx.templates.render(params.template, context);
      try {
        JSON.parse(rendered.body);
      } catch (err) {
        throw new HeraldError('ETEMPLATE', `webhook template ${params.template} did not render JSON: ${errorMessage(err)}`, { template: params.template });
      }
      subject = rendered.subject;
      body = rendered.body;
    }
    const target = { url: params.url, url_file: params.url_file, method: params.method, headers: params.headers, secret_headers: params.secret_headers };
    ctx.store.outbox.enqueue({
      message_id: stableMessageId(event.id, ctx.ruleId, ctx.index, ctx.mail.domain), rule_run_id: ctx.runId, event_id: event.id, release_id: event.release_id,
      template: params.template ?? '(event)', thread_key: null, recipients: [displayUrl(target)], cc: [], subject, body, in_reply_to: null, refs: null,
      kind: 'webhook', webhook: target,
    }, ctx.clock.now().toISOString());
    return { action: 'webhook', summary: `queued ${params.method} to ${displayUrl(target)}` };
  },
};
