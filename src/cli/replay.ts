import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { SUMMARY } from './commands.js';
import { loadConfig } from '../config/load.js';
import { Daemon, databasePath } from '../daemon.js';
import { replayIngest, replayItems } from '../ingest/replay.js';
import type { MailTransport } from '../mail/transports.js';
import { Store } from '../store/index.js';
import { cliLogger, lockOrExplain } from './common.js';
import { printJson } from './format.js';

/** Sends nothing; what would have been sent is in the outbox of the throwaway copy. */
const nullTransport: MailTransport = { kind: 'file', send: async () => { throw new Error('dry run: not sent'); }, close: () => {} };

export function register(program: Command): void {
  program.command('replay')
    .description(SUMMARY.replay)
    .argument('<file...>', 'mbox, .eml, RSS/Atom or JSON files')
    .option('--config <file>', 'config file')
    .option('--dry-run', 'work on a throwaway copy of the state: print events and actions, write and send nothing')
    .option('--json', 'print JSON')
    .action(async (files: string[], opts: { config?: string; dryRun?: boolean; json?: boolean }) => {
      const loaded = loadConfig(opts.config);
      const items = await replayItems(files);
      let scratch: string | undefined;
      let dbPath: string | undefined;
      if (opts.dryRun) {
        scratch = mkdtempSync(join(tmpdir(), 'kernel-herald-dry-run-'));
        dbPath = join(scratch, 'copy.sqlite');
        const live = databasePath(loaded.config);
        // The copy carries what is already known, so the dry run dedupes exactly as the real one would.
        if (existsSync(live)) {
          const src = Store.open(live);
          try { src.db.prepare('VACUUM INTO ?').run(dbPath); } finally { src.close(); }
        }
      }
      // A dry run works on a copy and sends nothing: it may run beside a daemon.
      const lock = opts.dryRun ? undefined : lockOrExplain(loaded.config.state_dir, 'replay');
      const daemon = new Daemon(loaded, { log: cliLogger('warn'), ...(opts.dryRun ? { transport: nullTransport, dbPath: dbPath! } : {}) });
      try {
        const records = replayIngest(daemon.store, items, new Date().toISOString());
        const reports = opts.dryRun ? daemon.rulesOnly() : await daemon.process();
        const byEvent = new Map<number, typeof reports>();
        for (const r of reports) byEvent.set(r.event, [...(byEvent.get(r.event) ?? []), r]);
        const events = records.flatMap((r) => r.events).map((id) => {
          const e = daemon.store.events.get(id)!;
          const p = e.payload as { kernel?: { distro: string; distro_release: string; package: string; version: string }; driver?: { vendor: string; package: string; version: string } };
          const subject = p.kernel ? `${p.kernel.distro} ${p.kernel.distro_release} ${p.kernel.package} ${p.kernel.version}` : `${p.driver?.vendor} ${p.driver?.package} ${p.driver?.version}`;
          return { id: e.id, type: e.type, subject, rules: (byEvent.get(e.id) ?? []).map((r) => ({ rule: r.rule, outcome: r.outcome, actions: r.actions.map((a) => a.summary), ...(r.error ? { error: r.error } : {}) })) };
        });
        const summary = { dry_run: !!opts.dryRun, items: records.length, recognised: records.filter((r) => r.source).length, duplicates: records.filter((r) => r.duplicate).length, events };
        if (opts.json) { printJson(summary); return; }
        const lines = [`${summary.dry_run ? 'dry run: ' : ''}${summary.items} items, ${summary.recognised} recognised, ${summary.duplicates} already known, ${events.length} events`];
        for (const e of events) {
          lines.push(`event ${e.type}: ${e.subject}`);
          for (const r of e.rules) for (const a of r.actions.length ? r.actions : [r.error ?? 'no action']) lines.push(`  rule ${r.rule} (${r.outcome}): ${a}`);
          if (e.rules.length === 0) lines.push('  no rule matches');
        }
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        await daemon.stop();
        lock?.release();
        if (scratch) rmSync(scratch, { recursive: true, force: true });
      }
    });
}
