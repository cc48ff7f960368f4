// The outbox draining a backlog (a long SMTP outage over): 1,000 queued
// messages to a local SMTP sink, one in flight at a time over a pooled
// connection, each recorded as sent; beside nodemailer alone, pooled, sending
// the same messages to the same sink with nothing recorded.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import { silentLogger } from '../src/log.js';
import { OutboxWorker } from '../src/mail/outbox-worker.js';
import { mailOptions, smtpTransport } from '../src/mail/transports.js';
import { Store } from '../src/store/index.js';
import { SmtpSink } from '../test/helpers/smtp-sink.js';
import { tempDir } from '../test/helpers/util.js';

export async function outboxDrain(n = 1000): Promise<Record<string, unknown>> {
  const sink = new SmtpSink();
  await sink.start();
  const t = tempDir();
  const store = Store.open(join(t.dir, 'db.sqlite'));
  const smtp = { host: '127.0.0.1', port: sink.port, secure: false, starttls: 'never' as const, pool: true, timeoutMs: 10_000 };
  const transport = smtpTransport(smtp, 'herald@bench.example');
  try {
    const at = new Date().toISOString();
    store.tx(() => {
      for (let i = 0; i < n; i++) {
        store.outbox.enqueue({ message_id: `<b${i}@bench.example>`, rule_run_id: null, event_id: null, release_id: null, template: 'kernel-notice', thread_key: null,
          recipients: ['users@example.org'], cc: [], subject: `New kernel 5.14.0-${i}.el9 for rocky 9`, body: 'A new kernel is out.\n'.repeat(20), in_reply_to: null, refs: null }, at);
      }
    });
    const messages = store.outbox.list({ limit: n });
    const worker = new OutboxWorker(store, transport, { baseMs: 1000, maxMs: 1000, maxAttempts: 3 }, { now: () => new Date() }, silentLogger());
    const t0 = performance.now();
    while (store.outbox.counts().pending > 0) await worker.deliverDue();
    const ours = (performance.now() - t0) / 1000;
    const peer = nodemailer.createTransport({ ...smtp, ignoreTLS: true });
    const t1 = performance.now();
    await Promise.all(messages.map((m) => peer.sendMail(mailOptions(m, 'herald@bench.example'))));
    const theirs = (performance.now() - t1) / 1000;
    peer.close();
    return { messages: n, received: sink.received.length, 'kernel-herald_mails_per_s': Math.round(n / ours), 'nodemailer_pooled_mails_per_s': Math.round(n / theirs) };
  } finally {
    transport.close();
    store.close();
    t.cleanup();
    await sink.stop();
  }
}
