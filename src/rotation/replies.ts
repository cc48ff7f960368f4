import { createHash } from 'node:crypto';
import { HeraldError, errorMessage, isStoreError } from '../errors.js';
import type { Logger } from '../log.js';
import type { MailInput } from '../sources/source.js';
import type { AssignmentRow, ReplyToken } from '../store/assignments.js';
import type { Store } from '../store/index.js';
import { addressOf, authenticationProblem, automaticReason, referencedIds, replyAnswer, replyTokens, type ReplyWord, type StepWord } from './reply.js';
import type { AssignmentService } from './service.js';

/** What a mail watcher asks of each message before treating it as an announcement. */
export interface ReplySink {
  /** True when the mail belongs to the assignment procedure (acted on or refused): it is not an announcement. */
  handle(mail: MailInput, raw: Buffer | string): boolean;
}

export interface ReplyPolicy {
  people: Record<string, { email: string }>;
  /** Set: the receiving server's Authentication-Results must be there and must not report a DKIM or DMARC failure. */
  authservId?: string | undefined;
}

const OUR_ID = /^<kh\.[0-9a-f]{20}\./i;

/** A token as issued, or an assignment's old shared token (before per-person tokens), which proves as little as a list copy's. */
type Issued = Pick<ReplyToken, 'kind' | 'person'> & { assignment: AssignmentRow };

/**
 * Replies to assignment requests, read by any IMAP watcher. A reply is
 * recognised by the token of one of our request copies (in its subject or in
 * the Message-ID its In-Reply-To/References name). It acts only when it is
 * not automatic, comes from exactly one address that belongs to a person,
 * passes the receiving server's authentication check where one is
 * configured, carries no token issued to someone else, and its first line
 * is one of the words. A token from a list copy proves nothing about who
 * replied: a claim through it is confirmed at the claimer's own address.
 * Everything else is logged; a known person is told why.
 */
/** The release procedure's side of replies: tokens issued with mail about a kernel, and the steps they take. */
export interface StepReplies {
  resolveToken(token: string): { recordId: number; person: string } | undefined;
  replySeen(replyId: string): boolean;
  refuseReply(recordId: number, why: string, person: string | null, replyId: string, tell: boolean): string;
  actByReply(recordId: number, verb: StepWord, person: string, replyId: string, note: string): { ok: boolean; message: string };
}

const STEP_WORDS: readonly ReplyWord[] = ['tested', 'failed', 'published', 'abandon'];

export class ReplyHandler implements ReplySink {
  constructor(private readonly service: AssignmentService, private readonly store: Store, private readonly policy: ReplyPolicy, private readonly log: Logger, private readonly steps?: StepReplies) {}

  handle(mail: MailInput, raw: Buffer | string): boolean {
    try {
      return this.handleOne(mail, raw);
    } catch (err) {
      // The store could not take it now: the reply must not be lost, so the
      // mail watcher stops before it (its cursor stays) and reads it again.
      if (isStoreError(err)) throw new HeraldError('ETRANSIENT', `reply ${mail.messageId ?? ''} not handled yet: ${errorMessage(err)}`, {}, { cause: err });
      // A broken template or a bug: the reply is consumed (and logged), not retried for ever.
      this.log.error('reply to an assignment request could not be acted on', { message_id: mail.messageId, from: mail.from, error: errorMessage(err) });
      return true;
    }
  }

  private resolve(token: string): Issued | undefined {
    const t = this.store.assignments.issuedToken(token);
    if (t) {
      const assignment = this.store.assignments.get(t.assignment_id);
      return assignment ? { kind: t.kind, person: t.person, assignment } : undefined;
    }
    const legacy = this.store.assignments.byToken(token);
    return legacy ? { kind: 'list', person: null, assignment: legacy } : undefined;
  }

