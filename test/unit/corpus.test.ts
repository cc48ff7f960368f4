import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { decodeBody } from '../../src/sources/document.js';
import { parseDocument } from '../../src/sources/parse-document.js';

// Every parser fixture has its labelled expectation beside it (FILE.expect.json:
// source, advisory, CVEs, releases), and this one test checks them all. Adding
// a fixture means saying what it must give.

const ROOT = join(import.meta.dirname, '..', 'fixtures');

interface Expectation {
  source: string;
  advisory: string | null;
  cves: string[];
  releases: { kind: string; distro: string; distro_release: string; package: string; version: string; flavour?: string; label?: string }[];
}

function* fixtures(dir: string): Generator<string> {
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) { if (f !== 'bad') yield* fixtures(p); }
    else if (f !== 'README.md' && !f.endsWith('.expect.json')) yield p;
  }
}

describe('corpus: every fixture gives what its expectation says', () => {
  const files = [...fixtures(ROOT)];
  it('every fixture has an expectation, and every expectation a fixture', () => {
    assert.ok(files.length >= 15);
    for (const f of files) assert.ok(existsSync(`${f}.expect.json`), `${relative(ROOT, f)} has no ${relative(ROOT, f)}.expect.json`);
    const orphans = [...(function* walk(d: string): Generator<string> {
      for (const f of readdirSync(d)) { const p = join(d, f); if (statSync(p).isDirectory()) yield* walk(p); else if (f.endsWith('.expect.json')) yield p; }
    })(ROOT)].filter((e) => !existsSync(e.slice(0, -'.expect.json'.length)));
    assert.deepEqual(orphans, []);
  });
  it('a notice in both of Canonical\'s formats (usn/ and osv/usn/) gives the same kernels from each', async () => {
    const key = (r: { distro_release: string; package: string; version: string }) => `${r.distro_release} ${r.package} ${r.version}`;
    const pairs = readdirSync(join(ROOT, 'usn-json')).filter((f) => f.endsWith('.json') && !f.endsWith('.expect.json') && existsSync(join(ROOT, 'osv', `USN-${f}`)));
    assert.ok(pairs.length >= 4, pairs.join(', '));
    for (const f of pairs) {
      const [usn, osv] = await Promise.all([join(ROOT, 'usn-json', f), join(ROOT, 'osv', `USN-${f}`)].map((p) => parseDocument(decodeBody(readFileSync(p)))));
      assert.deepEqual(osv!.releases.map(key).sort(), usn!.releases.map(key).sort(), f);
      assert.deepEqual([...osv!.cves].sort(), [...usn!.cves].sort(), f);
    }
  });
  for (const f of files) {
    it(relative(ROOT, f), async () => {
      const want = JSON.parse(readFileSync(`${f}.expect.json`, 'utf8')) as Expectation;
      const got = await parseDocument(decodeBody(readFileSync(f)));
      assert.equal(got.source, want.source);
      assert.equal(got.advisory, want.advisory);
      assert.deepEqual([...got.cves].sort(), want.cves);
      assert.deepEqual(got.releases.map((r) => ({ kind: r.kind, distro: r.distro, distro_release: r.distro_release, package: r.package, version: r.version, ...('flavour' in r && r.flavour ? { flavour: r.flavour } : {}), ...('label' in r && r.label === 'ESM' ? { label: r.label } : {}) })), want.releases);
    });
  }
});
