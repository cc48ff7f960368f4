import picomatch from 'picomatch';
import type { DriverRelease } from '../../domain.js';

// Driver packages in a mirror (the CUDA repositories' nvidia-driver,
// kmod-nvidia-open-dkms, nvidia-open; the MLNX_OFED / DOCA repositories'
// mlnx-ofed-kernel, its DKMS and kmod packages): each version of a package the
// watcher's `packages:` names is a driver release of that vendor.

/** The branch a vendor's version belongs to: NVIDIA's is the first number (550), MLNX_OFED's and DOCA's the first two (24.10). */
export function driverBranch(vendor: string, version: string): string {
  const v = version.replace(/^\d+:/, '');
  const m = (vendor === 'nvidia' ? /^(\d+)/ : /^(\d+\.\d+)/).exec(v);
  return m?.[1] ?? v.split(/[.-]/)[0]!;
}

export function driverPackages(pkgs: { name: string; version: string; arch: string }[], patterns: string[], vendor: string): DriverRelease[] {
  if (patterns.length === 0) return [];
  const match = picomatch(patterns);
  const byKey = new Map<string, DriverRelease>();
  for (const p of pkgs) {
    if (!match(p.name) || p.arch === 'src') continue;
    const key = `${p.name}\u0000${p.version}`;
    let r = byKey.get(key);
    if (!r) {
      r = { kind: 'driver', distro: vendor, distro_release: driverBranch(vendor, p.version), package: p.name, version: p.version, arch: [] };
      byKey.set(key, r);
    }
    if (p.arch && p.arch !== 'noarch' && p.arch !== 'all' && !r.arch.includes(p.arch)) r.arch.push(p.arch);
  }
  for (const r of byKey.values()) r.arch.sort();
  return [...byKey.values()];
}
