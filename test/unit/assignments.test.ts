import assert from 'node:assert/strict';
import type { MailInput } from '../../src/sources/source.js';
import { addressOf, referencedIds, replyVerb, subjectToken } from '../../src/rotation/reply.js';
import { ReplyHandler } from '../../src/rotation/replies.js';
import { silentLogger } from '../../src/log.js';
import { AssignmentBench, HOUR, PEOPLE } from '../helpers/assignments.js';

describe('assignments: reading replies', () => {
  it('takes the first unquoted line\'s first word, and only the words the templates suggest', () => {
    assert.equal(replyVerb('claim\n\nOn Mon, Herald wrote:\n> decline'), 'claim');
    assert.equal(replyVerb('\n  Ack, will do.\n'), 'ack');
    assert.equal(replyVerb('> claim\nDecline - travelling'), 'decline');
    assert.equal(replyVerb('Accepted!'), 'ack');
    assert.equal(replyVerb('no problem, I will claim it'), undefined, 'free text is never guessed at');
    assert.equal(replyVerb('claimer'), undefined);
    assert.equal(replyVerb(''), undefined);
  });
  it('finds tokens, references and addresses', () => {
    assert.equal(subjectToken('Re: Release manager wanted: x [KH-0123456789ABCDEF0123]'), '0123456789abcdef0123');
    assert.equal(subjectToken('Re: [KH-0123]'), undefined);
    assert.deepEqual(referencedIds({ 'in-reply-to': '<a@x>', references: '<r@x> <a@x>' }), ['<a@x>', '<r@x>']);
    assert.equal(addressOf('"Alice A" <Alice@Test.Example>'), 'alice@test.example');
    assert.equal(addressOf('bob@test.example (Bob)'), 'bob@test.example');
    assert.equal(addressOf('undisclosed'), undefined);
  });
});

