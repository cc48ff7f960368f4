import type { Clock } from '../clock.js';
import { nextChanges, onDuty } from '../rotation/schedule.js';
import { rotationSpec, type RotationConfig } from '../rotation/schema.js';
import { inProgress, kernelTimeline } from '../status/views.js';
import type { Store } from '../store/index.js';
import type { OutboxMessage } from '../store/outbox.js';
import { announcementFeed } from './atom.js';
import { CALENDAR_WINDOW, rotationCalendar } from './ics.js';
import { indexPage, kernelPage } from './status-page.js';

// The read-only pages and feeds on the HTTP listener, as a pure route table:
// a path in, a page (or nothing) out. server.ts serves them behind access.ts.

export interface Page { status: number; type: string; body: string }
export type PageRoute = (path: string) => Page | undefined;

export interface PageDeps {
  rotations: Record<string, RotationConfig>;
  people: Record<string, { name?: string | undefined }>;
  clock: Clock;
  /** The feed's sender, and its mail: sent mail of the templates marked `publish: true`. */
  from: string;
  announcements: () => OutboxMessage[];
  store: Store;
  watchers: { id: string; type: string }[];
}

const CALENDAR = /^\/rotation\/([A-Za-z0-9_.-]+)(?:\/([A-Za-z0-9_.-]+))?\.ics$/;

export function pageRoutes(deps: PageDeps): PageRoute {
  const names = () => Object.fromEntries(Object.entries(deps.people).map(([id, p]) => [id, p.name ?? id]));
  const html = (body: string): Page => ({ status: 200, type: 'text/html; charset=utf-8', body });
  return (path) => {
    if (path === '/') {
      const now = deps.clock.now();
      const states = new Map(deps.store.watchers.all().map((s) => [s.watcher, s]));
      return html(indexPage({
        now: now.toISOString(), names: names(),
        releases: inProgress(deps.store, now.getTime()),
        duty: Object.entries(deps.rotations).map(([name, r]) => {
          const spec = rotationSpec(name, r);
          return { rotation: name, now: onDuty(spec, now.getTime()), next: nextChanges(spec, now.getTime(), 3) };
        }),
        watchers: deps.watchers.map((w) => ({ ...w, state: states.get(w.id) })),
      }));
    }
    const kernel = /^\/kernel\/(\d{1,15})$/.exec(path);
    if (kernel) {
      const id = Number(kernel[1]);
      if (!deps.store.releases.get(id)) return notFound(`no kernel #${id}`);
      return html(kernelPage(kernelTimeline(deps.store, id), names(), deps.clock.now().toISOString()));
    }
    if (path === '/feed.atom') {
      return { status: 200, type: 'application/atom+xml; charset=utf-8', body: announcementFeed({ from: deps.from, title: 'Kernel announcements', mail: deps.announcements() }) };
    }
    const m = CALENDAR.exec(path);
    if (!m) return undefined;
    const [, name, person] = m;
    const r = deps.rotations[name!];
    if (!r) return notFound(`no rotation ${name}`);
    const spec = rotationSpec(name!, r);
    if (person !== undefined && !spec.members.includes(person) && !spec.overrides.some((o) => o.person === person)) return notFound(`${person} is not in rotation ${name}`);
    const now = deps.clock.now().getTime();
    return {
      status: 200, type: 'text/calendar; charset=utf-8',
      body: rotationCalendar({ spec, names: names(), ...(person !== undefined ? { person } : {}), from: now - CALENDAR_WINDOW.backMs, to: now + CALENDAR_WINDOW.aheadMs, now }),
    };
  };
}

const notFound = (why: string): Page => ({ status: 404, type: 'text/plain; charset=utf-8', body: `${why}\n` });
