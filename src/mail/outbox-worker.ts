import type { Clock } from '../clock.js';
import { crashPoint } from '../crash-points.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { OutboxMessage } from '../store/outbox.js';
import type { Store } from '../store/index.js';
import type { MailTransport } from './transports.js';
import { deliverWebhook } from './webhook-sender.js';

/** A webhook endpoint answers in seconds or is down: the outbox tries again later. */
const WEBHOOK_TIMEOUT_MS = 15_000;

/** A 4xx other than 408 (timeout) and 429 (slow down) will be answered the same way however often it is asked. */
function refusedForGood(err: unknown): boolean {
  const status = (err as { context?: { status?: unknown } }).context?.status;
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 408 && status !== 429;
}

export interface RetryPolicy { baseMs: number; maxMs: number; maxAttempts: number }

/** Exponential backoff: base, 2·base, 4·base ... capped at max. */
export function backoffDelay(attempt: number, p: Pick<RetryPolicy, 'baseMs' | 'maxMs'>): number {
  return Math.min(p.maxMs, p.baseMs * 2 ** Math.max(0, attempt - 1));
}

/** The transport's trouble as one story: since when, how often, the last distinct error. */
export interface MailOutage { since: string; failures: number; error: string }

/**
 * Sends what is due, one message at a time, and records each outcome.
 *
 * The window for a duplicate is SMTP's own: between the end of DATA and the
 * server's reply. One message is in flight at a time, so a crash there can
 * resend at most that one (with the same Message-ID); its row is marked sent
 * synchronously in the tick the reply arrives. A failure to record "sent"
 * after the server accepted is not a failed send: it is never retried as one.
 */
export class OutboxWorker {
  private running: Promise<{ sent: number; failed: number }> | undefined;
  private stopRequested = false;
  private outage: MailOutage | undefined;
  /** Accepted by the server, not yet recorded: marked before anything else is sent, never sent again by this process. */
  private readonly unrecorded = new Map<number, string>();

  constructor(
    private readonly store: Store,
    private readonly transport: MailTransport,
    private readonly retry: RetryPolicy,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly onSent: (template: string) => void = () => {},
    /** Webhooks share the outbox's retries and record; only the sending differs. */
    private readonly webhook: (msg: OutboxMessage) => Promise<void> = (msg) => deliverWebhook(msg, WEBHOOK_TIMEOUT_MS),
  ) {}

  /** Concurrent callers share one pass, so no message is ever sent by two at once. */
  deliverDue(): Promise<{ sent: number; failed: number }> {
    if (this.stopRequested) return Promise.resolve({ sent: 0, failed: 0 });
    this.running ??= this.pass().finally(() => { this.running = undefined; });
    return this.running;
  }

  /** Mail has been failing since this time, or undefined when the last attempt went through. */
  get failing(): MailOutage | undefined {
    return this.outage;
  }

  /** SIGTERM: the message in flight finishes (or fails); nothing new starts. The rest stays queued. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<{ sent: number; failed: number }> {
    let sent = 0;
    let failed = 0;
    for (const [id, template] of this.unrecorded) {
      try {
        this.store.outbox.markSent(id, this.clock.now().toISOString());
      } catch {
        return { sent, failed }; // the store still takes no writes: send nothing
      }
      this.unrecorded.delete(id);
      this.onSent(template);
      this.log.info('mail recorded as sent after the store recovered', { outbox_id: id });
    }
    while (!this.stopRequested) {
      const due = this.store.outbox.due(this.clock.now().toISOString(), 20);
      if (due.length === 0) break;
      for (const msg of due) {
        if (this.stopRequested) break;
        const ok = await this.sendOne(msg);
        if (ok === 'sent') sent += 1;
        else if (ok === 'failed') failed += 1;
        else return { sent, failed }; // could not record: stop before sending anything else
      }
      // Everything just failed is scheduled later, so the loop ends; new mail queued meanwhile is picked up.
    }
    return { sent, failed };
  }

  private async sendOne(msg: OutboxMessage): Promise<'sent' | 'failed' | 'unrecorded'> {
    const log = this.log.child({ outbox_id: msg.id, message_id: msg.message_id, template: msg.template });
    crashPoint('before-send');
    try {
      await (msg.kind === 'webhook' ? this.webhook(msg) : this.transport.send(msg));
    } catch (err) {
      this.noteFailure(msg, errorMessage(err), log, msg.kind === 'webhook' && refusedForGood(err));
      return 'failed';
    }
    crashPoint('smtp-accepted');
    try {
      this.store.outbox.markSent(msg.id, this.clock.now().toISOString());
    } catch (err) {
      // Accepted by the server but not recorded: a retry would send it again.
      // This process remembers it and records it first thing on the next
      // pass; only a crash before that sends it again (same Message-ID).
      log.error('mail accepted by the server but not recorded as sent; delivery paused until the store takes writes', { error: errorMessage(err) });
      this.unrecorded.set(msg.id, msg.template);
      return 'unrecorded';
    }
    if (msg.kind === 'webhook') {
      log.info('webhook delivered', { to: msg.recipients, subject: msg.subject });
      return 'sent';
    }
    this.onSent(msg.template);
    if (this.outage) {
      this.log.info('mail delivery recovered', { transport: this.transport.kind, failures: this.outage.failures, since: this.outage.since, last_error: this.outage.error });
      this.outage = undefined;
    }
    log.info('mail sent', { to: msg.recipients, subject: msg.subject, transport: this.transport.kind });
    return 'sent';
  }

  private noteFailure(msg: OutboxMessage, error: string, log: Logger, permanent: boolean): void {
    const attempt = msg.attempts + 1;
    const giveUp = permanent || attempt >= this.retry.maxAttempts;
    const next = giveUp ? null : new Date(this.clock.now().getTime() + backoffDelay(attempt, this.retry)).toISOString();
    this.store.outbox.markFailedAttempt(msg.id, error, next);
    if (msg.kind === 'webhook') {
      // A chat endpoint down says nothing about mail: it is logged, not counted as a mail outage.
      if (giveUp) log.error('webhook failed permanently; use `outbox retry`', { attempt, error });
      else log.warn('webhook delivery failed; it is retried', { attempt, error, next_attempt_at: next });
      return;
    }
    const now = this.clock.now().toISOString();
    // One line per distinct error while the transport is down, not one per message per attempt.
    if (!this.outage || this.outage.error !== error) {
      this.log.warn('mail delivery failing; messages stay queued and are retried', { transport: this.transport.kind, error, ...(this.outage ? { failures_before: this.outage.failures } : {}) });
      this.outage = { since: this.outage?.since ?? now, failures: (this.outage?.failures ?? 0) + 1, error };
    } else {
      this.outage.failures += 1;
      log.debug('mail send failed again', { attempt, error, next_attempt_at: next });
    }
    if (giveUp) log.error('mail failed permanently; use `outbox retry`', { attempt, error });
  }
}
