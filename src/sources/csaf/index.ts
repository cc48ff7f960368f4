import * as z from '../../zod.js';
import type { Announcement, KernelRelease } from '../../domain.js';
import { HeraldError } from '../../errors.js';
import { kernelBase, parseNevra } from '../rpm-errata.js';
import type { Source, SourceInput } from '../source.js';
import { findCves, unique } from '../source.js';

// CSAF 2.0 (OASIS), as Red Hat publishes its advisories (RHSA, category
// csaf_security_advisory) and VEX files, and SUSE its SUSE-SU advisories. The
// product tree names packages (product_version, with a purl) and platforms
// (product_name, with a CPE); a relationship "default_component_of" puts a
// package on a platform, and the vulnerabilities say which of those pairs is
// fixed. A kernel release is a fixed kernel package on a platform we can name.

interface Node { category?: string; name?: string; product?: { product_id: string; name?: string; product_identification_helper?: { cpe?: string; purl?: string } }; branches?: Node[] }

const csafSchema = z.object({
  document: z.object({
    category: z.string(),
    csaf_version: z.literal('2.0'),
    title: z.string().optional(),
    tracking: z.object({ id: z.string(), initial_release_date: z.string().optional(), current_release_date: z.string().optional() }),
    references: z.array(z.object({ category: z.string().optional(), url: z.string() })).optional(),
  }),
  product_tree: z.object({
    branches: z.array(z.unknown()).optional(),
    relationships: z.array(z.object({
      category: z.string(),
      full_product_name: z.object({ product_id: z.string() }),
      product_reference: z.string(),
      relates_to_product_reference: z.string(),
    })).optional(),
  }).optional(),
  vulnerabilities: z.array(z.object({
    cve: z.string().optional(),
    product_status: z.record(z.string(), z.array(z.string())).optional(),
  })).optional(),
});

export function looksLikeCsaf(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const d = (v as { document?: { csaf_version?: unknown; category?: unknown } }).document;
  return d?.csaf_version === '2.0' && typeof d.category === 'string';
}

/** Every product of the tree by id, with what identifies it. */
function products(nodes: unknown[] | undefined, out = new Map<string, { name: string; cpe?: string | undefined; purl?: string | undefined }>()) {
  for (const raw of nodes ?? []) {
    const n = raw as Node;
    if (n.product?.product_id) {
      const h = n.product.product_identification_helper;
      out.set(n.product.product_id, { name: n.product.name ?? n.name ?? n.product.product_id, cpe: h?.cpe, purl: h?.purl });
    }
    products(n.branches, out);
  }
  return out;
}

/**
 * The distribution and release a platform's CPE names, as os-release IDs:
 * RHEL and its EUS/AUS/E4S/TUS streams (the minor release: 8.6), SLES and its
 * modules (15 SP5 is 15.5), openSUSE Leap.
 */
export function platformOf(cpe: string | undefined): { distro: string; release: string } | undefined {
  if (!cpe) return undefined;
  let m = /^cpe:\/[ao]:redhat:(?:enterprise_linux|rhel_(?:eus|aus|e4s|tus|els)):(\d+(?:\.\d+)?)/.exec(cpe);
  if (m) return { distro: 'rhel', release: m[1]! };
  m = /^cpe:\/[ao]:suse:(?:sles|sled|sles_sap|sle-[a-z-]+|suse-[a-z-]+):(\d+)(?::sp(\d+))?/.exec(cpe);
  if (m) return { distro: 'sles', release: m[2] ? `${m[1]}.${m[2]}` : m[1]! };
  m = /^cpe:\/[ao]:opensuse:leap(?:-micro)?:(\d+\.\d+)/.exec(cpe);
  if (m) return { distro: 'opensuse-leap', release: m[1]! };
  return undefined;
}

