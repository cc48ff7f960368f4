import { join } from 'node:path';
import type { HeraldEvent, KernelReleasedPayload } from '../../src/domain.js';
import { silentLogger } from '../../src/log.js';
import { sampleEvent } from '../../src/mail/context.js';
import { TemplateSet } from '../../src/mail/templates.js';
import type { RotationConfig } from '../../src/rotation/schema.js';
import { AssignmentService, type AssignParams } from '../../src/rotation/service.js';
import { Store } from '../../src/store/index.js';
import { tempDir } from './util.js';

export const HOUR = 3_600_000;
export const WEEK = 7 * 24 * HOUR;

export const PEOPLE = {
  alice: { name: 'Alice A', email: 'alice@test.example' },
  bob: { name: 'Bob B', email: 'bob@test.example' },
  carol: { name: 'Carol C', email: 'carol@test.example' },
  dave: { name: 'Dave D', email: 'dave@test.example' },
};

/**
 * A real SQLite store, the shipped templates and a clock the test moves:
 * the assignment procedure without any server. 2026-03-02 10:00 UTC is a
 * Monday; with weekly hand-offs from 2026-01-05 09:00, carol is on duty.
 */
export class AssignmentBench {
  readonly tmp = tempDir();
  readonly store = Store.open(join(this.tmp.dir, 'db.sqlite'));
  now = Date.parse('2026-03-02T10:00:00Z');
  readonly clock = { now: () => new Date(this.now) };
  readonly service: AssignmentService;
  private kernels = 0;

  /** `templatesDir`: the team's own templates, in front of the shipped ones. */
  constructor(rotation: Partial<RotationConfig> = {}, templatesDir?: string) {
    this.service = new AssignmentService({
      store: this.store, clock: this.clock, log: silentLogger(), templates: TemplateSet.withShipped(templatesDir),
      mail: { from: 'Kernel Herald <herald@test.example>', domain: 'test.example' }, people: PEOPLE,
      rotations: {
        support: {
          members: ['alice', 'bob', 'carol'], timezone: 'UTC', handoff: { start: '2026-01-05T09:00', every: WEEK },
          overrides: [], leave: [], fair_window: 90 * 24 * HOUR, ...rotation,
        },
      },
    });
  }

  kernelEvent(): HeraldEvent {
    const ev = sampleEvent() as HeraldEvent<'kernel.released'>;
    this.kernels += 1;
    const payload: KernelReleasedPayload = { ...ev.payload, kernel: { ...ev.payload.kernel, version: `5.15.0-${100 + this.kernels}.1` } };
    const id = this.store.events.append('kernel.released', payload, null, new Date(this.now).toISOString());
    return { ...ev, id, release_id: null, payload };
  }

  assign(mode: AssignParams['mode'], extra: Partial<AssignParams> = {}) {
    const ev = this.kernelEvent();
    return this.store.tx(() => this.service.create(ev, 'r', 0, {
      rotation: 'support', mode, ack_within: HOUR, claim_within: 2 * HOUR,
      templates: { volunteer: 'volunteer-request', assignment: 'assignment', unanswered: 'assignment-unanswered' }, ...extra,
    }));
  }

  advance(ms: number): number {
    this.now += ms;
    return this.service.checkDeadlines();
  }

  /** "type:person" of every assignment event, in order. */
  events(): string[] {
    return (this.store.db.prepare("SELECT type, payload FROM events WHERE type LIKE 'assignment.%' ORDER BY id").all() as { type: string; payload: string }[])
      .map((r) => `${r.type.slice('assignment.'.length)}:${(JSON.parse(r.payload) as { person: { id: string } | null }).person?.id ?? '-'}`);
  }

  /** "template>recipients" of every queued mail, in order. */
  mails(): string[] {
    return this.store.outbox.list().reverse().map((m) => `${m.template}>${m.recipients.map((r) => /<([^@]+)@/.exec(r)?.[1]).join(',')}`);
  }

  close(): void {
    this.store.close();
    this.tmp.cleanup();
  }
}
