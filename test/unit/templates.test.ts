import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderContext, sampleContext, sampleEvent } from '../../src/mail/context.js';
import { TemplateSet } from '../../src/mail/templates.js';
import { tempDir } from '../helpers/util.js';

describe('templates', () => {
  it('kernel-notice renders the subject, versions and CVE links', () => {
    const t = TemplateSet.withShipped();
    const out = t.render('kernel-notice', renderContext(sampleEvent(), { from: 'x@example.org' }));
    assert.equal(out.subject, 'New kernel 5.15.0-91.101 for ubuntu 22.04 (generic) [USN-0000-1]');
    assert.match(out.body, /Version: +5\.15\.0-91\.101/);
    assert.match(out.body, /CVE-2023-0001 +https:\/\/www\.cve\.org\/CVERecord\?id=CVE-2023-0001/);
    assert.match(out.body, /https:\/\/ubuntu\.com\/security\/notices\/USN-0000-1/);
    assert.doesNotMatch(out.body, /&#x3D;|&amp;/, 'plain text mail is not HTML-escaped');
  });

  it('the assignment templates carry the token tag and say which word to reply', () => {
    const t = TemplateSet.withShipped();
    const ctx = sampleContext();
    const v = t.render('volunteer-request', ctx);
    assert.equal(v.subject, 'Release manager wanted: ubuntu 22.04 kernel 5.15.0-91.101 [KH-0123456789abcdef0123]');
    assert.match(v.body, /^ {2}claim$/m);
    assert.match(v.body, /If nobody claims it by 2026-01-02 00:00 UTC/);
    const asked = t.render('assignment', ctx);
    assert.equal(asked.subject, 'Please be release manager: ubuntu 22.04 kernel 5.15.0-91.101 [KH-0123456789abcdef0123]');
    assert.match(asked.body, /^Hello Alice Example,/);
    assert.match(asked.body, /^ {2}ack {7}you take it$/m);
    const claimed = t.render('assignment', { ...ctx, assignment: { ...(ctx.assignment as object), claimed: true } });
    assert.match(claimed.subject, /^You are release manager:/);
    assert.doesNotMatch(claimed.body, /decline/);
    const none = t.render('assignment-unanswered', { ...ctx, assignment: { ...(ctx.assignment as object), reason: 'no answer after 3 asked', asked: ['a', 'b', 'c'], declined: ['b'] } });
    assert.match(none.body, /no answer after 3 asked\.\nAsked so far: a, b, c; declined: b\./);
    const notice = t.render('kernel-notice', ctx);
    assert.match(notice.body, /Release manager: Alice Example <alice@example\.org>/, 'release_manager reaches later templates');
  });

  it('templates_dir overrides a shipped template; the shipped ones fill the rest', () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, 'kernel-notice.hbs'), '---\nsubject: "Ours: {{kernel.version}}"\n---\nbody\n');
      const t = TemplateSet.withShipped(dir);
      assert.equal(t.render('kernel-notice', renderContext(sampleEvent(), { from: 'x@y' })).subject, 'Ours: 5.15.0-91.101');
      assert.ok(t.fileOf('kernel-notice')!.startsWith(dir));
      assert.equal(t.has('nope'), false);
    } finally { cleanup(); }
  });

  it('reports a template without front matter, without subject, or with bad syntax', () => {
    const { dir, cleanup } = tempDir();
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'a.hbs'), 'no front matter\n');
      writeFileSync(join(dir, 'b.hbs'), '---\ntitle: x\n---\nbody\n');
      writeFileSync(join(dir, 'c.hbs'), '---\nsubject: ok\n---\n{{#if x}}unclosed\n');
      writeFileSync(join(dir, 'd.hbs'), '---\nsubject: ok\npublish: "yes"\n---\nbody\n');
      const t = new TemplateSet([dir]);
      assert.match(t.compileError('d')!, /d\.hbs: front matter: publish must be true or false/);
      assert.match(t.compileError('a')!, /missing front matter/);
      assert.match(t.compileError('b')!, /no subject/);
      assert.match(t.compileError('c')!, /c\.hbs/);
    } finally { cleanup(); }
  });
});

describe('templates: publish', () => {
  it('the kernel notice and packages-available are published to the feed by default, nothing else', () => {
    assert.deepEqual(TemplateSet.withShipped().published(), ['kernel-notice', 'packages-available']);
  });
});

describe('templates: ABI facts in kernel-notice', () => {
  it('claims old modules keep working only when the procedure says they are reused on an unchanged ABI', () => {
    const t = TemplateSet.withShipped();
    const changed = t.render('kernel-notice', renderContext(sampleEvent(), { from: 'x@y' })).body;
    assert.match(changed, /Kernel ABI: +5\.15\.0-91 \(previous kernel: 5\.15\.0-89\.99\)/);
    assert.match(changed, /Until our packages for 5\.15\.0-91\.101 are out/);
    const ev = sampleEvent();
    Object.assign((ev.payload as { kernel: Record<string, unknown> }).kernel, { abi_changed: false, previous_version: '5.15.0-91.100' });
    const same = t.render('kernel-notice', renderContext(ev, { from: 'x@y' })).body;
    assert.match(same, /Until our packages/, 'an unchanged ABI alone proves nothing about our modules');
    assert.doesNotMatch(same, /you can update now/);
    const reused = t.render('kernel-notice', { ...renderContext(ev, { from: 'x@y' }), procedure: { reuse_on_same_abi: true, checklist: [] } }).body;
    assert.match(reused, /same as 5\.15\.0-91\.100's, and our modules\nfor that kernel load on this one: you can update now/);
    assert.match(reused, /write again, in\nthis thread/);
  });
});
