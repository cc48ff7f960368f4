import assert from 'node:assert/strict';
import type { KernelRelease } from '../../src/domain.js';
import { distroOfAdvisory } from '../../src/sources/updateinfo/index.js';
import { streamKey } from '../../src/versions/abi.js';
import { compareVersions, schemeFor } from '../../src/versions/index.js';
import { gzipSync } from 'node:zlib';
import { parseOsv } from '../../src/sources/osv/index.js';
import { parseDocument } from '../../src/sources/parse-document.js';
import { decompress } from '../../src/watchers/decompress.js';
import { kernelsInPackages, packagesIndex, releaseIndexes } from '../../src/watchers/repo/apt.js';
import { advisoryIndex, kernelsInPrimary, parseRepomd } from '../../src/watchers/repo/rpm.js';
import { fixture } from '../helpers/util.js';
import * as R from '../helpers/repos.js';

describe('OSV records', () => {
  it('AlmaLinux ALSA-2023:7077 (verbatim): one kernel release from its 25 packages, CVEs, advisory links', async () => {
    const a = await parseDocument(fixture('osv/ALSA-2023-7077.json'));
    assert.equal(a.source, 'osv');
    assert.equal(a.advisory, 'ALSA-2023:7077');
    assert.deepEqual(a.releases, [{ kind: 'kernel', distro: 'almalinux', distro_release: '8', package: 'kernel', version: '4.18.0-513.5.1.el8_9', arch: [] }]);
    assert.equal(a.cves.length, 53);
    assert.deepEqual(a.urls, ['https://access.redhat.com/errata/RHSA-2023:7077', 'https://errata.almalinux.org/8/ALSA-2023-7077.html']);
  });
  it('a record listing only some subpackages still names the kernel release', () => {
    const rec = JSON.parse(fixture('osv/ALSA-2023-7077.json')) as { affected: { package: { name: string } }[] };
    rec.affected = rec.affected.filter((x) => ['kernel-abi-stablelists', 'kernel-tools-libs'].includes(x.package.name));
    assert.deepEqual(parseOsv(rec).releases.map((r) => `${r.distro} ${r.package} ${r.version}`), ['almalinux kernel 4.18.0-513.5.1.el8_9']);
  });
  it('Ubuntu records name binaries in ecosystem_specific; a non-kernel record names none', () => {
    const rec = { id: 'USN-6548-1', affected: [{ package: { ecosystem: 'Ubuntu:22.04:LTS', name: 'linux' }, ecosystem_specific: { binaries: [
      { binary_name: 'linux-image-5.15.0-91-generic', binary_version: '5.15.0-91.101' }, { binary_name: 'linux-headers-5.15.0-91', binary_version: '5.15.0-91.101' }] } }] };
    assert.deepEqual(parseOsv(rec).releases.map((r) => [r.distro_release, r.package, r.kind === 'kernel' ? r.label : '']), [['22.04', 'linux-image-5.15.0-91-generic', 'LTS']]);
    assert.deepEqual(parseOsv({ id: 'ALSA-1', affected: [{ package: { ecosystem: 'AlmaLinux:9', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ fixed: '3.0.7-1.el9' }] }] }] }).releases, []);
  });
});

