import type { Announcement } from '../domain.js';

/** One feed entry, normalised by rss-parser (RSS 2.0 and Atom alike). */
export interface FeedItem {
  id: string;               // guid, Atom id, link or title: the first present
  title: string;
  link: string;
  content: string;          // description / content, as published (may be HTML)
  published?: string;       // ISO 8601
}

export interface FeedMeta {
  title: string;
  link: string;
  id: string;               // Atom feed id or RSS channel link
}

export interface MailInput {
  subject: string;
  from: string;
  text: string;
  date?: string;
  messageId?: string;
  headers: Record<string, string>;
  /** The From addresses as mailparser read them (lower case): a display name that looks like an address is not one. */
  fromAddresses?: string[];
  /** Every value of a repeated header, topmost first (Authentication-Results, Received). */
  headerValues?: Record<string, string[]>;
}

/** What a parser sees: one item, one JSON value, one mail, or one text. */
export type SourceInput =
  | { format: 'rss' | 'atom'; feed: FeedMeta; item: FeedItem }
  | { format: 'json'; value: unknown }
  | { format: 'email'; mail: MailInput }
  /** An XML document other than a feed (updateinfo.xml), parsed by fast-xml-parser. */
  | { format: 'xml'; root: string; value: Record<string, unknown> }
  | { format: 'text'; text: string };

export interface Source {
  readonly id: string;
  readonly description: string;
  detect(input: SourceInput): boolean;
  /** `detail` is the document fetched from detailUrl(), when there is one. */
  parse(input: SourceInput, detail?: unknown): Announcement;
  /** A document listing many releases (JSON, or a text index), split into items with stable ids; `from` is where it was fetched. */
  split?(value: unknown, from?: { url: string }): { id: string; value: unknown }[];
  /** A document the watcher must fetch before this item can be fully parsed. */
  detailUrl?(input: SourceInput): string | undefined;
}

const CVE = /\bCVE-\d{4}-\d{4,}\b/g;

export function findCves(...texts: (string | undefined)[]): string[] {
  const out = new Set<string>();
  for (const t of texts) for (const m of (t ?? '').matchAll(CVE)) out.add(m[0]);
  return [...out].sort(compareCve);
}

function compareCve(a: string, b: string): number {
  const [, ay = '', an = ''] = a.split('-');
  const [, by = '', bn = ''] = b.split('-');
  return Number(ay) - Number(by) || Number(an) - Number(bn);
}

export function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

export function emptyAnnouncement(format: Announcement['format'], source: string, title: string): Announcement {
  return { format, source, title, advisory: null, cves: [], urls: [], releases: [] };
}
