import type { Announcement, DriverRelease } from '../../domain.js';
import { HeraldError } from '../../errors.js';
import type { Source, SourceInput } from '../source.js';

// NVIDIA open GPU kernel modules: the GitHub releases Atom feed. Each entry's
// title is the driver version ("550.54.14"); the tag link says the same.
const REPO = /github\.com\/NVIDIA\/open-gpu-kernel-modules/i;
const VERSION = /^\d{3}\.\d{1,3}(?:\.\d{1,3})?$/;

export const nvidia: Source = {
  id: 'nvidia',
  description: 'NVIDIA open-gpu-kernel-modules GitHub releases (Atom)',

  detect(input: SourceInput): boolean {
    if (input.format !== 'rss' && input.format !== 'atom') return false;
    return REPO.test(input.feed.link) || REPO.test(input.feed.id) || REPO.test(input.item.link);
  },

  parse(input: SourceInput): Announcement {
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
