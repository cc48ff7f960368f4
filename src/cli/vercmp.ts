import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { SUMMARY } from './commands.js';
import { HeraldError, errorMessage } from '../errors.js';
import { assertScheme, compareVersions, validateVersion, type Scheme } from '../versions/index.js';

/** The tool's own answer; what it would only warn about goes to stderr, once per version. */
function answer(scheme: Scheme, a: string, b: string, warned: Set<string>): number {
  for (const v of [a, b]) {
    for (const w of validateVersion(scheme, v)) {
      if (warned.has(`${v}\0${w}`)) continue;
      warned.add(`${v}\0${w}`);
      process.stderr.write(`kernel-herald: warning: "${v}": ${w} (compared as ${scheme === 'deb' ? 'dpkg' : 'rpm'} does)\n`);
    }
  }
  return compareVersions(scheme, a, b);
}

export function register(program: Command): void {
  program.command('vercmp')
    .description(SUMMARY.vercmp)
    .requiredOption('--scheme <scheme>', 'rpm (rpmvercmp, E:V-R), deb (dpkg) or kernel (kernel.org)')
    .option('--stdin', 'read one "A B" pair per line, print one answer per line')
    .argument('[a]', 'version A (use -- before versions that start with "-")')
    .argument('[b]', 'version B')
    .action(async (a: string | undefined, b: string | undefined, opts: { scheme: string; stdin?: boolean }) => {
      const scheme = assertScheme(opts.scheme);
      const warned = new Set<string>();
      if (!opts.stdin) {
        if (a === undefined || b === undefined) throw new HeraldError('EUSAGE', 'vercmp needs two versions, A and B (or --stdin)');
        process.stdout.write(`${answer(scheme, a, b, warned)}\n`);
        return;
      }
      if (a !== undefined) throw new HeraldError('EUSAGE', 'with --stdin, give the versions on standard input, not as arguments');
      let n = 0;
      const out: string[] = [];
      try {
        for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
          n += 1;
          if (line.trim() === '') { out.push(''); continue; }
          const parts = line.trim().split(/\s+/);
          if (parts.length !== 2) throw new HeraldError('EINPUT', `expected two versions, found ${parts.length}`);
          out.push(String(answer(scheme, parts[0]!, parts[1]!, warned)));
          // Stream answers so a script reading line by line is never blocked on us.
          if (out.length >= 256) { process.stdout.write(`${out.join('\n')}\n`); out.length = 0; }
        }
      } catch (err) {
        if (out.length) process.stdout.write(`${out.join('\n')}\n`);
        throw new HeraldError('EINPUT', `stdin line ${n}: ${errorMessage(err)}`);
      }
      if (out.length) process.stdout.write(`${out.join('\n')}\n`);
    });
}
