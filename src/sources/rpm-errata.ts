import type { Announcement, KernelRelease } from '../domain.js';
import { findCves, unique, type SourceInput } from './source.js';

// What the RHEL-family errata texts share (centos-announce CESA/CEBA/CEEA, Rocky
// RLSA, AlmaLinux ALSA, OSV records, updateinfo): package file names
// name-version-release.arch.rpm. Kernel subpackages (kernel-devel, -headers,
// -debug, -tools, -abi-stablelists...) belong to the release of their kernel.

/** Kernel package families, longest first so kernel-rt-devel is kernel-rt's. */
const KERNEL_BASES = ['kernel-rt', 'kernel-uek', 'kernel-plus', 'kernel-lt', 'kernel-ml', 'kernel-64k', 'kernel'];
/** Packages built from the kernel source that are not named kernel-*. */
const KERNEL_SIDE = new Set(['bpftool', 'perf', 'python-perf', 'python3-perf', 'rtla', 'rv', 'libperf']);

export function kernelBase(name: string): string | undefined {
  return KERNEL_BASES.find((b) => name === b || name.startsWith(`${b}-`));
}

export interface Nevra { name: string; epoch: string | null; version: string; release: string; arch: string }

/** "kernel-3.10.0-1160.6.1.el7.x86_64.rpm" or an NEVRA without ".rpm". */
export function parseNevra(file: string): Nevra | undefined {
  const m = /^(?:.*\/)?([A-Za-z0-9_.+-]+?)-(?:(\d+):)?([^-:]+)-([^-]+)\.([a-z0-9_]+)$/.exec(file.trim().replace(/\.rpm$/, ''));
  if (!m) return undefined;
  return { name: m[1]!, epoch: m[2] ?? null, version: m[3]!, release: m[4]!, arch: m[5]! };
}

/** "el8_9" -> "8"; "el7" -> "7". */
export function majorFromRelease(release: string): string | undefined {
  return /\bel(\d+)/.exec(release)?.[1];
}

/**
 * Kernel releases among package files: one per (kernel family, version-release),
 * with the binary architectures it was published for. Non-kernel packages, and
 * side packages alone, yield nothing.
 */
export function kernelReleasesFromPackages(distro: string, files: string[], distroRelease?: string): KernelRelease[] {
  const byKey = new Map<string, KernelRelease>();
  for (const f of files) {
    const n = parseNevra(f);
    if (!n) continue;
    const base = kernelBase(n.name);
    if (!base) continue;
    const rel = distroRelease ?? majorFromRelease(n.release);
    if (!rel) continue;
    const version = `${n.version}-${n.release}`;
    const key = `${base}\u0000${version}\u0000${rel}`;
    let r = byKey.get(key);
    if (!r) {
      r = { kind: 'kernel', distro, distro_release: rel, package: base, version, arch: [] };
      byKey.set(key, r);
    }
    if (n.arch !== 'src' && n.arch !== 'noarch' && !r.arch.includes(n.arch)) r.arch.push(n.arch);
  }
  for (const r of byKey.values()) r.arch.sort();
  return [...byKey.values()];
}

export function isKernelSidePackage(name: string): boolean {
  return KERNEL_SIDE.has(name);
}

const RPM_FILE = /\b([A-Za-z0-9_.+-]+-[^\s-]+-[^\s-]+\.(?:x86_64|aarch64|ppc64le|ppc64|s390x|i686|i386|noarch|src)\.rpm)\b/g;

export function rpmFilesIn(text: string): string[] {
  return unique([...text.matchAll(RPM_FILE)].map((m) => m[1]!));
}

/** An errata mail (subject + body) as an Announcement, for the source that recognised it. */
export function parseErrataMail(opts: {
  source: string; distro: string; advisoryPattern: RegExp; subject: string; text: string; format: Announcement['format'];
  distroRelease?: string | undefined;
}): Announcement {
  const advisory = opts.advisoryPattern.exec(opts.subject)?.[0] ?? opts.advisoryPattern.exec(opts.text)?.[0] ?? null;
  const urls = unique([...opts.text.matchAll(/https?:\/\/[^\s<>()"]+/g)].map((m) => m[0].replace(/[.,;]+$/, ''))
    .filter((u) => /errata|security|advisories|RHSA|RLSA|ALSA/i.test(u)));
  return {
    format: opts.format, source: opts.source, title: opts.subject, advisory,
    cves: findCves(opts.subject, opts.text), urls,
    releases: kernelReleasesFromPackages(opts.distro, rpmFilesIn(opts.text), opts.distroRelease),
  };
}

/** Subject and body of a mail, or of a text whose first line stands for the subject. */
export function errataText(input: SourceInput): { subject: string; text: string } | undefined {
  if (input.format === 'email') return { subject: input.mail.subject, text: input.mail.text };
  if (input.format === 'text') return { subject: input.text.split('\n').find((l) => l.trim()) ?? '', text: input.text };
  return undefined;
}
