import type { Command } from 'commander';
import { SUMMARY } from './commands.js';
import { systemClock } from '../clock.js';
import { procedureService } from '../daemon.js';
import { HeraldError } from '../errors.js';
import type { StepVerb } from '../procedure/service.js';
import { cliLogger, openStore } from './common.js';

interface StepCommand { name: 'tested' | 'test-failed' | 'published' | 'abandon'; verb: StepVerb; note: 'optional' | 'required' | 'reason' }

const COMMANDS: StepCommand[] = [
  { name: 'tested', verb: 'tested', note: 'optional' },
  { name: 'test-failed', verb: 'failed', note: 'required' },
  { name: 'published', verb: 'published', note: 'optional' },
  { name: 'abandon', verb: 'abandon', note: 'reason' },
];

export function register(program: Command): void {
  for (const c of COMMANDS) {
    const cmd = program.command(c.name)
      .description(SUMMARY[c.name])
      .argument('<kernel>', 'the kernel version (as in status), or a release record id as #N')
      .requiredOption('--as <person>', 'who takes the step: a person id from people:')
      .option('--procedure <name>', 'the procedure, when the kernel is in more than one')
      .option('--config <file>', 'config file');
    if (c.note === 'reason') cmd.requiredOption('--reason <text>', 'why (goes into the timeline and the events)');
    else if (c.note === 'required') cmd.requiredOption('--note <text>', 'what failed (goes into the timeline and the events)');
    else cmd.option('--note <text>', 'a note for the timeline and the events');
    cmd.action((kernel: string, opts: { as: string; procedure?: string; config?: string; note?: string; reason?: string }) => {
      const { loaded, store } = openStore(opts.config);
      try {
        if (!(opts.as in loaded.config.people)) throw new HeraldError('EUSAGE', `--as: no person "${opts.as}" in people: (known: ${Object.keys(loaded.config.people).join(', ') || 'none'})`);
        const service = procedureService(loaded, store, systemClock, cliLogger());
        const byId = /^#(\d+)$/.exec(kernel);
        const records = byId ? [store.procedures.get(Number(byId[1]))].filter((r) => r !== undefined) : service.find(kernel, opts.procedure);
        if (records.length === 0) throw new HeraldError('EUSAGE', `no release record for "${kernel}"${opts.procedure ? ` in procedure ${opts.procedure}` : ''} (see kernel-herald status)`);
        const open = records.length > 1 ? records.filter((r) => !['announced', 'superseded', 'abandoned'].includes(r.phase)) : records;
        if (open.length !== 1) throw new HeraldError('EUSAGE', `"${kernel}" names ${records.length} release records (${records.map((r) => `#${r.id} ${service.label(r)} ${r.phase}`).join('; ')}): give --procedure or #ID`);
        const r = service.act(open[0]!, c.verb, opts.as, 'cli', undefined, opts.reason ?? opts.note ?? '');
        if (!r.ok) throw new HeraldError('ERUNTIME', `refused: ${r.message}`);
        process.stdout.write(`${r.message}\n(the daemon runs the rules and sends the mail for it within a minute)\n`);
      } finally {
        store.close();
      }
    });
  }
}
