import type { KernelRelease } from '../../domain.js';
import { HeraldError } from '../../errors.js';
import { isLtsVersion, kernelImage } from '../../sources/ubuntu-usn/releases.js';

// An APT repository: dists/SUITE/InRelease (a signed Release file) lists the
// indexes with their SHA256; COMPONENT/binary-ARCH/Packages[.xz|.gz] lists
// the packages as deb822 stanzas. The signature is not checked here (see README).

/** The Release fields of an InRelease (clearsigned) or Release file. */
export function releaseIndexes(text: string): Map<string, { sha256: string; size: number }> {
  let body = text.replace(/\r\n/g, '\n');
  const signed = /-----BEGIN PGP SIGNED MESSAGE-----\n(?:[^\n]+\n)*\n([\s\S]*?)\n-----BEGIN PGP SIGNATURE-----/.exec(body);
  if (signed) body = signed[1]!;
  const out = new Map<string, { sha256: string; size: number }>();
  const section = /^SHA256:\n((?:[ \t]+\S+[ \t]+\d+[ \t]+\S+\n?)+)/m.exec(body);
  if (!section) throw new HeraldError('EINPUT', 'InRelease: no SHA256 section');
  for (const line of section[1]!.split('\n')) {
    const m = /^\s+([0-9a-f]{64})\s+(\d+)\s+(\S+)/.exec(line);
    if (m) out.set(m[3]!, { sha256: m[1]!, size: Number(m[2]) });
  }
  return out;
}

/** The best-compressed Packages index of the component and architecture that the Release lists. */
export function packagesIndex(indexes: Map<string, { sha256: string; size: number }>, component: string, arch: string): { path: string; sha256: string } {
  for (const ext of ['.xz', '.gz', '']) {
    const path = `${component}/binary-${arch}/Packages${ext}`;
    const e = indexes.get(path);
    if (e) return { path, sha256: e.sha256 };
  }
  throw new HeraldError('EINPUT', `InRelease lists no ${component}/binary-${arch}/Packages index`);
}

/** deb822 stanzas: the fields we need of each. */
export function stanzas(text: string): Record<string, string>[] {
  return text.replace(/\r\n/g, '\n').split(/\n\s*\n/).map((block) => {
    const fields: Record<string, string> = {};
    let last: string | undefined;
    for (const line of block.split('\n')) {
      if (/^\s/.test(line) && last) { fields[last] += `\n${line.trim()}`; continue; }
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
      if (m) { last = m[1]!; fields[last] = m[2]!; }
    }
    return fields;
  }).filter((f) => Object.keys(f).length > 0);
}

export function kernelsInPackages(text: string, distro: string, distroRelease: string): KernelRelease[] {
  const byKey = new Map<string, KernelRelease>();
  for (const f of stanzas(text)) {
    const pkg = f.Package;
    const version = f.Version;
    if (!pkg || !version) continue;
    const img = kernelImage(pkg);
    if (!img) continue;
    const key = `${pkg}\u0000${version}`;
    let r = byKey.get(key);
    if (!r) {
      r = { kind: 'kernel', distro, distro_release: distroRelease, package: pkg, version, arch: [], flavour: img.flavour };
      if (distro === 'ubuntu' && isLtsVersion(distroRelease)) r.label = 'LTS';
      byKey.set(key, r);
    }
    if (f.Architecture && f.Architecture !== 'all' && !r.arch.includes(f.Architecture)) r.arch.push(f.Architecture);
  }
  return [...byKey.values()];
}
