import assert from 'node:assert/strict';
import { parseDocument } from '../../src/sources/parse-document.js';
import { kernelBase, kernelReleasesFromPackages, parseNevra } from '../../src/sources/rpm-errata.js';
import { fixture } from '../helpers/util.js';

describe('sources: RHEL-family errata mails', () => {
  it('centos-announce kernel CESA: one release, its subpackages folded in, the upstream RHSA link', async () => {
    const a = await parseDocument(fixture('centos-announce/CESA-2020-5023-kernel.eml'));
    assert.equal(a.source, 'centos-announce');
    assert.equal(a.advisory, 'CESA-2020:5023');
    assert.equal(a.title, '[CentOS-announce] CESA-2020:5023 Important CentOS 7 kernel Security Update');
    assert.deepEqual(a.urls, ['https://access.redhat.com/errata/RHSA-2020:5023']);
    assert.deepEqual(a.releases, [{ kind: 'kernel', distro: 'centos', distro_release: '7', package: 'kernel', version: '3.10.0-1160.6.1.el7', arch: ['x86_64'] }]);
  });

  it('centos-announce AltArch: per-arch sections, two kernel versions', async () => {
    const a = await parseDocument(fixture('centos-announce/CESA-2020-5023-altarch.eml'));
    assert.deepEqual(a.releases.map((r) => `${r.version} ${r.arch.join(',')}`), ['4.18.0-240.1.1.el7 aarch64', '3.10.0-1160.6.1.el7 ppc64le']);
  });

  it('a non-kernel erratum yields no release', async () => {
    const a = await parseDocument(fixture('centos-announce/CESA-2020-5237-firefox.eml'));
    assert.equal(a.advisory, 'CESA-2020:5237');
    assert.deepEqual(a.releases, []);
  });

  it('a real CESA mail in quoted-printable: kmod-kvm is no kernel; a kernel file name broken by a soft line break in that layout is read whole', async () => {
    const raw = fixture('centos-announce/CESA-2014-0163-kvm.eml');
    const a = await parseDocument(raw);
    assert.equal(a.advisory, 'CESA-2014:0163');
    assert.deepEqual(a.releases, [], 'kmod-kvm, kvm and kvm-tools are not kernels');
    // The verbatim mail with its first package renamed: the break sits where the list's encoder put it.
    const withKernel = raw.replace('kmod-kvm-=\n83-266.el5.centos.1.x86_64.rpm', 'kernel-2.6.18-=\n371.4.1.el5.x86_64.rpm');
    assert.notEqual(withKernel, raw);
    const k = await parseDocument(withKernel);
    assert.deepEqual(k.releases, [{ kind: 'kernel', distro: 'centos', distro_release: '5', package: 'kernel', version: '2.6.18-371.4.1.el5', arch: ['x86_64'] }]);
  });

  it('Rocky RLSA: kernel and kernel-64k are separate kernels; CVEs and the errata link', async () => {
    const a = await parseDocument(fixture('rocky/RLSA-2023-7549-kernel.eml'));
    assert.equal(a.source, 'rocky');
    assert.equal(a.advisory, 'RLSA-2023:7549');
    assert.deepEqual(a.cves, ['CVE-2023-3609', 'CVE-2023-3611', 'CVE-2023-3812']);
    assert.deepEqual(a.urls, ['https://errata.rockylinux.org/RLSA-2023:7549']);
    assert.deepEqual(a.releases.map((r) => `${r.distro} ${r.distro_release} ${r.package} ${r.version} ${r.arch.join(',')}`), [
      'rocky 9 kernel 5.14.0-362.13.1.el9_3 aarch64,x86_64',
      'rocky 9 kernel-64k 5.14.0-362.13.1.el9_3 aarch64',
    ]);
  });

  it('AlmaLinux ALSA: the release is recognised from subpackages alone too', async () => {
    const a = await parseDocument(fixture('almalinux/ALSA-2023-7077-kernel.eml'));
    assert.equal(a.source, 'almalinux');
    assert.deepEqual(a.releases.map((r) => `${r.distro} ${r.distro_release} ${r.package} ${r.version} ${r.arch.join(',')}`), ['almalinux 8 kernel 4.18.0-513.5.1.el8_9 aarch64,x86_64']);
  });

  it('NEVRA parsing and kernel families', () => {
    assert.deepEqual(parseNevra('kernel-rt-devel-4.18.0-513.5.1.rt7.307.el8_9.x86_64.rpm'), { name: 'kernel-rt-devel', epoch: null, version: '4.18.0', release: '513.5.1.rt7.307.el8_9', arch: 'x86_64' });
    assert.equal(kernelBase('kernel-rt-devel'), 'kernel-rt');
    assert.equal(kernelBase('kernel-uek-container'), 'kernel-uek');
    assert.equal(kernelBase('kernel-headers'), 'kernel');
    assert.equal(kernelBase('kernelshark'), undefined);
    assert.deepEqual(kernelReleasesFromPackages('rocky', ['kernel-tools-libs-5.14.0-427.13.1.el9_4.x86_64', 'kernel-abi-stablelists-5.14.0-427.13.1.el9_4.noarch']).map((r) => [r.package, r.version, r.distro_release]),
      [['kernel', '5.14.0-427.13.1.el9_4', '9']]);
    assert.deepEqual(kernelReleasesFromPackages('centos', ['bpftool-3.10.0-1160.el7.x86_64.rpm']), [], 'a side package alone is not a kernel');
  });
});
