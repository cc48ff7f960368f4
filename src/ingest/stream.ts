import { compareVersions, schemeFor } from '../versions/index.js';

export interface StreamPlace { previous_version: string | null; abi_changed: boolean; newest: boolean }

/**
 * Where a new kernel sits among the others of its stream. Versions that do
 * not parse in the distro's scheme are left out rather than guessed at. With
 * nothing earlier known, the ABI counts as changed: nothing was built for it.
 */
export function placeInStream(distro: string, version: string, abi: string | null, others: { version: string; abi: string | null }[]): StreamPlace {
  const scheme = schemeFor(distro);
  if (!scheme) return { previous_version: null, abi_changed: true, newest: true };
  const cmp = (a: string, b: string): number | undefined => {
    try {
      return compareVersions(scheme, a, b);
    } catch {
      return undefined;
    }
  };
  let previous: { version: string; abi: string | null } | undefined;
  let newest = true;
  for (const o of others) {
    const c = cmp(o.version, version);
    if (c === undefined) continue;
    if (c > 0) newest = false;
    else if (c < 0 && (!previous || (cmp(o.version, previous.version) ?? 0) > 0)) previous = o;
  }
  return {
    previous_version: previous?.version ?? null,
    abi_changed: previous === undefined || abi === null || previous.abi !== abi,
    newest,
  };
}
