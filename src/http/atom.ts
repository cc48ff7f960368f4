import { createHash } from 'node:crypto';
import { subjectToken } from '../rotation/reply.js';
import type { OutboxMessage } from '../store/outbox.js';

// The announcements as an Atom feed (RFC 4287), for people who follow them in
// a feed reader instead of, or besides, mail.

export interface FeedRequest {
  /** Names the feed for readers: stable while the sender is. */
  from: string;
  title: string;
  /** Sent mail of the published templates, newest first. */
  mail: OutboxMessage[];
}

/**
 * One entry per announcement: a kernel mailed to several people one by one
 * is one entry (the first copy). A copy addressed to one person carries their
 * reply token; it is cut from the subject and body, so a reader never sees
 * what would let them answer as that person. Entry ids are hashes of the
 * Message-ID (which holds the token too): stable across restarts.
 */
export function announcementFeed(r: FeedRequest): string {
  const seen = new Set<string>();
  const entries: string[] = [];
  for (const m of [...r.mail].reverse()) {
    const key = m.event_id === null ? m.message_id : `${m.event_id}:${m.template}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const token = subjectToken(m.subject);
    // The token is hex, so it can stand in a pattern as it is.
    const scrub = (s: string) => (token ? s.replace(new RegExp(`\\s*\\[KH-${token}\\]`, 'gi'), '').replace(new RegExp(token, 'gi'), '…') : s);
    const at = m.sent_at ?? m.created_at;
    entries.unshift([
      '  <entry>',
      `    <id>urn:kernel-herald:mail:${hash(m.message_id)}</id>`,
      `    <title>${xml(scrub(m.subject).replace(/\s+/g, ' ').trim())}</title>`,
      `    <published>${at}</published>`,
      `    <updated>${at}</updated>`,
      `    <content type="text">${xml(scrub(m.body))}</content>`,
      '  </entry>',
    ].join('\n'));
  }
  const updated = r.mail[0]?.sent_at ?? '1970-01-01T00:00:00.000Z';
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>urn:kernel-herald:feed:${hash(r.from.toLowerCase())}</id>`,
    `  <title>${xml(r.title)}</title>`,
    `  <updated>${updated}</updated>`,
    `  <author><name>${xml(r.from)}</name></author>`,
    '  <generator>kernel-herald</generator>',
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}

const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

/** Text for XML: the five specials escaped, and characters XML 1.0 cannot carry dropped. */
export function xml(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
