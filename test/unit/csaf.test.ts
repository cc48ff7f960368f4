import assert from 'node:assert/strict';
import { parseDocument } from '../../src/sources/parse-document.js';
import { platformOf, suseKernel } from '../../src/sources/csaf/index.js';
import { advisoryFromPath, csafChanges, splitChanges } from '../../src/sources/csaf-changes/index.js';
import { product, rel, rhsa, suse } from '../helpers/csaf-docs.js';

describe('CSAF 2.0: Red Hat and SUSE advisories', () => {
  it('RHSA: the fixed kernel packages per platform, the kernel family named, subpackages and tools folded in, sources left out', async () => {
    const a = await parseDocument(JSON.stringify(rhsa));
    assert.equal(a.source, 'csaf');
    assert.equal(a.advisory, 'RHSA-2024:5363');
    assert.equal(a.title, 'RHSA-2024:5363: Red Hat Security Advisory: kernel security update');
    assert.deepEqual(a.cves, ['CVE-2021-47606', 'CVE-2024-36971']);
    assert.deepEqual(a.urls, ['https://access.redhat.com/errata/RHSA-2024:5363']);
    assert.deepEqual(a.releases.map((r) => `${r.distro} ${r.distro_release} ${r.package} ${r.version} ${r.arch.join(',')}`), ['rhel 9 kernel 5.14.0-427.31.1.el9_4 aarch64,x86_64'],
      'the EUS kernel is only known_affected here: not a release');
  });
  it('SUSE-SU: each flavour its own kernel; SLES 15 SP5 is 15.5; Leap is opensuse-leap; no product_status means everything listed is the fix', async () => {
    const a = await parseDocument(JSON.stringify(suse));
    assert.equal(a.advisory, 'SUSE-SU-2024:0926-1');
    assert.deepEqual(a.releases.map((r) => `${r.distro} ${r.distro_release} ${r.package} ${r.version}`), ['sles 15.5 kernel-default 5.14.21-150500.55.52.1', 'opensuse-leap 15.5 kernel-azure 5.14.21-150500.33.37.1']);
  });
  it('a VEX or advisory for something else gives no kernel', async () => {
    const vex = { ...rhsa, document: { ...rhsa.document, category: 'csaf_vex', tracking: { id: 'CVE-2024-24786' } }, product_tree: { branches: [product('product_version', 'cri-tools-0:1.29.0-3.1.el9.aarch64', { purl: 'pkg:rpm/redhat/cri-tools@1.29.0-3.1.el9?arch=aarch64' }), product('product_name', '9Base-RHOSE-4.16', { cpe: 'cpe:/a:redhat:openshift:4.16::el9' })], relationships: [rel('cri-tools-0:1.29.0-3.1.el9.aarch64', '9Base-RHOSE-4.16')] }, vulnerabilities: [{ cve: 'CVE-2024-24786', product_status: { fixed: ['9Base-RHOSE-4.16:cri-tools-0:1.29.0-3.1.el9.aarch64'] } }] };
    const a = await parseDocument(JSON.stringify(vex));
    assert.deepEqual([a.source, a.advisory, a.releases], ['csaf', 'CVE-2024-24786', []]);
  });
  it('platforms and SUSE kernel flavours', () => {
    assert.deepEqual(platformOf('cpe:/a:redhat:rhel_eus:8.6::appstream'), { distro: 'rhel', release: '8.6' });
    assert.deepEqual(platformOf('cpe:/o:redhat:enterprise_linux:8::baseos'), { distro: 'rhel', release: '8' });
    assert.deepEqual(platformOf('cpe:/o:suse:sles_sap:15:sp4'), { distro: 'sles', release: '15.4' });
    assert.deepEqual(platformOf('cpe:/o:suse:sles:12:sp5'), { distro: 'sles', release: '12.5' });
    assert.equal(platformOf('cpe:/a:redhat:openshift:4.16::el9'), undefined);
    assert.equal(suseKernel('kernel-default-devel'), 'kernel-default');
    assert.equal(suseKernel('kernel-rt'), 'kernel-rt');
    for (const not of ['kernel-source', 'kernel-syms', 'kernel-macros', 'kernel-devel', 'kernel-docs', 'kernel-obs-build']) assert.equal(suseKernel(not), undefined, not);
  });
});

describe('CSAF 2.0: a provider\'s changes.csv', () => {
  const url = 'https://security.example/data/csaf/v2/advisories/changes.csv';
  it('each line an item keyed by its path, resolved beside the file; quoted (as the standard writes it) or not; a path listed twice once', () => {
    const text = '"2024/rhsa-2024_5363.json","2024-08-13T08:39:50+00:00"\r\n2024/suse-su-2024_0926-1.json,2024-03-15T11:48:32Z\n\n"2024/rhsa-2024_5363.json","2024-08-01T00:00:00+00:00"\n';
    assert.ok(csafChanges.detect({ format: 'text', text }));
    assert.deepEqual(splitChanges(text, url), [
      { id: '2024/rhsa-2024_5363.json', value: { csaf_change: '2024/rhsa-2024_5363.json', url: 'https://security.example/data/csaf/v2/advisories/2024/rhsa-2024_5363.json', changed: '2024-08-13T08:39:50+00:00' } },
      { id: '2024/suse-su-2024_0926-1.json', value: { csaf_change: '2024/suse-su-2024_0926-1.json', url: 'https://security.example/data/csaf/v2/advisories/2024/suse-su-2024_0926-1.json', changed: '2024-03-15T11:48:32Z' } },
    ]);
    assert.equal(advisoryFromPath('2024/rhsa-2024_5363.json'), 'RHSA-2024:5363');
    assert.equal(advisoryFromPath('2024/rhba-2025_18480.json'), 'RHBA-2025:18480');
    assert.equal(advisoryFromPath('2024/suse-su-2024_0926-1.json'), 'SUSE-SU-2024:0926-1');
    assert.equal(advisoryFromPath('index.json'), null);
  });

  it('an item is read from its advisory; without it (a baseline past its budget) only its id and place are known', () => {
    const [item] = splitChanges('"2024/rhsa-2024_5363.json","2024-08-13T08:39:50+00:00"', url);
    const input = { format: 'json' as const, value: item!.value };
    assert.ok(csafChanges.detect(input));
    assert.equal(csafChanges.detailUrl!(input), item!.value.url);
    assert.deepEqual(csafChanges.parse(input, rhsa).releases.map((r) => `${r.distro} ${r.distro_release} ${r.version}`), ['rhel 9 5.14.0-427.31.1.el9_4']);
    assert.deepEqual(csafChanges.parse(input), { format: 'json', source: 'csaf', title: '2024/rhsa-2024_5363.json', advisory: 'RHSA-2024:5363', cves: [], urls: [item!.value.url], releases: [] });
    assert.throws(() => csafChanges.parse(input, { not: 'csaf' }), /rhsa-2024_5363.json: not a CSAF 2.0 document/);
  });

  it('a line that is not a path and a time, or a path leading out of the directory, is refused with its line number', () => {
    assert.throws(() => splitChanges('"2024/a.json","2024-01-01T00:00:00Z"\n<html>oops</html>\n', url), /changes.csv line 2: not "path.json","timestamp"/);
    for (const evil of ['https://evil.example/x.json', '../../other/x.json', '/elsewhere/x.json']) {
      assert.throws(() => splitChanges(`"${evil}","2024-01-01T00:00:00Z"`, url), /line 1: .* is not below https:\/\/security.example\/data\/csaf\/v2\/advisories\//, evil);
    }
    assert.equal(csafChanges.detect({ format: 'text', text: 'just some text' }), false);
  });
});
