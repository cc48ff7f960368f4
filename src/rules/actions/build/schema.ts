import * as z from '../../../zod.js';
import { id } from '../../../fields.js';

export const buildSchema = z.strictObject({
  /** A name under builds: in the config. */
  target: id,
});

export type BuildActionParams = z.output<typeof buildSchema>;
