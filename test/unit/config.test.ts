import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadConfig, parseConfigText } from '../../src/config/load.js';
import { HeraldError } from '../../src/errors.js';

const base = `
state_dir: ./var
mail: { from: "Herald <h@example.org>", transport: file }
watchers:
  - { id: feed, type: rss, url: "http://127.0.0.1:1/feed.xml", every: 15m }
rules:
  - id: notice
    on: kernel.released
    do:
      - email: { template: kernel-notice, to: [users@example.org] }
`;

function problems(yaml: string): string {
  try {
    parseConfigText(yaml, 'bad.yaml');
  } catch (err) {
    assert.ok(err instanceof HeraldError, 'a HeraldError');
    assert.equal(err.exitCode, 2, 'bad config exits 2');
    return err.message;
  }
  assert.fail('config was accepted');
}

describe('config', () => {
  it('accepts the base config, the shipped example and the built-in default', () => {
    const { config } = parseConfigText(base, '/tmp/x/config.yaml');
    assert.equal(config.watchers[0]!.every, 900_000);
    assert.equal(config.state_dir, '/tmp/x/var', 'relative paths resolve against the config file');
    assert.equal(config.mail.retry.base, 30_000);
    loadConfig(join(import.meta.dirname, '..', '..', 'config', 'kernel-herald.example.yaml'));
    const saved = process.env.KERNEL_HERALD_CONFIG;
    delete process.env.KERNEL_HERALD_CONFIG;
    try {
      const d = loadConfig();
      assert.equal(d.origin, '(built-in default)');
      assert.deepEqual(d.config.watchers.map((w) => w.url), [
        'https://ubuntu.com/security/notices/rss.xml', 'https://www.kernel.org/feeds/kdist.xml',
        'https://github.com/NVIDIA/open-gpu-kernel-modules/releases.atom',
      ]);
    } finally {
      if (saved !== undefined) process.env.KERNEL_HERALD_CONFIG = saved;
    }
  });

  const cases: [string, string, RegExp[]][] = [
    ['a typo in a top-level key', base.replace('state_dir', 'statedir'), [/^ {2}statedir: unknown key \(did you mean "state_dir"\?\)$/m]],
    ['a typo in a watcher key', base.replace('every: 15m', 'evry: 15m'), [/^ {2}watchers\[0\]\.evry: unknown key \(did you mean "every"\?\)$/m]],
    ['an unknown watcher type', base.replace('type: rss', 'type: gopher'), [/watchers\[0\]\.type: type must be one of: rss, http/]],
    ['a bad duration', base.replace('every: 15m', 'every: soon'), [/watchers\[0\]\.every: "soon" is not a duration/]],
    ['a bad URL', base.replace('"http://127.0.0.1:1/feed.xml"', 'ftp.example.org'), [/watchers\[0\]\.url: must be an http\(s\) URL/]],
    ['a missing mail.from', base.replace('from: "Herald <h@example.org>", ', ''), [/mail\.from: is required/]],
    ['an unknown event type', base.replace('on: kernel.released', 'on: kernel.exploded'), [/rules\[0\]\.on: must be one of: kernel\.released, driver\.released/]],
    ['an unknown action', base.replace('- email:', '- telegram:'), [/rules\[0\]\.do\[0\]\.telegram: unknown action \(known: assign, build, email, procedure, webhook\)/]],
    ['a missing template', base.replace('template: kernel-notice', 'template: no-such'), [/rules\[0\]\.do\[0\]\.email\.template: no template "no-such"/]],
    ['a recipient that is neither address nor person', base.replace('users@example.org', 'users'), [/rules\[0\]\.do\[0\]\.email\.to: "users" is neither an email address, a person in people:, a role/]],
    ['duplicate watcher ids', base.replace('rules:', '  - { id: feed, type: rss, url: "http://127.0.0.1:1/b.xml" }\nrules:'), [/watchers\[1\]\.id: duplicate watcher id "feed"/]],
    ['every and cron together', base.replace('every: 15m', 'every: 15m, cron: "* * * * *"'), [/watchers\[0\]: give either every: or cron:, not both/]],
    ['a bad cron expression', base.replace('every: 15m', 'cron: "every day"'), [/watchers\[0\]\.cron: is not a valid cron expression/]],
    ['smtp transport without smtp', base.replace('transport: file', 'transport: smtp'), [/mail\.smtp: is required when mail\.transport is smtp/]],
    ['an action entry with two keys', base.replace('- email: { template: kernel-notice, to: [users@example.org] }', '- { email: { template: kernel-notice, to: [a@b.c] }, build: {} }'), [/rules\[0\]\.do\[0\]: must have exactly one action key/]],
    ['invalid YAML, with its line', 'mail: { from: x\nwatchers: [', [/bad\.yaml:\d+:\d+:/, /invalid YAML/]],
    ['a scalar at the top', 'just a string', [/top level must be a mapping/]],
    ['a version that does not parse in the distro scheme', base.replace('on: kernel.released', 'on: kernel.released\n    when: { distro: ubuntu, version: ">= abc" }'), [/rules\[0\]\.when\.version: "abc" is not a Debian version.*\(the deb scheme of ubuntu\)/]],
    ['a version range with one bad end, per distro', base.replace('on: kernel.released', 'on: kernel.released\n    when: { distro: [kernel.org, rhel], version: [">= 6.6", "< 6.7-rc"] }'), [/^bad\.yaml: 1 problem$/m, /"6\.7-rc" is not a kernel\.org version.*\(the kernel scheme of kernel\.org\)/]],
    ['a version comparison without distro', base.replace('on: kernel.released', 'on: kernel.released\n    when: { version: ">= 6.6" }'), [/rules\[0\]\.when\.version: a version comparison needs distro:/]],
  ];

  for (const [what, yaml, expected] of cases) {
    it(`rejects ${what}`, () => {
      const msg = problems(yaml);
      for (const re of expected) assert.match(msg, re);
    });
  }

  it('lists every problem of a file at once, not only the first', () => {
    const msg = problems(base.replace('state_dir', 'statedir').replace('every: 15m', 'every: soon').replace('on: kernel.released', 'on: nope'));
    assert.match(msg, /3 problems/);
  });

  it('names the file it cannot read', () => {
    assert.throws(() => loadConfig('/nonexistent/kh.yaml'), /\/nonexistent\/kh\.yaml: cannot read: ENOENT/);
  });
});
