// CSAF 2.0 in the layout Red Hat and SUSE publish (document, product_tree with
// product_name/product_version branches and default_component_of
// relationships, vulnerabilities with product_status). The kernel advisories
// themselves run to megabytes; these carry a few real packages of RHSA-2024:5363
// and SUSE-SU-2024:0926-1 in that layout (see test/fixtures/README.md).

export const product = (category: string, id: string, helper: Record<string, string>) => ({ category, name: id, product: { name: id, product_id: id, product_identification_helper: helper } });
export const rel = (pkg: string, platform: string) => ({ category: 'default_component_of', full_product_name: { name: `${pkg} as a component of ${platform}`, product_id: `${platform}:${pkg}` }, product_reference: pkg, relates_to_product_reference: platform });

export const rhsa = {
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

export const suse = {
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
