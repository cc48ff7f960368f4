import * as z from '../zod.js';
import { duration, httpUrl } from '../fields.js';
import { HeraldError } from '../errors.js';
import { decodeBody } from '../sources/document.js';
import { packagesIndex, releaseIndexes, stanzas } from '../watchers/repo/apt.js';
import { fetchIndexed } from '../watchers/repo/fetch.js';
import { parseRepomd, rpmPackages } from '../watchers/repo/rpm.js';

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
const INDEX_LIMIT = 10 * 1024 * 1024;

/** Whether the repository lists the package at that version now. */
export async function packagePresent(g: GateRequest): Promise<boolean> {
  const where = slash(g.url);
  const limits = { timeoutMs: 60_000, maxBytes: g.max_bytes, maxUncompressedBytes: g.max_bytes };
  if (g.format === 'rpm') {
    const repomd = await fetchIndexed(new URL('repodata/repomd.xml', where).href, undefined, { ...limits, maxBytes: INDEX_LIMIT });
    const primary = parseRepomd(decodeBody(repomd)).find((e) => e.type === 'primary');
    if (!primary?.href) throw new HeraldError('EINPUT', `${where}: repomd.xml names no primary metadata`);
    return rpmPackages(await fetchIndexed(new URL(primary.href, where).href, primary.sha256, limits))
      .some((p) => p.name === g.package && p.version === g.version);
  }
  if (!g.suite) throw new HeraldError('ECONFIG', 'wait_for_packages.suite: is required with format apt');
  const inRelease = await fetchIndexed(new URL(`dists/${g.suite}/InRelease`, where).href, undefined, { ...limits, maxBytes: INDEX_LIMIT });
  const index = packagesIndex(releaseIndexes(decodeBody(inRelease)), g.component, g.arch);
  const packages = decodeBody(await fetchIndexed(new URL(`dists/${g.suite}/${index.path}`, where).href, index.sha256, limits));
  return stanzas(packages).some((f) => f.Package === g.package && f.Version === g.version);
}
