import type { StreamHead } from '../store/releases.js';
import { compareVersions, schemeFor, type Scheme } from '../versions/index.js';

export interface StreamPlace { previous_version: string | null; abi_changed: boolean; newest: boolean }

function comparer(scheme: Scheme): (a: string, b: string) => number | undefined {
  return (a, b) => {
    try {
      return compareVersions(scheme, a, b);
    } catch {
      return undefined;
    }
  };
}

/**
 * Where a new kernel sits among the others of its stream. Versions that do
 * not parse in the distro's scheme are left out rather than guessed at. With
 * nothing earlier known, the ABI counts as changed: nothing was built for it.
 * Also returns the stream's head afterwards (the newest parseable version),
 * for the next kernel to be placed without a scan.
 */
export function placeInStream(distro: string, release: { version: string; abi: string | null; release_id: number }, others: { version: string; abi: string | null; id: number }[]): StreamPlace & { head: StreamHead | undefined } {
  const scheme = schemeFor(distro);
  if (!scheme) return { previous_version: null, abi_changed: true, newest: true, head: undefined };
  const cmp = comparer(scheme);
  let previous: { version: string; abi: string | null } | undefined;
  let newest = true;
  let head: StreamHead | undefined = cmp(release.version, release.version) === 0 ? release : undefined;
  for (const o of others) {
    if (head === undefined ? cmp(o.version, o.version) === 0 : (cmp(o.version, head.version) ?? 0) > 0) head = { version: o.version, abi: o.abi, release_id: o.id };
    const c = cmp(o.version, release.version);
    if (c === undefined) continue;
    if (c > 0) newest = false;
    else if (c < 0 && (!previous || (cmp(o.version, previous.version) ?? 0) > 0)) previous = o;
  }
  return {
    previous_version: previous?.version ?? null,
    abi_changed: previous === undefined || release.abi === null || previous.abi !== release.abi,
    newest,
    head,
  };
}

/**
 * The same answer from the stream's head alone, when the new kernel is newer
 * than it (the usual case); undefined when only a scan can tell (no head yet,
 * an older or equal kernel arriving late, a version that does not parse).
 */
export function placeAfterHead(distro: string, release: { version: string; abi: string | null }, head: StreamHead | undefined): StreamPlace | undefined {
  const scheme = schemeFor(distro);
  if (!scheme) return { previous_version: null, abi_changed: true, newest: true };
  if (!head) return undefined;
  const c = comparer(scheme)(head.version, release.version);
  if (c === undefined || c >= 0) return undefined;
  return { previous_version: head.version, abi_changed: release.abi === null || head.abi !== release.abi, newest: true };
}
