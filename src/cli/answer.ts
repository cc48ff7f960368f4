import type { Command } from 'commander';
import { SUMMARY } from './commands.js';
import { systemClock } from '../clock.js';
import { assignmentService } from '../daemon.js';
import { HeraldError } from '../errors.js';
import { cliLogger, openStore } from './common.js';


export function register(program: Command): void {
  for (const verb of ['claim', 'ack', 'decline'] as const) {
    program.command(verb)
      .description(SUMMARY[verb])
      .argument('<id>', 'assignment id (as in status) or its token (KH-...)')
      .requiredOption('--as <person>', 'who answers: a person id from people:')
      .option('--config <file>', 'config file')
      .action((id: string, opts: { as: string; config?: string }) => {
        const { loaded, store } = openStore(opts.config);
        try {
          if (!(opts.as in loaded.config.people)) throw new HeraldError('EUSAGE', `--as: no person "${opts.as}" in people: (known: ${Object.keys(loaded.config.people).join(', ') || 'none'})`);
          const token = /^(?:\[?KH-)?([0-9a-f]{20})\]?$/i.exec(id)?.[1];
          const issued = token ? store.assignments.issuedToken(token) : undefined;
          const a = /^\d+$/.test(id) ? store.assignments.get(Number(id)) : issued ? store.assignments.get(issued.assignment_id) : token ? store.assignments.byToken(token) : undefined;
          if (!a) throw new HeraldError('EUSAGE', `no assignment "${id}" (see kernel-herald status)`);
          const service = assignmentService(loaded, store, systemClock, cliLogger());
          const r = service.act(a, verb, opts.as, 'cli');
          if (!r.ok) throw new HeraldError('ERUNTIME', `refused: ${r.message}`);
          process.stdout.write(`${r.message}\n(the daemon runs the rules and sends the mail for it within a minute)\n`);
        } finally {
          store.close();
        }
      });
  }
}
