import type { KernelRelease } from '../domain.js';
import { kernelSeries } from './kernel.js';

/**
 * The kernel ABI a module is built against. Two kernels with the same key
 * load the same modules (weak-updates, kABI), so a rebuild is optional.
 *  - Ubuntu: 5.15.0-91.101 -> 5.15.0-91 (the ABI number is the part of the
 *    upload number before the dot; flavours share it).
 *  - RHEL family: the kABI follows the minor release, and the first release
 *    number names it for the GA kernel and every z-stream after it
 *    (4.18.0-372.9.1.el8 and 4.18.0-372.13.1.el8_6 are both 8.6:
 *    4.18.0-372.el8). The dist tag cannot be trusted for this: GA kernels
 *    carry the bare el8, and CentOS 7 never carried a minor at all.
 *  - SUSE: the service pack, which the first release number encodes
 *    (5.14.21-150500.55.39.1 is SLE 15 SP5: 5.14.21-150500); kABI is kept
 *    within it.
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
    case 'sles':
    case 'sled':
    case 'suse':
    case 'opensuse-leap':
    case 'sle-micro': {
      const m = /^(\d+\.\d+\.\d+)-(\d{6})\./.exec(k.version);
      return m ? `${m[1]}-${m[2]}` : null;
    }
    default: {
      const m = /^(\d+\.\d+\.\d+)-(\d+)(?:\.[\w]+)*?\.(el\d+(?:uek)?)(?:_\d+)?(?:[.]|$)/.exec(k.version);
      return m ? `${m[1]}-${m[2]}.${m[3]}` : null;
    }
  }
}

/**
 * The stream a kernel belongs to, for "previous" and "newest": distro,
 * release, flavour and package, where Ubuntu's linux-image-<abi>-<flavour>
 * counts as one package across the ABIs of one kernel line (its name
 * changes with every ABI). The line is the upstream series: a release's GA
 * kernel (5.15) and its HWE kernels (6.5, 6.8) are different lines, and a
 * GA update is still the newest of its own line when an HWE kernel is known.
 */
export function streamPackage(k: Pick<KernelRelease, 'distro' | 'package' | 'flavour'> & { version?: string }): string {
  if (k.distro === 'ubuntu' && k.flavour) {
    const m = /^linux-image-(?:unsigned-)?(\d+\.\d+)\.\d+-\d+/.exec(k.package);
    if (m) return `linux-image-${m[1]}-${k.flavour}`;
  }
  // Amazon Linux 2 ships its 4.14, 5.10 and 5.15 kernels (the extras topics)
  // all as "kernel": the line is the upstream series.
  if (k.distro === 'amzn' && k.version) {
    const m = /^(\d+\.\d+)\./.exec(k.version);
    if (m) return `${k.package}-${m[1]}`;
  }
  return k.package;
}

export function streamKey(k: Pick<KernelRelease, 'distro' | 'distro_release' | 'package' | 'flavour'> & { version?: string }): string {
  return [k.distro, k.distro_release, streamPackage(k), k.flavour ?? ''].join('/');
}
