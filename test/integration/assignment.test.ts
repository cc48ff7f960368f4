import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import type { ParsedMail } from 'mailparser';
import { Dovecot } from '../helpers/dovecot.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/util.js';
import { kdistItem, rssFeed, World } from '../helpers/world.js';

const PEOPLE = {
  alice: { name: 'Alice A', email: 'alice@test.example' },
  bob: { name: 'Bob B', email: 'bob@test.example' },
  carol: { name: 'Carol C', email: 'carol@test.example' },
  dave: { name: 'Dave D', email: 'dave@test.example' },
};

function replyTo(original: ParsedMail, from: string, body: string, over: { subject?: string; inReplyTo?: string | null; id: string }): string {
  const headers = [
    `From: ${from}`, 'To: herald@test.example', `Subject: ${over.subject ?? `Re: ${original.subject}`}`,
    `Message-ID: <${over.id}@mua.test.example>`, 'Date: Mon, 02 Mar 2026 10:30:00 +0000',
  ];
  const irt = over.inReplyTo === undefined ? original.messageId : over.inReplyTo;
  if (irt) headers.push(`In-Reply-To: ${irt}`, `References: ${irt}`);
  return `${headers.join('\r\n')}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body.replace(/\n/g, '\r\n')}\r\n\r\n> ${original.text?.split('\n')[0] ?? ''}\r\n`;
}

