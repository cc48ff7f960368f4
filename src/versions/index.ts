import { HeraldError } from '../errors.js';
import { compareDeb, parseDeb } from './deb.js';
import { compareKernel, parseKernel } from './kernel.js';
import { compareRpm, evrWarnings } from './rpm.js';

export type Scheme = 'rpm' | 'deb' | 'kernel';
export const SCHEMES: readonly Scheme[] = ['rpm', 'deb', 'kernel'];

const BY_DISTRO: Record<string, Scheme> = {
  ubuntu: 'deb', debian: 'deb',
  centos: 'rpm', rhel: 'rpm', rocky: 'rpm', almalinux: 'rpm', ol: 'rpm', fedora: 'rpm', amzn: 'rpm',
  sles: 'rpm', sled: 'rpm', suse: 'rpm', opensuse: 'rpm', 'opensuse-leap': 'rpm', 'sle-micro': 'rpm',
  'kernel.org': 'kernel',
  // Vendor driver versions (550.54.14, 24.10-1.1.4.0) are dotted numbers: rpm's order fits.
  nvidia: 'rpm', mellanox: 'rpm',
};

export function schemeFor(distro: string): Scheme | undefined {
  return BY_DISTRO[distro];
}

export function compareVersions(scheme: Scheme, a: string, b: string): -1 | 0 | 1 {
  switch (scheme) {
    case 'rpm': return compareRpm(a, b);
    case 'deb': return compareDeb(a, b);
    case 'kernel': return compareKernel(a, b);
  }
}

/**
 * Throws a HeraldError naming the version when the scheme's own tool would
 * refuse it; returns what that tool would only warn about (and then compare).
 */
export function validateVersion(scheme: Scheme, v: string): string[] {
  switch (scheme) {
    case 'rpm': return evrWarnings(v);
    case 'deb': return parseDeb(v).warnings;
    case 'kernel': parseKernel(v); return [];
  }
}

export function isScheme(s: string): s is Scheme {
  return (SCHEMES as readonly string[]).includes(s);
}

export function assertScheme(s: string): Scheme {
  if (!isScheme(s)) throw new HeraldError('EUSAGE', `--scheme must be one of ${SCHEMES.join(', ')}, not "${s}"`);
  return s;
}
