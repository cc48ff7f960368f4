import * as z from '../../zod.js';
import { httpUrl } from '../../fields.js';
import { readSecret } from '../../secrets.js';
import { api } from '../http.js';
import { renderRecord } from '../plan.js';
import { BuildError, type Progress, type Trigger } from '../types.js';

export const jenkinsSchema = z.strictObject({
  type: z.literal('jenkins'),
  /** The job's URL, e.g. https://ci.example.org/job/kmod/job/build/ */
  job_url: httpUrl,
  parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  user: z.string().min(1),
  /** The user's API token (with an API token, Jenkins needs no CSRF crumb). */
  token_file: z.string().min(1),
});
type Cfg = z.output<typeof jenkinsSchema>;

const slash = (u: string) => (u.endsWith('/') ? u : `${u}/`);
const auth = (cfg: Cfg) => ({ authorization: `Basic ${Buffer.from(`${cfg.user}:${readSecret(cfg.token_file, 'token_file')}`).toString('base64')}` });

export const jenkins: Trigger<typeof jenkinsSchema> = {
  type: 'jenkins',
  schema: jenkinsSchema,
  secrets: (cfg) => ({ token_file: cfg.token_file }),

  render(cfg, render) {
    return { parameters: renderRecord(cfg.parameters, render, 'parameters') };
  },

  async dispatch(cfg, b, ctx) {
    const req = b.request as { parameters: Record<string, string> };
    const res = await api('POST', `${slash(cfg.job_url)}buildWithParameters`, {
      headers: { ...auth(cfg), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...req.parameters, KH_CORRELATION: b.correlation }).toString(), now: ctx.now, what: `jenkins ${cfg.job_url}`,
    });
    const queue = res.headers.get('location');
    if (!queue) throw new BuildError(`jenkins ${cfg.job_url}: buildWithParameters answered ${res.status} without a queue item Location`, true);
    return { tracking: { queue_url: slash(new URL(queue, cfg.job_url).href) } };
  },

  /**
   * A dispatch whose answer never came: this build's KH_CORRELATION parameter
   * in the job's queue items, else in its recent builds.
   */
  async recover(cfg, b, ctx) {
    const what = `jenkins ${cfg.job_url}`;
    const job = slash(cfg.job_url);
    const root = job.replace(/\/job\/.*$/, '/');
    const queue = (await api('GET', `${root}queue/api/json?tree=items[id,params,task[url]]`, { headers: auth(cfg), now: ctx.now, what })).json() as { items?: { id: number; params?: string; task?: { url?: string } }[] };
    const marker = `KH_CORRELATION=${b.correlation}`;
    const queued = (queue.items ?? []).find((i) => slash(i.task?.url ?? '') === job && (i.params ?? '').split('\n').includes(marker));
    if (queued) return { tracking: { queue_url: `${root}queue/item/${queued.id}/` } };
    const builds = (await api('GET', `${job}api/json?tree=builds[number,url,actions[parameters[name,value]]]{0,20}`, { headers: auth(cfg), now: ctx.now, what })).json() as { builds?: { number: number; url: string; actions?: { parameters?: { name: string; value: unknown }[] }[] }[] };
    const built = (builds.builds ?? []).find((x) => (x.actions ?? []).some((a) => (a.parameters ?? []).some((p) => p.name === 'KH_CORRELATION' && p.value === b.correlation)));
    return built ? { external_id: String(built.number), url: slash(built.url), tracking: { queue_url: '', build_url: slash(built.url) } } : undefined;
  },

  /** The queue item until an executor takes it, then the build. */
  async poll(cfg, b, ctx): Promise<Progress> {
    const what = `jenkins ${cfg.job_url}`;
    let buildUrl = b.tracking.build_url as string | undefined;
    if (!buildUrl) {
      const q = (await api('GET', `${b.tracking.queue_url as string}api/json`, { headers: auth(cfg), now: ctx.now, what })).json() as { executable?: { url?: string; number?: number } | null; cancelled?: boolean; why?: string };
      if (q.cancelled) return { state: 'failed', detail: 'cancelled in the Jenkins queue' };
      if (!q.executable?.url) return { state: 'running' };
      buildUrl = slash(q.executable.url);
      return { state: 'running', url: buildUrl, external_id: String(q.executable.number ?? ''), tracking: { ...b.tracking, build_url: buildUrl } };
    }
    const r = (await api('GET', `${buildUrl}api/json`, { headers: auth(cfg), now: ctx.now, what })).json() as { building?: boolean; result?: string | null; artifacts?: { relativePath?: string }[] };
    if (r.building || !r.result) return { state: 'running', url: buildUrl };
    const artifacts = (r.artifacts ?? []).filter((a) => a.relativePath).map((a) => `${buildUrl}artifact/${a.relativePath!.split('/').map(encodeURIComponent).join('/')}`);
    return r.result === 'SUCCESS' ? { state: 'succeeded', detail: 'SUCCESS', url: buildUrl, artifacts } : { state: 'failed', detail: `result ${r.result}`, url: buildUrl, artifacts };
  },

  async cancel(cfg, b, ctx) {
    const what = `jenkins ${cfg.job_url}`;
    const buildUrl = b.tracking.build_url as string | undefined;
    // Not started yet: out of the queue; started: stopped.
    if (buildUrl) await api('POST', `${buildUrl}stop`, { headers: auth(cfg), body: '', now: ctx.now, what });
    else if (b.tracking.queue_url) {
      const queueUrl = b.tracking.queue_url as string;
      const m = /^(.*\/)queue\/item\/(\d+)\/?$/.exec(queueUrl);
      if (m) await api('POST', `${m[1]}queue/cancelItem?id=${m[2]}`, { headers: auth(cfg), body: '', now: ctx.now, what });
    }
  },
};