describe('updateinfo.xml', () => {
  const xml = R.updateinfoXml([
    { id: 'RLSA-2023:7549', title: 'Important: kernel security update', cves: ['CVE-2023-3609'], pkgs: [{ name: 'kernel-core', ver: '5.14.0', rel: '362.13.1.el9_3', arch: 'x86_64' }, { name: 'bpftool', ver: '7.2.0', rel: '362.13.1.el9_3', arch: 'x86_64' }] },
    { id: 'RLSA-2023:7550', title: 'Moderate: openssl security update', cves: ['CVE-2023-5678'], pkgs: [{ name: 'openssl', ver: '3.0.7', rel: '25.el9_3', arch: 'x86_64' }] },
  ]).toString();
  it('parse: the kernel advisories of the file, with CVEs and links', async () => {
    const a = await parseDocument(xml);
    assert.equal(a.format, 'xml');
    assert.equal(a.source, 'updateinfo');
    assert.equal(a.advisory, 'RLSA-2023:7549');
    assert.deepEqual(a.cves, ['CVE-2023-3609']);
    assert.deepEqual(a.urls, ['https://errata.example.org/RLSA-2023:7549']);
    assert.deepEqual(a.releases.map((r) => `${r.distro} ${r.distro_release} ${r.package} ${r.version} ${r.arch}`), ['rocky 9 kernel 5.14.0-362.13.1.el9_3 x86_64']);
  });
  // Amazon Linux: the advisories' ids, packages and releases as published (ALAS2-2018-939 as recorded
  // in aquasecurity/vuln-list-update's amazon/testdata; the 5.15 extras kernel of ALAS2KERNEL-5.15-2022-009),
  // in the updateinfo layout; no verbatim updateinfo.xml is public as text (see test/fixtures/README.md).
  it('Amazon Linux 2: ALAS2- and the ALAS2KERNEL-5.15- extras give amzn 2 kernels, each its own line; a non-kernel advisory none', async () => {
    const amzn = R.updateinfoXml([
      { id: 'ALAS2-2018-939', title: 'Amazon Linux 2 2017.12 - ALAS2-2018-939: critical priority package update for kernel', cves: ['CVE-2017-5754', 'CVE-2017-5715'],
        pkgs: [{ name: 'kernel', ver: '4.9.76', rel: '38.79.amzn2', arch: 'x86_64' }, { name: 'kernel-headers', ver: '4.9.76', rel: '38.79.amzn2', arch: 'x86_64' }, { name: 'perf', ver: '4.9.76', rel: '38.79.amzn2', arch: 'x86_64' }, { name: 'kernel-doc', ver: '4.9.76', rel: '38.79.amzn2', arch: 'noarch' }] },
      { id: 'ALAS2KERNEL-5.15-2022-009', title: 'Amazon Linux 2 - ALAS2KERNEL-5.15-2022-009: important priority package update for kernel', cves: ['CVE-2022-2663'],
        pkgs: [{ name: 'kernel', ver: '5.15.73', rel: '48.135.amzn2', arch: 'x86_64' }, { name: 'kernel', ver: '5.15.73', rel: '48.135.amzn2', arch: 'aarch64' }] },
      { id: 'ALAS2-2018-951', title: 'Amazon Linux 2 - ALAS2-2018-951: important priority package update for curl', cves: ['CVE-2018-1000120'], pkgs: [{ name: 'curl', ver: '7.55.1', rel: '9.amzn2.0.1', arch: 'x86_64' }] },
    ]).toString();
    const a = await parseDocument(amzn);
    assert.deepEqual(a.releases.map((r) => `${r.distro} ${r.distro_release} ${r.package} ${r.version} ${r.arch.join(',')}`), ['amzn 2 kernel 4.9.76-38.79.amzn2 x86_64', 'amzn 2 kernel 5.15.73-48.135.amzn2 aarch64,x86_64']);
    assert.equal(a.title, 'updateinfo: 2 kernel advisories');
    assert.notEqual(streamKey(a.releases[0] as KernelRelease), streamKey(a.releases[1] as KernelRelease), 'the 4.9 and 5.15 kernels are separate lines');
    assert.equal(compareVersions(schemeFor('amzn')!, '5.15.73-48.135.amzn2', '5.15.73-47.134.amzn2'), 1);
    assert.deepEqual(distroOfAdvisory('ALAS2023-2023-001'), { distro: 'amzn', release: '2023' });
    assert.deepEqual(distroOfAdvisory('ALAS-2018-1000'), { distro: 'amzn', release: '2018.03' });
  });
});

