import assert from 'node:assert/strict';
import { chownSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { ImapFlow } from 'imapflow';
import { Dovecot } from '../helpers/dovecot.js';
import { fixture, waitFor } from '../helpers/util.js';
import { runCli } from '../helpers/cli.js';
import { World } from '../helpers/world.js';

/** The CESA kernel mail, renumbered so each test message is a new kernel. */
function cesa(n: number): string {
  return fixture('centos-announce/CESA-2020-5023-kernel.eml')
    .replaceAll('1160.6.1', `1160.${n}.1`).replaceAll('5023', String(6000 + n))
    .replace(/^Message-ID: <[^>]+>/m, `Message-ID: <cesa-${n}@test.example>`)
    .replace(/\r?\n/g, '\r\n');
}

describe('IMAP watcher against a real Dovecot', function () {
  this.timeout(60_000);
  let w: World;
  let dove: Dovecot;
  let cfg: string;

  const append = async (raw: string) => {
    const c = new ImapFlow({ host: '127.0.0.1', port: dove.port, secure: false, auth: { user: dove.user, pass: dove.password }, logger: false });
    await c.connect();
    await c.append('INBOX', raw);
    await c.logout();
  };
  const subjects = () => w.smtp.received.map((m) => m.subject ?? '').sort();

  beforeEach(async () => {
    w = await new World().start();
    dove = new Dovecot();
    await dove.start();
    writeFileSync(join(w.tmp.dir, 'imap.pw'), `${dove.password}\n`);
    cfg = w.config([{
      id: 'lists', type: 'imap', host: '127.0.0.1', port: dove.port, security: 'plain', user: dove.user,
      password_file: 'imap.pw', every: '2s', timeout: '5s', max_bytes: 65536, reconnect: { min: '100ms', max: '400ms' },
    }], [{ id: 'notice', on: 'kernel.released', when: { distro: 'centos' }, do: [{ email: { template: 'kernel-notice', to: ['users@example.org'] } }] }]);
  });
  afterEach(async () => {
    await w.stop();
    await dove.destroy();
  });

  it('first visit is silent; a message appended while idling is mailed once; a restarted daemon resumes from its cursor', async () => {
    await append(cesa(1));
    let d = w.daemon(cfg);
    await d.start();
    await waitFor('the baseline', () => w.logs.lines.some((l) => l.watcher === 'lists' && l.message === 'baseline recorded'));

    await append(cesa(2));
    await waitFor('the pushed mail', () => w.smtp.received.length === 1, 10_000);
    const queued = d.store.outbox.counts();
    assert.equal(queued.pending + queued.sent + queued.failed, 1, 'the baseline queued nothing: only the pushed mail is in the outbox');
    assert.deepEqual(subjects(), ['New kernel 3.10.0-1160.2.1.el7 for centos 7 [CESA-2020:6002]']);

    await d.stop();
    d = w.daemon(cfg);
    await d.start();
    await append(cesa(3));
    await waitFor('the next mail', () => w.smtp.received.length === 2, 10_000);
    assert.deepEqual(subjects(), ['New kernel 3.10.0-1160.2.1.el7 for centos 7 [CESA-2020:6002]', 'New kernel 3.10.0-1160.3.1.el7 for centos 7 [CESA-2020:6003]']);
    assert.equal(d.store.announcements.count(), 3, 'nothing read twice');
    const cursor = JSON.parse(d.store.watchers.get('lists').cursor!) as { last_uid: number };
    assert.equal(cursor.last_uid, 3);
  });

  it('a quiet mailbox keeps being read: after many empty re-checks, and after a Dovecot restart, each new message arrives within seconds', async () => {
    const quiet = w.config([{
      id: 'lists', type: 'imap', host: '127.0.0.1', port: dove.port, security: 'plain', user: dove.user,
      password_file: 'imap.pw', every: '500ms', timeout: '5s', reconnect: { min: '100ms', max: '400ms' },
    }], [{ id: 'notice', on: 'kernel.released', when: { distro: 'centos' }, do: [{ email: { template: 'kernel-notice', to: ['users@example.org'] } }] }]);
    const d = w.daemon(quiet);
    await d.start();
    const rechecks = () => w.logs.lines.filter((l) => l.watcher === 'lists' && l.message === 'mailbox read').length;
    await waitFor('the baseline of the empty mailbox', () => w.logs.lines.some((l) => l.watcher === 'lists' && l.message === 'baseline recorded'));
    let seen = rechecks();
    await waitFor('four quiet re-checks', () => rechecks() >= seen + 4, 10_000);
    for (const n of [11, 12, 13]) {
      await append(cesa(n));
      await waitFor(`message ${n}`, () => w.smtp.received.length === n - 10, 5_000);
      seen = rechecks();
      await waitFor('two more quiet re-checks', () => rechecks() >= seen + 2, 10_000);
    }
    await dove.stop();
    await waitFor('the outage to be noticed', () => w.logs.lines.some((l) => l.watcher === 'lists' && l.message === 'watcher failed'), 10_000);
    await dove.start();
    await waitFor('the reconnect', () => w.logs.lines.some((l) => l.watcher === 'lists' && l.message === 'watcher recovered'), 10_000);
    seen = rechecks();
    await waitFor('four quiet re-checks after the restart', () => rechecks() >= seen + 4, 10_000);
    await append(cesa(14));
    await waitFor('the message after the restart', () => w.smtp.received.length === 4, 5_000);
    assert.equal(d.store.announcements.count(), 4);
  });

  it('messages delivered while the server is down are each processed once when it is back; a UIDVALIDITY change doubles nothing', async () => {
    const d = w.daemon(cfg);
    await d.start();
    await waitFor('the baseline', () => w.logs.lines.some((l) => l.message === 'baseline recorded'));
    await dove.stop();
    await waitFor('the disconnect to be noticed', () => w.logs.lines.some((l) => l.watcher === 'lists' && l.message === 'watcher failed'), 10_000);
    // Delivered straight into the maildir while Dovecot is down, as an MDA would.
    const maildir = join(dove.tmp.dir, 'mail', dove.user, 'Maildir');
    const uid = Number(spawnSync('id', ['-u', 'vmail'], { encoding: 'utf8' }).stdout.trim());
    for (const n of [4, 5]) {
      const f = join(maildir, 'new', `${Date.now()}.M${n}P1.test`);
      writeFileSync(f, cesa(n).replace(/\r\n/g, '\n'));
      chownSync(f, uid, uid);
    }
    await dove.start();
    await waitFor('both mails', () => w.smtp.received.length === 2, 15_000);
    assert.ok(w.logs.lines.some((l) => l.message === 'watcher recovered'));

    // A new UIDVALIDITY: Dovecot renumbers the mailbox when its uidlist is gone.
    await dove.stop();
    for (const f of readdirSync(maildir)) if (f.startsWith('dovecot-uidlist') || f.startsWith('dovecot.index')) rmSync(join(maildir, f));
    await dove.start();
    await append(cesa(6));
    await waitFor('the mail after the renumbering', () => w.smtp.received.length === 3, 15_000);
    assert.ok(w.logs.lines.some((l) => /UIDVALIDITY changed/.test(String(l.message))), 'the change was seen');
    assert.deepEqual(subjects(), [4, 5, 6].map((n) => `New kernel 3.10.0-1160.${n}.1.el7 for centos 7 [CESA-2020:600${n}]`));
  });

  it('a mailbox renumbered empty (new UIDVALIDITY) and then written to: its first message, UID 1, is read', async () => {
    for (const n of [51, 52, 53]) await append(cesa(n));
    const d = w.daemon(cfg);
    await d.pollOnce(); // the baseline: the cursor at UID 3
    await dove.stop();
    const maildir = join(dove.tmp.dir, 'mail', dove.user, 'Maildir');
    for (const sub of ['cur', 'new']) for (const f of readdirSync(join(maildir, sub))) rmSync(join(maildir, sub, f));
    for (const f of readdirSync(maildir)) if (f.startsWith('dovecot-uidlist') || f.startsWith('dovecot.index')) rmSync(join(maildir, f));
    await dove.start();
    const [quiet] = await d.pollOnce();
    assert.deepEqual([quiet!.ok, quiet!.items], [true, 0]);
    assert.equal((JSON.parse(d.store.watchers.get('lists').cursor!) as { last_uid: number }).last_uid, 0, 'a new numbering starts from nothing');
    await append(cesa(54));
    const [after] = await d.pollOnce();
    assert.equal(after!.items, 1);
    assert.deepEqual(subjects(), ['New kernel 3.10.0-1160.54.1.el7 for centos 7 [CESA-2020:6054]']);
  });

  it('a huge or unreadable message is logged and skipped, and the cursor moves past it', async () => {
    const d = w.daemon(cfg);
    await d.pollOnce(); // baseline of an empty mailbox
    await append(`From: x@example.org\r\nSubject: big\r\nMessage-ID: <big@x>\r\n\r\n${'A'.repeat(100_000)}\r\n`);
    await append('\u0000\u0001 not a mail at all \u00ff');
    await append(cesa(7));
    // Exactly max_bytes (65536) is still read: the limit is the largest size allowed.
    const mail = cesa(8);
    await append(mail.replace('\r\n\r\n', `\r\nX-Pad: ${'p'.repeat(65536 - Buffer.byteLength(mail) - 9)}\r\n\r\n`));
    const [o] = await d.pollOnce();
    assert.equal(o!.ok, true);
    assert.equal(o!.items, 4);
    assert.equal(w.smtp.received.length, 2);
    assert.equal(w.logs.lines.filter((l) => l.message === 'message larger than max_bytes: skipped').length, 1);
    assert.equal((JSON.parse(d.store.watchers.get('lists').cursor!) as { last_uid: number }).last_uid, 4);
    const [again] = await d.pollOnce();
    assert.equal(again!.items, 0, 'nothing is read again');
  });

  it('a restart fetches nothing below its cursor (counted, not hidden by the Message-ID key)', async () => {
    for (const n of [21, 22, 23]) await append(cesa(n));
    await w.daemon(cfg).pollOnce();
    await append(cesa(24));
    const [after] = await w.daemon(cfg).pollOnce();
    assert.equal(after!.items, 1, 'only the message above the cursor is fetched');
    const [again] = await w.daemon(cfg).pollOnce();
    assert.equal(again!.items, 0);
    // A quiet visit keeps the cursor where it was: the next one fetches nothing either.
    const d = w.daemon(cfg);
    const [third] = await d.pollOnce();
    assert.equal(third!.items, 0);
    assert.equal((JSON.parse(d.store.watchers.get('lists').cursor!) as { last_uid: number }).last_uid, 4);
    assert.equal(w.smtp.received.length, 1);
  });

  it('a baseline keeps only the newest baseline_limit messages; after it, max_items per visit, oldest first, until all are read once', async () => {
    const limited = w.config([{
      id: 'lists', type: 'imap', host: '127.0.0.1', port: dove.port, security: 'plain', user: dove.user,
      password_file: 'imap.pw', every: '2s', timeout: '5s', baseline_limit: 2, max_items: 2,
    }], [{ id: 'notice', on: 'kernel.released', when: { distro: 'centos' }, do: [{ email: { template: 'kernel-notice', to: ['users@example.org'] } }] }]);
    const read = (d: ReturnType<World['daemon']>) => d.store.announcements.byIds([...Array(20).keys()].map((i) => i + 1))
      .map((a) => `${a.external_id}${a.baseline ? ' (baseline)' : ''}`);
    const lastUid = (d: ReturnType<World['daemon']>) => (JSON.parse(d.store.watchers.get('lists').cursor!) as { last_uid: number }).last_uid;
    for (const n of [41, 42, 43, 44, 45]) await append(cesa(n));
    const d = w.daemon(limited);
    const [base] = await d.pollOnce();
    assert.equal(base!.baseline, true);
    assert.equal(base!.items, 2);
    assert.deepEqual(read(d), ['<cesa-44@test.example> (baseline)', '<cesa-45@test.example> (baseline)']);
    assert.equal(lastUid(d), 5, 'the baseline moves the cursor past what it skipped');

    const fresh = [46, 47, 48, 49, 50, 51];
    for (const n of fresh) await append(cesa(n));
    const visits: number[] = [];
    for (let i = 0; i < 4; i++) visits.push((await d.pollOnce())[0]!.items);
    assert.deepEqual(visits, [2, 2, 2, 0], 'max_items per visit, then the rest, then nothing');
    assert.equal(w.logs.lines.filter((l) => l.message === 'more new messages than max_items: the rest follow at once').length, 2,
      'warned while more than max_items waited (6, then 4), not when exactly max_items did');
    assert.deepEqual(read(d).slice(2), fresh.map((n) => `<cesa-${n}@test.example>`), 'oldest first, none skipped');
    assert.equal(lastUid(d), 11);
    assert.deepEqual(subjects(), fresh.map((n) => `New kernel 3.10.0-1160.${n}.1.el7 for centos 7 [CESA-2020:${6000 + n}]`));
  });

  it('the running daemon reads a backlog above max_items at once, not one batch per interval', async () => {
    const slow = w.config([{
      id: 'lists', type: 'imap', host: '127.0.0.1', port: dove.port, security: 'plain', user: dove.user,
      password_file: 'imap.pw', every: '1h', timeout: '5s', max_items: 2,
    }], [{ id: 'notice', on: 'kernel.released', when: { distro: 'centos' }, do: [{ email: { template: 'kernel-notice', to: ['users@example.org'] } }] }]);
    await w.daemon(slow).pollOnce(); // the baseline of an empty mailbox
    for (const n of [61, 62, 63, 64, 65]) await append(cesa(n));
    const d = w.daemon(slow);
    await d.start();
    // Nothing new arrives while it runs, and the next timed visit is an hour away.
    await waitFor('the whole backlog mailed', () => w.smtp.received.length === 5, 15_000);
    await d.stop();
  });

  it('messages are fetched by UID, not by sequence number: after an expunge the next message is still read', async () => {
    for (const n of [81, 82, 83]) await append(cesa(n));
    const d = w.daemon(cfg);
    await d.pollOnce(); // the baseline
    const c = new ImapFlow({ host: '127.0.0.1', port: dove.port, secure: false, auth: { user: dove.user, pass: dove.password }, logger: false });
    await c.connect();
    await c.mailboxOpen('INBOX');
    await c.messageDelete('1:2', { uid: true }); // UIDs 1 and 2 gone: UID 3 is now message 1
    await c.logout();
    await append(cesa(84)); // UID 4, sequence number 2
    const [after] = await d.pollOnce();
    assert.equal(after!.items, 1);
    assert.deepEqual(subjects(), ['New kernel 3.10.0-1160.84.1.el7 for centos 7 [CESA-2020:6084]']);
    assert.equal((JSON.parse(d.store.watchers.get('lists').cursor!) as { last_uid: number }).last_uid, 4);
  });

  it('a message the store could not take now (an SQLite error while checking for a reply) is read again on the next visit, not skipped', async () => {
    const d = w.daemon(cfg);
    await d.pollOnce(); // the baseline of an empty mailbox
    await append(cesa(71));
    // A genuine SqliteError, raised once where every message is first looked at.
    const real = d.store.assignments.byMessageId.bind(d.store.assignments);
    let failures = 0;
    d.store.assignments.byMessageId = (id: string) => {
      if (failures++ === 0) new Database(':memory:').prepare('SELECT * FROM busy_now').get();
      return real(id);
    };
    const [failed] = await d.pollOnce();
    assert.equal(failed!.ok, false);
    assert.match(failed!.error ?? '', /not handled yet/);
    assert.equal((JSON.parse(d.store.watchers.get('lists').cursor!) as { last_uid: number }).last_uid, 0, 'the cursor stays before it');
    const [again] = await d.pollOnce();
    assert.equal(again!.ok, true);
    assert.equal(again!.items, 1);
    assert.deepEqual(subjects(), ['New kernel 3.10.0-1160.71.1.el7 for centos 7 [CESA-2020:6071]']);
  });

  it('killed between a message\'s records and its cursor: both roll back together; the restart reads it once', async () => {
    await w.daemon(cfg).pollOnce(); // the baseline of an empty mailbox
    await append(cesa(31));
    const crashed = await runCli(['poll', '--config', cfg], { KERNEL_HERALD_CRASH_AT: 'imap-before-cursor' });
    assert.equal(crashed.signal, 'SIGKILL', crashed.stderr);
    const d = w.daemon(cfg);
    assert.equal(d.store.announcements.count(), 0, 'the message\'s records went with the cursor');
    const resumed = await runCli(['poll', '--config', cfg]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(w.smtp.received.length, 1);
    assert.equal(d.store.announcements.count(), 1);
    assert.equal((JSON.parse(d.store.watchers.get('lists').cursor!) as { last_uid: number }).last_uid, 1);
  });

  it('killed in the middle of a baseline: the restart finishes the baseline silently, nothing is mailed', async () => {
    for (const n of [91, 92, 93]) await append(cesa(n));
    const crashed = await runCli(['poll', '--config', cfg], { KERNEL_HERALD_CRASH_AT: 'imap-before-cursor#2' });
    assert.equal(crashed.signal, 'SIGKILL', crashed.stderr);
    const d = w.daemon(cfg);
    assert.equal(d.store.announcements.count(), 1, 'the first message committed, the second rolled back');
    assert.equal(d.store.watchers.get('lists').baseline_done, false, 'the baseline is not done');
    assert.deepEqual(JSON.parse(d.store.watchers.get('lists').cursor!), { uidvalidity: JSON.parse(d.store.watchers.get('lists').cursor!).uidvalidity, last_uid: 1 }, 'the cursor moved with the first message');
    assert.match(String((JSON.parse(d.store.watchers.get('lists').cursor!) as { uidvalidity: unknown }).uidvalidity), /^\d+$/);
    assert.equal(d.store.announcements.byIds([1])[0]!.format, 'email');
    const resumed = await runCli(['poll', '--config', cfg]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(d.store.announcements.count(), 3);
    assert.ok(d.store.announcements.byIds([1, 2, 3]).every((a) => a.baseline), 'all three recorded as the baseline');
    assert.equal(d.store.outbox.counts().pending + d.store.outbox.counts().sent, 0, 'nothing queued');
    assert.equal(w.smtp.received.length, 0);
  });

  it('a wrong password is reported against the watcher, without the password', async () => {
    writeFileSync(join(w.tmp.dir, 'imap.pw'), 'hunter2-not-the-password\n');
    const d = w.daemon(cfg);
    const [o] = await d.pollOnce();
    assert.equal(o!.ok, false);
    const line = w.logs.lines.find((l) => l.watcher === 'lists' && l.message === 'watcher failed');
    assert.ok(line);
    assert.doesNotMatch(JSON.stringify(w.logs.lines), /hunter2/, 'the password read from the file is in no log line');
  });
});

describe('IMAP watcher over TLS and STARTTLS (Dovecot with a self-signed certificate)', function () {
  this.timeout(60_000);
  let w: World;
  let dove: Dovecot;
  beforeEach(async () => {
    w = await new World().start();
    dove = new Dovecot(true);
    await dove.start();
    writeFileSync(join(w.tmp.dir, 'imap.pw'), dove.password);
  });
  afterEach(async () => { await w.stop(); await dove.destroy(); });

  const watcher = (security: string, port: number, ca?: string) => ({
    id: `m-${security}`, type: 'imap', host: '127.0.0.1', port, security, user: dove.user, password_file: 'imap.pw', timeout: '5s',
    ...(ca ? { ca_file: ca } : {}),
  });

  it('tls and starttls log in when the certificate is trusted, and fail clearly when it is not', async () => {
    const cfg = w.config([watcher('tls', dove.tlsPort, dove.caFile), watcher('starttls', dove.port, dove.caFile)], []);
    const outcomes = await w.daemon(cfg).pollOnce();
    assert.deepEqual(outcomes.map((o) => [o.watcher, o.ok, o.error]), [['m-tls', true, undefined], ['m-starttls', true, undefined]]);
    const untrusted = w.config([{ ...watcher('tls', dove.tlsPort), id: 'untrusted' }], [], {});
    const [bad] = await w.daemon(untrusted).pollOnce();
    assert.equal(bad!.ok, false);
    assert.match(bad!.error!, /certificate/i);
  });
});
