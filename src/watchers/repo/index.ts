import { HeraldError } from '../../errors.js';
import { decodeBody } from '../../sources/document.js';
import { fetchIndexed } from './fetch.js';
import { FetchingWatcher, type WatchItem } from '../fetching-watcher.js';
import type { WatcherDeps } from '../types.js';
import { kernelsInPackages, packagesIndex, releaseIndexes, stanzas } from './apt.js';
import { advisoryIndex, kernelsInPrimary, parseRepomd, repoAnnouncement, rpmPackages } from './rpm.js';
import { driverPackages } from './drivers.js';
import { repoSchema, type RepoWatcherConfig } from './schema.js';

/**
 * A mirror's metadata as a channel: a kernel package that appears in it is a
 * kernel release, and its packages exist when the event fires. The index
 * (repomd.xml, InRelease) is polled conditionally; the files it names are
 * fetched only when it changed, and checked against its checksums, so a
 * mirror caught mid-sync is an error to retry, not a wrong answer.
 */
export class RepoWatcher extends FetchingWatcher {
  constructor(private readonly repo: RepoWatcherConfig, deps: WatcherDeps) {
    super(repo, deps);
  }

  private base(): string {
    return this.repo.url.endsWith('/') ? this.repo.url : `${this.repo.url}/`;
  }

  protected override documentUrl(): string {
    return this.repo.format === 'rpm' ? new URL('repodata/repomd.xml', this.base()).href : new URL(`dists/${this.repo.suite}/InRelease`, this.base()).href;
  }

  private file(url: string, expected: string | undefined): Promise<Buffer> {
    return fetchIndexed(url, expected, { timeoutMs: this.repo.timeout, maxBytes: this.repo.max_bytes, maxUncompressedBytes: this.repo.max_uncompressed_bytes });
  }

  protected async items(text: string): Promise<WatchItem[]> {
    const where = this.base();
    if (this.repo.format === 'rpm') {
      const entries = parseRepomd(text);
      const primary = entries.find((e) => e.type === 'primary');
      if (!primary?.href) throw new HeraldError('EINPUT', 'repomd.xml names no primary metadata');
      const primaryXml = await this.file(new URL(primary.href, where).href, primary.sha256);
      const kernels = kernelsInPrimary(primaryXml, this.repo.distro, this.repo.distro_release);
      const drivers = driverPackages(this.repo.packages.length ? rpmPackages(primaryXml) : [], this.repo.packages, this.repo.vendor);
      const ui = entries.find((e) => e.type === 'updateinfo');
      const advisories = advisoryIndex(ui?.href ? await this.file(new URL(ui.href, where).href, ui.sha256) : undefined);
      return [...kernels.map((k) => ({
        externalId: `${k.package}-${k.version}`,
        raw: JSON.stringify(k),
        announcement: repoAnnouncement(k, where, advisories.get(`${k.package}\u0000${k.version}`)),
      })), ...drivers.map((d) => ({ externalId: `${d.package}-${d.version}`, raw: JSON.stringify(d), announcement: repoAnnouncement(d, where, undefined) }))];
    }
    const index = packagesIndex(releaseIndexes(text), this.repo.component, this.repo.arch);
    const packages = decodeBody(await this.file(new URL(`dists/${this.repo.suite}/${index.path}`, where).href, index.sha256));
    const drivers = driverPackages(this.repo.packages.length ? stanzas(packages).map((f) => ({ name: f.Package ?? '', version: f.Version ?? '', arch: f.Architecture ?? '' })) : [], this.repo.packages, this.repo.vendor);
    return [...kernelsInPackages(packages, this.repo.distro, this.repo.distro_release), ...drivers].map((k) => ({
      externalId: `${k.package}=${k.version}`,
      raw: JSON.stringify(k),
      announcement: repoAnnouncement(k, where, undefined),
    }));
  }
}

export const repoWatcherType = {
  type: 'repo' as const,
  schema: repoSchema,
  create: (cfg: RepoWatcherConfig, deps: WatcherDeps) => new RepoWatcher(cfg, deps),
};
