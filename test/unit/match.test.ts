import assert from 'node:assert/strict';
import { conditionMatches, fieldOf, ruleMatches } from '../../src/rules/match.js';
import { sampleEvent } from '../../src/mail/context.js';

describe('rules: matching', () => {
  const ev = sampleEvent();

  it('looks fields up on the event subject first-class and by dotted path', () => {
    assert.equal(fieldOf(ev, 'distro'), 'ubuntu');
    assert.equal(fieldOf(ev, 'kernel.flavour'), 'generic');
    assert.equal(fieldOf(ev, 'advisory'), 'USN-0000-1');
    assert.equal(fieldOf(ev, 'nope'), undefined);
  });

  it('equality, alternatives and globs', () => {
    assert.ok(ruleMatches({ on: 'kernel.released', when: { distro: 'ubuntu', distro_release: '22.04' } }, ev));
    assert.ok(ruleMatches({ on: 'kernel.released', when: { flavour: ['aws', 'generic'] } }, ev));
    assert.ok(ruleMatches({ on: 'kernel.released', when: { version: '5.15.0-*' } }, ev));
    assert.ok(!ruleMatches({ on: 'kernel.released', when: { version: '6.*' } }, ev));
    assert.ok(!ruleMatches({ on: 'kernel.released', when: { distro: 'centos' } }, ev));
    assert.ok(!ruleMatches({ on: 'driver.released', when: {} }, ev), 'event type must match');
  });

  it('a missing field never matches; numbers compare as written', () => {
    assert.ok(!ruleMatches({ on: 'kernel.released', when: { arch: 'x86_64' } }, ev));
    assert.ok(conditionMatches('7', 7));
    assert.ok(!conditionMatches(undefined, '*'));
  });

  it('an array field matches when any element does (cves)', () => {
    assert.ok(ruleMatches({ on: 'kernel.released', when: { cves: 'CVE-2023-*' } }, ev));
    assert.ok(!ruleMatches({ on: 'kernel.released', when: { cves: 'CVE-2019-*' } }, ev));
  });
});

describe('rules: version comparisons', () => {
  const ev = sampleEvent(); // ubuntu 5.15.0-91.101
  const rule = (version: unknown) => ({ on: 'kernel.released', when: { version } as never });
  it('compare with the scheme of the event distro', () => {
    assert.ok(ruleMatches(rule('>= 5.15.0-91'), ev));
    assert.ok(ruleMatches(rule('> 5.15.0-90.200'), ev));
    assert.ok(!ruleMatches(rule('< 5.15.0-91.101'), ev));
    assert.ok(ruleMatches(rule('= 5.15.0-91.101'), ev));
    assert.ok(ruleMatches(rule('<= 5.15.0-91.101'), ev));
  });
  it('a list of comparisons is a range; a list of plain values stays alternatives', () => {
    assert.ok(ruleMatches(rule(['>= 5.15.0-91', '< 5.15.0-92']), ev));
    assert.ok(!ruleMatches(rule(['>= 5.15.0-92', '< 5.15.0-100']), ev));
    assert.ok(ruleMatches(rule(['6.*', '5.15.0-91.101']), ev));
  });
  it('abi_changed and newest are plain fields', () => {
    assert.ok(ruleMatches({ on: 'kernel.released', when: { abi_changed: true, newest: true } }, ev));
    assert.ok(!ruleMatches({ on: 'kernel.released', when: { abi_changed: false } }, ev));
  });
});
