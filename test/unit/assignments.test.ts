import assert from 'node:assert/strict';
import type { MailInput } from '../../src/sources/source.js';
import { addressOf, authenticationProblem, automaticReason, referencedIds, replyAnswer, replyVerb, subjectToken } from '../../src/rotation/reply.js';
import { ReplyHandler } from '../../src/rotation/replies.js';
import { silentLogger } from '../../src/log.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HeraldError } from '../../src/errors.js';
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

  describe('replies by mail', () => {
    const reply = (over: Partial<MailInput> & { headers?: Record<string, string> }): MailInput => ({
      subject: 'Re: x', from: 'Bob B <bob@test.example>', text: 'claim\n', headers: {}, messageId: `<r${Math.random()}@x>`, ...over,
    });
    /** The copy of a request sent to one person (the newest). */
    const copyFor = (person: string, template?: string) => b.store.outbox.list().find((m) => m.recipients.some((r) => r.includes(`<${person}@`)) && (!template || m.template === template))!;
    const tokenOf = (subject: string) => /\[KH-([0-9a-f]{20})\]/.exec(subject)![1]!;
    const refusedNotices = () => b.store.outbox.list().filter((m) => m.template === 'reply-refused').map((m) => /<([^@]+)@/.exec(m.recipients[0]!)![1]).sort();

    it('each person gets their own copy with their own token; only the token issued to the sender acts', () => {
      b = new AssignmentBench();
      const handler = new ReplyHandler(b.service, b.store, { people: PEOPLE }, silentLogger());
      const a = b.assign('volunteer');
      assert.deepEqual(b.mails(), ['volunteer-request>alice', 'volunteer-request>bob', 'volunteer-request>carol']);
      const tokens = ['alice', 'bob', 'carol'].map((p) => tokenOf(copyFor(p).subject));
      assert.equal(new Set(tokens).size, 3, 'three different tokens');
      assert.ok(copyFor('bob').message_id.includes(tokens[1]!), 'the Message-ID carries the copy\'s token');
      assert.equal(handler.handle({ subject: 'USN-1', from: 'x@y', text: '', headers: {} }, 'raw'), false, 'an announcement is not a reply');
      assert.equal(handler.handle({ ...reply({}), messageId: copyFor('alice').message_id }, 'raw'), true, 'our own request, copied back, is not acted on');

      const claim = reply({ headers: { 'in-reply-to': copyFor('bob').message_id }, messageId: '<claim@x>', text: 'Claim.\nI have time this week.\n\nOn Mon, Herald wrote:\n> decline' });
      assert.equal(handler.handle(claim, 'raw'), true);
      assert.equal(handler.handle(claim, 'raw'), true, 'read twice');
      assert.equal(b.store.assignments.get(a.id)!.person, 'bob');
      assert.deepEqual(b.events(), ['requested:-', 'accepted:bob'], 'acted on once');
      assert.equal(b.store.assignments.logFor(a.id).find((l) => l.step === 'claimed')!.detail, 'I have time this week.', 'the note is kept');
    });

    it('refuses the nine forged or automatic replies; a known person is told why, a stranger or a robot is not', () => {
      b = new AssignmentBench();
      const handler = new ReplyHandler(b.service, b.store, { people: PEOPLE, authservId: 'mx.test.example' }, silentLogger());
      const other = b.assign('volunteer');
      const otherAlice = copyFor('alice');
      const a = b.assign('volunteer');
      const alice = copyFor('alice');
      const passed = { 'authentication-results': 'mx.test.example; dkim=pass header.d=test.example; dmarc=pass' };
      const auth = (h: Record<string, string>) => ({ headerValues: { 'authentication-results': [passed['authentication-results']] }, headers: h });
      const cases: [string, MailInput, boolean][] = [
        ['forged From with the subject token', reply({ from: 'Bob B <bob@test.example>', subject: `Re: ${alice.subject}`, ...auth({}) }), true],
        ['forged From with In-Reply-To', reply({ from: 'carol@test.example', text: 'ack', ...auth({ 'in-reply-to': alice.message_id }) }), true],
        ['out-of-office without Auto-Submitted', reply({ from: 'alice@test.example', subject: `Automatic reply: ${alice.subject}`, text: 'Accepted: I am out of office until Monday.',
          ...auth({ 'x-autoreply': 'yes', 'x-auto-response-suppress': 'All', 'in-reply-to': alice.message_id }) }), false],
        ['a member without a token', reply({ from: 'alice@test.example', subject: 'Re: Release manager wanted', ...auth({}) }), false],
        ['a stranger with a token', reply({ from: 'mallory@evil.example', ...auth({ 'in-reply-to': alice.message_id }) }), false],
        ['a non-member with a token', reply({ from: 'dave@test.example', ...auth({ 'in-reply-to': alice.message_id }) }), true],
        ['another assignment\'s token', reply({ from: 'alice@test.example', subject: `Re: ${otherAlice.subject}`, ...auth({ 'in-reply-to': alice.message_id }) }), true],
        ['a display name that looks like the member', reply({ from: '"alice@test.example" <mallory@evil.example>', fromAddresses: ['mallory@evil.example'], ...auth({ 'in-reply-to': alice.message_id }) }), false],
        ['a From naming a member and a stranger', reply({ from: 'alice@test.example, mallory@evil.example', fromAddresses: ['alice@test.example', 'mallory@evil.example'], ...auth({ 'in-reply-to': alice.message_id }) }), false],
        ['an Auto-Submitted reply', reply({ from: 'alice@test.example', ...auth({ 'auto-submitted': 'auto-replied', 'in-reply-to': alice.message_id }) }), false],
        ['a DKIM failure at our server', reply({ from: 'alice@test.example', headers: { 'in-reply-to': alice.message_id },
          headerValues: { 'authentication-results': ['mx.test.example; dkim=fail header.d=test.example', 'mx.test.example; dkim=pass (forged, deeper)'] } }), true],
        ['no Authentication-Results from our server', reply({ from: 'alice@test.example', headers: { 'in-reply-to': alice.message_id } }), true],
      ];
      for (const [what, mail] of cases) {
        handler.handle(mail, 'raw');
        assert.equal(b.store.assignments.get(a.id)!.state, 'claiming', `${what}: refused`);
        assert.equal(b.store.assignments.get(other.id)!.state, 'claiming', `${what}: the other assignment too`);
      }
      assert.deepEqual(refusedNotices(), ['alice', 'alice', 'alice', 'bob', 'carol', 'dave'], 'told: the known people, at their own address; never mallory, never a robot');
      const steps = [...b.store.assignments.logFor(a.id), ...b.store.assignments.logFor(other.id)].map((l) => l.detail ?? '').join('\n');
      for (const why of [/copy sent to alice, not the one sent to bob/, /X-Autoreply|x-autoreply/, /mallory@evil\.example, who is not in people/, /different assignments/, /Auto-Submitted: auto-replied/, /dkim=fail/, /no Authentication-Results/, /From names 2 addresses/]) {
        assert.match(steps, why);
      }

      const genuine = reply({ from: 'Alice A <alice@test.example>', text: 'claim', ...auth({ 'in-reply-to': alice.message_id }) });
      handler.handle(genuine, 'raw');
      assert.equal(b.store.assignments.get(a.id)!.person, 'alice', 'the genuine reply acts');
    });

    it('while one person is asked, nobody else\'s claim, ack or decline acts, whatever copy it answers', () => {
      b = new AssignmentBench();
      const handler = new ReplyHandler(b.service, b.store, { people: PEOPLE }, silentLogger());
      const a = b.assign('duty');
      assert.equal(a.person, 'carol');
      const carol = copyFor('carol');
      for (const word of ['claim', 'ack', 'decline']) {
        for (const from of ['mallory@evil.example', 'dave@test.example', 'alice@test.example', '"carol@test.example" <mallory@evil.example>']) {
          handler.handle(reply({ from, text: word, headers: { 'in-reply-to': carol.message_id }, ...(from.includes('<') ? { fromAddresses: ['mallory@evil.example'] } : {}) }), 'raw');
          const now = b.store.assignments.get(a.id)!;
          assert.deepEqual([now.state, now.person, now.declined], ['asking', 'carol', []], `${word} from ${from}`);
        }
      }
      assert.deepEqual(b.events(), ['requested:carol'], 'no event from any of them');
      handler.handle(reply({ from: 'carol@test.example', text: 'ack', headers: { 'in-reply-to': carol.message_id } }), 'raw');
      assert.equal(b.store.assignments.get(a.id)!.state, 'accepted');
    });

    it('a reply the store cannot take now is not consumed: it throws a transient error and acts when read again', () => {
      b = new AssignmentBench();
      const handler = new ReplyHandler(b.service, b.store, { people: PEOPLE }, silentLogger());
      const a = b.assign('volunteer');
      const claim = reply({ headers: { 'in-reply-to': copyFor('bob').message_id }, messageId: '<busy@x>' });
      b.store.db.pragma('busy_timeout = 20');
      const other = new Database(join(b.tmp.dir, 'db.sqlite'));
      other.exec('BEGIN EXCLUSIVE');
      assert.throws(() => handler.handle(claim, 'raw'), (err: unknown) => err instanceof HeraldError && err.code === 'ETRANSIENT');
      other.exec('ROLLBACK');
      other.close();
      assert.equal(b.store.assignments.get(a.id)!.state, 'claiming');
      assert.equal(handler.handle(claim, 'raw'), true);
      assert.equal(b.store.assignments.get(a.id)!.person, 'bob', 'read again, it acts');
    });

    it('refusal notices to one person are capped, so a forger cannot flood them through us', () => {
      b = new AssignmentBench();
      const handler = new ReplyHandler(b.service, b.store, { people: PEOPLE }, silentLogger());
      b.assign('volunteer');
      const alice = copyFor('alice');
      for (let i = 0; i < 10; i += 1) handler.handle(reply({ from: 'bob@test.example', headers: { 'in-reply-to': alice.message_id } }), 'raw');
      assert.deepEqual(refusedNotices(), ['bob', 'bob', 'bob']);
    });

    it('a claim through a list copy is confirmed by a round trip to the claimer\'s own address', () => {
      b = new AssignmentBench();
      const handler = new ReplyHandler(b.service, b.store, { people: PEOPLE }, silentLogger());
      const a = b.assign('volunteer', { list: 'support-list@test.example' });
      assert.deepEqual(b.store.outbox.list().map((m) => m.recipients), [['support-list@test.example']], 'one copy, to the list');
      assert.match(b.store.outbox.list()[0]!.body, /^Hello support rotation,/, 'a list copy greets the rotation');
      const request = b.store.outbox.list()[0]!;
      handler.handle(reply({ from: 'carol@test.example', headers: { 'in-reply-to': request.message_id }, text: 'decline' }), 'raw');
      handler.handle(reply({ from: 'bob@test.example', headers: { 'in-reply-to': request.message_id } }), 'raw');
      assert.equal(b.store.assignments.get(a.id)!.state, 'claiming', 'a list claim does not act by itself');
      const confirm = copyFor('bob', 'reply-confirm');
      assert.ok(confirm, 'bob is asked to confirm, at his own address');
      assert.notEqual(tokenOf(confirm.subject), tokenOf(request.subject));
      handler.handle(reply({ from: 'alice@test.example', headers: { 'in-reply-to': confirm.message_id }, text: 'confirm' }), 'raw');
      assert.equal(b.store.assignments.get(a.id)!.state, 'claiming', 'alice cannot confirm bob\'s claim');
      handler.handle(reply({ from: 'bob@test.example', headers: { 'in-reply-to': confirm.message_id }, text: 'confirm' }), 'raw');
      assert.equal(b.store.assignments.get(a.id)!.person, 'bob');
      assert.deepEqual(refusedNotices(), ['alice', 'carol']);
    });

    it('a reply that fails for a reason that is not the store\'s (a bug, a broken template) is consumed and logged, not retried for ever', () => {
      b = new AssignmentBench();
      const lines: { message: string }[] = [];
      const log = { ...silentLogger(), error: (message: string) => { lines.push({ message }); }, child() { return this; } } as unknown as ReturnType<typeof silentLogger>;
      const handler = new ReplyHandler(b.service, b.store, { people: PEOPLE }, log);
      b.assign('volunteer');
      const real = b.store.assignments.byMessageId.bind(b.store.assignments);
      b.store.assignments.byMessageId = () => { throw new TypeError('a bug'); };
      assert.equal(handler.handle(reply({ headers: { 'in-reply-to': copyFor('bob').message_id } }), 'raw'), true, 'consumed');
      assert.deepEqual(lines.map((l) => l.message), ['reply to an assignment request could not be acted on']);
      b.store.assignments.byMessageId = real;
    });

    it('replies without a Message-ID are told apart by their content: each acts once', () => {
      b = new AssignmentBench();
      const handler = new ReplyHandler(b.service, b.store, { people: PEOPLE }, silentLogger());
      const a = b.assign('duty');
      assert.equal(a.person, 'carol');
      const noId = (from: string, text: string, inReplyTo: string) => { const m = reply({ from, text, headers: { 'in-reply-to': inReplyTo } }); delete m.messageId; return m; };
      handler.handle(noId('carol@test.example', 'decline\ntravelling', copyFor('carol').message_id), 'raw one');
      const next = b.store.assignments.get(a.id)!;
      assert.equal(next.person, 'alice', 'carol declined: alice is asked');
      handler.handle(noId('alice@test.example', 'ack', copyFor('alice').message_id), 'raw two');
      assert.deepEqual([b.store.assignments.get(a.id)!.state, b.store.assignments.get(a.id)!.person], ['accepted', 'alice']);
      handler.handle(noId('carol@test.example', 'decline\ntravelling', copyFor('carol').message_id), 'raw one');
      assert.deepEqual(b.events(), ['requested:carol', 'declined:carol', 'requested:alice', 'accepted:alice'], 'the same content again acts no more');
    });

    it('a release step word in reply to an assignment request is refused, and the sender told which words count', () => {
      b = new AssignmentBench();
      const handler = new ReplyHandler(b.service, b.store, { people: PEOPLE }, silentLogger());
      const a = b.assign('volunteer');
      handler.handle(reply({ text: 'tested\n', headers: { 'in-reply-to': copyFor('bob').message_id } }), 'raw');
      assert.equal(b.store.assignments.get(a.id)!.state, 'claiming');
      assert.match(b.store.assignments.logFor(a.id).find((l) => l.step === 'reply refused')!.detail!, /not one of the words claim, ack, decline/);
      assert.deepEqual(refusedNotices(), ['bob']);
    });

    it('a reply carrying only the assignment\'s own (older, shared) token is a list reply: a claim asks for confirmation, nothing acts yet', () => {
      b = new AssignmentBench();
      const handler = new ReplyHandler(b.service, b.store, { people: PEOPLE }, silentLogger());
      const a = b.assign('volunteer');
      handler.handle(reply({ subject: `Re: Release manager wanted [KH-${a.token}]` }), 'raw');
      assert.equal(b.store.assignments.get(a.id)!.state, 'claiming');
      assert.ok(copyFor('bob', 'reply-confirm'), 'bob is asked to confirm at his own address');
    });
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
