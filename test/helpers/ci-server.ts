import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A real HTTP server on 127.0.0.1 speaking the subset of the GitHub Actions,
// GitLab and Jenkins REST APIs kernel-herald uses, with the reply shapes of
// their API documentation. Runs advance one status per poll; the test scripts
// failures (401, 404, rate limits, 5xx) with `fail`.

export interface Seen { method: string; path: string; auth: string | undefined; body: string }

interface Run { id: number; kind: 'github' | 'gitlab' | 'jenkins'; name: string; polls: number; conclusion: string; inputs: Record<string, string>; cancelled?: boolean; ref?: string }

export class CiServer {
  private server: Server | undefined;
  port = 0;
  readonly seen: Seen[] = [];
  /** Replies to give instead of the normal one, first come first served, per "METHOD path-prefix". */
  private failures: { match: string; status: number; headers: Record<string, string>; body: string }[] = [];
  /** GitHub: answer dispatches with run details (200), or as older servers do (204). */
  githubDetails = true;
  /** How a new run/pipeline/build ends, and after how many status polls. */
  outcome = { conclusion: 'success', polls: 2 };
  /** The next n dispatches (GitHub, GitLab, Jenkins) start their run and then answer 502, as a proxy timing out would: an ambiguous answer. */
  startThenFail = 0;
  /** The next n GitLab pipelines fail whatever `outcome` says. */
  failPipelines = 0;
  /** GitLab pipelines whose variables include all of these fail. */
  failVariables: Record<string, string> | undefined;
  /** Requests to keep unanswered until the test lets them go: a reply still in flight. */
  private holds: { match: string; reached: () => void; released: Promise<void> }[] = [];
  readonly runs = new Map<number, Run>();
  private nextId = 1000;
  readonly token = 'gh-secret-token-123';

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  fail(match: string, status: number, headers: Record<string, string> = {}, body = '{"message":"scripted failure"}'): void {
    this.failures.push({ match, status, headers, body });
  }

