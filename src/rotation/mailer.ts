import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import type { PersonRef } from '../domain.js';
import { formatDuration } from '../duration.js';
import type { TemplateSet } from '../mail/templates.js';
import type { AssignmentRow } from '../store/assignments.js';
import type { Store } from '../store/index.js';
import { tokenTag } from './reply.js';
import { mailbox } from '../mail/address.js';

export type RequestKind = 'volunteer' | 'assignment' | 'unanswered';

export interface MailerDeps {
  store: Store;
  clock: Clock;
  templates: TemplateSet;
  mail: { from: string; domain: string };
}

export interface AssignTemplates { volunteer: string; assignment: string; unanswered: string }

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
      id: a.id, token: a.token, tag: tokenTag(a.token), rotation: a.rotation, mode: a.mode, state: a.state,
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
 * Queues one request mail. Its Message-ID carries the assignment's token and
 * is remembered, so a reply's In-Reply-To finds the assignment; its subject
 * carries the token too, for mail clients that drop the references. All mails
 * of one assignment form one thread.
 */
export function queueRequest(deps: MailerDeps, a: AssignmentRow, kind: RequestKind, to: PersonRef[], context: Record<string, unknown>, eventId: number, at: string): string {
  const { store } = deps;
  const template = (a.params.templates as AssignTemplates)[kind];
  const rendered = deps.templates.render(template, context);
  const tag = tokenTag(a.token);
  const subject = rendered.subject.toLowerCase().includes(tag.toLowerCase()) ? rendered.subject : `${rendered.subject} ${tag}`;
  const thread = `assignment:${a.id}`;
  const root = store.threads.root(thread);
  const seq = store.assignments.messageCount(a.id) + 1;
  const messageId = `<kh.${a.token}.${seq}.${kind}@${deps.mail.domain}>`;
  if (!root) store.threads.claimRoot(thread, messageId, at);
  store.outbox.enqueue({
    message_id: messageId, rule_run_id: null, event_id: eventId, release_id: a.release_id,
    template, thread_key: thread, recipients: to.map(mailbox), cc: [],
    subject, body: rendered.body, in_reply_to: root ?? null, refs: root ?? null,
  }, at);
  store.assignments.addMessage(messageId, a.id);
  return messageId;
}
