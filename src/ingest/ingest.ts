import type { Announcement, AnnouncementRef, DriverRelease, KernelRelease } from '../domain.js';
import type { Store } from '../store/index.js';
import { abiKey, streamKey } from '../versions/abi.js';
import type { StreamHead } from '../store/releases.js';
import { placeAfterHead, placeInStream, type StreamPlace } from './stream.js';

export interface IngestItem {
  watcher: string;
  externalId: string;
  format: string;
  raw: string;
  detail?: string;
  announcement: Announcement | undefined;
  /** A baseline item is recorded, and so are its releases, but nothing fires. */
  baseline: boolean;
}

export interface IngestResult {
  duplicate: boolean;
  announcementId?: number;
  releases: { id: number; created: boolean }[];
  events: number[];
}

/**
 * Raw item -> announcement row -> release rows -> events, in one transaction.
 * A release already known (from any watcher) gains a link to this
 * announcement but no second event.
 */
export function ingest(store: Store, item: IngestItem, at: string): IngestResult {
  return store.tx(() => {
    const announcementId = store.announcements.insert({
      watcher: item.watcher, external_id: item.externalId, announcement: item.announcement, format: item.format,
      raw: item.raw, ...(item.detail !== undefined ? { detail: item.detail } : {}), baseline: item.baseline, at,
    });
    if (announcementId === undefined) return { duplicate: true, releases: [], events: [] };
    const ann = item.announcement;
    const result: IngestResult = { duplicate: false, announcementId, releases: [], events: [] };
    if (!ann) return result;
    const ref: AnnouncementRef = { id: announcementId, watcher: item.watcher, source: ann.source, title: ann.title, advisory: ann.advisory, urls: ann.urls };
    for (const release of ann.releases) {
      const stream = release.kind === 'kernel' ? streamKey(release) : [release.distro, release.distro_release, release.package].join('/');
      const abi = release.kind === 'kernel' ? abiKey(release) : null;
      const r = store.releases.upsert(release, announcementId, at, item.baseline, { stream, abi });
      result.releases.push(r);
      if (!r.created) continue;
      if (release.kind === 'kernel') {
        const place = placeKernel(store, release.distro, stream, { version: release.version, abi, release_id: r.id }, item.baseline);
        if (place) result.events.push(store.events.append('kernel.released', kernelPayload(release, r.id, ref, ann, abi, place), r.id, at));
      } else if (!item.baseline) {
        result.events.push(store.events.append('driver.released', driverPayload(release, r.id, ref, ann), r.id, at));
      }
    }
    return result;
  });
}

/**
 * Places a new kernel in its stream and keeps the stream's head: one lookup
 * when it is newer than the head, a scan otherwise (which also sets a head
 * the stream did not have yet). A baseline kernel fires nothing, so it is
 * placed only to move the head, never by a scan.
 */
function placeKernel(store: Store, distro: string, stream: string, me: StreamHead, baseline: boolean): StreamPlace | undefined {
  const head = store.releases.streamHead('kernel', stream);
  const fast = placeAfterHead(distro, me, head);
  if (fast) {
    if (head) store.releases.setStreamHead('kernel', stream, me);
    return baseline ? undefined : fast;
  }
  if (baseline) return undefined;
  const { head: next, ...place } = placeInStream(distro, me, store.releases.streamVersions('kernel', stream, me.release_id));
  if (next && !head) store.releases.setStreamHead('kernel', stream, next); // with a head, a scan finds that same head
  return place;
}

function kernelPayload(k: KernelRelease, id: number, ref: AnnouncementRef, ann: Announcement, abi: string | null, place: StreamPlace) {
  return {
    kernel: { ...k, id, abi, abi_changed: place.abi_changed, previous_version: place.previous_version, newest: place.newest },
    announcements: [ref], advisory: ann.advisory, cves: ann.cves, urls: ann.urls,
  };
}

function driverPayload(d: DriverRelease, id: number, ref: AnnouncementRef, ann: Announcement) {
  return {
    driver: { id, vendor: d.distro, package: d.package, version: d.version, branch: d.distro_release, arch: d.arch },
    announcements: [ref], urls: ann.urls,
  };
}