  private handleOne(mail: MailInput, raw: Buffer | string): boolean {
    const { store } = this;
    // Our own request, copied into the mailbox (the rotation list includes us, or a Bcc).
    if (mail.messageId && store.assignments.byMessageId(mail.messageId)) return true;
    const tokens = replyTokens(mail.subject, mail.headers);
    const all = [...new Set([...(tokens.subject ? [tokens.subject] : []), ...tokens.referenced])];
    const replyId = mail.messageId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`;
    const log = this.log.child({ reply: replyId, from: mail.from });
    const issued = all.map((t) => this.resolve(t)).filter((i): i is Issued => i !== undefined);
    const stepTokens = this.steps ? all.map((t) => this.steps!.resolveToken(t)).filter((x): x is { recordId: number; person: string } => x !== undefined) : [];
    if (issued.length === 0 && stepTokens.length > 0) return this.handleStep(mail, replyId, stepTokens, log);
    if (issued.length === 0) {
      if (all.length || referencedIds(mail.headers).some((id) => OUR_ID.test(id))) {
        log.warn('reply to an unknown assignment request ignored', { subject: mail.subject });
        return true;
      }
      return false;
    }
    const a = issued[0]!.assignment;
    if (store.assignments.replySeen(replyId)) return true;

    // Automatic mail first: it is never acted on and never answered (RFC 3834).
    const automatic = automaticReason(mail.headers, mail.subject);
    if (automatic) {
      this.service.refuse(a, `an automatic reply (${automatic})`, null, replyId, false);
      return true;
    }
    const addresses = mail.fromAddresses ?? [addressOf(mail.from)].filter((x): x is string => x !== undefined);
    if (addresses.length !== 1) {
      this.service.refuse(a, `From names ${addresses.length} addresses: a reply must come from one`, null, replyId, false);
      return true;
    }
    const address = addresses[0]!;
    const person = Object.entries(this.policy.people).find(([, p]) => p.email.toLowerCase() === address)?.[0];
    if (!person) {
      this.service.refuse(a, `from ${address}, who is not in people:`, null, replyId, false);
      return true;
    }
    const refuse = (why: string) => {
      const message = this.service.refuse(a, why, person, replyId, true);
      log.info('assignment reply refused', { assignment: a.id, person, reason: message });
      return true;
    };
    if (this.policy.authservId) {
      const problem = authenticationProblem(mail.headerValues?.['authentication-results'] ?? [], this.policy.authservId);
      if (problem) return refuse(`the mail did not pass authentication: ${problem}`);
    }
    if (new Set(issued.map((i) => i.assignment.id)).size > 1) return refuse('it carries the tokens of requests for different assignments');
    const foreign = issued.find((i) => i.kind === 'person' && i.person !== person);
    if (foreign) return refuse(`it answers the copy sent to ${foreign.person}, not the one sent to ${person}: answer your own copy`);
    const answer = replyAnswer(mail.text);
    if (!answer || STEP_WORDS.includes(answer.word)) return refuse('its first line is not one of the words claim, ack, decline (alone on the line; a note may follow on the next lines)');
    const own = issued.some((i) => i.kind === 'person' && i.person === person);
    if (!own) {
      // Only a list copy's token: anyone on the list (or who saw it) could have sent this.
      if (answer.word === 'decline') return refuse('a decline through the list cannot be verified: answer the copy sent to you');
      const message = this.service.confirmClaim(a, person, replyId);
      log.info('claim through the list: confirmation asked', { assignment: a.id, person, result: message });
      return true;
    }
    const verb = answer.word === 'confirm' ? 'claim' : answer.word as Exclude<ReplyWord, 'confirm' | StepWord>;
    const r = this.service.act(a, verb, person, 'email', replyId, answer.note);
    log.info(r.ok ? 'assignment reply acted on' : 'assignment reply refused', { assignment: a.id, verb, person, result: r.message });
    return true;
  }

  /**
   * A reply in a kernel's thread: tested, failed, published or abandon, by
   * the person the copy was sent to. Checked as assignment replies are.
   */
  private handleStep(mail: MailInput, replyId: string, tokens: { recordId: number; person: string }[], log: Logger): boolean {
    const steps = this.steps!;
    const recordId = tokens[0]!.recordId;
    if (steps.replySeen(replyId) || this.store.assignments.replySeen(replyId)) return true;
    const automatic = automaticReason(mail.headers, mail.subject);
    if (automatic) { steps.refuseReply(recordId, `an automatic reply (${automatic})`, null, replyId, false); return true; }
    const addresses = mail.fromAddresses ?? [addressOf(mail.from)].filter((x): x is string => x !== undefined);
    if (addresses.length !== 1) { steps.refuseReply(recordId, `From names ${addresses.length} addresses: a reply must come from one`, null, replyId, false); return true; }
    const address = addresses[0]!;
    const person = Object.entries(this.policy.people).find(([, p]) => p.email.toLowerCase() === address)?.[0];
    if (!person) { steps.refuseReply(recordId, `from ${address}, who is not in people:`, null, replyId, false); return true; }
    const refuse = (why: string) => { steps.refuseReply(recordId, why, person, replyId, true); return true; };
    if (this.policy.authservId) {
      const problem = authenticationProblem(mail.headerValues?.['authentication-results'] ?? [], this.policy.authservId);
      if (problem) return refuse(`the mail did not pass authentication: ${problem}`);
    }
    if (new Set(tokens.map((t) => t.recordId)).size > 1) return refuse('it carries the tokens of mails about different kernels');
    const foreign = tokens.find((t) => t.person !== person);
    if (foreign) return refuse(`it answers the copy sent to ${foreign.person}, not the one sent to ${person}: answer your own copy`);
    const answer = replyAnswer(mail.text);
    if (!answer || !STEP_WORDS.includes(answer.word)) return refuse('its first line is not one of the words tested, failed, published, abandon (alone on the line; a note may follow on the next lines)');
    const r = steps.actByReply(recordId, answer.word as StepWord, person, replyId, answer.note);
    log.info(r.ok ? 'release step by reply' : 'release step by reply refused', { release: recordId, verb: answer.word, person, result: r.message });
    return true;
  }
}
