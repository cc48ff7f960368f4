import type Parser from 'rss-parser';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { HeraldError } from '../errors.js';
import { parsePlainMail } from './plain-mail.js';
import type { FeedItem, FeedMeta, MailInput, SourceInput } from './source.js';

// The parsing boundary for whole documents: bytes -> text -> feed, JSON, mail
// or plain text -> SourceInputs. Everything hostile is rejected here.

export type DocumentFormat = 'rss' | 'atom' | 'json' | 'xml' | 'email' | 'text';

const XML_DECL_ENCODING = /^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']/;

/**
 * Decode a body: the charset of the Content-Type, else the XML declaration's,
 * else UTF-8, which must then be valid. A feed is not guessed at byte by byte.
 */
export function decodeBody(body: Buffer, contentType?: string): string {
  const head = body.subarray(0, 200).toString('latin1');
  const declared = /charset=["']?([^;"'\s]+)/i.exec(contentType ?? '')?.[1] ?? XML_DECL_ENCODING.exec(head)?.[1] ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(declared.toLowerCase(), { fatal: true });
  } catch {
    throw new HeraldError('EINPUT', `unsupported character encoding "${declared}"`);
  }
  try {
    return decoder.decode(body);
  } catch {
    throw new HeraldError('EINPUT', `body is not valid ${declared} (declared or assumed encoding)`);
  }
}

export function sniffFormat(text: string): DocumentFormat {
  const head = text.slice(0, 4096).replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('{') || head.startsWith('[')) return 'json';
  if (head.startsWith('<')) {
    const root = xmlRoot(head);
    if (root === 'feed') return 'atom';
    if (root === 'rss' || root === 'rdf:RDF' || root === undefined) return 'rss';
    return 'xml';
  }
  // An mbox "From " line or a block of RFC 5322 header lines.
  if (/^From \S+/.test(head) || /^([A-Za-z][A-Za-z0-9-]*:[^\n]*\n)+/.test(head) && /^(Subject|From|Date|Message-ID|Received|Return-Path):/im.test(head.split(/\n\s*\n/)[0] ?? '')) return 'email';
  return 'text';
}

/** The name of the first element, past the declaration, comments and doctype. */
export function xmlRoot(head: string): string | undefined {
  const body = head.replace(/<\?[\s\S]*?\?>/g, '').replace(/<!--[\s\S]*?-->/g, '').replace(/<!DOCTYPE[^>]*>/gi, '');
  return /<([A-Za-z_][\w:.-]*)[\s>/]/.exec(body)?.[1];
}

