/**
 * The built-in default: the real public feeds, state and mail under ./var,
 * one rule mailing a kernel notice for each new kernel. What `npm start` runs.
 */
export function defaultConfigObject(): Record<string, unknown> {
  return {
    state_dir: './var',
    log_level: 'info',
    http: { listen: '127.0.0.1:9464' },
    mail: { from: 'Kernel Herald <kernel-herald@localhost>', transport: 'file' },
    watchers: [
      { id: 'ubuntu-usn', type: 'rss', url: 'https://ubuntu.com/security/notices/rss.xml', every: '15m' },
      { id: 'kernel-org', type: 'rss', url: 'https://www.kernel.org/feeds/kdist.xml', every: '1h' },
      { id: 'nvidia-open-gpu', type: 'rss', url: 'https://github.com/NVIDIA/open-gpu-kernel-modules/releases.atom', every: '1h' },
    ],
    rules: [
      {
        id: 'kernel-notice',
        on: 'kernel.released',
        do: [{ email: { template: 'kernel-notice', to: ['kernel-users@localhost'], thread: 'kernel' } }],
      },
    ],
  };
}
