// A kernel errata mail reaching the list's mailbox until the team's notice is
// accepted by SMTP: APPEND to a local Dovecot, the running daemon's IMAP
// watcher (IDLE), ingest, the rule, the outbox, the SMTP sink. Dovecot itself
// announces a new message about 500 ms after the APPEND while idling.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ImapFlow } from 'imapflow';
import { Dovecot } from '../test/helpers/dovecot.js';
import { fixture, waitFor } from '../test/helpers/util.js';
import { World } from '../test/helpers/world.js';
import { median, round } from './process.js';

export async function imapLatency(n = 30): Promise<Record<string, unknown>> {
  if (!Dovecot.available()) return { note: 'dovecot not installed (apt-get install dovecot-imapd): not measured' };
  const w = await new World().start();
  const dove = new Dovecot();
  await dove.start();
  const client = new ImapFlow({ host: '127.0.0.1', port: dove.port, secure: false, auth: { user: dove.user, pass: dove.password }, logger: false });
  try {
    writeFileSync(join(w.tmp.dir, 'imap.pw'), `${dove.password}\n`);
    const cfg = w.config([{ id: 'lists', type: 'imap', host: '127.0.0.1', port: dove.port, security: 'plain', user: dove.user, password_file: 'imap.pw', every: '1m', timeout: '5s' }],
      [{ id: 'notice', on: 'kernel.released', when: { distro: 'centos' }, do: [{ email: { template: 'kernel-notice', to: ['users@example.org'] } }] }],
      // A pooled connection, as the daemon keeps by default: the test sink (smtp-server) waits 100 ms before its
      // greeting to catch early talkers, which a new connection per message would pay each time.
      { mail: { from: 'Kernel Herald <herald@test.example>', transport: 'smtp', smtp: { host: '127.0.0.1', port: w.smtp.port, pool: true, timeout: '5s', starttls: 'never' } } });
    const d = w.daemon(cfg);
    await d.start();
    await waitFor('the baseline of the empty mailbox', () => d.store.watchers.get('lists').baseline_done, 20_000);
    await client.connect();
    const mail = fixture('centos-announce/CESA-2020-5023-kernel.eml');
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const raw = mail.replaceAll('1160.6.1', `1160.${100 + i}.1`).replaceAll('5023', String(7000 + i))
        .replace(/^Message-ID: <[^>]+>/m, `Message-ID: <bench-${i}@bench.example>`).replace(/\r?\n/g, '\r\n');
      const accepted = new Promise<void>((resolve) => { w.smtp.onReceived = () => resolve(); });
      const t0 = performance.now();
      await client.append('INBOX', raw);
      await accepted;
      ms.push(performance.now() - t0);
    }
    await d.stop();
    const s = [...ms].sort((a, b) => a - b);
    return { appends: n, p50_ms: round(median(s), 0), p95_ms: round(s[Math.floor(0.95 * (s.length - 1))]!, 0), max_ms: round(s[s.length - 1]!, 0) };
  } finally {
    await client.logout().catch(() => undefined);
    await w.stop();
    await dove.destroy();
  }
}
