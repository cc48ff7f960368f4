import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { SUMMARY } from './commands.js';
import { HeraldError, errorMessage } from '../errors.js';
import { decodeBody } from '../sources/document.js';
import { parseDocument } from '../sources/parse-document.js';
import { printJson } from './format.js';

export function register(program: Command): void {
  program.command('parse')
    .description(SUMMARY.parse)
    .argument('<file...>', 'announcement files')
    .option('--source <id>', 'pin the source instead of detecting it')
    .option('--max-bytes <n>', 'refuse a file larger than this (as a watcher\'s max_bytes does)', '10485760')
    .action(async (files: string[], opts: { source?: string; maxBytes: string }) => {
      const maxBytes = Number(opts.maxBytes);
      if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new HeraldError('EUSAGE', `--max-bytes: must be a positive whole number of bytes, not "${opts.maxBytes}"`);
      const out = [];
      for (const file of files) {
        let text: string;
        try {
          // Checked before reading: a huge file must not cost its size in memory first.
          const size = statSync(file).size;
          if (size > maxBytes) throw new HeraldError('EINPUT', `${file}: ${size} bytes, over --max-bytes ${maxBytes}`);
          // The bytes are dropped as soon as they are decoded: only one copy is alive while parsing.
          text = decodeBody(readFileSync(file));
        } catch (err) {
          if (err instanceof HeraldError && err.message.startsWith(file)) throw err;
          if (err instanceof HeraldError) throw new HeraldError('EINPUT', `${file}: ${errorMessage(err)}`);
          throw new HeraldError('EINPUT', `${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
        }
        try {
          out.push(await parseDocument(text, opts.source ? { source: opts.source } : {}));
        } catch (err) {
          const code = err instanceof HeraldError && err.code === 'EUSAGE' ? 'EUSAGE' : 'EINPUT';
          throw new HeraldError(code, `${file}: ${errorMessage(err)}`);
        }
      }
      printJson(out.length === 1 ? out[0] : out);
    });
}
