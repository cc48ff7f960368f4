import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSecret, secretLocation, secretWarning } from '../../src/secrets.js';
import { tempDir } from '../helpers/util.js';

describe('secrets: files and systemd credentials', () => {
  let t: ReturnType<typeof tempDir>;
  const saved = process.env.CREDENTIALS_DIRECTORY;
  beforeEach(() => { t = tempDir(); });
  afterEach(() => {
    if (saved === undefined) delete process.env.CREDENTIALS_DIRECTORY; else process.env.CREDENTIALS_DIRECTORY = saved;
    t.cleanup();
  });

  it('credential:NAME reads $CREDENTIALS_DIRECTORY/NAME; a path reads the file; the trailing newline goes', () => {
    const creds = join(t.dir, 'creds');
    mkdirSync(creds);
    writeFileSync(join(creds, 'imap-password'), 's3cret\n');
    writeFileSync(join(t.dir, 'gh.token'), 'ghp_x\n');
    process.env.CREDENTIALS_DIRECTORY = creds;
    assert.equal(readSecret('credential:imap-password', 'watchers[0].password_file'), 's3cret');
    assert.equal(readSecret(join(t.dir, 'gh.token'), 'token_file'), 'ghp_x');
    assert.deepEqual(secretLocation('credential:github-token'), { kind: 'credential', name: 'github-token' });
    assert.deepEqual(secretLocation('/etc/x'), { kind: 'file', path: '/etc/x' });
    assert.match(secretWarning('credential:github-token', 'builds.x.token_file')!, /no credential github-token in \$CREDENTIALS_DIRECTORY/);
    assert.equal(secretWarning('credential:imap-password', 'w'), undefined);
  });

  it('errors name the key and the file, never the content; outside the unit a credential says what it needs', () => {
    delete process.env.CREDENTIALS_DIRECTORY;
    assert.throws(() => readSecret('credential:smtp-password', 'mail.smtp.password_file'), /mail\.smtp\.password_file: credential:smtp-password needs \$CREDENTIALS_DIRECTORY \(set by systemd for a unit with LoadCredential=smtp-password:FILE\)/);
    assert.throws(() => readSecret(join(t.dir, 'missing'), 'token_file'), /token_file: cannot read .*missing: ENOENT/);
    assert.equal(secretWarning('credential:smtp-password', 'x'), undefined, 'nothing to check against outside the unit');
  });
});
