import * as z from '../../zod.js';
import { httpUrl } from '../../fields.js';
import { readSecret } from '../../secrets.js';
import type { BuildRow } from '../../store/builds.js';
import { api } from '../http.js';
import { renderRecord } from '../plan.js';
import { BuildError, type Dispatched, type Progress, type Trigger, type TriggerContext } from '../types.js';

const value = z.union([z.string(), z.number(), z.boolean()]);

export const githubSchema = z.strictObject({
  type: z.literal('github-workflow'),
  repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'must be OWNER/REPO'),
  /** The workflow file name (build.yml) or its numeric id. */
  workflow: z.string().min(1),
  ref: z.string().min(1).default('main'),
  inputs: z.record(z.string(), value).default({}),
  token_file: z.string().min(1),
  api_url: httpUrl.default('https://api.github.com'),
  /**
   * An input that receives the build's correlation id. Where the server does
   * not return the run (older GitHub Enterprise), the run is found by that id
   * in its name: give the workflow `run-name: ${{ inputs.<this> }}`.
   */
  correlation_input: z.string().optional(),
});
type Cfg = z.output<typeof githubSchema>;

interface Run { id: number; name?: string; display_title?: string; status: string; conclusion: string | null; html_url: string; created_at: string; event?: string; head_branch?: string }

function headers(cfg: Cfg): Record<string, string> {
  return {
    accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'content-type': 'application/json',
    authorization: `Bearer ${readSecret(cfg.token_file, 'token_file')}`,
  };
}

const base = (cfg: Cfg) => `${cfg.api_url.replace(/\/$/, '')}/repos/${cfg.repo}/actions`;

/** When the unanswered attempt was made (recorded by the tracker; older rows: their last update). */
const dispatchedAt = (b: BuildRow): string => (typeof b.tracking.dispatch_at === 'string' ? b.tracking.dispatch_at : b.updated_at);

