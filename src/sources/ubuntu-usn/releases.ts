// Codename -> VERSION_ID, for notices that name a release only by codename.
// The notice JSON normally carries its own table ("releases"); this is the
// fallback for older notices and the mail, which never use codenames.
const CODENAMES: Record<string, string> = {
  trusty: '14.04', xenial: '16.04', bionic: '18.04', focal: '20.04', groovy: '20.10',
  hirsute: '21.04', impish: '21.10', jammy: '22.04', kinetic: '22.10', lunar: '23.04',
  mantic: '23.10', noble: '24.04', oracular: '24.10', plucky: '25.04', questing: '25.10',
  resolute: '26.04',
};

export function codenameToVersion(codename: string): string | undefined {
  return CODENAMES[codename.toLowerCase()];
}

/** LTS releases are the April releases of even years. */
export function isLtsVersion(version: string): boolean {
  const m = /^(\d\d)\.04$/.exec(version);
  return m !== null && Number(m[1]) % 2 === 0;
}

/** linux-image-<abi>-<flavour>, where abi is e.g. 5.15.0-91. Meta packages do not match. */
const KERNEL_IMAGE = /^linux-image-(\d+\.\d+\.\d+-\d+)-([a-z0-9][a-z0-9-]*)$/;

export function kernelImage(pkg: string): { abi: string; flavour: string } | undefined {
  const m = KERNEL_IMAGE.exec(pkg);
  return m ? { abi: m[1]!, flavour: m[2]! } : undefined;
}

/**
 * The kernel an Ubuntu binary belongs to, for records that list only some of
 * a kernel's binaries (OSV lists the unsigned image and the modules, never the
 * signed image): linux-image[-unsigned]-<abi>-<flavour> or
 * linux-modules-<abi>-<flavour>. The kernel is then named by its signed image,
 * linux-image-<abi>-<flavour>, as every other source names it.
 */
const KERNEL_BINARY = /^linux-(?:image-unsigned|image|modules)-(\d+\.\d+\.\d+-\d+)-([a-z0-9][a-z0-9-]*)$/;

export function kernelOfBinary(pkg: string): { abi: string; flavour: string; image: string } | undefined {
  const m = KERNEL_BINARY.exec(pkg);
  return m ? { abi: m[1]!, flavour: m[2]!, image: `linux-image-${m[1]}-${m[2]}` } : undefined;
}

/**
 * The kernel a source package builds, when no binary names it: linux and
 * linux-hwe-* build generic, linux-<flavour>[-<series>] and
 * linux-signed-<flavour>[-<series>] build that flavour; the ABI is the upload
 * number before its dot. Meta packages, firmware and the like (whose versions
 * are not a kernel's) give nothing.
 */
export function kernelOfSource(source: string, version: string): { abi: string; flavour: string; image: string } | undefined {
  const v = /^(\d+\.\d+\.\d+-\d+)\.\d+/.exec(version);
  if (!v || /^linux-(meta|restricted-modules|firmware|base|atm|libc|tools|doc|source)\b/.test(source)) return undefined;
  const m = /^linux(?:-signed)?(?:-(.+?))?(?:-\d+\.\d+)?$/.exec(source);
  if (!m) return undefined;
  const flavour = (m[1] ?? '').replace(/(^|-)hwe$/, '') || 'generic';
  return { abi: v[1]!, flavour, image: `linux-image-${v[1]}-${flavour}` };
}
