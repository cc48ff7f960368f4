import { CommanderError } from 'commander';
import { HeraldError, errorMessage, exitCodeOf } from '../errors.js';
import { buildProgram, commandNamed } from './program.js';

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0) {
    // No command is a usage error: a daemon's unit or a script that lost its arguments must not look like success.
    process.stderr.write((await buildProgram()).helpInformation());
    return 2;
  }
  try {
    await (await buildProgram(commandNamed(argv))).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2; // commander has already printed the message
    }
    const code = exitCodeOf(err);
    const prefix = err instanceof HeraldError && code === 2 ? 'kernel-herald: ' : 'kernel-herald: error: ';
    process.stderr.write(`${prefix}${errorMessage(err)}\n`);
    return code;
  }
}

// `kernel-herald status | head`: the reader went away; that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// Not a top-level await: the bundle is a CommonJS script (see launch.ts).
void main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