describe('repository metadata', () => {
  it('repomd, primary and updateinfo give kernels with their advisory', () => {
    const primary = R.primaryXml([
      { name: 'kernel', ver: '5.14.0', rel: '362.13.1.el9_3', arch: 'x86_64' }, { name: 'kernel-core', ver: '5.14.0', rel: '362.13.1.el9_3', arch: 'aarch64' },
      { name: 'kernel-64k', ver: '5.14.0', rel: '362.13.1.el9_3', arch: 'aarch64' }, { name: 'bash', ver: '5.1.8', rel: '6.el9', arch: 'x86_64' },
      { name: 'kernel', ver: '5.14.0', rel: '362.13.1.el9_3', arch: 'src' },
    ]);
    const ks = kernelsInPrimary(primary, 'rocky', '9');
    assert.deepEqual(ks.map((k) => `${k.package} ${k.version} ${k.arch.join(',')}`), ['kernel 5.14.0-362.13.1.el9_3 aarch64,x86_64', 'kernel-64k 5.14.0-362.13.1.el9_3 aarch64']);
    const idx = advisoryIndex(R.updateinfoXml([{ id: 'RLSA-2023:7549', title: 't', cves: [], pkgs: [{ name: 'kernel', ver: '5.14.0', rel: '362.13.1.el9_3', arch: 'x86_64' }] }]));
    assert.equal(idx.get('kernel\u00005.14.0-362.13.1.el9_3')?.id, 'RLSA-2023:7549');
    const md = parseRepomd(R.repomdXml([{ type: 'primary', href: 'repodata/abc-primary.xml.gz', body: primary }]).toString());
    assert.deepEqual(md.map((e) => [e.type, e.href, e.sha256]), [['primary', 'repodata/abc-primary.xml.gz', R.sha256(primary)]]);
  });

  it('InRelease and Packages give linux-image kernels; meta packages and headers are not kernels', () => {
    const pk = R.packagesIndex([
      { name: 'linux-image-5.15.0-91-generic', version: '5.15.0-91.101', arch: 'amd64', source: 'linux-signed' },
      { name: 'linux-image-generic', version: '5.15.0.91.88', arch: 'amd64', source: 'linux-meta' },
      { name: 'linux-headers-5.15.0-91', version: '5.15.0-91.101', arch: 'all', source: 'linux' },
    ]);
    const rel = R.inRelease('jammy-updates', [{ path: 'main/binary-amd64/Packages.gz', body: pk }, { path: 'main/binary-amd64/Packages.xz', body: pk }]);
    const idx = releaseIndexes(rel);
    assert.equal(packagesIndex(idx, 'main', 'amd64').path, 'main/binary-amd64/Packages.xz', 'xz preferred');
    assert.throws(() => packagesIndex(idx, 'main', 'riscv64'), /lists no main\/binary-riscv64\/Packages index/);
    assert.deepEqual(kernelsInPackages(pk.toString(), 'ubuntu', '22.04'), [
      { kind: 'kernel', distro: 'ubuntu', distro_release: '22.04', package: 'linux-image-5.15.0-91-generic', version: '5.15.0-91.101', arch: ['amd64'], flavour: 'generic', label: 'LTS' },
    ]);
  });

  it('decompresses gz, xz and zst, and refuses a bomb past the cap', async () => {
    const body = Buffer.from('x'.repeat(200_000));
    for (const [name, data] of [['a.gz', gzipSync(body)], ['a.xz', R.xz(body)], ['a.zst', R.zstd(body)], ['a.xml', body]] as const) {
      assert.ok((await decompress(data, name, 1_000_000)).equals(body), name);
      if (name !== 'a.xml') await assert.rejects(decompress(data, name, 10_000), /decompresses to more than 10000 bytes/, name);
    }
    await assert.rejects(decompress(Buffer.from('nope'), 'a.gz', 1000), /not valid gzip/);
    await assert.rejects(decompress(Buffer.from('x'), 'a.bz2', 1000), /unsupported compression/);
  });
});
