#!/usr/bin/env node
// Mutation testing of the lines that carry the daemon's promises (commit,
// send, dispatch, move a cursor), one Stryker run per group so each mutant
// runs only the tests that can notice it. A whole-suite run per mutant would
// take days on a small machine.
//
//   npm run mutate                  every group
//   npm run mutate -- rules mail    some groups
//
// Reports: bench/out/mutation-GROUP.json; the summary table at the end is what
// bench/README.md keeps.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const MOCHA = 'npx mocha --no-config -n import=tsx --timeout 60000 --exit --bail --reporter dot';

/** mutate: Stryker's file:lines ranges (the functions that commit, send, dispatch or move a cursor). */
export const GROUPS = {
  ingest: {
    mutate: ['src/ingest/ingest.ts:29-55', 'src/ingest/replay.ts:55-68'],
    tests: ['test/unit/ingest.test.ts', 'test/unit/store.test.ts', 'test/unit/stream.test.ts', 'test/integration/replay.test.ts', 'test/integration/pipeline.test.ts'],
  },
  rules: {
    mutate: ['src/rules/engine.ts:27-93', 'src/rules/actions/email/index.ts:39-100'],
    tests: ['test/unit/engine.test.ts', 'test/unit/procedure.test.ts', 'test/integration/pipeline.test.ts', 'test/integration/crash.test.ts'],
  },
  mail: {
    mutate: ['src/mail/outbox-worker.ts:45-117', 'src/store/outbox.ts:38-58', 'src/rotation/mailer.ts:69-99'],
    tests: ['test/unit/assignments.test.ts', 'test/integration/outbox.test.ts', 'test/integration/stop.test.ts', 'test/integration/pipeline.test.ts', 'test/integration/crash.test.ts', 'test/integration/assignment.test.ts'],
  },
  rotation: {
    mutate: ['src/rotation/replies.ts:51-168', 'src/rotation/service.ts:163-238'],
    tests: ['test/unit/assignments.test.ts', 'test/unit/procedure.test.ts', 'test/integration/assignment.test.ts'],
  },
  imap: {
    mutate: ['src/watchers/imap/index.ts:83-151'],
    tests: ['test/integration/imap.test.ts', 'test/integration/crash.test.ts'],
  },
  procedure: {
    mutate: ['src/procedure/service.ts:71-383', 'src/procedure/machine.ts:85-141'],
    tests: ['test/unit/procedure-machine.test.ts', 'test/unit/procedure.test.ts'],
  },
  builds: {
    // The package gate (checkGate) only waits; everything else here dispatches or records.
    mutate: ['src/builds/tracker.ts:161-216', 'src/builds/tracker.ts:241-345'],
    tests: ['test/unit/builds.test.ts', 'test/integration/builds.test.ts'],
  },
};

function run(name) {
  const g = GROUPS[name];
  const base = JSON.parse(readFileSync('bench/stryker.config.json', 'utf8'));
  const cfg = {
    ...base,
    mutate: g.mutate,
    commandRunner: { command: `${MOCHA} ${g.tests.join(' ')}` },
    jsonReporter: { fileName: `bench/out/mutation-${name}.json` },
    reporters: ['progress', 'json'],
  };
  delete cfg.$schema;
  const file = `bench/out/stryker-${name}.json`;
  writeFileSync(file, JSON.stringify(cfg, null, 2));
  const r = spawnSync('npx', ['stryker', 'run', file], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`stryker failed for group ${name} (exit ${r.status})`);
}

function summary(names) {
  const rows = [];
  const survivors = [];
  for (const name of names) {
    const file = `bench/out/mutation-${name}.json`;
    if (!existsSync(file)) continue;
    const report = JSON.parse(readFileSync(file, 'utf8'));
    for (const [path, f] of Object.entries(report.files)) {
      const count = (s) => f.mutants.filter((m) => s.includes(m.status)).length;
      const killed = count(['Killed']);
      const timeout = count(['Timeout']);
      const survived = count(['Survived', 'NoCoverage']);
      const total = killed + timeout + survived;
      rows.push(`| ${name} | \`${path}\` | ${total ? ((100 * (killed + timeout)) / total).toFixed(1) : '-'} % | ${killed} | ${timeout} | ${survived} |`);
      const lines = f.source.split('\n');
      for (const m of f.mutants.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage')) {
        const line = m.location.start.line;
        survivors.push(`${path}:${line} ${m.mutatorName} -> ${JSON.stringify(m.replacement ?? '')}\n    ${lines[line - 1]?.trim()}`);
      }
    }
  }
  console.log('\n| group | module | score | killed | timed out | survived |\n|---|---|---|---|---|---|');
  console.log(rows.join('\n'));
  console.log(`\nsurvivors (${survivors.length}):`);
  for (const s of survivors) console.log(`  ${s}`);
}

const wanted = process.argv.slice(2).filter((a) => a !== '--summary');
for (const n of wanted) if (!(n in GROUPS)) { console.error(`unknown group ${n}; groups: ${Object.keys(GROUPS).join(', ')}`); process.exit(2); }
const names = wanted.length ? wanted : Object.keys(GROUPS);
mkdirSync('bench/out', { recursive: true });
if (!process.argv.includes('--summary')) for (const n of names) run(n);
summary(names);
