import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import type { PersonRef } from '../domain.js';
import { formatDuration } from '../duration.js';
import type { TemplateSet } from '../mail/templates.js';
import type { AssignmentRow } from '../store/assignments.js';
import type { Store } from '../store/index.js';
import { issueToken, tokenTag } from './reply.js';
import { mailbox } from '../mail/address.js';

export type RequestKind = 'volunteer' | 'assignment' | 'unanswered' | 'confirm' | 'refused';

/** Who one copy of a request goes to: a person (their own token) or a list address (a token that proves nothing about who answers). */
export type Audience = { kind: 'person'; person: PersonRef } | { kind: 'list'; address: string };

export interface MailerDeps {
  store: Store;
  clock: Clock;
  templates: TemplateSet;
  mail: { from: string; domain: string };
}

export interface AssignTemplates { volunteer: string; assignment: string; unanswered: string; confirm?: string; refused?: string }

const DEFAULT_TEMPLATES: Record<RequestKind, string> = {
  volunteer: 'volunteer-request', assignment: 'assignment', unanswered: 'assignment-unanswered', confirm: 'reply-confirm', refused: 'reply-refused',
};

export function templateFor(a: AssignmentRow, kind: RequestKind): string {
  return (a.params.templates as Partial<AssignTemplates> | undefined)?.[kind] ?? DEFAULT_TEMPLATES[kind];
}

/**
 * What an assignment mail's template sees: the kernel (or driver) as the
 * originating event had it, the assignment with its deadline in the
 * rotation's time zone, who is asked, and the rotation's members.
 */
export function assignmentContext(a: AssignmentRow, extra: {
  person: PersonRef | null; members: PersonRef[]; timezone: string; from: string; eventId: number;
  release_manager: PersonRef | null; support_person: PersonRef | null; claimed?: boolean; reason?: string;
}): Record<string, unknown> {
  return {
    kernel: a.subject.kernel ?? null,
    driver: a.subject.driver ?? null,
    event: { id: extra.eventId },
    assignment: {
      id: a.id, rotation: a.rotation, mode: a.mode, state: a.state,
      deadline: a.deadline,
      deadline_local: a.deadline ? DateTime.fromISO(a.deadline, { zone: extra.timezone }).toFormat("yyyy-MM-dd HH:mm ZZZZ") : null,
      ack_within: formatDuration(a.ack_within_ms), claim_within: formatDuration(a.claim_within_ms),
      escalations: a.escalations, asked: a.asked, declined: a.declined,
      claimed: extra.claimed ?? false, reason: extra.reason ?? null,
    },
    person: extra.person,
    rotation: { name: a.rotation, members: extra.members },
    release_manager: extra.release_manager,
    support_person: extra.support_person,
    config: { mail: { from: extra.from } },
  };
}

/**
 * Queues one copy of a request per audience, each with its own token in the
 * subject ("[KH-<token>]", for mail clients that drop the references) and in
 * its Message-ID (which a reply's In-Reply-To names). The token is issued to
 * that copy's recipient alone: a reply acts only with the token issued to
 * its sender. Each recipient's mails of one assignment form one thread.
 */
export function queueRequest(deps: MailerDeps, a: AssignmentRow, kind: RequestKind, to: Audience[], context: Record<string, unknown>, eventId: number, at: string): string[] {
  const { store } = deps;
  const key = store.secrets.key('reply-token', at);
  const template = templateFor(a, kind);
  const ids: string[] = [];
  for (const audience of to) {
    const address = audience.kind === 'person' ? audience.person.email : audience.address;
    const token = issueToken(key, a.id, audience.kind === 'person' ? { kind: 'person', person: audience.person.id } : { kind: 'list', address });
    store.assignments.saveToken({ token, assignment_id: a.id, kind: audience.kind, person: audience.kind === 'person' ? audience.person.id : null, address: address.toLowerCase() });
    const tag = tokenTag(token);
    const rendered = deps.templates.render(template, {
      ...context,
      assignment: { ...(context.assignment as Record<string, unknown>), token, tag },
      recipient: audience.kind === 'person' ? audience.person : { id: null, name: address, email: address },
    });
    const subject = rendered.subject.toLowerCase().includes(tag.toLowerCase()) ? rendered.subject : `${rendered.subject} ${tag}`;
    const thread = `assignment:${a.id}:${audience.kind}:${audience.kind === 'person' ? audience.person.id : address.toLowerCase()}`;
    const root = store.threads.root(thread);
    const seq = store.assignments.messageCount(a.id) + 1;
    const messageId = `<kh.${token}.${seq}.${kind}@${deps.mail.domain}>`;
    if (!root) store.threads.claimRoot(thread, messageId, at);
    store.outbox.enqueue({
      message_id: messageId, rule_run_id: null, event_id: eventId, release_id: a.release_id,
      template, thread_key: thread, recipients: [audience.kind === 'person' ? mailbox(audience.person) : address], cc: [],
      subject, body: rendered.body, in_reply_to: root ?? null, refs: root ?? null,
    }, at);
    store.assignments.addMessage(messageId, a.id);
    ids.push(messageId);
  }
  return ids;
}
