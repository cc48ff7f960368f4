import assert from 'node:assert/strict';
import { parseDocument } from '../../src/sources/parse-document.js';
import { platformOf, suseKernel } from '../../src/sources/csaf/index.js';

// CSAF 2.0 in the layout Red Hat and SUSE publish (document, product_tree with
// product_name/product_version branches and default_component_of
// relationships, vulnerabilities with product_status). The kernel advisories
// themselves run to megabytes; these carry a few real packages of RHSA-2024:5363
// and SUSE-SU-2024:0926-1 in that layout (see test/fixtures/README.md).

const product = (category: string, id: string, helper: Record<string, string>) => ({ category, name: id, product: { name: id, product_id: id, product_identification_helper: helper } });
const rel = (pkg: string, platform: string) => ({ category: 'default_component_of', full_product_name: { name: `${pkg} as a component of ${platform}`, product_id: `${platform}:${pkg}` }, product_reference: pkg, relates_to_product_reference: platform });

const rhsa = {
  document: {
    category: 'csaf_security_advisory', csaf_version: '2.0', title: 'Red Hat Security Advisory: kernel security update',
    tracking: { id: 'RHSA-2024:5363', initial_release_date: '2024-08-13T08:39:50+00:00' },
    references: [{ category: 'self', url: 'https://access.redhat.com/errata/RHSA-2024:5363' }, { category: 'external', url: 'https://bugzilla.redhat.com/show_bug.cgi?id=2265271' }],
  },
  product_tree: {
    branches: [{ category: 'vendor', name: 'Red Hat', branches: [
      { category: 'product_family', name: 'Red Hat Enterprise Linux', branches: [
        product('product_name', 'BaseOS-9.4.0.Z.MAIN', { cpe: 'cpe:/o:redhat:enterprise_linux:9::baseos' }),
        product('product_name', 'BaseOS-9.2.0.Z.EUS', { cpe: 'cpe:/o:redhat:rhel_eus:9.2::baseos' }),
      ] },
      { category: 'architecture', name: 'x86_64', branches: [
        product('product_version', 'kernel-0:5.14.0-427.31.1.el9_4.x86_64', { purl: 'pkg:rpm/redhat/kernel@5.14.0-427.31.1.el9_4?arch=x86_64' }),
        product('product_version', 'kernel-core-0:5.14.0-427.31.1.el9_4.x86_64', { purl: 'pkg:rpm/redhat/kernel-core@5.14.0-427.31.1.el9_4?arch=x86_64' }),
        product('product_version', 'bpftool-0:7.3.0-427.31.1.el9_4.x86_64', { purl: 'pkg:rpm/redhat/bpftool@7.3.0-427.31.1.el9_4?arch=x86_64' }),
        product('product_version', 'kernel-0:5.14.0-284.79.1.el9_2.x86_64', { purl: 'pkg:rpm/redhat/kernel@5.14.0-284.79.1.el9_2?arch=x86_64' }),
      ] },
      { category: 'architecture', name: 'aarch64', branches: [
        product('product_version', 'kernel-0:5.14.0-427.31.1.el9_4.aarch64', { purl: 'pkg:rpm/redhat/kernel@5.14.0-427.31.1.el9_4?arch=aarch64' }),
      ] },
      { category: 'architecture', name: 'src', branches: [
        product('product_version', 'kernel-0:5.14.0-427.31.1.el9_4.src', { purl: 'pkg:rpm/redhat/kernel@5.14.0-427.31.1.el9_4?arch=src' }),
      ] },
    ] }],
    relationships: [
      rel('kernel-0:5.14.0-427.31.1.el9_4.x86_64', 'BaseOS-9.4.0.Z.MAIN'), rel('kernel-core-0:5.14.0-427.31.1.el9_4.x86_64', 'BaseOS-9.4.0.Z.MAIN'),
      rel('bpftool-0:7.3.0-427.31.1.el9_4.x86_64', 'BaseOS-9.4.0.Z.MAIN'), rel('kernel-0:5.14.0-427.31.1.el9_4.aarch64', 'BaseOS-9.4.0.Z.MAIN'),
      rel('kernel-0:5.14.0-427.31.1.el9_4.src', 'BaseOS-9.4.0.Z.MAIN'), rel('kernel-0:5.14.0-284.79.1.el9_2.x86_64', 'BaseOS-9.2.0.Z.EUS'),
    ],
  },
  vulnerabilities: [
    { cve: 'CVE-2021-47606', product_status: { fixed: ['BaseOS-9.4.0.Z.MAIN:kernel-0:5.14.0-427.31.1.el9_4.x86_64', 'BaseOS-9.4.0.Z.MAIN:kernel-core-0:5.14.0-427.31.1.el9_4.x86_64', 'BaseOS-9.4.0.Z.MAIN:bpftool-0:7.3.0-427.31.1.el9_4.x86_64', 'BaseOS-9.4.0.Z.MAIN:kernel-0:5.14.0-427.31.1.el9_4.aarch64', 'BaseOS-9.4.0.Z.MAIN:kernel-0:5.14.0-427.31.1.el9_4.src'] } },
    { cve: 'CVE-2024-36971', product_status: { fixed: ['BaseOS-9.4.0.Z.MAIN:kernel-0:5.14.0-427.31.1.el9_4.x86_64'], known_affected: ['BaseOS-9.2.0.Z.EUS:kernel-0:5.14.0-284.79.1.el9_2.x86_64'] } },
  ],
};

