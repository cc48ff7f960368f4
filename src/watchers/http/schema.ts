import * as z from '../../zod.js';
import { fetchingWatcherFields } from '../common.js';

export const httpSchema = z.strictObject({ type: z.literal('http'), ...fetchingWatcherFields });
export type HttpWatcherConfig = z.output<typeof httpSchema>;
