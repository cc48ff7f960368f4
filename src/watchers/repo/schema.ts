import { z } from 'zod';
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
});

export type RepoWatcherConfig = z.output<typeof repoSchema>;
