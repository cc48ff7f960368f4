import type { Announcement, KernelRelease, Release } from '../../domain.js';
import { HeraldError } from '../../errors.js';
import { decodeBody, parseXml } from '../../sources/document.js';
import { kernelBase } from '../../sources/rpm-errata.js';
import { kernelAdvisories, type Advisory } from '../../sources/updateinfo/index.js';

// An RPM repository: repodata/repomd.xml names the primary (packages) and
// updateinfo (advisories) files, each with its checksum.

function list<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export interface RepomdEntry { type: string; href: string; sha256: string | undefined }

export function parseRepomd(text: string): RepomdEntry[] {
  const { root, value } = parseXml(text);
  if (root !== 'repomd') throw new HeraldError('EINPUT', `repomd.xml: root element is <${root}>, not <repomd>`);
  return list((value.repomd as { data?: unknown }).data).map((d) => {
    const e = d as Record<string, unknown>;
    const checksum = e.checksum as Record<string, string> | string | undefined;
    const sum = typeof checksum === 'object' && checksum['@_type'] === 'sha256' ? checksum['#text'] : undefined;
    return { type: String(e['@_type'] ?? ''), href: String((e.location as Record<string, string> | undefined)?.['@_href'] ?? ''), sha256: sum };
  });
}

/** Every binary package primary.xml lists: name, arch and version-release. */
export function rpmPackages(primary: Buffer): { name: string; arch: string; version: string }[] {
  const { value } = parseXml(decodeBody(primary));
  return list((value.metadata as { package?: unknown } | undefined)?.package).flatMap((p) => {
    const pkg = p as Record<string, unknown>;
    const v = pkg.version as Record<string, string> | undefined;
    if (!v?.['@_ver'] || !v['@_rel']) return [];
    return [{ name: String(pkg.name ?? ''), arch: String(pkg.arch ?? ''), version: `${v['@_ver']}-${v['@_rel']}` }];
  });
}

/** Kernel releases present in primary.xml: one per kernel family and version-release, with its architectures. */
export function kernelsInPrimary(primary: Buffer, distro: string, distroRelease: string): KernelRelease[] {
  const byKey = new Map<string, KernelRelease>();
  for (const { name, arch, version } of rpmPackages(primary)) {
    const base = kernelBase(name);
    if (!base || arch === 'src') continue;
    const key = `${base}\u0000${version}`;
    let r = byKey.get(key);
    if (!r) {
      r = { kind: 'kernel', distro, distro_release: distroRelease, package: base, version, arch: [] };
      byKey.set(key, r);
    }
    if (arch !== 'noarch' && !r.arch.includes(arch)) r.arch.push(arch);
  }
  for (const r of byKey.values()) r.arch.sort();
  return [...byKey.values()];
}

export function advisoryIndex(updateinfo: Buffer | undefined): Map<string, Advisory> {
  const index = new Map<string, Advisory>();
  if (!updateinfo) return index;
  for (const a of kernelAdvisories(parseXml(decodeBody(updateinfo)).value)) {
    for (const r of a.releases) index.set(`${r.package}\u0000${r.version}`, a);
  }
  return index;
}

export function repoAnnouncement(r: Release, where: string, adv: Advisory | undefined): Announcement {
  return {
    format: 'xml', source: 'repo',
    title: adv ? `${adv.id}: ${adv.title}` : `${r.package} ${r.version} in ${where}`,
    advisory: adv?.id ?? null, cves: adv?.cves ?? [], urls: adv?.urls.length ? adv.urls : [where], releases: [r],
  };
}
