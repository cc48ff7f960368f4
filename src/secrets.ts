import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeraldError } from './errors.js';

/**
 * Where a secret comes from: a file (`password_file: /etc/kernel-herald/imap.pw`)
 * or a systemd credential (`password_file: credential:imap-password`, read from
 * `$CREDENTIALS_DIRECTORY/imap-password`, which `LoadCredential=` fills; the
 * secret then never sits in a file the service user can read elsewhere).
 */
export type SecretLocation = { kind: 'file'; path: string } | { kind: 'credential'; name: string };

const CREDENTIAL = /^credential:([A-Za-z0-9_.@-]+)$/;

export function secretLocation(ref: string): SecretLocation {
  const m = CREDENTIAL.exec(ref);
  return m ? { kind: 'credential', name: m[1]! } : { kind: 'file', path: ref };
}

export function isCredentialRef(ref: string): boolean {
  return CREDENTIAL.test(ref);
}

/** The file a reference reads at this moment, or why there is none. */
function fileOf(ref: string, what: string): string {
  const loc = secretLocation(ref);
  if (loc.kind === 'file') return loc.path;
  const dir = process.env.CREDENTIALS_DIRECTORY;
  if (!dir) throw new HeraldError('ECONFIG', `${what}: ${ref} needs $CREDENTIALS_DIRECTORY (set by systemd for a unit with LoadCredential=${loc.name}:FILE)`);
  return join(dir, loc.name);
}

/** A secret's text, without its trailing newline. The message names the key and the file, never the content. */
export function readSecret(ref: string, what: string): string {
  const file = fileOf(ref, what);
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new HeraldError('ECONFIG', `${what}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** For check-config: a warning when the secret cannot be found now (it is read when used, so not an error). */
export function secretWarning(ref: string, what: string): string | undefined {
  const loc = secretLocation(ref);
  if (loc.kind === 'file') return existsSync(loc.path) ? undefined : `${what}: ${loc.path} does not exist yet (read when used)`;
  const dir = process.env.CREDENTIALS_DIRECTORY;
  if (!dir) return undefined; // outside the unit: nothing to check against
  return existsSync(join(dir, loc.name)) ? undefined : `${what}: no credential ${loc.name} in $CREDENTIALS_DIRECTORY (LoadCredential=${loc.name}:FILE in the unit)`;
}
