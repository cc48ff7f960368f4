import assert from 'node:assert/strict';
import { SUMMARY } from '../../src/cli/commands.js';
import { buildProgram, commandNamed } from '../../src/cli/program.js';

// The top-level help lists commands from a table without loading them; each
// command's module registers it in full only when it runs. The table and the
// modules must agree, or a command would be listed and missing (or the reverse).
describe('CLI program: commands listed without loading them', () => {
  it('every command in the table is what its module registers, with its options, under the same summary', async () => {
    const names = Object.keys(SUMMARY);
    const bare = await buildProgram();
    assert.deepEqual(bare.commands.map((c) => c.name()), names);
    assert.ok(bare.commands.every((c) => c.options.length === 0 && c.commands.length === 0), 'nothing loaded for the help');
    for (const name of names) {
      const program = await buildProgram(name);
      assert.deepEqual(program.commands.map((c) => c.name()), names, `loading ${name} keeps the list`);
      const cmd = program.commands.find((c) => c.name() === name)!;
      assert.equal(cmd.description(), SUMMARY[name as keyof typeof SUMMARY]);
      assert.ok(cmd.options.length > 0 || cmd.commands.length > 0, `${name} registered in full`);
    }
  });

  it('the command a list of arguments names, and `help X` names X', () => {
    assert.equal(commandNamed(['poll', '--config', 'x']), 'poll');
    assert.equal(commandNamed(['--json', 'status']), 'status');
    assert.equal(commandNamed(['help', 'replay']), 'replay');
    assert.equal(commandNamed(['--help']), undefined);
  });
});
