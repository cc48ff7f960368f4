import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { HeraldError, errorMessage } from '../errors.js';
import { assertScheme, compareVersions, validateVersion, type Scheme } from '../versions/index.js';

function answer(scheme: Scheme, a: string, b: string): number {
  validateVersion(scheme, a);
  validateVersion(scheme, b);
  return compareVersions(scheme, a, b);
}

export function register(program: Command): void {
  program.command('vercmp')
    .description('compare two versions: print -1, 0 or 1 (A older, equal, newer than B)')
    .requiredOption('--scheme <scheme>', 'rpm (rpmvercmp, E:V-R), deb (dpkg) or kernel (kernel.org)')
    .option('--stdin', 'read one "A B" pair per line, print one answer per line')
    .argument('[a]', 'version A (use -- before versions that start with "-")')
    .argument('[b]', 'version B')
    .action(async (a: string | undefined, b: string | undefined, opts: { scheme: string; stdin?: boolean }) => {
      const scheme = assertScheme(opts.scheme);
      if (!opts.stdin) {
        if (a === undefined || b === undefined) throw new HeraldError('EUSAGE', 'vercmp needs two versions, A and B (or --stdin)');
        process.stdout.write(`${answer(scheme, a, b)}\n`);
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
          out.push(String(answer(scheme, parts[0]!, parts[1]!)));
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
