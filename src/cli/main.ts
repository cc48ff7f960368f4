#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { HeraldError, errorMessage, exitCodeOf } from '../errors.js';
import { register as registerRun } from './run.js';
import { register as registerCheckConfig } from './check-config.js';
import { register as registerParse } from './parse.js';
import { register as registerPoll } from './poll.js';
import { register as registerStatus } from './status.js';
import { register as registerOutbox } from './outbox.js';
import { register as registerVercmp } from './vercmp.js';
import { register as registerReplay } from './replay.js';
import { register as registerRotation } from './rotation.js';
import { register as registerAnswer } from './answer.js';
import { register as registerBuild } from './build.js';
import { register as registerStep } from './step.js';

export function buildProgram(): Command {
  const program = new Command('kernel-herald')
    .description('Watches distro and vendor kernel announcements and runs the kernel release procedure.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  for (const register of [registerRun, registerCheckConfig, registerParse, registerPoll, registerStatus, registerOutbox, registerVercmp, registerReplay, registerRotation, registerAnswer, registerStep, registerBuild]) register(program);
  for (const cmd of program.commands) cmd.exitOverride();
  for (const cmd of program.commands.flatMap((c) => c.commands)) cmd.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0) {
    // No command is a usage error: a daemon's unit or a script that lost its arguments must not look like success.
    process.stderr.write(buildProgram().helpInformation());
    return 2;
  }
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
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

const code = await main(process.argv.slice(2));
process.exitCode = code;
