import type { KernelRelease } from '../domain.js';
import { kernelSeries } from './kernel.js';

/**
 * The kernel ABI a module is built against. Two kernels with the same key
 * load the same modules (weak-updates, kABI), so a rebuild is optional.
 *  - Ubuntu: 5.15.0-91.101 -> 5.15.0-91 (the ABI number is the part of the
 *    upload number before the dot; flavours share it).
 *  - RHEL family: the minor release's kABI stream, 4.18.0-513.5.1.el8_9 -> el8_9;
 *    z-stream updates within it keep the kABI. A release without a minor in its
 *    dist tag (3.10.0-1160.6.1.el7) is its major's stream, el7.
 *  - kernel.org: the series, 6.6.8 -> 6.6.
 */
export function abiKey(k: Pick<KernelRelease, 'distro' | 'version'>): string | null {
  switch (k.distro) {
    case 'ubuntu':
    case 'debian': {
      const m = /^(?:\d+:)?([^-]+)-(\d+)(?:[.~+]|$)/.exec(k.version);
      return m ? `${m[1]}-${m[2]}` : null;
    }
    case 'kernel.org':
      try {
        return kernelSeries(k.version);
      } catch {
        return null;
      }
    default: {
      const m = /\.(el\d+(?:_\d+)?)(?:[._]|$)/.exec(k.version);
      return m ? m[1]! : null;
    }
  }
}

/**
 * The stream a kernel belongs to, for "previous" and "newest": distro,
 * release, flavour and package, where Ubuntu's linux-image-<abi>-<flavour>
 * counts as one package across ABIs (its name changes with every ABI).
 */
export function streamPackage(k: Pick<KernelRelease, 'distro' | 'package' | 'flavour'>): string {
  if (k.distro === 'ubuntu' && k.flavour && /^linux-image-\d/.test(k.package)) return `linux-image-${k.flavour}`;
  return k.package;
}

export function streamKey(k: Pick<KernelRelease, 'distro' | 'distro_release' | 'package' | 'flavour'>): string {
  return [k.distro, k.distro_release, streamPackage(k), k.flavour ?? ''].join('/');
}
