import type { Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';
import type { MailTransport } from './transports.js';

export interface RetryPolicy { baseMs: number; maxMs: number; maxAttempts: number }

/** Exponential backoff: base, 2·base, 4·base ... capped at max. */
export function backoffDelay(attempt: number, p: Pick<RetryPolicy, 'baseMs' | 'maxMs'>): number {
  return Math.min(p.maxMs, p.baseMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * Sends what is due, one message at a time, and records each outcome. A
 * message is marked sent only after the server accepted it; a crash in between
 * sends it again after restart with the same Message-ID (at-least-once, and
 * recognisable), never loses it.
 */
export class OutboxWorker {
  private running: Promise<{ sent: number; failed: number }> | undefined;

  constructor(
    private readonly store: Store,
    private readonly transport: MailTransport,
    private readonly retry: RetryPolicy,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly onSent: (template: string) => void = () => {},
  ) {}

  /** Concurrent callers share one pass, so no message is ever sent by two at once. */
  deliverDue(): Promise<{ sent: number; failed: number }> {
    this.running ??= this.pass().finally(() => { this.running = undefined; });
    return this.running;
  }

  private async pass(): Promise<{ sent: number; failed: number }> {
    let sent = 0;
    let failed = 0;
    for (;;) {
      const due = this.store.outbox.due(this.clock.now().toISOString(), 20);
      if (due.length === 0) break;
      for (const msg of due) {
        const log = this.log.child({ outbox_id: msg.id, message_id: msg.message_id, template: msg.template });
        try {
          await this.transport.send(msg);
          this.store.outbox.markSent(msg.id, this.clock.now().toISOString());
          this.onSent(msg.template);
          log.info('mail sent', { to: msg.recipients, subject: msg.subject, transport: this.transport.kind });
          sent += 1;
        } catch (err) {
          const attempt = msg.attempts + 1;
          const giveUp = attempt >= this.retry.maxAttempts;
          const next = giveUp ? null : new Date(this.clock.now().getTime() + backoffDelay(attempt, this.retry)).toISOString();
          this.store.outbox.markFailedAttempt(msg.id, errorMessage(err), next);
          log[giveUp ? 'error' : 'warn'](giveUp ? 'mail failed permanently; use `outbox retry`' : 'mail send failed; will retry', { attempt, error: errorMessage(err), next_attempt_at: next });
          failed += 1;
        }
      }
      // Everything just failed is scheduled later, so the loop ends; new mail queued meanwhile is picked up.
    }
    return { sent, failed };
  }
}
