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
