// The peers the figures stand beside: Debian's rss2email and urlwatch, each
// polling the same local feeds. Installed from Debian's packages when the
// bench may (root with apt-get); otherwise their figures are left out, saying so.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { have, timed, type Timed } from './process.js';

export function ensurePeers(): { rss2email: boolean; urlwatch: boolean; note?: string } {
  const missing = [['rss2email', 'r2e'], ['urlwatch', 'urlwatch']].filter(([, bin]) => !have(bin!)).map(([pkg]) => pkg!);
  if (missing.length > 0 && process.getuid?.() === 0 && have('apt-get')) {
    spawnSync('apt-get', ['install', '-y', '-q', ...missing], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  const r = { rss2email: have('r2e'), urlwatch: have('urlwatch') };
  return r.rss2email && r.urlwatch ? r : { ...r, note: `peers not installed (${[!r.rss2email && 'rss2email', !r.urlwatch && 'urlwatch'].filter(Boolean).join(', ')}): run apt-get install rss2email urlwatch` };
}

/** rss2email with every feed added, its first run (the baseline) done; returns a measured run. */
export function rss2email(dir: string, urls: string[]): () => Promise<Timed> {
  const base = ['-c', join(dir, 'r2e.cfg'), '-d', join(dir, 'r2e.json')];
  const r2e = (...args: string[]) => {
    const r = spawnSync('r2e', [...base, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`r2e ${args.join(' ')}: ${r.stderr}`);
  };
  r2e('new', 'bench@example.org');
  urls.forEach((u, i) => r2e('add', `f${i}`, u));
  return () => timed('r2e', [...base, 'run', '--no-send']);
}

/** urlwatch with one job per feed; returns a measured run (the first one is the baseline). */
export function urlwatch(dir: string, urls: string[]): () => Promise<Timed> {
  writeFileSync(join(dir, 'urls.yaml'), urls.map((u, i) => `name: f${i}\nurl: ${u}\n`).join('---\n'));
  const args = ['--urls', join(dir, 'urls.yaml'), '--config', join(dir, 'urlwatch.yaml'), '--hooks', join(dir, 'hooks.py'), '--cache', join(dir, 'cache.db')];
  return () => timed('urlwatch', args);
}