/** The workflow's dispatched runs created since a minute before `since`, oldest first. */
async function runsSince(cfg: Cfg, ctx: TriggerContext, since: string): Promise<Run[]> {
  const after = new Date(Date.parse(since) - 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const url = `${base(cfg)}/workflows/${encodeURIComponent(cfg.workflow)}/runs?event=workflow_dispatch&created=${encodeURIComponent(`>=${after}`)}&per_page=100`;
  const res = await api('GET', url, { headers: headers(cfg), now: ctx.now, what: `github ${cfg.repo}` });
  return ((res.json() as { workflow_runs?: Run[] }).workflow_runs ?? []).sort((x, y) => x.id - y.id);
}

/** The run this build dispatched, by its correlation id in the run's name. */
async function findRun(cfg: Cfg, b: BuildRow, ctx: TriggerContext, since: string): Promise<Run | undefined> {
  return (await runsSince(cfg, ctx, since)).find((r) => `${r.name ?? ''} ${r.display_title ?? ''}`.includes(b.correlation));
}

/**
 * Without a correlation id (a workflow that takes no such input), the run of
 * an unanswered dispatch can only be told by where and when it started: a
 * dispatched run on the build's ref, created since the attempt, that no other
 * build follows. One such run is ours; none means the dispatch never arrived;
 * several cannot be told apart, and the build fails saying so rather than
 * follow a stranger's run or start another.
 */
async function findUncorrelated(cfg: Cfg, b: BuildRow, ctx: TriggerContext): Promise<Run | undefined> {
  const ref = (b.request as { ref: string }).ref;
  const runs = (await runsSince(cfg, ctx, dispatchedAt(b)))
    .filter((r) => (r.event ?? 'workflow_dispatch') === 'workflow_dispatch' && (r.head_branch === undefined || r.head_branch === ref || `refs/heads/${r.head_branch}` === ref))
    .filter((r) => !ctx.followed(String(r.id), 'github-workflow', b.id));
  if (runs.length > 1) {
    throw new BuildError(`github ${cfg.repo}: the dispatch was not answered and ${runs.length} runs of ${cfg.workflow} on ${ref} started since; without correlation_input they cannot be told apart, so none is followed and none started again: set correlation_input (and \`run-name: \${{ inputs.<it> }}\`) to make this safe`, false);
  }
  return runs[0];
}

/** The run's artifacts, as links a person can open (a listing that fails costs the links, not the build). */
async function runArtifacts(cfg: Cfg, runId: number, htmlUrl: string, ctx: TriggerContext): Promise<string[]> {
  try {
    const res = await api('GET', `${base(cfg)}/runs/${runId}/artifacts?per_page=100`, { headers: headers(cfg), now: ctx.now, what: `github ${cfg.repo}` });
    const list = (res.json() as { artifacts?: { id: number; name: string; expired?: boolean }[] }).artifacts ?? [];
    return list.filter((a) => !a.expired).map((a) => `${htmlUrl.replace(/\/$/, '')}/artifacts/${a.id}`);
  } catch (err) {
    ctx.log.warn('listing the run\'s artifacts failed', { repo: cfg.repo, run: runId, error: err instanceof Error ? err.message : String(err) });
    return [];
  }
}

export const githubWorkflow: Trigger<typeof githubSchema> = {
  type: 'github-workflow',
  schema: githubSchema,
  secrets: (cfg) => ({ token_file: cfg.token_file }),

  render(cfg, render) {
    return { ref: render(cfg.ref, 'ref'), inputs: renderRecord(cfg.inputs, render, 'inputs') };
  },

  async dispatch(cfg, b, ctx): Promise<Dispatched> {
    const req = b.request as { ref: string; inputs: Record<string, string> };
    const inputs = cfg.correlation_input ? { ...req.inputs, [cfg.correlation_input]: b.correlation } : req.inputs;
    const at = new Date(ctx.now()).toISOString();
    const res = await api('POST', `${base(cfg)}/workflows/${encodeURIComponent(cfg.workflow)}/dispatches`, {
      headers: headers(cfg), body: JSON.stringify({ ref: req.ref, inputs, return_run_details: true }), now: ctx.now, what: `github ${cfg.repo}`,
    });
    if (res.status === 200 && res.text.trim() !== '') {
      const d = res.json() as { workflow_run_id?: number; run_url?: string; html_url?: string };
      if (typeof d.workflow_run_id === 'number') {
        return { external_id: String(d.workflow_run_id), url: d.html_url, tracking: { run_id: d.workflow_run_id, dispatched_at: at } };
      }
    }
    // 204: a server without run details. The run can then be told from any
    // other (a second matrix build, a manual run) only by the correlation id.
    if (!cfg.correlation_input) {
      throw new BuildError(`github ${cfg.repo}: the server started a run but did not say which (HTTP ${res.status}, no run details): set correlation_input on this target, and \`run-name: \${{ inputs.<it> }}\` in the workflow, so the run can be found`, false);
    }
    return { tracking: { run_id: null, dispatched_at: at } };
  },

  async recover(cfg, b, ctx) {
    const run = cfg.correlation_input ? await findRun(cfg, b, ctx, dispatchedAt(b)) : await findUncorrelated(cfg, b, ctx);
    return run ? { external_id: String(run.id), url: run.html_url, tracking: { run_id: run.id, dispatched_at: dispatchedAt(b) } } : undefined;
  },

  async poll(cfg, b, ctx): Promise<Progress> {
    let runId = b.tracking.run_id as number | null | undefined;
    let found: Run | undefined;
    if (!runId) {
      found = await findRun(cfg, b, ctx, String(b.tracking.dispatched_at ?? b.started_at ?? b.created_at));
      if (!found) return { state: 'running' };
      runId = found.id;
    }
    const run = found ?? (await api('GET', `${base(cfg)}/runs/${runId}`, { headers: headers(cfg), now: ctx.now, what: `github ${cfg.repo}` })).json() as Run;
    if (typeof run?.status !== 'string') throw new BuildError(`github ${cfg.repo}: run ${runId}: the reply has no status`, true);
    if (run.status !== 'completed') return { state: 'running', url: run.html_url, external_id: String(runId), tracking: { ...b.tracking, run_id: runId } };
    const artifacts = await runArtifacts(cfg, runId, run.html_url, ctx);
    return run.conclusion === 'success'
      ? { state: 'succeeded', detail: 'success', url: run.html_url, artifacts }
      : { state: 'failed', detail: `run concluded ${run.conclusion ?? 'without a conclusion'}`, url: run.html_url, artifacts };
  },

  async cancel(cfg, b, ctx) {
    const runId = (b.tracking.run_id as number | null | undefined) ?? (b.external_id ? Number(b.external_id) : undefined);
    if (!runId) return;
    await api('POST', `${base(cfg)}/runs/${runId}/cancel`, { headers: headers(cfg), body: '', now: ctx.now, what: `github ${cfg.repo}` });
  },
};
