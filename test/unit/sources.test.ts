import assert from 'node:assert/strict';
import { kernelOfBinary, kernelOfSource } from '../../src/sources/ubuntu-usn/releases.js';
import { parseOsv } from '../../src/sources/osv/index.js';
import { driverBranch } from '../../src/watchers/repo/drivers.js';
import { parseDocument } from '../../src/sources/parse-document.js';
import { parseFeed } from '../../src/sources/document.js';
import { ubuntuUsn } from '../../src/sources/ubuntu-usn/index.js';
import { kernelImage } from '../../src/sources/ubuntu-usn/releases.js';
import { parseUsnText } from '../../src/sources/ubuntu-usn/parse-text.js';
import { fixture } from '../helpers/util.js';

describe('sources: Ubuntu security notices', () => {
  it('parses the notice page text with markdown links (USN-4255-2, verbatim)', async () => {
    const a = await parseDocument(fixture('ubuntu-usn/USN-4255-2.md'));
    assert.equal(a.source, 'ubuntu-usn');
    assert.equal(a.format, 'text');
    assert.equal(a.advisory, 'USN-4255-2');
    assert.equal(a.title, 'USN-4255-2: Linux kernel (HWE) vulnerabilities');
    assert.deepEqual(a.cves, ['CVE-2019-14615', 'CVE-2020-7053']);
    assert.deepEqual(a.releases.map((r) => [r.distro, r.distro_release, r.package, r.version, r.kind === 'kernel' ? r.flavour : '', r.kind === 'kernel' ? r.label : '']), [
      ['ubuntu', '16.04', 'linux-image-4.15.0-1058-aws', '4.15.0-1058.60~16.04.1', 'aws', 'LTS'],
      ['ubuntu', '16.04', 'linux-image-4.15.0-76-generic', '4.15.0-76.86~16.04.1', 'generic', 'LTS'],
      ['ubuntu', '16.04', 'linux-image-4.15.0-76-generic-lpae', '4.15.0-76.86~16.04.1', 'generic-lpae', 'LTS'],
      ['ubuntu', '16.04', 'linux-image-4.15.0-76-lowlatency', '4.15.0-76.86~16.04.1', 'lowlatency', 'LTS'],
    ]);
  });

  it('parses plain package lines and the ESM label (USN-4163-2, verbatim); meta packages are not kernels', async () => {
    const a = await parseDocument(fixture('ubuntu-usn/USN-4163-2.md'));
    assert.equal(a.releases.length, 8);
    assert.ok(a.releases.every((r) => r.distro_release === '14.04' && r.kind === 'kernel' && r.label === 'ESM'));
    assert.ok(!a.releases.some((r) => r.package === 'linux-image-aws' || r.package.endsWith('lts-xenial')));
    assert.equal(a.cves.length, 10);
    assert.deepEqual(a.urls, ['https://ubuntu.com/security/notices/USN-4163-2']);
  });

  it('the notices feed as Canonical serves it (2020-09-16, verbatim): one announcement per item with its own CVEs; no kernel title, so no details fetched and no kernel', async () => {
    const f = await parseFeed(fixture('ubuntu-usn/rss-2020-09-16.xml'));
    const items = f.items.map((item) => ({ format: f.format, feed: f.feed, item }) as const);
    assert.deepEqual(items.map((i) => ubuntuUsn.detailUrl!(i)), [undefined, undefined, undefined]);
    const anns = items.map((i) => ubuntuUsn.parse(i));
    assert.deepEqual(anns.map((a) => [a.source, a.advisory, a.cves.slice().sort().join(' '), a.urls[0], a.releases.length]), [
      ['ubuntu-usn', 'USN-4504-1', 'CVE-2019-1547 CVE-2019-1551 CVE-2019-1563 CVE-2020-1968', 'https://ubuntu.com/security/notices/USN-4504-1', 0],
      ['ubuntu-usn', 'USN-4498-1', 'CVE-2019-15587', 'https://ubuntu.com/security/notices/USN-4498-1', 0],
      ['ubuntu-usn', 'USN-4499-1', '', 'https://ubuntu.com/security/notices/USN-4499-1', 0],
    ]);
  });

  it('parses the notice JSON: one release per linux-image-<abi>-<flavour> and version, source packages skipped', async () => {
    const a = await parseDocument(fixture('ubuntu-usn/USN-6548-1.json'));
    assert.equal(a.format, 'json');
    assert.deepEqual(a.releases.map((r) => `${r.distro_release} ${r.package} ${r.version}`), [
      '22.04 linux-image-5.15.0-91-generic 5.15.0-91.101',
      '22.04 linux-image-5.15.0-91-lowlatency 5.15.0-91.101',
      '20.04 linux-image-5.15.0-91-generic 5.15.0-91.101~20.04.1',
    ]);
    assert.deepEqual(a.cves, ['CVE-2023-31085', 'CVE-2023-39189', 'CVE-2023-45871']);
    assert.equal(a.published, '2023-12-11T16:35:21.123Z');
  });

  it('parses the ubuntu-security-announce mail ("Ubuntu 22.04 LTS:" then indented lines)', async () => {
    const a = await parseDocument(fixture('ubuntu-usn/USN-6548-1.eml'));
    assert.equal(a.format, 'email');
    assert.equal(a.title, '[USN-6548-1] Linux kernel vulnerabilities');
    assert.equal(a.advisory, 'USN-6548-1');
    assert.deepEqual(a.releases.map((r) => r.package), ['linux-image-5.15.0-91-generic', 'linux-image-5.15.0-91-lowlatency']);
    assert.deepEqual(a.cves, ['CVE-2023-31085', 'CVE-2023-45871']);
  });

  it('RSS items carry no versions; a kernel notice asks for its JSON at <link>.json, others do not', async () => {
    // The verbatim feed, its first item's title and link swapped for a kernel notice's.
    const real = fixture('ubuntu-usn/rss-2020-09-16.xml');
    const text = real.replace('<title>USN-4504-1: OpenSSL vulnerabilities</title><link>https://ubuntu.com/security/notices/USN-4504-1</link>',
      '<title>USN-6548-1: Linux kernel vulnerabilities</title><link>https://ubuntu.com/security/notices/USN-6548-1</link>');
    assert.notEqual(text, real);
    const feed = await parseFeed(text);
    const [kernel, loofah] = feed.items.map((item) => ({ format: feed.format, feed: feed.feed, item }) as const);
    assert.equal(ubuntuUsn.detailUrl!(kernel!), 'https://ubuntu.com/security/notices/USN-6548-1.json');
    assert.equal(ubuntuUsn.detailUrl!(loofah!), undefined);
    const bare = ubuntuUsn.parse(kernel!);
    assert.deepEqual(bare.releases, []);
    assert.equal(bare.advisory, 'USN-6548-1');
    const full = ubuntuUsn.parse(kernel!, JSON.parse(fixture('ubuntu-usn/USN-6548-1.json')));
    assert.equal(full.format, 'rss');
    assert.equal(full.releases.length, 3);
    assert.equal(full.urls[0], 'https://ubuntu.com/security/notices/USN-6548-1');
  });

  it('a non-kernel notice yields no release', () => {
    const text = 'Ubuntu Security Notice USN-4200-1\n\nUpdate instructions\n\nUbuntu 18.04 LTS\n\n[redmine](https://launchpad.net/x) - [3.4.4-1ubuntu0.1](https://launchpad.net/y)\n';
    assert.deepEqual(parseUsnText(text, { format: 'text' }).releases, []);
  });

  it('kernelImage separates ABI and flavour and rejects meta packages', () => {
    assert.deepEqual(kernelImage('linux-image-5.15.0-91-generic-64k'), { abi: '5.15.0-91', flavour: 'generic-64k' });
    assert.equal(kernelImage('linux-image-generic'), undefined);
    assert.equal(kernelImage('linux-image-generic-hwe-22.04'), undefined);
    assert.equal(kernelImage('linux-image-unsigned-5.15.0-91-generic'), undefined);
  });
});

