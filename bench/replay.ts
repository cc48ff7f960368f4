// `kernel-herald replay` of an mbox as an operator runs it after an outage:
// N errata mails, each a new kernel, written to a fresh state. Linear means
// the same cost per announcement at 2,000 and at 10,000 messages: besides
// each run's rate (announcements over the process's wall time, start-up
// included), the rate between sizes ((n2 - n1) / (t2 - t1)) shows the cost
// per announcement alone, and what is left over is the fixed start-up. The
// start-up is also measured on its own, as a replay of STARTUP_MESSAGES
// messages in the same rounds, and each rate is given net of it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, tempDir, writeConfig } from '../test/helpers/util.js';
import { CLI } from './poll.js';
import { median, round, timed } from './process.js';

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

const STARTUP_MESSAGES = 10;

export async function replayScaling(sizes = [2000, 5000, 10000], runs = 3): Promise<Record<string, unknown>> {
  const t = tempDir();
  try {
    const files = new Map([STARTUP_MESSAGES, ...sizes].map((n) => {
      const file = join(t.dir, `errata-${n}.mbox`);
      writeFileSync(file, mbox(n));
      return [n, file];
    }));
    const walls = new Map<number, number[]>([STARTUP_MESSAGES, ...sizes].map((n) => [n, []]));
    const peaks = new Map<number, number[]>(sizes.map((n) => [n, []]));
    let k = 0;
    for (let r = 0; r < runs; r++) {
      for (const n of [STARTUP_MESSAGES, ...sizes]) {
        const dir = join(t.dir, `run-${k++}`);
        const cfg = writeConfig(t.dir, { state_dir: join(dir, 'state'), http: 'off', mail: { from: 'b@bench.example', transport: 'file' }, watchers: [] }, `config-${k}.yaml`);
        const res = await timed(process.execPath, [CLI, 'replay', '--config', cfg, '--json', files.get(n)!]);
        walls.get(n)!.push(res.wall_s);
        peaks.get(n)?.push(res.peak_mib);
      }
    }
    const wall = (n: number) => median(walls.get(n)!);
    const startup = wall(STARTUP_MESSAGES);
    const out: Record<string, unknown> = { runs, [`startup_s (${STARTUP_MESSAGES} messages)`]: round(startup) };
    for (const n of sizes) {
      out[String(n)] = {
        wall_s: round(wall(n)), announcements_per_s: Math.round(n / wall(n)),
        net_of_startup_per_s: Math.round((n - STARTUP_MESSAGES) / (wall(n) - startup)), peak_mib: round(median(peaks.get(n)!), 1),
      };
    }
    for (let i = 1; i < sizes.length; i++) {
      const [a, b] = [sizes[i - 1]!, sizes[i]!];
      out[`${a}->${b}`] = { announcements_per_s: Math.round((b - a) / (wall(b) - wall(a))) };
    }
    const [first, last] = [sizes[0]!, sizes[sizes.length - 1]!];
    out.fixed_s = round(wall(first) - first * (wall(last) - wall(first)) / (last - first));
    return out;
  } finally {
    t.cleanup();
  }
}
