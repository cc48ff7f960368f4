import type { Announcement } from '../../domain.js';
import { HeraldError } from '../../errors.js';
import { errataText as textOf, parseErrataMail } from '../rpm-errata.js';
import type { Source, SourceInput } from '../source.js';

// Rocky Linux errata (RLSA/RLBA/RLEA) as mailed to the rocky announce lists:
// the advisory id and the package file names are what matter; the release is
// "Rocky Linux 9" in the text, else the el tag of the packages.
const ADVISORY = /\bRL[SBE]A-\d{4}:\d{3,}\b/;


export const rocky: Source = {
  id: 'rocky',
  description: 'Rocky Linux errata mails (RLSA, RLBA, RLEA)',

  detect(input: SourceInput): boolean {
    const t = textOf(input);
    return !!t && ADVISORY.test(`${t.subject}\n${t.text.slice(0, 2000)}`);
  },

  parse(input: SourceInput): Announcement {
    const t = textOf(input);
    if (!t) throw new HeraldError('EPARSE', `rocky: cannot parse ${input.format} input`);
    const release = /\bRocky Linux (\d+)\b/.exec(`${t.subject}\n${t.text}`)?.[1];
    return parseErrataMail({ source: 'rocky', distro: 'rocky', advisoryPattern: ADVISORY, subject: t.subject, text: t.text, format: input.format, distroRelease: release });
  },
};
