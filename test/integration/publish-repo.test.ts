import assert from 'node:assert/strict';
import { FeedServer } from '../helpers/feed-server.js';
import { ProcedureBench, WEB100_BASE } from '../helpers/procedure.js';
import * as R from '../helpers/repos.js';
import { ProcedureService } from '../../src/procedure/service.js';
import { silentLogger } from '../../src/log.js';

// The publish phase ending by itself when the team's package appears in its
// repository (publish.repo), against a real local HTTP repository and the
// bench's test clock.

const K1 = '5.14.0-362.8.1.el9_3';
const HOUR = 3_600_000;

describe('procedure: publish detected in the team\'s repository', () => {
  let feeds: FeedServer;
  let b: ProcedureBench;
  beforeEach(async () => { feeds = new FeedServer(); await feeds.start(); });
  afterEach(async () => { b.close(); await feeds.stop(); });

  const publishRpm = (pkgs: R.RpmPkg[]) => {
    const primary = R.xz(R.primaryXml(pkgs));
    feeds.set('/el9/repodata/p-primary.xml.xz', primary, 'application/x-xz');
    feeds.set('/el9/repodata/repomd.xml', R.repomdXml([{ type: 'primary', href: 'repodata/p-primary.xml.xz', body: primary }]));
  };

  it('looked at only while publishing, once per every; the package found ends the phase once, noted with where it was found', async () => {
    publishRpm([{ name: 'kmod-web100', ver: '5.14.0', rel: '284.11.1.el9_2', arch: 'x86_64' }]);
    b = new ProcedureBench(WEB100_BASE.replace('testers: [carol, dave], approvals: 2', 'testers: [carol], approvals: 1')
      .replace('publish: { within: 1d }', `publish: { within: 1d, repo: { url: "${feeds.url('/el9/')}", format: rpm, package: kmod-web100, version: "{{kernel.version}}", every: 1h } }`));
    const repomd = () => feeds.count('/el9/repodata/repomd.xml');
    b.kernel(K1);
    assert.equal(await b.procedures.checkRepos(), 0);
    assert.equal(repomd(), 0, 'not publishing yet: the repository is not read');
    b.buildsDone(K1, true);
    assert.ok(b.procedures.act(b.record(K1), 'tested', 'carol', 'cli').ok);
    b.engine.processPending();
    assert.equal(b.record(K1).phase, 'publishing');

    assert.equal(await b.procedures.checkRepos(), 0, 'not there yet');
    assert.equal(repomd(), 1);
    assert.equal(await b.procedures.checkRepos(), 0);
    assert.equal(repomd(), 1, 'not again within every');
    b.now += HOUR - 1;
    assert.equal(await b.procedures.checkRepos(), 0);
    assert.equal(repomd(), 1, 'not a millisecond before every has passed');
    b.now += 1;
    assert.equal(await b.procedures.checkRepos(), 0);
    assert.equal(repomd(), 2, 'read again once every has passed');
    publishRpm([{ name: 'kmod-web100', ver: '5.14.0', rel: '284.11.1.el9_2', arch: 'x86_64' }, { name: 'kmod-web100', ver: '5.14.0', rel: '362.8.1.el9_3', arch: 'x86_64' }]);
    b.now += 2 * HOUR;
    assert.equal(await b.procedures.checkRepos(), 1);
    b.engine.processPending();
    assert.equal(b.record(K1).phase, 'announced');
    const notes = b.store.procedures.timeline(b.record(K1).id).filter((e) => e.step === 'published').map((e) => `${e.via}|${e.detail}`);
    assert.deepEqual(notes, [`repo|kmod-web100 ${K1} found in ${feeds.url('/el9/')}`]);
    b.now += 2 * HOUR;
    assert.equal(await b.procedures.checkRepos(), 0);
    assert.equal(repomd(), 3, 'announced: never read again');
  });

  it('open kernels of a procedure without a publish phase, or of one gone from the config, are passed over', async () => {
    b = new ProcedureBench(WEB100_BASE.replace(/ {6}publish: .*\n/, ''));
    b.kernel(K1);
    assert.equal(b.record(K1).phase, 'building');
    assert.equal(await b.procedures.checkRepos(), 0);
    const c = b.loaded.config;
    const without = new ProcedureService({ store: b.store, clock: b.clock, log: silentLogger(), templates: b.loaded.templates, people: c.people,
      mail: { from: c.mail.from, domain: 'test.example' }, procedures: {}, assignments: b.assignments, builds: b.builds });
    assert.equal(await without.checkRepos(), 0);
  });
});
