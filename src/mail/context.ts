import type { HeraldEvent } from '../domain.js';

/**
 * What a template sees: the event payload at the top level (kernel, driver,
 * cves, urls, announcements...), plus the event itself, the people of the
 * procedure (null until the rotation assigns them) and a secret-free config.
 */
export function renderContext(event: HeraldEvent, config: { from: string }): Record<string, unknown> {
  return {
    ...(event.payload as unknown as Record<string, unknown>),
    event: { id: event.id, type: event.type, created_at: event.created_at },
    release_manager: null,
    support_person: null,
    config: { mail: { from: config.from } },
  };
}

/** A made-up kernel.released event, to compile-check and preview templates. */
export function sampleEvent(): HeraldEvent {
  return {
    id: 0, type: 'kernel.released', release_id: 0, created_at: '2026-01-01T00:00:00.000Z',
    payload: {
      kernel: { id: 0, kind: 'kernel', distro: 'ubuntu', distro_release: '22.04', package: 'linux-image-5.15.0-91-generic', version: '5.15.0-91.101', arch: [], flavour: 'generic', label: 'LTS', abi: '5.15.0-91', abi_changed: true, previous_version: '5.15.0-89.99', newest: true },
      announcements: [{ id: 0, watcher: 'sample', source: 'ubuntu-usn', title: 'USN-0000-1: Linux kernel vulnerabilities', advisory: 'USN-0000-1', urls: [] }],
      advisory: 'USN-0000-1', cves: ['CVE-2023-0001'], urls: ['https://ubuntu.com/security/notices/USN-0000-1'],
    },
  };
}
