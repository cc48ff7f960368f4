import { createHash } from 'node:crypto';
import type { Announcement } from '../../domain.js';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import { parseMail } from '../../sources/document.js';
import { detectSource } from '../../sources/registry.js';
import type { MailInput, Source } from '../../sources/source.js';
import type { ImapWatcherConfig } from './schema.js';
import type { ReplySink } from '../../rotation/replies.js';

export interface ReadMail { externalId: string; mail: MailInput; source: Source | undefined; announcement: Announcement | undefined }

function header(mail: MailInput, name: string): string {
  return mail.headers[name.toLowerCase()] ?? '';
}

export function passesFilters(mail: MailInput, f: ImapWatcherConfig['filters']): boolean {
  if (!f) return true;
  if (f.list_id && !header(mail, 'list-id').toLowerCase().includes(f.list_id.toLowerCase())) return false;
  if (f.from && !mail.from.toLowerCase().includes(f.from.toLowerCase())) return false;
  if (f.subject && !new RegExp(f.subject, 'i').test(mail.subject)) return false;
  return true;
}

/**
 * One message, raw bytes to announcement. Undefined when it is not for us
 * (a reply to an assignment request, handed to `replies`; filtered out; or no
 * source recognises it); throws only on a message that
 * cannot be read as mail at all.
 */
export async function readMail(raw: Buffer, cfg: Pick<ImapWatcherConfig, 'filters'>, pinned: Source | undefined, log: Logger, replies?: ReplySink): Promise<ReadMail | undefined> {
  const mail = await parseMail(raw);
  // Before the filters: a reply comes from a person, not from the announcement list.
  if (replies?.handle(mail, raw)) return undefined;
  if (!passesFilters(mail, cfg.filters)) return undefined;
  const input = { format: 'email' as const, mail };
  const source = pinned ?? detectSource(input);
  if (!source) return undefined;
  let announcement: Announcement | undefined;
  try {
    announcement = source.parse(input);
  } catch (err) {
    log.error('mail could not be parsed; recorded and skipped', { message_id: mail.messageId, source: source.id, error: errorMessage(err) });
  }
  // The Message-ID identifies a mail across UIDVALIDITY changes and mailboxes.
  const externalId = mail.messageId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  return { externalId, mail, source, announcement };
}