describe('sources: kernel.org', () => {
  it('parses kdist.xml items (verbatim, 2020-05-08); linux-next is not a release; mainline rc is', async () => {
    const a = await parseDocument(fixture('kernel-org/kdist-2020-05-08.xml'));
    assert.equal(a.source, 'kernel-org');
    assert.deepEqual(a.releases.map((r) => `${r.distro}/${r.distro_release}/${r.package}/${r.version}`), [
      'kernel.org/mainline/linux/5.7-rc4', 'kernel.org/5.6/linux/5.6.11', 'kernel.org/5.5/linux/5.5.19', 'kernel.org/5.4/linux/5.4.39', 'kernel.org/4.19/linux/4.19.121',
      'kernel.org/4.14/linux/4.14.179', 'kernel.org/4.9/linux/4.9.222', 'kernel.org/4.4/linux/4.4.222', 'kernel.org/3.16/linux/3.16.83',
    ]);
  });

  it('parses releases.json (verbatim, 2020-12-14): mainline and stable', async () => {
    const a = await parseDocument(fixture('kernel-org/releases.json'));
    assert.deepEqual(a.releases.map((r) => `${r.distro_release} ${r.version}`), ['mainline 5.10', '5.10 5.10.1']);
    assert.ok(a.urls.includes('https://cdn.kernel.org/pub/linux/kernel/v5.x/ChangeLog-5.10.1'));
  });
});

describe('sources: NVIDIA', () => {
  it('parses the GitHub releases Atom into driver releases with their branch', async () => {
    const a = await parseDocument(fixture('nvidia/releases.atom'));
    assert.equal(a.format, 'atom');
    assert.equal(a.source, 'nvidia');
    assert.deepEqual(a.releases, [
      { kind: 'driver', distro: 'nvidia', distro_release: '550', package: 'open-gpu-kernel-modules', version: '550.54.14', arch: [] },
      { kind: 'driver', distro: 'nvidia', distro_release: '535', package: 'open-gpu-kernel-modules', version: '535.161.07', arch: [] },
    ]);
  });
});

