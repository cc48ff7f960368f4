import type { Announcement } from '../../domain.js';
import { HeraldError } from '../../errors.js';
import { errataText as textOf, parseErrataMail } from '../rpm-errata.js';
import type { Source, SourceInput } from '../source.js';

// centos-announce: "[CentOS-announce] CESA-2020:5023 Important CentOS 7 kernel
// Security Update", body "CentOS Errata and Security Advisory 2020:5023
// Important", "Upstream details at : https://access.redhat.com/errata/RHSA-...",
// then per architecture "x86_64:" and lines "<sha256>  <file>.rpm".
const ADVISORY = /\bCE[SBE]A-\d{4}:\d{4,}\b/;


export const centosAnnounce: Source = {
  id: 'centos-announce',
  description: 'centos-announce errata mails (CESA, CEBA, CEEA), CentOS 5 to 8',

  detect(input: SourceInput): boolean {
    const t = textOf(input);
    return !!t && (ADVISORY.test(t.subject) || /CentOS Errata and (Security|Bugfix|Enhancement) Advisory/.test(t.text));
  },

  parse(input: SourceInput): Announcement {
    const t = textOf(input);
    if (!t) throw new HeraldError('EPARSE', `centos-announce: cannot parse ${input.format} input`);
    const release = /\bCentOS (?:Linux )?(\d+)\b/.exec(t.subject)?.[1];
    return parseErrataMail({ source: 'centos-announce', distro: 'centos', advisoryPattern: ADVISORY, subject: t.subject, text: t.text, format: input.format, distroRelease: release });
  },
};
