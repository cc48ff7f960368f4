import * as z from '../../zod.js';
import type { Announcement, KernelRelease } from '../../domain.js';
import { HeraldError } from '../../errors.js';
import type { Source, SourceInput } from '../source.js';

// kernel.org: the kdist.xml RSS feed ("6.6.8: stable") and releases.json.
// linux-next snapshots are not releases anyone builds modules against.
const MONIKERS = new Set(['mainline', 'stable', 'longterm']);
const TITLE = /^\s*(\d+\.\d+(?:\.\d+)*(?:-rc\d+)?):\s*(mainline|stable|longterm|linux-next)\b/;

export function kernelOrgRelease(version: string, moniker: string): KernelRelease {
  const series = /^(\d+\.\d+)/.exec(version)?.[1] ?? version;
  return {
    kind: 'kernel', distro: 'kernel.org',
    distro_release: moniker === 'mainline' ? 'mainline' : series,
    package: 'linux', version, arch: [],
  };
}

const releasesJson = z.object({
  releases: z.array(z.object({
    moniker: z.string(),
    version: z.string(),
    iseol: z.boolean().optional(),
    source: z.string().nullable().optional(),
    gitweb: z.string().nullable().optional(),
    changelog: z.string().nullable().optional(),
    released: z.object({ isodate: z.string().optional() }).optional(),
  })),
});

function looksLikeReleasesJson(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Array.isArray((value as { releases?: unknown }).releases)
    && ((value as { releases: unknown[] }).releases.every((r) => typeof r === 'object' && r !== null && 'moniker' in r));
}

export const kernelOrg: Source = {
  id: 'kernel-org',
  description: 'kernel.org releases (kdist.xml RSS feed, releases.json)',

  detect(input: SourceInput): boolean {
    if (input.format === 'json') return looksLikeReleasesJson(input.value);
    if (input.format === 'rss' || input.format === 'atom') {
      return /(^|\.)kernel\.org/.test(hostOf(input.feed.link)) && TITLE.test(input.item.title)
        || input.item.id.startsWith('kernel.org,');
    }
    return false;
  },

  split(value: unknown) {
    const doc = releasesJson.parse(value);
    return doc.releases.map((r) => ({ id: `${r.moniker}:${r.version}`, value: { releases: [r] } }));
  },

  parse(input: SourceInput): Announcement {
    if (input.format === 'json') {
      const parsed = releasesJson.safeParse(input.value);
      if (!parsed.success) throw new HeraldError('EPARSE', `kernel.org releases.json: ${parsed.error.issues[0]?.message}`);
      const rs = parsed.data.releases.filter((r) => MONIKERS.has(r.moniker));
      return {
        format: 'json', source: 'kernel-org',
        title: rs.length === 1 ? `Linux ${rs[0]!.version} (${rs[0]!.moniker})` : 'kernel.org releases',
        advisory: null, cves: [],
        urls: rs.map((r) => r.changelog ?? r.source ?? r.gitweb).filter((u): u is string => typeof u === 'string'),
        releases: rs.map((r) => kernelOrgRelease(r.version, r.moniker)),
      };
    }
    if (input.format === 'rss' || input.format === 'atom') {
      const m = TITLE.exec(input.item.title);
      const a: Announcement = {
        format: input.format, source: 'kernel-org', title: input.item.title, advisory: null, cves: [],
        urls: input.item.link ? [input.item.link] : [],
        releases: m && MONIKERS.has(m[2]!) ? [kernelOrgRelease(m[1]!, m[2]!)] : [],
      };
      if (input.item.published) a.published = input.item.published;
      return a;
    }
    throw new HeraldError('EPARSE', `kernel.org: cannot parse ${input.format} input`);
  },
};

function hostOf(link: string): string {
  try {
    return new URL(link).hostname;
  } catch {
    return '';
  }
}