describe('assignments: the procedure (real SQLite, a test clock)', () => {
  let b: AssignmentBench;
  afterEach(() => b.close());

  it('duty: the person on duty is asked; a missed ack and a decline move on in rotation order; then the whole rotation is told', () => {
    b = new AssignmentBench();
    let a = b.assign('duty');
    assert.equal(a.state, 'asking');
    assert.equal(a.person, 'carol', 'carol is on duty on 2026-03-02');
    assert.equal(b.advance(HOUR - 1000), 0, 'not before the deadline');
    assert.equal(b.advance(1000), 1);
    a = b.store.assignments.get(a.id)!;
    assert.equal(a.person, 'alice', 'after carol comes alice');
    const r = b.service.act(a, 'decline', 'alice', 'cli');
    assert.ok(r.ok);
    assert.equal(r.assignment.person, 'bob', 'a decline moves on at once');
    b.advance(HOUR);
    a = b.store.assignments.get(a.id)!;
    assert.equal(a.state, 'unassigned');
    assert.deepEqual(a.asked, ['carol', 'alice', 'bob']);
    assert.deepEqual(b.events(), ['requested:carol', 'expired:carol', 'requested:alice', 'declined:alice', 'requested:bob', 'expired:bob', 'expired:-']);
    assert.deepEqual(b.mails(), ['assignment>carol', 'assignment>alice', 'assignment>bob', 'assignment-unanswered>alice,bob,carol']);
    assert.equal(b.advance(24 * HOUR), 0, 'an unassigned assignment has no deadline left');

    const late = b.service.act(a, 'claim', 'carol', 'email', '<late@x>');
    assert.ok(late.ok, 'anyone in the rotation may still claim it');
    assert.equal(late.assignment.state, 'accepted');
    assert.equal(late.assignment.person, 'carol');
    assert.equal(b.mails().at(-1), 'assignment>carol', 'the claimer gets the assignment as confirmation');
  });

  it('max_escalations bounds how many more are asked', () => {
    b = new AssignmentBench();
    const a = b.assign('duty', { max_escalations: 0 });
    b.advance(HOUR);
    assert.equal(b.store.assignments.get(a.id)!.state, 'unassigned');
    assert.deepEqual(b.store.assignments.get(a.id)!.asked, ['carol']);
  });

  it('people on leave are neither on duty nor asked', () => {
    b = new AssignmentBench({ leave: [{ person: 'carol', from: '2026-03-01', to: '2026-03-08' }] });
    const a = b.assign('duty');
    assert.equal(a.person, 'alice', 'carol is away: the next member is on duty');
    b.advance(HOUR);
    b.advance(HOUR);
    assert.deepEqual(b.store.assignments.get(a.id)!.asked, ['alice', 'bob']);
    assert.equal(b.store.assignments.get(a.id)!.state, 'unassigned', 'carol is not asked while away');
  });

  it('fair: over a sequence of kernels nobody gets two before every available member got one, pending asks included', () => {
    b = new AssignmentBench({ members: ['alice', 'bob', 'carol', 'dave'], leave: [{ person: 'dave', from: '2026-01-01', to: '2026-12-31' }] });
    const picks: string[] = [];
    for (let i = 0; i < 6; i++) {
      const a = b.assign('fair');
      picks.push(a.person!);
      // Every other one is still waiting for its ack when the next kernel comes.
      if (i % 2 === 1) b.service.act(a, 'ack', a.person!, 'cli');
      b.now += HOUR / 4;
    }
    assert.deepEqual(picks, ['alice', 'bob', 'carol', 'alice', 'bob', 'carol']);
  });

  it('volunteer: the rotation is asked; first claim wins; later answers change nothing', () => {
    b = new AssignmentBench();
    const a = b.assign('volunteer');
    assert.equal(a.state, 'claiming');
    assert.deepEqual(b.mails(), ['volunteer-request>alice,bob,carol']);
    const subject = b.store.outbox.list()[0]!.subject;
    assert.match(subject, new RegExp(`\\[KH-${a.token}\\]$`), 'the token is in the subject');
    assert.match(b.store.outbox.list()[0]!.message_id, new RegExp(a.token), 'and in the Message-ID');
    assert.equal(b.service.act(a, 'claim', 'dave', 'cli').ok, false, 'dave is not a member');
    assert.ok(b.service.act(a, 'claim', 'bob', 'cli').ok);
    const second = b.service.act(a, 'claim', 'alice', 'cli');
    assert.equal(second.ok, false);
    assert.match(second.message, /already accepted by bob/);
    assert.equal(b.advance(3 * HOUR), 0, 'the claim deadline is gone');
    assert.deepEqual(b.events(), ['requested:-', 'accepted:bob']);
    assert.deepEqual(b.store.assignments.logFor(a.id).map((l) => `${l.step}:${l.person ?? '-'}`),
      ['created:-', 'volunteers requested:-', 'claim ignored:dave', 'claimed:bob', 'claim ignored:alice']);
  });

  it('volunteer: without a claim in time, fairness picks, skipping who declined to volunteer; the asked person may be overtaken by a claim', () => {
    b = new AssignmentBench();
    const a = b.assign('volunteer');
    assert.ok(b.service.act(a, 'decline', 'alice', 'email').ok);
    b.advance(2 * HOUR);
    let now = b.store.assignments.get(a.id)!;
    assert.equal(now.state, 'asking');
    assert.equal(now.person, 'bob', 'alice declined, bob is next by fairness');
    assert.equal(b.service.act(now, 'ack', 'carol', 'email').ok, false, 'carol was not asked');
    assert.ok(b.service.act(now, 'claim', 'carol', 'email').ok, 'but she may claim it');
    now = b.store.assignments.get(a.id)!;
    assert.equal(now.person, 'carol');
    assert.equal(b.service.act(now, 'ack', 'bob', 'email').ok, false, 'bob\'s request has expired');
    assert.deepEqual(b.events(), ['requested:-', 'declined:alice', 'expired:-', 'requested:bob', 'accepted:carol']);
  });

  describe('replies by mail', () => {
    const reply = (over: Partial<MailInput> & { headers?: Record<string, string> }): MailInput => ({
      subject: 'Re: x', from: 'Bob B <bob@test.example>', text: 'claim\n', headers: {}, messageId: `<r${Math.random()}@x>`, ...over,
    });

    it('acts on In-Reply-To or the subject token from a member; ignores the rest, logging why', () => {
      b = new AssignmentBench();
      const handler = new ReplyHandler(b.service, b.store, PEOPLE, silentLogger());
      const a = b.assign('volunteer');
      const request = b.store.outbox.list()[0]!;
      assert.equal(handler.handle({ subject: 'USN-1', from: 'x@y', text: '', headers: {} }, 'raw'), false, 'an announcement is not a reply');
      assert.equal(handler.handle(request.message_id ? { ...reply({}), messageId: request.message_id } : reply({}), 'raw'), true, 'our own request, copied back, is not acted on');
      assert.equal(handler.handle(reply({ from: 'mallory@evil.example', headers: { 'in-reply-to': request.message_id } }), 'raw'), true);
      assert.equal(handler.handle(reply({ subject: 'Re: [KH-ffffffffffffffffffff]' }), 'raw'), true, 'an unknown token is consumed, not acted on');
      assert.equal(handler.handle(reply({ subject: `Re: ${request.subject}`, text: 'Out of office', headers: { 'auto-submitted': 'auto-replied' } }), 'raw'), true);
      assert.equal(handler.handle(reply({ subject: `Re: ${request.subject}`, text: 'sure, why not' }), 'raw'), true);
      assert.equal(handler.handle(reply({ subject: 'Re: [KH-ffffffffffffffffffff]', headers: { 'in-reply-to': request.message_id } }), 'raw'), true, 'a token that contradicts the reference');
      assert.equal(b.store.assignments.get(a.id)!.state, 'claiming', 'none of that changed anything');

      const claim = reply({ headers: { 'in-reply-to': request.message_id }, messageId: '<claim@x>' });
      assert.equal(handler.handle(claim, 'raw'), true);
      assert.equal(handler.handle(claim, 'raw'), true, 'read twice');
      assert.equal(b.store.assignments.get(a.id)!.person, 'bob');
      assert.deepEqual(b.events(), ['requested:-', 'accepted:bob'], 'acted on once');
      const steps = b.store.assignments.logFor(a.id).map((l) => `${l.step}:${l.detail ?? ''}`);
      assert.ok(steps.some((s) => /mallory@evil\.example, who is not in people/.test(s)));
      assert.ok(steps.some((s) => /automatic reply/.test(s)));
      assert.ok(steps.some((s) => /neither claim, ack nor decline/.test(s)));
      assert.ok(steps.some((s) => /token does not match/.test(s)));
    });
  });
});
