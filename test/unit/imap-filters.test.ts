import assert from 'node:assert/strict';
import { parseMail } from '../../src/sources/document.js';
import { passesFilters } from '../../src/watchers/imap/message.js';
import { fixture } from '../helpers/util.js';

describe('IMAP filters', () => {
  it('List-Id and From contain, Subject matches; all must hold', async () => {
    const mail = await parseMail(fixture('centos-announce/CESA-2020-5023-kernel.eml'));
    assert.ok(passesFilters(mail, undefined));
    assert.ok(passesFilters(mail, { list_id: 'centos-announce.centos.org' }));
    assert.ok(passesFilters(mail, { from: 'centos.org', subject: '\\bkernel\\b' }));
    assert.ok(!passesFilters(mail, { list_id: 'rocky-announce' }));
    assert.ok(!passesFilters(mail, { from: 'centos.org', subject: 'firefox' }));
  });
});