/** Guards shared by every XML parse: no entity declarations, well-formed, with line and column. */
export function assertSafeXml(text: string): void {
  // Entity declarations are how billion-laughs and external-entity attacks
  // start; no real feed or repository metadata needs one.
  if (/<!ENTITY/i.test(text)) throw new HeraldError('EINPUT', 'XML declares entities (<!ENTITY>): refused');
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new HeraldError('EINPUT', `malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  }
}

const xmlParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', processEntities: true, parseTagValue: false, parseAttributeValue: false });

/** A non-feed XML document as plain objects (attributes as "@_name"). */
export function parseXml(text: string): { root: string; value: Record<string, unknown> } {
  assertSafeXml(text);
  const root = xmlRoot(text.slice(0, 4096)) ?? '';
  const value = xmlParser.parse(text) as Record<string, unknown>;
  return { root, value };
}

export interface ParsedFeed {
  format: 'rss' | 'atom';
  feed: FeedMeta;
  items: FeedItem[];
}

// rss-parser and mailparser load on first use: a command that checks a
// config or compares versions never parses a feed or a mail.
let rssParser: Parser | undefined;

export async function parseFeed(text: string): Promise<ParsedFeed> {
  assertSafeXml(text);
  rssParser ??= new (await import('rss-parser')).default();
  let out: Awaited<ReturnType<Parser['parseString']>>;
  try {
    out = await rssParser.parseString(text);
  } catch (err) {
    throw new HeraldError('EINPUT', `not an RSS or Atom feed: ${(err as Error).message.split('\n')[0]}`);
  }
  const format = /<feed[\s>]/.test(text.slice(0, 4096)) ? 'atom' : 'rss';
  const raw = out as unknown as Record<string, unknown>;
  const feed: FeedMeta = {
    title: str(raw.title),
    link: str(raw.link),
    id: str(raw.id) || str(raw.feedUrl) || str(raw.link),
  };
  const items: FeedItem[] = (out.items ?? []).map((it) => {
    const r = it as unknown as Record<string, unknown>;
    const guid = typeof r.guid === 'object' && r.guid !== null ? str((r.guid as Record<string, unknown>)._) : str(r.guid);
    const item: FeedItem = {
      id: guid || str(r.id) || str(r.link) || str(r.title),
      title: str(r.title).trim(),
      link: str(r.link).trim(),
      content: str(r.content) || str(r.summary) || str(r.contentSnippet),
    };
    const published = str(r.isoDate);
    if (published) item.published = published;
    return item;
  }).filter((it) => it.id !== '');
  return { format, feed, items };
}

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return '';
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HeraldError('EINPUT', `malformed JSON: ${(err as Error).message}`);
  }
}

// Loaded on first use (a poll of feeds never parses mail); kept, since each
// dynamic import() of a loaded module still costs a resolve and a few ticks.
let mailparser: Promise<typeof import('mailparser')> | undefined;

/** A mail as the sources read it: one plain-text part the quick way, anything else through mailparser. */
export async function parseMail(source: string | Buffer): Promise<MailInput> {
  return parsePlainMail(source) ?? parseFullMail(source);
}

/** Any mail, through mailparser's full MIME reading (multipart, HTML, charsets, encoded words). */
export async function parseFullMail(source: string | Buffer): Promise<MailInput> {
  const { simpleParser } = await (mailparser ??= import('mailparser'));
  const m = await simpleParser(source, { skipHtmlToText: false, skipTextToHtml: true, skipImageLinks: true });
  // The raw header values: mailparser folds some (List-*) into structures.
  // No prototype: a header named constructor or __proto__ is a header like any other.
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  const headerValues: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const h of m.headerLines) {
    const value = h.line.slice(h.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
    headers[h.key] = headers[h.key] === undefined ? value : `${headers[h.key]}, ${value}`;
    (headerValues[h.key] ??= []).push(value);
  }
  const fromAddresses = (m.from?.value ?? []).flatMap((a) => (a.address ? [a.address] : (a.group ?? []).map((g) => g.address ?? '')))
    .filter((a) => a !== '').map((a) => a.toLowerCase());
  const mail: MailInput = {
    subject: m.subject ?? '',
    from: m.from?.text ?? '',
    text: m.text ?? '',
    headers,
    fromAddresses,
    headerValues,
  };
  if (m.date) mail.date = m.date.toISOString();
  if (m.messageId) mail.messageId = m.messageId;
  return mail;
}

/** A whole document as the inputs its parsers see: one per feed item, else one. */
export async function documentInputs(text: string): Promise<{ format: DocumentFormat; title: string; inputs: SourceInput[] }> {
  const format = sniffFormat(text);
  switch (format) {
    case 'rss':
    case 'atom': {
      const f = await parseFeed(text);
      return { format: f.format, title: f.feed.title, inputs: f.items.map((item) => ({ format: f.format, feed: f.feed, item })) };
    }
    case 'json':
      return { format, title: '', inputs: [{ format: 'json', value: parseJson(text) }] };
    case 'xml': {
      const x = parseXml(text);
      return { format, title: '', inputs: [{ format: 'xml', root: x.root, value: x.value }] };
    }
    case 'email': {
      const mail = await parseMail(text);
      return { format, title: mail.subject, inputs: [{ format: 'email', mail }] };
    }
    case 'text':
      return { format, title: '', inputs: [{ format: 'text', text }] };
  }
}