describe('assignments end to end: requests over SMTP, replies through Dovecot', function () {
  this.timeout(60_000);
  let w: World;
  let dove: Dovecot;
  const now = { t: Date.parse('2026-03-02T10:00:00Z') };
  const clock = { now: () => new Date(now.t) };

  const append = async (raw: string) => {
    const c = new ImapFlow({ host: '127.0.0.1', port: dove.port, secure: false, auth: { user: dove.user, pass: dove.password }, logger: false });
    await c.connect();
    await c.append('INBOX', raw);
    await c.logout();
  };
  const to = (m: ParsedMail) => (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).flatMap((a) => a.value.map((v) => v.address)).sort().join(',');
  const sent = () => w.smtp.received.map((m) => `${String(m.headers.get('x-kernel-herald-template'))}>${to(m)}`);

  function config(assign: Record<string, unknown>): string {
    writeFileSync(join(w.tmp.dir, 'imap.pw'), dove.password);
    mkdirSync(join(w.tmp.dir, 'templates'), { recursive: true });
    writeFileSync(join(w.tmp.dir, 'templates', 'rm-chosen.hbs'), '---\nsubject: "{{kernel.version}}: release manager {{release_manager.name}}"\n---\n{{person.name}} took it ({{assignment.via}}).\n');
    return w.config([
      { id: 'kdist', type: 'rss', url: w.feeds.url('/kdist.xml'), every: '1h', backfill: true },
      { id: 'replies', type: 'imap', host: '127.0.0.1', port: dove.port, security: 'plain', user: dove.user, password_file: 'imap.pw', every: '2s', timeout: '5s' },
    ], [
      { id: 'rm', on: 'kernel.released', when: { distro: 'kernel.org' }, do: [{ assign: { rotation: 'support', ...assign } }] },
      { id: 'tell', on: 'assignment.accepted', do: [{ email: { template: 'rm-chosen', to: ['users@test.example'] } }] },
    ], {
      templates_dir: 'templates', people: PEOPLE,
      rotations: { support: { members: ['alice', 'bob', 'carol'], timezone: 'Europe/Berlin', handoff: { start: '2026-01-05T09:00', every: '1w' } } },
    });
  }

  beforeEach(async () => {
    now.t = Date.parse('2026-03-02T10:00:00Z');
    w = await new World().start();
    dove = new Dovecot();
    await dove.start();
    w.feeds.set('/kdist.xml', rssFeed('https://www.kernel.org', [kdistItem('6.6.8', 'stable')]));
  });
  afterEach(async () => {
    await w.stop();
    await dove.destroy();
  });

  it('each member gets their own request; only the token issued to the sender acts; forged, automatic and stranger replies change nothing', async () => {
    const cfg = config({ mode: 'volunteer', claim_within: '4h' });
    const d = w.daemon(cfg, clock);
    await d.pollOnce(['kdist']);
    assert.deepEqual(sent(), ['volunteer-request>alice@test.example', 'volunteer-request>bob@test.example', 'volunteer-request>carol@test.example']);
    const copy = (who: string) => w.smtp.received.find((m) => to(m) === `${who}@test.example`)!;
    const tokenOf = (m: ParsedMail) => /\[KH-([0-9a-f]{20})\]/.exec(m.subject ?? '')?.[1];
    const request = copy('bob');
    const token = tokenOf(request);
    assert.ok(token, `a token in "${request.subject}"`);
    assert.ok(request.messageId?.includes(token!), 'and in the Message-ID');
    assert.equal(new Set(['alice', 'bob', 'carol'].map((p) => tokenOf(copy(p)))).size, 3, 'a token per person');

    await append(replyTo(request, 'Dave D <dave@test.example>', 'claim', { id: 'dave' }));
    await append(replyTo(request, 'Alice A <alice@test.example>', 'claim', { id: 'alice-wrong', subject: 'Re: Release manager wanted [KH-00000000000000000000]', inReplyTo: null }));
    await append(replyTo(request, 'Carol C <carol@test.example>', 'claim', { id: 'carol-forged', inReplyTo: null }));
    await append(replyTo(request, '"bob@test.example" <mallory@evil.example>', 'claim', { id: 'spoof' }));
    await append(replyTo(request, 'Bob B <bob@test.example>', 'Accepted: I am out of office until Monday.', { id: 'ooo', subject: `Automatic reply: ${request.subject}` })
      .replace('\r\n\r\n', '\r\nX-Autoreply: yes\r\nX-Auto-Response-Suppress: All\r\n\r\n'));
    await d.pollOnce(['replies']);
    assert.equal(d.store.assignments.list()[0]!.state, 'claiming', 'no reply acted');
    await waitFor('the notices to dave and carol', () => w.smtp.received.length === 5);
    assert.deepEqual(sent().slice(3).sort(), ['reply-refused>carol@test.example', 'reply-refused>dave@test.example'], 'known people are told why; the stranger and the robot are not');

    await append(replyTo(request, 'Bob B <Bob@test.example>', 'Claim.\n\nI have time this week.', { id: 'bob' }));
    await d.pollOnce(['replies']);
    const a = d.store.assignments.list()[0]!;
    assert.equal(a.state, 'accepted');
    assert.equal(a.person, 'bob');
    await waitFor('the confirmation and the rule\'s mail', () => w.smtp.received.length === 7);
    assert.deepEqual(sent().slice(5).sort(), ['assignment>bob@test.example', 'rm-chosen>users@test.example']);
    const chosen = w.smtp.received.find((m) => String(m.headers.get('x-kernel-herald-template')) === 'rm-chosen')!;
    assert.equal(chosen.subject, '6.6.8: release manager Bob B', 'release_manager is in later templates');
    const confirmation = w.smtp.received.find((m) => String(m.headers.get('x-kernel-herald-template')) === 'assignment')!;
    assert.equal(confirmation.inReplyTo, request.messageId, 'threaded under bob\'s request');
    assert.equal(confirmation.references, request.messageId, 'References names it too');

    const status = await runCli(['status', '6.6.8', '--json', '--config', cfg]);
    assert.equal(status.code, 0, status.stderr);
    const timeline = JSON.parse(status.stdout) as { release_manager: string; assignments: { log: { step: string; person: string | null; via: string; detail: string | null }[] }[] };
    assert.equal(timeline.release_manager, 'bob');
    const log = timeline.assignments[0]!.log;
    assert.deepEqual(log.map((l) => `${l.step}:${l.person ?? '-'}:${l.via}`), ['created:-:rule', 'volunteers requested:-:rule',
      'reply refused:dave:email', 'reply refused:carol:email', 'reply refused:-:email', 'reply refused:-:email', 'claimed:bob:email']);
    assert.match(log[2]!.detail!, /copy sent to bob, not the one sent to dave/);
    assert.match(log[4]!.detail!, /mallory@evil\.example, who is not in people/);
    assert.match(log[5]!.detail!, /automatic reply/);
    assert.equal(log[6]!.detail, 'I have time this week.');
    assert.ok(w.logs.lines.some((l) => l.message === 'reply to an unknown assignment request ignored'), 'the wrong token is logged');
    const text = await runCli(['status', '6.6.8', '--config', cfg]);
    assert.match(text.stdout, /release manager: bob/);
    assert.match(text.stdout, /claimed bob via email/);
  });

  it('a missed ack escalates on the test clock, across a restart; a decline read while idling moves on at once', async () => {
    const cfg = config({ mode: 'duty', ack_within: '1h' });
    let d = w.daemon(cfg, clock);
    await d.pollOnce(['kdist']);
    assert.deepEqual(sent(), ['assignment>carol@test.example'], 'carol is on duty on 2026-03-02');
    await d.stop();

    now.t += 59 * 60_000;
    d = w.daemon(cfg, clock);
    await d.process();
    assert.equal(w.smtp.received.length, 1, 'not yet');
    await d.stop();

    now.t += 2 * 60_000;
    d = w.daemon(cfg, clock);
    await d.start();
    await waitFor('alice to be asked after the restart', () => w.smtp.received.length === 2);
    assert.deepEqual(sent(), ['assignment>carol@test.example', 'assignment>alice@test.example']);
    await waitFor('the mailbox baseline', () => w.logs.lines.some((l) => l.watcher === 'replies' && /baseline|mailbox read/.test(String(l.message))));

    await append(replyTo(w.smtp.received[1]!, 'Alice A <alice@test.example>', 'decline\nsorry, travelling', { id: 'alice-decline' }));
    await waitFor('bob to be asked', () => w.smtp.received.length === 3, 15_000);
    assert.equal(sent()[2], 'assignment>bob@test.example');
    const types = d.store.events.forRelease(d.store.assignments.list()[0]!.release_id!).map((e) => `${e.type}:${(e.payload as { person?: { id: string } | null }).person?.id ?? '-'}`);
    assert.deepEqual(types, ['kernel.released:-', 'assignment.requested:carol', 'assignment.expired:carol', 'assignment.requested:alice', 'assignment.declined:alice', 'assignment.requested:bob']);
  });
});