  /** Keeps the next request matching "METHOD path-prefix" waiting until `release` is called; `reached` settles when it arrives. */
  hold(match: string): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const r = new Promise<void>((resolve) => { reached = resolve; });
    this.holds.push({ match, reached, released: new Promise<void>((resolve) => { release = resolve; }) });
    return { reached: r, release };
  }

  count(method: string, pathPart: string): number {
    return this.seen.filter((s) => s.method === method && s.path.includes(pathPart)).length;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => this.handle(req, res, body));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
  }

  private advance(run: Run): { done: boolean; conclusion: string } {
    run.polls += 1;
    if (run.cancelled) return { done: true, conclusion: 'cancelled' };
    return { done: run.polls > this.outcome.polls, conclusion: run.conclusion };
  }

  /** Runs stopped through the API. */
  cancelled(): number[] {
    return [...this.runs.values()].filter((r) => r.cancelled).map((r) => r.id);
  }

  private newRun(kind: Run['kind'], name: string, inputs: Record<string, string>): Run {
    const run: Run = { id: this.nextId++, kind, name, polls: 0, conclusion: this.outcome.conclusion, inputs };
    this.runs.set(run.id, run);
    return run;
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const path = req.url ?? '/';
    const method = req.method ?? 'GET';
    this.seen.push({ method, path, auth: req.headers.authorization ?? (req.headers['private-token'] as string | undefined), body });
    const h = this.holds.findIndex((x) => `${method} ${path}`.startsWith(x.match));
    if (h >= 0) {
      const x = this.holds.splice(h, 1)[0]!;
      x.reached();
      void x.released.then(() => this.reply(req, res, body));
      return;
    }
    this.reply(req, res, body);
  }

  private reply(req: IncomingMessage, res: ServerResponse, body: string): void {
    const path = req.url ?? '/';
    const method = req.method ?? 'GET';
    const f = this.failures.findIndex((x) => `${method} ${path}`.startsWith(x.match));
    if (f >= 0) {
      const x = this.failures.splice(f, 1)[0]!;
      res.writeHead(x.status, { 'content-type': 'application/json', ...x.headers }).end(x.body);
      return;
    }
    let m: RegExpExecArray | null;
    // --- GitHub Actions
    if ((m = /^\/repos\/([^/]+\/[^/]+)\/actions\/workflows\/([^/]+)\/dispatches$/.exec(path)) && method === 'POST') {
      if (req.headers.authorization !== `Bearer ${this.token}`) return this.json(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      if (m[2] !== 'build.yml') return this.json(res, 404, { message: 'Not Found' });
      const d = JSON.parse(body) as { ref: string; inputs: Record<string, string>; return_run_details?: boolean };
      const run = this.newRun('github', d.inputs.correlation ?? `Build ${d.ref}`, d.inputs);
      run.ref = d.ref;
      if (this.startThenFail > 0) {
        this.startThenFail -= 1;
        return this.json(res, 502, { message: 'Bad Gateway' });
      }
      if (this.githubDetails && d.return_run_details) {
        return this.json(res, 200, { workflow_run_id: run.id, run_url: `${this.url}/repos/${m[1]}/actions/runs/${run.id}`, html_url: `https://github.example/${m[1]}/actions/runs/${run.id}` });
      }
      res.writeHead(204).end();
      return;
    }
    if ((m = /^\/repos\/([^/]+\/[^/]+)\/actions\/workflows\/([^/]+)\/runs\?/.exec(path)) && method === 'GET') {
      const runs = [...this.runs.values()].filter((r) => r.kind === 'github').map((r) => ({ id: r.id, name: r.name, display_title: r.name, event: 'workflow_dispatch', head_branch: r.ref ?? 'main', status: 'queued', conclusion: null, html_url: `https://github.example/${m![1]}/actions/runs/${r.id}`, created_at: new Date().toISOString() }));
      return this.json(res, 200, { total_count: runs.length, workflow_runs: runs });
    }
    if ((m = /^\/repos\/([^/]+\/[^/]+)\/actions\/runs\/(\d+)\/cancel$/.exec(path)) && method === 'POST') {
      const run = this.runs.get(Number(m[2]));
      if (!run) return this.json(res, 404, { message: 'Not Found' });
      run.cancelled = true;
      return this.json(res, 202, {});
    }
    if ((m = /^\/repos\/([^/]+\/[^/]+)\/actions\/runs\/(\d+)\/artifacts/.exec(path)) && method === 'GET') {
      const id = Number(m[2]);
      return this.json(res, 200, { total_count: 1, artifacts: [{ id: id * 10 + 1, node_id: 'MDg6QXJ0aWZhY3Qx', name: 'kmod-rpms', size_in_bytes: 1234, url: `${this.url}/repos/${m[1]}/actions/artifacts/${id * 10 + 1}`,
        archive_download_url: `${this.url}/repos/${m[1]}/actions/artifacts/${id * 10 + 1}/zip`, expired: false, created_at: new Date().toISOString(), workflow_run: { id } }] });
    }
    if ((m = /^\/repos\/([^/]+\/[^/]+)\/actions\/runs\/(\d+)$/.exec(path)) && method === 'GET') {
      const run = this.runs.get(Number(m[2]));
      if (!run) return this.json(res, 404, { message: 'Not Found' });
      const a = this.advance(run);
      return this.json(res, 200, { id: run.id, name: run.name, status: a.done ? 'completed' : run.polls === 1 ? 'queued' : 'in_progress', conclusion: a.done ? a.conclusion : null, html_url: `https://github.example/${m[1]}/actions/runs/${run.id}` });
    }
    // --- GitLab
    if ((m = /^\/api\/v4\/projects\/([^/]+)\/trigger\/pipeline$/.exec(path)) && method === 'POST') {
      const form = new URLSearchParams(body);
      if (form.get('token') !== 'glptt-trigger') return this.json(res, 404, { message: '404 Not Found' });
      const vars = Object.fromEntries([...form.entries()].filter(([k]) => k.startsWith('variables[')).map(([k, v]) => [k.slice(10, -1), v]));
      const run = this.newRun('gitlab', 'pipeline', vars);
      if (this.failPipelines > 0) { this.failPipelines -= 1; run.conclusion = 'failure'; }
      if (this.failVariables && Object.entries(this.failVariables).every(([k, v]) => vars[k] === v)) run.conclusion = 'failure';
      if (this.startThenFail > 0) { this.startThenFail -= 1; return this.json(res, 502, { message: 'Bad Gateway' }); }
      return this.json(res, 201, { id: run.id, iid: 1, project_id: 7, sha: 'a1b2', ref: form.get('ref'), status: 'created', web_url: `https://gitlab.example/${decodeURIComponent(m[1]!)}/-/pipelines/${run.id}` });
    }
    if ((m = /^\/api\/v4\/projects\/([^/]+)\/pipelines\?/.exec(path)) && method === 'GET') {
      if (req.headers['private-token'] !== 'glpat-reader') return this.json(res, 401, { message: '401 Unauthorized' });
      const list = [...this.runs.values()].filter((r) => r.kind === 'gitlab').sort((x, y) => y.id - x.id).map((r) => ({ id: r.id, status: 'running', ref: 'main', web_url: `https://gitlab.example/p/-/pipelines/${r.id}` }));
      return this.json(res, 200, list);
    }
    if ((m = /^\/api\/v4\/projects\/([^/]+)\/pipelines\/(\d+)\/variables$/.exec(path)) && method === 'GET') {
      const run = this.runs.get(Number(m[2]));
      return this.json(res, 200, Object.entries(run?.inputs ?? {}).map(([key, value]) => ({ key, value, variable_type: 'env_var' })));
    }
    if ((m = /^\/api\/v4\/projects\/([^/]+)\/pipelines\/(\d+)\/cancel$/.exec(path)) && method === 'POST') {
      const run = this.runs.get(Number(m[2]));
      if (!run) return this.json(res, 404, { message: '404 Not found' });
      run.cancelled = true;
      return this.json(res, 200, { id: run.id, status: 'canceled' });
    }
    if ((m = /^\/api\/v4\/projects\/([^/]+)\/pipelines\/(\d+)\/jobs/.exec(path)) && method === 'GET') {
      const id = Number(m[2]);
      return this.json(res, 200, [
        { id: id * 10 + 1, name: 'build', stage: 'build', status: 'success', web_url: `https://gitlab.example/p/-/jobs/${id * 10 + 1}`, artifacts_file: { filename: 'artifacts.zip', size: 1000 }, artifacts: [{ file_type: 'archive', size: 1000, filename: 'artifacts.zip', file_format: 'zip' }] },
        { id: id * 10 + 2, name: 'lint', stage: 'test', status: 'success', web_url: `https://gitlab.example/p/-/jobs/${id * 10 + 2}`, artifacts: [] },
      ]);
    }
    if ((m = /^\/api\/v4\/projects\/([^/]+)\/pipelines\/(\d+)$/.exec(path)) && method === 'GET') {
      if (req.headers['private-token'] !== 'glpat-reader') return this.json(res, 401, { message: '401 Unauthorized' });
      const run = this.runs.get(Number(m[2]))!;
      const a = this.advance(run);
      return this.json(res, 200, { id: run.id, status: a.done ? (a.conclusion === 'success' ? 'success' : a.conclusion === 'cancelled' ? 'canceled' : 'failed') : run.polls === 1 ? 'pending' : 'running', web_url: `https://gitlab.example/p/-/pipelines/${run.id}` });
    }
    // --- Jenkins
    if ((m = /^\/job\/([^/]+)\/buildWithParameters$/.exec(path)) && method === 'POST') {
      if (req.headers.authorization !== `Basic ${Buffer.from('herald:jenkins-api-token').toString('base64')}`) return this.json(res, 401, {});
      const run = this.newRun('jenkins', m[1]!, Object.fromEntries(new URLSearchParams(body)));
      if (this.startThenFail > 0) { this.startThenFail -= 1; return this.json(res, 502, {}); }
      res.writeHead(201, { location: `${this.url}/queue/item/${run.id}/` }).end();
      return;
    }
    if (path.startsWith('/queue/api/json')) {
      // Jenkins's queue: the runs no executor has taken yet, with their parameters as Jenkins lists them.
      const items = [...this.runs.values()].filter((r) => r.kind === 'jenkins' && r.polls === 0)
        .map((r) => ({ id: r.id, params: `\n${Object.entries(r.inputs).map(([k, v]) => `${k}=${v}`).join('\n')}`, task: { url: `${this.url}/job/${r.name}/` } }));
      return this.json(res, 200, { items });
    }
    if ((m = /^\/queue\/item\/(\d+)\/api\/json$/.exec(path))) {
      const run = this.runs.get(Number(m[1]))!;
      run.polls += 1;
      const started = run.polls > 1;
      return this.json(res, 200, { id: run.id, blocked: false, buildable: !started, cancelled: false, why: started ? null : 'Waiting for next available executor', executable: started ? { number: 42, url: `${this.url}/job/${run.name}/42/` } : null });
    }
    if ((m = /^\/job\/([^/]+)\/42\/stop$/.exec(path)) && method === 'POST') {
      const run = [...this.runs.values()].filter((r) => r.name === m![1]).at(-1)!;
      run.cancelled = true;
      res.writeHead(302, { location: `${this.url}/job/${m[1]}/42/` }).end();
      return;
    }
    if ((m = /^\/job\/([^/]+)\/42\/$/.exec(path)) && method === 'GET') return this.json(res, 200, {});
    if ((m = /^\/job\/([^/]+)\/42\/api\/json$/.exec(path))) {
      const run = [...this.runs.values()].filter((r) => r.name === m![1]).at(-1)!;
      const a = this.advance(run);
      return this.json(res, 200, { number: 42, url: `${this.url}/job/${m[1]}/42/`, building: !a.done, result: a.done ? (a.conclusion === 'success' ? 'SUCCESS' : a.conclusion === 'cancelled' ? 'ABORTED' : 'FAILURE') : null,
        artifacts: a.done ? [{ displayPath: 'kmod.rpm', fileName: 'kmod.rpm', relativePath: 'out/x86_64/kmod.rpm' }] : [] });
    }
    this.json(res, 404, { message: `no route ${method} ${path}` });
  }
}
