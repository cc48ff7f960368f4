import assert from 'node:assert/strict';
import { killAll, runCli, startCli, type RunningCli } from '../helpers/cli.js';
import { fixture, waitFor } from '../helpers/util.js';
import { World } from '../helpers/world.js';

describe('one process per state directory', function () {
  this.timeout(60_000);
  let w: World;
  let running: RunningCli[] = [];
  beforeEach(async () => { w = await new World().start(); running = []; });
  afterEach(async () => {
    await killAll(running);
    await w.stop();
  });

  const config = () => {
    w.feeds.set('/kdist.xml', fixture('kernel-org/kdist-2020-05-08.xml'));
    return w.config([{ id: 'kdist', type: 'rss', url: w.feeds.url('/kdist.xml'), backfill: true, every: '1h' }], [{
      id: 'notice', on: 'kernel.released', when: { distro: 'kernel.org', distro_release: ['mainline', '5.6', '5.5'] },
      do: [{ email: { template: 'kernel-notice', to: ['users@example.org'] } }],
    }]);
  };
  const daemon = async (cfg: string): Promise<RunningCli> => {
    const r = startCli(['run', '--config', cfg]);
    running.push(r);
    await waitFor('the daemon to start', () => r.lines.some((l) => l.message === 'started') || r.child.exitCode !== null, 20_000);
    return r;
  };

  it('a second run exits 1 naming the holder; poll and replay beside the daemon refuse and send nothing; the lock dies with its holder', async () => {
    const cfg = config();
    const first = await daemon(cfg);
    await waitFor('the three notices', () => w.smtp.received.length === 3, 10_000);

    const second = await runCli(['run', '--config', cfg]);
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`in use by another kernel-herald \\(pid ${first.child.pid} \\(run\\)`));

    const poll = await runCli(['poll', '--config', cfg]);
    assert.equal(poll.code, 1);
    assert.match(poll.stderr, new RegExp(`pid ${first.child.pid}.*polls and delivers on its own`));
    const replay = await runCli(['replay', '--config', cfg, '--json', 'test/fixtures/kernel-org/kdist-2020-05-08.xml']);
    assert.equal(replay.code, 1);
    const dry = await runCli(['replay', '--config', cfg, '--dry-run', '--json', 'test/fixtures/kernel-org/kdist-2020-05-08.xml']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(w.smtp.received.length, 3, 'nothing was sent twice');

    // SIGKILL leaves no stale lock: the kernel drops it with the process.
    first.child.kill('SIGKILL');
    await first.exited;
    const after = await runCli(['poll', '--config', cfg]);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(w.smtp.received.length, 3);
  });
});
