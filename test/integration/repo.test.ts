import assert from 'node:assert/strict';
import * as R from '../helpers/repos.js';
import { World } from '../helpers/world.js';

const notice = { id: 'n', on: 'kernel.released', do: [{ email: { template: 'kernel-notice', to: ['users@example.org'] } }] };

describe('repository watchers against a local HTTP mirror', function () {
  this.timeout(30_000);
  let w: World;
  beforeEach(async () => { w = await new World().start(); });
  afterEach(async () => { await w.stop(); });

  it('rpm: a kernel added to the metadata is one event, with its advisory from updateinfo; a mirror mid-sync is an error to retry', async () => {
    const old: R.RpmPkg[] = [{ name: 'kernel', ver: '5.14.0', rel: '362.8.1.el9_3', arch: 'x86_64' }, { name: 'kernel-devel', ver: '5.14.0', rel: '362.8.1.el9_3', arch: 'x86_64' }, { name: 'bash', ver: '5.1.8', rel: '6.el9', arch: 'x86_64' }];
    const publish = (pkgs: R.RpmPkg[], updates: Parameters<typeof R.updateinfoXml>[0]) => {
      const primary = R.zstd(R.primaryXml(pkgs));
      const ui = R.xz(R.updateinfoXml(updates));
      w.feeds.set('/rocky/9/BaseOS/x86_64/os/repodata/p-primary.xml.zst', primary, 'application/zstd');
      w.feeds.set('/rocky/9/BaseOS/x86_64/os/repodata/u-updateinfo.xml.xz', ui, 'application/x-xz');
      w.feeds.set('/rocky/9/BaseOS/x86_64/os/repodata/repomd.xml', R.repomdXml([
        { type: 'primary', href: 'repodata/p-primary.xml.zst', body: primary }, { type: 'updateinfo', href: 'repodata/u-updateinfo.xml.xz', body: ui },
      ]));
    };
    publish(old, []);
    const cfg = w.config([{ id: 'rocky9', type: 'repo', format: 'rpm', url: w.feeds.url('/rocky/9/BaseOS/x86_64/os/'), distro: 'rocky', distro_release: '9' }], [notice]);
    const d = w.daemon(cfg);
    const [base] = await d.pollOnce();
    assert.deepEqual([base!.ok, base!.baseline, base!.recorded], [true, true, 1]);
    const fresh: R.RpmPkg[] = [{ name: 'kernel', ver: '5.14.0', rel: '362.13.1.el9_3', arch: 'x86_64' }, { name: 'kernel-core', ver: '5.14.0', rel: '362.13.1.el9_3', arch: 'x86_64' }];
    publish([...old, ...fresh], [{ id: 'RLSA-2023:7549', title: 'Important: kernel security, bug fix, and enhancement update', cves: ['CVE-2023-3609', 'CVE-2023-3611'], pkgs: fresh }]);
    const [next] = await d.pollOnce();
    assert.deepEqual([next!.ok, next!.recorded, next!.events], [true, 1, 1]);
    assert.equal(w.smtp.received.length, 1);
    assert.equal(w.smtp.received[0]!.subject, 'New kernel 5.14.0-362.13.1.el9_3 for rocky 9 [RLSA-2023:7549]');
    assert.match(w.smtp.received[0]!.text ?? '', /CVE-2023-3611/);
    const [again] = await d.pollOnce();
    assert.equal(again!.notModified, true);

    // The index names a primary whose bytes are not (yet) what it says.
    publish([...old, ...fresh, { name: 'kernel', ver: '5.14.0', rel: '362.18.1.el9_3', arch: 'x86_64' }], []);
    w.feeds.set('/rocky/9/BaseOS/x86_64/os/repodata/p-primary.xml.zst', R.zstd(R.primaryXml(old)));
    const [bad] = await d.pollOnce();
    assert.equal(bad!.ok, false);
    assert.match(bad!.error!, /sha256 differs from the index \(mirror mid-sync\?\)/);
    assert.equal(w.smtp.received.length, 1);
  });

  it('apt: a linux-image in the Packages index is one event; the index is fetched only when InRelease changed', async () => {
    const publish = (pkgs: Parameters<typeof R.packagesIndex>[0]) => {
      const xzPk = R.xz(R.packagesIndex(pkgs));
      w.feeds.set('/ubuntu/dists/jammy-updates/main/binary-amd64/Packages.xz', xzPk, 'application/x-xz');
      w.feeds.set('/ubuntu/dists/jammy-updates/InRelease', R.inRelease('jammy-updates', [{ path: 'main/binary-amd64/Packages.xz', body: xzPk }]), 'text/plain');
    };
    const older = { name: 'linux-image-5.15.0-89-generic', version: '5.15.0-89.99', arch: 'amd64', source: 'linux-signed' };
    publish([older, { name: 'linux-image-generic', version: '5.15.0.89.86', arch: 'amd64', source: 'linux-meta' }]);
    const cfg = w.config([{ id: 'jammy', type: 'repo', format: 'apt', url: w.feeds.url('/ubuntu'), suite: 'jammy-updates', distro: 'ubuntu', distro_release: '22.04' }],
      [{ ...notice, when: { flavour: 'generic', abi_changed: true } }]);
    const d = w.daemon(cfg);
    await d.pollOnce();
    publish([older, { name: 'linux-image-5.15.0-91-generic', version: '5.15.0-91.101', arch: 'amd64', source: 'linux-signed' }]);
    const [o] = await d.pollOnce();
    assert.deepEqual([o!.ok, o!.events], [true, 1]);
    assert.equal(w.smtp.received[0]!.subject, 'New kernel 5.15.0-91.101 for ubuntu 22.04 (generic)');
    assert.match(w.smtp.received[0]!.text ?? '', /Kernel ABI: +5\.15\.0-91 \(previous kernel: 5\.15\.0-89\.99\)/);
    const fetched = w.feeds.count('/ubuntu/dists/jammy-updates/main/binary-amd64/Packages.xz');
    await d.pollOnce();
    assert.equal(w.feeds.count('/ubuntu/dists/jammy-updates/main/binary-amd64/Packages.xz'), fetched, 'a 304 on InRelease fetches nothing more');
  });

  it('packages: driver packages of a CUDA or MLNX_OFED mirror (names and globs) are driver releases of the vendor, by branch', async () => {
    const publish = (pkgs: R.RpmPkg[]) => {
      const primary = R.xz(R.primaryXml(pkgs));
      w.feeds.set('/cuda/rhel9/x86_64/repodata/p-primary.xml.xz', primary, 'application/x-xz');
      w.feeds.set('/cuda/rhel9/x86_64/repodata/repomd.xml', R.repomdXml([{ type: 'primary', href: 'repodata/p-primary.xml.xz', body: primary }]));
    };
    const base: R.RpmPkg[] = [{ name: 'kmod-nvidia-open-dkms', ver: '550.54.14', rel: '1.el9', arch: 'x86_64' }, { name: 'cuda-toolkit-12-4', ver: '12.4.0', rel: '1', arch: 'x86_64' }];
    publish(base);
    const driverRule = { id: 'drv', on: 'driver.released', do: [{ email: { template: 'kernel-notice', to: ['users@example.org'] } }] };
    const d = w.daemon(w.config([{ id: 'cuda', type: 'repo', format: 'rpm', url: w.feeds.url('/cuda/rhel9/x86_64/'), distro: 'rhel', distro_release: '9', packages: ['kmod-nvidia-open-dkms', 'nvidia-driver*'], vendor: 'nvidia' }], [driverRule]));
    const [first] = await d.pollOnce();
    assert.deepEqual([first!.baseline, first!.events], [true, 0]);
    publish([...base, { name: 'kmod-nvidia-open-dkms', ver: '555.42.02', rel: '1.el9', arch: 'x86_64' }, { name: 'nvidia-driver', ver: '555.42.02', rel: '1.el9', arch: 'x86_64' }, { name: 'nvidia-driver', ver: '555.42.02', rel: '1.el9', arch: 'aarch64' }, { name: 'cuda-toolkit-12-5', ver: '12.5.0', rel: '1', arch: 'x86_64' }]);
    const [next] = await d.pollOnce();
    assert.equal(next!.events, 2);
    const drivers = d.store.db.prepare("SELECT payload FROM events WHERE type = 'driver.released' ORDER BY id").pluck().all().map((p) => (JSON.parse(p as string) as { driver: { vendor: string; branch: string; package: string; version: string; arch: string[] } }).driver);
    assert.deepEqual(drivers.map((x) => `${x.vendor} ${x.branch} ${x.package} ${x.version} ${x.arch.join(',')}`), ['nvidia 555 kmod-nvidia-open-dkms 555.42.02-1.el9 x86_64', 'nvidia 555 nvidia-driver 555.42.02-1.el9 aarch64,x86_64']);
  });
});
