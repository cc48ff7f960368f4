import type { HeraldEvent, PersonRef } from '../domain.js';

/**
 * What a template sees: the event payload at the top level (kernel, driver,
 * cves, urls, announcements...), plus the event itself, the people of the
 * procedure (null until the rotation assigns them) and a secret-free config.
 */
export function renderContext(event: HeraldEvent, config: { from: string }, roles: { release_manager: PersonRef | null; support_person: PersonRef | null } = { release_manager: null, support_person: null }): Record<string, unknown> {
  return {
    ...(event.payload as unknown as Record<string, unknown>),
    event: { id: event.id, type: event.type, created_at: event.created_at },
    release_manager: roles.release_manager,
    support_person: roles.support_person,
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

/** Everything any template may see (event payload, roles, an assignment), for compile checks and previews. */
export function sampleContext(): Record<string, unknown> {
  const alice = { id: 'alice', name: 'Alice Example', email: 'alice@example.org' };
  const bob = { id: 'bob', name: 'Bob Example', email: 'bob@example.org' };
  return {
    ...renderContext(sampleEvent(), { from: 'Kernel Herald <kernel-herald@example.org>' }, { release_manager: alice, support_person: bob }),
    assignment: {
      id: 0, token: '0123456789abcdef0123', tag: '[KH-0123456789abcdef0123]', rotation: 'support', mode: 'volunteer', state: 'asking',
      deadline: '2026-01-02T00:00:00.000Z', deadline_local: '2026-01-02 00:00 UTC', ack_within: '24h', claim_within: '24h',
      escalations: 0, asked: ['alice'], declined: [], claimed: false, reason: null,
    },
    person: alice,
    rotation: { name: 'support', members: [alice, bob] },
    recipient: alice,
    reply: { token: '0123456789abcdef0123', tag: '[KH-0123456789abcdef0123]' },
    reason: 'its first line is not one of the words',
    release: { id: 0, procedure: 'sample', phase: 'testing', due: '2026-01-03T00:00:00.000Z', approvals: ['bob'], approvals_needed: 2 },
    procedure: { name: 'sample', checklist: ['install the packages', 'reboot', 'check uname -r'], reuse_on_same_abi: false, phases: ['assign', 'build', 'test', 'publish'], publish_repo: 'https://repo.example.org/el9/' },
    testers: [bob],
    builds: [{ id: 0, target: 'kmod', type: 'command', matrix: { arch: 'x86_64' }, attempt: 1, state: 'succeeded', url: 'https://ci.example.org/run/1', external_id: '1', artifacts: ['https://ci.example.org/run/1/kmod.rpm'], detail: null }],
    build: { id: 0, target: 'kmod', type: 'command', matrix: { arch: 'x86_64' }, attempt: 2, state: 'failed', url: 'https://ci.example.org/run/1', external_id: '1', artifacts: [], detail: 'exit status 2' },
    driver: null,
    from: 'testing', to: 'publishing',
    phase: 'testing', due: '2026-01-03T00:00:00.000Z', reminders: 2, escalation: 'support_person',
    by: { id: 1, version: '5.15.0-92.102', release: 1 },
    note: '',
  };
}
