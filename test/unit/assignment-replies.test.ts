import assert from 'node:assert/strict';
import type { MailInput } from '../../src/sources/source.js';
import { ReplyHandler } from '../../src/rotation/replies.js';
import { silentLogger } from '../../src/log.js';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HeraldError } from '../../src/errors.js';
import { AssignmentBench, PEOPLE } from '../helpers/assignments.js';

// Replies to assignment requests, by mail: who may answer with which copy's
// token, what is refused and told, what is confirmed; split from assignments.test.ts.
describe('assignments: replies by mail (real SQLite, a test clock)', () => {
  let b: AssignmentBench;
  afterEach(() => b.close());

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
