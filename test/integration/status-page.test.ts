import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page as BrowserPage } from 'playwright-core';
import { Metrics } from '../../src/http/metrics.js';
import { pageRoutes } from '../../src/http/pages.js';
import { startHttp } from '../../src/http/server.js';
import { silentLogger } from '../../src/log.js';
import { ProcedureBench, WEB100_BASE } from '../helpers/procedure.js';

// test/setup.sh installs Debian's chromium with the other test tools.
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(import.meta.dirname, '..', '..', 'var', 'test-screenshots');

/** The status pages in a real headless browser, over the records a procedure left. */
describe('status pages in headless Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  let bench: ProcedureBench;
  let server: Server | undefined;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run \`sudo sh test/setup.sh\` (it installs Debian's chromium)`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => { await browser?.close(); });
  beforeEach(() => {
    // A kernel through its builds (its testers asked by mail, each with their own
    // reply token) and one tester's approval; a second one only announced.
    bench = new ProcedureBench(`${WEB100_BASE}  - { id: ask, on: release.phase, when: { to: testing }, do: [ { email: { template: testers-request, to: [testers] } } ] }\n`);
    bench.kernel('5.14.0-427.13.1.el9_4', { title: 'RLSA <b>kernel</b> & friends' });
    bench.buildsDone('5.14.0-427.13.1.el9_4', true);
    assert.ok(bench.procedures.act(bench.record('5.14.0-427.13.1.el9_4'), 'tested', 'carol', 'cli', undefined, 'boots on the lab boxes <b>fine</b>').ok);
    bench.now += 3_600_000;
    bench.kernel('4.18.0-513.5.1.el8_9', { releases: [{ kind: 'kernel', distro: 'rocky', distro_release: '8', package: 'kernel', version: '4.18.0-513.5.1.el8_9', arch: ['x86_64'] }] });
  });
  afterEach(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
    bench.close();
  });

  async function serve(listen: string, token?: string): Promise<string> {
    const c = bench.loaded.config;
    const route = pageRoutes({
      rotations: c.rotations, people: c.people, clock: bench.clock, from: c.mail.from, announcements: () => [],
      store: bench.store, watchers: [{ id: 'rocky-announce', type: 'imap' }],
    });
    server = await startHttp(listen, new Metrics(), () => ({ ok: true }), () => undefined, silentLogger(), { route, token });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Opens a page, failing on any console error or failed request. */
  async function open(url: string, credentials?: { username: string; password: string }): Promise<{ page: BrowserPage; status: number | undefined; errors: string[] }> {
    const context = await browser.newContext(credentials ? { httpCredentials: credentials } : {});
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    const res = await page.goto(url);
    return { page, status: res?.status(), errors };
  }

  it('the index: kernels in progress with phase and builds, who is on duty and next, each watcher; the kernel page: its timeline, builds and mail; no token anywhere', async () => {
    const base = await serve('127.0.0.1:0');
    const { page, status, errors } = await open(`${base}/`);
    assert.equal(status, 200);
    await page.screenshot({ path: join(SHOTS, 'status-index.png'), fullPage: true });
    const rows = await page.locator('table').first().locator('tbody tr').allInnerTexts();
    assert.equal(rows.length, 2);
    assert.match(rows[0]!, /5\.14\.0-427\.13\.1\.el9_4\trocky 9\tweb100\ttesting\tnobody yet\t1\/1 ok\t1h\t/);
    assert.match(rows[1]!, /4\.18\.0-513\.5\.1\.el8_9\trocky 8\tweb100\tbuilding\t/);
    const text = await page.locator('main').innerText();
    assert.match(text, /On duty now: Alice A/);
    assert.match(text, /2026-03-09T09:00:00Z\tBob B/);
    assert.match(text, /rocky-announce\timap\tnever/);
    assert.equal(await page.locator('a[href="/rotation/support.ics"]').count(), 1);

    await page.click('text=5.14.0-427.13.1.el9_4');
    await page.waitForURL(/\/kernel\/\d+$/);
    await page.screenshot({ path: join(SHOTS, 'status-kernel.png'), fullPage: true });
    const kernel = await page.locator('main').innerText();
    assert.match(kernel, /Procedure web100: testing/);
    assert.match(kernel, /tested\tCarol C\tcli\t1 of 2 approvals/);
    assert.match(kernel, /\tw\tRLSA <b>kernel<\/b> & friends/, 'a title is shown as text, not markup');
    assert.equal(await page.locator('main b').count(), 0);
    assert.match(kernel, /kmod\t-\tsucceeded\t/);
    const mail = kernel.split('\n').filter((l) => /carol@test\.example|dave@test\.example/.test(l));
    assert.equal(mail.length, 2, 'each tester\'s own request');
    for (const m of mail) assert.match(m, /\tsent|\tpending/);
    const html = await page.content();
    assert.ok(!/\[KH-/i.test(html), 'no reply tag');
    for (const t of bench.store.db.prepare('SELECT token FROM release_tokens').pluck().all() as string[]) assert.ok(!html.includes(t), 'no reply token');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('the rotation calendar the page links to opens, and a kernel that is not there is a 404', async () => {
    const base = await serve('127.0.0.1:0');
    const res = await fetch(`${base}/rotation/support.ics`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /SUMMARY:On duty: Alice A \(support\)/);
    const { status } = await open(`${base}/kernel/999999`);
    assert.equal(status, 404);
  });

  it('the access rule holds in the browser: a token server refuses without it and serves with it', async () => {
    const base = await serve('127.0.0.1:0', 'page-token');
    const context = await browser.newContext();
    const refused = await context.request.get(`${base}/`);
    assert.equal(refused.status(), 401);
    assert.ok(!(await refused.text()).includes('5.14.0'));
    await context.close();
    // The browser answers the basic-auth challenge as a calendar app or a person would.
    const wrong = await browser.newContext({ httpCredentials: { username: 'me', password: 'not-it' } });
    const denied = await (await wrong.newPage()).goto(`${base}/`);
    assert.equal(denied?.status(), 401);
    await wrong.close();
    const ok = await open(`${base}/`, { username: 'me', password: 'page-token' });
    assert.equal(ok.status, 200);
    assert.match(await ok.page.locator('main').innerText(), /5\.14\.0-427\.13\.1\.el9_4/);
    writeFileSync(join(SHOTS, 'README'), 'Screenshots of the status pages, written by test/integration/status-page.test.ts.\n');
    await ok.page.context().close();
  });
});
