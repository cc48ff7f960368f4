import assert from 'node:assert/strict';
import { addressOf, authenticationProblem, automaticReason, referencedIds, replyAnswer, replyVerb, subjectToken } from '../../src/rotation/reply.js';
import { silentLogger } from '../../src/log.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssignmentBench, HOUR, PEOPLE } from '../helpers/assignments.js';
import { AssignmentService } from '../../src/rotation/service.js';
import { TemplateSet } from '../../src/mail/templates.js';

describe('assignments: reading replies', () => {
  it('takes the whole first unquoted line, which must be one of the words; the next lines are the note', () => {
    assert.equal(replyVerb('claim\n\nOn Mon, Herald wrote:\n> decline'), 'claim');
    assert.equal(replyVerb('\n  Ack.\n'), 'ack');
    assert.equal(replyVerb('\n  Ack, will do.\n'), undefined, 'a sentence is not an answer');
    assert.equal(replyVerb('Accepted: I am out of office until Monday.'), undefined, 'the first word of a sentence is not an answer');
    assert.equal(replyVerb('> claim\nDecline\ntravelling'), 'decline');
    assert.deepEqual(replyAnswer('On Mon, Herald wrote:\n> claim?\n\ndecline\ntravelling until the 12th\n-- \nAlice'), { word: 'decline', note: 'travelling until the 12th' });
    assert.equal(replyVerb('Accepted!'), 'ack');
    assert.equal(replyVerb('confirm'), 'confirm');
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
  it('knows automatic mail by the marks the mail world uses', () => {
    const auto = (h: Record<string, string>, subject = 'Re: Release manager wanted') => automaticReason(h, subject);
    assert.equal(auto({}), undefined);
    assert.equal(auto({ 'auto-submitted': 'no' }), undefined);
    assert.match(auto({ 'auto-submitted': 'auto-replied' })!, /Auto-Submitted/);
    assert.match(auto({ 'x-autoreply': 'yes' })!, /x-autoreply/);
    assert.match(auto({ 'x-autorespond': 'vacation' })!, /x-autorespond/);
    assert.match(auto({ 'x-auto-response-suppress': 'All' })!, /Suppress/);
    assert.match(auto({ precedence: 'bulk' })!, /Precedence/);
    assert.equal(auto({ precedence: 'list' }), undefined, 'a human reply relayed by a list');
    assert.match(auto({ 'return-path': '<>' })!, /empty Return-Path/);
    assert.equal(auto({ 'return-path': '<alice@test.example>' }), undefined);
    for (const s of ['Automatic reply: Release manager wanted', 'Out of Office: x', 'Autoreply: x', 'Abwesenheitsnotiz: x', 'Réponse automatique : x']) assert.ok(auto({}, s), s);
    assert.equal(auto({}, 'Re: autoreplies considered harmful? [KH-0123456789abcdef0123]'), undefined);
  });
  it('reads our server\'s Authentication-Results, the topmost one only', () => {
    const id = 'mx.test.example';
    assert.equal(authenticationProblem(['mx.test.example 1; spf=pass smtp.mailfrom=test.example; dkim=pass header.d=test.example; dmarc=pass'], id), undefined);
    assert.equal(authenticationProblem(['mx.test.example; dkim=none; dmarc=none'], id), undefined, 'unsigned mail is not a failure');
    assert.match(authenticationProblem(['mx.test.example; dkim=fail (bad signature) header.d=test.example'], id)!, /dkim=fail/);
    assert.equal(authenticationProblem(['mx.test.example; dkim=fail header.d=list.example; dkim=pass header.d=test.example'], id), undefined, 'one passing signature is enough');
    assert.match(authenticationProblem(['mx.test.example; dkim=pass; dmarc=fail (p=reject)'], id)!, /dmarc=fail/);
    assert.match(authenticationProblem(['other.example; dkim=pass'], id)!, /no Authentication-Results from mx.test.example/);
    assert.match(authenticationProblem(['mx.test.example; dmarc=fail', 'mx.test.example; dmarc=pass'], id)!, /dmarc=fail/, 'the topmost counts');
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
    assert.deepEqual(b.mails(), ['assignment>carol', 'assignment>alice', 'assignment>bob', 'assignment-unanswered>alice', 'assignment-unanswered>bob', 'assignment-unanswered>carol']);
    assert.equal(b.advance(24 * HOUR), 0, 'an unassigned assignment has no deadline left');

    const late = b.service.act(a, 'claim', 'carol', 'email', '<late@x>');
    assert.ok(late.ok, 'anyone in the rotation may still claim it');
    assert.equal(late.assignment.state, 'accepted');
    assert.equal(late.assignment.person, 'carol');
    assert.equal(b.mails().at(-1), 'assignment>carol', 'the claimer gets the assignment as confirmation');
  });

  it('what each answer writes: acked or claimed (a claimer, however they answer, gets the assignment as confirmation), declines and their notes, the message the CLI prints', () => {
    b = new AssignmentBench();
    const steps = (id: number) => b.store.assignments.logFor(id).map((e) => `${e.step}|${e.person ?? '-'}|${e.detail ?? ''}`);
    const duty = b.assign('duty');
    const r0 = b.service.act(duty, 'decline', 'alice', 'cli');
    assert.equal(r0.ok, false, 'alice was not asked: her decline is refused');
    assert.deepEqual(b.store.assignments.get(duty.id)!.declined, []);
    assert.equal(b.service.act(duty, 'decline', 'carol', 'cli', undefined, 'at a conference').message, `assignment #${duty.id}: declined by carol; alice asked`);
    const mails = b.mails().length;
    assert.ok(b.service.act(b.store.assignments.get(duty.id)!, 'ack', 'alice', 'cli').ok);
    assert.equal(b.mails().length, mails, 'an ack by the one asked needs no confirmation');
    assert.deepEqual(steps(duty.id).filter((x) => !/^(created|asked)\|/.test(x)), ['decline ignored|alice|alice was not asked (state asking, asked now: carol)', 'declined|carol|at a conference', 'acked|alice|']);

    // Nobody left to ask: the message says so, and an ack from the last one asked is a claim.
    const alone = b.assign('duty', { max_escalations: 0 });
    assert.equal(b.service.act(alone, 'decline', 'carol', 'cli').message, `assignment #${alone.id}: declined by carol; nobody left to ask, the rotation was told`);
    const last = b.store.assignments.get(alone.id)!;
    assert.equal(last.state, 'unassigned');
    assert.ok(b.service.act(last, 'ack', 'carol', 'email', '<late-ack@x>').ok, 'she may change her mind while nobody has it');
    assert.equal(steps(alone.id).at(-1), 'claimed|carol|');
    const confirmation = b.store.outbox.list()[0]!;
    assert.deepEqual([confirmation.template, confirmation.recipients[0]], ['assignment', '"Carol C" <carol@test.example>']);
    assert.match(confirmation.subject, /^You are release manager/);

    // Volunteering: an ack is a claim; a decline is noted once, and is no claim.
    const vol = b.assign('volunteer');
    assert.ok(b.service.act(vol, 'decline', 'alice', 'email', '<d1@x>').ok);
    assert.equal(b.service.act(b.store.assignments.get(vol.id)!, 'decline', 'alice', 'email', '<d2@x>').ok, false, 'declined once is enough');
    b.service.confirmClaim(b.store.assignments.get(vol.id)!, 'carol', '<list-claim@x>');
    assert.ok(b.service.act(b.store.assignments.get(vol.id)!, 'ack', 'carol', 'email', '<ack@x>').ok);
    assert.deepEqual(steps(vol.id).filter((x) => !/^(created|asked|volunteers requested)\|/.test(x)).map((x) => x.split('|').slice(0, 3).join('|')), [
      'declined|alice|will not be asked if nobody volunteers', 'decline ignored|alice|alice was not asked (state claiming)',
      'claim to confirm|carol|answered through the list: confirmation asked at their own address', 'claimed|carol|',
    ]);
    assert.match(b.store.outbox.list()[0]!.subject, /^You are release manager/);
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
    assert.deepEqual(b.mails(), ['volunteer-request>alice', 'volunteer-request>bob', 'volunteer-request>carol']);
    const copy = b.store.outbox.list()[0]!;
    const token = /\[KH-([0-9a-f]{20})\]$/.exec(copy.subject)?.[1];
    assert.ok(token, 'a token ends the subject');
    assert.notEqual(token, a.token, 'the copy\'s own token, not the assignment\'s');
    assert.match(copy.message_id, new RegExp(token!), 'and is in the Message-ID');
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

  it('each recipient\'s mails form their own thread: the copies are roots; a follow-up answers that person\'s copy', () => {
    b = new AssignmentBench();
    const a = b.assign('volunteer');
    const copies = b.store.outbox.list().reverse();
    assert.deepEqual(copies.map((m) => m.in_reply_to), [null, null, null], 'no copy answers another person\'s');
    assert.deepEqual(copies.map((m) => m.body.split('\n')[0]), ['Hello Alice A,', 'Hello Bob B,', 'Hello Carol C,'], 'each copy greets its own reader');
    assert.ok(b.service.act(a, 'claim', 'bob', 'cli').ok);
    const confirmation = b.store.outbox.list().find((m) => m.template !== 'volunteer-request')!;
    assert.deepEqual(confirmation.recipients, ['"Bob B" <bob@test.example>']);
    const bobsCopy = copies.find((m) => m.recipients[0]!.includes('bob@'))!;
    assert.equal(confirmation.in_reply_to, bobsCopy.message_id);
    assert.equal(confirmation.refs, bobsCopy.message_id);
  });

  it('the reply tag is in each subject exactly once: the shipped templates place it, a team\'s template without it gets it appended', () => {
    b = new AssignmentBench();
    b.assign('volunteer');
    for (const m of b.store.outbox.list()) assert.equal(m.subject.match(/\[KH-[0-9a-f]{20}\]/g)?.length, 1, m.subject);
    b.close();
    const dir = mkdtempSync(join(tmpdir(), 'kh-tpl-'));
    try {
      writeFileSync(join(dir, 'volunteer-request.hbs'), '---\nsubject: "Who takes {{kernel.version}}?"\n---\nAnswer claim.\n');
      b = new AssignmentBench({}, dir);
      b.assign('volunteer');
      for (const m of b.store.outbox.list()) assert.match(m.subject, /^Who takes 5\.15\.0-\d+\.1\? \[KH-[0-9a-f]{20}\]$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a request copy: the template sees whom it goes to (a list by its address), the assignment with its token; nothing is copied to anyone else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kh-tpl-'));
    try {
      writeFileSync(join(dir, 'volunteer-request.hbs'), '---\nsubject: "Who takes {{kernel.version}}? {{assignment.tag}}"\n---\nTo {{recipient.name}} <{{recipient.email}}> id={{recipient.id}}; assignment #{{assignment.id}} token={{assignment.token}}\n');
      for (const list of [undefined, 'Support-List@test.example']) {
        b = new AssignmentBench({}, dir);
        const a = b.assign('volunteer', list ? { list } : {});
        const mails = b.store.outbox.list().reverse();
        assert.deepEqual(mails.map((m) => m.cc), mails.map(() => []), 'no cc on a request');
        const bodies = mails.map((m) => m.body.replace(/token=[0-9a-f]{20}/, 'token=T').trim());
        assert.deepEqual(bodies, list
          ? [`To ${list} <${list}> id=; assignment #${a.id} token=T`]
          : ['To Alice A <alice@test.example> id=alice', 'To Bob B <bob@test.example> id=bob', 'To Carol C <carol@test.example> id=carol'].map((x) => `${x}; assignment #${a.id} token=T`));
        for (const m of mails) assert.ok(m.subject.includes(`[KH-${/token=([0-9a-f]{20})/.exec(m.body)![1]}]`), 'the token in the body is the one in the subject');
        b.close();
      }
      b = new AssignmentBench();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
});

describe('assignments: what each answer commits', () => {
  let b: AssignmentBench;
  afterEach(() => b.close());

  it('a claim is confirmed by mail, an ack is not; an ack from someone not asked is refused; a decline keeps its note and is not asked again', () => {
    b = new AssignmentBench();
    const a = b.assign('duty');
    assert.equal(a.person, 'carol');
    assert.match(b.service.act(a, 'ack', 'bob', 'cli').message, /bob was not asked \(asked now: carol\)/);
    assert.equal(b.store.assignments.get(a.id)!.state, 'asking');
    assert.ok(b.service.act(a, 'decline', 'carol', 'cli', undefined, 'on leave').ok);
    assert.equal(b.store.assignments.logFor(a.id).find((l) => l.step === 'declined')!.detail, 'on leave');
    assert.deepEqual(b.store.assignments.get(a.id)!.declined, ['carol']);
    const asked = b.store.assignments.get(a.id)!;
    assert.equal(asked.person, 'alice');
    assert.ok(b.service.act(asked, 'decline', 'alice', 'cli').ok);
    const third = b.store.assignments.get(a.id)!;
    assert.equal(third.person, 'bob', 'carol and alice declined: bob, not carol again');
    const before = b.mails().length;
    assert.ok(b.service.act(third, 'ack', 'bob', 'cli').ok);
    assert.equal(b.mails().length, before, 'an ack needs no confirmation mail');

    const v = b.assign('volunteer');
    const sent = b.mails().length;
    assert.ok(b.service.act(v, 'claim', 'alice', 'cli').ok);
    assert.deepEqual(b.mails().slice(sent), ['assignment>alice'], 'a claim is confirmed to the claimer');
  });

  it('declining to volunteer twice counts once; an assignment whose rotation is gone from the config refuses every answer', () => {
    b = new AssignmentBench();
    const v = b.assign('volunteer');
    assert.ok(b.service.act(v, 'decline', 'bob', 'cli').ok);
    assert.equal(b.service.act(b.store.assignments.get(v.id)!, 'decline', 'bob', 'cli').ok, false);
    assert.deepEqual(b.store.assignments.get(v.id)!.declined, ['bob']);
    const other = new AssignmentService({ store: b.store, clock: b.clock, log: silentLogger(), templates: TemplateSet.withShipped(),
      mail: { from: 'h@test.example', domain: 'test.example' }, people: PEOPLE, rotations: {} });
    const r = other.act(b.store.assignments.get(v.id)!, 'claim', 'alice', 'cli');
    assert.equal(r.ok, false);
    assert.match(r.message, /rotation "support" is no longer configured/);
    assert.equal(other.confirmClaim(b.store.assignments.get(v.id)!, 'alice', '<c@x>').includes('awaits confirmation'), true);
    assert.equal(b.store.assignments.get(v.id)!.state, 'claiming');
  });
});
