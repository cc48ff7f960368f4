import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sources } from '../../src/sources/registry.js';
import { watcherTypes } from '../../src/watchers/registry.js';
import { actions } from '../../src/rules/actions/registry.js';
import { triggers } from '../../src/builds/registry.js';

const SRC = join(import.meta.dirname, '..', '..', 'src');
const folders = (dir: string) => readdirSync(join(SRC, dir), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

// A folder nobody registered is dead code; a registration without a folder is a typo.
describe('registries equal their folders', () => {
  it('sources', () => assert.deepEqual(folders('sources'), sources.map((s) => s.id).sort()));
  it('watcher types', () => assert.deepEqual(folders('watchers'), [...watcherTypes].sort()));
  it('actions', () => assert.deepEqual(folders('rules/actions'), actions.map((a) => a.name).sort()));
  it('build triggers', () => assert.deepEqual(folders('builds'), triggers.map((t) => t.type).sort()));
});
