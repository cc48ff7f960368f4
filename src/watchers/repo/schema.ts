import * as z from '../../zod.js';
import { fetchingWatcherFields } from '../common.js';

export const repoSchema = z.strictObject({
  type: z.literal('repo'),
  ...fetchingWatcherFields,
  /** rpm: url is the repository (holding repodata/); apt: url is the archive root (holding dists/). */
  format: z.enum(['rpm', 'apt']),
  /** The metadata does not say which distribution it is: the config does. */
  distro: z.string().min(1),
  distro_release: z.string().min(1),
  suite: z.string().optional(),
  component: z.string().default('main'),
  arch: z.string().default('amd64'),
  max_uncompressed_bytes: z.number().int().min(1024).default(512 * 1024 * 1024),
  /**
   * Driver packages to report as well as kernels: names or globs
   * (["nvidia-driver", "kmod-nvidia-open-dkms", "mlnx-ofed-kernel*"]); each new
   * version is a driver.released of `vendor`.
   */
  packages: z.array(z.string().min(1)).default([]),
  vendor: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/).default('nvidia'),
});

export type RepoWatcherConfig = z.output<typeof repoSchema>;
