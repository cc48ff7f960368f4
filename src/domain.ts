// The domain, as every part after the parsing boundary sees it.

export type AnnouncementFormat = 'email' | 'rss' | 'atom' | 'json' | 'xml' | 'text';

export interface KernelRelease {
  kind: 'kernel';
  distro: string;            // os-release ID, or "kernel.org"
  distro_release: string;    // VERSION_ID ("22.04"), kernel.org series or "mainline"
  package: string;
  version: string;           // exactly as published
  arch: string[];
  flavour?: string;          // Ubuntu: generic, aws, lowlatency...
  label?: 'LTS' | 'ESM';     // Ubuntu release label, when the notice gives one
}

export interface DriverRelease {
  kind: 'driver';
  distro: string;            // vendor: "nvidia"
  distro_release: string;    // driver branch ("550")
  package: string;           // open-gpu-kernel-modules, mlnx-ofed, ...
  version: string;
  arch: string[];
}

export type Release = KernelRelease | DriverRelease;

export interface Announcement {
  format: AnnouncementFormat;
  source: string;
  title: string;
  advisory: string | null;
  cves: string[];
  urls: string[];
  releases: Release[];
  published?: string;        // ISO 8601, when the text says
}

/** The identity of a release record: one row, one event. */
export function releaseKey(r: Release): string {
  return [r.kind, r.distro, r.distro_release, r.package, r.version].join('\u0000');
}

export const EVENT_TYPES = [
  'kernel.released', 'driver.released',
  'assignment.requested', 'assignment.accepted', 'assignment.declined', 'assignment.expired',
  'build.started', 'build.succeeded', 'build.failed', 'build.cancelled', 'builds.completed',
  'release.phase', 'release.tested', 'release.test_failed', 'release.published', 'release.abandoned', 'release.overdue', 'release.superseded',
  'watcher.quiet',
] as const;

export type EventType = typeof EVENT_TYPES[number];

export interface AnnouncementRef {
  id: number;
  watcher: string;
  source: string;
  title: string;
  advisory: string | null;
  urls: string[];
}

export interface KernelFacts {
  id: number;
  /** ABI key (src/versions/abi.ts); null when the version does not show one. */
  abi: string | null;
  /** False when the highest earlier kernel of the stream has the same ABI: a rebuild is optional. */
  abi_changed: boolean;
  /** The highest known kernel of the stream below this one, if any. */
  previous_version: string | null;
  /** False when a higher kernel of the stream is already known (a late or re-sent announcement). */
  newest: boolean;
}

export interface KernelReleasedPayload {
  kernel: KernelRelease & KernelFacts;
  announcements: AnnouncementRef[];
  advisory: string | null;
  cves: string[];
  urls: string[];
}

export interface DriverReleasedPayload {
  driver: { id: number; vendor: string; package: string; version: string; branch: string; arch: string[] };
  announcements: AnnouncementRef[];
  urls: string[];
}

export interface PersonRef { id: string; name: string; email: string }

export interface AssignmentPayload {
  assignment: {
    id: number;
    rotation: string;
    mode: 'volunteer' | 'duty' | 'fair';
    state: 'claiming' | 'asking' | 'accepted' | 'unassigned';
    /** How the step came about: email (a reply), cli, timer, rule. */
    via: string;
    /** Expired: nobody is left to ask, the whole rotation was told. */
    final?: boolean;
  };
  /** Who was asked, accepted, declined or let it expire; null for a volunteer request to the whole rotation. */
  person: PersonRef | null;
  /** The kernel (or driver) the assignment is for, as its originating event had it. */
  kernel: (KernelRelease & KernelFacts) | null;
  driver: DriverReleasedPayload['driver'] | null;
}

export interface BuildRef {
  id: number;
  target: string;
  type: string;
  matrix: Record<string, string>;
  attempt: number;
  state: string;
  url: string | null;
  external_id: string | null;
  /** What it produced (URLs). */
  artifacts: string[];
  /** Why it failed, or how it ended. */
  detail?: string | null;
}

export interface BuildPayload {
  build: BuildRef;
  kernel: (KernelRelease & KernelFacts) | null;
  driver: DriverReleasedPayload['driver'] | null;
}

export interface BuildsCompletedPayload {
  /** Every build the kernel's rules started succeeded. */
  ok: boolean;
  builds: BuildRef[];
  kernel: (KernelRelease & KernelFacts) | null;
  driver: DriverReleasedPayload['driver'] | null;
}

/** A watcher that produced nothing new for its `expect_every`. */
export interface WatcherQuietPayload {
  watcher: { id: string; type: string; last_new_at: string | null; expect_every: string; quiet_since: string };
}

/** A kernel's place in a procedure, as events about it carry it. */
export interface ReleaseRef {
  id: number;
  procedure: string;
  phase: string;
  /** When the phase entered now is due to end, if it has a deadline. */
  due: string | null;
  /** Testers who reported it good in this round, and how many must. */
  approvals: string[];
  approvals_needed: number | null;
}

/** Every event of the procedure carries the kernel's own context (the kernel.released payload) too. */
export interface ReleaseContextPayload extends KernelReleasedPayload {
  release: ReleaseRef;
}

export interface ReleasePhasePayload extends ReleaseContextPayload { from: string; to: string }
export interface ReleaseStepPayload extends ReleaseContextPayload { person: PersonRef | null; note: string; via: string }
export interface ReleaseOverduePayload extends ReleaseContextPayload {
  phase: string;
  due: string;
  reminders: number;
  /** Whom this reminder names: the release manager, then the support person too, then the rotation. */
  escalation: 'release_manager' | 'support_person' | 'rotation';
}
export interface ReleaseSupersededPayload extends ReleaseContextPayload {
  /** The newer kernel that took its place. */
  by: { id: number; version: string; release: number };
}

export interface EventPayloads {
  'kernel.released': KernelReleasedPayload;
  'driver.released': DriverReleasedPayload;
  'assignment.requested': AssignmentPayload;
  'assignment.accepted': AssignmentPayload;
  'assignment.declined': AssignmentPayload;
  'assignment.expired': AssignmentPayload;
  'build.started': BuildPayload;
  'build.succeeded': BuildPayload;
  'build.failed': BuildPayload;
  'build.cancelled': BuildPayload;
  'builds.completed': BuildsCompletedPayload;
  'release.phase': ReleasePhasePayload;
  'release.tested': ReleaseStepPayload;
  'release.test_failed': ReleaseStepPayload;
  'release.published': ReleaseStepPayload;
  'release.abandoned': ReleaseStepPayload;
  'release.overdue': ReleaseOverduePayload;
  'release.superseded': ReleaseSupersededPayload;
  'watcher.quiet': WatcherQuietPayload;
}

export interface HeraldEvent<T extends EventType = EventType> {
  id: number;
  type: T;
  release_id: number | null;
  created_at: string;
  payload: EventPayloads[T];
}
