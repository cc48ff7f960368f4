import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';

// bench/mutate.mjs names the functions that commit, send, dispatch or move a
// cursor; a rename would otherwise surface only in a 40-minute mutation run.
const bench = '../../bench/mutate.mjs';

describe('mutation groups', () => {
  it('every named function exists, and every test file a group runs exists', async () => {
    const { GROUPS, ranges } = await import(bench as string);
    for (const [name, group] of Object.entries(GROUPS as Record<string, { mutate: Record<string, string[]>; tests: string[] }>)) {
      const r: string[] = ranges(group);
      assert.equal(r.length, Object.values(group.mutate).flat().length, name);
      for (const t of group.tests) assert.ok(existsSync(t), `${name}: ${t}`);
    }
  });

  it('a renamed function is an error naming the file and the function', async () => {
    const { ranges } = await import(bench as string);
    assert.throws(() => ranges({ mutate: { 'src/ingest/ingest.ts': ['ingestGone'] }, tests: [] }), /src\/ingest\/ingest\.ts: no function ingestGone \(known: .*ingest/);
  });
});
