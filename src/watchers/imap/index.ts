import type { ImapFlow, MailboxObject } from 'imapflow';
import { crashPoint } from '../../crash-points.js';
import type { Announcement } from '../../domain.js';
import { HeraldError, errorMessage } from '../../errors.js';
import { ingest } from '../../ingest/ingest.js';
import type { Logger } from '../../log.js';
import { readSecret } from '../../secrets.js';
import { sourceById } from '../../sources/registry.js';
import type { Source } from '../../sources/source.js';
import { defaultRetryMax } from '../backoff.js';
import { noteFailure, noteRecovery } from '../failure.js';
import type { PollOutcome, Watcher, WatcherDeps } from '../types.js';
import { readMail } from './message.js';
import { imapSchema, type ImapWatcherConfig } from './schema.js';

interface Cursor { uidvalidity: string; last_uid: number }

/**
 * A mailbox subscribed to the announcement lists. The cursor (UIDVALIDITY and
 * the highest UID done) moves in the same transaction as each message's
 * records, so a crash re-reads at most the message it was on, and the
 * (watcher, Message-ID) key drops that duplicate. A new UIDVALIDITY re-reads
 * the mailbox under the same key.
 */
export class ImapWatcher implements Watcher {
  readonly id: string;
  readonly schedule: { everyMs: number };
  private readonly pinned: Source | undefined;
  private readonly log: Logger;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private client: ImapFlow | undefined;
  private wake: ((why: 'news' | 'tick' | 'stop') => void) | undefined;
  /** The last visit left messages for the next (max_items). */
  private more = false;

  constructor(private readonly cfg: ImapWatcherConfig, private readonly deps: WatcherDeps) {
    this.id = cfg.id;
    this.schedule = { everyMs: cfg.every };
    this.pinned = cfg.source ? sourceById(cfg.source) : undefined;
    this.log = deps.log.child({ watcher: cfg.id });
  }

  private async connect(): Promise<ImapFlow> {
    const c = this.cfg;
    // imapflow loads with the first connection: a config without IMAP never loads it.
    const { ImapFlow } = await import('imapflow');
    const client = new ImapFlow({
      host: c.host, port: c.port ?? (c.security === 'tls' ? 993 : 143),
      secure: c.security === 'tls',
      doSTARTTLS: c.security === 'starttls' ? true : c.security === 'plain' ? false : undefined,
      auth: { user: c.user, pass: readSecret(c.password_file, `watchers.${c.id}.password_file`) },
      ...(c.ca_file ? { tls: { ca: readSecret(c.ca_file, `watchers.${c.id}.ca_file`) } } : {}),
      logger: false, disableAutoIdle: true,
      connectionTimeout: c.timeout, greetingTimeout: c.timeout,
      // The socket must outlive an IDLE; IDLE itself is restarted every `every`.
      socketTimeout: Math.max(c.every * 2, 5 * 60_000), maxIdleTime: c.every,
    });
    // imapflow reports transport errors as events; unhandled, they would end the process.
    client.on('error', (err: Error) => this.log.debug('imap connection error', { error: err.message }));
    await client.connect();
    await client.mailboxOpen(c.mailbox);
    return client;
  }

  /** One visit: connect, read what is new, log out. */
  async poll(): Promise<PollOutcome> {
    let client: ImapFlow | undefined;
    try {
      client = await this.connect();
      return await this.catchUp(client);
    } catch (err) {
      return this.failed(err);
    } finally {
      await client?.logout().catch(() => client?.close());
    }
  }

  private failed(err: unknown): PollOutcome {
    const message = errorMessage(err);
    noteFailure(this.deps.store, this.log, this.id, this.deps.store.watchers.get(this.id), message, this.deps.clock.now(), this.cfg.every, this.cfg.retry_max ?? defaultRetryMax(this.cfg.every));
    return { watcher: this.id, ok: false, notModified: false, baseline: false, items: 0, recorded: 0, events: 0, error: message };
  }

  private async catchUp(client: ImapFlow): Promise<PollOutcome> {
    const { store, clock } = this.deps;
    const state = store.watchers.get(this.id);
    const mailbox = client.mailbox as MailboxObject;
    const validity = String(mailbox.uidValidity);
    const cursor = state.cursor ? (JSON.parse(state.cursor) as Cursor) : undefined;
    const baseline = !state.baseline_done && !this.cfg.backfill;
    let from = 1;
    if (cursor && cursor.uidvalidity === validity) from = cursor.last_uid + 1;
    else if (cursor) this.log.warn('UIDVALIDITY changed: re-reading the mailbox; mail already recorded is recognised by Message-ID', { was: cursor.uidvalidity, now: validity });
    const outcome: PollOutcome = { watcher: this.id, ok: true, notModified: false, baseline, items: 0, recorded: 0, events: 0 };
    let last = cursor && cursor.uidvalidity === validity ? cursor.last_uid : 0;
    if (mailbox.exists > 0) {
      // "n:*" always includes the newest message, even below n: filter.
      let todo = (await client.fetchAll(`${from}:*`, { uid: true, size: true }, { uid: true }))
        .filter((m) => m.uid >= from).sort((a, b) => a.uid - b.uid);
      if (baseline && todo.length > this.cfg.baseline_limit) todo = todo.slice(todo.length - this.cfg.baseline_limit);
      else if (todo.length > this.cfg.max_items) {
        this.log.warn('more new messages than max_items: the rest follow at once', { new_messages: todo.length, max_items: this.cfg.max_items });
        todo = todo.slice(0, this.cfg.max_items);
        this.more = true;
      }
      outcome.items = todo.length;
      for (const m of todo) {
        if (this.stopped) break;
        const r = await this.readOne(client, m.uid, m.size ?? 0, baseline);
        last = m.uid;
        store.tx(() => {
          if (r) {
            const res = ingest(store, {
              watcher: this.id, externalId: r.externalId, format: 'email', raw: r.raw,
              announcement: r.announcement, baseline,
            }, clock.now().toISOString());
            if (!res.duplicate) outcome.recorded += 1;
            outcome.events += res.events.length;
            if (res.events.length > 0) this.log.info('new releases', { uid: m.uid, message_id: r.externalId, events: res.events, source: r.announcement?.source });
          }
          crashPoint('imap-before-cursor');
          store.watchers.setCursor(this.id, { uidvalidity: validity, last_uid: m.uid } satisfies Cursor, false);
        });
      }
    }
    store.tx(() => {
      store.watchers.setCursor(this.id, { uidvalidity: validity, last_uid: last } satisfies Cursor, true);
      store.watchers.recordSuccess(this.id, clock.now().toISOString(), {});
    });
    noteRecovery(state.failures, this.log);
    this.log[baseline || outcome.items > 0 ? 'info' : 'debug'](baseline ? 'baseline recorded' : 'mailbox read', { messages: outcome.items, recorded: outcome.recorded, events: outcome.events, uidvalidity: validity, last_uid: last });
    return outcome;
  }

