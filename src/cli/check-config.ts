import type { Command } from 'commander';
import { SUMMARY } from './commands.js';
import { loadConfig, resolveConfigPath } from '../config/load.js';
import { describeWatcher } from '../watchers/registry.js';
import { triggerFor } from '../builds/registry.js';
import { actionFiles } from '../rules/actions/registry.js';
import type { ProcedureConfig } from '../procedure/schema.js';
import { formatDuration } from '../duration.js';
import type { Config } from '../config/schema.js';
import { secretWarning } from '../secrets.js';
import { printJson } from './format.js';

/** A procedure's phases in one line each: what it waits for, and for how long. */
function procedurePhases(p: ProcedureConfig): string[] {
  const within = (ms: number | undefined) => (ms === undefined ? '' : `, within ${formatDuration(ms)}`);
  const { assign, build, test, publish } = p.phases;
  return [
    assign && `assign (${assign.rotation}, ${assign.mode}${within(assign.within)})`,
    build && `build (${build.targets.join(', ')}${within(build.within)})`,
    test && `test (${test.approvals} of ${test.testers.length ? test.testers.join(', ') : 'anyone'}${within(test.within)})`,
    publish && `publish (${publish.repo ? `seen in ${publish.repo.url}` : 'by "published"'}${within(publish.within)})`,
  ].filter((x): x is string => !!x);
}

export function register(program: Command): void {
  program.command('check-config')
    .description(SUMMARY['check-config'])
    .argument('[file]', 'config file (default: --config, $KERNEL_HERALD_CONFIG, /etc/kernel-herald/config.yaml, else the built-in default)')
    .option('--config <file>', 'config file')
    .option('--json', 'print the summary as JSON')
    .action((file: string | undefined, opts: { config?: string; json?: boolean }) => {
      const { config, origin, templates } = loadConfig(resolveConfigPath(file ?? opts.config));
      const summary = {
        config: origin,
        state_dir: config.state_dir,
        mail: { transport: config.mail.transport, from: config.mail.from },
        http: config.http === 'off' ? 'off' : config.http.listen,
        templates: templates.dirs,
        watchers: config.watchers.map((w) => ({ id: w.id, type: w.type, url: describeWatcher(w).where, schedule: describeWatcher(w).schedule, backfill: w.backfill })),
        rotations: Object.entries(config.rotations).map(([name, r]) => ({ name, members: r.members, timezone: r.timezone })),
        builds: Object.entries(config.builds).map(([name, t]) => ({ name, type: t.type, matrix: t.matrix ?? {}, gate: !!t.wait_for_packages })),
        procedures: Object.entries(config.procedures).map(([name, p]) => ({ name, phases: procedurePhases(p), supersede: p.supersede })),
        warnings: secretWarnings(config),
        rules: config.rules.map((r) => ({ id: r.id, on: r.on, when: r.when, do: r.do.map((a) => a.action) })),
      };
      if (opts.json) { printJson(summary); return; }
      const lines = [
        `${origin}: OK`,
        `  state:     ${summary.state_dir}`,
        `  mail:      ${summary.mail.transport}, from ${summary.mail.from}`,
        `  http:      ${summary.http}`,
        `  templates: ${summary.templates.join(', ')}`,
        `  watchers:  ${summary.watchers.length}`,
        ...summary.watchers.map((w) => `    ${w.id} (${w.type}, ${w.schedule}${w.backfill ? ', backfill' : ''}) ${w.url}`),
        `  rotations: ${summary.rotations.length}`,
        ...summary.rotations.map((r) => `    ${r.name} (${r.timezone}): ${r.members.join(', ')}`),
        `  procedures: ${summary.procedures.length}`,
        ...summary.procedures.map((p) => `    ${p.name}: ${p.phases.join(' -> ') || 'announced at once'}${p.supersede ? '' : ' (never superseded)'}`),
        `  builds:    ${summary.builds.length}`,
        ...summary.builds.map((b) => `    ${b.name} (${b.type}${Object.keys(b.matrix).length ? `, matrix ${Object.entries(b.matrix).map(([k, v]) => `${k}=${v.join('|')}`).join(' ')}` : ''}${b.gate ? ', waits for packages' : ''})`),
        `  rules:     ${summary.rules.length}`,
        ...summary.rules.map((r) => `    ${r.id}: on ${r.on}${Object.keys(r.when).length ? ` when ${JSON.stringify(r.when)}` : ''} do ${r.do.join(', ')}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
      for (const w of summary.warnings) process.stderr.write(`kernel-herald: warning: ${w}\n`);
    });
}

/** Secrets are read when used (a token at each dispatch, a password at each login), so a missing one is a warning here, not an error. */
function secretWarnings(config: Config): string[] {
  const refs: [string, string][] = [];
  if (config.mail.smtp?.password_file) refs.push(['mail.smtp.password_file', config.mail.smtp.password_file]);
  if (config.http !== 'off' && config.http.token_file) refs.push(['http.token_file', config.http.token_file]);
  for (const f of actionFiles(config.rules)) refs.push([f.key, f.ref]);
  config.watchers.forEach((w, i) => { if (w.type === 'imap') refs.push([`watchers[${i}].password_file`, w.password_file]); });
  for (const [name, t] of Object.entries(config.builds)) {
    for (const [key, ref] of Object.entries(triggerFor(t.type)?.secrets?.(t) ?? {})) refs.push([`builds.${name}.${key}`, ref]);
  }
  return refs.map(([what, ref]) => secretWarning(ref, what)).filter((w): w is string => w !== undefined);
}
