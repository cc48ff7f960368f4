import * as z from '../../zod.js';
import type { Announcement, KernelRelease } from '../../domain.js';
import { HeraldError } from '../../errors.js';
import { findCves, unique } from '../source.js';
import { codenameToVersion, isLtsVersion, kernelImage } from './releases.js';

// The notice JSON (https://ubuntu.com/security/notices/USN-<n>-<k>.json). Only
// the fields we use are checked; the rest may change without breaking us.
const pkg = z.object({ name: z.string(), version: z.string(), is_source: z.union([z.boolean(), z.string()]).optional() });
export const noticeSchema = z.object({
  id: z.string().regex(/^USN-\d+-\d+$/),
  title: z.string().optional(),
  summary: z.string().optional(),
  published: z.string().optional(),
  cves_ids: z.array(z.string()).optional(),
  cves: z.array(z.union([z.string(), z.object({ id: z.string() })])).optional(),
  release_packages: z.record(z.string(), z.array(pkg)),
  releases: z.array(z.object({ codename: z.string(), version: z.string().optional(), support_tag: z.string().optional(), lts: z.boolean().optional() })).optional(),
});
export type Notice = z.infer<typeof noticeSchema>;

export function looksLikeNotice(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'release_packages' in value && 'id' in value;
}

export function parseNoticeJson(value: unknown, format: Announcement['format'] = 'json'): Announcement {
  const parsed = noticeSchema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new HeraldError('EPARSE', `Ubuntu notice JSON: ${first?.path.join('.') || '(top)'}: ${first?.message}`);
  }
  const n = parsed.data;
  const releaseInfo = new Map((n.releases ?? []).map((r) => [r.codename, r]));
  const releases: KernelRelease[] = [];
  for (const [codename, packages] of Object.entries(n.release_packages)) {
    const info = releaseInfo.get(codename);
    const version = info?.version ?? codenameToVersion(codename);
    if (!version) continue;
    const label = labelOf(version, info?.support_tag, info?.lts);
    for (const p of packages) {
      if (p.is_source === true || p.is_source === 'true') continue;
      const img = kernelImage(p.name);
      if (!img) continue;
      const r: KernelRelease = {
        kind: 'kernel', distro: 'ubuntu', distro_release: version, package: p.name,
        version: p.version, arch: [], flavour: img.flavour,
      };
      if (label) r.label = label;
      if (!releases.some((x) => x.distro_release === r.distro_release && x.package === r.package && x.version === r.version)) releases.push(r);
    }
  }
  const cveIds = n.cves_ids ?? (n.cves ?? []).map((c) => (typeof c === 'string' ? c : c.id));
  const out: Announcement = {
    format,
    source: 'ubuntu-usn',
    title: n.title ? `${n.id}: ${n.title}` : n.id,
    advisory: n.id,
    cves: findCves(cveIds.join(' ')),
    urls: unique([`https://ubuntu.com/security/notices/${n.id}`]),
    releases,
  };
  if (n.published) out.published = toIso(n.published);
  return out;
}

function labelOf(version: string, supportTag?: string, lts?: boolean): 'LTS' | 'ESM' | undefined {
  const tag = supportTag?.toUpperCase();
  if (tag === 'ESM') return 'ESM';
  if (tag === 'LTS' || lts === true) return 'LTS';
  if (lts === undefined && tag === undefined && isLtsVersion(version)) return 'LTS';
  return undefined;
}

function toIso(s: string): string {
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s.replace(' ', 'T')}Z`);
  return Number.isNaN(d.getTime()) ? s : d.toISOString();
}
