import type { Announcement, DriverRelease } from '../../domain.js';
import { HeraldError } from '../../errors.js';
import type { Source, SourceInput } from '../source.js';

// NVIDIA drivers: the open GPU kernel modules' GitHub releases Atom feed (each
// entry's title is the driver version, "550.54.14"; the tag link says the
// same), and the driver archive's version files (download.nvidia.com's
// XFree86/Linux-<arch>/latest.txt: "VERSION VERSION/NVIDIA-Linux-<arch>-VERSION.run").
const REPO = /github\.com\/NVIDIA\/open-gpu-kernel-modules/i;
const VERSION = /^\d{3}\.\d{1,3}(?:\.\d{1,3})?$/;
const LATEST = /^(\d{3}\.\d{1,3}(?:\.\d{1,3})?)\s+\S*?NVIDIA-Linux-([a-z0-9_]+)-\1\.run\s*$/;

function latestLines(text: string): { version: string; arch: string }[] {
  return text.split(/\r?\n/).map((l) => LATEST.exec(l.trim())).filter((m): m is RegExpExecArray => m !== null).map((m) => ({ version: m[1]!, arch: m[2]! }));
}

export const nvidia: Source = {
  id: 'nvidia',
  description: 'NVIDIA drivers: open-gpu-kernel-modules GitHub releases (Atom), the driver archive\'s latest.txt',

  detect(input: SourceInput): boolean {
    if (input.format === 'text') return latestLines(input.text).length > 0;
    if (input.format !== 'rss' && input.format !== 'atom') return false;
    return REPO.test(input.feed.link) || REPO.test(input.feed.id) || REPO.test(input.item.link);
  },

  parse(input: SourceInput): Announcement {
    if (input.format === 'text') {
      const found = latestLines(input.text);
      if (found.length === 0) throw new HeraldError('EPARSE', 'nvidia: no "VERSION PATH/NVIDIA-Linux-ARCH-VERSION.run" line');
      const releases: DriverRelease[] = [];
      for (const f of found) {
        const r = releases.find((x) => x.version === f.version);
        if (r) { if (!r.arch.includes(f.arch)) r.arch.push(f.arch); continue; }
        releases.push({ kind: 'driver', distro: 'nvidia', distro_release: f.version.split('.')[0]!, package: 'NVIDIA-Linux', version: f.version, arch: [f.arch] });
      }
      return { format: 'text', source: 'nvidia', title: `NVIDIA Linux driver ${releases.map((r) => r.version).join(', ')}`, advisory: null, cves: [], urls: [], releases };
    }
    if (input.format !== 'rss' && input.format !== 'atom') throw new HeraldError('EPARSE', `nvidia: cannot parse ${input.format} input`);
    const item = input.item;
    const tag = /\/releases\/tag\/([^/?#]+)/.exec(item.link)?.[1];
    const version = [item.title.trim(), tag ? decodeURIComponent(tag) : ''].find((v) => VERSION.test(v));
    const releases: DriverRelease[] = version
      ? [{ kind: 'driver', distro: 'nvidia', distro_release: version.split('.')[0]!, package: 'open-gpu-kernel-modules', version, arch: [] }]
      : [];
    const a: Announcement = {
      format: input.format, source: 'nvidia', title: item.title, advisory: null, cves: [],
      urls: item.link ? [item.link] : [], releases,
    };
    if (item.published) a.published = item.published;
    return a;
  },
};
