import type { Announcement } from '../../domain.js';
import { HeraldError } from '../../errors.js';
import { errataText as textOf, parseErrataMail } from '../rpm-errata.js';
import type { Source, SourceInput } from '../source.js';

// AlmaLinux errata (ALSA/ALBA/ALEA) as mailed to almalinux announce lists.
const ADVISORY = /\bAL[SBE]A-\d{4}:\d{3,}\b/;


export const almalinux: Source = {
  id: 'almalinux',
  description: 'AlmaLinux errata mails (ALSA, ALBA, ALEA)',

  detect(input: SourceInput): boolean {
    const t = textOf(input);
    return !!t && ADVISORY.test(`${t.subject}\n${t.text.slice(0, 2000)}`);
  },

  parse(input: SourceInput): Announcement {
    const t = textOf(input);
    if (!t) throw new HeraldError('EPARSE', `almalinux: cannot parse ${input.format} input`);
    const release = /\bAlmaLinux (?:OS )?(\d+)\b/.exec(`${t.subject}\n${t.text}`)?.[1];
    return parseErrataMail({ source: 'almalinux', distro: 'almalinux', advisoryPattern: ADVISORY, subject: t.subject, text: t.text, format: input.format, distroRelease: release });
  },
};
