import assert from 'node:assert/strict';
import { comboKey, completion, expandMatrix, renderValue, retryDelay } from '../../src/builds/plan.js';
import { inputContext, targetProblems } from '../../src/builds/tracker.js';
import { targetSchema, type TargetConfig } from '../../src/builds/registry.js';
import { triggerFor } from '../../src/builds/registry.js';
import { sampleEvent } from '../../src/mail/context.js';

const target = (raw: Record<string, unknown>) => targetSchema.parse(raw) as TargetConfig;

describe('builds: the pure parts', () => {
  it('expands a matrix to every combination, in key then value order', () => {
    assert.deepEqual(expandMatrix(undefined), [{}]);
    const combos = expandMatrix({ arch: ['x86_64', 'aarch64'], ofed: ['24.10', 25] });
    assert.deepEqual(combos.map(comboKey), ['arch=x86_64,ofed=24.10', 'arch=x86_64,ofed=25', 'arch=aarch64,ofed=24.10', 'arch=aarch64,ofed=25']);
    assert.equal(comboKey({}), '');
  });

  it('renders inputs from the event and the combination; an unknown name is an error naming the key', () => {
    const ctx = inputContext(sampleEvent(), { arch: 'aarch64' });
    assert.equal(renderValue('{{kernel.version}}/{{matrix.arch}}/{{kernel.distro_release}}', ctx, 'inputs.k'), '5.15.0-91.101/aarch64/22.04');
    assert.equal(renderValue('a&b <{{kernel.abi}}>', ctx, 'x'), 'a&b <5.15.0-91>', 'nothing HTML-escaped');
    assert.throws(() => renderValue('{{kernel.verison}}', ctx, 'inputs.kernel'), /^Error: inputs\.kernel: "\{\{kernel\.verison\}\}": "verison" not defined/);
    const gh = target({ type: 'github-workflow', repo: 'o/r', workflow: 'b.yml', token_file: '/x', inputs: { kernel: '{{kernel.version}}', arch: '{{matrix.arch}}', n: 3 } });
    assert.deepEqual(triggerFor('github-workflow')!.render(gh, (t, k) => renderValue(t, ctx, k)), { ref: 'main', inputs: { kernel: '5.15.0-91.101', arch: 'aarch64', n: '3' } });
    const cmd = target({ type: 'command', argv: ['/bin/build', '--kernel={{kernel.version}}'], env: { ARCH: '{{matrix.arch}}' } });
    assert.deepEqual(triggerFor('command')!.render(cmd, (t, k) => renderValue(t, ctx, k)), { argv: ['/bin/build', '--kernel=5.15.0-91.101'], env: { ARCH: 'aarch64' } });
  });

  it('checks a target\'s templates at config time', () => {
    assert.deepEqual(targetProblems('ok', target({ type: 'command', argv: ['b', '{{kernel.version}}'], matrix: { arch: ['x'] } })), []);
    assert.deepEqual(targetProblems('bad', target({ type: 'command', argv: ['b', '{{kernel.vers}}'] })), ['builds.bad.argv[1]: "{{kernel.vers}}": "vers" not defined (at 1:2)']);
  });

  it('a target\'s keys are checked per type, shared keys have defaults', () => {
    const t = target({ type: 'jenkins', job_url: 'https://ci.example.org/job/k/', user: 'u', token_file: '/t' });
    assert.equal(t.max_attempts, 3);
    assert.equal(t.poll_every, 60_000);
    assert.throws(() => targetSchema.parse({ type: 'jenkins', job_url: 'x', user: 'u', token_file: '/t', argv: [] }));
    assert.throws(() => targetSchema.parse({ type: 'travis' }));
  });

  it('the completion rule: all ended; ok only when all succeeded', () => {
    assert.deepEqual(completion([]), { done: false, ok: false });
    assert.deepEqual(completion([{ state: 'succeeded' }, { state: 'running' }]), { done: false, ok: false });
    assert.deepEqual(completion([{ state: 'succeeded' }, { state: 'succeeded' }]), { done: true, ok: true });
    assert.deepEqual(completion([{ state: 'succeeded' }, { state: 'failed' }]), { done: true, ok: false });
    assert.deepEqual(completion([{ state: 'failed' }, { state: 'waiting' }]), { done: false, ok: false }, 'a build waiting at its gate is not ended');
  });

  it('retries back off exponentially, capped', () => {
    assert.deepEqual([1, 2, 3, 4, 10].map((a) => retryDelay(a, 1000, 5000)), [1000, 2000, 4000, 5000, 5000]);
  });
});
