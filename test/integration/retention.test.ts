import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { runCli } from '../helpers/cli.js';
import { fixture } from '../helpers/util.js';
import { World } from '../helpers/world.js';

describe('retention: the daily prune', function () {
  this.timeout(30_000);
  let w: World;
  beforeEach(async () => { w = await new World().start(); });
  afterEach(async () => { await w.stop(); });

  it('empties old raw announcements and sent mail bodies, removes old .eml files and build logs, keeps kernels, events and mail rows; status shows the sizes', async () => {
    const day = 86_400_000;
    const now = { t: Date.now() };
    w.feeds.set('/kdist.xml', fixture('kernel-org/kdist-2020-05-08.xml'));
    const path = w.config([{ id: 'kdist', type: 'rss', url: w.feeds.url('/kdist.xml'), backfill: true }],
      [{ id: 'n', on: 'kernel.released', when: { distro_release: ['mainline', '5.6', '5.5'] }, do: [{ email: { template: 'kernel-notice', to: ['users@example.org'] } }] }]);
    const cfg = YAML.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    cfg.mail = { from: 'Kernel Herald <herald@test.example>', transport: 'file' };
    cfg.retention = { raw: '30d', mail: '60d', build_logs: '10d' };
    writeFileSync(path, YAML.stringify(cfg));
    const d = w.daemon(path, { now: () => new Date(now.t) });
    await d.pollOnce();
    const mailDir = join(w.tmp.dir, 'state', 'mail');
    const logs = join(w.tmp.dir, 'state', 'builds');
    mkdirSync(logs, { recursive: true });
    writeFileSync(join(logs, 'build-1-attempt-1.log'), 'old log');
    writeFileSync(join(logs, 'build-2-attempt-1.log'), 'new log');
    utimesSync(join(logs, 'build-1-attempt-1.log'), new Date(now.t - 20 * day), new Date(now.t - 20 * day));
    const raw = () => d.store.announcements.rawBytes();
    assert.equal(readdirSync(mailDir).length, 3);
    const before = await runCli(['status', '--json', '--config', path]);
    const sizes = (JSON.parse(before.stdout) as { sizes: Record<string, number> }).sizes;
    assert.ok(sizes.raw_announcement_bytes! > 0 && sizes.mail_body_bytes! > 0 && sizes.mail_file_bytes! > 0 && sizes.build_log_bytes === 14 && sizes.database_bytes! > 0);

    d.prune();
    assert.deepEqual(readdirSync(logs), ['build-2-attempt-1.log'], 'only the log older than 10d went');
    assert.ok(raw() > 0, 'announcements younger than 30d keep their text');

    now.t += 31 * day;
    d.prune();
    assert.equal(raw(), 0, 'raw text older than 30d emptied');
    assert.equal(d.store.announcements.count(), 10, 'the rows stay: an item seen again is still known');
    assert.equal(readdirSync(mailDir).length, 3, 'mail younger than 60d stays');

    now.t += 30 * day;
    d.prune();
    assert.equal(d.store.outbox.bodyBytes(), 0);
    assert.deepEqual(d.store.outbox.counts(), { pending: 0, sent: 3, failed: 0 }, 'the mail rows stay');
    assert.equal(readdirSync(mailDir).filter((f) => f.endsWith('.eml')).length, 0);
    assert.equal(d.store.db.prepare("SELECT COUNT(*) FROM events WHERE type = 'kernel.released'").pluck().get(), 9, 'events stay with their kernels');
    const after = await runCli(['status', '--config', path]);
    assert.match(after.stdout, /^state: database [\d.]+ MiB \(raw announcements 0\.0 MiB, mail bodies 0\.0 MiB\), mail files 0\.0 MiB, build logs 0\.0 MiB$/m);
    w.feeds.set('/kdist.xml', `${fixture('kernel-org/kdist-2020-05-08.xml')}\n<!-- changed, so the poll reads it again -->\n`);
    const [again] = await d.pollOnce();
    assert.deepEqual([again!.notModified, again!.recorded], [false, 0]);
    assert.equal(d.store.outbox.counts().sent, 3, 'a pruned item seen again is not news');
  });
});
