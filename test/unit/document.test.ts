import assert from 'node:assert/strict';
import { decodeBody, parseFeed, sniffFormat } from '../../src/sources/document.js';

describe('documents: the parsing boundary', () => {
  it('sniffs formats', () => {
    assert.equal(sniffFormat('<?xml version="1.0"?><rss version="2.0">'), 'rss');
    assert.equal(sniffFormat('<feed xmlns="http://www.w3.org/2005/Atom">'), 'atom');
    assert.equal(sniffFormat(' {"a":1}'), 'json');
    assert.equal(sniffFormat('From: a@b\nSubject: x\n\nbody'), 'email');
    assert.equal(sniffFormat('---\ntitle: x\n---\ntext'), 'text');
  });

  it('refuses bytes that are not the declared or assumed encoding, and decodes a declared Latin-1 feed', () => {
    assert.throws(() => decodeBody(Buffer.from([0x3c, 0x72, 0xe9, 0xff, 0x3e])), /not valid utf-8/);
    const latin1 = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><x>'), Buffer.from([0xe9]), Buffer.from('</x>')]);
    assert.match(decodeBody(latin1), /<x>é<\/x>/);
    assert.throws(() => decodeBody(Buffer.from('x'), 'text/xml; charset=klingon'), /unsupported character encoding "klingon"/);
  });

  it('refuses entity declarations (billion laughs) before any parser sees them', async () => {
    const lol = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;">]><rss version="2.0"><channel><title>&lol1;</title></channel></rss>';
    await assert.rejects(parseFeed(lol), /declares entities/);
  });

  it('reports malformed XML with line and column, without throwing out of band', async () => {
    await assert.rejects(parseFeed('<rss version="2.0">\n<channel><item><title>x</ti'), /malformed XML at line 2/);
    await assert.rejects(parseFeed('<html><body>not a feed</body></html>'), /not an RSS or Atom feed/);
  });
});
