import { z } from 'zod';
import { duration, httpUrl } from '../config/fields.js';
import { HeraldError } from '../errors.js';
import { decodeBody, parseXml } from '../sources/document.js';
import { decompress, sha256 } from '../watchers/decompress.js';
import { fetchDocument } from '../watchers/fetcher.js';
import { packagesIndex, releaseIndexes, stanzas } from '../watchers/repo/apt.js';
import { parseRepomd } from '../watchers/repo/rpm.js';

// The optional gate before a dispatch: mirrors lag announcements by hours, and
// a build against a kernel whose headers are not there yet fails for nothing.

export const gateSchema = z.strictObject({
  url: httpUrl,
  format: z.enum(['rpm', 'apt']),
  /** The package that must be there, e.g. kernel-devel or "linux-headers-{{kernel.abi}}-generic". */
  package: z.string().min(1),
  /** Its version-release (rpm) or version (apt). */
  version: z.string().min(1).default('{{kernel.version}}'),
  suite: z.string().optional(),
  component: z.string().default('main'),
  arch: z.string().default('amd64'),
  every: duration.prefault('15m'),
  /** Give up (the build fails) when the package is not there this long after the kernel. */
  within: duration.prefault('24h'),
  max_bytes: z.number().int().positive().default(512 * 1024 * 1024),
});

export type GateConfig = z.output<typeof gateSchema>;
export interface GateRequest { url: string; format: 'rpm' | 'apt'; package: string; version: string; suite?: string | undefined; component: string; arch: string; max_bytes: number }

const slash = (u: string) => (u.endsWith('/') ? u : `${u}/`);

async function file(url: string, expected: string | undefined, maxBytes: number): Promise<Buffer> {
  const res = await fetchDocument({ url, timeoutMs: 60_000, maxBytes });
  if (res.status !== 200) throw new HeraldError('EFETCH', `GET ${url}: unexpected 304`);
  if (expected && sha256(res.body) !== expected) throw new HeraldError('EFETCH', `GET ${url}: sha256 differs from the index (mirror mid-sync?)`);
  return decompress(res.body, new URL(url).pathname, maxBytes);
}

function list<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Whether the repository lists the package at that version now. */
export async function packagePresent(g: GateRequest): Promise<boolean> {
  const where = slash(g.url);
  if (g.format === 'rpm') {
    const repomd = await fetchDocument({ url: new URL('repodata/repomd.xml', where).href, timeoutMs: 60_000, maxBytes: 10 * 1024 * 1024 });
    if (repomd.status !== 200) throw new HeraldError('EFETCH', 'repomd.xml: unexpected 304');
    const primary = parseRepomd(decodeBody(repomd.body)).find((e) => e.type === 'primary');
    if (!primary?.href) throw new HeraldError('EINPUT', `${where}: repomd.xml names no primary metadata`);
    const { value } = parseXml(decodeBody(await file(new URL(primary.href, where).href, primary.sha256, g.max_bytes)));
    return list((value.metadata as { package?: unknown } | undefined)?.package).some((p) => {
      const pkg = p as { name?: unknown; version?: Record<string, string> };
      return String(pkg.name) === g.package && `${pkg.version?.['@_ver']}-${pkg.version?.['@_rel']}` === g.version;
    });
  }
  if (!g.suite) throw new HeraldError('ECONFIG', 'wait_for_packages.suite: is required with format apt');
  const inRelease = await fetchDocument({ url: new URL(`dists/${g.suite}/InRelease`, where).href, timeoutMs: 60_000, maxBytes: 10 * 1024 * 1024 });
  if (inRelease.status !== 200) throw new HeraldError('EFETCH', 'InRelease: unexpected 304');
  const index = packagesIndex(releaseIndexes(decodeBody(inRelease.body)), g.component, g.arch);
  const packages = decodeBody(await file(new URL(`dists/${g.suite}/${index.path}`, where).href, index.sha256, g.max_bytes));
  return stanzas(packages).some((f) => f.Package === g.package && f.Version === g.version);
}
