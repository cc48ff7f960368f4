import type { Announcement, KernelRelease } from '../../domain.js';
import { findCves, unique } from '../source.js';
import { kernelImage } from './releases.js';

// The notice as text: the ubuntu-security-announce mail, or the notice page's
// text. Both list, per release, package and version lines under a header:
//   "Ubuntu 22.04 LTS:" (mail) or "Ubuntu 16.04 LTS" (page), then
//   "  linux-image-5.15.0-91-generic  5.15.0-91.101"              (mail)
//   "linux-image-4.4.0-1056-aws - 4.4.0-1056.60"                    (page)
//   "[linux-image-4.15.0-76-generic](https://...) - [4.15.0-76.86~16.04.1](https://...)"

const RELEASE_HEADER = /^\s*Ubuntu (\d\d\.\d\d)(?: (LTS|ESM))?:?\s*$/;
const MD_LINK = /\[([^\]]*)\]\([^)]*\)/g;
const PACKAGE_LINE = /^\s*([a-z0-9][a-z0-9.+-]*)\s+(?:-\s+)?(\d[A-Za-z0-9.+~:-]*)\s*$/;
const USN = /\bUSN-\d+-\d+\b/;

export function looksLikeUsnText(text: string): boolean {
  return USN.test(text) && /Ubuntu/.test(text) && /(Ubuntu Security Notice|security\/notices|Update instructions|ubuntu-security-announce)/i.test(text);
}

export function parseUsnText(text: string, opts: { title?: string; format: Announcement['format'] }): Announcement {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const releases: KernelRelease[] = [];
  let current: { version: string; label?: 'LTS' | 'ESM' } | undefined;
  for (const raw of lines) {
    const header = RELEASE_HEADER.exec(raw);
    if (header) {
      current = { version: header[1]! };
      if (header[2]) current.label = header[2] as 'LTS' | 'ESM';
      continue;
    }
    if (!current) continue;
    const line = raw.replace(MD_LINK, '$1');
    const pkg = PACKAGE_LINE.exec(line);
    if (!pkg) {
      // A paragraph ends the package list of the release above it.
      if (/^\s*[A-Z][a-z]+ .*[a-z]/.test(line) && !/^\s*Ubuntu Pro/i.test(line)) current = undefined;
      continue;
    }
    const img = kernelImage(pkg[1]!);
    if (!img) continue;
    const r: KernelRelease = {
      kind: 'kernel', distro: 'ubuntu', distro_release: current.version, package: pkg[1]!,
      version: pkg[2]!, arch: [], flavour: img.flavour,
    };
    if (current.label) r.label = current.label;
    if (!releases.some((x) => x.distro_release === r.distro_release && x.package === r.package && x.version === r.version)) releases.push(r);
  }
  const title = opts.title ?? frontMatterTitle(text) ?? firstLine(text);
  const advisory = USN.exec(title)?.[0] ?? USN.exec(text)?.[0] ?? null;
  return {
    format: opts.format,
    source: 'ubuntu-usn',
    title,
    advisory,
    cves: findCves(text),
    urls: advisory ? unique([`https://ubuntu.com/security/notices/${advisory}`]) : [],
    releases,
  };
}

function frontMatterTitle(text: string): string | undefined {
  const m = /^---\n[\s\S]*?^title:\s*['"]?(.*?)['"]?\s*$[\s\S]*?^---/m.exec(text);
  return m?.[1];
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
}
