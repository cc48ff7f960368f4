import type { Command } from 'commander';
import { SUMMARY } from './commands.js';
import { DateTime } from 'luxon';
import { loadConfig } from '../config/load.js';
import { HeraldError } from '../errors.js';
import { nextChanges, onDuty } from '../rotation/schedule.js';
import { rotationSpec } from '../rotation/schema.js';
import { printJson, table } from './format.js';

/** An instant: ISO 8601 with an offset or Z, or a local time read in the rotation's zone. */
function parseAt(text: string | undefined, zone: string): DateTime {
  if (text === undefined) return DateTime.now().setZone(zone);
  const dt = DateTime.fromISO(text, { zone, setZone: false });
  if (!dt.isValid) throw new HeraldError('EUSAGE', `--at: "${text}" is not an ISO 8601 time (e.g. 2026-11-02T09:00, 2026-11-02T09:00-05:00 or 2026-11-02T14:00Z)`);
  return dt.setZone(zone);
}

export function register(program: Command): void {
  program.command('rotation')
    .description(SUMMARY.rotation)
    .argument('[name]', 'one rotation (default: all)')
    .option('--config <file>', 'config file')
    .option('--at <time>', 'at this time instead of now (ISO 8601; without an offset, in the rotation\'s time zone)')
    .option('--next <n>', 'how many coming changes of duty to list', '5')
    .option('--utc', 'print times in UTC (with Z) rather than with the rotation\'s offset')
    .option('--json', 'print JSON')
    .action((name: string | undefined, opts: { config?: string; at?: string; next: string; utc?: boolean; json?: boolean }) => {
      const count = Number(opts.next);
      if (!Number.isInteger(count) || count < 0 || count > 1000) throw new HeraldError('EUSAGE', `--next must be a whole number from 0 to 1000, not "${opts.next}"`);
      const { config } = loadConfig(opts.config);
      const names = Object.keys(config.rotations);
      if (name && !names.includes(name)) throw new HeraldError('EUSAGE', `no rotation "${name}" (configured: ${names.join(', ') || 'none'})`);
      const person = (id: string | undefined) => (id ? { id, name: config.people[id]?.name ?? id, email: config.people[id]?.email ?? '' } : null);
      const out = (name ? [name] : names).map((n) => {
        const spec = rotationSpec(n, config.rotations[n]!);
        const at = parseAt(opts.at, spec.timezone);
        const show = (iso: string) => {
          const dt = DateTime.fromISO(iso, { setZone: true });
          return (opts.utc ? dt.toUTC() : dt).toISO({ suppressMilliseconds: true })!;
        };
        return {
          rotation: n, timezone: spec.timezone, at: show(at.toISO()!),
          on_duty: person(onDuty(spec, at.toMillis())),
          next: nextChanges(spec, at.toMillis(), count).map((c) => ({ at: show(c.at), person: person(c.person) })),
        };
      });
      if (opts.json) { printJson(out); return; }
      if (out.length === 0) { process.stdout.write('no rotations configured (rotations: in the config)\n'); return; }
      for (const r of out) {
        process.stdout.write(`${r.rotation} (${r.timezone}) at ${r.at}: ${r.on_duty ? `${r.on_duty.id} (${r.on_duty.name})` : 'nobody (everyone away)'} on duty\n`);
        if (r.next.length) process.stdout.write(`${table(['FROM', 'ON DUTY'], r.next.map((c) => [c.at, c.person ? `${c.person.id} (${c.person.name})` : 'nobody']))}\n`);
        process.stdout.write('\n');
      }
    });
}
