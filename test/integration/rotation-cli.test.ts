import assert from 'node:assert/strict';
import { join } from 'node:path';
import { assignmentService, databasePath } from '../../src/daemon.js';
import { loadConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { sampleEvent } from '../../src/mail/context.js';
import { Store } from '../../src/store/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeConfig } from '../helpers/util.js';

const PEOPLE = {
  alice: { name: 'Alice A', email: 'alice@test.example' },
  bob: { name: 'Bob B', email: 'bob@test.example' },
  carol: { name: 'Carol C', email: 'carol@test.example' },
};

describe('CLI: rotation, claim, ack, decline', function () {
  this.timeout(60_000);
  let t: ReturnType<typeof tempDir>;
  let cfg: string;
  beforeEach(() => {
    t = tempDir();
    cfg = writeConfig(t.dir, {
      state_dir: join(t.dir, 'state'), http: 'off', mail: { from: 'Herald <herald@test.example>' }, people: PEOPLE,
      rotations: {
        support: {
          members: ['alice', 'bob', 'carol'], timezone: 'America/New_York', handoff: { start: '2026-01-05T09:00', every: '1w' },
          overrides: [{ person: 'carol', from: '2026-11-04', to: '2026-11-05' }],
        },
      },
    });
  });
  afterEach(() => t.cleanup());

  it('rotation --at --next --json: who is on duty and the next changes, 09:00 local across the DST change', async () => {
    // 2026-10-26 is the 42nd Monday after 2026-01-05: 42 % 3 = 0, alice. New York leaves DST on 2026-11-01.
    const res = await runCli(['rotation', '--config', cfg, '--at', '2026-10-27T12:00', '--next', '4', '--json']);
    assert.equal(res.code, 0, res.stderr);
    const [r] = JSON.parse(res.stdout) as { rotation: string; timezone: string; at: string; on_duty: { id: string }; next: { at: string; person: { id: string } | null }[] }[];
    assert.equal(r!.at, '2026-10-27T12:00:00-04:00');
    assert.equal(r!.on_duty.id, 'alice');
    assert.deepEqual(r!.next.map((c) => `${c.at} ${c.person!.id}`), [
      '2026-11-02T09:00:00-05:00 bob',
      '2026-11-04T00:00:00-05:00 carol',
      '2026-11-06T00:00:00-05:00 bob',
      '2026-11-09T09:00:00-05:00 carol',
    ]);
    const utc = await runCli(['rotation', 'support', '--config', cfg, '--at', '2026-10-27T16:00Z', '--next', '1', '--utc', '--json']);
    const [u] = JSON.parse(utc.stdout) as { at: string; next: { at: string }[] }[];
    assert.equal(u!.at, '2026-10-27T16:00:00Z');
    assert.equal(u!.next[0]!.at, '2026-11-02T14:00:00Z');
    const text = await runCli(['rotation', '--config', cfg, '--at', '2026-11-04T10:00']);
    assert.match(text.stdout, /support \(America\/New_York\) at 2026-11-04T10:00:00-05:00: carol \(Carol C\) on duty/);
  });

  it('rotation: a bad --at, --next or name exits 2 with the reason', async () => {
    for (const [args, why] of [[['--at', 'yesterday'], /--at: "yesterday" is not an ISO 8601 time/], [['--next', '-1'], /--next must be/], [['oncall'], /no rotation "oncall" \(configured: support\)/]] as const) {
      const res = await runCli(['rotation', '--config', cfg, ...args]);
      assert.equal(res.code, 2);
      assert.match(res.stderr, why);
    }
  });

  it('claim/ack/decline from the shell: by id or token; refusals exit 1; unknown ids and people exit 2; status shows the log', async () => {
    const loaded = loadConfig(cfg);
    const store = Store.open(databasePath(loaded.config));
    const service = assignmentService(loaded, store, { now: () => new Date() }, silentLogger());
    const ev = sampleEvent();
    const eventId = store.events.append('kernel.released', ev.payload, null, new Date().toISOString());
    const a = store.tx(() => service.create({ ...ev, id: eventId, release_id: null }, 'r', 0, {
      rotation: 'support', mode: 'duty', ack_within: 3_600_000, claim_within: 3_600_000,
      templates: { volunteer: 'volunteer-request', assignment: 'assignment', unanswered: 'assignment-unanswered' },
    }));
    store.close();
    const other = ['alice', 'bob', 'carol'].find((p) => p !== a.person)!;

    const wrong = await runCli(['ack', String(a.id), '--as', other, '--config', cfg]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, new RegExp(`refused: assignment #${a.id}: ${other} was not asked`));
    assert.equal((await runCli(['ack', '999', '--as', a.person!, '--config', cfg])).code, 2);
    assert.match((await runCli(['ack', String(a.id), '--as', 'zed', '--config', cfg])).stderr, /--as: no person "zed"/);
    assert.equal((await runCli(['claim', String(a.id), '--config', cfg])).code, 2, '--as is required');

    const ok = await runCli(['ack', `KH-${a.token}`, '--as', a.person!, '--config', cfg]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`${a.person} is release manager`));
    const again = await runCli(['decline', String(a.id), '--as', a.person!, '--config', cfg]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already accepted/);

    const s = Store.open(databasePath(loaded.config));
    const log = s.assignments.logFor(a.id).map((l) => `${l.step}:${l.person}:${l.via}`);
    s.close();
    assert.deepEqual(log, ['created:null:rule', `asked:${a.person}:rule`, `ack ignored:${other}:cli`, `acked:${a.person}:cli`, `decline ignored:${a.person}:cli`]);
    const status = await runCli(['status', '--config', cfg, '--json']);
    assert.deepEqual((JSON.parse(status.stdout) as { assignments: unknown[] }).assignments, [], 'nothing open any more');
  });

  it('check-config names rotation mistakes by key', async () => {
    const bad = writeConfig(t.dir, {
      mail: { from: 'h@test.example' }, people: PEOPLE,
      rotations: { support: { members: ['alice', 'zed'], timezone: 'Mars/Olympus', handoff: { start: '2026-01-05T09:00' }, leave: [{ person: 'bob', from: '2026-02-01', to: '2026-01-01' }] } },
      rules: [{ id: 'r', on: 'kernel.released', do: [{ assign: { rotation: 'oncall' } }] }],
    }, 'bad.yaml');
    const res = await runCli(['check-config', bad]);
    assert.equal(res.code, 2);
    for (const line of [
      /rotations\.support\.timezone: unknown time zone "Mars\/Olympus"/,
      /rotations\.support\.members\[1\]: "zed" is not in people:/,
      /rules\[0\]\.do\[0\]\.assign\.rotation: no rotation "oncall" in rotations: \(configured: support\)/,
    ]) assert.match(res.stderr, line);
    const tz = writeConfig(t.dir, {
      mail: { from: 'h@test.example' }, people: PEOPLE,
      rotations: { support: { members: ['alice'], handoff: { start: '2026-01-05T09:00' }, leave: [{ person: 'bob', from: '2026-02-01', to: '2026-01-01' }, { person: 'alice', from: '2026-02-01', to: '2026-01-01' }] } },
    }, 'tz.yaml');
    const res2 = await runCli(['check-config', tz]);
    assert.match(res2.stderr, /rotations\.support\.leave\[0\]\.person: "bob" is not a member of this rotation/);
    assert.match(res2.stderr, /rotations\.support\.leave\[1\]: to \(2026-01-01\) is not after from \(2026-02-01\)/);
  });
});
