import * as z from '../../zod.js';
import { httpUrl } from '../../fields.js';
import { readSecret } from '../../secrets.js';
import { api } from '../http.js';
import { renderRecord } from '../plan.js';
import { BuildError, type Progress, type Trigger, type TriggerContext } from '../types.js';

/** The download links of the pipeline's jobs that kept artifacts. */
async function pipelineArtifacts(cfg: Cfg, id: number, ctx: TriggerContext): Promise<string[]> {
  try {
    const res = await api('GET', `${project(cfg)}/pipelines/${id}/jobs?per_page=100`, {
      headers: { 'private-token': readSecret(cfg.api_token_file, 'api_token_file') }, now: ctx.now, what: `gitlab ${cfg.project}`,
    });
    const jobs = res.json() as { id: number; web_url?: string; artifacts_file?: { filename?: string } | null }[];
    return (Array.isArray(jobs) ? jobs : []).filter((j) => j.artifacts_file?.filename && j.web_url).map((j) => `${j.web_url!.replace(/\/$/, '')}/artifacts/download`);
  } catch (err) {
    ctx.log.warn('listing the pipeline\'s artifacts failed', { project: cfg.project, pipeline: id, error: err instanceof Error ? err.message : String(err) });
    return [];
  }
}

export const gitlabSchema = z.strictObject({
  type: z.literal('gitlab-pipeline'),
  url: httpUrl.default('https://gitlab.com'),
  /** Project id or full path (group/project). */
  project: z.union([z.string().min(1), z.number().int()]),
  ref: z.string().min(1).default('main'),
  variables: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  /** The pipeline trigger token (Settings > CI/CD > Pipeline trigger tokens). */
  token_file: z.string().min(1),
  /** A token with read_api, to follow the pipeline (a trigger token cannot). */
  api_token_file: z.string().min(1),
});
type Cfg = z.output<typeof gitlabSchema>;

const project = (cfg: Cfg) => `${cfg.url.replace(/\/$/, '')}/api/v4/projects/${encodeURIComponent(String(cfg.project))}`;
const RUNNING = new Set(['created', 'waiting_for_resource', 'preparing', 'pending', 'running', 'scheduled', 'manual']);

export const gitlabPipeline: Trigger<typeof gitlabSchema> = {
  type: 'gitlab-pipeline',
  schema: gitlabSchema,
  secrets: (cfg) => ({ token_file: cfg.token_file, api_token_file: cfg.api_token_file }),

  render(cfg, render) {
    return { ref: render(cfg.ref, 'ref'), variables: renderRecord(cfg.variables, render, 'variables') };
  },

  async dispatch(cfg, b, ctx) {
    const req = b.request as { ref: string; variables: Record<string, string> };
    const form = new URLSearchParams({ token: readSecret(cfg.token_file, 'token_file'), ref: req.ref });
    for (const [k, v] of Object.entries({ ...req.variables, KH_CORRELATION: b.correlation })) form.append(`variables[${k}]`, v);
    const res = await api('POST', `${project(cfg)}/trigger/pipeline`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), now: ctx.now, what: `gitlab ${cfg.project}`,
    });
    const p = res.json() as { id?: number; web_url?: string };
    if (typeof p.id !== 'number') throw new BuildError(`gitlab ${cfg.project}: the trigger reply names no pipeline id`, true);
    return { external_id: String(p.id), url: p.web_url, tracking: { pipeline_id: p.id } };
  },

  /**
   * A dispatch whose answer never came: the pipelines of its ref triggered
   * since, newest first, whose KH_CORRELATION variable is this build's.
   */
  async recover(cfg, b, ctx) {
    const req = b.request as { ref: string };
    const headers = { 'private-token': readSecret(cfg.api_token_file, 'api_token_file') };
    const what = `gitlab ${cfg.project}`;
    const since = new Date(Date.parse(typeof b.tracking.dispatch_at === 'string' ? b.tracking.dispatch_at : b.updated_at) - 60_000).toISOString();
    const list = (await api('GET', `${project(cfg)}/pipelines?ref=${encodeURIComponent(req.ref)}&source=trigger&updated_after=${encodeURIComponent(since)}&order_by=id&sort=desc&per_page=20`, { headers, now: ctx.now, what })).json() as { id: number; web_url?: string }[];
    for (const p of Array.isArray(list) ? list : []) {
      const vars = (await api('GET', `${project(cfg)}/pipelines/${p.id}/variables`, { headers, now: ctx.now, what })).json() as { key: string; value: string }[];
      if (Array.isArray(vars) && vars.some((v) => v.key === 'KH_CORRELATION' && v.value === b.correlation)) {
        return { external_id: String(p.id), url: p.web_url, tracking: { pipeline_id: p.id } };
      }
    }
    return undefined;
  },

  async poll(cfg, b, ctx): Promise<Progress> {
    const id = b.tracking.pipeline_id as number;
    const res = await api('GET', `${project(cfg)}/pipelines/${id}`, {
      headers: { 'private-token': readSecret(cfg.api_token_file, 'api_token_file') }, now: ctx.now, what: `gitlab ${cfg.project}`,
    });
    const p = res.json() as { status?: string; web_url?: string };
    if (typeof p.status !== 'string') throw new BuildError(`gitlab ${cfg.project}: pipeline ${id}: the reply has no status`, true);
    if (RUNNING.has(p.status)) return { state: 'running', url: p.web_url };
    const artifacts = await pipelineArtifacts(cfg, id, ctx);
    return p.status === 'success' ? { state: 'succeeded', detail: 'success', url: p.web_url, artifacts } : { state: 'failed', detail: `pipeline ${p.status}`, url: p.web_url, artifacts };
  },

  async cancel(cfg, b, ctx) {
    const id = b.tracking.pipeline_id as number | undefined;
    if (!id) return;
    await api('POST', `${project(cfg)}/pipelines/${id}/cancel`, {
      headers: { 'private-token': readSecret(cfg.api_token_file, 'api_token_file') }, body: '', now: ctx.now, what: `gitlab ${cfg.project}`,
    });
  },
};
