import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareDeb, parseDeb } from '../../src/versions/deb.js';
import { compareKernel } from '../../src/versions/kernel.js';
import { compareRpm, rpmvercmp } from '../../src/versions/rpm.js';
import { abiKey, streamKey } from '../../src/versions/abi.js';
import { compareVersions, validateVersion, type Scheme } from '../../src/versions/index.js';

function vectors(file: string): [string, string, number][] {
  return readFileSync(join(import.meta.dirname, 'data', file), 'utf8').split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => { const [a, b, r] = l.trim().split(/\s+/); return [a!, b!, Number(r)]; });
}

/** A small seeded generator, so a failing property is reproducible. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

function randomVersion(r: () => number, alphabet: string, len: number): string {
  let out = '';
  for (let i = 0; i < len; i++) out += alphabet[Math.floor(r() * alphabet.length)];
  return out;
}

function checkProperties(name: string, cmp: (a: string, b: string) => number, gen: (r: () => number) => string): void {
  const r = rng(0xC0FFEE);
  const pool = Array.from({ length: 300 }, () => gen(r));
  for (const a of pool) {
    assert.equal(cmp(a, a), 0, `${name}: ${a} = itself`);
  }
  for (let n = 0; n < 4000; n++) {
    const [a, b, c] = [pool[Math.floor(r() * pool.length)]!, pool[Math.floor(r() * pool.length)]!, pool[Math.floor(r() * pool.length)]!];
    assert.equal(Math.sign(cmp(a, b)), -Math.sign(cmp(b, a)) || 0, `${name}: antisymmetry of ${a}, ${b}`);
    if (cmp(a, b) <= 0 && cmp(b, c) <= 0) assert.ok(cmp(a, c) <= 0, `${name}: transitivity ${a} <= ${b} <= ${c}`);
  }
}

describe('versions: rpm', () => {
  for (const [a, b, want] of vectors('rpmvercmp.txt')) {
    it(`rpmvercmp(${a}, ${b}) = ${want}`, () => assert.equal(rpmvercmp(a, b), want));
  }
  it('epoch, then version, then release; a missing release matches any', () => {
    assert.equal(compareRpm('1:1.0-1', '2.0-1'), 1);
    assert.equal(compareRpm('4.18.0-513.5.1.el8_9', '4.18.0-553.el8_10'), -1);
    assert.equal(compareRpm('4.18.0-513.9.1.el8_9', '4.18.0-513.11.1.el8_9'), -1);
    assert.equal(compareRpm('3.10.0', '3.10.0-1160.el7'), 0);
    assert.equal(compareRpm('0:3.10.0-1160.el7', '3.10.0-1160.el7'), 0);
  });
  it('properties on random versions: reflexive, antisymmetric, transitive', () => {
    checkProperties('rpm', rpmvercmp, (r) => {
      const segs = Array.from({ length: 1 + Math.floor(r() * 4) }, () => randomVersion(r, '0123456789az', 1 + Math.floor(r() * 3)));
      return segs.map((s, i) => (i === 0 ? s : `${'..~^_'[Math.floor(r() * 5)]}${s}`)).join('');
    });
  });
  it('equivalent spellings are equal', () => {
    for (const [a, b] of [['1.0', '1_0'], ['10.0001', '10.1'], ['1.0', '1..0'], ['007', '7']]) assert.equal(rpmvercmp(a!, b!), 0, `${a} = ${b}`);
  });
});

describe('versions: deb', () => {
  for (const [a, b, want] of vectors('dpkg-versions.txt')) {
    it(`dpkg ${a} vs ${b} = ${want}`, () => assert.equal(compareDeb(a, b), want));
  }
  it('Ubuntu kernels: ABI bumps, uploads and backports', () => {
    assert.equal(compareDeb('5.15.0-91.101', '5.15.0-92.102'), -1);
    assert.equal(compareDeb('5.15.0-91.101', '5.15.0-91.101~20.04.1'), 1);
    assert.equal(compareDeb('5.15.0-100.110', '5.15.0-91.101'), 1);
  });
  // lib/dpkg/t/t-version.c (guillemj/dpkg), test_version_parse: what parses to what,
  // what dpkg calls an error (refused) and what it only warns about (compared).
  it('t-version.c: parses as dpkg parses', () => {
    const same: [string, [number, string, string]][] = [
      ['0', [0, '0', '']], ['0:0', [0, '0', '']], ['0:0-', [0, '0', '']], ['0:0-0', [0, '0', '0']], ['0:0.0-0.0', [0, '0.0', '0.0']],
      ['1:0', [1, '0', '']], ['5:1', [5, '1', '']], ['0:0-0-0', [0, '0-0', '0']], ['0:0-0-0-0', [0, '0-0-0', '0']],
      ['0:0:0-0', [0, '0:0', '0']], ['0:0:0:0-0', [0, '0:0:0', '0']], ['0:0:0-0-0', [0, '0:0-0', '0']], ['0:0-0:0-0', [0, '0-0:0', '0']],
      ['0:09azAZ.-+~:-0', [0, '09azAZ.-+~:', '0']], ['0:0-azAZ09.+~', [0, '0', 'azAZ09.+~']],
      ['  \t0:0-1', [0, '0', '1']], ['0:0-1\t  ', [0, '0', '1']], ['\t  0:0-1  \t', [0, '0', '1']],
    ];
    for (const [text, [epoch, upstream, revision]] of same) {
      const v = parseDeb(text);
      assert.deepEqual([v.epoch, v.upstream, v.revision, v.warnings], [epoch, upstream, revision, []], JSON.stringify(text));
    }
    assert.equal(compareDeb('0:0-00', '0:00-0'), 0, 'DPKG_VERSION_OBJECT(0, "0", "00") = (0, "00", "0")');
    assert.equal(compareDeb('0:a-0', '0:b-0'), -1);
    assert.equal(compareDeb('0:0-a', '0:0-b'), -1);
    assert.equal(compareDeb('1:0-0', '0:0-0'), 1);
  });
  it('t-version.c: refuses what dpkg calls an error, naming the version', () => {
    for (const bad of ['', '  ', '0:', '0:0 0-1', '-1:0-1', '999999999999999999999999:0-1', 'a:0-0', 'A:0-0', '-0', '0:-0']) {
      assert.throws(() => parseDeb(bad), new RegExp(`"${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" is not a Debian version`), JSON.stringify(bad));
    }
  });
  it('t-version.c: warns where dpkg warns, and compares all the same', () => {
    const warn = ['0:abc3-0', ...[...'!#@$%&/|\\<>()[]{};,_=*^\''].map((c) => `0:0${c}-0`), '0:0-0:0', ...[...'!#@$%&/|\\<>()[]{}:;,_=*^\''].map((c) => `0:0-${c}`)];
    for (const v of warn) assert.ok(parseDeb(v).warnings.length > 0, v);
    assert.deepEqual(parseDeb('a-0').warnings, ['upstream version does not start with a digit']);
    assert.deepEqual(validateVersion('deb', 'a-0'), ['upstream version does not start with a digit']);
    assert.equal(compareDeb('a-0', 'b-0'), -1, 'dpkg warns and compares');
    // scripts/t/Dpkg_Version.t: the versions it calls invalid.
    assert.throws(() => parseDeb(''), /empty/);
    assert.throws(() => parseDeb('10a:5.2'), /epoch "10a" is not a number/);
    for (const v of ['5.2@3-2', 'foo5.2', '0:foo5.2']) assert.ok(parseDeb(v).warnings.length > 0, v);
    assert.doesNotThrow(() => parseDeb('1:2.3~rc1+dfsg-0ubuntu1.4'));
  });
  it('properties on random versions', () => {
    checkProperties('deb', compareDeb, (r) => `${Math.floor(r() * 3)}${randomVersion(r, '019az.+~', Math.floor(r() * 6))}${r() < 0.5 ? `-${randomVersion(r, '019a.~', 1 + Math.floor(r() * 3))}` : ''}`);
  });
  it('equivalent spellings are equal', () => {
    for (const [a, b] of [['1.0000-1', '1.0-1'], ['0:1', '1'], ['1.09', '1.9'], ['0foo-', '0foo']]) assert.equal(compareDeb(a!, b!), 0, `${a} = ${b}`);
  });
});

describe('versions: kernel.org', () => {
  it('orders releases, release candidates and missing sublevels', () => {
    assert.equal(compareKernel('6.7-rc3', '6.7'), -1);
    assert.equal(compareKernel('6.7-rc3', '6.7-rc10'), -1);
    assert.equal(compareKernel('6.6.8', '6.7-rc1'), -1);
    assert.equal(compareKernel('6.6.10', '6.6.9'), 1);
    assert.equal(compareKernel('6.7', '6.7.0'), 0);
    assert.throws(() => compareKernel('next-20231214', '6.7'), /"next-20231214" is not a kernel\.org version/);
  });
  it('properties on random versions', () => {
    checkProperties('kernel', compareKernel, (r) => `${Math.floor(r() * 3) + 4}.${Math.floor(r() * 3)}${r() < 0.5 ? `.${Math.floor(r() * 3)}` : ''}${r() < 0.3 ? `-rc${Math.floor(r() * 3) + 1}` : ''}`);
  });
});

describe('versions: scheme dispatch and validation', () => {
  it('validates per scheme', () => {
    const cases: [Scheme, string, boolean][] = [['rpm', '4.18.0-513.5.1.el8_9', true], ['rpm', 'x:1', true], ['rpm', '', true],
      ['deb', '5.15.0-91.101', true], ['deb', 'abc', true], ['deb', '', false], ['kernel', '6.6.8', true], ['kernel', '6.6.8.el9', false]];
    for (const [s, v, ok] of cases) {
      if (ok) assert.doesNotThrow(() => validateVersion(s, v));
      else assert.throws(() => validateVersion(s, v), new RegExp(`"${v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
    }
    assert.equal(compareVersions('deb', '5.15.0-91.101', '5.15.0-92.102'), -1);
    assert.deepEqual(validateVersion('rpm', '4.18.0-513.5.1.el8_9'), []);
    assert.match(validateVersion('rpm', '1.1.α').join(), /"α" are separators to rpm/);
    assert.match(validateVersion('rpm', '').join(), /empty/);
    assert.deepEqual(validateVersion('rpm', 'x:1'), [], 'rpm reads it as the version "x:1"');
  });
});

describe('ABI keys and streams', () => {
  it('Ubuntu: the part of the upload number before the dot; flavours and backports share it', () => {
    assert.equal(abiKey({ distro: 'ubuntu', version: '5.15.0-91.101' }), '5.15.0-91');
    assert.equal(abiKey({ distro: 'ubuntu', version: '5.15.0-91.102' }), '5.15.0-91');
    assert.equal(abiKey({ distro: 'ubuntu', version: '5.15.0-91.101~20.04.1' }), '5.15.0-91');
    assert.equal(abiKey({ distro: 'ubuntu', version: '4.4.0-1056.60' }), '4.4.0-1056');
  });
  it('RHEL family: the minor release is the kABI stream, named by the first release number; a z-stream is not a new one', () => {
    assert.equal(abiKey({ distro: 'rhel', version: '4.18.0-513.5.1.el8_9' }), '4.18.0-513.el8');
    assert.equal(abiKey({ distro: 'rocky', version: '4.18.0-513.24.1.el8_9' }), '4.18.0-513.el8');
    assert.equal(abiKey({ distro: 'almalinux', version: '4.18.0-553.el8_10' }), '4.18.0-553.el8');
    assert.equal(abiKey({ distro: 'centos', version: '3.10.0-1160.6.1.el7' }), '3.10.0-1160.el7');
    assert.equal(abiKey({ distro: 'rocky', version: '5.14.0-362.8.1.el9_3.x86_64' }), '5.14.0-362.el9');
    // 8.4 and 8.5 GA kernels carry the bare el8: still two minor releases.
    assert.notEqual(abiKey({ distro: 'rhel', version: '4.18.0-305.el8' }), abiKey({ distro: 'rhel', version: '4.18.0-348.el8' }));
    // 8.6 GA and a later 8.6 z-stream: one kABI, whatever the dist tag says.
    assert.equal(abiKey({ distro: 'rhel', version: '4.18.0-372.9.1.el8' }), abiKey({ distro: 'rhel', version: '4.18.0-372.13.1.el8_6' }));
    assert.notEqual(abiKey({ distro: 'centos', version: '3.10.0-1062.18.1.el7' }), abiKey({ distro: 'centos', version: '3.10.0-1160.6.1.el7' }));
    assert.equal(abiKey({ distro: 'rhel', version: '4.18.0-372.9.1.rt7.166.el8' }), '4.18.0-372.el8');
    assert.equal(abiKey({ distro: 'ol', version: '5.15.0-200.131.27.el8uek' }), '5.15.0-200.el8uek');
    assert.equal(abiKey({ distro: 'rhel', version: 'not-a-version' }), null);
  });
  it('SUSE: the service pack in the first release number', () => {
    assert.equal(abiKey({ distro: 'sles', version: '5.14.21-150500.55.39.1' }), '5.14.21-150500');
    assert.equal(abiKey({ distro: 'sles', version: '5.14.21-150500.55.44.1' }), '5.14.21-150500');
    assert.notEqual(abiKey({ distro: 'sles', version: '5.14.21-150400.24.100.2' }), '5.14.21-150500');
    assert.equal(abiKey({ distro: 'opensuse-leap', version: '5.14.21-150500.55.39.1' }), '5.14.21-150500');
  });
  it('kernel.org: the series', () => {
    assert.equal(abiKey({ distro: 'kernel.org', version: '6.6.8' }), '6.6');
    assert.equal(abiKey({ distro: 'kernel.org', version: '6.7-rc5' }), '6.7');
  });
  it('an Ubuntu stream spans ABIs (the package name carries the ABI); others are per package', () => {
    const a = streamKey({ distro: 'ubuntu', distro_release: '22.04', package: 'linux-image-5.15.0-91-generic', flavour: 'generic' });
    const b = streamKey({ distro: 'ubuntu', distro_release: '22.04', package: 'linux-image-5.15.0-92-generic', flavour: 'generic' });
    const c = streamKey({ distro: 'ubuntu', distro_release: '22.04', package: 'linux-image-5.15.0-92-lowlatency', flavour: 'lowlatency' });
    assert.equal(a, b);
    assert.notEqual(a, c);
  });
  it('an Ubuntu GA kernel and the same release\'s HWE kernel are different lines', () => {
    const ga = streamKey({ distro: 'ubuntu', distro_release: '22.04', package: 'linux-image-5.15.0-92-generic', flavour: 'generic' });
    const hwe = streamKey({ distro: 'ubuntu', distro_release: '22.04', package: 'linux-image-6.5.0-14-generic', flavour: 'generic' });
    assert.notEqual(ga, hwe);
    assert.equal(ga, 'ubuntu/22.04/linux-image-5.15-generic/generic');
  });
});
