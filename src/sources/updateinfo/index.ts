import type { Announcement, KernelRelease } from '../../domain.js';
import { HeraldError } from '../../errors.js';
import { kernelReleasesFromPackages } from '../rpm-errata.js';
import type { Source, SourceInput } from '../source.js';
import { findCves, unique } from '../source.js';

// updateinfo.xml, the advisories of an RPM repository (repodata): <updates>
// of <update> with <id>, <title>, <references> and <pkglist> packages.
// The distribution is read from the advisory prefix; Amazon Linux's also
// says the release (ALAS2-, ALAS2KERNEL-5.15- and the other extras topics are
// Amazon Linux 2; ALAS2023- is 2023; ALAS- is the 2018.03 AMI), since its
// package releases (.amzn2) do not say it the RHEL way.

const PREFIX: [RegExp, string, string?][] = [
  [/^ALAS2023-/, 'amzn', '2023'], [/^ALAS2022-/, 'amzn', '2022'], [/^ALAS2[A-Z]/, 'amzn', '2'], [/^ALAS2-/, 'amzn', '2'], [/^ALAS-/, 'amzn', '2018.03'],
  [/^RL[SBE]A-/, 'rocky'], [/^AL[SBE]A-/, 'almalinux'], [/^CE[SBE]A-/, 'centos'], [/^EL[SBE]A-/, 'ol'], [/^RH[SBE]A-/, 'rhel'],
];

export function distroOfAdvisory(id: string): { distro: string; release?: string | undefined } {
  const m = PREFIX.find(([re]) => re.test(id));
  return m ? { distro: m[1], release: m[2] } : { distro: 'rhel' };
}

function list<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && '#text' in v) return String((v as { '#text': unknown })['#text']);
  return '';
}

export interface Advisory { id: string; title: string; cves: string[]; urls: string[]; issued?: string; releases: KernelRelease[] }

/** Every advisory of the document that carries a kernel, with its kernel releases. */
export function kernelAdvisories(value: Record<string, unknown>): Advisory[] {
  const updates = list((value.updates as { update?: unknown } | undefined)?.update) as Record<string, unknown>[];
  const out: Advisory[] = [];
  for (const u of updates) {
    const id = text(u.id).trim();
    if (!id) continue;
    const pkgs = list((u.pkglist as { collection?: unknown } | undefined)?.collection).flatMap((c) => list((c as { package?: unknown }).package)) as Record<string, string>[];
    const files = pkgs.map((p) => p['@_filename'] ?? `${p['@_name']}-${p['@_version']}-${p['@_release']}.${p['@_arch']}.rpm`);
    const where = distroOfAdvisory(id);
    const releases = kernelReleasesFromPackages(where.distro, files, where.release);
    if (releases.length === 0) continue;
    const refs = list((u.references as { reference?: unknown } | undefined)?.reference) as Record<string, string>[];
    const a: Advisory = {
      id, title: text(u.title),
      cves: findCves(refs.map((r) => `${r['@_id'] ?? ''} ${r['@_href'] ?? ''}`).join(' ')),
      urls: unique(refs.filter((r) => r['@_type'] !== 'cve' && r['@_type'] !== 'bugzilla').map((r) => r['@_href'] ?? '').filter(Boolean)),
      releases,
    };
    const issued = (u.issued as Record<string, string> | undefined)?.['@_date'];
    if (issued) a.issued = issued;
    out.push(a);
  }
  return out;
}

export const updateinfo: Source = {
  id: 'updateinfo',
  description: 'RPM repository advisories (repodata updateinfo.xml)',
  detect: (input: SourceInput) => input.format === 'xml' && input.root === 'updates',
  parse(input: SourceInput): Announcement {
    if (input.format !== 'xml') throw new HeraldError('EPARSE', `updateinfo: cannot parse ${input.format} input`);
    const advisories = kernelAdvisories(input.value);
    return {
      format: 'xml', source: 'updateinfo',
      title: advisories.length === 1 ? `${advisories[0]!.id}: ${advisories[0]!.title}` : `updateinfo: ${advisories.length} kernel advisories`,
      advisory: advisories.length === 1 ? advisories[0]!.id : null,
      cves: unique(advisories.flatMap((a) => a.cves)).sort(),
      urls: unique(advisories.flatMap((a) => a.urls)),
      releases: advisories.flatMap((a) => a.releases),
    };
  },
};
