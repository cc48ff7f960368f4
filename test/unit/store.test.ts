import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Announcement } from '../../src/domain.js';
import { HeraldError } from '../../src/errors.js';
import { ingest } from '../../src/ingest/ingest.js';
import { loadMigrations, openDatabase } from '../../src/store/db.js';
import { Store } from '../../src/store/index.js';
import { DUE_SQL } from '../../src/store/outbox.js';
import { tempDir } from '../helpers/util.js';

const ann = (title: string, version = '6.6.8'): Announcement => ({
  format: 'rss', source: 'kernel-org', title, advisory: null, cves: [], urls: [`https://example.org/${title}`],
  releases: [{ kind: 'kernel', distro: 'kernel.org', distro_release: '6.6', package: 'linux', version, arch: [] }],
});

describe('store and ingest (real SQLite file)', () => {
  let t: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(() => { t = tempDir(); store = Store.open(join(t.dir, 'db.sqlite')); });
  afterEach(() => { store.close(); t.cleanup(); });

  it('applies the migrations once, in WAL mode, and records them', () => {
    const versions = store.db.prepare('SELECT version FROM schema_migrations').pluck().all();
    const all = loadMigrations().map((m) => m.version);
    assert.ok(all.length >= 5);
    assert.deepEqual(versions, all);
    assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
    store.close();
    store = Store.open(join(t.dir, 'db.sqlite'));
    assert.deepEqual(store.db.prepare('SELECT version FROM schema_migrations').pluck().all(), all);
  });

  it('refuses a database newer than the code, naming both versions, and leaves it untouched', () => {
    store.db.prepare("INSERT INTO schema_migrations VALUES (99, '0099_future', 'x')").run();
    store.close();
    assert.throws(() => openDatabase(join(t.dir, 'db.sqlite')), (err: unknown) =>
      err instanceof HeraldError && err.exitCode === 2 && new RegExp(`schema version 99, newer than this program knows \\(${loadMigrations().length}\\)`).test(err.message));
    const raw = new Database(join(t.dir, 'db.sqlite'));
    assert.equal(raw.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get(), 99);
    raw.close();
    store = Store.open(':memory:');
  });

  it('the same kernel from two watchers is one record and one event, keeping both announcements and which came first', () => {
    const at = '2026-01-01T00:00:00.000Z';
    const a = ingest(store, { watcher: 'w1', externalId: 'x1', format: 'rss', raw: '{}', announcement: ann('first'), baseline: false }, at);
    const b = ingest(store, { watcher: 'w2', externalId: 'y1', format: 'rss', raw: '{}', announcement: ann('second'), baseline: false }, '2026-01-01T00:01:00.000Z');
    const again = ingest(store, { watcher: 'w1', externalId: 'x1', format: 'rss', raw: '{}', announcement: ann('first'), baseline: false }, at);
    assert.equal(a.events.length, 1);
    assert.equal(b.events.length, 0);
    assert.equal(again.duplicate, true);
    const [rel] = store.releases.find('6.6.8');
    assert.ok(rel);
    const anns = store.announcements.forRelease(rel.id);
    assert.deepEqual(anns.map((x) => x.watcher), ['w1', 'w2']);
    assert.equal(rel.first_announcement_id, a.announcementId);
    assert.equal(store.db.prepare('SELECT COUNT(*) FROM events').pluck().get(), 1);
  });

  it('a baseline item records its releases but emits nothing; a later announcement of them emits nothing either', () => {
    const at = '2026-01-01T00:00:00.000Z';
    const r = ingest(store, { watcher: 'w1', externalId: 'x1', format: 'rss', raw: '{}', announcement: ann('base'), baseline: true }, at);
    assert.equal(r.events.length, 0);
    const later = ingest(store, { watcher: 'w2', externalId: 'z', format: 'rss', raw: '{}', announcement: ann('later'), baseline: false }, at);
    assert.equal(later.events.length, 0);
    assert.equal(store.releases.list({ includeBaseline: true }).length, 1);
  });

  it('a failure inside ingest rolls the whole item back', () => {
    const bad = ann('bad');
    (bad.releases[0] as { distro: unknown }).distro = null; // NOT NULL violation
    assert.throws(() => ingest(store, { watcher: 'w1', externalId: 'x', format: 'rss', raw: '{}', announcement: bad, baseline: false }, 'now'));
    assert.equal(store.announcements.exists('w1', 'x'), false);
  });
});

describe('store: prepared statements kept per connection', () => {
  it('the same SQL gives the same statement; a reader one caller plucked or made raw comes back plain', () => {
    const t = tempDir();
    const db = openDatabase(join(t.dir, 'db.sqlite'));
    try {
      const sql = 'SELECT 1 AS one, 2 AS two';
      assert.equal(db.prepare(sql), db.prepare(sql));
      assert.equal(db.prepare(sql).pluck().get(), 1);
      assert.deepEqual(db.prepare(sql).get(), { one: 1, two: 2 });
      assert.deepEqual(db.prepare(sql).raw().get(), [1, 2]);
      assert.deepEqual(db.prepare(sql).all(), [{ one: 1, two: 2 }]);
      db.prepare('CREATE TABLE x (a)').run();
      assert.equal(db.prepare('INSERT INTO x VALUES (?)').run(1).changes, 1);
      assert.equal(db.prepare('INSERT INTO x VALUES (?)').run(2).changes, 1, 'a writer is reused as it is');
      assert.equal(db.prepare('SELECT COUNT(*) FROM x').pluck().get(), 2);
    } finally {
      db.close();
      t.cleanup();
    }
  });
});

describe('store: the outbox reads what is due through its index', () => {
  it('due() neither scans the table (sent mail stays in it) nor changes its answer: pending and due, oldest first', () => {
    const t = tempDir();
    const store = Store.open(join(t.dir, 'db.sqlite'));
    try {
      const plan = (store.db.prepare(`EXPLAIN QUERY PLAN ${DUE_SQL}`).all('2026-01-01', 20) as { detail: string }[]).map((r) => r.detail);
      assert.ok(plan.some((d) => d.includes('outbox_due')), plan.join('; '));
      assert.ok(!plan.some((d) => /^SCAN outbox\b/.test(d)), plan.join('; '));
      const msg = (i: number) => ({ message_id: `<m${i}@x>`, rule_run_id: null, event_id: null, release_id: null, template: 't', thread_key: null, recipients: ['a@x'], cc: [], subject: `s${i}`, body: 'b', in_reply_to: null, refs: null });
      const ids = [1, 2, 3, 4].map((i) => store.outbox.enqueue(msg(i), '2026-01-01T00:00:00.000Z'));
      store.outbox.markSent(ids[0]!, '2026-01-01T00:01:00.000Z');
      store.outbox.markFailedAttempt(ids[1]!, 'later', '2026-01-02T00:00:00.000Z');
      assert.deepEqual(store.outbox.due('2026-01-01T12:00:00.000Z').map((m) => m.subject), ['s3', 's4']);
      assert.deepEqual(store.outbox.due('2026-01-03T00:00:00.000Z').map((m) => m.subject), ['s2', 's3', 's4']);
      assert.deepEqual(store.outbox.due('2026-01-03T00:00:00.000Z', 2).map((m) => m.subject), ['s2', 's3']);
    } finally {
      store.close();
      t.cleanup();
    }
  });
});
