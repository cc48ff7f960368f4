import type { WatcherState } from '../store/watchers.js';
import type { inProgress, kernelTimeline } from '../status/views.js';

// The status pages as HTML: rendered on the server, readable without a
// script, every value escaped. Pure: data in, a page out.

export type InProgress = ReturnType<typeof inProgress>;
export type Timeline = ReturnType<typeof kernelTimeline>;

export interface Duty { rotation: string; now: string | undefined; next: { at: string; person: string | undefined }[] }

export interface IndexData {
  now: string;
  releases: InProgress;
  duty: Duty[];
  watchers: { id: string; type: string; state: WatcherState | undefined }[];
  names: Record<string, string>;
}

/** HTML text and attribute values: the five specials escaped. */
export function esc(v: unknown): string {
  return String(v ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A person's reply token travels in the subjects of their mail: the page never shows it. */
export function withoutToken(subject: string): string {
  return subject.replace(/\s*\[KH-[0-9a-f]{20}\]/gi, '');
}

/** Only web links become links: a URL from a CI or a feed is not trusted to be one. */
function link(url: string | null | undefined, text: string): string {
  return url && /^https?:\/\//i.test(url) ? `<a href="${esc(url)}">${esc(text)}</a>` : esc(text);
}

const CSS = 'body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:72rem;padding:0 1rem;color:#1b1b1b}'
  + 'table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{text-align:left;padding:.3rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}'
  + 'th{background:#f3f3f3}h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:1.5rem}.muted{color:#666}.bad{color:#a00}code{font-size:.9em}';

function layout(title: string, body: string, now: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">`
    + `<title>${esc(title)}</title><style>${CSS}</style></head>\n<body>\n<header><p><a href="/">kernel-herald</a> · <span class="muted">as of ${esc(now)}</span></p></header>\n`
    + `<main>\n${body}\n</main>\n</body></html>\n`;
}

function table(headers: string[], rows: string[][], empty: string): string {
  if (rows.length === 0) return `<p class="muted">${esc(empty)}</p>`;
  return `<table><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>\n<tbody>\n`
    + rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n') + '\n</tbody></table>';
}

const who = (id: string | null | undefined, names: Record<string, string>) => (id ? esc(names[id] ?? id) : '<span class="muted">nobody yet</span>');

export function indexPage(d: IndexData): string {
  const releases = table(['Kernel', 'Distribution', 'Procedure', 'Phase', 'Release manager', 'Builds', 'Age', 'Next deadline'], d.releases.map((r) => [
    `<a href="/kernel/${r.release}">${esc(r.kernel)}</a>`, esc(`${r.distro} ${r.distro_release}`), esc(r.procedure), esc(r.phase), who(r.release_manager, d.names),
    r.builds.total ? esc(`${r.builds.succeeded}/${r.builds.total} ok${r.builds.failed ? `, ${r.builds.failed} failed` : ''}${r.builds.running ? `, ${r.builds.running} running` : ''}`) : '<span class="muted">none</span>',
    esc(r.age), esc(r.due ?? '-'),
  ]), 'No kernel is in progress.');
  const duty = d.duty.map((r) => `<h3>${esc(r.rotation)} <span class="muted">(<a href="/rotation/${esc(r.rotation)}.ics">calendar</a>)</span></h3>\n`
    + `<p>On duty now: <strong>${r.now ? esc(d.names[r.now] ?? r.now) : 'nobody (everyone is away)'}</strong></p>\n`
    + table(['Hand-off', 'To'], r.next.map((c) => [esc(c.at), c.person ? esc(d.names[c.person] ?? c.person) : 'nobody']), 'No hand-off ahead.')).join('\n');
  const watchers = table(['Watcher', 'Type', 'Last success', 'Last new item', 'Failures', 'Last error'], d.watchers.map((w) => [
    esc(w.id), esc(w.type), esc(w.state?.last_success_at ?? 'never'), esc(w.state?.last_new_at ?? '-'),
    esc(w.state?.failures ?? 0), w.state?.last_error ? `<span class="bad">${esc(w.state.last_error)}</span>` : '-',
  ]), 'No watcher is configured.');
  return layout('kernel-herald status', `<h1>Kernels in progress</h1>\n${releases}\n<h2>Who is on duty</h2>\n${duty || '<p class="muted">No rotation is configured.</p>'}\n<h2>Watchers</h2>\n${watchers}`, d.now);
}

export function kernelPage(t: Timeline, names: Record<string, string>, now: string): string {
  const r = t.release;
  const title = `${r.distro} ${r.distro_release} ${r.package} ${r.version}${r.flavour ? ` (${r.flavour})` : ''}`;
  const parts = [`<h1>${esc(title)}</h1>`, `<p>Release manager: ${who(t.release_manager, names)}</p>`];
  for (const p of t.procedures) {
    parts.push(`<h2>Procedure ${esc(p.procedure)}: ${esc(p.phase)}</h2>`, `<p>Since ${esc(p.phase_at)}${p.due_at ? `, due ${esc(p.due_at)}` : ''}${p.approvals.length ? `, approved by ${p.approvals.map((a) => esc(names[a] ?? a)).join(', ')}` : ''}</p>`);
    parts.push(table(['When', 'Step', 'Who', 'How', 'Detail'], p.timeline.map((l) => [esc(l.at), esc(l.step), l.person ? esc(names[l.person] ?? l.person) : '-', esc(l.via), esc(l.detail ?? '')]), 'Nothing recorded yet.'));
  }
  parts.push('<h2>Builds</h2>', table(['Target', 'Matrix', 'State', 'Attempt', 'Run', 'Artifacts'], t.builds.map((b) => [
    esc(b.target), esc(b.combo_key || '-'), esc(b.state), esc(`${b.attempt}/${b.max_attempts}`), b.url ? link(b.url, 'CI run') : '-',
    b.artifacts.length ? b.artifacts.map((a) => link(a, a.split('/').pop() || a)).join('<br>') : '-',
  ]), 'No build.'));
  parts.push('<h2>Mail</h2>', table(['When', 'Subject', 'To', 'Status'], t.mail.map((m) => [
    esc(m.sent_at ?? m.created_at), esc(withoutToken(m.subject)), esc(m.recipients.join(', ')), esc(m.status),
  ]), 'No mail.'));
  for (const a of t.assignments) {
    parts.push(`<h2>Assignment (${esc(a.rotation)})</h2>`, table(['When', 'Step', 'Who', 'How', 'Detail'], a.log.map((l) => [esc(l.at), esc(l.step), l.person ? esc(names[l.person] ?? l.person) : '-', esc(l.via), esc(l.detail ?? '')]), 'Nothing recorded.'));
  }
  parts.push('<h2>Announcements</h2>', table(['Received', 'Watcher', 'Title'], t.announcements.map((a) => [esc(a.received_at), esc(a.watcher), esc(a.title)]), 'None.'));
  parts.push('<h2>Events</h2>', table(['When', 'Event', 'Rules'], t.events.map((e) => [
    esc(e.created_at), esc(e.type), e.rule_runs.map((rr) => esc(`${rr.rule_id}: ${rr.outcome}`)).join('<br>') || (e.processed_at ? '-' : 'pending'),
  ]), 'None.'));
  return layout(title, parts.join('\n'), now);
}
