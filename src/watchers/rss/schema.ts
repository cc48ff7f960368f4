import * as z from '../../zod.js';
import { fetchingWatcherFields } from '../common.js';

export const rssSchema = z.strictObject({ type: z.literal('rss'), ...fetchingWatcherFields });
export type RssWatcherConfig = z.output<typeof rssSchema>;
