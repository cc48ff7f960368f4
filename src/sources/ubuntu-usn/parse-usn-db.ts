import * as z from '../../zod.js';
import type { Announcement, KernelRelease } from '../../domain.js';
import { HeraldError } from '../../errors.js';
import { findCves, unique } from '../source.js';
import { codenameToVersion, isLtsVersion, kernelImage } from './releases.js';

// The notice as Canonical publishes it in its ubuntu-security-notices
// repository (usn/NNNN-N.json): releases by codename, each with `binaries`
// (and in newer notices `allbinaries`, with the pocket and source of each),
// `sources` and per-architecture download URLs. Only what we read is checked.
const binary = z.object({ version: z.string(), pocket: z.string().optional(), source: z.string().optional() });
const release = z.object({
  binaries: z.record(z.string(), binary).optional(),
  allbinaries: z.record(z.string(), binary).optional(),
  sources: z.record(z.string(), z.object({ version: z.string() })).optional(),
  archs: z.record(z.string(), z.object({ urls: z.record(z.string(), z.unknown()).optional() })).optional(),
});
const usnSchema = z.object({
  id: z.string().regex(/^USN-\d+-\d+$/),
  title: z.string().optional(),
  summary: z.string().optional(),
  cves: z.array(z.union([z.string(), z.object({ id: z.string() })])).optional(),
  timestamp: z.number().optional(),
  releases: z.record(z.string(), release),
});

export function looksLikeUsnDb(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  if (typeof v.id !== 'string' || !/^USN-\d+-\d+$/.test(v.id) || typeof v.releases !== 'object' || v.releases === null || Array.isArray(v.releases)) return false;
  return Object.values(v.releases).some((r) => typeof r === 'object' && r !== null && ('binaries' in r || 'sources' in r));
}

/** The architectures a binary was built for: the archs whose download URLs name its .deb. */
function archsOf(name: string, archs: z.infer<typeof release>['archs']): string[] {
  return Object.entries(archs ?? {})
    .filter(([arch, a]) => arch !== 'all' && arch !== 'source' && Object.keys(a.urls ?? {}).some((u) => u.slice(u.lastIndexOf('/') + 1).startsWith(`${name}_`)))
    .map(([arch]) => arch).sort();
}

export function parseUsnDb(value: unknown, format: Announcement['format'] = 'json'): Announcement {
  const parsed = usnSchema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new HeraldError('EPARSE', `Ubuntu notice (usn database JSON): ${first?.path.join('.') || '(top)'}: ${first?.message}`);
  }
  const n = parsed.data;
  const releases: KernelRelease[] = [];
  for (const [codename, r] of Object.entries(n.releases)) {
    const version = codenameToVersion(codename);
    if (!version) continue;
    const binaries = { ...(r.binaries ?? {}), ...(r.allbinaries ?? {}) };
    for (const [name, b] of Object.entries(binaries).sort(([x], [y]) => x.localeCompare(y))) {
      const img = kernelImage(name);
      if (!img) continue;
      const k: KernelRelease = { kind: 'kernel', distro: 'ubuntu', distro_release: version, package: name, version: b.version, arch: archsOf(name, r.archs), flavour: img.flavour };
      // An ESM pocket says the release is past standard support; an LTS one is an even year's April release.
      if (b.pocket?.startsWith('esm')) k.label = 'ESM';
      else if (isLtsVersion(version)) k.label = 'LTS';
      if (!releases.some((x) => x.distro_release === k.distro_release && x.package === k.package && x.version === k.version)) releases.push(k);
    }
  }
  const out: Announcement = {
    format,
    source: 'ubuntu-usn',
    title: n.title ? `${n.id}: ${n.title}` : n.id,
    advisory: n.id,
    cves: findCves((n.cves ?? []).map((c) => (typeof c === 'string' ? c : c.id)).join(' ')),
    urls: unique([`https://ubuntu.com/security/notices/${n.id}`]),
    releases,
  };
  if (n.timestamp !== undefined) out.published = new Date(n.timestamp * 1000).toISOString();
  return out;
}
