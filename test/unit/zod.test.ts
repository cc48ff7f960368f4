import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []);
}

// zod decides when a schema is built whether it will generate code for it; a
// module that imported zod itself could build its schemas before src/zod.ts
// turned that off, and nothing but the start-up time would show it.
describe('zod is configured before any schema is built', () => {
  it('no module but src/zod.ts imports zod for its values', () => {
    const direct = sourceFiles(SRC)
      .filter((f) => /^import (?!type )[^;]*from 'zod(\/[^']*)?';/m.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    assert.deepEqual(direct, ['src/zod.ts']);
  });

  it('loading the config and parsing a feed generate no code in zod', () => {
    // A fresh process: in this one, schemas built and parsed by earlier tests
    // would hide code generated before the switch.
    const script = `
      const real = globalThis.Function;
      let made = 0;
      globalThis.Function = new Proxy(real, { construct(t, args) { if (/[\\\\/]zod[\\\\/]/.test(new Error().stack)) made++; return Reflect.construct(t, args); } });
      const { loadConfig } = await import(${JSON.stringify(join(SRC, 'config', 'load.ts'))});
      const { parseOsv } = await import(${JSON.stringify(join(SRC, 'sources', 'osv', 'index.ts'))});
      const { readFileSync } = await import('node:fs');
      loadConfig(${JSON.stringify(join(ROOT, 'config', 'kernel-herald.example.yaml'))});
      parseOsv(JSON.parse(readFileSync(${JSON.stringify(join(ROOT, 'test', 'fixtures', 'osv', 'ALSA-2023-7077.json'))}, 'utf8')));
      console.log(JSON.stringify({ made }));
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim()), { made: 0 });
  });
});
