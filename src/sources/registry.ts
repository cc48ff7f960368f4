import type { Source, SourceInput } from './source.js';
import { ubuntuUsn } from './ubuntu-usn/index.js';
import { kernelOrg } from './kernel-org/index.js';
import { nvidia } from './nvidia/index.js';
import { centosAnnounce } from './centos-announce/index.js';
import { rocky } from './rocky/index.js';
import { almalinux } from './almalinux/index.js';
import { osv } from './osv/index.js';
import { updateinfo } from './updateinfo/index.js';
import { csaf } from './csaf/index.js';
import { csafChanges } from './csaf-changes/index.js';

// One line per announcement source. Order matters only where two could claim
// the same input; the more specific source comes first.
export const sources: readonly Source[] = [
  ubuntuUsn,
  kernelOrg,
  nvidia,
  centosAnnounce,
  rocky,
  almalinux,
  osv,
  updateinfo,
  csaf,
  csafChanges,
];

export function sourceById(id: string): Source | undefined {
  return sources.find((s) => s.id === id);
}

export function detectSource(input: SourceInput): Source | undefined {
  return sources.find((s) => s.detect(input));
}
