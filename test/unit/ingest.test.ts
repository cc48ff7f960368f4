import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Announcement, DriverReleasedPayload, KernelReleasedPayload } from '../../src/domain.js';
import { ingest } from '../../src/ingest/ingest.js';
import { replayIngest, type ReplayItem } from '../../src/ingest/replay.js';
import { Store } from '../../src/store/index.js';
import { fixture, tempDir } from '../helpers/util.js';

const driver: Announcement = {
  format: 'atom', source: 'nvidia-driver', title: 'Linux Display Driver 550.54.14', advisory: null, cves: [], urls: ['https://www.nvidia.com/download/driverResults.aspx/218826/'],
  releases: [{ kind: 'driver', distro: 'nvidia', distro_release: '550', package: 'open-gpu-kernel-modules', version: '550.54.14', arch: ['x86_64'] }],
};
const kernel: Announcement = {
  format: 'email', source: 'rocky-announce', title: 'RLSA-2026:1 kernel', advisory: 'RLSA-2026:1', cves: ['CVE-2026-1'], urls: ['https://errata.rockylinux.org/RLSA-2026:1'],
  releases: [{ kind: 'kernel', distro: 'rocky', distro_release: '9', package: 'kernel', version: '5.14.0-362.13.1.el9_3', arch: ['x86_64'] }],
};