const suse = {
  document: {
    category: 'csaf_security_advisory', csaf_version: '2.0', title: 'Security update for the Linux Kernel',
    tracking: { id: 'SUSE-SU-2024:0926-1', initial_release_date: '2024-03-15T11:48:32Z' },
    references: [{ category: 'self', url: 'https://www.suse.com/support/update/announcement/2024/suse-su-20240926-1/' }],
  },
  product_tree: {
    branches: [{ category: 'vendor', name: 'SUSE', branches: [
      { category: 'product_family', name: 'SUSE Linux Enterprise', branches: [
        product('product_name', 'SUSE Linux Enterprise Server 15 SP5', { cpe: 'cpe:/o:suse:sles:15:sp5' }),
        product('product_name', 'Basesystem Module 15 SP5', { cpe: 'cpe:/o:suse:sle-module-basesystem:15:sp5' }),
        product('product_name', 'openSUSE Leap 15.5', { cpe: 'cpe:/o:opensuse:leap:15.5' }),
      ] },
      product('product_version', 'kernel-default-5.14.21-150500.55.52.1.x86_64', { purl: 'pkg:rpm/suse/kernel-default@5.14.21-150500.55.52.1?arch=x86_64' }),
      product('product_version', 'kernel-default-base-5.14.21-150500.55.52.1.150500.6.23.7.x86_64', { purl: 'pkg:rpm/suse/kernel-default-base@5.14.21-150500.55.52.1.150500.6.23.7?arch=x86_64' }),
      product('product_version', 'kernel-source-5.14.21-150500.55.52.1.noarch', { purl: 'pkg:rpm/suse/kernel-source@5.14.21-150500.55.52.1?arch=noarch' }),
      product('product_version', 'kernel-azure-5.14.21-150500.33.37.1.x86_64', { purl: 'pkg:rpm/suse/kernel-azure@5.14.21-150500.33.37.1?arch=x86_64' }),
    ] }],
    relationships: [
      rel('kernel-default-5.14.21-150500.55.52.1.x86_64', 'Basesystem Module 15 SP5'), rel('kernel-default-5.14.21-150500.55.52.1.x86_64', 'SUSE Linux Enterprise Server 15 SP5'),
      rel('kernel-source-5.14.21-150500.55.52.1.noarch', 'Basesystem Module 15 SP5'), rel('kernel-azure-5.14.21-150500.33.37.1.x86_64', 'openSUSE Leap 15.5'),
    ],
  },
  vulnerabilities: [{ cve: 'CVE-2023-52447' }, { cve: 'CVE-2024-26586' }],
};

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