/** SUSE ships each kernel flavour as its own package (kernel-default, kernel-azure, kernel-rt...); -base, -devel, -extra belong to theirs. */
export function suseKernel(name: string): string | undefined {
  const m = /^(kernel-(?:default|azure|rt|64kb|zfcpdump|kvmsmall|preempt|debug|vanilla|lpae|pae|longterm))(?:-(?:base|devel|extra|optional|livepatch|livepatch-devel|vdso))?$/.exec(name);
  return m?.[1];
}

/** name, version-release and arch of a package product: its purl, else its product_version name (N-E:V-R.A). */
function packageOf(p: { name: string; purl?: string | undefined }): { name: string; version: string; arch: string } | undefined {
  const purl = /^pkg:rpm\/[^/]+\/([^@?]+)@([^?]+)(?:\?(.*))?$/.exec(p.purl ?? '');
  if (purl) {
    const arch = /(?:^|&)arch=([^&]+)/.exec(purl[3] ?? '')?.[1] ?? '';
    return { name: decodeURIComponent(purl[1]!), version: decodeURIComponent(purl[2]!).replace(/^\d+:/, ''), arch };
  }
  const n = parseNevra(p.name.replace(/-(\d+):/, '-'));
  return n ? { name: n.name, version: `${n.version}-${n.release}`, arch: n.arch } : undefined;
}

export function parseCsaf(value: unknown): Announcement {
  const parsed = csafSchema.safeParse(value);
  if (!parsed.success) throw new HeraldError('EPARSE', `CSAF document: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  const c = parsed.data;
  const tree = products(c.product_tree?.branches);
  const statuses = (c.vulnerabilities ?? []).map((v) => v.product_status).filter((s) => s !== undefined);
  const fixed = new Set(statuses.flatMap((s) => [...(s.fixed ?? []), ...(s.first_fixed ?? [])]));
  const releases = new Map<string, KernelRelease>();
  for (const r of c.product_tree?.relationships ?? []) {
    if (r.category !== 'default_component_of') continue;
    // An advisory without product_status lists only what it ships: all of it is the fix.
    if (statuses.length > 0 && !fixed.has(r.full_product_name.product_id)) continue;
    const pkgProduct = tree.get(r.product_reference);
    const platform = platformOf(tree.get(r.relates_to_product_reference)?.cpe);
    if (!pkgProduct || !platform) continue;
    const pkg = packageOf(pkgProduct);
    if (!pkg || pkg.arch === 'src') continue;
    const base = platform.distro === 'rhel' ? kernelBase(pkg.name) : suseKernel(pkg.name);
    if (!base) continue;
    const key = [platform.distro, platform.release, base, pkg.version].join('\u0000');
    const k = releases.get(key) ?? { kind: 'kernel' as const, distro: platform.distro, distro_release: platform.release, package: base, version: pkg.version, arch: [] };
    if (pkg.arch && pkg.arch !== 'noarch' && !k.arch.includes(pkg.arch)) k.arch.push(pkg.arch);
    releases.set(key, k);
  }
  const d = c.document;
  const refs = d.references ?? [];
  const out: Announcement = {
    format: 'json', source: 'csaf',
    title: d.title ? `${d.tracking.id}: ${d.title}` : d.tracking.id,
    advisory: d.tracking.id,
    cves: findCves((c.vulnerabilities ?? []).map((v) => v.cve ?? '').join(' ')),
    urls: unique(refs.filter((r) => r.category === 'self' || /\/errata\/|\/update\/|\/security\/(advisories|cve)\//.test(r.url)).map((r) => r.url)),
    releases: [...releases.values()].map((k) => ({ ...k, arch: k.arch.sort() })),
  };
  const published = d.tracking.initial_release_date;
  if (published) out.published = published;
  return out;
}

export const csaf: Source = {
  id: 'csaf',
  description: 'CSAF 2.0 advisories and VEX files (Red Hat RHSA, SUSE SUSE-SU)',
  detect: (input: SourceInput) => input.format === 'json' && looksLikeCsaf(input.value),
  parse(input: SourceInput): Announcement {
    if (input.format !== 'json') throw new HeraldError('EPARSE', `csaf: cannot parse ${input.format} input`);
    return parseCsaf(input.value);
  },
};
