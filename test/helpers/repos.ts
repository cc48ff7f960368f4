import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

// Real-shaped repository metadata, made by the tests: the element and field
// layout of createrepo_c's repomd/primary/updateinfo and of an APT archive.

export interface RpmPkg { name: string; ver: string; rel: string; arch: string }

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
export const xz = (b: Buffer) => execFileSync('xz', ['-c'], { input: b });
export const zstd = (b: Buffer) => execFileSync('zstd', ['-c', '-q'], { input: b });

export function primaryXml(pkgs: RpmPkg[]): Buffer {
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="${pkgs.length}">
${pkgs.map((p) => `<package type="rpm">
  <name>${p.name}</name>
  <arch>${p.arch}</arch>
  <version epoch="0" ver="${p.ver}" rel="${p.rel}"/>
  <checksum type="sha256" pkgid="YES">${sha256(Buffer.from(p.name + p.ver + p.rel + p.arch))}</checksum>
  <summary>${p.name}</summary>
  <location href="Packages/${p.name[0]}/${p.name}-${p.ver}-${p.rel}.${p.arch}.rpm"/>
</package>`).join('\n')}
</metadata>
`);
}

export function updateinfoXml(updates: { id: string; title: string; cves: string[]; pkgs: RpmPkg[] }[]): Buffer {
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<updates>
${updates.map((u) => `  <update from="releng@example.org" status="final" type="security" version="2">
    <id>${u.id}</id>
    <title>${u.title}</title>
    <issued date="2023-11-30 21:02:11"/>
    <references>
      <reference href="https://errata.example.org/${u.id}" id="${u.id}" type="self" title="${u.id}"/>
${u.cves.map((c) => `      <reference href="https://access.redhat.com/security/cve/${c}" id="${c}" type="cve" title="${c}"/>`).join('\n')}
    </references>
    <description>An update is available for kernel.</description>
    <pkglist>
      <collection short="example-9">
        <name>Example 9</name>
${u.pkgs.map((p) => `        <package name="${p.name}" version="${p.ver}" release="${p.rel}" epoch="0" arch="${p.arch}"><filename>${p.name}-${p.ver}-${p.rel}.${p.arch}.rpm</filename></package>`).join('\n')}
      </collection>
    </pkglist>
  </update>`).join('\n')}
</updates>
`);
}

export function repomdXml(files: { type: string; href: string; body: Buffer }[]): Buffer {
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>${Date.now()}</revision>
${files.map((f) => `  <data type="${f.type}">
    <checksum type="sha256">${sha256(f.body)}</checksum>
    <location href="${f.href}"/>
    <size>${f.body.length}</size>
  </data>`).join('\n')}
</repomd>
`);
}

export function packagesIndex(pkgs: { name: string; version: string; arch: string; source: string }[]): Buffer {
  return Buffer.from(pkgs.map((p) => `Package: ${p.name}
Architecture: ${p.arch}
Version: ${p.version}
Priority: optional
Section: kernel
Source: ${p.source}
Maintainer: Ubuntu Kernel Team <kernel-team@lists.ubuntu.com>
Description: Signed kernel image ${p.name.split('-').pop()}
 A kernel image for ${p.name.split('-').pop()}.
`).join('\n'));
}

export function inRelease(suite: string, files: { path: string; body: Buffer }[]): string {
  return `-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA512

Origin: Ubuntu
Label: Ubuntu
Suite: ${suite}
Codename: ${suite.split('-')[0]}
Date: Thu, 30 Nov 2023 21:02:11 UTC
Architectures: amd64 arm64
Components: main restricted universe multiverse
SHA256:
${files.map((f) => ` ${sha256(f.body)} ${String(f.body.length).padStart(16)} ${f.path}`).join('\n')}
-----BEGIN PGP SIGNATURE-----

iQIzBAEBCgAdFiEE0000000000000000000000000000000000000000000000000000
=AAAA
-----END PGP SIGNATURE-----
`;
}

export { gzipSync };
