import type { Command } from 'commander';
import { SUMMARY } from './commands.js';
import { HeraldError } from '../errors.js';
import type { OutboxStatus } from '../store/outbox.js';
import { openStore } from './common.js';
import { printJson, table } from './format.js';

export function register(program: Command): void {
  const outbox = program.command('outbox').description(SUMMARY.outbox);
  outbox.command('list', { isDefault: true })
    .description('list queued, sent and failed messages (newest first)')
    .option('--config <file>', 'config file')
    .option('--status <status>', 'only pending, sent or failed')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action((opts: { config?: string; status?: string; limit: string; json?: boolean }) => {
      if (opts.status && !['pending', 'sent', 'failed'].includes(opts.status)) throw new HeraldError('EUSAGE', `--status must be pending, sent or failed, not "${opts.status}"`);
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new HeraldError('EUSAGE', `--limit must be a positive whole number, not "${opts.limit}"`);
      const { store } = openStore(opts.config);
      try {
        const rows = store.outbox.list({ ...(opts.status ? { status: opts.status as OutboxStatus } : {}), limit });
        if (opts.json) { printJson(rows.map(({ body: _body, ...r }) => r)); return; }
        process.stdout.write(`${table(['ID', 'STATUS', 'TRIES', 'TEMPLATE', 'TO', 'SUBJECT', 'NEXT/SENT', 'ERROR'], rows.map((m) => [
          m.id, m.status, m.attempts, m.template, m.recipients.join(', '), m.subject, m.status === 'sent' ? m.sent_at : m.next_attempt_at, m.last_error,
        ]))}\n`);
      } finally {
        store.close();
      }
    });
  outbox.command('retry')
    .description('queue a failed (or pending) message again, now')
    .argument('<id>', 'outbox id')
    .option('--config <file>', 'config file')
    .action((id: string, opts: { config?: string }) => {
      if (!/^\d+$/.test(id)) throw new HeraldError('EUSAGE', `outbox id must be a number, not "${id}"`);
      const { store } = openStore(opts.config);
      try {
        const msg = store.outbox.get(Number(id));
        if (!msg) throw new HeraldError('EUSAGE', `no outbox message ${id}`);
        if (msg.status === 'sent') throw new HeraldError('EUSAGE', `outbox message ${id} was already sent at ${msg.sent_at}; not sending it twice`);
        store.outbox.retry(msg.id, new Date().toISOString());
        process.stdout.write(`outbox message ${id} queued again; the daemon (or the next poll) sends it\n`);
      } finally {
        store.close();
      }
    });
}
