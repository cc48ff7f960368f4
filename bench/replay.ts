// `kernel-herald replay` of an mbox as an operator runs it after an outage:
// N errata mails, each a new kernel, written to a fresh state. Linear means
// the same rate at 2,000 and at 10,000 messages.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, tempDir, writeConfig } from '../test/helpers/util.js';
import { CLI } from './poll.js';
import { round, timed } from './process.js';

/** An mbox of n AlmaLinux kernel errata mails, each renumbered to its own kernel and Message-ID. */
export function mbox(n: number): string {
  const mail = fixture('almalinux/ALSA-2023-7077-kernel.eml');
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const z = `${Math.floor(i / 50) + 1}.${(i % 50) + 1}`;
    parts.push(`From security@almalinux.org Tue Nov 14 09:41:02 2023\n${mail.replaceAll('513.5.1.el8_9', `513.${z}.el8_9`).replaceAll('alsa-2023-7077@', `alsa-2023-7077-${i}@`).replaceAll('ALSA-2023:7077', `ALSA-2023:${10000 + i}`)}\n`);
  }
  return parts.join('');
}

export async function replayScaling(sizes = [2000, 5000, 10000]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const n of sizes) {
    const t = tempDir();
    try {
      const file = join(t.dir, 'errata.mbox');
      writeFileSync(file, mbox(n));
      const cfg = writeConfig(t.dir, { state_dir: join(t.dir, 'state'), http: 'off', mail: { from: 'b@bench.example', transport: 'file' }, watchers: [] });
      const r = await timed(process.execPath, [CLI, 'replay', '--config', cfg, '--json', file]);
      out[String(n)] = { wall_s: round(r.wall_s), announcements_per_s: Math.round(n / r.wall_s), peak_mib: round(r.peak_mib, 1) };
    } finally {
      t.cleanup();
    }
  }
  return out;
}