  /** The message as announcement material, or undefined when it is skipped (too big, unreadable, not for us). */
  private async readOne(client: ImapFlow, uid: number, size: number, baseline: boolean): Promise<{ externalId: string; raw: string; announcement: Announcement | undefined } | undefined> {
    if (size > this.cfg.max_bytes) {
      this.log.warn('message larger than max_bytes: skipped', { uid, size, max_bytes: this.cfg.max_bytes });
      return undefined;
    }
    const msg = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
    if (!msg || !msg.source) return undefined;
    try {
      const r = await readMail(msg.source, this.cfg, this.pinned, this.log, this.deps.replies);
      if (!r) return undefined;
      if (!baseline) this.log.debug('mail read', { uid, message_id: r.externalId, source: r.source?.id });
      return { externalId: r.externalId, raw: msg.source.toString('utf8'), announcement: r.announcement };
    } catch (err) {
      // Not this message's fault: stop before it; the cursor stays and it is read again.
      if (err instanceof HeraldError && err.code === 'ETRANSIENT') throw err;
      this.log.warn('message could not be read as mail: skipped', { uid, error: errorMessage(err) });
      return undefined;
    }
  }

  readonly push = {
    start: (onOutcome: (o: PollOutcome) => Promise<void>): void => {
      this.stopped = false;
      this.loop = this.run(onOutcome);
    },
    stop: async (): Promise<void> => {
      this.stopped = true;
      this.wake?.('stop');
      await this.client?.logout().catch(() => this.client?.close());
      await this.loop;
    },
  };

  /**
   * Waits for news, `ms`, or stop, whichever comes first. The timer is
   * always cleared on the way out: a leftover timer would hold the process
   * open for up to `every` after SIGTERM.
   */
  private waitFor(ms: number, news: () => boolean): Promise<'news' | 'tick' | 'stop'> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (why: 'news' | 'tick' | 'stop') => {
        if (timer) clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve(why);
      };
      if (this.stopped) return done('stop');
      if (news()) return done('news');
      this.wake = done;
      timer = setTimeout(() => done('tick'), ms);
    });
  }

  /**
   * Connected: catch up, IDLE until told of news or `every` passes, end the
   * IDLE, catch up again. Every round ends its IDLE explicitly before reading:
   * on a quiet mailbox a re-check sends no FETCH, and an IDLE nobody ends
   * leaves the loop waiting on it forever. Disconnected: back off, reconnect.
   */
  private async run(onOutcome: (o: PollOutcome) => Promise<void>): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let client: ImapFlow | undefined;
      try {
        client = await this.connect();
        this.client = client;
        let closed = false;
        let news = false;
        client.once('close', () => { closed = true; if (this.client === client) this.wake?.('stop'); });
        client.on('exists', () => { news = true; this.wake?.('news'); });
        await onOutcome(await this.catchUp(client));
        failures = 0;
        while (!this.stopped && !closed && client.usable) {
          const idling = client.idle().catch(() => undefined);
          await this.waitFor(this.cfg.every, () => news || closed || this.more);
          this.more = false;
          if (this.stopped || closed || !client.usable) break;
          news = false;
          // Any command ends IDLE first (imapflow sends DONE before it).
          await client.noop();
          await idling;
          await onOutcome(await this.catchUp(client));
        }
        if (!this.stopped) throw new Error('IMAP connection closed');
      } catch (err) {
        if (this.stopped) break;
        failures += 1;
        await onOutcome(this.failed(err)).catch(() => undefined);
      } finally {
        this.client = undefined;
        if (client?.usable) await client.logout().catch(() => client?.close());
        else client?.close();
      }
      if (!this.stopped) await this.waitFor(Math.min(this.cfg.reconnect.max, this.cfg.reconnect.min * 2 ** Math.min(failures - 1, 20)), () => false);
    }
  }
}

export const imapWatcherType = {
  type: 'imap' as const,
  schema: imapSchema,
  create: (cfg: ImapWatcherConfig, deps: WatcherDeps) => new ImapWatcher(cfg, deps),
};