describe('parse: unrecognised input', () => {
  it('refuses a document no source recognises, saying what it was', async () => {
    await assert.rejects(parseDocument('just some words\n'), /no known source recognises this text document/);
    await assert.rejects(parseDocument('{"hello": 1}'), /no known source recognises this json document/);
  });
});

describe('Ubuntu: the kernel a binary or a source package stands for', () => {
  it('binaries: the unsigned image and the modules name the signed image', () => {
    assert.deepEqual(kernelOfBinary('linux-image-unsigned-5.15.0-1046-intel-iotg'), { abi: '5.15.0-1046', flavour: 'intel-iotg', image: 'linux-image-5.15.0-1046-intel-iotg' });
    assert.deepEqual(kernelOfBinary('linux-modules-6.5.0-14-generic')?.image, 'linux-image-6.5.0-14-generic');
    for (const not of ['linux-modules-extra-5.15.0-1046-intel-iotg', 'linux-headers-5.15.0-1046-intel-iotg', 'linux-image-intel-iotg', 'linux-buildinfo-5.15.0-91-generic']) assert.equal(kernelOfBinary(not), undefined, not);
  });
  it('sources: linux and HWE build generic, linux-<flavour>[-series] and their signed twins that flavour; meta and firmware nothing', () => {
    const k = (src: string, v: string) => kernelOfSource(src, v)?.image;
    assert.equal(k('linux', '5.15.0-91.101'), 'linux-image-5.15.0-91-generic');
    assert.equal(k('linux-hwe-6.5', '6.5.0-14.14~22.04.1'), 'linux-image-6.5.0-14-generic');
    assert.equal(k('linux-lowlatency-hwe-6.5', '6.5.0-14.14.1~22.04.1'), 'linux-image-6.5.0-14-lowlatency');
    assert.equal(k('linux-aws-5.4', '5.4.0-1116.126~18.04.1'), 'linux-image-5.4.0-1116-aws');
    assert.equal(k('linux-signed-intel-iotg', '5.15.0-1046.52'), 'linux-image-5.15.0-1046-intel-iotg');
    assert.equal(k('linux-gke', '5.15.0-1049.54'), 'linux-image-5.15.0-1049-gke');
    assert.equal(k('linux-meta-aws-5.4', '5.4.0.1116.94'), undefined);
    assert.equal(k('linux-firmware', '20220329.git681281e4-0ubuntu3.24'), undefined);
    assert.equal(k('linux-restricted-modules', '5.15.0-91.101'), undefined);
    assert.equal(k('netatalk', '3.1.12~ds-4ubuntu0.20.04.3'), undefined);
  });
  it('an Ubuntu OSV record with no binaries still gives its kernel, from the source package and the fixed version', () => {
    const rec = JSON.parse(fixture('osv/USN-6549-4.json')) as { affected: { ecosystem_specific?: unknown }[] };
    delete rec.affected[0]!.ecosystem_specific;
    assert.deepEqual(parseOsv(rec).releases.map((r) => `${r.distro_release} ${r.package} ${r.version}`), ['22.04 linux-image-5.15.0-1046-intel-iotg 5.15.0-1046.52']);
  });
});

describe('NVIDIA driver archive and driver branches', () => {
  it('latest.txt: the version and the architecture of its installer', async () => {
    const a = await parseDocument('580.95.05 580.95.05/NVIDIA-Linux-x86_64-580.95.05.run\n');
    assert.deepEqual([a.source, a.releases.map((r) => `${r.kind} ${r.distro} ${r.distro_release} ${r.package} ${r.version} ${r.arch.join(',')}`)], ['nvidia', ['driver nvidia 580 NVIDIA-Linux 580.95.05 x86_64']]);
  });
  it('branches: NVIDIA by its first number, MLNX_OFED and DOCA by the first two', () => {
    assert.equal(driverBranch('nvidia', '3:550.54.15-1.el9'), '550');
    assert.equal(driverBranch('mellanox', '24.10-1.1.4.0'), '24.10');
    assert.equal(driverBranch('mellanox', '23.10-OFED.23.10.2.1.3.1'), '23.10');
  });
});

describe('Ubuntu notices in Canonical\'s database format (verbatim)', () => {
  it('architectures from the download URLs, the pocket\'s label; a non-kernel notice gives none', async () => {
    const iot = await parseDocument(fixture('usn-json/6548-5.json'));
    assert.deepEqual(iot.releases.map((r) => [r.package, r.arch, r.kind === 'kernel' ? r.label : '']), [['linux-image-5.4.0-1028-iot', ['amd64', 'arm64'], 'LTS']]);
    assert.equal(iot.published, '2024-01-10T18:42:19.186Z');
    assert.deepEqual((await parseDocument(fixture('usn-json/6552-1.json'))).releases, []);
  });
});
