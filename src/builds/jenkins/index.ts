import { z } from 'zod';
import { httpUrl } from '../../config/fields.js';
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
    const r = (await api('GET', `${buildUrl}api/json`, { headers: auth(cfg), now: ctx.now, what })).json() as { building?: boolean; result?: string | null };
    if (r.building || !r.result) return { state: 'running', url: buildUrl };
    return r.result === 'SUCCESS' ? { state: 'succeeded', detail: 'SUCCESS', url: buildUrl } : { state: 'failed', detail: `result ${r.result}`, url: buildUrl };
  },
};