describe('ingest: what is recorded, and what fires', () => {
  let t: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(() => { t = tempDir(); store = Store.open(join(t.dir, 'db.sqlite')); });
  afterEach(() => { store.close(); t.cleanup(); });

  const payload = <T>(id: number) => store.events.get(id)!.payload as unknown as T;

  it('a driver release: its own stream, no ABI, a driver.released event with the driver and the announcement', () => {
    const r = ingest(store, { watcher: 'nv', externalId: 'e1', format: 'atom', raw: '<entry/>', announcement: driver, baseline: false }, '2026-03-02T10:00:00Z');
    assert.equal(r.events.length, 1);
    const ev = store.events.get(r.events[0]!)!;
    assert.equal(ev.type, 'driver.released');
    const p = payload<DriverReleasedPayload>(ev.id);
    assert.deepEqual(p.driver, { id: r.releases[0]!.id, vendor: 'nvidia', package: 'open-gpu-kernel-modules', version: '550.54.14', branch: '550', arch: ['x86_64'] });
    assert.equal(p.announcements[0]!.title, 'Linux Display Driver 550.54.14');
    const row = store.db.prepare('SELECT stream, abi FROM releases WHERE id = ?').get(r.releases[0]!.id) as { stream: string; abi: string | null };
    assert.deepEqual(row, { stream: 'nvidia/550/open-gpu-kernel-modules', abi: null });
  });

  it('a baseline records kernels and drivers and fires for neither', () => {
    const r = ingest(store, { watcher: 'nv', externalId: 'b1', format: 'atom', raw: '', announcement: { ...driver, releases: [...driver.releases, ...kernel.releases] }, baseline: true }, '2026-03-02T10:00:00Z');
    assert.deepEqual([r.releases.length, r.releases.every((x) => x.created), r.events.length], [2, true, 0]);
    assert.equal(store.db.prepare('SELECT COUNT(*) FROM events').pluck().get(), 0);
  });

  it('a stream whose first kernel does not parse: it fires with nothing before it, and sets no head; the next that parses is placed by a scan', () => {
    // kernel.org's scheme refuses what is not a kernel.org version (rpm's and dpkg's compare almost anything).
    const odd = (version: string, n: number) => ingest(store, { watcher: 'w', externalId: `o${n}`, format: 'rss', raw: '',
      announcement: { ...kernel, releases: [{ kind: 'kernel', distro: 'kernel.org', distro_release: '6.6', package: 'linux', version, arch: [] }] }, baseline: false }, '2026-03-02T10:00:00Z');
    const first = odd('6.6.x-weird', 1);
    const p = payload<KernelReleasedPayload>(first.events[0]!);
    assert.deepEqual([p.kernel.previous_version, p.kernel.newest], [null, true]);
    const stream = store.releases.get(first.releases[0]!.id)!.stream!;
    assert.equal(store.releases.streamHead('kernel', stream), undefined);
    const second = odd('6.6.8', 2);
    assert.equal(payload<KernelReleasedPayload>(second.events[0]!).kernel.newest, true);
    assert.equal(store.releases.streamHead('kernel', stream)?.version, '6.6.8');
  });

  it('a kernel release: the announcement\'s advisory, CVEs, URLs and reference go into the event', () => {
    const r = ingest(store, { watcher: 'mail', externalId: '<m1@x>', format: 'email', raw: 'raw text', detail: '{"json":1}', announcement: kernel, baseline: false }, '2026-03-02T10:00:00Z');
    const p = payload<KernelReleasedPayload>(r.events[0]!);
    assert.deepEqual([p.advisory, p.cves, p.urls], ['RLSA-2026:1', ['CVE-2026-1'], ['https://errata.rockylinux.org/RLSA-2026:1']]);
    assert.deepEqual(p.announcements, [{ id: r.announcementId, watcher: 'mail', source: 'rocky-announce', title: 'RLSA-2026:1 kernel', advisory: 'RLSA-2026:1', urls: ['https://errata.rockylinux.org/RLSA-2026:1'] }]);
    assert.deepEqual([p.kernel.abi, p.kernel.newest], ['5.14.0-362.el9', true]);
    const stored = store.db.prepare('SELECT raw, detail FROM announcements WHERE id = ?').get(r.announcementId) as { raw: string; detail: string | null };
    assert.deepEqual(stored, { raw: 'raw text', detail: '{"json":1}' }, 'the detail document is kept beside the raw item');
  });

  it('an item no source understood is recorded (so it is not read again) with no release and no event; a duplicate records nothing', () => {
    const r = ingest(store, { watcher: 'mail', externalId: '<other@x>', format: 'email', raw: 'hello', announcement: undefined, baseline: false }, 'now');
    assert.deepEqual([r.duplicate, r.releases, r.events], [false, [], []]);
    assert.ok(r.announcementId);
    const again = ingest(store, { watcher: 'mail', externalId: '<other@x>', format: 'email', raw: 'hello', announcement: kernel, baseline: false }, 'now');
    assert.deepEqual(again, { duplicate: true, releases: [], events: [] });
    assert.equal(store.db.prepare('SELECT COUNT(*) FROM releases').pluck().get(), 0);
  });

  it('replay: a document no source knows is reported, not recorded', () => {
    const items: ReplayItem[] = [
      { file: 'a.eml', externalId: '<a@x>', input: { format: 'email', mail: { subject: 'lunch?', from: 'x@example.org', text: 'pizza', headers: {} } }, raw: 'lunch' },
    ];
    const [unknown] = replayIngest(store, items, 'now');
    assert.deepEqual(unknown, { file: 'a.eml', externalId: '<a@x>', source: null, title: '', duplicate: false, events: [] });
    assert.equal(store.db.prepare('SELECT COUNT(*) FROM announcements').pluck().get(), 0, 'nothing recorded for it');
  });

  it('replay: a document a source claims but cannot read stops the replay naming the file and item, and records nothing for it', () => {
    const broken: ReplayItem = { file: 'rhsa.json', externalId: 'RHSA-x', input: { format: 'json', value: { document: { csaf_version: '2.0', category: 'csaf_security_advisory' } } }, raw: '{}' };
    const good: ReplayItem = { file: 'a.json', externalId: 'ok', input: { format: 'json', value: JSON.parse(fixture('usn-json/6548-5.json')) }, raw: '{}' };
    assert.throws(() => replayIngest(store, [good, broken], 'now'), (e: unknown) => (e as { code?: string }).code === 'EINPUT' && /^rhsa\.json: RHSA-x: CSAF document: /.test((e as Error).message));
    assert.equal(store.db.prepare('SELECT COUNT(*) FROM announcements').pluck().get(), 0, 'read first, written after: the item before it is not half-replayed');
    assert.equal(replayIngest(store, [good], 'now')[0]!.events.length, 1, 'the same item alone goes through');
  });

  it('replay: more items than one transaction holds are each recorded once, in order', () => {
    const items: ReplayItem[] = Array.from({ length: 501 }, (_, i) => ({ file: 'big.mbox', externalId: `<m${i}@x>`, input: { format: 'json', value: { nothing: i } }, raw: '{}' }));
    const out = replayIngest(store, items, 'now');
    assert.deepEqual(out.map((r) => r.externalId), items.map((it) => it.externalId));
  });
});
