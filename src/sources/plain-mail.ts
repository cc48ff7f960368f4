import { decode as decodeQuotedPrintable } from 'libqp';
import type { MailInput } from './source.js';

// Errata and security notices are nearly always one text/plain part in
// US-ASCII or UTF-8: no attachments, no HTML, no encoded words. mailparser
// reads such a mail through a stream pipeline that costs ~150 µs before the
// JIT has warmed, and loading it (iconv tables, HTML entities, the list of
// top-level domains) costs 45 ms; a replay spent most of its time there. This
// reads exactly that shape and gives what mailparser gives for it, field for
// field (test/unit/plain-mail.test.ts holds the two side by side); anything
// else, or anything in doubt, returns undefined and goes to mailparser.

/** RFC 5322 field names: printable ASCII without the colon. */
const FIELD_NAME = /^[!-9;-~]+$/;
/** 8-bit (mailparser reads it as Latin-1 first), or a CR that is not part of the line end. */
const ODD_HEADER_CHAR = /[^\x00-\x7f]|\r/;
/** Half a surrogate pair: mailparser, reading the string as UTF-8 bytes, sees U+FFFD there. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Fields read here: more than one of any, and mailparser's choice among them decides. */
const SINGLE = ['from', 'subject', 'date', 'message-id', 'content-type', 'content-transfer-encoding'];
/** text/plain with at most a charset mailparser reads without conversion (its ascii, usascii, utf8). */
const PLAIN_TEXT = /^text\/plain(?:\s*;\s*charset\s*=\s*(?:"(?:us-ascii|ascii|utf-8|utf8)"|(?:us-ascii|ascii|utf-8|utf8)))?\s*;?$/i;
const ENCODINGS = new Set(['7bit', '8bit', 'binary', 'quoted-printable']);
/** A header block this long is not a notice; mailparser applies its own limits. */
const MAX_HEADER_CHARS = 64 * 1024;

/**
 * The From shapes notices use, `Name <address>` and a bare address, each
 * plain enough that mailparser's reading is certain: its text quotes the
 * name. Quotes, comments, groups, several addresses, a name holding an @,
 * an internationalized domain (mailparser decodes punycode): mailparser.
 */
const ADDRESS = '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*';
const FROM_BARE = new RegExp(`^(${ADDRESS})$`);
const FROM_NAMED = new RegExp(`^([A-Za-z0-9_-]+(?: [A-Za-z0-9_-]+)*) <(${ADDRESS})>$`);

/** The mail when it is one plain-text part this can read as mailparser would; else undefined. */
export function parsePlainMail(source: string | Buffer): MailInput | undefined {
  const text = typeof source === 'string' ? source : utf8(source);
  if (text === undefined || LONE_SURROGATE.test(text)) return undefined;
  const split = splitHeader(text);
  if (!split) return undefined;
  const { lines, body } = split;

  // No prototype: a header named constructor or __proto__ is a header like any other.
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  const headerValues: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    if (colon <= 0 || !FIELD_NAME.test(name)) return undefined;
    const key = name.toLowerCase();
    const value = line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
    if (headerValues[key] && SINGLE.includes(key)) return undefined;
    // Content-Disposition (an attachment has no text) and the rest of MIME's fields: mailparser.
    if (key.startsWith('content-') && key !== 'content-type' && key !== 'content-transfer-encoding') return undefined;
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
    (headerValues[key] ??= []).push(value);
  }

  const type = headers['content-type'];
  if (type !== undefined && !PLAIN_TEXT.test(type)) return undefined;
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  if (!ENCODINGS.has(encoding)) return undefined;
  for (const key of ['subject', 'from', 'message-id', 'date']) {
    if (headers[key]?.includes('=?')) return undefined; // encoded words: mailparser decodes them
  }

  const mail: MailInput = { subject: headers.subject ?? '', from: '', text: '', headers, fromAddresses: [], headerValues };
  if (headers.from) {
    if (/xn--/i.test(headers.from)) return undefined;
    const named = FROM_NAMED.exec(headers.from);
    const address = named?.[2] ?? FROM_BARE.exec(headers.from)?.[1];
    if (address === undefined) return undefined;
    mail.from = named ? `"${named[1]}" <${address}>` : address;
    mail.fromAddresses = [address.toLowerCase()];
  }
  if (headers.date) {
    const date = new Date(headers.date);
    if (Number.isNaN(date.getTime())) return undefined; // mailparser puts the time of parsing there
    mail.date = date.toISOString();
  }
  if (headers['message-id']) mail.messageId = bracketed(headers['message-id']);
  const decoded = encoding === 'quoted-printable' ? decodeQuotedPrintable(Buffer.from(body)).toString('utf8') : body;
  mail.text = decoded.replace(/\r?\n/g, '\n');
  return mail;
}

function utf8(buf: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
  } catch {
    return undefined;
  }
}

/** Header lines (continuations joined to theirs) and the body after the first empty line. */
function splitHeader(text: string): { lines: string[]; body: string } | undefined {
  const lines: string[] = [];
  let at = 0;
  for (;;) {
    const nl = text.indexOf('\n', at);
    const end = nl === -1 ? text.length : nl;
    const line = text.slice(at, end).replace(/\r$/, '');
    if (line === '') return lines.length > 0 ? { lines, body: nl === -1 ? '' : text.slice(nl + 1) } : undefined;
    if (end > MAX_HEADER_CHARS || ODD_HEADER_CHAR.test(line)) return undefined;
    if (line[0] === ' ' || line[0] === '\t') {
      if (lines.length === 0) return undefined;
      lines[lines.length - 1] += `\n${line}`;
    } else {
      lines.push(line);
    }
    if (nl === -1) return { lines, body: '' };
    at = nl + 1;
  }
}

/** mailparser's reading of a Message-ID: angle brackets added where missing. */
function bracketed(value: string): string {
  return `${value.startsWith('<') ? '' : '<'}${value}${value.endsWith('>') ? '' : '>'}`;
}
