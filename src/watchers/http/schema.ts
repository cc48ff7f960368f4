import * as z from 'zod';
import { fetchingWatcherFields } from '../common.js';

export const httpSchema = z.strictObject({ type: z.literal('http'), ...fetchingWatcherFields });
export type HttpWatcherConfig = z.output<typeof httpSchema>;
