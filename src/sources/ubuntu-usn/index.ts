import type { Announcement } from '../../domain.js';
import { HeraldError } from '../../errors.js';
import type { Source, SourceInput } from '../source.js';
import { findCves } from '../source.js';
import { looksLikeNotice, parseNoticeJson } from './parse-json.js';
import { looksLikeUsnText, parseUsnText } from './parse-text.js';
import { looksLikeUsnDb, parseUsnDb } from './parse-usn-db.js';

// Ubuntu Security Notices: the RSS feed, a notice's JSON, the
// ubuntu-security-announce mail and the notice page's text.
// Matched on the path, so a mirror (or a test server) of the notices works too.
const NOTICE_LINK = /\/security\/notices\/(USN-\d+-\d+)\/?$/;

function isKernelNoticeTitle(title: string): boolean {
  return /\blinux kernel\b/i.test(title);
}

export const ubuntuUsn: Source = {
  id: 'ubuntu-usn',
  description: 'Ubuntu Security Notices (RSS feed, notice JSON, the usn/ database JSON, ubuntu-security-announce mail, notice page text)',

  detect(input: SourceInput): boolean {
    switch (input.format) {
      case 'rss':
      case 'atom':
        return NOTICE_LINK.test(input.item.link) || /ubuntu\.com\/security\/notices/.test(input.feed.link);
      case 'json':
        return looksLikeNotice(input.value) || looksLikeUsnDb(input.value);
      case 'email':
        return /\[USN-\d+-\d+\]/.test(input.mail.subject) || looksLikeUsnText(input.mail.text);
      case 'text':
        return looksLikeUsnText(input.text);
      case 'xml':
        return false;
    }
  },

  detailUrl(input: SourceInput): string | undefined {
    // The feed's items carry no package versions; a kernel notice's JSON does.
    if (input.format !== 'rss' && input.format !== 'atom') return undefined;
    if (!isKernelNoticeTitle(input.item.title)) return undefined;
    // `<item link>.json`, on the item's own origin: a mirror or a test server
    // serving the feed serves the notices too.
    return NOTICE_LINK.test(input.item.link) ? `${input.item.link.replace(/\/+$/, '')}.json` : undefined;
  },

  parse(input: SourceInput, detail?: unknown): Announcement {
    switch (input.format) {
      case 'json':
        return looksLikeNotice(input.value) ? parseNoticeJson(input.value) : parseUsnDb(input.value);
      case 'email':
        return parseUsnText(input.mail.text, { title: input.mail.subject, format: 'email' });
      case 'text':
        return parseUsnText(input.text, { format: 'text' });
      case 'xml':
        throw new HeraldError('EPARSE', 'ubuntu-usn: cannot parse xml input');
      case 'rss':
      case 'atom': {
        const item = input.item;
        if (detail !== undefined) {
          const fromJson = looksLikeUsnDb(detail) ? parseUsnDb(detail, input.format) : parseNoticeJson(detail, input.format);
          return { ...fromJson, title: item.title || fromJson.title, urls: [item.link, ...fromJson.urls.filter((u) => u !== item.link)] };
        }
        const advisory = /USN-\d+-\d+/.exec(item.title)?.[0] ?? NOTICE_LINK.exec(item.link)?.[1] ?? null;
        const a: Announcement = {
          format: input.format, source: 'ubuntu-usn', title: item.title, advisory,
          cves: findCves(item.title, item.content), urls: item.link ? [item.link] : [], releases: [],
        };
        if (item.published) a.published = item.published;
        return a;
      }
    }
  },
};

