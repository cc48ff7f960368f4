// The outbox draining a backlog (a long SMTP outage over): 1,000 queued
// messages to an SMTP server in its own process, as an MTA is, one in flight
// at a time over a pooled connection, each recorded as sent; beside
// nodemailer alone on the same server sending the same messages with nothing
// recorded, one at a time and five in flight. Rounds are interleaved after a
// warm-up round each (the JIT is still warming after a thousand messages),
// and each figure is the median of its rounds.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import { silentLogger } from '../src/log.js';
import { OutboxWorker } from '../src/mail/outbox-worker.js';
import { mailOptions, smtpTransport } from '../src/mail/transports.js';
import type { OutboxMessage } from '../src/store/outbox.js';
import { Store } from '../src/store/index.js';
import { tempDir } from '../test/helpers/util.js';
import { median } from './process.js';

function ask<T>(child: ChildProcess, message?: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    if (message) child.send(message);
  });
}

function enqueue(store: Store, n: number, first: number): OutboxMessage[] {
  const at = new Date().toISOString();
  store.tx(() => {
    for (let i = first; i < first + n; i++) {
      store.outbox.enqueue({ message_id: `<b${i}@bench.example>`, rule_run_id: null, event_id: null, release_id: null, template: 'kernel-notice', thread_key: null,
        recipients: ['users@example.org'], cc: [], subject: `New kernel 5.14.0-${i}.el9 for rocky 9`, body: 'A new kernel is out.\n'.repeat(20), in_reply_to: null, refs: null }, at);
    }
  });
  return store.outbox.due(at, n);
}

async function rate(n: number, work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return n / ((performance.now() - t0) / 1000);
}

export async function outboxDrain(n = 1000, rounds = 3): Promise<Record<string, unknown>> {
  const mta = fork(join(import.meta.dirname, 'mta.ts'), [], { execArgv: ['--import', 'tsx'], stdio: 'ignore' });
  const t = tempDir();
  const store = Store.open(join(t.dir, 'db.sqlite'));
  const closers: Array<() => void> = [];
  try {
    const { port } = await ask<{ port: number }>(mta);
    const transport = smtpTransport({ host: '127.0.0.1', port, secure: false, starttls: 'never', pool: true, timeoutMs: 10_000 }, 'herald@bench.example');
    closers.push(() => transport.close());
    const worker = new OutboxWorker(store, transport, { baseMs: 1000, maxMs: 1000, maxAttempts: 3 }, { now: () => new Date() }, silentLogger());
    const peers = [1, 5].map((inFlight) => {
      const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: inFlight });
      closers.push(() => t.close());
      const send = (m: OutboxMessage) => t.sendMail(mailOptions(m, 'herald@bench.example'));
      return async (messages: OutboxMessage[]) => {
        if (inFlight === 1) for (const m of messages) await send(m);
        else await Promise.all(messages.map(send));
      };
    });
    const got: number[][] = [[], [], []];
    let next = 0;
    for (let r = 0; r <= rounds; r++) {
      const messages = enqueue(store, n, next);
      next += n;
      // Nodemailer alone sends copies of the queued messages; the outbox then sends the messages themselves.
      const figures = [
        await rate(n, () => peers[0]!(messages)),
        await rate(n, () => peers[1]!(messages)),
        await rate(n, async () => { while (store.outbox.counts().pending > 0) await worker.deliverDue(); }),
      ];
      if (r > 0) figures.forEach((f, i) => got[i]!.push(f)); // round 0 warms up
    }
    const { count } = await ask<{ count: number }>(mta, 'count');
    return {
      messages: n, rounds, accepted_by_server: count,
      'kernel-herald_mails_per_s': Math.round(median(got[2]!)),
      nodemailer_1_in_flight_mails_per_s: Math.round(median(got[0]!)),
      nodemailer_5_in_flight_mails_per_s: Math.round(median(got[1]!)),
    };
  } finally {
    for (const close of closers) close();
    store.close();
    t.cleanup();
    mta.send('stop');
  }
}
