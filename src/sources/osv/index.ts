import * as z from '../../zod.js';
import type { Announcement, KernelRelease } from '../../domain.js';
import { HeraldError } from '../../errors.js';
import { isLtsVersion, kernelOfBinary, kernelOfSource } from '../ubuntu-usn/releases.js';
import { kernelBase } from '../rpm-errata.js';
import type { Source, SourceInput } from '../source.js';
import { findCves, unique } from '../source.js';

// OSV records (https://ossf.github.io/osv-schema/) as AlmaLinux, Rocky and
// Ubuntu publish them for their errata. RPM ecosystems name binary packages;
// a kernel erratum may list only some subpackages, and each still names its
// kernel. Ubuntu's name the source package and list binaries in
// ecosystem_specific.binaries.

const ECOSYSTEMS: [RegExp, string][] = [
  [/^AlmaLinux:(\d+)$/, 'almalinux'],
  [/^Rocky Linux:(\d+)$/, 'rocky'],
  [/^Red Hat:.*?(\d+)/, 'rhel'],
  [/^Oracle Linux:(\d+)$/, 'ol'],
];

const record = z.object({
  id: z.string(),
  summary: z.string().optional(),
  details: z.string().optional(),
  published: z.string().optional(),
  aliases: z.array(z.string()).optional(),
  related: z.array(z.string()).optional(),
  upstream: z.array(z.string()).optional(),
  references: z.array(z.object({ url: z.string(), type: z.string().optional() })).optional(),
  affected: z.array(z.object({
    package: z.object({ ecosystem: z.string(), name: z.string() }),
    ranges: z.array(z.object({ type: z.string(), events: z.array(z.record(z.string(), z.string())) })).optional(),
    ecosystem_specific: z.object({ binaries: z.array(z.object({ binary_name: z.string(), binary_version: z.string() })).optional() }).passthrough().optional(),
  })),
});

function fixedVersion(a: z.infer<typeof record>['affected'][number]): string | undefined {
  for (const r of a.ranges ?? []) for (const e of r.events) if (e.fixed) return e.fixed.replace(/^0:/, '');
  return undefined;
}

function looksLikeOsv(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as { id?: unknown; affected?: unknown };
  return typeof o.id === 'string' && Array.isArray(o.affected) && o.affected.every((a) => typeof a === 'object' && a !== null && 'package' in a);
}

export function parseOsv(value: unknown): Announcement {
  const parsed = record.safeParse(value);
  if (!parsed.success) throw new HeraldError('EPARSE', `OSV record: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  const r = parsed.data;
  const releases = new Map<string, KernelRelease>();
  const add = (k: KernelRelease) => {
    const key = [k.distro, k.distro_release, k.package, k.version].join('\u0000');
    if (!releases.has(key)) releases.set(key, k);
  };
  for (const a of r.affected) {
    const eco = a.package.ecosystem;
    const ubuntu = /^Ubuntu:(?:Pro:)?(?:FIPS[^:]*:)?(\d\d\.\d\d)(?::(LTS))?/.exec(eco);
    if (ubuntu) {
      const label = /:Pro:/.test(eco) ? 'ESM' : ubuntu[2] || isLtsVersion(ubuntu[1]!) ? 'LTS' : undefined;
      const kernel = (image: string, flavour: string, version: string) => {
        const k: KernelRelease = { kind: 'kernel', distro: 'ubuntu', distro_release: ubuntu[1]!, package: image, version, arch: [], flavour };
        if (label) k.label = label;
        add(k);
      };
      // Ubuntu's records list the unsigned image and the modules, not the
      // signed image every other source names: the kernel is named by that.
      const binaries = (a.ecosystem_specific?.binaries ?? []).map((b) => ({ k: kernelOfBinary(b.binary_name), version: b.binary_version })).filter((b) => b.k);
      for (const b of binaries) kernel(b.k!.image, b.k!.flavour, b.version);
      const fixed = fixedVersion(a);
      if (binaries.length === 0 && fixed) {
        const k = kernelOfSource(a.package.name, fixed);
        if (k) kernel(k.image, k.flavour, fixed);
      }
      continue;
    }
    const match = ECOSYSTEMS.map(([re, distro]) => [re.exec(eco), distro] as const).find(([m]) => m);
    if (!match) continue;
    const base = kernelBase(a.package.name);
    const version = fixedVersion(a);
    if (!base || !version) continue;
    add({ kind: 'kernel', distro: match[1], distro_release: match[0]![1]!, package: base, version, arch: [] });
  }
  const refs = r.references ?? [];
  const out: Announcement = {
    format: 'json', source: 'osv', title: r.summary ? `${r.id}: ${r.summary}` : r.id, advisory: r.id,
    cves: findCves([...(r.aliases ?? []), ...(r.related ?? []), ...(r.upstream ?? [])].join(' ')),
    urls: unique([...refs.filter((x) => x.type === 'ADVISORY'), ...refs.filter((x) => x.type !== 'ADVISORY' && /errata|notices/.test(x.url))].map((x) => x.url)),
    releases: [...releases.values()],
  };
  if (r.published) out.published = r.published;
  return out;
}

export const osv: Source = {
  id: 'osv',
  description: 'OSV records of distro errata (AlmaLinux, Rocky, Ubuntu, ...)',
  detect: (input: SourceInput) => input.format === 'json' && looksLikeOsv(input.value),
  parse(input: SourceInput): Announcement {
    if (input.format !== 'json') throw new HeraldError('EPARSE', `osv: cannot parse ${input.format} input`);
    return parseOsv(input.value);
  },
};
