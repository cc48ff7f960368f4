import { Command } from 'commander';
import { SUMMARY, type CommandName } from './commands.js';

type Registrar = { register(program: Command): void };

// A command's implementation (and what it imports: mail parsing, IMAP, SQLite,
// the registries) loads only when that command runs; the top-level help needs
// none of it.
const COMMANDS: { names: readonly CommandName[]; load: () => Promise<Registrar> }[] = [
  { names: ['run'], load: () => import('./run.js') },
  { names: ['check-config'], load: () => import('./check-config.js') },
  { names: ['parse'], load: () => import('./parse.js') },
  { names: ['poll'], load: () => import('./poll.js') },
  { names: ['status'], load: () => import('./status.js') },
  { names: ['outbox'], load: () => import('./outbox.js') },
  { names: ['vercmp'], load: () => import('./vercmp.js') },
  { names: ['replay'], load: () => import('./replay.js') },
  { names: ['rotation'], load: () => import('./rotation.js') },
  { names: ['claim', 'ack', 'decline'], load: () => import('./answer.js') },
  { names: ['tested', 'test-failed', 'published', 'abandon'], load: () => import('./step.js') },
  { names: ['build'], load: () => import('./build.js') },
];

/** The command an argument list names (`help X` names X), if any. */
export function commandNamed(argv: string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/**
 * The program with every command listed; only `wanted` (the command about to
 * run, or whose help is asked for) is loaded and registered in full.
 */
/** What the environment changes, for the program's --help (the README's "Operating it" says more). */
export const ENVIRONMENT = `
Environment:
  KERNEL_HERALD_CONFIG            the config file when --config is not given
                                  (else /etc/kernel-herald/config.yaml if
                                  present, else the built-in default)
  KERNEL_HERALD_LOG_LEVEL         how much the commands other than run log on
                                  stderr: error, warn, info or debug (run
                                  takes log_level from its config)
  KERNEL_HERALD_CODE_CACHE=report say on stderr whether the program started
                                  from its compiled-code cache`;

export async function buildProgram(wanted?: string): Promise<Command> {
  const program = new Command('kernel-herald')
    .description('Watches distro and vendor kernel announcements and runs the kernel release procedure.')
    .version('0.1.0')
    .addHelpText('after', ENVIRONMENT)
    .showHelpAfterError()
    .exitOverride();
  for (const entry of COMMANDS) {
    if (wanted !== undefined && entry.names.includes(wanted as CommandName)) (await entry.load()).register(program);
    else for (const name of entry.names) program.command(name).description(SUMMARY[name]);
  }
  for (const cmd of program.commands) cmd.exitOverride();
  for (const cmd of program.commands.flatMap((c) => c.commands)) cmd.exitOverride();
  return program;
}

