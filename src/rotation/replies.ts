import { createHash } from 'node:crypto';
import type { Logger } from '../log.js';
import type { MailInput } from '../sources/source.js';
import type { Store } from '../store/index.js';
import { addressOf, referencedIds, replyVerb, subjectToken } from './reply.js';
import type { AssignmentService } from './service.js';

/** What a mail watcher asks of each message before treating it as an announcement. */
export interface ReplySink {
  /** True when the mail belongs to the assignment procedure (acted on or refused): it is not an announcement. */
  handle(mail: MailInput, raw: Buffer | string): boolean;
}

const OUR_ID = /^<kh\.[0-9a-f]{20}\./i;

function autoReply(mail: MailInput): boolean {
  const auto = (mail.headers['auto-submitted'] ?? 'no').toLowerCase();
  const precedence = (mail.headers.precedence ?? '').toLowerCase();
  return !auto.startsWith('no') || /^(bulk|junk|auto_reply)$/.test(precedence);
}

/**
 * Replies to assignment requests, read by any IMAP watcher. A reply is
 * recognised by In-Reply-To/References naming one of our requests, or by the
 * token in its subject; it acts only when it comes from a member's address
 * and starts with claim, ack or decline. Everything else is logged and
 * ignored.
 */
export class ReplyHandler implements ReplySink {
  constructor(private readonly service: AssignmentService, private readonly store: Store, private readonly people: Record<string, { email: string }>, private readonly log: Logger) {}

  handle(mail: MailInput, raw: Buffer | string): boolean {
    try {
      return this.handleOne(mail, raw);
    } catch (err) {
      // A broken template or database error: the reply is consumed, not mistaken for an announcement.
      this.log.error('reply to an assignment request could not be acted on', { message_id: mail.messageId, from: mail.from, error: (err as Error).message });
      return true;
    }
  }

  private handleOne(mail: MailInput, raw: Buffer | string): boolean {
    const { store } = this;
    // Our own request, copied into the mailbox (the rotation list includes us, or a Bcc).
    if (mail.messageId && store.assignments.byMessageId(mail.messageId)) return true;
    const refs = referencedIds(mail.headers);
    const token = subjectToken(mail.subject);
    const byRef = refs.map((id) => store.assignments.byMessageId(id)).find((a) => a !== undefined);
    const a = byRef ?? (token ? store.assignments.byToken(token) : undefined);
    const replyId = mail.messageId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`;
    const log = this.log.child({ reply: replyId, from: mail.from });
    if (!a) {
      if (token || refs.some((id) => OUR_ID.test(id))) {
        log.warn('reply to an unknown assignment request ignored', { subject: mail.subject });
        return true;
      }
      return false;
    }
    if (store.assignments.replySeen(replyId)) return true;
    if (token && token !== a.token) {
      this.service.ignore(a, 'reply ignored', `the subject's token does not match the request it replies to`, null, 'email', replyId);
      return true;
    }
    if (autoReply(mail)) {
      this.service.ignore(a, 'reply ignored', 'an automatic reply', null, 'email', replyId);
      return true;
    }
    const address = addressOf(mail.from);
    const person = Object.entries(this.people).find(([, p]) => p.email.toLowerCase() === address)?.[0];
    if (!person) {
      this.service.ignore(a, 'reply ignored', `from ${address ?? 'no address'}, who is not in people:`, null, 'email', replyId);
      return true;
    }
    const verb = replyVerb(mail.text);
    if (!verb) {
      this.service.ignore(a, 'reply ignored', 'the first line says neither claim, ack nor decline', person, 'email', replyId);
      return true;
    }
    const r = this.service.act(a, verb, person, 'email', replyId);
    log.info(r.ok ? 'assignment reply acted on' : 'assignment reply refused', { assignment: a.id, verb, person, result: r.message });
    return true;
  }
}
